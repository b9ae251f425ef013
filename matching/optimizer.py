"""Region-wide lighthouse-follower plans: a capacitated p-median with side constraints.

Build a :class:`ClusterModel` (municipalities, per-domain experience scores and maturity classes),
then ``model.solve(params)`` returns an immutable :class:`ClusterPlan` with status, objective,
lower bound, gap and clusters. Modelled after PyVRP's ``Model.solve() -> Result``.

Per domain d (several at once), with participants P and candidates C_d (maturity at least
``min_maturity``, or pinned):

* y[d, l] = 1 when l is a lighthouse of d; x[d, f, l] = 1 when follower f follows l in d;
* every participant is in exactly one cluster of every domain: y[d, f] + sum_l x[d, f, l] = 1
  (a lighthouse serves itself);
* min_followers * y[d, l] <= sum_f x[d, f, l] <= max_followers * y[d, l]; x[d, f, l] <= y[d, l];
* k lighthouses per domain exactly, or within [min, max], or free (then the fixed cost decides);
* sum_d y[d, l] <= 1 when ``one_domain_per_lighthouse`` (the sources: each lighthouse focuses on
  one domain);
* pairs farther than ``max_distance_km`` and forbidden pairs have no x; pinned lighthouses and
  forced assignments are fixed to 1.

Objective: sum of :func:`assignment_cost` over the assignments plus ``lighthouse_fixed`` per
lighthouse. Solved with OR-Tools CP-SAT on costs in hundredths of a point; the reported
objective and bound are in points. See ``docs/optimizer.md``.
"""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import asdict, dataclass, field

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model
from scipy.optimize import linprog
from scipy.sparse import csr_matrix, vstack

from matching.geo import distance_matrix_km
from matching.registry import DOMAINS, Municipality

#: Maturity classes, weakest first (``matching.experience`` lists them strongest first).
MATURITY_ORDER: tuple[str, ...] = ("none", "starter", "experienced", "lighthouse-ready")

#: Population thresholds of the size classes in inhabitants: < 10,000 small (the issue's
#: coverage figure), > 50,000 large (SERV typology, seed 004 L296); in between medium.
SIZE_THRESHOLDS: tuple[int, int] = (10_000, 50_000)

#: Costs are scaled to integers for CP-SAT with this factor (hundredths of a point).
COST_SCALE = 100

_UNIT = 1.0 / COST_SCALE

#: on_progress(elapsed_s, best_objective or None, lower_bound, gap)
ProgressCallback = Callable[[float, "float | None", float, float], None]


class InvalidPlanRequest(Exception):
    """A malformed request: names the parameter (``field``) and what is wrong with it."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message


@dataclass(frozen=True)
class ClusterCosts:
    """Every weight of the plan's cost, in cost points (1 point = the cost of 1 km).

    Assigning follower f to lighthouse l in domain d costs (see :func:`assignment_cost`)::

        distance_per_km * km(f, l)
        + size_mismatch * |size_class(f) - size_class(l)| / 2
        + centrumstad_mismatch * [exactly one of f, l is a centrumstad]
        + inexperience * (1 - min(1, experience(l, d) / experience_reference))

    and every lighthouse costs ``lighthouse_fixed``. All values are our own tuning
    [interpretation], not figures from the sources: the sources ask for neighbours first but
    allow peers of the same type or size (004 L812) and experienced lighthouses (000, 5.2).
    """

    distance_per_km: float = 1.0
    """Points per km of great-circle distance between follower and lighthouse."""
    size_mismatch: float = 10.0
    """Points for a follower two size classes away from its lighthouse (small vs large)."""
    centrumstad_mismatch: float = 5.0
    """Points when one of the two is a centrumstad and the other is not (urban vs rural)."""
    inexperience: float = 20.0
    """Points per follower for a lighthouse without experience in the domain (0 at reference)."""
    experience_reference: float = 1.0
    """Experience score that counts as fully experienced (``lighthouse_ready_min_score``)."""
    lighthouse_fixed: float = 0.0
    """Points per lighthouse; with a free number of lighthouses this decides how many."""

    def as_dict(self) -> dict[str, float]:
        return asdict(self)


DEFAULT_COSTS = ClusterCosts()


def size_class(population: int) -> int:
    """0 small (< 10,000 inhabitants), 1 medium, 2 large (> 50,000)."""
    small, large = SIZE_THRESHOLDS
    return 0 if population < small else (2 if population > large else 1)


@dataclass(frozen=True)
class CostParts:
    """One follower-lighthouse cost split into its terms (points); ``total`` is their sum."""

    distance: float
    size: float
    centrumstad: float
    inexperience: float

    @property
    def total(self) -> float:
        return self.distance + self.size + self.centrumstad + self.inexperience


def assignment_cost(
    follower: Municipality,
    lighthouse: Municipality,
    distance_km: float,
    lighthouse_experience: float,
    costs: ClusterCosts = DEFAULT_COSTS,
) -> CostParts:
    """Cost of ``follower`` following ``lighthouse`` (the one formula, see :class:`ClusterCosts`).

    ``distance_km`` is their great-circle distance, ``lighthouse_experience`` the lighthouse's
    experience score in the domain. A lighthouse serving itself costs nothing.
    """
    if follower.refnis == lighthouse.refnis:
        return CostParts(0.0, 0.0, 0.0, 0.0)
    ref = costs.experience_reference
    level = min(1.0, max(0.0, lighthouse_experience) / ref) if ref > 0 else 1.0
    return CostParts(
        distance=costs.distance_per_km * distance_km,
        size=costs.size_mismatch
        * abs(size_class(follower.population) - size_class(lighthouse.population)) / 2,
        centrumstad=costs.centrumstad_mismatch
        * float(follower.is_centrumstad != lighthouse.is_centrumstad),
        inexperience=costs.inexperience * (1.0 - level),
    )


@dataclass(frozen=True)
class PlanParams:
    """What the planner asks for. ``None`` means "no limit" unless said otherwise."""

    domains: tuple[str, ...] = DOMAINS
    lighthouses: int | None = None
    """Exact number of lighthouses per domain (overrides min/max)."""
    min_lighthouses: int | None = None
    max_lighthouses: int | None = None
    max_followers: int | None = None
    """Followers per cluster, the lighthouse itself not counted."""
    min_followers: int = 0
    max_distance_km: float | None = None
    participants: tuple[str, ...] | None = None
    """REFNIS codes that take part (default: every municipality of the model)."""
    pinned_lighthouses: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    """domain -> REFNIS codes that must be lighthouses of that domain."""
    forced: tuple[tuple[str, str, str], ...] = ()
    """(domain, follower, lighthouse) assignments that must hold."""
    forbidden: tuple[tuple[str, str, str], ...] = ()
    """(domain, follower, lighthouse) assignments that must not hold."""
    excluded: tuple[str, ...] = ()
    """REFNIS codes left out entirely (neither follower nor lighthouse)."""
    min_maturity: str = "experienced"
    one_domain_per_lighthouse: bool = True
    time_limit_s: float = 60.0
    costs: ClusterCosts = DEFAULT_COSTS
    workers: int = 1
    """CP-SAT workers. One LP-driven worker with full linearization proved the
    fastest on our 2-core machine (bench/bench_flanders_plan.py)."""


@dataclass(frozen=True)
class Follower:
    refnis: str
    distance_km: float
    cost: float


@dataclass(frozen=True)
class Cluster:
    domain: str
    lighthouse: str
    followers: tuple[Follower, ...]


@dataclass(frozen=True)
class ClusterPlan:
    """Result of a solve. Objective and bound in cost points; ``gap`` relative to objective."""

    status: str  # "optimal" | "feasible" | "infeasible"
    objective: float | None
    lower_bound: float | None
    gap: float | None
    seconds: float
    clusters: tuple[Cluster, ...] = ()
    reason: str | None = None
    costs: ClusterCosts = DEFAULT_COSTS

    def lighthouses(self, domain: str) -> tuple[str, ...]:
        return tuple(c.lighthouse for c in self.clusters if c.domain == domain)

    def as_dict(self) -> dict:
        """Plain JSON-ready form (the API's ``result``)."""
        return {
            "status": self.status,
            "objective": self.objective,
            "lower_bound": self.lower_bound,
            "gap": self.gap,
            "seconds": round(self.seconds, 3),
            "reason": self.reason,
            "costs": self.costs.as_dict(),
            "clusters": [
                {
                    "domain": c.domain,
                    "lighthouse": c.lighthouse,
                    "followers": [
                        {"refnis": f.refnis, "distance_km": round(f.distance_km, 2),
                         "cost": round(f.cost, 2)}
                        for f in c.followers
                    ],
                }
                for c in self.clusters
            ],
        }


class _Infeasible(Exception):
    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ClusterModel:
    """The planning data: municipalities, experience and maturity per domain."""

    def __init__(self) -> None:
        self._municipalities: dict[str, Municipality] = {}
        self._experience: dict[str, dict[str, float]] = {}
        self._maturity: dict[str, dict[str, str]] = {}

    def add_municipality(self, municipality: Municipality) -> None:
        self._municipalities[municipality.refnis] = municipality

    def add_municipalities(self, municipalities: Iterable[Municipality]) -> None:
        for m in municipalities:
            self.add_municipality(m)

    def set_experience(self, domain: str, scores: Mapping[str, float]) -> None:
        """Experience score per REFNIS in ``domain`` (missing: 0)."""
        self._check_domain(domain, "experience")
        self._experience[domain] = dict(scores)

    def set_maturity(self, domain: str, classes: Mapping[str, str]) -> None:
        """Maturity class per REFNIS in ``domain`` (missing: ``none``)."""
        self._check_domain(domain, "maturity")
        for refnis, cls in classes.items():
            if cls not in MATURITY_ORDER:
                raise InvalidPlanRequest("maturity", f"unknown class {cls!r} for {refnis}")
        self._maturity[domain] = dict(classes)

    @property
    def municipalities(self) -> tuple[Municipality, ...]:
        return tuple(self._municipalities.values())

    @staticmethod
    def _check_domain(domain: str, field_name: str) -> None:
        if domain not in DOMAINS:
            raise InvalidPlanRequest(field_name, f"unknown domain {domain!r}")

    def solve(
        self,
        params: PlanParams = PlanParams(),
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
    ) -> ClusterPlan:
        """Solve the plan. Raises :class:`InvalidPlanRequest` for a malformed request; an
        infeasible but well-formed one returns a plan with status ``infeasible`` and a reason.
        ``cancel`` stops the search (the best plan so far is returned as ``feasible``)."""
        start = time.perf_counter()
        spec = _Spec.build(self, params)
        try:
            spec.precheck()
            return _solve_cp(spec, params, start, on_progress, cancel)
        except _Infeasible as exc:
            return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                               reason=exc.reason, costs=params.costs)


@dataclass
class _Spec:
    """The validated request in index form."""

    muni: list[Municipality]
    index: dict[str, int]
    part: np.ndarray  # participant indices
    domains: tuple[str, ...]
    cand: dict[str, np.ndarray]
    kmin: dict[str, int]
    kmax: dict[str, int]
    pinned: dict[str, set[int]]
    forced: dict[tuple[str, int], int]
    forbidden: set[tuple[str, int, int]]
    dist: np.ndarray
    cost: dict[str, np.ndarray]  # domain -> (n, n) cost in points
    params: PlanParams
    pruned: dict[str, np.ndarray] = field(default_factory=dict)  # LP-excluded pairs (False)
    lp_banned: dict[str, set[int]] = field(default_factory=dict)  # LP-excluded lighthouses
    lp: dict[str, tuple] = field(default_factory=dict)  # domain -> _domain_lp result
    # the same fixing for one domain solved alone (against that domain's own greedy plan)
    pruned_alone: dict[str, np.ndarray] = field(default_factory=dict)
    banned_alone: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, model: ClusterModel, params: PlanParams) -> _Spec:
        muni = list(model.municipalities)
        if not muni:
            raise InvalidPlanRequest("participants", "the model has no municipalities")
        index = {m.refnis: i for i, m in enumerate(muni)}

        def known(refnis: str, field_name: str) -> int:
            if refnis not in index:
                raise InvalidPlanRequest(field_name, f"unknown municipality {refnis!r}")
            return index[refnis]

        if not params.domains:
            raise InvalidPlanRequest("domains", "give at least one domain")
        for d in params.domains:
            if d not in DOMAINS:
                raise InvalidPlanRequest("domains", f"unknown domain {d!r}")
        if len(set(params.domains)) != len(params.domains):
            raise InvalidPlanRequest("domains", "a domain is listed twice")
        if params.min_maturity not in MATURITY_ORDER:
            raise InvalidPlanRequest("min_maturity", f"unknown class {params.min_maturity!r}")
        for name in ("lighthouses", "min_lighthouses", "max_lighthouses", "max_followers"):
            value = getattr(params, name)
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < (1 if "lighthouses" in name else 0)):
                raise InvalidPlanRequest(name, f"must be a whole number >= "
                                         f"{1 if 'lighthouses' in name else 0}, got {value!r}")
        if not isinstance(params.min_followers, int) or params.min_followers < 0:
            raise InvalidPlanRequest("min_followers", "must be a whole number >= 0")
        if params.max_followers is not None and params.min_followers > params.max_followers:
            raise InvalidPlanRequest("min_followers", "is larger than max_followers")
        if params.max_distance_km is not None and not (
            isinstance(params.max_distance_km, (int, float)) and params.max_distance_km >= 0
            and math.isfinite(params.max_distance_km)
        ):
            raise InvalidPlanRequest("max_distance_km", "must be a finite number of km >= 0")
        if not params.time_limit_s > 0:
            raise InvalidPlanRequest("time_limit_s", "must be > 0 seconds")
        if (params.min_lighthouses is not None and params.max_lighthouses is not None
                and params.min_lighthouses > params.max_lighthouses):
            raise InvalidPlanRequest("min_lighthouses", "is larger than max_lighthouses")
        excluded = {known(r, "excluded") for r in params.excluded}
        if params.participants is None:
            part_set = set(range(len(muni))) - excluded
        else:
            part_set = {known(r, "participants") for r in params.participants} - excluded
        if not part_set:
            raise InvalidPlanRequest("participants", "no participating municipality left")
        part = np.array(sorted(part_set), dtype=np.int64)
        threshold = MATURITY_ORDER.index(params.min_maturity)
        pinned: dict[str, set[int]] = {d: set() for d in params.domains}
        for d, codes in params.pinned_lighthouses.items():
            if d not in params.domains:
                raise InvalidPlanRequest("pinned_lighthouses", f"domain {d!r} is not planned")
            for r in codes:
                i = known(r, "pinned_lighthouses")
                if i not in part_set:
                    raise InvalidPlanRequest("pinned_lighthouses",
                                             f"{r} is excluded or not participating")
                pinned[d].add(i)
        if params.one_domain_per_lighthouse:
            seen: dict[int, str] = {}
            for d in params.domains:
                for i in pinned[d]:
                    if i in seen:
                        raise InvalidPlanRequest(
                            "pinned_lighthouses",
                            f"{muni[i].refnis} is pinned in {seen[i]} and {d}, but a "
                            "lighthouse serves one domain",
                        )
                    seen[i] = d
        cand: dict[str, np.ndarray] = {}
        for d in params.domains:
            mat = model._maturity.get(d, {})
            ok = [i for i in part if MATURITY_ORDER.index(mat.get(muni[i].refnis, "none"))
                  >= threshold or i in pinned[d]]
            cand[d] = np.array(sorted(ok), dtype=np.int64)
        forced: dict[tuple[str, int], int] = {}
        forbidden: set[tuple[str, int, int]] = set()
        for field_name, triples in (("forced", params.forced), ("forbidden", params.forbidden)):
            for triple in triples:
                if len(triple) != 3:
                    raise InvalidPlanRequest(field_name, "expects (domain, follower, lighthouse)")
                d, f, lh = triple
                if d not in params.domains:
                    raise InvalidPlanRequest(field_name, f"domain {d!r} is not planned")
                fi, li = known(f, field_name), known(lh, field_name)
                if fi not in part_set or li not in part_set:
                    raise InvalidPlanRequest(field_name, f"{f} or {lh} does not participate")
                if field_name == "forced":
                    if forced.get((d, fi), li) != li:
                        raise InvalidPlanRequest("forced", f"{f} is forced to two lighthouses "
                                                 f"in {d}")
                    if li not in set(cand[d].tolist()):
                        raise InvalidPlanRequest("forced", f"{lh} is not a candidate in {d}")
                    forced[(d, fi)] = li
                else:
                    forbidden.add((d, fi, li))
        for (d, fi), li in forced.items():
            if (d, fi, li) in forbidden:
                raise InvalidPlanRequest("forced", f"{muni[fi].refnis} -> {muni[li].refnis} in "
                                         f"{d} is both forced and forbidden")
            if fi in pinned[d] and fi != li:
                raise InvalidPlanRequest("forced", f"{muni[fi].refnis} is a pinned lighthouse "
                                         f"in {d} and cannot follow another")
        kmin: dict[str, int] = {}
        kmax: dict[str, int] = {}
        for d in params.domains:
            nc = len(cand[d])
            if params.lighthouses is not None:
                lo = hi = params.lighthouses
                name = "lighthouses"
            else:
                lo = params.min_lighthouses if params.min_lighthouses is not None else 1
                hi = params.max_lighthouses if params.max_lighthouses is not None else nc
                name = "min_lighthouses"
            if lo > nc:
                raise InvalidPlanRequest(name, f"{lo} lighthouses asked in {d} but only {nc} "
                                         f"candidates (maturity >= {params.min_maturity} or "
                                         "pinned)")
            if len(pinned[d]) > hi:
                raise InvalidPlanRequest("pinned_lighthouses", f"{len(pinned[d])} pinned in {d} "
                                         f"but at most {hi} lighthouses")
            kmin[d], kmax[d] = max(lo, len(pinned[d])), min(hi, nc)
        dist = distance_matrix_km(muni)
        costs = params.costs
        cost: dict[str, np.ndarray] = {}
        size = np.array([size_class(m.population) for m in muni])
        centrum = np.array([m.is_centrumstad for m in muni])
        base = (costs.distance_per_km * dist
                + costs.size_mismatch * np.abs(size[:, None] - size[None, :]) / 2
                + costs.centrumstad_mismatch * (centrum[:, None] != centrum[None, :]))
        ref = costs.experience_reference
        for d in params.domains:
            exp = model._experience.get(d, {})
            level = np.array([min(1.0, max(0.0, exp.get(m.refnis, 0.0)) / ref) if ref > 0
                              else 1.0 for m in muni])
            c = base + costs.inexperience * (1.0 - level)[None, :]
            np.fill_diagonal(c, 0.0)
            cost[d] = np.rint(c * COST_SCALE) / COST_SCALE  # the hundredths CP-SAT works in
        return cls(muni, index, part, tuple(params.domains), cand, kmin, kmax, pinned, forced,
                   forbidden, dist, cost, params)

    def allowed(self, d: str, scope: str = "joint") -> np.ndarray:
        """(participants x candidates) mask of follower -> lighthouse pairs the model may use;
        ``scope`` "joint" or "alone" also drops the pairs that LP fixing excluded for the whole
        plan or for domain d solved alone, "none" keeps them."""
        part, cand = self.part, self.cand[d]
        mask = np.ones((len(part), len(cand)), dtype=bool)
        if self.params.max_distance_km is not None:
            mask &= self.dist[np.ix_(part, cand)] <= self.params.max_distance_km + 1e-9
        pos = {int(c): k for k, c in enumerate(cand)}
        ppos = {int(f): k for k, f in enumerate(part)}
        for dd, fi, li in self.forbidden:
            if dd == d and li in pos:
                mask[ppos[fi], pos[li]] = False
        for (dd, fi), li in self.forced.items():
            if dd == d:
                mask[ppos[fi], :] = False
                mask[ppos[fi], pos[li]] = True
        pruned = {"joint": self.pruned, "alone": self.pruned_alone}.get(scope, {})
        if d in pruned:
            mask &= pruned[d]
        mask[part[:, None] == cand[None, :]] = True  # a lighthouse always serves itself
        return mask

    def banned(self, d: str, scope: str = "joint") -> set[int]:
        """Lighthouses excluded by LP fixing in ``scope`` (see :meth:`allowed`)."""
        return {"joint": self.lp_banned, "alone": self.banned_alone}.get(scope, {}).get(d, set())

    def precheck(self) -> None:
        """Cheap reasons a well-formed request cannot be met, in plain words."""
        p = self.params
        n = len(self.part)
        for d in self.domains:
            kmin, kmax = self.kmin[d], self.kmax[d]
            if kmin > n:
                raise _Infeasible(f"{kmin} lighthouses needed in {d} but only {n} participants")
            if p.max_followers is not None and kmax * (p.max_followers + 1) < n:
                raise _Infeasible(
                    f"total capacity {kmax * p.max_followers} < {n - kmax} followers in {d} "
                    f"({kmax} lighthouses x {p.max_followers} followers)"
                )
            if kmin * (p.min_followers + 1) > n:
                raise _Infeasible(
                    f"{kmin} clusters of at least {p.min_followers} followers need "
                    f"{kmin * (p.min_followers + 1)} participants in {d}, only {n} take part"
                )
            mask = self.allowed(d)
            for row in np.flatnonzero(~mask.any(axis=1)):
                name = self.muni[self.part[row]].name_nl
                if p.max_distance_km is not None:
                    raise _Infeasible(f"no candidate within {p.max_distance_km:g} km of {name} "
                                      f"in {d}")
                raise _Infeasible(f"no allowed lighthouse for {name} in {d}")
        if p.one_domain_per_lighthouse:
            need = sum(self.kmin[d] for d in self.domains)
            union = set().union(*(set(self.cand[d].tolist()) for d in self.domains))
            if need > len(union):
                raise _Infeasible(f"{need} lighthouses needed over the domains but only "
                                  f"{len(union)} distinct candidates, and a lighthouse serves "
                                  "one domain")


class _Progress(cp_model.CpSolverSolutionCallback):
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
        gap = _gap(self.best, self.bound)
        self.on_progress(time.perf_counter() - self.start, self.best, self.bound,
                         gap if gap is not None else math.inf)

    def on_solution_callback(self) -> None:
        self.best = self.objective_value / self.scale
        self.bound = max(self.bound, self.best_objective_bound / self.scale)
        self.emit()

    def on_bound(self, bound: float) -> None:
        self.bound = max(self.bound, bound / self.scale)
        self.emit()


def _gap(objective: float | None, bound: float | None) -> float | None:
    if objective is None or bound is None:
        return None
    if objective <= 0:
        return 0.0 if bound >= objective - 1e-9 else math.inf
    return max(0.0, (objective - bound) / objective)


@dataclass
class _CpRun:
    """One CP-SAT solve over some domains: status, objective and bound in points, the plan."""

    status: int
    objective: float | None
    bound: float | None
    lighthouses: dict[str, set[int]]
    followers: dict[str, dict[int, int]]  # domain -> follower -> lighthouse


def _cp_solve(spec: _Spec, params: PlanParams, domains: tuple[str, ...],
              banned: Mapping[str, set[int]], hint: _CpRun | None, deadline: float,
              progress: _Progress | None, cancel: threading.Event | None,
              scope: str = "joint") -> _CpRun:
    """Build and solve the CP-SAT model of ``domains`` (coupled by one domain per lighthouse),
    with the lighthouses in ``banned[d]`` forbidden in d and ``hint`` as warm start; the solve
    stops at ``deadline`` (``time.perf_counter()`` seconds), model building included."""
    model = cp_model.CpModel()
    part = spec.part
    scale = COST_SCALE
    fixed = int(round(params.costs.lighthouse_fixed * scale))
    y: dict[str, dict[int, cp_model.IntVar]] = {}
    xs: dict[str, list[tuple[int, int, cp_model.IntVar]]] = {}
    objective_terms = []
    for d in domains:
        cand = spec.cand[d]
        y[d] = {int(c): model.new_bool_var(f"y_{d}_{c}") for c in cand}
        mask = spec.allowed(d, scope)
        cost = spec.cost[d]
        members: dict[int, list] = {int(c): [] for c in cand}
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
        _hint(model, spec, y, xs, params, domains, scope)

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
        return _CpRun(status, None, None, {}, {})
    objective = solver.objective_value / scale
    bound = objective if status == cp_model.OPTIMAL else solver.best_objective_bound / scale
    lighthouses = {d: {lh for lh, v in y[d].items() if solver.boolean_value(v)} for d in domains}
    followers = {d: {f: lh for f, lh, v in xs[d] if solver.boolean_value(v)} for d in domains}
    return _CpRun(status, objective, bound, lighthouses, followers)


def _solve_cp(spec: _Spec, params: PlanParams, start: float,
              on_progress: ProgressCallback | None,
              cancel: threading.Event | None) -> ClusterPlan:
    """Several domains: solve each alone first (their bounds add up to a valid bound of the
    whole plan, because the coupling only removes plans), repair lighthouses chosen in two
    domains by re-solving with bans, then solve all domains together from that plan."""
    deadline = start + params.time_limit_s
    progress = _Progress(start, COST_SCALE, 0.0, on_progress)

    def left() -> float:
        return deadline - time.perf_counter()

    def stopped() -> bool:
        return cancel is not None and cancel.is_set()

    domains = spec.domains
    best: _CpRun | None = None
    floor = _lp_prune(spec, params, start + 0.4 * params.time_limit_s, cancel)
    if floor is not None:
        progress.bound = floor
    greedy = _greedy(spec, params, domains, "none")
    greedy_cost = _greedy_cost(spec, params, greedy)
    if greedy_cost is not None:  # a plan to fall back on, whatever happens next
        best = _CpRun(cp_model.FEASIBLE, float(greedy_cost), floor or 0.0,
                      {d: greedy[d][0] for d in domains}, {d: greedy[d][1] for d in domains})
        progress.best = best.objective
    progress.emit()
    if len(domains) > 1 and not stopped():
        runs: dict[str, _CpRun] = {}
        share = 0.5 * left() / len(domains)
        for d in domains:
            run = _cp_solve(spec, params, (d,), {}, None, time.perf_counter() + share, None,
                            cancel, scope="alone")
            if run.status == cp_model.INFEASIBLE:
                return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                                   reason=f"no plan for {d} alone meets its constraints "
                                   "(capacities, distances, pins, forced and forbidden)",
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
            repaired = _repair(spec, params, plans) if params.one_domain_per_lighthouse \
                else False
            total = sum(sum(spec.cost[d][f, lh] for f, lh in plans[d][1].items())
                        + params.costs.lighthouse_fixed * len(plans[d][0]) for d in domains)
            if repaired is not None and (best is None or total <= best.objective):
                best = _CpRun(cp_model.FEASIBLE, float(total), floor,
                              {d: plans[d][0] for d in domains},
                              {d: plans[d][1] for d in domains})
                progress.best = best.objective
                progress.emit()
                _prune(spec, best.objective)  # a better plan than the greedy one: prune again
                if not repaired and all(r.status == cp_model.OPTIMAL for r in runs.values()):
                    return _plan(spec, params, best, floor, start, optimal=True)
            if best is not None and len(domains) > 1 and params.one_domain_per_lighthouse:
                best = _improve_by_domain(spec, params, best, deadline, share, progress, cancel)
    # The joint model is large: only worth building with a good share of the time left.
    if not stopped() and (best is None or len(domains) == 1 or left() > 0.25 * params.time_limit_s):
        joint = _cp_solve(spec, params, domains, {}, best, deadline, progress, cancel)
        if joint.status == cp_model.INFEASIBLE:
            return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                               reason="no plan meets all constraints together (capacities, "
                               "distances, pins, forced and forbidden assignments, one domain "
                               "per lighthouse)", costs=params.costs)
        if joint.objective is not None and (best is None or joint.objective <= best.objective):
            if floor is not None:
                joint.bound = max(joint.bound, floor)
            best = joint
        elif best is not None and joint.bound is not None:
            best.bound = max(best.bound, joint.bound)
    if best is None:
        if stopped():
            reason = "cancelled before a plan was found (not proven infeasible)"
        else:
            reason = (f"no plan found within the time limit of {params.time_limit_s:g} s "
                      "(not proven infeasible; allow more time)")
        return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                           reason=reason, costs=params.costs)
    # Plan costs are whole hundredths of a point: a bound within one hundredth proves optimality.
    if best.bound is None:
        best.bound = max(floor or 0.0, 0.0)  # every cost is >= 0
    optimal = best.status == cp_model.OPTIMAL or best.objective - best.bound < _UNIT - 1e-6
    return _plan(spec, params, best, best.bound, start, optimal=optimal)


def _improve_by_domain(spec: _Spec, params: PlanParams, best: _CpRun, deadline: float,
                       share: float, progress: _Progress, cancel: threading.Event | None
                       ) -> _CpRun:
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
            run = _cp_solve(spec, params, (d,), {d: others}, best,
                            min(deadline, time.perf_counter() + share), None, cancel)
            if run.objective is not None and run.objective < own - 1e-9:
                lights = dict(best.lighthouses)
                follow = dict(best.followers)
                lights[d], follow[d] = run.lighthouses[d], run.followers[d]
                best = _CpRun(cp_model.FEASIBLE, best.objective - own + run.objective,
                              best.bound, lights, follow)
                progress.best = best.objective
                progress.emit()
                improved = True
        if not improved:
            break
    return best


def _repair(spec: _Spec, params: PlanParams,
            plans: dict[str, tuple[set[int], dict[int, int]]]) -> bool | None:
    """Make the lighthouses of the domains disjoint, in place: a municipality chosen in several
    domains stays where it has most followers (or is pinned); elsewhere it is replaced by the
    unused candidate that gives the cheapest assignment (min-cost flow). Returns whether
    anything changed, or None when no replacement fits."""
    changed = False
    part = spec.part
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
        cand = spec.cand[d]
        cost = np.where(spec.allowed(d, "none"), spec.cost[d][np.ix_(part, cand)], np.inf)
        used = set(owner)
        others = [c for c in plans[d][0] if c != lh]
        best = None
        for alt in cand:
            if int(alt) in used:
                continue
            picked = set(others) | {int(alt)}
            chosen = [int(np.flatnonzero(cand == c)[0]) for c in picked]
            follow = _flow_assignment(cost, part, cand, chosen, picked, params.max_followers)
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


def _plan(spec: _Spec, params: PlanParams, run: _CpRun, bound: float, start: float,
          optimal: bool) -> ClusterPlan:
    objective = run.objective
    if optimal:
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
    return ClusterPlan("optimal" if optimal else "feasible", objective, bound,
                       _gap(objective, bound), time.perf_counter() - start, tuple(clusters),
                       costs=params.costs)


def _domain_lp(spec: _Spec, params: PlanParams, d: str,
               deadline: float) -> tuple[float, np.ndarray, np.ndarray, np.ndarray,
                                         np.ndarray] | None:
    """LP relaxation of one domain alone (HiGHS): a lower bound valid for any duals, the
    reduced costs of every allowed pair (participants x candidates) and of every candidate, and
    the LP's lighthouse values.

    Rows: each participant served once (eq.); x_fl <= y_l; followers <= max_followers * y_l;
    followers >= min_followers * y_l; kmin <= sum y <= kmax. Returns (bound, pair mask,
    pair reduced costs, candidate reduced costs, y) or None when out of time."""
    part, cand = spec.part, spec.cand[d]
    np_, nc = len(part), len(cand)
    mask = spec.allowed(d, "none")
    is_self = part[:, None] == cand[None, :]
    pairs = mask & ~is_self
    ii, jj = np.nonzero(pairs)
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
    if params.max_followers is not None:
        blocks.append(csr_matrix((np.concatenate([np.ones(nx), np.full(nc, -params.max_followers,
                                                                       dtype=float)]),
                                  (np.concatenate([jj, np.arange(nc)]),
                                   np.concatenate([xcol, np.arange(nc)]))), shape=(nc, ncol)))
        rhs.append(np.zeros(nc))
    if params.min_followers > 0:
        blocks.append(csr_matrix((np.concatenate([-np.ones(nx), np.full(nc, params.min_followers,
                                                                        dtype=float)]),
                                  (np.concatenate([jj, np.arange(nc)]),
                                   np.concatenate([xcol, np.arange(nc)]))), shape=(nc, ncol)))
        rhs.append(np.zeros(nc))
    ones = csr_matrix((np.ones(nc), (np.zeros(nc, dtype=np.int64), np.arange(nc))),
                      shape=(1, ncol))
    blocks += [ones, -ones]
    rhs += [np.array([spec.kmax[d]], dtype=float), np.array([-spec.kmin[d]], dtype=float)]
    a_ub = vstack(blocks).tocsr()
    b_ub = np.concatenate(rhs)
    b_eq = np.ones(np_)
    c = np.concatenate([np.full(nc, params.costs.lighthouse_fixed),
                        spec.cost[d][part[ii], cand[jj]]])
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
    pair_rc = np.full((np_, nc), np.inf)
    pair_rc[ii, jj] = rc[nc:]
    return bound, pairs, pair_rc, rc[:nc], res.x[:nc]


def _lp_prune(spec: _Spec, params: PlanParams, deadline: float,
              cancel: threading.Event | None = None) -> float | None:
    """Per-domain LP bounds (kept in ``spec.lp``), then :func:`_prune` against the greedy plan.
    Returns the sum of the bounds (a lower bound of the whole plan) or None when out of time.
    ``cancel`` is checked between domains (one LP takes a few seconds at most)."""
    for d in spec.domains:
        if cancel is not None and cancel.is_set():
            break
        solved = _domain_lp(spec, params, d, deadline)
        if solved is None:
            break
        spec.lp[d] = solved
    if len(spec.domains) > 1:
        for d in spec.lp:  # each domain alone, against its own greedy plan
            alone = _greedy_cost(spec, params, _greedy(spec, params, (d,), "none"))
            if alone is not None:
                keep, out = _fix(spec, d, alone + 1e-6 * max(1.0, abs(alone)) + 1e-6)
                spec.pruned_alone[d], spec.banned_alone[d] = keep, out
    if len(spec.lp) != len(spec.domains):
        return None
    ub = _greedy_cost(spec, params, _greedy(spec, params, spec.domains, "none"))
    if ub is not None:
        _prune(spec, ub)
    return sum(b[0] for b in spec.lp.values())


def _prune(spec: _Spec, ub: float) -> None:
    """Reduced-cost fixing against a plan of cost ``ub``: a plan at least as good costs at most
    ub - (sum of the other domains' LP bounds) in domain d, so a pair or lighthouse whose reduced
    cost lifts d's LP bound above that cannot be in it."""
    if len(spec.lp) != len(spec.domains):
        return
    floor = sum(b[0] for b in spec.lp.values())
    margin = 1e-6 * max(1.0, abs(ub)) + 1e-6
    for d, (bound, *_) in spec.lp.items():
        keep, out = _fix(spec, d, ub - (floor - bound) + margin)
        spec.pruned[d] = keep if d not in spec.pruned else spec.pruned[d] & keep
        spec.lp_banned[d] = spec.lp_banned.get(d, set()) | out


def _fix(spec: _Spec, d: str, cutoff: float) -> tuple[np.ndarray, set[int]]:
    """Pairs to keep and lighthouses to drop when domain d may cost at most ``cutoff``."""
    bound, pairs, pair_rc, cand_rc, _ = spec.lp[d]
    keep = ~(pairs & (bound + pair_rc > cutoff))
    cand = spec.cand[d]
    out = {int(cand[k]) for k in np.flatnonzero((cand_rc > 0) & (bound + cand_rc > cutoff))
           if int(cand[k]) not in spec.pinned[d]}
    return keep, out


def _greedy(spec: _Spec, params: PlanParams, domains: tuple[str, ...],
            scope: str = "joint") -> dict[str, tuple[set[int], dict[int, int]]]:
    """Greedy plan: per domain add the lighthouse that lowers the cheapest-lighthouse cost most
    (keeping lighthouses to one domain when asked), then assign followers by a min-cost flow
    under the follower capacity. Returns domain -> (lighthouses, follower -> lighthouse)."""
    used: set[int] = set()
    part = spec.part
    plans: dict[str, tuple[set[int], dict[int, int]]] = {}
    for d in domains:
        cand = spec.cand[d]
        mask = spec.allowed(d, scope)
        cost = np.where(mask, spec.cost[d][np.ix_(part, cand)], np.inf)
        banned = spec.banned(d, scope)
        pins = [int(np.flatnonzero(cand == lh)[0]) for lh in spec.pinned[d]]
        blocked = {col for col, c in enumerate(cand) if int(c) in banned
                   or (params.one_domain_per_lighthouse and int(c) in used)}
        options = [_greedy_pick(cost, pins, blocked, spec.kmin[d])]
        if d in spec.lp:
            y_lp = spec.lp[d][4]
            k = min(spec.kmax[d], max(spec.kmin[d], int(round(float(y_lp.sum())))))
            ranked = [c for c in np.argsort(-y_lp, kind="stable") if c not in blocked
                      and c not in pins]
            options.append(pins + ranked[: max(0, k - len(pins))])
        best_plan, best_cost = (set(), {}), np.inf
        for chosen in options:
            picked = {int(cand[c]) for c in chosen}
            follow = _flow_assignment(cost, part, cand, chosen, picked, params.max_followers) \
                if chosen else {}
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


def _greedy_pick(cost: np.ndarray, chosen: list[int], blocked: set[int], k: int) -> list[int]:
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


def _greedy_cost(spec: _Spec, params: PlanParams,
                 plans: dict[str, tuple[set[int], dict[int, int]]]) -> float | None:
    """Cost in points of a greedy plan, or None when it leaves someone out or breaks a limit."""
    total = 0.0
    for d, (picked, follow) in plans.items():
        if len(picked) < spec.kmin[d] or len(follow) + len(picked) != len(spec.part):
            return None
        counts = {lh: 0 for lh in picked}
        for f, lh in follow.items():
            counts[lh] += 1
            total += spec.cost[d][f, lh]
        if counts and min(counts.values()) < params.min_followers:
            return None
        total += params.costs.lighthouse_fixed * len(picked)
    return total


def _hint(model: cp_model.CpModel, spec: _Spec, y: dict, xs: dict, params: PlanParams,
          domains: tuple[str, ...], scope: str) -> None:
    """Warm start from :func:`_greedy`; CP-SAT repairs a hint that breaks a constraint."""
    plans = _greedy(spec, params, domains, "none")
    for d in domains:
        picked, follow = plans[d]
        for lh, var in y[d].items():
            model.add_hint(var, lh in picked)
        for f, lh, var in xs[d]:
            model.add_hint(var, follow.get(f) == lh)


def _flow_assignment(cost: np.ndarray, part: np.ndarray, cand: np.ndarray, chosen: list[int],
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
