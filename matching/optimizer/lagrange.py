"""Branch and bound with Lagrangian bounds for the uncapacitated p-median with few medians."""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np

if TYPE_CHECKING:
    from matching.optimizer.radius import _Clock


def lagrangian_bnb(
    distances: np.ndarray, p: int, start: np.ndarray, ub: float, step: float, margin: float,
    clock: _Clock, budget: float,
    root_iters: int = 400, node_iters: int = 40,
) -> tuple[np.ndarray, float, float, bool, int]:
    """Branch and bound on the medians with Lagrangian bounds (assignment rows relaxed).

    For multipliers v (one per client) and rho_j = sum_i max(0, v_i - d_ij), every set S of p
    medians costs at least sum_i v_i - sum_{j in S} rho_j, so with the forced-open medians IN and
    the k best free ones the node bound is sum v - rho(IN) - top_k(rho(free)); it holds for any
    v, which subgradient steps (warm-started from the parent) only make tighter. The same
    numbers fix free medians out (or in) when swapping them for the k-th (k+1-th) best lifts the
    bound above the cutoff. Branching opens, then closes, the top median closest to the
    boundary. Returns (best medians, cost, proven lower bound, finished, nodes).
    """
    t_end = clock.elapsed() + budget
    d = np.asarray(distances, dtype=np.float64)
    m = d.shape[1]
    best = np.sort(np.asarray(start, dtype=np.int64))
    best_cost = ub
    v0 = d[:, best].min(axis=1)
    # stack entries: (forced in, forced out, multipliers, iterations, bound of the parent)
    stack = [(np.zeros(m, dtype=bool), np.zeros(m, dtype=bool), v0, root_iters, -np.inf)]
    nodes = 0
    while stack:
        clock.check()
        if clock.elapsed() > t_end:
            low = min([best_cost] + [entry[4] for entry in stack])
            return best, best_cost, low, False, nodes
        inm, outm, v, iters, _ = stack.pop()
        nodes += 1
        k = p - int(inm.sum())
        free = ~inm & ~outm
        nfree = int(free.sum())
        if k < 0 or nfree < k:
            continue
        if k == 0 or nfree == k:
            chosen = np.flatnonzero(inm | free if nfree == k else inm)
            cost = d[:, chosen].min(axis=1).sum()
            if cost < best_cost - 1e-9:
                best_cost, best = cost, chosen
            continue
        cols = np.flatnonzero(~outm)
        dc = d[:, cols]
        inc = inm[cols]
        fidx = np.flatnonzero(free[cols])
        in_idx = np.flatnonzero(inc)
        theta, best_l, best_v, stall = 1.0, -np.inf, v, 0
        pruned = False
        for it in range(iters):
            rho = np.maximum(v[:, None] - dc, 0.0).sum(axis=0)
            rf = rho[fidx]
            top = fidx[np.argpartition(-rf, k - 1)[:k]] if k < len(fidx) else fidx
            bound = v.sum() - rho[in_idx].sum() - rho[top].sum()
            if bound > best_l + 1e-9:
                best_l, best_v, stall = bound, v, 0
            else:
                stall += 1
                if stall >= 5:
                    theta, stall = theta * 0.5, 0
            if bound > best_cost - step + margin:
                pruned = True
                break
            chosen = np.concatenate([in_idx, top])
            if it % 10 == 0:
                cost = dc[:, chosen].min(axis=1).sum()
                if cost < best_cost - 1e-9:
                    best_cost, best = cost, np.sort(cols[chosen])
            g = 1.0 - (dc[:, chosen] < v[:, None]).sum(axis=1)
            norm = float(g @ g)
            if norm == 0 or theta < 1e-3:
                break
            v = v + theta * (best_cost - bound) / norm * g
        if pruned:
            continue
        v = best_v
        cutoff = best_cost - step + margin
        rho = np.maximum(v[:, None] - dc, 0.0).sum(axis=0)
        order = fidx[np.argsort(-rho[fidx], kind="stable")]
        top = order[:k]
        bound = v.sum() - rho[in_idx].sum() - rho[top].sum()
        if bound > cutoff:
            continue
        rk = rho[order[k - 1]]
        rk1 = rho[order[k]] if len(order) > k else -np.inf
        rest = order[k:]
        new_in, new_out = inm.copy(), outm.copy()
        new_out[cols[rest[bound + rk - rho[rest] > cutoff]]] = True
        new_in[cols[top[bound + rho[top] - rk1 > cutoff]]] = True
        if (new_in != inm).any() or (new_out != outm).any():
            stack.append((new_in, new_out, v, node_iters, bound))
            continue
        j = cols[top[np.argmin(rho[top] - rk1)]]
        closed_in, closed_out = new_in.copy(), new_out.copy()
        closed_out[j] = True
        opened_in = new_in.copy()
        opened_in[j] = True
        stack.append((closed_in, closed_out, v, node_iters, bound))
        stack.append((opened_in, new_out, v, node_iters, bound))
    return best, best_cost, best_cost, True, nodes


