"""Consortium proposals: partition ideas into consortia with a lead, solved exactly with CP-SAT
(issue 14, item 3; docs/ideas.md). PyVRP's shape: build a :class:`ConsortiumModel`, ``solve``
it, read a small immutable :class:`ConsortiumResult` with objective, bound, gap and status.

The model (a star around each lead, linear, so CP-SAT proves its bound quickly):

* each idea is a lead, a member of exactly one lead's consortium, or left alone;
* a consortium has ``min_size`` to ``max_size`` ideas, its lead included;
* a member may join lead ``j`` only when the two ideas share a domain, come from different
  municipalities and ``j``'s municipality has at least the member's experience in a shared
  domain (a lead able to guide the rest); two ideas of one municipality never share a consortium;
* fixed pairs are in one consortium, forbidden pairs never;
* the objective, in points (:data:`SCALE` per unit), sums over members the value of joining their
  lead: ``relatedness + lead_weight x lead experience (saturated) - distance_weight x
  min(km, distance_cap_km) / distance_cap_km - join_threshold``. An idea left alone adds 0, so a
  consortium forms only when its members are related enough to gain from it.

``candidate_leads`` keeps, for every idea, the leads with the highest joining value (a bound over
the restricted model: what the secretariat gets for 200 ideas in a minute). With it at least the
number of ideas, the model is the full one; the tests compare it with brute force.
"""

from __future__ import annotations

import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np
from ortools.sat.python import cp_model

from matching.graph import InvalidParameter
from matching.ideas.relatedness import RelatednessModel
from matching.registry import DOMAINS

#: Objective points per unit of value (CP-SAT works in integers).
SCALE = 1000

ProgressCallback = Callable[[float, float | None, float | None, float | None], None]
"""``(elapsed_s, objective, bound, gap)`` while the solver runs."""


@dataclass(frozen=True)
class ConsortiumWeights:
    """The weights of the joining value (our tuning, no source gives them)."""

    lead_weight: float = 0.2
    """Per member: the lead's experience in the shared domain, saturating at the matching
    weights' ``experience_gap_saturation`` points."""
    distance_weight: float = 0.1
    """Per member: a penalty rising linearly with the distance to the lead up to the cap."""
    distance_cap_km: float = 100.0
    join_threshold: float = 0.5
    """Subtracted from every member's value: an idea joins a lead only when their relatedness
    (with the lead's experience, minus distance) is above it, else it is better left alone.
    0.5 is about two ideas of one domain, near each other, whose texts have nothing in common
    (0.2 shared domain + up to 0.25 complementary roles + up to 0.15 proximity): such a pair
    alone is not a consortium, the seed session would not seat it together either."""


@dataclass(frozen=True)
class ConsortiumParams:
    min_size: int = 2
    max_size: int = 8
    time_limit_s: float = 30.0
    fixed_pairs: tuple[tuple[int, int], ...] = ()
    forbidden_pairs: tuple[tuple[int, int], ...] = ()
    candidate_leads: int = 15
    workers: int = 2

    def check(self, ideas: set[int]) -> None:
        """Raise :class:`InvalidParameter` naming the field of a bad parameter."""
        if not 2 <= self.min_size <= self.max_size:
            raise InvalidParameter("min_size", "need 2 <= min_size <= max_size")
        if self.max_size > 50:
            raise InvalidParameter("max_size", "at most 50 ideas in a consortium")
        if not 0 < self.time_limit_s <= 600:
            raise InvalidParameter("time_limit_s", "between 0 and 600 seconds")
        for name, pairs in (("fixed_pairs", self.fixed_pairs),
                            ("forbidden_pairs", self.forbidden_pairs)):
            for a, b in pairs:
                if a == b or a not in ideas or b not in ideas:
                    raise InvalidParameter(name, f"pair ({a}, {b}) must name two ideas of the call")
        both = {frozenset(p) for p in self.fixed_pairs} & {frozenset(p) for p in self.forbidden_pairs}
        if both:
            a, b = sorted(next(iter(both)))
            raise InvalidParameter("forbidden_pairs", f"pair ({a}, {b}) is also fixed")


@dataclass(frozen=True)
class Consortium:
    lead: int
    members: tuple[int, ...]
    """Idea ids of the members other than the lead."""
    value: float


@dataclass(frozen=True)
class ConsortiumResult:
    status: str
    """``optimal``, ``feasible`` (stopped at the time limit) or ``infeasible``."""
    objective: float | None
    bound: float | None
    gap: float | None
    consortia: tuple[Consortium, ...]
    alone: tuple[int, ...]
    elapsed_s: float
    variables: int


@dataclass
class ConsortiumModel:
    """The joining values and who may join whom, from a :class:`RelatednessModel`."""

    relatedness: RelatednessModel
    weights: ConsortiumWeights = field(default_factory=ConsortiumWeights)

    def __post_init__(self) -> None:
        rel = self.relatedness
        g = rel.graph
        n = len(rel.ideas)
        self.ids = [i.id for i in rel.ideas]
        pos = np.array([g.index[i.refnis] for i in rel.ideas], dtype=int)
        has = np.array([[d in i.domains for d in DOMAINS] for i in rel.ideas], dtype=bool).reshape(n, 6)
        exp = g.experience[:, pos].T if n else np.zeros((0, 6))  # n x 6
        sat = g.weights.experience_gap_saturation
        w = self.weights
        #: Pairs of positions of one municipality: never in one consortium.
        self.same_municipality = [(a, b) for a in range(n) for b in range(a + 1, n)
                                  if pos[a] == pos[b]]
        self.allowed = np.zeros((n, n), dtype=bool)  # allowed[i, j]: i may join lead j
        self.value = np.zeros((n, n), dtype=int)  # joining value in points
        for i in range(n):
            for j in range(n):
                if i == j or pos[i] == pos[j]:
                    continue
                shared = has[i] & has[j]
                if not shared.any():
                    continue
                ks = np.flatnonzero(shared)
                if not (exp[j, ks] >= exp[i, ks]).any():
                    continue
                lead = float(np.clip(exp[j, ks].max() / sat, 0.0, 1.0))
                km = min(float(rel.distance_km[i, j]), w.distance_cap_km)
                v = (rel.score[i, j] + w.lead_weight * lead
                     - w.distance_weight * km / w.distance_cap_km - w.join_threshold)
                self.allowed[i, j] = True
                self.value[i, j] = round(SCALE * v)

    def leads_for(self, i: int, k: int) -> list[int]:
        """The ``k`` leads with the highest joining value for idea position ``i``."""
        js = np.flatnonzero(self.allowed[i])
        return sorted(js, key=lambda j: (-self.value[i, j], j))[:k]


def solve(model: ConsortiumModel, params: ConsortiumParams,
          on_progress: ProgressCallback | None = None) -> ConsortiumResult:
    """Build and solve the CP-SAT model; the best proposals found with the proven bound.

    Ideas that can never share a consortium (no allowed lead between them, directly or through
    others) are independent: each connected part is its own CP-SAT model, solved smallest first
    with a share of the time left in proportion to its size, and the objectives and bounds add
    up (an exact decomposition: the bound is still proven)."""
    start = time.perf_counter()
    ids = model.ids
    n = len(ids)
    params.check(set(ids))
    at = {idea: k for k, idea in enumerate(ids)}
    fixed = [(at[a], at[b]) for a, b in params.fixed_pairs]
    forbidden = [(at[a], at[b]) for a, b in params.forbidden_pairs] + model.same_municipality
    keep = max(1, params.candidate_leads)
    must = {i for p in fixed for i in p}
    cand = [(i, j) for i in range(n)
            for j in (model.leads_for(i, n) if i in must else model.leads_for(i, keep))]
    parts = _components(n, cand + fixed)
    part_of = {i: k for k, part in enumerate(parts) for i in part}
    done_objective = done_bound = 0.0
    consortia: list[Consortium] = []
    alone: list[int] = []
    status = "optimal"
    left = sum(len(p) for p in parts if len(p) > 1)
    for part in sorted(parts, key=lambda p: (len(p), p)):
        if len(part) == 1:
            if part[0] in must:
                return _infeasible(ids, start, len(cand) + n)
            alone.append(ids[part[0]])
            continue
        members = set(part)
        budget = max(0.1, (params.time_limit_s - (time.perf_counter() - start))
                     * len(part) / max(left, 1))
        left -= len(part)

        def report(elapsed: float, objective: float, bound: float, _done=(done_objective,
                                                                           done_bound)) -> None:
            if on_progress is not None:
                total, upper = _done[0] + objective, _done[1] + bound
                on_progress(time.perf_counter() - start, total, upper, relative_gap(total, upper))

        found = _solve_part(model, part, [c for c in cand if c[0] in members],
                            [f for f in fixed if part_of[f[0]] == part_of[f[1]] and f[0] in members],
                            [f for f in forbidden if f[0] in members and f[1] in members],
                            params, budget, report)
        if found is None:
            return _infeasible(ids, start, len(cand) + n)
        part_status, objective, bound, part_consortia, part_alone = found
        if part_status != "optimal":
            status = "feasible"
        done_objective += objective
        done_bound += bound
        consortia += part_consortia
        alone += part_alone
    consortia.sort(key=lambda c: (-c.value, c.lead))
    return ConsortiumResult(status, done_objective, max(done_bound, done_objective),
                            relative_gap(done_objective, max(done_bound, done_objective)),
                            tuple(consortia), tuple(sorted(alone)),
                            time.perf_counter() - start, len(cand) + n)


def _infeasible(ids: list[int], start: float, variables: int) -> ConsortiumResult:
    return ConsortiumResult("infeasible", None, None, None, (), tuple(ids),
                            time.perf_counter() - start, variables)


def _components(n: int, edges: list[tuple[int, int]]) -> list[list[int]]:
    """Connected parts of ``range(n)`` under ``edges`` (union-find), each sorted."""
    parent = list(range(n))

    def root(x: int) -> int:
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b in edges:
        ra, rb = root(a), root(b)
        if ra != rb:
            parent[ra] = rb
    groups: dict[int, list[int]] = {}
    for i in range(n):
        groups.setdefault(root(i), []).append(i)
    return [sorted(g) for g in groups.values()]


def _solve_part(model: ConsortiumModel, nodes: list[int], cand: list[tuple[int, int]],
                fixed: list[tuple[int, int]], forbidden: list[tuple[int, int]],
                params: ConsortiumParams, time_limit_s: float, report: Callable[..., None]
                ) -> tuple[str, float, float, list[Consortium], list[int]] | None:
    """One connected part: the CP-SAT model of the module doc over ``nodes`` (positions)."""
    ids = model.ids
    cp = cp_model.CpModel()
    lead = {j: cp.new_bool_var(f"lead{j}") for j in nodes}
    join = {(i, j): cp.new_bool_var(f"join{i}_{j}") for (i, j) in cand}
    by_lead: dict[int, list[int]] = {}
    by_member: dict[int, list[int]] = {}
    for (i, j) in join:
        by_lead.setdefault(j, []).append(i)
        by_member.setdefault(i, []).append(j)
        cp.add_implication(join[(i, j)], lead[j])
    for i in nodes:
        # a member of one consortium, or a lead, or alone
        cp.add(sum(join[(i, j)] for j in by_member.get(i, [])) + lead[i] <= 1)
        if not by_lead.get(i):
            cp.add(lead[i] == 0)
            continue
        size = sum(join[(m, i)] for m in by_lead[i])
        cp.add(size + 1 >= params.min_size).only_enforce_if(lead[i])
        cp.add(size + 1 <= params.max_size).only_enforce_if(lead[i])

    def in_group(i: int, j: int):
        """1 when idea ``i`` is in the consortium led by ``j`` (as member or as its lead)."""
        return lead[j] if i == j else join.get((i, j), 0)

    for a, b in fixed:
        cp.add(sum(join[(a, j)] for j in by_member.get(a, [])) + lead[a] == 1)
        for j in nodes:
            ga, gb = in_group(a, j), in_group(b, j)
            if isinstance(ga, int) and isinstance(gb, int):
                continue  # neither can be in j's consortium
            cp.add((ga if not isinstance(ga, int) else gb) == (gb if not isinstance(ga, int) else ga))
    for a, b in forbidden:
        for j in nodes:
            ga, gb = in_group(a, j), in_group(b, j)
            if not (isinstance(ga, int) or isinstance(gb, int)):
                cp.add(ga + gb <= 1)
    cp.maximize(sum(int(model.value[i, j]) * v for (i, j), v in join.items()))

    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = time_limit_s
    solver.parameters.num_workers = max(1, params.workers)
    status = solver.solve(cp, _Progress(report))
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        return None
    consortia = []
    placed: set[int] = set()
    for j in nodes:
        if not solver.value(lead[j]):
            continue
        members = sorted((i for i in by_lead.get(j, []) if solver.value(join[(i, j)])),
                         key=lambda i: ids[i])
        consortia.append(Consortium(ids[j], tuple(ids[i] for i in members),
                                    sum(int(model.value[i, j]) for i in members) / SCALE))
        placed.update([j, *members])
    name = "optimal" if status == cp_model.OPTIMAL else "feasible"
    return (name, solver.objective_value / SCALE, solver.best_objective_bound / SCALE, consortia,
            [ids[i] for i in nodes if i not in placed])


def relative_gap(objective: float | None, bound: float | None) -> float | None:
    """(bound - objective) / max(objective, 1 point): 0 when proven optimal."""
    if objective is None or bound is None:
        return None
    return max(0.0, (bound - objective) / max(abs(objective), 1.0 / SCALE))


class _Progress(cp_model.CpSolverSolutionCallback):
    """Hands each new solution's objective and bound (in units, not points) to ``report``."""

    def __init__(self, report: Callable[..., None]) -> None:
        super().__init__()
        self.report = report

    def on_solution_callback(self) -> None:
        self.report(self.wall_time, self.objective_value / SCALE,
                    self.best_objective_bound / SCALE)


# --------------------------------------------------------------------------------------------
# Brute force, for the tests on small cases


def brute_force(model: ConsortiumModel, params: ConsortiumParams) -> float:
    """The best objective over every partition of the ideas (use with at most 8 ideas)."""
    n = len(model.ids)
    at = {idea: k for k, idea in enumerate(model.ids)}
    fixed = [(at[a], at[b]) for a, b in params.fixed_pairs]
    forbidden = [(at[a], at[b]) for a, b in params.forbidden_pairs] + model.same_municipality
    best = -math.inf
    for blocks in _partitions(list(range(n))):
        group_of = {i: k for k, b in enumerate(blocks) for i in b}
        if any(group_of[a] != group_of[b] for a, b in fixed):
            continue
        if any(group_of[a] == group_of[b] for a, b in forbidden):
            continue
        total = 0
        ok = True
        for block in blocks:
            if len(block) == 1:
                if any(block[0] in p for p in fixed):
                    ok = False
                    break
                continue
            if not params.min_size <= len(block) <= params.max_size:
                ok = False
                break
            values = [sum(int(model.value[i, j]) for i in block if i != j) for j in block
                      if all(model.allowed[i, j] for i in block if i != j)]
            if not values:
                ok = False
                break
            total += max(values)
        if ok:
            best = max(best, total / SCALE)
    return best


def _partitions(items: list[int]) -> Iterable[list[list[int]]]:
    if not items:
        yield []
        return
    first, rest = items[0], items[1:]
    for smaller in _partitions(rest):
        for k in range(len(smaller)):
            yield smaller[:k] + [[first, *smaller[k]]] + smaller[k + 1:]
        yield [[first], *smaller]

