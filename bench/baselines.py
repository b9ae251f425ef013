"""Independent baselines of the optimizer benchmarks and tests: a plain MIP in HiGHS (through
SciPy, no code shared with ``matching.optimizer``) and FasterPAM (``kmedoids``, dev only)."""

from __future__ import annotations

import time

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix, csr_matrix, vstack


def capacitated_mip(costs: np.ndarray, p: int, demand: np.ndarray | None = None,
                    capacity: float | None = None, time_limit: float = 60.0) -> dict:
    """The textbook p-median MIP (strong form, x_ij <= y_j for every pair), with
    sum_i demand_i x_ij <= capacity * y_j when a capacity is given, solved by HiGHS.

    Variables y_j (n) then x_ij (n * n, row-major); x_jj = y_j (a median serves itself).
    Returns {status: optimal | time_limit | infeasible, objective, lower_bound, medians
    (0-based), seconds}."""
    t0 = time.perf_counter()
    d = np.asarray(costs, dtype=np.float64)
    n = d.shape[0]
    nx = n * n
    c = np.concatenate([np.zeros(n), d.ravel()])
    ii = np.repeat(np.arange(n), n)
    jj = np.tile(np.arange(n), n)
    xcol = n + np.arange(nx)
    rows = [
        # sum_j x_ij = 1
        (coo_matrix((np.ones(nx), (ii, xcol)), shape=(n, n + nx)), 1.0, 1.0),
        # x_ij - y_j <= 0
        (coo_matrix((np.concatenate([np.ones(nx), -np.ones(nx)]),
                     (np.tile(np.arange(nx), 2), np.concatenate([xcol, jj]))),
                    shape=(nx, n + nx)), -np.inf, 0.0),
        # x_jj - y_j = 0
        (coo_matrix((np.concatenate([np.ones(n), -np.ones(n)]),
                     (np.tile(np.arange(n), 2),
                      np.concatenate([n + np.arange(n) * (n + 1), np.arange(n)]))),
                    shape=(n, n + nx)), 0.0, 0.0),
        # sum_j y_j = p
        (coo_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n))),
                    shape=(1, n + nx)), p, p),
    ]
    if capacity is not None:
        q = np.ones(n) if demand is None else np.asarray(demand, dtype=np.float64)
        rows.append((coo_matrix((np.concatenate([q[ii], np.full(n, -float(capacity))]),
                                 (np.concatenate([jj, np.arange(n)]),
                                  np.concatenate([xcol, np.arange(n)]))),
                                shape=(n, n + nx)), -np.inf, 0.0))
    a = csr_matrix(vstack([r[0] for r in rows]))
    lb = np.concatenate([np.full(r[0].shape[0], r[1], dtype=float) for r in rows])
    ub = np.concatenate([np.full(r[0].shape[0], r[2], dtype=float) for r in rows])
    res = milp(c, constraints=LinearConstraint(a, lb, ub), integrality=np.ones(n + nx),
               bounds=Bounds(0, 1), options={"time_limit": time_limit, "mip_rel_gap": 0})
    seconds = time.perf_counter() - t0
    if res.x is None:
        status = "infeasible" if res.status == 2 else "time_limit"
        return {"status": status, "objective": None, "lower_bound": None, "medians": [],
                "seconds": seconds}
    bound = getattr(res, "mip_dual_bound", None)
    return {"status": "optimal" if res.status == 0 else "time_limit",
            "objective": float(res.fun), "lower_bound": None if bound is None else float(bound),
            "medians": [int(j) for j in np.flatnonzero(res.x[:n] > 0.5)], "seconds": seconds}


def fasterpam(costs: np.ndarray, p: int, seed: int = 0) -> dict:
    """One FasterPAM run (``kmedoids``, random start, one thread): the uncapacitated cost of its
    medians and its time. A heuristic baseline, never a proof."""
    import kmedoids

    t0 = time.perf_counter()
    res = kmedoids.fasterpam(np.asarray(costs, dtype=np.float64), p, init="random",
                             random_state=seed, n_cpu=1)
    seconds = time.perf_counter() - t0
    medoids = np.asarray(res.medoids, dtype=np.int64)
    return {"objective": float(np.asarray(costs)[:, medoids].min(axis=1).sum()),
            "medians": sorted(int(m) for m in medoids), "seconds": seconds}
