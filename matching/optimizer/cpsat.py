"""The CP-SAT model of some domains of a plan, its solve, progress reports and warm start."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
from ortools.sat.python import cp_model

from matching.optimizer.costs import COST_SCALE
from matching.optimizer.heuristics import greedy_plan
from matching.optimizer.model import Spec
from matching.optimizer.params import PlanParams, ProgressCallback


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    if objective <= 0:
        return 0.0 if bound >= objective - 1e-9 else math.inf
    return max(0.0, (objective - bound) / objective)


class Progress(cp_model.CpSolverSolutionCallback):
    def __init__(self, start: float, scale: float, fixed: float,
                 on_progress: ProgressCallback | None) -> None:
        super().__init__()
        self.start, self.scale, self.fixed = start, scale, fixed
        self.on_progress = on_progress
        self.best: float | None = None
        self.bound = 0.0

    def emit(self) -> None:
        if self.on_progress is None:
            return
        gap = relative_gap(self.best, self.bound)
        self.on_progress(time.perf_counter() - self.start, self.best, self.bound,
                         gap if gap is not None else math.inf)

    def on_solution_callback(self) -> None:
        self.best = self.objective_value / self.scale
        self.bound = max(self.bound, self.best_objective_bound / self.scale)
        self.emit()

    def on_bound(self, bound: float) -> None:
        self.bound = max(self.bound, bound / self.scale)
        self.emit()


@dataclass
class CpRun:
    """One CP-SAT solve over some domains: status, objective and bound in points, the plan."""

    status: int
    objective: float | None
    bound: float | None
    lighthouses: dict[str, set[int]]
    followers: dict[str, dict[int, int]]  # domain -> follower -> lighthouse


def cp_solve(spec: Spec, params: PlanParams, domains: tuple[str, ...],
              banned: Mapping[str, set[int]], hint: CpRun | None, deadline: float,
              progress: Progress | None, cancel: threading.Event | None,
              scope: str = "joint") -> CpRun:
    """Build and solve the CP-SAT model of ``domains`` (coupled by one domain per lighthouse),
    with the lighthouses in ``banned[d]`` forbidden in d and ``hint`` as warm start; the solve
    stops at ``deadline`` (``time.perf_counter()`` seconds), model building included."""
    model = cp_model.CpModel()
    scale = COST_SCALE
    fixed = int(round(params.costs.lighthouse_fixed * scale))
    y: dict[str, dict[int, cp_model.IntVar]] = {}
    xs: dict[str, list[tuple[int, int, cp_model.IntVar]]] = {}
    objective_terms = []
    for d in domains:
        if cancel is not None and cancel.is_set():  # building a large model takes a while
            return CpRun(cp_model.UNKNOWN, None, None, {}, {})
        part, cand = spec.parts[d], spec.cand[d]
        y[d] = {int(c): model.new_bool_var(f"y_{d}_{c}") for c in cand}
        mask = spec.allowed(d, scope)
        cost = spec.cost[d]
        members: dict[int, list] = {int(c): [] for c in cand}
        weighted: dict[int, list] = {int(c): [] for c in cand}
        xs[d] = []
        for row, f in enumerate(part):
            terms = []
            for col in np.flatnonzero(mask[row]):
                lh = int(cand[col])
                if lh == f:
                    terms.append(y[d][lh])
                    continue
                var = model.new_bool_var(f"x_{d}_{f}_{lh}")
                model.add_implication(var, y[d][lh])
                members[lh].append(var)
                if spec.load is not None and spec.load[f]:
                    weighted[lh].append((var, int(spec.load[f])))
                xs[d].append((int(f), lh, var))
                terms.append(var)
                objective_terms.append((var, int(round(cost[f, lh] * scale))))
            model.add_exactly_one(terms)
        for lh, yv in y[d].items():
            count = sum(members[lh]) if members[lh] else 0
            if params.max_followers is not None:
                model.add(count <= params.max_followers * yv)
            if params.min_followers > 0:
                model.add(count >= params.min_followers * yv)
            if spec.load is not None:  # the cluster's demand, the lighthouse's own included
                carried = sum(w * v for v, w in weighted[lh]) if weighted[lh] else 0
                model.add(carried <= (params.max_load - int(spec.load[lh])) * yv)
        total = sum(y[d].values())
        model.add(total >= spec.kmin[d])
        model.add(total <= spec.kmax[d])
        for lh in spec.pinned[d]:
            model.add(y[d][lh] == 1)
        for lh in set(banned.get(d, ())) | spec.banned(d, scope):
            if lh in y[d] and lh not in spec.pinned[d]:
                model.add(y[d][lh] == 0)
        for (dd, fi), li in spec.forced.items():
            if dd == d and fi != li:
                model.add(next(v for f, lh, v in xs[d] if f == fi and lh == li) == 1)
        if fixed:
            objective_terms.extend((yv, fixed) for yv in y[d].values())
    if params.one_domain_per_lighthouse and len(domains) > 1:
        everyone = set().union(*(set(y[d]) for d in domains))
        for lh in everyone:
            lits = [y[d][lh] for d in domains if lh in y[d]]
            if len(lits) > 1:
                model.add_at_most_one(lits)
    model.minimize(sum(c * v for v, c in objective_terms) if objective_terms else 0)
    if hint is not None:
        for d in domains:
            for lh, var in y[d].items():
                model.add_hint(var, lh in hint.lighthouses.get(d, ()))
            for f, lh, var in xs[d]:
                model.add_hint(var, hint.followers.get(d, {}).get(f) == lh)
    else:
        hint_greedy(model, spec, y, xs, params, domains, scope)

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = max(0.05, deadline - time.perf_counter())
    solver.parameters.num_workers = max(1, params.workers)
    solver.parameters.linearization_level = 2
    if progress is not None and progress.on_progress is not None:
        solver.best_bound_callback = progress.on_bound
    done = threading.Event()
    watcher = None
    if cancel is not None:
        def watch() -> None:
            while not done.wait(0.05):
                if cancel.is_set():
                    solver.stop_search()
                    return
        watcher = threading.Thread(target=watch, daemon=True)
        watcher.start()
    try:
        status = solver.solve(model, progress) if progress is not None else solver.solve(model)
    finally:
        done.set()
        if watcher is not None:
            watcher.join()
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return CpRun(status, None, None, {}, {})
    objective = solver.objective_value / scale
    bound = objective if status == cp_model.OPTIMAL else solver.best_objective_bound / scale
    lighthouses = {d: {lh for lh, v in y[d].items() if solver.boolean_value(v)} for d in domains}
    followers = {d: {f: lh for f, lh, v in xs[d] if solver.boolean_value(v)} for d in domains}
    return CpRun(status, objective, bound, lighthouses, followers)


def hint_greedy(model: cp_model.CpModel, spec: Spec, y: dict, xs: dict, params: PlanParams,
          domains: tuple[str, ...], scope: str) -> None:
    """Warm start from :func:`greedy_plan`; CP-SAT repairs a hint that breaks a constraint."""
    plans = greedy_plan(spec, params, domains, "none")
    for d in domains:
        picked, follow = plans[d]
        for lh, var in y[d].items():
            model.add_hint(var, lh in picked)
        for f, lh, var in xs[d]:
            model.add_hint(var, follow.get(f) == lh)
