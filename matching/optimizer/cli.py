"""What the benchmark command lines share: a cost-matrix plan through ``ClusterModel.solve`` and
its one JSON line ``{objective, lower_bound, gap, status, medians, seconds}``."""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
from collections.abc import Sequence

import numpy as np

from matching.optimizer.model import ClusterModel
from matching.optimizer.params import ClusterPlan, PlanParams


def solve_matrix(costs: np.ndarray, p: int, *, demand: Sequence[int] | None = None,
                 capacity: int | None = None, ids: Sequence[str] | None = None,
                 time_limit: float = 60.0, seed: int = 0) -> ClusterPlan:
    """Exactly ``p`` medians over a square cost matrix, each serving at most ``capacity`` of
    demand (its own included) when given: a one-domain :class:`ClusterModel`, solved by the
    same :meth:`ClusterModel.solve` as the service's plans."""
    model = ClusterModel.from_matrix(costs, demand=demand, ids=ids)
    params = PlanParams(domains=model.domains, lighthouses=p, min_maturity="none",
                        max_load=capacity, load="demand" if capacity is not None else "population",
                        time_limit_s=time_limit, seed=seed)
    return model.solve(params)


def plan_line(plan: ClusterPlan) -> dict:
    """The benchmark line: integers kept integral, medians as the file's ids (ints when they
    are numbers)."""

    def num(x: float | None) -> float | int | None:
        if x is None or not math.isfinite(x):
            return None
        return int(round(x)) if abs(x - round(x)) < 1e-9 else float(x)

    medians = [int(m) if m.isdigit() else m for m in plan.medians]
    if all(isinstance(m, int) for m in medians):
        medians.sort()
    return {
        "objective": num(plan.objective),
        "lower_bound": num(plan.lower_bound),
        "gap": round(plan.gap, 9) if plan.gap is not None and math.isfinite(plan.gap) else None,
        "status": plan.status,
        "medians": medians,
        "seconds": round(plan.seconds, 3),
    }


def print_line(solve) -> ClusterPlan:
    """Run ``solve()`` with file descriptor 1 pointed at stderr (solver libraries may print
    banners there), then print the plan's JSON line on stdout."""
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        plan = solve()
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    print(json.dumps(plan_line(plan)), flush=True)
    return plan


def parse(parser: argparse.ArgumentParser, argv: list[str] | None, fmt: str):
    """Add PATH, --time-limit and --seed to ``parser`` and parse ``argv``; None (after an error
    on stderr) when the time limit is not positive."""
    parser.add_argument("path", help=f"instance file in {fmt} format")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="wall-clock seconds for the whole solve (default 60)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the heuristics")
    args = parser.parse_args(argv)
    if not args.time_limit > 0:
        print("error: --time-limit must be > 0", file=sys.stderr)
        return None
    return args


def read(reader, path: str, errors: tuple[type[Exception], ...]):
    """``reader(path)``, or None after the error on stderr."""
    try:
        return reader(path)
    except (OSError, *errors) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return None
