"""Orchestration of a solve: LP bounds, each domain alone, repair, improvement, the joint model."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import numpy as np
from ortools.sat.python import cp_model

from matching.optimizer.costs import COST_SCALE
from matching.optimizer.cpsat import CpRun, Progress, cp_solve, relative_gap
from matching.optimizer.heuristics import greedy_plan, greedy_plan_cost, repair
from matching.optimizer.lp import lp_prune, prune
from matching.optimizer.model import Spec
from matching.optimizer.params import (
    Cluster,
    ClusterPlan,
    Follower,
    PlanCallback,
    PlanParams,
    ProgressCallback,
    domain_nl,
)
from matching.optimizer.radius import solve_pmedian

#: Plan costs are whole hundredths of a point.
UNIT = 1.0 / COST_SCALE


def plain_pmedian(spec: Spec) -> bool:
    """One domain, exactly k lighthouses, every participant a candidate, no capacity, distance
    limit, pin, forced or forbidden pair, no fixed cost: the uncapacitated p-median, which the
    radius formulation (:mod:`.radius`) proves far faster than the CP-SAT model."""
    p = spec.params
    if len(spec.domains) != 1:
        return False
    d = spec.domains[0]
    return (spec.kmin[d] == spec.kmax[d] and p.max_followers is None and p.max_load is None
            and p.min_followers == 0 and p.max_distance_km is None and not spec.forced
            and not spec.forbidden and not spec.pinned[d] and p.costs.lighthouse_fixed == 0
            and np.array_equal(spec.cand[d], spec.parts[d]))


def solve_radius(spec: Spec, params: PlanParams, start: float,
                 on_progress: ProgressCallback | None,
                 cancel: threading.Event | None) -> ClusterPlan:
    """A plain p-median (see :func:`plain_pmedian`) with the radius-formulation engine."""
    d = spec.domains[0]
    part = spec.parts[d]
    result = solve_pmedian(spec.cost[d][np.ix_(part, part)], spec.kmin[d],
                           time_limit=max(0.05, start + params.time_limit_s - time.perf_counter()),
                           seed=params.seed, on_progress=on_progress, stop=cancel)
    lights = {int(part[m]) for m in result.medians}
    follow = {int(part[i]): int(part[a]) for i, a in enumerate(result.assignment)
              if int(part[i]) not in lights}
    run = CpRun(0, result.objective, result.lower_bound, {d: lights}, {d: follow})
    status = "optimal" if result.status == "optimal" else \
        "cancelled" if cancel is not None and cancel.is_set() else "time_limit"
    return make_plan(spec, params, run, result.lower_bound, start, status)


def solve_spec(spec: Spec, params: PlanParams, start: float,
               on_progress: ProgressCallback | None,
               cancel: threading.Event | None,
               on_plan: PlanCallback | None = None) -> ClusterPlan:
    """The plain p-median goes to :func:`solve_radius`; everything else to the CP-SAT path.

    Several domains: solve each alone first (their bounds add up to a valid bound of the
    whole plan, because the coupling only removes plans), repair lighthouses chosen in two
    domains by re-solving with bans, then solve all domains together from that plan.
    ``on_plan`` hears each better plan of the CP-SAT path (greedy, repaired, improved, joint)
    as a checkpoint."""
    if plain_pmedian(spec):
        return solve_radius(spec, params, start, on_progress, cancel)
    deadline = start + params.time_limit_s
    progress = Progress(start, COST_SCALE, 0.0, on_progress)

    def checkpoint(run: CpRun) -> None:
        if on_plan is not None and run.objective is not None:
            on_plan(make_plan(spec, params, run, run.bound if run.bound is not None else 0.0,
                              start, "time_limit"))

    def left() -> float:
        return deadline - time.perf_counter()

    def stopped() -> bool:
        return cancel is not None and cancel.is_set()

    domains = spec.domains
    best: CpRun | None = None
    floor = lp_prune(spec, params, start + 0.4 * params.time_limit_s, cancel)
    if floor is not None:
        progress.bound = floor
    greedy = greedy_plan(spec, params, domains, "none")
    greedy_cost = greedy_plan_cost(spec, params, greedy)
    if greedy_cost is not None:  # a plan to fall back on, whatever happens next
        best = CpRun(cp_model.FEASIBLE, float(greedy_cost), floor or 0.0,
                      {d: greedy[d][0] for d in domains}, {d: greedy[d][1] for d in domains})
        progress.best = best.objective
        checkpoint(best)
    progress.emit()
    if len(domains) > 1 and not stopped():
        runs: dict[str, CpRun] = {}
        share = 0.5 * left() / len(domains)
        for d in domains:
            run = cp_solve(spec, params, (d,), {}, None, time.perf_counter() + share, None,
                            cancel, scope="alone")
            if run.status == cp_model.INFEASIBLE:
                return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                                   reason=f"proven: no plan for {d} alone meets its constraints "
                                   "(capacities, distances, pins, forced and forbidden)",
                                   reason_nl=f"bewezen: geen plan voor {domain_nl(d)} alleen "
                                   "voldoet aan de voorwaarden (capaciteit, afstanden, "
                                   "vastgezette, opgelegde en verboden koppelingen)",
                                   costs=params.costs)
            if run.objective is None or stopped():
                break
            if d in spec.lp:
                run.bound = max(run.bound, spec.lp[d][0])
            runs[d] = run
            # costs are >= 0, so the bounds of the domains solved so far already bound the plan
            progress.bound = max(progress.bound, sum(r.bound for r in runs.values()))
            progress.emit()
        if len(runs) == len(domains):
            floor = max(floor or 0.0, sum(r.bound for r in runs.values()))
            progress.bound = floor
            plans = {d: (set(runs[d].lighthouses[d]), dict(runs[d].followers[d]))
                     for d in domains}
            repaired = repair(spec, params, plans) if params.one_domain_per_lighthouse \
                else False
            total = sum(sum(spec.cost[d][f, lh] for f, lh in plans[d][1].items())
                        + params.costs.lighthouse_fixed * len(plans[d][0]) for d in domains)
            if repaired is not None and (best is None or total <= best.objective):
                best = CpRun(cp_model.FEASIBLE, float(total), floor,
                              {d: plans[d][0] for d in domains},
                              {d: plans[d][1] for d in domains})
                progress.best = best.objective
                progress.emit()
                checkpoint(best)
                prune(spec, best.objective)  # a better plan than the greedy one: prune again
                if not repaired and all(r.status == cp_model.OPTIMAL for r in runs.values()):
                    return make_plan(spec, params, best, floor, start, "optimal")
            if best is not None and len(domains) > 1 and params.one_domain_per_lighthouse:
                best = improve_by_domain(spec, params, best, deadline, share, progress, cancel,
                                         checkpoint)
    # The joint model is large: only worth building with a good share of the time left.
    if not stopped() and (best is None or len(domains) == 1 or left() > 0.25 * params.time_limit_s):
        joint = cp_solve(spec, params, domains, {}, best, deadline, progress, cancel)
        if joint.status == cp_model.INFEASIBLE:
            return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                               reason="proven: no plan meets all constraints together "
                               "(capacities, distances, pins, forced and forbidden assignments, "
                               "one domain per lighthouse)",
                               reason_nl="bewezen: geen plan voldoet aan alle voorwaarden samen "
                               "(capaciteit, afstanden, vastgezette, opgelegde en verboden "
                               "koppelingen, één domein per vuurtoren)", costs=params.costs)
        if joint.objective is not None and (best is None or joint.objective <= best.objective):
            if floor is not None:
                joint.bound = max(joint.bound, floor)
            best = joint
            checkpoint(best)
        elif best is not None and joint.bound is not None:
            best.bound = max(best.bound, joint.bound)
    if best is None:
        return no_plan(params, start, stopped(), floor)
    # Plan costs are whole hundredths of a point: a bound within one hundredth proves optimality.
    # every bound seen is valid (LP sums, each domain alone, the joint model); costs are >= 0
    best.bound = max(best.bound or 0.0, floor or 0.0, progress.bound, 0.0)
    optimal = best.status == cp_model.OPTIMAL or best.objective - best.bound < UNIT - 1e-6
    return make_plan(spec, params, best, best.bound, start,
                     "optimal" if optimal else "cancelled" if stopped() else "time_limit")


def no_plan(params: PlanParams, start: float, cancelled: bool,
            bound: float | None = None) -> ClusterPlan:
    """Stopped before any plan was found: ``cancelled`` or ``time_limit``, never infeasible."""
    if cancelled:
        return ClusterPlan("cancelled", None, bound, None, time.perf_counter() - start,
                           reason="cancelled before a plan was found",
                           reason_nl="geannuleerd voor er een plan gevonden was",
                           costs=params.costs)
    return ClusterPlan("time_limit", None, bound, None, time.perf_counter() - start,
                       reason=f"no plan found within the time limit of "
                       f"{params.time_limit_s:g} s (not proven infeasible; allow more time)",
                       reason_nl=f"geen plan gevonden binnen de tijdslimiet van "
                       f"{params.time_limit_s:g} s (niet bewezen onhaalbaar; geef meer tijd)",
                       costs=params.costs)


def improve_by_domain(spec: Spec, params: PlanParams, best: CpRun, deadline: float,
                       share: float, progress: Progress, cancel: threading.Event | None,
                       checkpoint: Callable[[CpRun], None] = lambda run: None) -> CpRun:
    """Re-solve one domain at a time with the other domains' lighthouses banned, starting from
    the current plan (a feasible hint), until a full pass improves nothing or time runs out.
    Every step keeps the plan feasible and never makes it worse."""
    domains = spec.domains
    for _ in range(3):
        improved = False
        for d in domains:
            if deadline - time.perf_counter() < 1.0 or (cancel is not None and cancel.is_set()):
                return best
            others = set().union(*(best.lighthouses[o] for o in domains if o != d))
            own = sum(spec.cost[d][f, lh] for f, lh in best.followers[d].items()) \
                + params.costs.lighthouse_fixed * len(best.lighthouses[d])
            run = cp_solve(spec, params, (d,), {d: others}, best,
                            min(deadline, time.perf_counter() + share), None, cancel)
            if run.objective is not None and run.objective < own - 1e-9:
                lights = dict(best.lighthouses)
                follow = dict(best.followers)
                lights[d], follow[d] = run.lighthouses[d], run.followers[d]
                best = CpRun(cp_model.FEASIBLE, best.objective - own + run.objective,
                              best.bound, lights, follow)
                progress.best = best.objective
                progress.emit()
                checkpoint(best)
                improved = True
        if not improved:
            break
    return best


def make_plan(spec: Spec, params: PlanParams, run: CpRun, bound: float, start: float,
              status: str) -> ClusterPlan:
    """The plan of ``run`` with ``status`` ``optimal`` (then the bound is the objective),
    ``time_limit`` or ``cancelled`` (the best plan found, with its bound and gap)."""
    objective = run.objective
    if status == "optimal":
        bound = objective
    clusters = []
    for d in spec.domains:
        members: dict[int, list[Follower]] = {lh: [] for lh in run.lighthouses[d]}
        for f, lh in run.followers[d].items():
            members[lh].append(Follower(spec.muni[f].refnis, float(spec.dist[f, lh]),
                                        float(spec.cost[d][f, lh])))
        for lh in sorted(members, key=lambda i: spec.muni[i].refnis):
            clusters.append(Cluster(d, spec.muni[lh].refnis,
                                    tuple(sorted(members[lh], key=lambda f: f.refnis))))
    bound = min(bound, objective)
    return ClusterPlan(status, objective, bound,
                       relative_gap(objective, bound), time.perf_counter() - start, tuple(clusters),
                       costs=params.costs)
