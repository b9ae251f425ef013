"""The planning data (:class:`ClusterModel`) and the validated request in index form (:class:`Spec`)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

import numpy as np

from matching.geo import distance_matrix_km
from matching.optimizer.costs import COST_SCALE, domain_cost_matrix
from matching.optimizer.params import (
    MATURITY_ORDER,
    ClusterPlan,
    Infeasible,
    InvalidPlanRequest,
    PlanCallback,
    PlanParams,
    ProgressCallback,
    domain_nl,
)
from matching.registry import DOMAINS, Municipality


class ClusterModel:
    """The planning data: municipalities, experience and maturity per domain.

    The service builds one from the registry; :meth:`from_matrix` builds one from a plain cost
    matrix (the OR-Library benchmark tools), solved by the same :meth:`solve`.
    """

    def __init__(self, domains: Sequence[str] = DOMAINS) -> None:
        self.domains: tuple[str, ...] = tuple(domains)
        self._municipalities: dict[str, Municipality] = {}
        self._experience: dict[str, dict[str, float]] = {}
        self._maturity: dict[str, dict[str, str]] = {}
        self._demand: dict[str, dict[str, int]] = {}
        self._matrix: np.ndarray | None = None

    @classmethod
    def from_matrix(cls, costs: np.ndarray, demand: Sequence[int] | None = None,
                    ids: Sequence[str] | None = None, domain: str = "all") -> ClusterModel:
        """A one-domain model of ``n`` sites where ``costs[i, j]`` is the cost of i following j
        (the diagonal is ignored: a lighthouse serves itself at no cost). Every site is a
        candidate of maturity ``lighthouse-ready``; ``demand`` becomes the ``demand`` column
        (see :attr:`PlanParams.load`); ``ids`` default to "1".."n"."""
        costs = np.asarray(costs, dtype=np.float64)
        n = costs.shape[0]
        if costs.ndim != 2 or costs.shape[1] != n or n == 0:
            raise InvalidPlanRequest("costs", "must be a non-empty square matrix",
                                     "moet een niet-lege vierkante matrix zijn")
        ids = [str(i + 1) for i in range(n)] if ids is None else [str(i) for i in ids]
        if len(ids) != n or len(set(ids)) != n:
            raise InvalidPlanRequest("ids", f"need {n} distinct ids",
                                     f"er zijn {n} verschillende namen nodig")
        model = cls(domains=(domain,))
        model._matrix = costs
        model.add_municipalities(Municipality(i, f"site {i}", None, None, "", False, 0, 0.0, 0.0)
                                 for i in ids)
        model._maturity[domain] = dict.fromkeys(ids, "lighthouse-ready")
        if demand is not None:
            model.set_demand("demand", dict(zip(ids, demand, strict=True)))
        return model

    def set_demand(self, column: str, values: Mapping[str, int]) -> None:
        """A demand column (whole numbers >= 0 per REFNIS, missing: 0) that ``max_load`` can
        count with ``PlanParams(load=column)``; ``population`` is built in."""
        for refnis, v in values.items():
            if isinstance(v, bool) or int(v) != v or v < 0:
                raise InvalidPlanRequest("demand", f"{refnis}: demand must be a whole number "
                                         f">= 0, got {v!r}", f"{refnis}: de vraag moet een "
                                         f"geheel getal >= 0 zijn, niet {v!r}")
        self._demand[column] = {r: int(v) for r, v in values.items()}

    def demand(self, column: str, municipalities: Sequence[Municipality]) -> np.ndarray:
        """The ``column`` demand of each municipality (an int64 array)."""
        if column == "population":
            return np.array([m.population for m in municipalities], dtype=np.int64)
        values = self._demand[column]
        return np.array([values.get(m.refnis, 0) for m in municipalities], dtype=np.int64)

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
                raise InvalidPlanRequest("maturity", f"unknown class {cls!r} for {refnis}",
                                         f"onbekende klasse {cls!r} voor {refnis}")
        self._maturity[domain] = dict(classes)

    @property
    def municipalities(self) -> tuple[Municipality, ...]:
        return tuple(self._municipalities.values())

    def _check_domain(self, domain: str, field_name: str) -> None:
        if domain not in self.domains:
            raise InvalidPlanRequest(field_name, f"unknown domain {domain!r}",
                                     f"onbekend domein {domain!r}")

    def validate(self, params: PlanParams) -> None:
        """Check ``params`` against this model without solving: raises
        :class:`InvalidPlanRequest` naming the parameter when the request is malformed. Cheap
        (a few milliseconds for 300 municipalities)."""
        Spec.build(self, params)

    def solve(
        self,
        params: PlanParams = PlanParams(),
        *,
        on_progress: ProgressCallback | None = None,
        cancel: threading.Event | None = None,
        on_plan: PlanCallback | None = None,
    ) -> ClusterPlan:
        """Solve the plan. Raises :class:`InvalidPlanRequest` for a malformed request; an
        infeasible but well-formed one returns a plan with status ``infeasible`` and a reason.
        ``cancel`` stops the search within a second (status ``cancelled``, with the best plan so
        far); a plan stopped by the time limit has status ``time_limit``, never ``infeasible``.
        ``on_plan`` hears every better plan as it is found (status ``time_limit``), so a caller
        can keep a checkpoint should its process die before the solve ends."""
        from matching.optimizer.solve import solve_spec
        start = time.perf_counter()
        spec = Spec.build(self, params)
        try:
            spec.precheck()
            return solve_spec(spec, params, start, on_progress, cancel, on_plan)
        except Infeasible as exc:
            return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                               reason=exc.reason, reason_nl=exc.reason_nl, costs=params.costs)


@dataclass
class Spec:
    """The validated request in index form."""

    muni: list[Municipality]
    index: dict[str, int]
    part: np.ndarray  # participant indices (of any domain)
    parts: dict[str, np.ndarray]  # domain -> the indices that take part in that domain
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
    load: np.ndarray | None = None  # demand per municipality, when max_load is asked
    pruned: dict[str, np.ndarray] = field(default_factory=dict)  # LP-excluded pairs (False)
    lp_banned: dict[str, set[int]] = field(default_factory=dict)  # LP-excluded lighthouses
    lp: dict[str, tuple] = field(default_factory=dict)  # domain -> domain_lp result
    # the same fixing for one domain solved alone (against that domain's own greedy plan)
    pruned_alone: dict[str, np.ndarray] = field(default_factory=dict)
    banned_alone: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, model: ClusterModel, params: PlanParams) -> Spec:
        muni = list(model.municipalities)
        if not muni:
            raise InvalidPlanRequest("participants", "the model has no municipalities",
                                     "het model bevat geen gemeenten")
        index = {m.refnis: i for i, m in enumerate(muni)}

        def known(refnis: str, field_name: str) -> int:
            if refnis not in index:
                raise InvalidPlanRequest(field_name, f"unknown municipality {refnis!r}",
                                         f"onbekende gemeente {refnis!r}")
            return index[refnis]

        if not params.domains:
            raise InvalidPlanRequest("domains", "give at least one domain",
                                     "geef minstens één domein")
        for d in params.domains:
            if d not in model.domains:
                raise InvalidPlanRequest("domains", f"unknown domain {d!r}",
                                         f"onbekend domein {d!r}")
        if len(set(params.domains)) != len(params.domains):
            raise InvalidPlanRequest("domains", "a domain is listed twice",
                                     "een domein staat er twee keer in")
        if params.min_maturity not in MATURITY_ORDER:
            raise InvalidPlanRequest("min_maturity", f"unknown class {params.min_maturity!r}",
                                     f"onbekende klasse {params.min_maturity!r}")
        for name in ("lighthouses", "min_lighthouses", "max_lighthouses", "max_followers",
                     "max_load"):
            value = getattr(params, name)
            low = 1 if "lighthouses" in name else 0
            if value is not None and (isinstance(value, bool) or not isinstance(value, int)
                                      or value < low):
                raise InvalidPlanRequest(name, f"must be a whole number >= {low}, got {value!r}",
                                         f"moet een geheel getal >= {low} zijn, niet {value!r}")
        if not isinstance(params.min_followers, int) or params.min_followers < 0:
            raise InvalidPlanRequest("min_followers", "must be a whole number >= 0",
                                     "moet een geheel getal >= 0 zijn")
        if params.max_followers is not None and params.min_followers > params.max_followers:
            raise InvalidPlanRequest("min_followers", "is larger than max_followers",
                                     "is groter dan max_followers")
        if params.max_load is not None and params.load != "population" \
                and params.load not in model._demand:
            raise InvalidPlanRequest("load", f"unknown demand column {params.load!r}",
                                     f"onbekende vraagkolom {params.load!r}")
        if params.max_distance_km is not None and not (
            isinstance(params.max_distance_km, (int, float)) and params.max_distance_km >= 0
            and math.isfinite(params.max_distance_km)
        ):
            raise InvalidPlanRequest("max_distance_km", "must be a finite number of km >= 0",
                                     "moet een eindig aantal km >= 0 zijn")
        if not params.time_limit_s > 0:
            raise InvalidPlanRequest("time_limit_s", "must be > 0 seconds",
                                     "moet meer dan 0 seconden zijn")
        if (params.min_lighthouses is not None and params.max_lighthouses is not None
                and params.min_lighthouses > params.max_lighthouses):
            raise InvalidPlanRequest("min_lighthouses", "is larger than max_lighthouses",
                                     "is groter dan max_lighthouses")
        excluded = {known(r, "excluded") for r in params.excluded}
        if params.participants is None:
            part_set = set(range(len(muni))) - excluded
        else:
            part_set = {known(r, "participants") for r in params.participants} - excluded
        if not part_set:
            raise InvalidPlanRequest("participants", "no participating municipality left",
                                     "er blijft geen deelnemende gemeente over")
        domain_sets: dict[str, set[int]] = {}
        for d in params.domains:
            if d in params.domain_participants:
                domain_sets[d] = {known(r, "domain_participants")
                                  for r in params.domain_participants[d]} & part_set
            else:
                domain_sets[d] = set(part_set)
            if not domain_sets[d]:
                raise InvalidPlanRequest("domain_participants",
                                         f"no participating municipality left in {d}",
                                         f"er blijft geen deelnemende gemeente over in "
                                         f"{domain_nl(d)}")
        for d in params.domain_participants:
            if d not in params.domains:
                raise InvalidPlanRequest("domain_participants", f"domain {d!r} is not planned",
                                         f"domein {domain_nl(d)} wordt niet gepland")
        part_set = set().union(*domain_sets.values())
        part = np.array(sorted(part_set), dtype=np.int64)
        parts = {d: np.array(sorted(domain_sets[d]), dtype=np.int64) for d in params.domains}
        threshold = MATURITY_ORDER.index(params.min_maturity)
        pinned: dict[str, set[int]] = {d: set() for d in params.domains}
        for d, codes in params.pinned_lighthouses.items():
            if d not in params.domains:
                raise InvalidPlanRequest("pinned_lighthouses", f"domain {d!r} is not planned",
                                         f"domein {domain_nl(d)} wordt niet gepland")
            for r in codes:
                i = known(r, "pinned_lighthouses")
                if i not in domain_sets[d]:
                    raise InvalidPlanRequest("pinned_lighthouses",
                                             f"{r} is excluded or not participating",
                                             f"{r} is uitgesloten of neemt niet deel")
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
                            f"{muni[i].refnis} is vastgezet in {domain_nl(seen[i])} en "
                            f"{domain_nl(d)}, maar een vuurtoren dient één domein",
                        )
                    seen[i] = d
        cand: dict[str, np.ndarray] = {}
        for d in params.domains:
            mat = model._maturity.get(d, {})
            ok = [i for i in parts[d] if MATURITY_ORDER.index(mat.get(muni[i].refnis, "none"))
                  >= threshold or i in pinned[d]]
            cand[d] = np.array(sorted(ok), dtype=np.int64)
        forced: dict[tuple[str, int], int] = {}
        forbidden: set[tuple[str, int, int]] = set()
        for field_name, triples in (("forced", params.forced), ("forbidden", params.forbidden)):
            for triple in triples:
                if len(triple) != 3:
                    raise InvalidPlanRequest(field_name, "expects (domain, follower, lighthouse)",
                                             "verwacht (domein, volger, vuurtoren)")
                d, f, lh = triple
                if d not in params.domains:
                    raise InvalidPlanRequest(field_name, f"domain {d!r} is not planned",
                                             f"domein {domain_nl(d)} wordt niet gepland")
                fi, li = known(f, field_name), known(lh, field_name)
                if fi not in domain_sets[d] or li not in domain_sets[d]:
                    raise InvalidPlanRequest(field_name, f"{f} or {lh} does not participate",
                                             f"{f} of {lh} neemt niet deel")
                if field_name == "forced":
                    if forced.get((d, fi), li) != li:
                        raise InvalidPlanRequest("forced", f"{f} is forced to two lighthouses "
                                                 f"in {d}", f"{f} is in {domain_nl(d)} aan twee "
                                                 "vuurtorens opgelegd")
                    if li not in set(cand[d].tolist()):
                        raise InvalidPlanRequest("forced", f"{lh} is not a candidate in {d}",
                                                 f"{lh} is geen kandidaat in {domain_nl(d)}")
                    forced[(d, fi)] = li
                else:
                    forbidden.add((d, fi, li))
        for (d, fi), li in forced.items():
            if (d, fi, li) in forbidden:
                raise InvalidPlanRequest("forced", f"{muni[fi].refnis} -> {muni[li].refnis} in "
                                         f"{d} is both forced and forbidden",
                                         f"{muni[fi].refnis} -> {muni[li].refnis} is in "
                                         f"{domain_nl(d)} zowel opgelegd als verboden")
            if fi in pinned[d] and fi != li:
                raise InvalidPlanRequest("forced", f"{muni[fi].refnis} is a pinned lighthouse "
                                         f"in {d} and cannot follow another",
                                         f"{muni[fi].refnis} is een vastgezette vuurtoren in "
                                         f"{domain_nl(d)} en kan geen andere volgen")
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
                                         "pinned)", f"{lo} vuurtorens gevraagd in "
                                         f"{domain_nl(d)}, maar er zijn maar {nc} kandidaten "
                                         f"(maturiteit >= {params.min_maturity} of vastgezet)")
            if len(pinned[d]) > hi:
                raise InvalidPlanRequest("pinned_lighthouses", f"{len(pinned[d])} pinned in {d} "
                                         f"but at most {hi} lighthouses",
                                         f"{len(pinned[d])} vastgezet in {domain_nl(d)}, maar "
                                         f"hoogstens {hi} vuurtorens")
            kmin[d], kmax[d] = max(lo, len(pinned[d])), min(hi, nc)
        if model._matrix is not None:  # a plain cost matrix: its costs are its distances
            dist = model._matrix.copy()
            np.fill_diagonal(dist, 0.0)
            cost = {d: np.rint(dist * COST_SCALE) / COST_SCALE for d in params.domains}
        else:
            dist = distance_matrix_km(muni)
            cost = {d: domain_cost_matrix(muni, dist, model._experience.get(d, {}),
                                          params.costs) for d in params.domains}
        load = model.demand(params.load, muni) if params.max_load is not None else None
        return cls(muni, index, part, parts, tuple(params.domains), cand, kmin, kmax, pinned, forced,
                   forbidden, dist, cost, params, load)

    def allowed(self, d: str, scope: str = "joint") -> np.ndarray:
        """(participants x candidates) mask of follower -> lighthouse pairs the model may use;
        ``scope`` "joint" or "alone" also drops the pairs that LP fixing excluded for the whole
        plan or for domain d solved alone, "none" keeps them."""
        part, cand = self.parts[d], self.cand[d]
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

    def overloaded(self, lighthouses: set[int], follow: dict[int, int]) -> bool:
        """Whether a cluster of this one-domain plan carries more than ``max_load``."""
        if self.load is None:
            return False
        carried = {lh: int(self.load[lh]) for lh in lighthouses}
        for f, lh in follow.items():
            carried[lh] += int(self.load[f])
        return max(carried.values(), default=0) > self.params.max_load

    def banned(self, d: str, scope: str = "joint") -> set[int]:
        """Lighthouses excluded by LP fixing in ``scope`` (see :meth:`allowed`)."""
        return {"joint": self.lp_banned, "alone": self.banned_alone}.get(scope, {}).get(d, set())

    def precheck(self) -> None:
        """Cheap reasons a well-formed request cannot be met, in plain words (English, Dutch)."""
        p = self.params
        for d in self.domains:
            part = self.parts[d]
            n = len(part)
            kmin, kmax = self.kmin[d], self.kmax[d]
            nl = domain_nl(d)
            if kmin > n:
                raise Infeasible(f"{kmin} lighthouses needed in {d} but only {n} participants",
                                 f"{kmin} vuurtorens nodig in {nl}, maar er zijn maar {n} "
                                 "deelnemers")
            if p.max_followers is not None and kmax * (p.max_followers + 1) < n:
                raise Infeasible(
                    f"total capacity {kmax * p.max_followers} < {n - kmax} followers in {d} "
                    f"({kmax} lighthouses x {p.max_followers} followers)",
                    f"totale capaciteit {kmax * p.max_followers} < {n - kmax} volgers in {nl} "
                    f"({kmax} vuurtorens x {p.max_followers} volgers)",
                )
            if kmin * (p.min_followers + 1) > n:
                raise Infeasible(
                    f"{kmin} clusters of at least {p.min_followers} followers need "
                    f"{kmin * (p.min_followers + 1)} participants in {d}, only {n} take part",
                    f"{kmin} clusters van minstens {p.min_followers} volgers vragen "
                    f"{kmin * (p.min_followers + 1)} deelnemers in {nl}, er zijn er maar {n}",
                )
            if self.load is not None:
                load = self.load[part]
                heavy = int(np.argmax(load))
                if load[heavy] > p.max_load:
                    name = self.muni[part[heavy]].name_nl
                    raise Infeasible(
                        f"{name} alone carries {int(load[heavy])} > max_load {p.max_load} "
                        f"({p.load}) in {d}",
                        f"{name} alleen draagt al {int(load[heavy])} > max_load {p.max_load} "
                        f"({p.load}) in {nl}")
                if kmax * p.max_load < int(load.sum()):
                    raise Infeasible(
                        f"total load {int(load.sum())} ({p.load}) > {kmax} lighthouses x "
                        f"max_load {p.max_load} in {d}",
                        f"totale last {int(load.sum())} ({p.load}) > {kmax} vuurtorens x "
                        f"max_load {p.max_load} in {nl}")
            mask = self.allowed(d)
            for row in np.flatnonzero(~mask.any(axis=1)):
                name = self.muni[part[row]].name_nl
                if p.max_distance_km is not None:
                    raise Infeasible(f"no candidate within {p.max_distance_km:g} km of {name} "
                                     f"in {d}", f"geen kandidaat binnen {p.max_distance_km:g} "
                                     f"km van {name} in {nl}")
                raise Infeasible(f"no allowed lighthouse for {name} in {d}",
                                 f"geen toegelaten vuurtoren voor {name} in {nl}")
        if p.one_domain_per_lighthouse:
            need = sum(self.kmin[d] for d in self.domains)
            union = set().union(*(set(self.cand[d].tolist()) for d in self.domains))
            if need > len(union):
                raise Infeasible(f"{need} lighthouses needed over the domains but only "
                                 f"{len(union)} distinct candidates, and a lighthouse serves "
                                 "one domain", f"{need} vuurtorens nodig over de domeinen, maar "
                                 f"er zijn maar {len(union)} verschillende kandidaten, en een "
                                 "vuurtoren dient één domein")
