"""Fast p-median heuristics: the warm start and the baseline of the exact solvers.

The uncapacitated heuristic is FasterPAM (Schubert & Rousseeuw 2021, ``kmedoids`` package) from
several random starts plus one BUILD start; it returns a swap-optimal set of medians in
milliseconds for n <= 1000. The capacitated heuristic assigns exactly for given medians (a
min-cost flow) and improves the medians by swap moves, each judged by that exact assignment.
Costs are whatever unit the matrix holds (km, or OR-Library edge units).
"""

from __future__ import annotations

import time

import kmedoids
import numpy as np
from ortools.graph.python import min_cost_flow

#: Scale used to turn float costs into the integers a min-cost flow needs (1e-6 of a unit).
_FLOW_SCALE = 1_000_000


def pmedian_cost(distances: np.ndarray, medians: np.ndarray) -> float:
    """Total cost of serving every vertex from its nearest median (uncapacitated)."""
    return distances[:, medians].min(axis=1).sum()


def fasterpam_best(
    distances: np.ndarray, p: int, *, restarts: int = 5, seed: int = 0, time_budget: float = 5.0
) -> tuple[np.ndarray, float]:
    """Best FasterPAM result over ``restarts`` random starts (seeds ``seed``, ``seed + 1``, ...)
    and a BUILD start.

    ``distances`` is a square (n, n) matrix; returns (sorted 0-based medians, cost). Stops early
    when ``time_budget`` seconds are spent (at least the first run always completes).
    """
    n = distances.shape[0]
    if p >= n:
        return np.arange(n), 0.0
    diss = np.ascontiguousarray(distances, dtype=np.float64)
    start = time.perf_counter()
    best_medians: np.ndarray | None = None
    best_cost = np.inf
    for run in range(restarts + 1):
        # random starts use seeds seed, seed + 1, ...; the BUILD start comes last
        init = "build" if run == restarts else "random"
        result = kmedoids.fasterpam(diss, p, init=init, random_state=seed + run, n_cpu=1)
        medians = _pad(distances, np.unique(np.asarray(result.medoids, dtype=np.int64)), p)
        cost = pmedian_cost(distances, medians)
        if cost < best_cost:
            best_cost, best_medians = cost, medians
        if time.perf_counter() - start > time_budget:
            break
    assert best_medians is not None
    return best_medians, best_cost


def _pad(distances: np.ndarray, medians: np.ndarray, p: int) -> np.ndarray:
    """Add greedy medians until there are ``p`` (BUILD stops early when zero costs tie)."""
    medians = list(medians)
    while len(medians) < p:
        served = distances[:, medians].min(axis=1) if medians else np.full(len(distances), np.inf)
        gain = np.minimum(served[:, None], distances).sum(axis=0).astype(np.float64)
        gain[medians] = np.inf
        medians.append(int(np.argmin(gain)))
    return np.sort(np.asarray(medians, dtype=np.int64))


def capacitated_assignment(
    distances: np.ndarray, medians: np.ndarray, capacity: int
) -> tuple[np.ndarray, float] | None:
    """Optimal assignment of every vertex to the given medians, each serving at most ``capacity``
    vertices including itself (a median always serves itself).

    Returns (median index per vertex, total cost), or None when ``len(medians) * capacity < n``.
    Solved exactly as a min-cost flow (OR-Tools); float costs are scaled by 1e6 and rounded for
    the flow, the returned cost is recomputed from the unrounded matrix.
    """
    n = distances.shape[0]
    medians = np.asarray(medians, dtype=np.int64)
    p = len(medians)
    if p * capacity < n or capacity < 1:
        return None
    is_median = np.zeros(n, dtype=bool)
    is_median[medians] = True
    clients = np.flatnonzero(~is_median)
    sub = distances[np.ix_(clients, medians)]
    if np.issubdtype(sub.dtype, np.integer):
        unit = sub.astype(np.int64)
    else:
        unit = np.rint(sub * _FLOW_SCALE).astype(np.int64)
    flow = min_cost_flow.SimpleMinCostFlow()
    nc = len(clients)
    # nodes: clients 0..nc-1, medians nc..nc+p-1, sink nc+p
    tails = np.repeat(np.arange(nc), p)
    heads = nc + np.tile(np.arange(p), nc)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        tails, heads, np.ones(nc * p, dtype=np.int64), unit.ravel()
    )
    sink = nc + p
    flow.add_arcs_with_capacity_and_unit_cost(
        nc + np.arange(p), np.full(p, sink), np.full(p, capacity - 1, dtype=np.int64),
        np.zeros(p, dtype=np.int64),
    )
    supplies = np.zeros(nc + p + 1, dtype=np.int64)
    supplies[:nc] = 1
    supplies[sink] = -nc
    flow.set_nodes_supplies(np.arange(nc + p + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return None
    used = flow.flows(arcs).reshape(nc, p)
    assign = np.empty(n, dtype=np.int64)
    assign[medians] = medians
    assign[clients] = medians[np.argmax(used, axis=1)]
    return assign, distances[np.arange(n), assign].sum()


def capacitated_local_search(
    distances: np.ndarray,
    p: int,
    capacity: int,
    *,
    start: np.ndarray | None = None,
    time_budget: float = 5.0,
    seed: int = 0,
) -> tuple[np.ndarray, np.ndarray, float] | None:
    """Swap local search for the capacitated p-median, every move judged by an exact assignment.

    Starts from ``start`` (default: FasterPAM medians), tries swapping each median with its
    cluster's best alternative centre (the member minimising the sum of distances to the other
    members, then the nearest non-medians), keeps any improvement, and stops at a local optimum
    or after ``time_budget`` seconds. Returns (sorted medians, assignment, cost) or None when
    ``p * capacity < n``.
    """
    n = distances.shape[0]
    if p * capacity < n:
        return None
    t0 = time.perf_counter()
    if start is None:
        start, _ = fasterpam_best(distances, p, restarts=2, seed=seed, time_budget=time_budget / 4)
    medians = np.sort(np.asarray(start, dtype=np.int64))
    best = capacitated_assignment(distances, medians, capacity)
    assert best is not None
    assign, cost = best
    improved = True
    while improved and time.perf_counter() - t0 < time_budget:
        improved = False
        for pos in range(p):
            members = np.flatnonzero(assign == medians[pos])
            within = distances[np.ix_(members, members)].sum(axis=0)
            order = members[np.argsort(within, kind="stable")]
            near = np.argsort(distances[medians[pos]], kind="stable")
            tries = [c for c in list(order[:3]) + list(near[:6]) if c not in set(medians)]
            for cand in tries:
                trial = medians.copy()
                trial[pos] = cand
                trial.sort()
                result = capacitated_assignment(distances, trial, capacity)
                if result is not None and result[1] < cost - 1e-9:
                    medians, (assign, cost) = trial, result
                    improved = True
                    break
            if time.perf_counter() - t0 > time_budget:
                break
    return medians, assign, cost
