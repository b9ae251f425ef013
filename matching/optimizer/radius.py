"""Exact uncapacitated p-median on the radius formulation: the engine ``ClusterModel.solve`` uses
for a plain p-median (one domain, every participant a candidate, no capacity or side constraint;
see :func:`matching.optimizer.solve.plain_pmedian`).

The radius formulation of García, Labbé & Marín (2011, "Solving large p-median problems with a
radius formulation", INFORMS Journal on Computing 23(4)) in its sparse chained form (one row per
client and distinct distance; Elloumi 2010 gives the same LP). For each client only the distinct
distances up to a client-specific radius are modelled; beyond that the cost is cut off, which
makes the model a relaxation. The solve runs in phases:

1. FasterPAM-style swaps give an upper bound UB and per-client starting radii.
2. The LP relaxation on the truncated model is re-solved, widening the radius of every client
   whose LP cost was cut off, until the truncated LP equals the full LP (a proven lower bound).
3. Reduced-cost fixing against UB: a radius level (or a candidate) whose LP reduced cost pushes
   the bound above UB cannot occur in any better solution, so those clients get a closed radius
   ("served within r") and those candidates are fixed.
4. The reduced MIP is solved with OR-Tools (HiGHS by default); clients whose radius is still
   open and who end up served beyond it get a wider radius and the MIP is solved again, as in
   García et al.'s iterative scheme. The MIP only searches for solutions better than UB, so an
   infeasible MIP proves that the heuristic solution is optimal.

For few medians (p <= n / 3) a Lagrangian branch and bound (:mod:`.lagrange`) runs first.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
from ortools.linear_solver.python import model_builder_helper as mbh
from scipy.optimize import linprog
from scipy.sparse import csr_matrix

from matching.heuristic import fasterpam_best, pmedian_cost
from matching.optimizer.lagrange import lagrangian_bnb
from matching.optimizer.threads import Cancelled, interruptible

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
    try:
        res = interruptible(lambda: linprog(
            model.obj, A_ub=a_ub, b_ub=-model.row_lb[:card], A_eq=a_eq, b_eq=model.row_lb[card:],
            bounds=np.column_stack([model.col_lb, model.col_ub]), method="highs-ds",
            options={"time_limit": max(0.05, clock.left() - _RESERVE), "presolve": True},
        ), clock.stop)
    except Cancelled:
        raise _Stopped from None
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
    time_limit: float = 60.0,
    seed: int = 0,
    mip_solver: str = "highs",
    on_progress: ProgressCallback | None = None,
    stop: threading.Event | None = None,
) -> PMedianResult:
    """Solve the p-median problem on a square cost matrix, to proven optimality if time allows.

    ``distances[i, j]`` is the cost of serving vertex i from median j (every vertex is both a
    client and a candidate; the diagonal is the cost of a median serving itself, normally 0).
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
    return _solve_uncapacitated(distances, p, clock, seed, mip_solver, on_progress)



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
            found, cost, low, done, nodes = lagrangian_bnb(
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


