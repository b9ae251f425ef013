"""Fast p-median heuristics: the warm start and the baseline of the exact solvers.

The uncapacitated heuristic is FasterPAM (Schubert & Rousseeuw 2021), our own NumPy version of its
eager swap search (the ``kmedoids`` package stays a benchmark-only baseline), from several random
starts plus one BUILD start; it returns a swap-optimal set of medians. Costs are whatever unit the
matrix holds (km, or OR-Library edge units).
"""

from __future__ import annotations

import time

import numpy as np

#: Candidates whose swaps FasterPAM evaluates in one vectorised step.
_BLOCK = 32


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
        start_set = _pad(diss, np.zeros(0, dtype=np.int64), p) if init == "build" else \
            np.random.default_rng(seed + run).choice(n, p, replace=False)
        medians = np.sort(fasterpam(diss, start_set))
        cost = pmedian_cost(distances, medians)
        if cost < best_cost:
            best_cost, best_medians = cost, medians
        if time.perf_counter() - start > time_budget:
            break
    assert best_medians is not None
    return best_medians, best_cost


def fasterpam(distances: np.ndarray, start: np.ndarray, max_passes: int = 100) -> np.ndarray:
    """FasterPAM's eager swap search (Schubert & Rousseeuw 2021, Algorithm 2), vectorised over
    the points: for each non-median c in turn, the change of the total cost for swapping c with
    every median at once (from each point's nearest and second-nearest median), and the best
    improving swap is made at once. Stops when a full pass finds no improvement. Returns the
    medians (a swap-optimal set)."""
    d = distances
    n = d.shape[0]
    medians = np.array(start, dtype=np.int64)
    p = len(medians)
    if p >= n or p == 0:
        return medians
    rows = np.arange(n)

    def nearest_two(at: np.ndarray) -> tuple[np.ndarray, ...]:
        """Slots of the nearest and second-nearest median of the points ``at``, and their costs."""
        sub = d[np.ix_(at, medians)]
        if p == 1:
            zero = np.zeros(len(at), dtype=np.int64)
            return zero, zero, sub[:, 0], np.full(len(at), np.inf)
        two = np.argpartition(sub, 1, axis=1)[:, :2]
        r = np.arange(len(at))
        a, b = sub[r, two[:, 0]], sub[r, two[:, 1]]
        swap = a > b
        first = np.where(swap, two[:, 1], two[:, 0])
        second = np.where(swap, two[:, 0], two[:, 1])
        return first, second, np.minimum(a, b), np.maximum(a, b)

    near, second, dn, ds = nearest_two(rows)
    dt = np.ascontiguousarray(d.T)  # dt[c] = the cost of every point served by c
    is_median = np.zeros(n, dtype=bool)
    is_median[medians] = True
    eps = 1e-9 * max(1.0, float(dn.sum()))
    since = 0  # candidates looked at since the last improving swap
    c0 = 0
    while since < n and max_passes > 0:
        # a block of candidates evaluated at once; the first improving swap in order is made
        block = (c0 + np.arange(min(_BLOCK, n))) % n
        block = block[~is_median[block]]
        span = min(_BLOCK, n)
        if len(block):
            dc = dt[block]  # (B, n)
            closer = dc < dn
            weights = np.where(closer, 0.0, np.minimum(dc, ds) - dn)
            keys = (near[None, :] + p * np.arange(len(block))[:, None]).ravel()
            delta = np.bincount(keys, weights=weights.ravel(), minlength=p * len(block))
            total = delta.reshape(len(block), p) + np.where(closer, dc - dn, 0.0).sum(axis=1)[:, None]
            best = total.min(axis=1)
            hits = np.flatnonzero(best < -eps)
            if len(hits):
                k = int(hits[0])
                c, slot = int(block[k]), int(np.argmin(total[k]))
                is_median[medians[slot]] = False
                medians[slot] = c
                is_median[c] = True
                col = dt[c]
                # only the points that lost their nearest or second median need a full look
                lost = (near == slot) | (second == slot)
                keep = ~lost
                up1 = keep & (col < dn)
                up2 = keep & ~up1 & (col < ds)
                second[up1], ds[up1] = near[up1], dn[up1]
                near[up1], dn[up1] = slot, col[up1]
                second[up2], ds[up2] = slot, col[up2]
                at = np.flatnonzero(lost)
                if len(at):
                    near[at], second[at], dn[at], ds[at] = nearest_two(at)
                span = int((c - c0) % n) + 1
                since = 0
                c0 = (c + 1) % n
                continue
        since += span
        if c0 + span >= n:
            max_passes -= 1
        c0 = (c0 + span) % n
    return medians


def _pad(distances: np.ndarray, medians: np.ndarray, p: int) -> np.ndarray:
    """Add greedy medians until there are ``p`` (BUILD stops early when zero costs tie)."""
    medians = list(medians)
    while len(medians) < p:
        served = distances[:, medians].min(axis=1) if medians else np.full(len(distances), np.inf)
        gain = np.minimum(served[:, None], distances).sum(axis=0).astype(np.float64)
        gain[medians] = np.inf
        medians.append(int(np.argmin(gain)))
    return np.sort(np.asarray(medians, dtype=np.int64))
