"""Assignment of jurors to applications: exact, by network flow (OR-Tools).

Every application gets ``reviewers_per_application`` different jurors (R, default 3); every juror
reviews at most ``max_load`` applications (L); a conflicted pair is never assigned; pairs fixed by
the admin are kept. Among all assignments that satisfy this, the solver picks the best one by a
**lexicographic** objective, in this order:

1. the highest juror load as low as possible (no juror gets more work than needed);
2. then the loads as even as possible: the sum of squared loads as low as possible, which pushes
   the lowest load up as well (for a fixed number of reviews, a lower sum of squares means loads
   closer to the average);
3. then the expertise affinity as high as possible: the sum over assigned pairs of
   :meth:`AssignmentCosts.affinity` (shared domains between the juror's declared expertise and the
   application's domains).

Why lexicographic: an even workload is what the secretariat promises jurors; expertise then
chooses among the (usually very many) equally even assignments. One min-cost flow solves all
three levels exactly: the juror-to-sink arcs carry the increasing marginal costs of a squared load
(2k − 1 for the k-th review: convex, so the flow is exact), scaled by a factor larger than any
possible affinity difference. Level 1 needs no separate step: the juror load vectors of an
assignment problem form an integral base polyhedron, where an element with the least sum of
squares is also "decreasingly minimal" and so has the least highest load (Frank and Murota,
*Discrete decreasing minimization*, 2022). The tests check all three levels against brute force.

Infeasibility is explained in plain words (:class:`InfeasibleAssignment`), from the first simple
cause found (too few jurors without a conflict for an application, too little total capacity) or,
failing those, from the minimum cut of the flow network (a group of applications that together
need more reviews than the jurors without a conflict on them can give).
"""

from __future__ import annotations

import time
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass
from typing import Any

from ortools.graph.python import max_flow, min_cost_flow

from evaluation.conflicts import ConflictSet, Juror
from evaluation.scoring import InvalidField

Pair = tuple[int, int]  # (application_id, juror_id)


class InfeasibleAssignment(Exception):
    """No assignment satisfies the constraints; ``reason`` says why in plain words."""

    def __init__(self, reason: str, reason_nl: str | None = None, **details: Any) -> None:
        super().__init__(reason)
        self.reason = reason
        self.reason_nl = reason_nl or reason
        self.details = details

    def to_dict(self) -> dict[str, Any]:
        return {"reason": self.reason, "reason_nl": self.reason_nl, "details": self.details}


class InvalidAssignmentInput(InvalidField):
    """Bad request data (a parameter out of range, an unknown id); ``field`` names it."""


@dataclass(frozen=True)
class AssignmentCosts:
    """Tuning weights of the assignment (our own choice, not from the sources).

    Only the affinity (objective level 3) is weighted; workload balance (levels 1 and 2) always
    comes first. ``affinity = shared_domain × |expertise ∩ domains| + any_overlap`` when the
    juror shares at least one domain with the application, else 0. ``any_overlap`` makes one
    expert per application worth more than a second shared domain for an expert already there.
    """

    shared_domain: int = 10
    any_overlap: int = 10

    def affinity(self, expertise: Collection[str], domains: Collection[str]) -> int:
        shared = len(set(expertise) & set(domains))
        return self.shared_domain * shared + (self.any_overlap if shared else 0)

    def to_dict(self) -> dict[str, int]:
        return asdict(self)


@dataclass(frozen=True)
class AssignmentObjective:
    """The three objective levels of the solution, plus what they mean for the jury."""

    highest_load: int
    load_squares: int  # sum over jurors of load²
    affinity: int  # sum over assigned pairs of AssignmentCosts.affinity
    lowest_load: int
    matched_reviews: int  # assigned pairs sharing at least one domain

    def key(self) -> tuple[int, int, int]:
        """Lexicographic key, lower is better."""
        return (self.highest_load, self.load_squares, -self.affinity)


@dataclass(frozen=True)
class AssignmentResult:
    """An immutable assignment. Pairs are ``(application_id, juror_id)``, sorted."""

    assignments: tuple[Pair, ...]
    loads: tuple[tuple[int, int], ...]  # (juror_id, load) for every juror, sorted by juror id
    fixed: tuple[Pair, ...]
    objective: AssignmentObjective
    status: str  # "optimal": every level proven optimal (network flow is exact)
    reviewers_per_application: int
    max_load: int  # the limit asked for; objective.highest_load is what was needed
    costs: AssignmentCosts
    runtime_s: float

    def load_of(self, juror_id: int) -> int:
        return dict(self.loads)[juror_id]

    def jurors_of(self, application_id: int) -> tuple[int, ...]:
        return tuple(j for a, j in self.assignments if a == application_id)

    def to_dict(self) -> dict[str, Any]:
        fixed = set(self.fixed)
        return {
            "assignments": [
                {"application": a, "juror": j, "fixed": (a, j) in fixed}
                for a, j in self.assignments
            ],
            "loads": [{"juror": j, "load": n} for j, n in self.loads],
            "objective": asdict(self.objective),
            "status": self.status,
            "reviewers_per_application": self.reviewers_per_application,
            "max_load": self.max_load,
            "costs": self.costs.to_dict(),
            "runtime_s": round(self.runtime_s, 4),
        }


@dataclass(frozen=True)
class Reassignment:
    """The outcome of :func:`reassign_after_conflict`."""

    withdrawn: tuple[Pair, ...]
    added: tuple[Pair, ...]
    result: AssignmentResult

    def to_dict(self) -> dict[str, Any]:
        return {
            "withdrawn": [{"application": a, "juror": j} for a, j in self.withdrawn],
            "added": [{"application": a, "juror": j} for a, j in self.added],
            "result": self.result.to_dict(),
        }


def _ids(ids: Iterable[int], limit: int = 10) -> str:
    ids = sorted(ids)
    text = ", ".join(str(i) for i in ids[:limit])
    return text + (f" and {len(ids) - limit} more" if len(ids) > limit else "")


def _ids_nl(ids: Iterable[int], limit: int = 10) -> str:
    return _ids(ids, limit).replace(" and ", " en ").replace(" more", " andere")


class _Problem:
    """The validated data of one assignment problem, indexed for the flow networks."""

    def __init__(
        self,
        applications: Mapping[int, Iterable[str]],
        jurors: Sequence[Juror],
        conflicts: ConflictSet | Iterable[Pair],
        fixed: Iterable[Pair],
        reviewers: int,
        max_load: int,
    ) -> None:
        if reviewers < 1:
            raise InvalidAssignmentInput("reviewers_per_application", "must be at least 1")
        if max_load < 1:
            raise InvalidAssignmentInput("max_load", "must be at least 1")
        self.apps = sorted(applications)
        self.domains = {a: frozenset(applications[a]) for a in self.apps}
        self.jurors = sorted(jurors, key=lambda j: j.id)
        if len({j.id for j in self.jurors}) != len(self.jurors):
            raise InvalidAssignmentInput("jurors", "a juror is listed twice")
        self.juror_ids = [j.id for j in self.jurors]
        self.reviewers = reviewers
        self.max_load = max_load
        pairs = conflicts.pairs if isinstance(conflicts, ConflictSet) else frozenset(conflicts)
        self.conflicts = frozenset(pairs)
        self.fixed = tuple(sorted(set(fixed)))
        app_set, juror_set = set(self.apps), set(self.juror_ids)
        for a, j in self.fixed:
            if a not in app_set:
                raise InvalidAssignmentInput("fixed", f"unknown application {a}")
            if j not in juror_set:
                raise InvalidAssignmentInput("fixed", f"unknown juror {j}")
        self.fixed_set = set(self.fixed)
        self.fixed_per_app = {a: 0 for a in self.apps}
        self.fixed_per_juror = {j: 0 for j in self.juror_ids}
        for a, j in self.fixed:
            self.fixed_per_app[a] += 1
            self.fixed_per_juror[j] += 1
        # Free pairs the solver may still choose: not conflicted, not already fixed.
        self.free = [
            (a, j)
            for a in self.apps
            for j in self.juror_ids
            if (a, j) not in self.conflicts and (a, j) not in self.fixed_set
        ]
        self.demand = {a: reviewers - self.fixed_per_app[a] for a in self.apps}
        self.need = sum(self.demand.values())

    def check_simple_causes(self) -> None:
        """Raise on the first plain cause of infeasibility, most specific first."""
        r, big_l = self.reviewers, self.max_load
        n_apps, n_jurors = len(self.apps), len(self.jurors)
        if self.apps and n_jurors < r:
            raise InfeasibleAssignment(
                f"each application needs {r} jurors but the call has only {n_jurors}",
                f"elke aanvraag heeft {r} juryleden nodig maar de oproep heeft er maar {n_jurors}",
                kind="too_few_jurors",
            )
        for a, j in self.fixed:
            if (a, j) in self.conflicts:
                raise InfeasibleAssignment(
                    f"the fixed assignment of juror {j} to application {a} has a conflict "
                    "of interest; withdraw it first",
                    f"de vaste toewijzing van jurylid {j} aan aanvraag {a} heeft een "
                    "belangenconflict; trek ze eerst in",
                    kind="fixed_conflict",
                    application=a,
                    juror=j,
                )
        over = [a for a in self.apps if self.fixed_per_app[a] > r]
        if over:
            a = over[0]
            raise InfeasibleAssignment(
                f"application {a} has {self.fixed_per_app[a]} fixed jurors but needs only {r}",
                f"aanvraag {a} heeft {self.fixed_per_app[a]} vaste juryleden maar heeft er "
                f"maar {r} nodig",
                kind="too_many_fixed",
                application=a,
            )
        allowed = {a: self.fixed_per_app[a] for a in self.apps}
        for a, _j in self.free:
            allowed[a] += 1
        short = [a for a in self.apps if allowed[a] < r]
        if short:
            counts = {a: allowed[a] for a in short}
            if len(short) == 1:
                a = short[0]
                en = f"application {a} has only {allowed[a]} jurors without a conflict ({r} needed)"
                nl = (
                    f"aanvraag {a} heeft maar {allowed[a]} juryleden zonder belangenconflict "
                    f"({r} nodig)"
                )
            else:
                en = f"applications {_ids(short)} have fewer than {r} jurors without a conflict"
                nl = (
                    f"aanvragen {_ids_nl(short)} hebben minder dan {r} juryleden zonder "
                    "belangenconflict"
                )
            raise InfeasibleAssignment(en, nl, kind="too_few_free_jurors", jurors_without=counts)
        heavy = [j for j in self.juror_ids if self.fixed_per_juror[j] > big_l]
        if heavy:
            j = heavy[0]
            raise InfeasibleAssignment(
                f"juror {j} has {self.fixed_per_juror[j]} fixed assignments, above the "
                f"maximum load of {big_l}",
                f"jurylid {j} heeft {self.fixed_per_juror[j]} vaste toewijzingen, meer dan de "
                f"maximale belasting van {big_l}",
                kind="fixed_over_load",
                juror=j,
            )
        total = n_apps * r
        if n_jurors * big_l < total:
            raise InfeasibleAssignment(
                f"total capacity {n_jurors}×{big_l}={n_jurors * big_l} < {total} reviews needed "
                f"({n_apps} applications × {r})",
                f"totale capaciteit {n_jurors}×{big_l}={n_jurors * big_l} < {total} nodige "
                f"beoordelingen ({n_apps} aanvragen × {r})",
                kind="capacity",
                capacity=n_jurors * big_l,
                needed=total,
            )


class _FeasibilityNetwork:
    """Max-flow network source → application → juror → sink, to prove and explain feasibility."""

    def __init__(self, p: _Problem) -> None:
        self.p = p
        n_apps = len(p.apps)
        self.app_node = {a: 1 + i for i, a in enumerate(p.apps)}
        self.juror_node = {j: 1 + n_apps + i for i, j in enumerate(p.juror_ids)}
        self.sink = 1 + n_apps + len(p.juror_ids)
        self.flow = max_flow.SimpleMaxFlow()
        for a in p.apps:
            self.flow.add_arc_with_capacity(0, self.app_node[a], p.demand[a])
        for a, j in p.free:
            self.flow.add_arc_with_capacity(self.app_node[a], self.juror_node[j], 1)
        self.juror_arc = {
            j: self.flow.add_arc_with_capacity(self.juror_node[j], self.sink, 0)
            for j in p.juror_ids
        }

    def max_flow(self, load: int) -> int:
        for j, arc in self.juror_arc.items():
            self.flow.set_arc_capacity(arc, max(0, load - self.p.fixed_per_juror[j]))
        status = self.flow.solve(0, self.sink)
        if status != self.flow.OPTIMAL:  # pragma: no cover - OR-Tools failure
            raise RuntimeError(f"max flow failed with status {status}")
        return self.flow.optimal_flow()

    def explain_shortage(self, load: int) -> InfeasibleAssignment:
        """Name the group of applications that needs more reviews than its jurors can give."""
        self.max_flow(load)
        side = set(self.flow.get_source_side_min_cut())
        group = [a for a in self.p.apps if self.app_node[a] in side]
        need = sum(self.p.demand[a] for a in group)
        edges: dict[int, int] = {}
        group_set = set(group)
        for a, j in self.p.free:
            if a in group_set:
                edges[j] = edges.get(j, 0) + 1
        can = sum(min(max(0, load - self.p.fixed_per_juror[j]), n) for j, n in edges.items())
        if len(group) == 1:
            what, wat = f"application {group[0]} needs", f"aanvraag {group[0]} heeft"
        else:
            what = f"applications {_ids(group)} together need"
            wat = f"aanvragen {_ids_nl(group)} hebben samen"
        return InfeasibleAssignment(
            f"{what} {need} more reviews, but the jurors without a conflict on them can give at "
            f"most {can} within the maximum load of {load}",
            f"{wat} nog {need} beoordelingen nodig, maar de juryleden zonder belangenconflict "
            f"kunnen er binnen de maximale belasting van {load} hoogstens {can} geven",
            kind="shortage",
            applications=group,
            needed=need,
            available=can,
        )


def _min_cost_assignment(p: _Problem, load: int, costs: AssignmentCosts) -> list[Pair]:
    """Free pairs minimising M·Σ(load²) − Σ affinity with every juror at most ``load``."""
    n_apps = len(p.apps)
    app_node = {a: 1 + i for i, a in enumerate(p.apps)}
    juror_node = {j: 1 + n_apps + i for i, j in enumerate(p.juror_ids)}
    sink = 1 + n_apps + len(p.juror_ids)
    expertise = {j.id: j.expertise for j in p.jurors}
    affinity = [costs.affinity(expertise[j], p.domains[a]) for a, j in p.free]
    # Any two solutions differ by at least 1 in Σ load²; M exceeds any affinity difference.
    big_m = 1 + p.need * max([0, *affinity])
    flow = min_cost_flow.SimpleMinCostFlow()
    for a in p.apps:
        flow.add_arc_with_capacity_and_unit_cost(0, app_node[a], p.demand[a], 0)
    pair_arcs = [
        flow.add_arc_with_capacity_and_unit_cost(app_node[a], juror_node[j], 1, -aff)
        for (a, j), aff in zip(p.free, affinity, strict=True)
    ]
    for j in p.juror_ids:
        for k in range(p.fixed_per_juror[j] + 1, load + 1):
            # Marginal cost of the k-th review: k² − (k−1)² = 2k − 1, increasing (convex).
            flow.add_arc_with_capacity_and_unit_cost(juror_node[j], sink, 1, big_m * (2 * k - 1))
    flow.set_node_supply(0, p.need)
    flow.set_node_supply(sink, -p.need)
    for node in range(1, sink):
        flow.set_node_supply(node, 0)
    status = flow.solve()
    if status != flow.OPTIMAL:  # pragma: no cover - feasibility was proven by max flow
        raise RuntimeError(f"min cost flow failed with status {status}")
    return [pair for pair, arc in zip(p.free, pair_arcs, strict=True) if flow.flow(arc) > 0]


def assign_jurors(
    applications: Mapping[int, Iterable[str]],
    jurors: Sequence[Juror],
    conflicts: ConflictSet | Iterable[Pair] = (),
    *,
    reviewers_per_application: int = 3,
    max_load: int = 8,
    fixed: Iterable[Pair] = (),
    costs: AssignmentCosts | None = None,
) -> AssignmentResult:
    """Assign jurors to applications (ids → domains), optimally; see the module docstring.

    ``fixed`` pairs (set by the admin) are kept and count towards loads and affinity.
    Raises :class:`InfeasibleAssignment` with a plain reason, :class:`InvalidAssignmentInput`
    on bad parameters.
    """
    start = time.perf_counter()
    costs = costs or AssignmentCosts()
    p = _Problem(applications, jurors, conflicts, fixed, reviewers_per_application, max_load)
    p.check_simple_causes()
    chosen: list[Pair] = []
    if p.need > 0:
        network = _FeasibilityNetwork(p)
        if network.max_flow(max_load) < p.need:
            raise network.explain_shortage(max_load)
        chosen = _min_cost_assignment(p, max_load, costs)
    pairs = tuple(sorted(set(chosen) | p.fixed_set))
    loads = {j: 0 for j in p.juror_ids}
    for _a, j in pairs:
        loads[j] += 1
    expertise = {j.id: j.expertise for j in p.jurors}
    affinities = [costs.affinity(expertise[j], p.domains[a]) for a, j in pairs]
    objective = AssignmentObjective(
        highest_load=max(loads.values(), default=0),
        load_squares=sum(n * n for n in loads.values()),
        affinity=sum(affinities),
        lowest_load=min(loads.values(), default=0),
        matched_reviews=sum(1 for x in affinities if x > 0),
    )
    return AssignmentResult(
        assignments=pairs,
        loads=tuple(sorted(loads.items())),
        fixed=p.fixed,
        objective=objective,
        status="optimal",
        reviewers_per_application=reviewers_per_application,
        max_load=max_load,
        costs=costs,
        runtime_s=time.perf_counter() - start,
    )


def reassign_after_conflict(
    current: Iterable[Pair],
    applications: Mapping[int, Iterable[str]],
    jurors: Sequence[Juror],
    conflicts: ConflictSet | Iterable[Pair],
    *,
    reviewers_per_application: int = 3,
    max_load: int = 8,
    costs: AssignmentCosts | None = None,
) -> Reassignment:
    """Withdraw every current assignment that is now conflicted and fill the gaps.

    ``conflicts`` is the full, updated conflict set (including the new conflict). All other
    current assignments are kept fixed; only replacements are chosen, by the same objective as
    :func:`assign_jurors`. Raises :class:`InfeasibleAssignment` when no juror without a conflict
    has room for a withdrawn application.
    """
    pairs = conflicts.pairs if isinstance(conflicts, ConflictSet) else frozenset(conflicts)
    current_set = set(current)
    withdrawn = tuple(sorted(current_set & pairs))
    kept = current_set - set(withdrawn)
    result = assign_jurors(
        applications,
        jurors,
        pairs,
        reviewers_per_application=reviewers_per_application,
        max_load=max_load,
        fixed=kept,
        costs=costs,
    )
    added = tuple(sorted(set(result.assignments) - kept))
    return Reassignment(withdrawn=withdrawn, added=added, result=result)
