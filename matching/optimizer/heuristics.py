"""Plans without a solver: greedy lighthouses, min-cost-flow assignment, repair of shared lighthouses."""

from __future__ import annotations

import numpy as np
from ortools.graph.python import min_cost_flow

from matching.optimizer.costs import COST_SCALE
from matching.optimizer.model import Spec
from matching.optimizer.params import PlanParams


def repair(spec: Spec, params: PlanParams,
            plans: dict[str, tuple[set[int], dict[int, int]]]) -> bool | None:
    """Make the lighthouses of the domains disjoint, in place: a municipality chosen in several
    domains stays where it has most followers (or is pinned); elsewhere it is replaced by the
    unused candidate that gives the cheapest assignment (min-cost flow). Returns whether
    anything changed, or None when no replacement fits."""
    changed = False
    for _ in range(len(spec.domains) * 10):
        owner: dict[int, list[str]] = {}
        for d, (lights, _f) in plans.items():
            for lh in lights:
                owner.setdefault(lh, []).append(d)
        contested = [(lh, ds) for lh, ds in owner.items() if len(ds) > 1]
        if not contested:
            return changed
        lh, ds = contested[0]
        pinned_in = [d for d in ds if lh in spec.pinned[d]]
        keep = pinned_in[0] if pinned_in else max(
            ds, key=lambda d: sum(1 for x in plans[d][1].values() if x == lh))
        d = next(x for x in ds if x != keep)
        if lh in spec.pinned[d]:
            return None
        part, cand = spec.parts[d], spec.cand[d]
        cost = np.where(spec.allowed(d, "none"), spec.cost[d][np.ix_(part, cand)], np.inf)
        used = set(owner)
        others = [c for c in plans[d][0] if c != lh]
        best = None
        for alt in cand:
            if int(alt) in used:
                continue
            picked = set(others) | {int(alt)}
            chosen = [int(np.flatnonzero(cand == c)[0]) for c in picked]
            follow = assign(spec, params, cost, chosen, picked, d)
            if len(follow) + len(picked) != len(part):
                continue
            counts = {c: 0 for c in picked}
            for x in follow.values():
                counts[x] += 1
            if min(counts.values()) < params.min_followers:
                continue
            total = sum(spec.cost[d][f, x] for f, x in follow.items())
            if best is None or total < best[0]:
                best = (total, picked, follow)
        if best is None:
            return None
        plans[d] = (best[1], best[2])
        changed = True
    return None


def greedy_plan(spec: Spec, params: PlanParams, domains: tuple[str, ...],
            scope: str = "joint") -> dict[str, tuple[set[int], dict[int, int]]]:
    """Greedy plan: per domain add the lighthouse that lowers the cheapest-lighthouse cost most
    (keeping lighthouses to one domain when asked), then assign followers by a min-cost flow
    under the follower capacity. Returns domain -> (lighthouses, follower -> lighthouse)."""
    used: set[int] = set()
    plans: dict[str, tuple[set[int], dict[int, int]]] = {}
    for d in domains:
        part, cand = spec.parts[d], spec.cand[d]
        mask = spec.allowed(d, scope)
        cost = np.where(mask, spec.cost[d][np.ix_(part, cand)], np.inf)
        banned = spec.banned(d, scope)
        pins = [int(np.flatnonzero(cand == lh)[0]) for lh in spec.pinned[d]]
        blocked = {col for col, c in enumerate(cand) if int(c) in banned
                   or (params.one_domain_per_lighthouse and int(c) in used)}
        options = [greedy_pick(cost, pins, blocked, spec.kmin[d])]
        if d in spec.lp:
            y_lp = spec.lp[d][4]
            k = min(spec.kmax[d], max(spec.kmin[d], int(round(float(y_lp.sum())))))
            ranked = [c for c in np.argsort(-y_lp, kind="stable") if c not in blocked
                      and c not in pins]
            options.append(pins + ranked[: max(0, k - len(pins))])
        best_plan, best_cost = (set(), {}), np.inf
        for chosen in options:
            picked = {int(cand[c]) for c in chosen}
            follow = assign(spec, params, cost, chosen, picked, d) if chosen else {}
            total = sum(spec.cost[d][f, lh] for f, lh in follow.items()) \
                + params.costs.lighthouse_fixed * len(picked)
            if len(follow) + len(picked) == len(part) and total < best_cost:
                best_plan, best_cost = (picked, follow), total
        if not np.isfinite(best_cost):
            chosen = options[0]
            best_plan = ({int(cand[c]) for c in chosen}, {})
        picked = best_plan[0]
        used |= picked
        plans[d] = best_plan
    return plans


def greedy_pick(cost: np.ndarray, chosen: list[int], blocked: set[int], k: int) -> list[int]:
    """Add the column that lowers the total cheapest cost most until there are k."""
    chosen = list(chosen)
    served = cost[:, chosen].min(axis=1) if chosen else np.full(cost.shape[0], 1e12)
    while len(chosen) < k:
        gain = np.minimum(served[:, None], cost).sum(axis=0)
        for col in set(chosen) | blocked:
            gain[col] = np.inf
        best = int(np.argmin(gain))
        if not np.isfinite(gain[best]):
            break
        chosen.append(best)
        served = np.minimum(served, cost[:, best])
    return chosen


def greedy_plan_cost(spec: Spec, params: PlanParams,
                 plans: dict[str, tuple[set[int], dict[int, int]]]) -> float | None:
    """Cost in points of a greedy plan, or None when it leaves someone out or breaks a limit."""
    total = 0.0
    for d, (picked, follow) in plans.items():
        if len(picked) < spec.kmin[d] or len(follow) + len(picked) != len(spec.parts[d]):
            return None
        counts = {lh: 0 for lh in picked}
        for f, lh in follow.items():
            counts[lh] += 1
            total += spec.cost[d][f, lh]
        if counts and min(counts.values()) < params.min_followers:
            return None
        if spec.overloaded(picked, follow):
            return None
        total += params.costs.lighthouse_fixed * len(picked)
    return total


def assign(spec: Spec, params: PlanParams, cost: np.ndarray, chosen: list[int],
           picked: set[int], d: str) -> dict[int, int]:
    """Followers to the chosen lighthouses: the exact min-cost flow under the follower count;
    under a demand cap (``max_load``) the flow's plan when it fits, else a regret greedy."""
    part, cand = spec.parts[d], spec.cand[d]
    follow = flow_assignment(cost, part, cand, chosen, picked, params.max_followers)
    if spec.load is None or not follow or not spec.overloaded(picked, follow):
        return follow
    return load_assignment(spec, params, cost, chosen, picked, d)


def load_assignment(spec: Spec, params: PlanParams, cost: np.ndarray, chosen: list[int],
                    picked: set[int], d: str) -> dict[int, int]:
    """Regret greedy under the demand cap: followers in order of decreasing regret (second
    cheapest minus cheapest lighthouse) go to their cheapest lighthouse with room left. Empty
    when someone does not fit."""
    part, cand = spec.parts[d], spec.cand[d]
    room = {int(cand[c]): params.max_load - int(spec.load[int(cand[c])]) for c in chosen}
    count = dict.fromkeys(room, 0)
    cap = params.max_followers if params.max_followers is not None else len(part)
    rows = [r for r in range(len(part)) if int(part[r]) not in picked]
    sub = cost[np.ix_(rows, chosen)]
    ordered = np.sort(sub, axis=1)
    regret = ordered[:, 1] - ordered[:, 0] if len(chosen) > 1 else np.zeros(len(rows))
    follow: dict[int, int] = {}
    for k in np.argsort(-np.where(np.isfinite(regret), regret, 1e18), kind="stable"):
        f = int(part[rows[k]])
        for c in np.argsort(sub[k], kind="stable"):
            lh = int(cand[chosen[c]])
            if np.isfinite(sub[k, c]) and room[lh] >= spec.load[f] and count[lh] < cap:
                follow[f] = lh
                room[lh] -= int(spec.load[f])
                count[lh] += 1
                break
        else:
            return {}
    return follow


def flow_assignment(cost: np.ndarray, part: np.ndarray, cand: np.ndarray, chosen: list[int],
                     picked: set[int], max_followers: int | None) -> dict[int, int]:
    """Cheapest assignment of the non-lighthouse participants to the chosen lighthouses under
    the follower capacity (min-cost flow; costs in hundredths of a point). Empty when the
    capacity or the allowed pairs cannot take everyone."""
    rows = [r for r in range(len(part)) if int(part[r]) not in picked]
    if not rows:
        return {}
    sub = cost[np.ix_(rows, chosen)]
    rr, cc = np.nonzero(np.isfinite(sub))
    flow = min_cost_flow.SimpleMinCostFlow()
    nr, nc = len(rows), len(chosen)
    arcs = flow.add_arcs_with_capacity_and_unit_cost(
        rr, nr + cc, np.ones(len(rr), dtype=np.int64),
        np.rint(sub[rr, cc] * COST_SCALE).astype(np.int64))
    cap = max_followers if max_followers is not None else nr
    flow.add_arcs_with_capacity_and_unit_cost(
        nr + np.arange(nc), np.full(nc, nr + nc), np.full(nc, cap, dtype=np.int64),
        np.zeros(nc, dtype=np.int64))
    supplies = np.zeros(nr + nc + 1, dtype=np.int64)
    supplies[:nr] = 1
    supplies[-1] = -nr
    flow.set_nodes_supplies(np.arange(nr + nc + 1), supplies)
    if flow.solve() != flow.OPTIMAL:
        return {}
    used = flow.flows(arcs) > 0
    return {int(part[rows[r]]): int(cand[chosen[c]]) for r, c in zip(rr[used], cc[used], strict=True)}
