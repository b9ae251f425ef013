"""LP bounds and reduced-cost fixing: the per-domain LP relaxation (HiGHS) and what it excludes."""

from __future__ import annotations

import functools
import threading
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from matching.optimizer.heuristics import greedy_plan, greedy_plan_cost
from matching.optimizer.model import Spec
from matching.optimizer.params import PlanParams
from matching.optimizer.threads import Cancelled, interruptible

#: Candidates per participant the column generation of :func:`lp_relaxation` starts from.
START_PAIRS = 15


def domain_lp(spec: Spec, params: PlanParams, d: str, deadline: float,
              cancel: threading.Event | None = None) -> tuple[float, np.ndarray, np.ndarray,
                                                              np.ndarray, np.ndarray] | None:
    """:func:`lp_relaxation` of domain d alone: (bound, pair mask, pair reduced costs,
    candidate reduced costs, y) or None when out of time or cancelled."""
    solved = lp_relaxation(spec, params, (d,), deadline, cancel)
    return None if solved is None else (solved[0], *solved[1][d])


def lp_relaxation(spec: Spec, params: PlanParams, domains: tuple[str, ...], deadline: float,
                  cancel: threading.Event | None = None
                  ) -> tuple[float, dict[str, tuple[np.ndarray, ...]]] | None:
    """LP relaxation of ``domains`` together (HiGHS), coupled by one domain per lighthouse
    when asked: a lower bound valid for any duals and, per domain, the mask of allowed pairs
    (participants x candidates), their reduced costs, the candidates' reduced costs and the
    LP's y. None when out of time or cancelled.

    Rows per domain: each participant served once (eq.); x_fl <= y_l; followers <=
    max_followers * y_l; demand of the followers <= (max_load - demand of l) * y_l; followers
    >= min_followers * y_l; kmin <= sum y <= kmax; and sum_d y_dl <= 1 across the domains.

    Column generation: the LP starts from each participant's nearest candidates; a missing pair
    whose reduced cost (its x_fl <= y_l row has dual 0) is negative is added, until none is.
    The bound counts every missing pair's negative reduced cost, so it is valid at every round.
    """
    info = {}
    for d in domains:
        part, cand = spec.parts[d], spec.cand[d]
        np_ = len(part)
        is_self = part[:, None] == cand[None, :]
        allowed = spec.allowed(d, "none") & ~is_self
        cost = spec.cost[d][np.ix_(part, cand)]
        k = min(len(cand), START_PAIRS)
        near = np.argsort(np.where(allowed, cost, np.inf), axis=1, kind="stable")[:, :k]
        active = np.zeros_like(allowed)
        active[np.repeat(np.arange(np_), k), near.ravel()] = True
        info[d] = (is_self, allowed, cost, active & allowed)
    while True:
        actives = {d: info[d][3].copy() for d in domains}
        try:
            solved = interruptible(functools.partial(_restricted_lp, spec, params, domains,
                                                     info, actives, deadline), cancel)
        except Cancelled:
            return None
        if solved is None:
            return None
        bound, per_domain = solved
        grown = False
        out = {}
        for d in domains:
            is_self, allowed, cost, active = info[d]
            rc_x, rc_y, y, lam_eq, per_cand = per_domain[d]
            rc_all = cost - lam_eq[:, None] - per_cand
            missing = allowed & ~active
            bound += float(np.minimum(rc_all[missing], 0.0).sum())
            add = missing & (rc_all < -1e-9)
            if add.any():
                active |= add
                grown = True
            pair_rc = np.where(allowed, rc_all, np.inf)
            pair_rc[active & ~add] = rc_x
            out[d] = (allowed, pair_rc, rc_y, y)
        if not grown:
            return bound, out


def _restricted_lp(spec: Spec, params: PlanParams, domains: tuple[str, ...], info: dict,
                   actives: dict[str, np.ndarray], deadline: float):
    """The LP of :func:`lp_relaxation` over the ``actives`` pairs. Returns (bound over these
    columns, per domain (reduced costs of the active pairs in row-major order, of the
    candidates, the LP's y, the assignment duals, the capacity-row terms of every
    (participant, candidate) pair)) or None when out of time."""
    cols = 0
    eq_rows, ub_rows, ub_rhs, costs, lbs = [], [], [], [], []
    layout = {}
    eq_start = {}  # domain -> its first equality row (one row per participant of the domain)
    n_eq = 0
    for d in domains:
        part, cand = spec.parts[d], spec.cand[d]
        np_ = len(part)
        eq_start[d], n_eq = n_eq, n_eq + np_
        q = spec.load[part].astype(float) if spec.load is not None else None
        nc = len(cand)
        is_self = info[d][0]
        ii, jj = np.nonzero(actives[d])
        nx = len(ii)
        ycol = cols + np.arange(nc)
        xcol = cols + nc + np.arange(nx)
        cols += nc + nx
        self_rows, self_cols = np.nonzero(is_self)
        eq_rows.append((np.concatenate([ii, self_rows]), np.concatenate([xcol, ycol[self_cols]]),
                        np.ones(nx + len(self_rows))))
        r0 = sum(len(r) for r in ub_rhs)
        rows, colz, vals = [np.arange(nx) + r0, np.arange(nx) + r0], [xcol, ycol[jj]], \
            [np.ones(nx), -np.ones(nx)]
        ub_rhs.append(np.zeros(nx))
        r0 += nx
        per_cand_rows = []
        specs = []
        if params.max_followers is not None:
            specs.append((np.ones(nx), np.full(nc, -params.max_followers, dtype=float),
                          np.ones(np_)))
        if q is not None:  # demand carried <= (max_load - own demand) * y_l
            specs.append((q[ii], -(params.max_load - spec.load[cand].astype(float)), q))
        if params.min_followers > 0:
            specs.append((-np.ones(nx), np.full(nc, params.min_followers, dtype=float),
                          -np.ones(np_)))
        for coef_x, coef_y, per_part in specs:
            per_cand_rows.append((r0, per_part))
            rows += [r0 + jj, r0 + np.arange(nc)]
            colz += [xcol, ycol]
            vals += [coef_x, coef_y]
            ub_rhs.append(np.zeros(nc))
            r0 += nc
        rows += [np.full(nc, r0), np.full(nc, r0 + 1)]
        colz += [ycol, ycol]
        vals += [np.ones(nc), -np.ones(nc)]
        ub_rhs.append(np.array([spec.kmax[d], -spec.kmin[d]], dtype=float))
        ub_rows.append((np.concatenate(rows), np.concatenate(colz), np.concatenate(vals)))
        costs += [np.full(nc, params.costs.lighthouse_fixed), info[d][2][ii, jj]]
        lb = np.zeros(nc + nx)
        for lh in spec.pinned[d]:
            lb[int(np.flatnonzero(cand == lh)[0])] = 1.0
        lbs.append(lb)
        layout[d] = (ycol, xcol, len(eq_rows) - 1, per_cand_rows)
    if params.one_domain_per_lighthouse and len(domains) > 1:
        r0 = sum(len(r) for r in ub_rhs)
        owners: dict[int, list[int]] = {}
        for d in domains:
            for k, c in enumerate(spec.cand[d]):
                owners.setdefault(int(c), []).append(int(layout[d][0][k]))
        shared = [ys for ys in owners.values() if len(ys) > 1]
        if shared:
            ub_rows.append((np.concatenate([np.full(len(ys), r0 + t) for t, ys in
                                            enumerate(shared)]),
                            np.concatenate([np.array(ys) for ys in shared]),
                            np.ones(sum(len(ys) for ys in shared))))
            ub_rhs.append(np.ones(len(shared)))
    a_eq = csr_matrix((np.concatenate([v for _, _, v in eq_rows]),
                       (np.concatenate([r + eq_start[d] for d, (r, _, _) in
                                        zip(domains, eq_rows, strict=True)]),
                        np.concatenate([c for _, c, _ in eq_rows]))), shape=(n_eq, cols))
    b_ub = np.concatenate(ub_rhs)
    a_ub = csr_matrix((np.concatenate([v for _, _, v in ub_rows]),
                       (np.concatenate([r for r, _, _ in ub_rows]),
                        np.concatenate([c for _, c, _ in ub_rows]))), shape=(len(b_ub), cols))
    b_eq = np.ones(n_eq)
    c = np.concatenate(costs)
    lb = np.concatenate(lbs)
    ub = np.ones(cols)
    left = deadline - time.perf_counter()
    if left <= 0.2:
        return None
    res = linprog(c, A_ub=a_ub, b_ub=b_ub, A_eq=a_eq, b_eq=b_eq,
                  bounds=np.column_stack([lb, ub]), method="highs-ds",
                  options={"time_limit": left})
    if res.status != 0:
        return None
    lam_eq = res.eqlin.marginals
    lam_ub = np.minimum(res.ineqlin.marginals, 0.0)
    rc = c - a_eq.T @ lam_eq - a_ub.T @ lam_ub
    bound = float(lam_eq @ b_eq + lam_ub @ b_ub + np.where(rc > 0, rc * lb, rc * ub).sum())
    per_domain = {}
    for d in domains:
        ycol, xcol, _, per_cand_rows = layout[d]
        nc, np_ = len(ycol), len(spec.parts[d])
        terms = np.zeros((np_, nc))
        for offset, per_part in per_cand_rows:
            terms += per_part[:, None] * lam_ub[offset:offset + nc][None, :]
        per_domain[d] = (rc[xcol], rc[ycol], res.x[ycol],
                         lam_eq[eq_start[d]:eq_start[d] + np_], terms)
    return bound, per_domain


def lp_prune(spec: Spec, params: PlanParams, deadline: float,
              cancel: threading.Event | None = None) -> float | None:
    """Per-domain LP bounds (kept in ``spec.lp``), then :func:`prune` against the greedy plan.
    Returns the sum of the bounds (a lower bound of the whole plan) or None when out of time.
    ``cancel`` stops the wait for an LP within a second (see :mod:`.threads`)."""
    for d in spec.domains:
        if cancel is not None and cancel.is_set():
            break
        solved = domain_lp(spec, params, d, deadline, cancel)
        if solved is None:
            break
        spec.lp[d] = solved
    if len(spec.domains) > 1:
        for d in spec.lp:  # each domain alone, against its own greedy plan
            alone = greedy_plan_cost(spec, params, greedy_plan(spec, params, (d,), "none"))
            if alone is not None:
                keep, out = fix(spec, d, alone + 1e-6 * max(1.0, abs(alone)) + 1e-6)
                spec.pruned_alone[d], spec.banned_alone[d] = keep, out
    if len(spec.lp) != len(spec.domains):
        return None
    ub = greedy_plan_cost(spec, params, greedy_plan(spec, params, spec.domains, "none"))
    if ub is not None:
        prune(spec, ub)
    return sum(b[0] for b in spec.lp.values())


def prune(spec: Spec, ub: float) -> None:
    """Reduced-cost fixing against a plan of cost ``ub``: a plan at least as good costs at most
    ub - (sum of the other domains' LP bounds) in domain d, so a pair or lighthouse whose reduced
    cost lifts d's LP bound above that cannot be in it."""
    if len(spec.lp) != len(spec.domains):
        return
    floor = sum(b[0] for b in spec.lp.values())
    margin = 1e-6 * max(1.0, abs(ub)) + 1e-6
    for d, (bound, *_) in spec.lp.items():
        keep, out = fix(spec, d, ub - (floor - bound) + margin)
        spec.pruned[d] = keep if d not in spec.pruned else spec.pruned[d] & keep
        spec.lp_banned[d] = spec.lp_banned.get(d, set()) | out


def fix(spec: Spec, d: str, cutoff: float) -> tuple[np.ndarray, set[int]]:
    """Pairs to keep and lighthouses to drop when domain d may cost at most ``cutoff``."""
    bound, pairs, pair_rc, cand_rc, _ = spec.lp[d]
    keep = ~(pairs & (bound + pair_rc > cutoff))
    cand = spec.cand[d]
    out = {int(cand[k]) for k in np.flatnonzero((cand_rc > 0) & (bound + cand_rc > cutoff))
           if int(cand[k]) not in spec.pinned[d]}
    return keep, out
