"""Benchmark: generated capacitated p-median instances (pmedcap form), the planner's
``ClusterModel.solve`` against an independent MIP (HiGHS through SciPy, the textbook strong
formulation, bench/baselines.py), same instances, same run.

Instances: ``matching.orlib.random_pmedcap`` (integer points in [0, 100]^2, demands 1..20,
capacity so that the demand fills 85 % of the p medians' capacity), p = n / 10, seeds 1..runs;
by default n = 50 and 100 with a 30 s limit each (``--sizes 150,200 --time-limit 60`` for the
larger ones: minutes per instance on our 2 cores). For every n: medians of our time and the MIP's, the time ratio MIP/ours (> 1:
ours is faster), how many each proved optimal, and whether the objectives agree where both
proved. Prints one JSON object.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.baselines import capacitated_mip  # noqa: E402
from matching.optimizer.cli import solve_matrix  # noqa: E402
from matching.orlib import random_pmedcap  # noqa: E402


def run_size(n: int, runs: int, time_limit: float) -> dict:
    p = max(2, n // 10)
    ours_t, mip_t, ours_opt, mip_opt, agree, gaps = [], [], 0, 0, [], []
    for seed in range(1, runs + 1):
        inst = random_pmedcap(n, p, seed)
        plan = solve_matrix(inst.distances, p, demand=inst.demand, capacity=inst.capacity,
                            ids=inst.ids, time_limit=time_limit, seed=seed)
        mip = capacitated_mip(inst.distances, p, inst.demand, inst.capacity,
                              time_limit=time_limit)
        ours_t.append(plan.seconds)
        mip_t.append(mip["seconds"])
        ours_opt += plan.status == "optimal"
        mip_opt += mip["status"] == "optimal"
        gaps.append(plan.gap if plan.gap is not None else 1.0)
        if plan.status == "optimal" and mip["status"] == "optimal":
            agree.append(abs(plan.objective - mip["objective"]) < 1e-6)
        print(json.dumps({"n": n, "seed": seed, "ours": [plan.status, plan.objective,
                                                         plan.lower_bound, round(plan.seconds, 2)],
                          "mip": [mip["status"], mip["objective"], mip["lower_bound"],
                                  round(mip["seconds"], 2)]}), file=sys.stderr, flush=True)
    ours_med, mip_med = statistics.median(ours_t), statistics.median(mip_t)
    return {
        "n": n, "p": p, "runs": runs, "time_limit_s": time_limit,
        "ours_seconds_median": round(ours_med, 2), "mip_seconds_median": round(mip_med, 2),
        "ratio_mip_over_ours": round(mip_med / ours_med, 2) if ours_med else None,
        "ours_proven": ours_opt, "mip_proven": mip_opt,
        "ours_gap_median": round(statistics.median(gaps), 5),
        "objectives_agree": f"{sum(agree)}/{len(agree)}",
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--sizes", default="50,100", help="n values (150,200 take minutes)")
    parser.add_argument("--time-limit", type=float, default=30.0)
    args = parser.parse_args()
    load_start = round(os.getloadavg()[0], 1)
    rows = [run_size(int(n), args.runs, args.time_limit) for n in args.sizes.split(",")]
    print(json.dumps({"title": "Capacitated p-median (pmedcap form): ClusterModel.solve vs "
                      "an independent HiGHS MIP", "cases": rows,
                      "load_average_1min_start_end": [load_start,
                                                      round(os.getloadavg()[0], 1)]}, indent=1))


if __name__ == "__main__":
    main()
