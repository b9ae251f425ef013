"""The planning data (:class:`ClusterModel`) and the validated request in index form (:class:`Spec`)."""

from __future__ import annotations

import math
import threading
import time
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field

import numpy as np

from matching.geo import distance_matrix_km
from matching.optimizer.costs import domain_cost_matrix
from matching.optimizer.params import (
    MATURITY_ORDER,
    ClusterPlan,
    Infeasible,
    InvalidPlanRequest,
    PlanParams,
    ProgressCallback,
)
from matching.registry import DOMAINS, Municipality


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
    ) -> ClusterPlan:
        """Solve the plan. Raises :class:`InvalidPlanRequest` for a malformed request; an
        infeasible but well-formed one returns a plan with status ``infeasible`` and a reason.
        ``cancel`` stops the search (the best plan so far is returned as ``feasible``)."""
        from matching.optimizer.solve import solve_spec
        start = time.perf_counter()
        spec = Spec.build(self, params)
        try:
            spec.precheck()
            return solve_spec(spec, params, start, on_progress, cancel)
        except Infeasible as exc:
            return ClusterPlan("infeasible", None, None, None, time.perf_counter() - start,
                               reason=exc.reason, costs=params.costs)


@dataclass
class Spec:
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
    lp: dict[str, tuple] = field(default_factory=dict)  # domain -> domain_lp result
    # the same fixing for one domain solved alone (against that domain's own greedy plan)
    pruned_alone: dict[str, np.ndarray] = field(default_factory=dict)
    banned_alone: dict[str, set[int]] = field(default_factory=dict)

    @classmethod
    def build(cls, model: ClusterModel, params: PlanParams) -> Spec:
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
        cost = {d: domain_cost_matrix(muni, dist, model._experience.get(d, {}), params.costs)
                for d in params.domains}
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
                raise Infeasible(f"{kmin} lighthouses needed in {d} but only {n} participants")
            if p.max_followers is not None and kmax * (p.max_followers + 1) < n:
                raise Infeasible(
                    f"total capacity {kmax * p.max_followers} < {n - kmax} followers in {d} "
                    f"({kmax} lighthouses x {p.max_followers} followers)"
                )
            if kmin * (p.min_followers + 1) > n:
                raise Infeasible(
                    f"{kmin} clusters of at least {p.min_followers} followers need "
                    f"{kmin * (p.min_followers + 1)} participants in {d}, only {n} take part"
                )
            mask = self.allowed(d)
            for row in np.flatnonzero(~mask.any(axis=1)):
                name = self.muni[self.part[row]].name_nl
                if p.max_distance_km is not None:
                    raise Infeasible(f"no candidate within {p.max_distance_km:g} km of {name} "
                                      f"in {d}")
                raise Infeasible(f"no allowed lighthouse for {name} in {d}")
        if p.one_domain_per_lighthouse:
            need = sum(self.kmin[d] for d in self.domains)
            union = set().union(*(set(self.cand[d].tolist()) for d in self.domains))
            if need > len(union):
                raise Infeasible(f"{need} lighthouses needed over the domains but only "
                                  f"{len(union)} distinct candidates, and a lighthouse serves "
                                  "one domain")
