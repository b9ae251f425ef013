"""Benchmark: the planner's ``ClusterModel.solve`` on p-median instances against FasterPAM.

Instances (seeded, so every run sees the same ones):
* ``graph``: Beasley-style random graphs like OR-Library's pmed files (a Hamiltonian cycle plus
  random edges, n^2/50 edges in all, integer costs 1..100), costs = shortest paths;
* ``euclid``: n random integer points in [0, 1000]^2, costs = rounded Euclidean distances.

For every (family, n, p) it solves ``--runs`` instances (seeds 1..runs) and reports medians of
our time (``matching.optimizer.cli.solve_matrix``: a one-domain ClusterModel, the same solve the
service runs), FasterPAM's time (one run of ``kmedoids.fasterpam``, random init, one thread; a
dev-only baseline), the objective ratio ours/FasterPAM, the number proven optimal, and the
median gap. Prints one JSON object.

``--orlib DIR`` also runs every ``pmedN.txt`` found in DIR and checks it against OR-Library's
published optimum (file ``pmedopt``). Run: ``python bench/bench_pmedian.py [--quick]``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baselines import fasterpam  # noqa: E402
from matching.optimizer.cli import solve_matrix  # noqa: E402
from matching.orlib import read_pmedian, shortest_path_costs  # noqa: E402

#: OR-Library ``pmedopt``: the published optimum of pmed1..pmed40 (Beasley 1985).
PMEDOPT = {
    1: 5819, 2: 4093, 3: 4250, 4: 3034, 5: 1355, 6: 7824, 7: 5631, 8: 4445, 9: 2734, 10: 1255,
    11: 7696, 12: 6634, 13: 4374, 14: 2968, 15: 1729, 16: 8162, 17: 6999, 18: 4809, 19: 2845,
    20: 1789, 21: 9138, 22: 8579, 23: 4619, 24: 2961, 25: 1828, 26: 9917, 27: 8307, 28: 4498,
    29: 3033, 30: 1989, 31: 10086, 32: 9297, 33: 4700, 34: 3013, 35: 10400, 36: 9934,
    37: 5057, 38: 11060, 39: 9423, 40: 5128,
}


def graph_instance(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    edges = [(i, (i + 1) % n, int(rng.integers(1, 101))) for i in range(n)]
    while len(edges) < n * n // 50:
        i, j = (int(v) for v in rng.integers(0, n, 2))
        if i != j:
            edges.append((i, j, int(rng.integers(1, 101))))
    return shortest_path_costs(n, edges)


def euclid_instance(n: int, seed: int) -> np.ndarray:
    rng = np.random.default_rng(seed)
    pts = rng.integers(0, 1001, size=(n, 2)).astype(np.float64)
    return np.rint(np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))).astype(np.int64)


def run_case(family: str, n: int, p: int, runs: int, time_limit: float) -> dict:
    make = graph_instance if family == "graph" else euclid_instance
    ours_t, base_t, ratios, gaps, optimal = [], [], [], [], 0
    for seed in range(1, runs + 1):
        d = make(n, seed)
        base = fasterpam(d, p, seed)
        base_obj, base_sec = base["objective"], base["seconds"]
        result = solve_matrix(d, p, time_limit=time_limit, seed=seed)
        ours_t.append(result.seconds)
        base_t.append(base_sec)
        ratios.append(result.objective / base_obj if base_obj else 1.0)
        gaps.append(result.gap)
        optimal += result.status == "optimal"
    return {
        "family": family, "n": n, "p": p, "runs": runs, "time_limit_s": time_limit,
        "ours_seconds_median": round(statistics.median(ours_t), 3),
        "fasterpam_seconds_median": round(statistics.median(base_t), 4),
        "ratio_median": round(statistics.median(ratios), 6),
        "ratio_max": round(max(ratios), 6),
        "proven_optimal": optimal,
        "gap_median": round(statistics.median(gaps), 6),
    }


def run_orlib(directory: Path, time_limit: float) -> list[dict]:
    rows = []
    for k in sorted(PMEDOPT):
        path = directory / f"pmed{k}.txt"
        if not path.exists():
            continue
        inst = read_pmedian(path)
        result = solve_matrix(inst.distances, inst.p, time_limit=time_limit)
        rows.append({
            "instance": f"pmed{k}", "n": inst.n, "p": inst.p, "status": result.status,
            "objective": result.objective, "optimum": PMEDOPT[k],
            "correct": result.objective == PMEDOPT[k] if result.status == "optimal" else None,
            "gap": round(result.gap, 6), "seconds": round(result.seconds, 3),
        })
    return rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--quick", action="store_true", help="n = 100 and 200 only, 1 run")
    parser.add_argument("--families", default="graph,euclid")
    parser.add_argument("--sizes", default="100,200,400,900", help="comma-separated n values")
    parser.add_argument("--orlib", type=Path, default=None, help="directory with pmedN.txt")
    args = parser.parse_args()
    sizes = {100: (5, 10, 33), 200: (5, 20, 66), 400: (5, 10, 40, 133), 900: (10, 90, 300)}
    if args.quick:
        sizes = {100: (5, 10, 33), 200: (5, 20, 66)}
        args.runs = 1
    wanted = {int(v) for v in args.sizes.split(",")}
    sizes = {n: ps for n, ps in sizes.items() if n in wanted}
    cases = []
    for family in args.families.split(","):
        for n, ps in sizes.items():
            limit = 60.0 if n >= 900 else 10.0  # the targets of the issue
            for p in ps:
                cases.append(run_case(family, n, p, args.runs, limit))
                print(json.dumps(cases[-1]), file=sys.stderr, flush=True)
    out = {"benchmark": "pmedian", "cases": cases}
    if args.orlib is not None:
        out["orlib"] = run_orlib(args.orlib, 60.0)
    print(json.dumps(out, indent=1))


if __name__ == "__main__":
    main()
