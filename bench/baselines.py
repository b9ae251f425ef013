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


def plan_mip(spec, time_limit: float = 60.0) -> dict:
    """The whole cluster plan (``matching.optimizer.model.Spec``: its cost matrices, candidates,
    lighthouse counts, follower cap and one domain per lighthouse) as one textbook MIP in HiGHS,
    strong form (x <= y per pair), written here without the optimizer's code. Returns {status,
    objective, lower_bound, seconds}."""
    t0 = time.perf_counter()
    params = spec.params
    cols, costs, lo, hi = 0, [], [], []
    r = 0
    ycols: dict[int, list[int]] = {}
    entries: list[tuple[np.ndarray, np.ndarray, np.ndarray]] = []
    for d in spec.domains:
        part, cand = spec.parts[d], spec.cand[d]  # each domain its own participants
        np_, nc = len(part), len(cand)
        ycol = cols + np.arange(nc)
        for k, c in enumerate(cand):
            ycols.setdefault(int(c), []).append(int(ycol[k]))
        mask = spec.allowed(d, "none") & (part[:, None] != cand[None, :])
        ii, jj = np.nonzero(mask)
        nx = len(ii)
        xcol = cols + nc + np.arange(nx)
        cols += nc + nx
        costs += [np.full(nc, params.costs.lighthouse_fixed), spec.cost[d][part[ii], cand[jj]]]
        selfr, selfc = np.nonzero(part[:, None] == cand[None, :])
        # served once: sum_l x_fl + y_ff = 1
        entries.append((r + np.concatenate([ii, selfr]), np.concatenate([xcol, ycol[selfc]]),
                        np.ones(nx + len(selfr))))
        lo.append(np.ones(np_))
        hi.append(np.ones(np_))
        r += np_
        # x_fl <= y_l
        entries.append((r + np.concatenate([np.arange(nx)] * 2), np.concatenate([xcol, ycol[jj]]),
                        np.concatenate([np.ones(nx), -np.ones(nx)])))
        lo.append(np.full(nx, -np.inf))
        hi.append(np.zeros(nx))
        r += nx
        if params.max_followers is not None:
            entries.append((r + np.concatenate([jj, np.arange(nc)]), np.concatenate([xcol, ycol]),
                            np.concatenate([np.ones(nx), np.full(nc, -params.max_followers)])))
            lo.append(np.full(nc, -np.inf))
            hi.append(np.zeros(nc))
            r += nc
        entries.append((np.full(nc, r), ycol, np.ones(nc)))
        lo.append([spec.kmin[d]])
        hi.append([spec.kmax[d]])
        r += 1
    if params.one_domain_per_lighthouse:
        for ys in ycols.values():
            if len(ys) > 1:
                entries.append((np.full(len(ys), r), np.array(ys), np.ones(len(ys))))
                lo.append([-np.inf])
                hi.append([1.0])
                r += 1
    a = csr_matrix((np.concatenate([e[2] for e in entries]),
                    (np.concatenate([e[0] for e in entries]),
                     np.concatenate([e[1] for e in entries]))), shape=(r, cols))
    res = milp(np.concatenate(costs), constraints=LinearConstraint(
        a, np.concatenate([np.asarray(x, dtype=float) for x in lo]),
        np.concatenate([np.asarray(x, dtype=float) for x in hi])),
        integrality=np.ones(cols), bounds=Bounds(0, 1),
        options={"time_limit": time_limit, "mip_rel_gap": 0})
    bound = getattr(res, "mip_dual_bound", None)
    return {"status": "optimal" if res.status == 0 else "time_limit",
            "objective": None if res.x is None else round(float(res.fun), 2),
            "lower_bound": None if bound is None else round(float(bound), 2),
            "seconds": round(time.perf_counter() - t0, 2)}
