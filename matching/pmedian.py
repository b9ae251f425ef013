"""Exact p-median solver on the radius formulation, and the OR-Library benchmark entry point.

Run ``python -m matching.pmedian PATH [--time-limit S] [--capacity C]`` on an OR-Library file
(see ``matching.orlib``); it prints one JSON line with objective, lower bound, gap, status,
medians (1-based vertex ids) and seconds. ``status`` is ``optimal`` only when optimality is
proven; otherwise ``feasible`` with the best solution found and a valid lower bound.

Uncapacitated: the radius formulation of García, Labbé & Marín (2011, "Solving large p-median
problems with a radius formulation", INFORMS Journal on Computing 23(4)) in its sparse chained
form (one row per client and distinct distance; Elloumi 2010 gives the same LP). For each client
only the distinct distances up to a client-specific radius are modelled; beyond that the cost is
cut off, which makes the model a relaxation. The solve runs in phases:

1. FasterPAM (``kmedoids``) gives an upper bound UB and per-client starting radii.
2. The LP relaxation on the truncated model is re-solved, widening the radius of every client
   whose LP cost was cut off, until the truncated LP equals the full LP (a proven lower bound).
3. Reduced-cost fixing against UB: a radius level (or a candidate) whose LP reduced cost pushes
   the bound above UB cannot occur in any better solution, so those clients get a closed radius
   ("served within r") and those candidates are fixed.
4. The reduced MIP is solved with OR-Tools (HiGHS by default); clients whose radius is still
   open and who end up served beyond it get a wider radius and the MIP is solved again, as in
   García et al.'s iterative scheme. The MIP only searches for solutions better than UB, so an
   infeasible MIP proves that the heuristic solution is optimal.

Capacitated (``capacity=C``): every median serves at most C vertices, itself included. Classic
assignment formulation with assignment variables only for the client-median pairs that the LP
reduced costs do not exclude; see ``solve_capacitated``.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from matching.heuristic import (
    capacitated_local_search,
    fasterpam_best,
    pmedian_cost,
)

#: Progress callback: (elapsed seconds, best objective or None, lower bound, relative gap).
ProgressCallback = Callable[[float, "float | None", float, float], None]

#: Seconds kept back from each phase's time limit for model building and the answer.
_RESERVE = 0.5
#: HiGHS stops at a 0.01 % relative gap by default, which is not a proof; ask for none.
_HIGHS_MIP = "mip_rel_gap=0"
#: The Lagrangian branch and bound runs first when p * this <= n (p up to a third of n): with
#: the whole time when p <= n / 10, else with 10 % of it before the radius pipeline (measured:
#: it wins clearly for small p, the LP pipeline for p near n / 3 on Euclidean instances).
_LAGRANGE_MAX_P_SHARE = 3
#: Up to this many client-candidate pairs, the MIP models every distance level (no widening).
_FULL_MODEL_PAIRS = 60_000
_STATUS_OK = (mbh.SolveStatus.OPTIMAL, mbh.SolveStatus.FEASIBLE)


@dataclass(frozen=True)
class PMedianResult:
    """Outcome of a p-median solve. Costs in the unit of the distance matrix."""

    status: str  # "optimal" (proven) | "feasible" | "infeasible"
    objective: float
    lower_bound: float
    medians: tuple[int, ...]  # 0-based vertex indices, sorted
    assignment: tuple[int, ...]  # per vertex, the median serving it
    seconds: float
    stats: dict = field(default_factory=dict, compare=False)

    @property
    def gap(self) -> float:
        """Relative gap (objective - lower_bound) / objective; 0 when proven optimal."""
        if self.status == "infeasible":
            return math.inf
        if self.objective == 0:
            return 0.0 if self.lower_bound >= 0 else math.inf
        return max(0.0, (self.objective - self.lower_bound) / abs(self.objective))

    def as_json(self) -> dict:
        """The benchmark line: 1-based medians, integers kept integral."""

        def num(x: float) -> float | int | None:
            if x is None or not math.isfinite(x):
                return None
            return int(round(x)) if float(x).is_integer() else float(x)

        return {
            "objective": num(self.objective),
            "lower_bound": num(self.lower_bound),
            "gap": round(self.gap, 9) if math.isfinite(self.gap) else None,
            "status": self.status,
            "medians": [m + 1 for m in self.medians],
            "seconds": round(self.seconds, 3),
        }


class _Stopped(Exception):
    """Raised internally when the caller's stop event is set."""


class _Clock:
    """Wall-clock budget shared by the phases of one solve."""

    def __init__(self, limit: float, stop: threading.Event | None) -> None:
        self.t0 = time.perf_counter()
        self.limit = limit
        self.stop = stop

    def elapsed(self) -> float:
        return time.perf_counter() - self.t0

    def left(self) -> float:
        return self.limit - self.elapsed()

    def check(self) -> None:
        if self.stop is not None and self.stop.is_set():
            raise _Stopped


def _is_integral(distances: np.ndarray) -> bool:
    if np.issubdtype(distances.dtype, np.integer):
        return True
    return bool(np.all(distances == np.round(distances)))


class _Levels:
    """Distinct distances per client, sorted: the "radii" of the radius formulation.

    ``order[i]`` lists candidates by distance from client ``i``; ``lev[i, t]`` is the level
    (0-based index among client i's distinct distances) of the t-th nearest candidate.
    """

    def __init__(self, distances: np.ndarray) -> None:
        self.n, self.m = distances.shape
        self.order = np.argsort(distances, axis=1, kind="stable")
        self.sd = np.take_along_axis(distances, self.order, axis=1).astype(np.float64)
        first = np.ones_like(self.sd, dtype=bool)
        first[:, 1:] = self.sd[:, 1:] > self.sd[:, :-1]
        self.lev = np.cumsum(first, axis=1) - 1
        self.vals = self.sd[first]
        counts = first.sum(axis=1)
        self.goff = np.concatenate([[0], np.cumsum(counts)[:-1]])
        self.top = counts - 1

    def level_at_most(self, dist: np.ndarray) -> np.ndarray:
        """Per client, the highest level whose distance is <= ``dist[i]`` (at least 0)."""
        pos = (self.sd <= dist[:, None] + 1e-9).sum(axis=1) - 1
        return self.lev[np.arange(self.n), np.maximum(pos, 0)]

    def level_at_least(self, dist: np.ndarray) -> np.ndarray:
        """Per client, the lowest level whose distance is >= ``dist[i]`` (at most the top)."""
        pos = np.minimum((self.sd < dist[:, None] - 1e-9).sum(axis=1), self.m - 1)
        return self.lev[np.arange(self.n), pos]

    def value(self, clients: np.ndarray, levels: np.ndarray) -> np.ndarray:
        return self.vals[self.goff[clients] + levels]


@dataclass
class _Model:
    """One truncated radius model in sparse form (columns: y for each vertex, then z)."""

    matrix: csr_matrix
    row_lb: np.ndarray
    row_ub: np.ndarray
    obj: np.ndarray
    col_lb: np.ndarray
    col_ub: np.ndarray
    const: float
    z_client: np.ndarray
    z_level: np.ndarray  # z column k of client i stands for "nothing open within < level value"
    m: int  # number of y columns (candidates)


def _build(levels: _Levels, p: int, top: np.ndarray, closed: np.ndarray,
           y_lb: np.ndarray, y_ub: np.ndarray) -> _Model:
    """The chained radius model with client i modelled up to level ``top[i]``.

    For client i with distinct distances v_0 < v_1 < ... and r = 1..top[i]:
    z_ir = 1 when no open median lies within v_{r-1}; cost v_0 + sum_r (v_r - v_{r-1}) z_ir;
    rows ``z_i1 + sum_{d_ij = v_0} y_j >= 1`` and ``z_ir - z_i,r-1 + sum_{d_ij = v_{r-1}} y_j >= 0``.
    A closed client also gets ``sum_{d_ij = v_top} y_j - z_i,top >= 0``: it is served within
    v_top. An open client's cost is cut off at v_top (relaxation).
    """
    n, m = levels.n, levels.m
    nrows_i = top + closed.astype(np.int64)
    rowoff = np.concatenate([[0], np.cumsum(nrows_i)[:-1]])
    nz = int(top.sum())
    zstart = np.concatenate([[0], np.cumsum(top)[:-1]])
    lev = levels.lev
    ii, tt = np.nonzero(lev < top[:, None])
    rows_y = rowoff[ii] + lev[ii, tt]
    cols_y = levels.order[ii, tt]
    ic, tc = np.nonzero((lev == top[:, None]) & closed[:, None])
    rows_c = rowoff[ic] + top[ic]
    cols_c = levels.order[ic, tc]
    z_client = np.repeat(np.arange(n), top)
    z_level = np.arange(nz) - zstart[z_client] + 1
    zcol = m + np.arange(nz)
    rows_zp = rowoff[z_client] + z_level - 1
    nxt = (z_level < top[z_client]) | closed[z_client]
    rows_zm = rowoff[z_client[nxt]] + z_level[nxt]
    card_row = int(nrows_i.sum())
    rows = np.concatenate([rows_y, rows_c, rows_zp, rows_zm, np.full(m, card_row)])
    cols = np.concatenate([cols_y, cols_c, zcol, zcol[nxt], np.arange(m)])
    data = np.concatenate([
        np.ones(len(rows_y) + len(rows_c) + nz), -np.ones(int(nxt.sum())), np.ones(m)
    ])
    matrix = csr_matrix((data, (rows, cols)), shape=(card_row + 1, m + nz))
    row_lb = np.zeros(card_row + 1)
    row_lb[rowoff] = 1.0
    row_lb[card_row] = p
    row_ub = np.full(card_row + 1, np.inf)
    row_ub[card_row] = p
    obj = np.zeros(m + nz)
    obj[zcol] = levels.value(z_client, z_level) - levels.value(z_client, z_level - 1)
    col_lb = np.concatenate([y_lb, np.zeros(nz)])
    # No upper bound on z: z <= 1 holds at every optimum anyway, and boxed z make the LP far
    # more degenerate for dual simplex (measured 4x slower).
    col_ub = np.concatenate([y_ub, np.full(nz, np.inf)])
    const = float(levels.vals[levels.goff].sum())
    return _Model(matrix, row_lb, row_ub, obj, col_lb, col_ub, const, z_client, z_level, m)


def _helper(model: _Model, integer: bool, all_integer: bool = False) -> mbh.ModelBuilderHelper:
    """OR-Tools model of ``model``; y integral for a MIP, z too when the solver needs it."""
    helper = mbh.ModelBuilderHelper()
    helper.fill_model_from_sparse_data(
        model.col_lb, model.col_ub, model.obj, model.row_lb, model.row_ub, model.matrix
    )
    if integer:
        count = model.matrix.shape[1] if all_integer else model.m
        for j in range(count):
            helper.set_var_integrality(j, True)
    return helper


def _run(helper: mbh.ModelBuilderHelper, solver: str, seconds: float,
         clock: _Clock, params: str = "") -> mbh.ModelSolverHelper:
    """Solve, interrupting the solver when the caller's stop event is set."""
    engine = mbh.ModelSolverHelper(solver)
    engine.set_time_limit_in_seconds(max(0.05, seconds))
    if solver == "highs":
        params = ",".join(x for x in ("output_flag=false", params) if x)
    if params:
        engine.set_solver_specific_parameters(params)
    watcher = None
    done = threading.Event()
    if clock.stop is not None:
        stop = clock.stop

        def watch() -> None:
            while not done.wait(0.05):
                if stop.is_set():
                    engine.interrupt_solve()
                    return

        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        engine.solve(helper)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    clock.check()
    return engine


def _solve_lp(model: _Model, clock: _Clock) -> tuple[np.ndarray, np.ndarray] | None:
    """LP relaxation with HiGHS dual simplex (through SciPy, which returns the row duals that
    OR-Tools' model builder does not expose for HiGHS). Returns (x, row duals) or None when out
    of time. Rows are ``row_lb <= A x <= row_ub`` with the cardinality row last."""
    card = model.matrix.shape[0] - 1
    a_ub = -model.matrix[:card]
    a_eq = model.matrix[card:]
    res = linprog(
        model.obj, A_ub=a_ub, b_ub=-model.row_lb[:card], A_eq=a_eq, b_eq=model.row_lb[card:],
        bounds=np.column_stack([model.col_lb, model.col_ub]), method="highs-ds",
        options={"time_limit": max(0.05, clock.left() - _RESERVE), "presolve": True},
    )
    clock.check()
    if res.status != 0:
        return None
    # SciPy's marginals are d(objective)/d(b_ub) <= 0 for A_ub x <= b_ub; our rows are the
    # negated ">=" rows, so their duals are the negated marginals.
    duals = np.concatenate([-res.ineqlin.marginals, res.eqlin.marginals])
    return res.x, duals


def _dual_bound(model: _Model, duals: np.ndarray) -> tuple[float, np.ndarray]:
    """A lower bound valid for every x in the model, and the reduced costs, from row duals.

    For any duals u with u >= 0 on the ">=" rows (the cardinality row is an equality, its dual
    is free): c.x = u.Ax + rc.x >= u.b + rc.x with rc = c - A'u. Minimising rc.x over the
    variable bounds [lb, ub] gives the bound. It holds whatever the LP solver's tolerances were,
    which is why fixing uses it and not the reported LP objective.
    """
    u = np.array(duals, dtype=np.float64)
    u[:-1] = np.maximum(u[:-1], 0.0)
    rc = model.obj - model.matrix.T @ u
    rhs = np.where(np.isfinite(model.row_lb), model.row_lb, 0.0)
    # Every 0/1 solution has z <= 1, so the bound may use ub = 1 for the unbounded z columns.
    upper = np.minimum(model.col_ub, 1.0)
    bound = float(u @ rhs) + float(np.where(rc > 0, rc * model.col_lb, rc * upper).sum())
    return bound + model.const, rc


def _lp_costs(levels: _Levels, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Full-model LP cost of each client for fractional ``y`` (fill nearest first), and the
    level at which the client's cumulated y reaches 1 (its LP radius)."""
    yy = y[levels.order]
    cum = np.cumsum(yy, axis=1)
    share = np.clip(np.minimum(yy, 1.0 - (cum - yy)), 0.0, None)
    cost = (levels.sd * share).sum(axis=1)
    reach = np.argmax(cum >= 1.0 - 1e-7, axis=1)
    return cost, levels.lev[np.arange(levels.n), reach]


def _modelled(model: _Model, x: np.ndarray, n: int) -> np.ndarray:
    """Per-client cost above the nearest distance, as the (truncated) model counts it."""
    m = model.m
    return np.bincount(model.z_client, weights=model.obj[m:] * x[m:], minlength=n)


def solve_pmedian(
    distances: np.ndarray,
    p: int,
    *,
    capacity: int | None = None,
    time_limit: float = 60.0,
    seed: int = 0,
    mip_solver: str = "highs",
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> PMedianResult:
    """Solve the p-median problem on a square cost matrix, to proven optimality if time allows.

    ``distances[i, j]`` is the cost of serving vertex i from median j (every vertex is both a
    client and a candidate; the diagonal is the cost of a median serving itself, normally 0).
    ``capacity`` limits the number of vertices a median serves, itself included.
    ``time_limit`` in seconds bounds the whole solve; ``stop`` (a ``threading.Event``) cancels
    it early, returning the best solution so far with status ``feasible``.
    """
    distances = np.asarray(distances)
    n = distances.shape[0]
    if distances.ndim != 2 or distances.shape[1] != n:
        raise ValueError("distances must be a square matrix")
    if not 1 <= p <= n:
        raise ValueError(f"p must be in 1..{n}, got {p}")
    clock = _Clock(time_limit, stop)
    if capacity is not None:
        if capacity < 1:
            raise ValueError("capacity must be at least 1")
        return _solve_capacitated(distances, p, capacity, clock, seed, mip_solver, on_progress)
    return _solve_uncapacitated(distances, p, clock, seed, mip_solver, on_progress)


def _lagrangian_bnb(
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


def _result(status: str, distances: np.ndarray, medians: np.ndarray, lower: float,
            clock: _Clock, integral: bool, **stats: object) -> PMedianResult:
    medians = np.sort(np.asarray(medians, dtype=np.int64))
    sub = distances[:, medians]
    assign = medians[np.argmin(sub, axis=1)]
    objective = float(sub.min(axis=1).sum())
    if integral:
        objective = float(round(objective))
        lower = float(math.ceil(lower - 1e-6))
    lower = min(lower, objective)
    if status == "optimal":
        lower = objective
    return PMedianResult(status, objective, lower, tuple(int(m) for m in medians),
                         tuple(int(a) for a in assign), clock.elapsed(), dict(stats))


def _solve_uncapacitated(distances: np.ndarray, p: int, clock: _Clock, seed: int,
                         mip_solver: str, on_progress: ProgressCallback | None) -> PMedianResult:
    n = distances.shape[0]
    integral = _is_integral(distances)
    stats: dict[str, object] = {}
    medians, ub = fasterpam_best(distances, p, restarts=20, seed=seed,
                                 time_budget=min(5.0, 0.05 * clock.limit))
    stats["heuristic"] = float(ub)
    stats["heuristic_seconds"] = round(clock.elapsed(), 3)
    lower = 0.0

    def report() -> None:
        if on_progress is not None:
            gap = (ub - lower) / ub if ub else 0.0
            on_progress(clock.elapsed(), float(ub), float(lower), max(0.0, gap))

    if p == n:
        return _result("optimal", distances, np.arange(n), float(ub), clock, integral, **stats)
    # We only look for solutions costing at most `cutoff` (strictly better than ub);
    # `margin` absorbs floating-point noise in the duals.
    step = 1.0 if integral else 1e-9 * max(1.0, abs(ub))
    margin = 1e-6 * max(1.0, abs(ub))
    if p * _LAGRANGE_MAX_P_SHARE <= n:
        # Few medians: Lagrangian branch and bound first (measured far faster than the MIP on
        # the degenerate radius LP); the radius pipeline gets the time it leaves.
        try:
            budget = clock.left() * (1.0 if p * 10 <= n else 0.1)
            found, cost, low, done, nodes = _lagrangian_bnb(
                distances, p, medians, float(ub), step, margin, clock, budget)
        except _Stopped:
            stats["stopped"] = True
            return _result("feasible", distances, medians, 0.0, clock, integral, **stats)
        stats["lagrange_nodes"] = nodes
        if cost < ub - 1e-9:
            medians, ub = found, cost
        if done:
            stats["lagrange_seconds"] = round(clock.elapsed(), 3)
            return _result("optimal", distances, medians, ub, clock, integral, **stats)
        if clock.left() <= _RESERVE + 1.0:
            stats["stopped"] = True
            return _result("feasible", distances, medians, low, clock, integral, **stats)
        lower = low
        report()
        step = 1.0 if integral else 1e-9 * max(1.0, abs(ub))
    cand = np.arange(n)  # candidates not excluded by reduced-cost fixing
    forced = np.zeros(n, dtype=bool)  # per candidate: open in every better solution
    rad = distances[:, medians].min(axis=1).astype(np.float64)  # modelled radius per client
    closed = np.zeros(n, dtype=bool)  # client served within rad[i] in every better solution
    levels = _Levels(distances)
    try:
        lp_rounds = 0
        while True:  # Phase 2 and 3: exact LP bound, fixing after every round.
            clock.check()
            if clock.left() <= _RESERVE:
                raise TimeoutError
            top = np.where(closed, levels.level_at_most(rad), levels.level_at_least(rad))
            model = _build(levels, p, top, closed, forced.astype(float), np.ones(len(cand)))
            solved = _solve_lp(model, clock)
            lp_rounds += 1
            if solved is None:
                raise TimeoutError
            x, duals = solved
            value, rc = _dual_bound(model, duals)
            lower = max(lower, min(value, ub))
            report()
            cutoff = ub - step
            if lower > cutoff + margin:
                stats.update(lp_rounds=lp_rounds, lp_bound=value)
                return _result("optimal", distances, medians, ub, clock, integral, **stats)
            m = len(cand)
            excess = value + np.abs(rc) - cutoff - margin
            zfix = (excess[m:] > 0) & (rc[m:] > 0)
            if zfix.any():
                first = np.full(n, np.iinfo(np.int64).max)
                np.minimum.at(first, model.z_client[zfix], model.z_level[zfix])
                hit = first < np.iinfo(np.int64).max
                newrad = levels.value(np.flatnonzero(hit), first[hit] - 1)
                rad[hit] = np.minimum(rad[hit], newrad)
                closed |= hit
            forced |= (rc[:m] < 0) & (excess[:m] > 0)
            keep = forced | ~((rc[:m] > 0) & (excess[:m] > 0))
            full, reach = _lp_costs(levels, x[:m])
            cut_off = full > levels.vals[levels.goff] + _modelled(model, x, n) + 1e-6 * (1 + full)
            widen = cut_off & ~closed
            rad = np.where(widen, np.maximum(rad, levels.value(np.arange(n), reach)), rad)
            if not keep.all():
                cand, forced = cand[keep], forced[keep]
                levels = _Levels(distances[:, cand])
            if not widen.any():
                break
        stats.update(lp_rounds=lp_rounds, lp_bound=value, lp_seconds=round(clock.elapsed(), 3),
                     closed_clients=int(closed.sum()), candidates=len(cand),
                     forced=int(forced.sum()))
        mip_rounds = 0
        if n * len(cand) <= _FULL_MODEL_PAIRS:
            rad = np.where(closed, rad, np.inf)  # small enough: model every level, exact
        while True:  # Phase 4: MIP over better solutions; widen open radii that were cut off.
            clock.check()
            if clock.left() <= _RESERVE:
                raise TimeoutError
            top = np.where(closed, levels.level_at_most(rad), levels.level_at_least(rad))
            model = _build(levels, p, top, closed, forced.astype(float), np.ones(len(cand)))
            helper = _helper(model, True, all_integer=mip_solver == "sat")
            params = ""
            if mip_solver == "highs":
                params = ",".join(x for x in (f"objective_bound={cutoff - model.const + margin}",
                                              _HIGHS_MIP) if x)
            elif mip_solver == "sat":
                params = "num_workers:2"
            engine = _run(helper, mip_solver, clock.left() - _RESERVE, clock, params)
            mip_rounds += 1
            stats["mip_rounds"] = mip_rounds
            status = engine.status()
            if status == mbh.SolveStatus.INFEASIBLE:
                return _result("optimal", distances, medians, ub, clock, integral, **stats)
            bound = engine.best_objective_bound() + model.const
            if status not in _STATUS_OK:
                if math.isfinite(bound):
                    lower = max(lower, min(bound, ub))
                raise TimeoutError
            x = engine.variable_values()
            found = cand[x[: len(cand)] > 0.5]
            cost = pmedian_cost(distances, found)
            if cost < ub - 1e-9:
                medians, ub = found, cost
                cutoff = ub - step
            lower = max(lower, min(bound, ub))
            report()
            if status == mbh.SolveStatus.FEASIBLE:
                raise TimeoutError
            served = distances[:, found].min(axis=1).astype(np.float64)
            widen = (~closed) & (served > rad + 1e-9)
            if not widen.any():
                return _result("optimal", distances, medians, ub, clock, integral, **stats)
            rad = np.where(widen, served, rad)
    except (TimeoutError, _Stopped):
        stats["stopped"] = True
        return _result("feasible", distances, medians, lower, clock, integral, **stats)


def _solve_capacitated(distances: np.ndarray, p: int, capacity: int, clock: _Clock, seed: int,
                       mip_solver: str, on_progress: ProgressCallback | None) -> PMedianResult:
    """Capacitated p-median: each median serves at most ``capacity`` vertices, itself included.

    Variables y_j (median) and x_ij (i served by j) for a restricted set of pairs; rows
    sum_j x_ij = 1, x_jj = y_j (a median serves itself), x_ij <= y_j, sum_i x_ij <= C y_j,
    sum_j y_j = p. The LP over the pairs is completed by pricing (a missing pair with negative
    reduced cost is added) until it equals the LP over all pairs; pairs and medians whose reduced
    cost exceeds the gap to the heuristic solution are then excluded, and the MIP runs on the
    rest, searching only for better solutions.
    """
    n = distances.shape[0]
    integral = _is_integral(distances)
    stats: dict[str, object] = {}
    if p * capacity < n:
        return PMedianResult("infeasible", math.inf, math.inf, (), (), clock.elapsed(),
                             {"reason": f"p * capacity = {p * capacity} < {n} vertices"})
    heur = capacitated_local_search(distances, p, capacity, seed=seed,
                                    time_budget=min(10.0, 0.15 * clock.limit))
    assert heur is not None
    medians, assign, ub = heur
    stats["heuristic"] = float(ub)
    d = distances.astype(np.float64)
    lower = 0.0

    def finish(status: str) -> PMedianResult:
        obj = float(d[np.arange(n), assign].sum())
        low = obj if status == "optimal" else min(lower, obj)
        if integral:
            obj, low = float(round(obj)), float(math.ceil(low - 1e-6))
        if on_progress is not None:
            on_progress(clock.elapsed(), obj, low, (obj - low) / obj if obj else 0.0)
        return PMedianResult(status, obj, min(low, obj), tuple(int(m) for m in np.sort(medians)),
                             tuple(int(a) for a in assign), clock.elapsed(), stats)

    step = 1.0 if integral else 1e-9 * max(1.0, abs(ub))
    margin = 1e-6 * max(1.0, abs(ub))
    k = min(n, max(10, (3 * n) // p))
    nearest = np.argsort(d, axis=1, kind="stable")[:, :k]
    pairs = np.zeros((n, n), dtype=bool)
    pairs[np.repeat(np.arange(n), k), nearest.ravel()] = True
    pairs[np.arange(n), assign] = True
    np.fill_diagonal(pairs, False)  # x_jj is y_j itself
    allowed = np.ones((n, n), dtype=bool)  # pairs not excluded by reduced costs
    np.fill_diagonal(allowed, False)
    y_ok = np.ones(n, dtype=bool)
    try:
        rounds = 0
        while True:
            clock.check()
            if clock.left() <= 0:
                raise TimeoutError
            ii, jj = np.nonzero(pairs)
            rows = _cap_rows(n, ii, jj, capacity, p)
            a_ub, a_eq, b_eq = rows
            nx = len(ii)
            bounds = np.zeros((n + nx, 2))
            bounds[:, 1] = 1.0
            bounds[:n, 1] = y_ok
            obj_vec = np.concatenate([np.diag(d), d[ii, jj]])
            res = linprog(obj_vec, A_ub=a_ub,
                          b_ub=np.zeros(a_ub.shape[0]), A_eq=a_eq, b_eq=b_eq, bounds=bounds,
                          method="highs-ds", options={"time_limit": max(0.05, clock.left())})
            clock.check()
            rounds += 1
            if res.status != 0:
                raise TimeoutError
            lam_eq = res.eqlin.marginals
            lam_ub = np.minimum(res.ineqlin.marginals, 0.0)
            u = lam_eq[:n]
            beta = lam_ub[nx:]  # capacity rows, <= 0
            rc = obj_vec - a_eq.T @ lam_eq - a_ub.T @ lam_ub
            rc_all = d - u[:, None] - beta[None, :]  # missing pairs: their x_ij <= y_j row has 0 dual
            missing = allowed & ~pairs
            value = float(lam_eq @ b_eq) + float(np.where(rc > 0, 0.0, rc * bounds[:, 1]).sum())
            value += float(np.minimum(rc_all[missing], 0.0).sum())
            lower = max(lower, min(value, ub))
            add = missing & (rc_all < -1e-9)
            if add.any():
                pairs |= add
                continue
            break
        stats.update(lp_rounds=rounds, lp_bound=value, pairs=int(pairs.sum()))
        cutoff = ub - step
        if value > cutoff + margin:
            return finish("optimal")
        rc_pairs = rc_all.copy()
        rc_pairs[ii, jj] = rc[n:]
        allowed &= ~((rc_pairs > 0) & (value + rc_pairs > cutoff + margin))
        y_ok &= ~((rc[:n] > 0) & (value + rc[:n] > cutoff + margin))
        pairs &= allowed
        pairs[:, ~y_ok] = False
        stats["pairs_after_fixing"] = int(pairs.sum())
        stats["medians_possible"] = int(y_ok.sum())
        ii, jj = np.nonzero(pairs)
        a_ub, a_eq, b_eq = _cap_rows(n, ii, jj, capacity, p)
        nx = len(ii)
        matrix = vstack([a_eq, a_ub]).tocsr()
        row_lb = np.concatenate([b_eq, np.full(a_ub.shape[0], -np.inf)])
        row_ub = np.concatenate([b_eq, np.zeros(a_ub.shape[0])])
        col_lb = np.zeros(n + nx)
        col_ub = np.concatenate([y_ok.astype(float), np.ones(nx)])
        obj = np.concatenate([np.diag(d), d[ii, jj]])
        helper = mbh.ModelBuilderHelper()
        helper.fill_model_from_sparse_data(col_lb, col_ub, obj, row_lb, row_ub, matrix)
        for j in range(n + nx):
            helper.set_var_integrality(j, True)
        params = f"objective_bound={cutoff + margin},{_HIGHS_MIP}" if mip_solver == "highs" \
            else ""
        engine = _run(helper, mip_solver, clock.left(), clock, params)
        status = engine.status()
        if status == mbh.SolveStatus.INFEASIBLE:
            return finish("optimal")
        bound = engine.best_objective_bound()
        if math.isfinite(bound):
            lower = max(lower, min(bound, ub))
        if status in _STATUS_OK:
            x = engine.variable_values()
            cand_cost = float(obj @ np.round(x))
            if cand_cost < ub - 1e-9:
                ub = cand_cost
                medians = np.flatnonzero(x[:n] > 0.5)
                assign = np.arange(n)
                used = x[n:] > 0.5
                assign[ii[used]] = jj[used]
            if status == mbh.SolveStatus.OPTIMAL:
                return finish("optimal")
        raise TimeoutError
    except (TimeoutError, _Stopped):
        stats["stopped"] = True
        return finish("feasible")


def _cap_rows(
    n: int, ii: np.ndarray, jj: np.ndarray, capacity: int, p: int
) -> tuple[csr_matrix, csr_matrix, np.ndarray]:
    """Sparse rows of the capacitated model over pairs (ii, jj); columns y (n), then x pairs.

    Returns (A_ub, A_eq, b_eq). A_ub: x_ij - y_j <= 0 per pair, then
    sum_i x_ij + y_j - C y_j <= 0 per median (its own service counted through y_j = x_jj).
    A_eq: sum_j x_ij + [i is median] y_i = 1 per vertex, then sum_j y_j = p.
    """
    nx = len(ii)
    xcol = n + np.arange(nx)
    vub = csr_matrix(
        (np.concatenate([np.ones(nx), -np.ones(nx)]),
         (np.concatenate([np.arange(nx), np.arange(nx)]), np.concatenate([xcol, jj]))),
        shape=(nx, n + nx),
    )
    cap = csr_matrix(
        (np.concatenate([np.ones(nx), np.full(n, 1.0 - capacity)]),
         (np.concatenate([jj, np.arange(n)]), np.concatenate([xcol, np.arange(n)]))),
        shape=(n, n + nx),
    )
    a_ub = vstack([vub, cap]).tocsr()
    assign_rows = csr_matrix(
        (np.ones(nx + n),
         (np.concatenate([ii, np.arange(n)]), np.concatenate([xcol, np.arange(n)]))),
        shape=(n, n + nx),
    )
    card = csr_matrix((np.ones(n), (np.zeros(n, dtype=np.int64), np.arange(n))), shape=(1, n + nx))
    a_eq = vstack([assign_rows, card]).tocsr()
    b_eq = np.concatenate([np.ones(n), [p]])
    return a_ub, a_eq, b_eq


def main(argv: list[str] | None = None) -> int:
    """Command line: solve one OR-Library p-median file and print one JSON line."""
    from matching.orlib import InstanceFormatError, read_pmedian

    parser = argparse.ArgumentParser(
        prog="python -m matching.pmedian",
        description=(
            "Solve an OR-Library p-median instance (first line 'n m p', then 'i j cost' edges, "
            "vertices 1..n, the last line of a repeated pair counts; costs are shortest-path "
            "distances). Prints one JSON line: objective, lower_bound, gap, status (optimal "
            "only when proven), medians (1-based), seconds."
        ),
    )
    parser.add_argument("path", help="instance file in OR-Library pmed format")
    parser.add_argument("--time-limit", type=float, default=60.0,
                        help="wall-clock seconds for the whole solve (default 60)")
    parser.add_argument("--capacity", type=int, default=None,
                        help="at most C vertices per median, the median itself included")
    parser.add_argument("--seed", type=int, default=0, help="seed of the heuristic starts")
    args = parser.parse_args(argv)
    try:
        inst = read_pmedian(args.path)
    except (OSError, InstanceFormatError) as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    if args.capacity is not None and args.capacity < 1:
        print("error: --capacity must be at least 1", file=sys.stderr)
        return 2
    # Solver libraries may print banners on file descriptor 1; keep stdout for the JSON line.
    sys.stdout.flush()
    saved = os.dup(1)
    os.dup2(2, 1)
    try:
        result = solve_pmedian(inst.distances, inst.p, capacity=args.capacity,
                               time_limit=args.time_limit, seed=args.seed)
    finally:
        sys.stdout.flush()
        os.dup2(saved, 1)
        os.close(saved)
    print(json.dumps(result.as_json()), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
