"""LP bounds and reduced-cost fixing: the per-domain LP relaxation (HiGHS) and what it excludes."""

from __future__ import annotations

import functools
import threading
import time

import numpy as np
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from matching.optimizer.heuristics import greedy_plan, greedy_plan_cost
from matching.optimizer.model import Spec
from matching.optimizer.params import PlanParams
from matching.optimizer.threads import Cancelled, interruptible


def domain_lp(spec: Spec, params: PlanParams, d: str, deadline: float,
              cancel: threading.Event | None = None) -> tuple[float, np.ndarray, np.ndarray, np.ndarray,
                                        np.ndarray] | None:
    """LP relaxation of one domain alone (HiGHS): a lower bound valid for any duals, the
    reduced costs of every allowed pair (participants x candidates) and of every candidate, and
    the LP's lighthouse values.

    Rows: each participant served once (eq.); x_fl <= y_l; followers <= max_followers * y_l;
    demand of the followers <= (max_load - demand of l) * y_l;
    followers >= min_followers * y_l; kmin <= sum y <= kmax. Returns (bound, pair mask,
    pair reduced costs, candidate reduced costs, y) or None when out of time.

    Column generation: the LP starts from each participant's nearest candidates; a missing pair
    whose reduced cost (its x_fl <= y_l row has dual 0) is negative is added, until none is.
    The bound counts every missing pair's negative reduced cost, so it is valid at every round.
    """
    part, cand = spec.part, spec.cand[d]
    np_, nc = len(part), len(cand)
    mask = spec.allowed(d, "none")
    is_self = part[:, None] == cand[None, :]
    allowed = mask & ~is_self
    cost = spec.cost[d][np.ix_(part, cand)]
    k = min(nc, max(10, (3 * np_) // max(1, spec.kmax[d])))
    near = np.argsort(np.where(allowed, cost, np.inf), axis=1, kind="stable")[:, :k]
    active = np.zeros_like(allowed)
    active[np.repeat(np.arange(np_), k), near.ravel()] = True
    active &= allowed
    q = spec.load[part].astype(float) if spec.load is not None else None
    while True:
        try:
            solved = interruptible(functools.partial(_restricted_lp, spec, params, d,
                                                     active.copy(), is_self, cost, q, deadline),
                                   cancel)
        except Cancelled:
            return None
        if solved is None:
            return None
        bound, rc_x, rc_y, y, (lam_eq, per_cand) = solved
        rc_all = cost - lam_eq[:, None] - per_cand(np.arange(np_))
        missing = allowed & ~active
        bound += float(np.minimum(rc_all[missing], 0.0).sum())
        add = missing & (rc_all < -1e-9)
        if not add.any():
            break
        active |= add
    pair_rc = np.where(allowed, rc_all, np.inf)
    pair_rc[active] = rc_x
    return bound, allowed, pair_rc, rc_y, y


def _restricted_lp(spec: Spec, params: PlanParams, d: str, active: np.ndarray,
                   is_self: np.ndarray, cost: np.ndarray, q: np.ndarray | None,
                   deadline: float):
    """The LP of :func:`domain_lp` over the ``active`` pairs. Returns (bound over these
    columns, reduced costs of the active pairs in row-major order, of the candidates, the
    LP's y, (assignment duals, a function giving each participant row's capacity-row terms per
    candidate)) or None when out of time."""
    part, cand = spec.part, spec.cand[d]
    np_, nc = len(part), len(cand)
    ii, jj = np.nonzero(active)
    nx = len(ii)
    ncol = nc + nx
    xcol = nc + np.arange(nx)
    self_rows, self_cols = np.nonzero(is_self)
    a_eq = csr_matrix((np.ones(nx + len(self_rows)),
                       (np.concatenate([ii, self_rows]), np.concatenate([xcol, self_cols]))),
                      shape=(np_, ncol))
    blocks = [csr_matrix((np.concatenate([np.ones(nx), -np.ones(nx)]),
                          (np.tile(np.arange(nx), 2), np.concatenate([xcol, jj]))),
                         shape=(nx, ncol))]
    rhs = [np.zeros(nx)]
    per_cand_rows = []  # (offset of the block's rows, coefficient of x_fl per participant f)

    def cand_rows(coef_x: np.ndarray, coef_y: np.ndarray, per_part: np.ndarray) -> None:
        per_cand_rows.append((sum(len(r) for r in rhs), per_part))
        blocks.append(csr_matrix((np.concatenate([coef_x, coef_y]),
                                  (np.concatenate([jj, np.arange(nc)]),
                                   np.concatenate([xcol, np.arange(nc)]))), shape=(nc, ncol)))
        rhs.append(np.zeros(nc))

    if params.max_followers is not None:
        cand_rows(np.ones(nx), np.full(nc, -params.max_followers, dtype=float), np.ones(np_))
    if q is not None:  # demand carried <= (max_load - own demand) * y_l
        cand_rows(q[ii], -(params.max_load - spec.load[cand].astype(float)), q)
    if params.min_followers > 0:
        cand_rows(-np.ones(nx), np.full(nc, params.min_followers, dtype=float), -np.ones(np_))
    ones = csr_matrix((np.ones(nc), (np.zeros(nc, dtype=np.int64), np.arange(nc))),
                      shape=(1, ncol))
    blocks += [ones, -ones]
    rhs += [np.array([spec.kmax[d]], dtype=float), np.array([-spec.kmin[d]], dtype=float)]
    a_ub = vstack(blocks).tocsr()
    b_ub = np.concatenate(rhs)
    b_eq = np.ones(np_)
    c = np.concatenate([np.full(nc, params.costs.lighthouse_fixed), cost[ii, jj]])
    lb = np.zeros(ncol)
    ub = np.ones(ncol)
    for lh in spec.pinned[d]:
        lb[int(np.flatnonzero(cand == lh)[0])] = 1.0
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
    bound = float(lam_eq @ b_eq + lam_ub @ b_ub
                  + np.where(rc > 0, rc * lb, rc * ub).sum())

    def per_cand(rows: np.ndarray) -> np.ndarray:
        """Sum over the per-candidate rows of (coefficient of x_fl) * (row dual), (f x l)."""
        total = np.zeros((len(rows), nc))
        for offset, per_part in per_cand_rows:
            total += per_part[rows][:, None] * lam_ub[offset:offset + nc][None, :]
        return total

    return bound, rc[nc:], rc[:nc], res.x[:nc], (lam_eq, per_cand)


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
