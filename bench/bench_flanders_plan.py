"""Benchmark: the Flanders cluster plan (285 municipalities) with the cluster optimizer.

Municipalities from ``seed_data/municipalities.csv`` (Flemish, current). Experience and maturity
per domain come from the real registry (``seed_data`` projects, ``matching.experience``) when
``--experience registry``; the registry's prior projects make only a handful of municipalities
experienced, so by default (``--experience synthetic``) a seeded synthetic experience is used
instead (gamma-distributed scores, centrumsteden x3; maturity from the same thresholds as
``MatchingWeights``) — clearly our own test input, not data.

Plan: the issue's example request, 8 lighthouses per domain, at most 40 followers each, one
domain per lighthouse, candidates of maturity >= experienced. Reports, as medians of ``--runs``:
time to a gap <= 1 % for all six domains, time to proven optimality for one domain (mobility),
the final status/gap, the peak resident memory of the solves (``resource.getrusage``, read before
the baseline runs), and, side by side on run 0's instance, an independent MIP of the same
six-domain plan in HiGHS (``bench/baselines.py``) with the same time limit. Prints JSON.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import resource
import statistics
import sys
import threading
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from matching.optimizer import ClusterModel, PlanParams  # noqa: E402
from matching.registry import DOMAINS, Municipality  # noqa: E402


def load_municipalities() -> list[Municipality]:
    with open(ROOT / "seed_data" / "municipalities.csv", newline="", encoding="utf-8") as fh:
        rows = [r for r in csv.DictReader(fh)
                if r["region"] == "flanders" and not r.get("merged_into")]
    return [
        Municipality(r["refnis"], r["name_nl"], r["name_fr"] or None, r["province"] or None,
                     r["region"], r["is_centrumstad"] == "1", int(r["population"]),
                     float(r["latitude"]), float(r["longitude"]))
        for r in rows
    ]


def build_model(municipalities: list[Municipality], experience: str, seed: int) -> ClusterModel:
    model = ClusterModel()
    model.add_municipalities(municipalities)
    if experience == "registry":
        from matching.experience import profile
        from matching.graph import build_graph
        from matching.seedfiles import load_registry_from_seed_files

        graph = build_graph(load_registry_from_seed_files(ROOT / "seed_data"))
        scores: dict[str, dict[str, float]] = {d: {} for d in DOMAINS}
        classes: dict[str, dict[str, str]] = {d: {} for d in DOMAINS}
        for m in municipalities:
            for entry in profile(graph, m.refnis).domains:
                scores[entry.domain][m.refnis] = entry.score
                classes[entry.domain][m.refnis] = entry.maturity
        for d in DOMAINS:
            model.set_experience(d, scores[d])
            model.set_maturity(d, classes[d])
        return model
    rng = np.random.default_rng(seed)
    for d in DOMAINS:
        scores = {m.refnis: float(rng.gamma(0.5, 0.6)) * (3.0 if m.is_centrumstad else 1.0)
                  for m in municipalities}
        model.set_experience(d, scores)
        model.set_maturity(d, {
            r: "lighthouse-ready" if s >= 1.0 else "experienced" if s >= 0.4
            else "starter" if s > 0.1 else "none"
            for r, s in scores.items()
        })
    return model


def timed_solve(model: ClusterModel, params: PlanParams, target_gap: float) -> dict:
    reached: list[float] = []

    def progress(elapsed: float, best: float | None, bound: float, gap: float) -> None:
        if best is not None and gap <= target_gap and not reached:
            reached.append(elapsed)

    plan = model.solve(params, on_progress=progress, cancel=threading.Event())
    if plan.status == "optimal" and not reached:
        reached.append(plan.seconds)
    return {
        "status": plan.status, "objective": plan.objective, "gap": plan.gap,
        "lower_bound": None if plan.lower_bound is None else round(plan.lower_bound, 2),
        "seconds": round(plan.seconds, 2),
        "seconds_to_target_gap": round(reached[0], 2) if reached else None,
        "reason": plan.reason,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--experience", choices=("synthetic", "registry"), default="synthetic")
    parser.add_argument("--time-limit", type=float, default=60.0)
    parser.add_argument("--no-mip", action="store_true", help="skip the HiGHS MIP baseline")
    args = parser.parse_args()
    load_start = round(os.getloadavg()[0], 1)
    municipalities = load_municipalities()
    all_runs, one_runs = [], []
    for run in range(args.runs):
        model = build_model(municipalities, args.experience, seed=run)
        base = dict(lighthouses=8, max_followers=40, time_limit_s=args.time_limit)
        all_runs.append(timed_solve(model, PlanParams(domains=DOMAINS, **base), 0.01))
        one_runs.append(timed_solve(model, PlanParams(domains=("mobility",), **base), 0.0))
        print(json.dumps({"run": run, "all": all_runs[-1], "mobility": one_runs[-1]}),
              file=sys.stderr, flush=True)

    peak_mb = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)

    def median(rows: list[dict], key: str) -> float | None:
        values = [r[key] for r in rows if r[key] is not None]
        return round(statistics.median(values), 2) if len(values) == len(rows) else None

    out = {
        "benchmark": "flanders_plan",
        "municipalities": len(municipalities),
        "experience": args.experience,
        "request": {"lighthouses": 8, "max_followers": 40, "min_maturity": "experienced",
                    "one_domain_per_lighthouse": True, "time_limit_s": args.time_limit},
        "six_domains": {
            "seconds_to_gap_1pct_median": median(all_runs, "seconds_to_target_gap"),
            "statuses": [r["status"] for r in all_runs],
            "final_gaps": [r["gap"] for r in all_runs],
            "objectives": [r["objective"] for r in all_runs],
            "lower_bounds": [r["lower_bound"] for r in all_runs],
        },
        "mobility_only": {
            "seconds_to_optimal_median": median(
                [r for r in one_runs], "seconds_to_target_gap"),
            "statuses": [r["status"] for r in one_runs],
        },
        "peak_memory_mb": peak_mb,
        "runs": args.runs,
        "load_average_1min_start_end": [load_start, round(os.getloadavg()[0], 1)],
    }
    if not args.no_mip:
        from bench.baselines import plan_mip
        from matching.optimizer.model import Spec

        model = build_model(municipalities, args.experience, seed=0)
        spec = Spec.build(model, PlanParams(domains=DOMAINS, lighthouses=8, max_followers=40,
                                            time_limit_s=args.time_limit))
        out["six_domains_highs_mip_run0"] = plan_mip(spec, args.time_limit)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
