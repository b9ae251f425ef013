"""How much evidence a partner suggestion or a plan stands on, said plainly (Dutch and English).

The registry is thin: per domain a handful of municipalities have any project. A list of
suggestions or a plan looks just as authoritative when it rests on one project 90 km away, so
every answer carries its **coverage**:

* :func:`partner_coverage`: how many Flemish municipalities have evidence (experience > 0) in
  the domain, how many candidates qualified for the query, how many came back, the nearest
  qualified candidate in km and how many lie within ``MatchingWeights.coverage_near_km``; when
  fewer than ``limit`` came back or the nearest is farther than that, a sentence that says so
  (e.g. "nearest municipality with more mobility experience is 88 km away; none within 30 km").
  It also offers nearby peers that *start* in the same domain (no or starter experience) as a
  co-learning cluster: municipalities that declared an interest in the domain first.
* :func:`plan_coverage`: per planned domain, municipalities with evidence, lighthouse
  candidates (participants with the plan's minimum maturity, or pinned) and lighthouses asked;
  ``refused`` when there are fewer candidates than lighthouses asked (:func:`check_plan_coverage`
  raises :class:`ThinCoverage`), ``thin`` below twice as many, ``ok`` otherwise.
* :func:`plan_co_learning`: per domain of a solved plan, the co-learning offer the partner
  answers make too: followers placed farther than ``coverage_near_km`` from their lighthouse
  that start in the domain, grouped with each other as neighbours (densest group first).

Pure: numpy over the :class:`matching.graph.RegistryGraph` arrays. Formulas in docs/matching.md.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass

import numpy as np

from matching.experience import maturity_class
from matching.graph import InvalidParameter, MatchingError, RegistryGraph
from matching.partners import (
    DOMAIN_NAMES_EN,
    DOMAIN_NAMES_NL,
    MunicipalityRef,
    Reasons,
    eligible_candidates,
    validate_query,
)
from matching.registry import DOMAINS

#: Maturity classes, weakest first (as the optimizer orders them).
_MATURITY_ORDER: tuple[str, ...] = ("none", "starter", "experienced", "lighthouse-ready")

#: Plan coverage statuses: enough candidates, fewer than twice the lighthouses, too few.
PLAN_STATUSES: tuple[str, ...] = ("ok", "thin", "refused")


class ThinCoverage(MatchingError, ValueError):
    """A planned domain has fewer lighthouse candidates than lighthouses asked (HTTP 422)."""

    def __init__(self, coverage: PlanCoverage):
        super().__init__(coverage.message.en if coverage.message else "too few candidates")
        self.coverage = coverage
        self.field = "lighthouses"


@dataclass(frozen=True)
class CoLearningPeer:
    """A nearby municipality that starts in the same domain: experience points and km."""

    municipality: MunicipalityRef
    distance_km: float
    experience: float
    declared_interest: bool


@dataclass(frozen=True)
class PartnerCoverage:
    """The evidence a suggestion list stands on (see the module doc)."""

    domain: str
    looking_for: str
    municipalities_with_evidence: int
    """Flemish municipalities with experience > 0 in the domain."""
    qualified: int
    """Candidates that met the query (more / less experience, distance, region)."""
    returned: int
    limit: int
    nearest_km: float | None
    """Distance of the nearest qualified candidate (None: none qualified)."""
    near_km: float
    within_near_km: int
    """Qualified candidates within ``near_km``."""
    message: Reasons | None
    """Why fewer than ``limit`` came back or why the nearest is far; None when neither."""
    co_learning: tuple[CoLearningPeer, ...]


@dataclass(frozen=True)
class PlanCoverage:
    """The evidence one planned domain stands on."""

    domain: str
    municipalities_with_evidence: int
    participants: int
    candidates: int
    """Participants with at least the plan's minimum maturity in the domain, or pinned."""
    lighthouses_asked: int
    status: str
    """``ok``, ``thin`` (fewer than twice as many candidates as lighthouses) or ``refused``."""
    message: Reasons | None


def _flemish_with_evidence(graph: RegistryGraph, k: int) -> np.ndarray:
    return (graph.experience[k] > 0) & ~graph.brussels


def _km(value: float) -> str:
    return "< 1 km" if value < 1 else f"{round(value)} km"


_WHAT = {
    # looking_for -> (Dutch, English) description of a qualified candidate, {d} = domain
    "lighthouse": ("gemeente met meer ervaring in {d}", "municipality with more {d} experience"),
    "followers": ("gemeente met minder ervaring in {d}", "municipality with less {d} experience"),
    "peers": ("vergelijkbare gemeente", "peer municipality"),
}


def _message(
    domain: str, looking_for: str, with_evidence: int, qualified: int, returned: int,
    limit: int, nearest_km: float | None, near_km: float, max_distance_km: float | None,
) -> Reasons | None:
    dom_nl, dom_en = DOMAIN_NAMES_NL[domain], DOMAIN_NAMES_EN[domain]
    what_nl, what_en = (t.format(d=dom) for t, dom in zip(_WHAT[looking_for], (dom_nl, dom_en)))
    nl: list[str] = []
    en: list[str] = []
    if returned < limit:
        nl.append(f"{returned} van de {limit} gevraagde suggesties: slechts {qualified} "
                  f"{'gemeente komt' if qualified == 1 else 'gemeenten komen'} in aanmerking "
                  f"({with_evidence} Vlaamse {'gemeente heeft' if with_evidence == 1 else 'gemeenten hebben'} "
                  f"ervaring in {dom_nl})")
        en.append(f"{returned} of the {limit} suggestions asked: only {qualified} "
                  f"{'municipality qualifies' if qualified == 1 else 'municipalities qualify'} "
                  f"({with_evidence} Flemish {'municipality has' if with_evidence == 1 else 'municipalities have'} "
                  f"{dom_en} experience)")
        if max_distance_km is not None:
            nl[-1] += f" binnen {_km(max_distance_km)}"
            en[-1] += f" within {_km(max_distance_km)}"
    if nearest_km is None:
        nl.append(f"geen enkele {what_nl}")
        en.append(f"no {what_en} at all")
    elif nearest_km > near_km:
        nl.append(f"dichtstbijzijnde {what_nl} ligt op {_km(nearest_km)}; "
                  f"geen binnen {_km(near_km)}")
        en.append(f"nearest {what_en} is {_km(nearest_km)} away; none within {_km(near_km)}")
    if not nl:
        return None
    return Reasons(nl="; ".join(nl), en="; ".join(en))


def co_learning_peers(
    graph: RegistryGraph, refnis: str, domain: str, interested: Collection[str] = (),
) -> tuple[CoLearningPeer, ...]:
    """Nearby Flemish municipalities that start in ``domain`` like a newcomer would: maturity
    ``none`` or ``starter`` (experience below ``experienced_min_score``), within
    ``coverage_near_km`` of ``refnis``; those in ``interested`` (declared an interest in the
    domain) first, then by distance; at most ``co_learning_size``."""
    w = graph.weights
    i = graph.position(refnis)
    k = DOMAINS.index(domain)
    distance = graph.distance_km[i]
    starting = graph.experience[k] < w.experienced_min_score
    mask = starting & ~graph.brussels & (distance <= w.coverage_near_km)
    mask[i] = False
    chosen = np.flatnonzero(mask).tolist()
    wanted = set(interested)
    chosen.sort(key=lambda c: (graph.municipalities[c].refnis not in wanted, distance[c], c))
    return tuple(
        CoLearningPeer(
            municipality=MunicipalityRef(graph.municipalities[c].refnis,
                                         graph.municipalities[c].name_nl),
            distance_km=float(distance[c]),
            experience=float(graph.experience[k, c]),
            declared_interest=graph.municipalities[c].refnis in wanted,
        )
        for c in chosen[: w.co_learning_size]
    )


@dataclass(frozen=True)
class CoLearningGroup:
    """Neighbouring followers of one domain, all far from their lighthouse and starting in the
    domain: together they could start as a co-learning cluster (``distance_km`` from the
    group's first member, who has most such neighbours)."""

    members: tuple[CoLearningPeer, ...]


@dataclass(frozen=True)
class PlanCoLearning:
    """The co-learning offer of one domain of a solved plan (see :func:`plan_co_learning`)."""

    domain: str
    near_km: float
    far_followers: int
    """Followers farther than ``near_km`` from their lighthouse."""
    groups: tuple[CoLearningGroup, ...]
    message: Reasons | None


def plan_co_learning(
    graph: RegistryGraph, domain: str, follower_km: Mapping[str, float],
    interested: Collection[str] = (),
) -> PlanCoLearning:
    """The co-learning offer of one planned domain: ``follower_km`` maps each follower of the
    plan in ``domain`` to its distance from its lighthouse (km). Followers farther than
    ``coverage_near_km`` that start in the domain (experience below ``experienced_min_score``)
    are grouped with each other: the one with most such followers within ``coverage_near_km``
    seeds a group with those neighbours (those that declared an interest in the domain first,
    then by km; at most ``co_learning_size`` besides the seed), and so on while a group has two
    members or more. The same offer a partner answer makes, for a whole plan."""
    if domain not in DOMAINS:
        raise InvalidParameter("domain", f"unknown domain {domain!r}", valid=DOMAINS)
    w = graph.weights
    k = DOMAINS.index(domain)
    wanted = set(interested)
    far = [r for r, km in follower_km.items() if km > w.coverage_near_km and r in graph.index]
    pos = np.array(sorted(graph.position(r) for r in far), dtype=np.int64)
    starting = pos[graph.experience[k, pos] < w.experienced_min_score] if pos.size else pos
    left = set(starting.tolist())
    groups = []
    while len(left) >= 2:
        rest = np.array(sorted(left), dtype=np.int64)
        near = graph.distance_km[np.ix_(rest, rest)] <= w.coverage_near_km
        counts = near.sum(axis=1)
        seed_row = int(np.argmax(counts))  # ties: the lowest position (registry order)
        if counts[seed_row] < 2:
            break
        seed = int(rest[seed_row])
        others = [int(c) for c in rest[near[seed_row]] if int(c) != seed]
        others.sort(key=lambda c: (graph.municipalities[c].refnis not in wanted,
                                   graph.distance_km[seed, c], c))
        members = [seed] + others[: w.co_learning_size]
        left -= set(members)
        groups.append(CoLearningGroup(tuple(
            CoLearningPeer(
                municipality=MunicipalityRef(graph.municipalities[c].refnis,
                                             graph.municipalities[c].name_nl),
                distance_km=float(graph.distance_km[seed, c]),
                experience=float(graph.experience[k, c]),
                declared_interest=graph.municipalities[c].refnis in wanted)
            for c in members)))
    message = None
    if far:
        dom_nl, dom_en = DOMAIN_NAMES_NL[domain], DOMAIN_NAMES_EN[domain]
        grouped = sum(len(g.members) for g in groups)
        nl = (f"{len(far)} {'volger ligt' if len(far) == 1 else 'volgers liggen'} verder dan "
              f"{_km(w.coverage_near_km)} van de vuurtoren in {dom_nl}")
        en = (f"{len(far)} {'follower is' if len(far) == 1 else 'followers are'} farther than "
              f"{_km(w.coverage_near_km)} from their lighthouse in {dom_en}")
        if groups:
            nl += (f"; {grouped} daarvan, die in {dom_nl} starten, kunnen als buren samen leren "
                   f"in {len(groups)} co-learning-{'cluster' if len(groups) == 1 else 'clusters'}")
            en += (f"; {grouped} of them, starting in {dom_en}, could learn together as "
                   f"neighbours in {len(groups)} co-learning "
                   f"{'cluster' if len(groups) == 1 else 'clusters'}")
        message = Reasons(nl=nl, en=en)
    return PlanCoLearning(domain=domain, near_km=w.coverage_near_km, far_followers=len(far),
                          groups=tuple(groups), message=message)


def partner_coverage(
    graph: RegistryGraph,
    refnis: str,
    domain: str,
    looking_for: str,
    returned: int,
    mode: str = "geographic",
    limit: int = 10,
    max_distance_km: float | None = None,
    interested: Collection[str] = (),
) -> PartnerCoverage:
    """The coverage of a :func:`matching.partners.suggest_partners` answer of ``returned``
    suggestions for the same query (see the module doc)."""
    validate_query(graph, refnis, domain, looking_for, mode, limit, max_distance_km)
    if isinstance(returned, bool) or not isinstance(returned, int) or returned < 0:
        raise InvalidParameter("returned", f"must be an integer >= 0, got {returned!r}")
    w = graph.weights
    i = graph.position(refnis)
    k = DOMAINS.index(domain)
    candidates = eligible_candidates(graph, i, k, looking_for, max_distance_km)
    distance = graph.distance_km[i, candidates]
    nearest = float(distance.min()) if candidates.size else None
    with_evidence = int(_flemish_with_evidence(graph, k).sum())
    return PartnerCoverage(
        domain=domain,
        looking_for=looking_for,
        municipalities_with_evidence=with_evidence,
        qualified=int(candidates.size),
        returned=returned,
        limit=limit,
        nearest_km=nearest,
        near_km=w.coverage_near_km,
        within_near_km=int((distance <= w.coverage_near_km).sum()),
        message=_message(domain, looking_for, with_evidence, int(candidates.size), returned,
                         limit, nearest, w.coverage_near_km, max_distance_km),
        co_learning=co_learning_peers(graph, refnis, domain, interested),
    )


def plan_coverage(
    graph: RegistryGraph,
    domains: Iterable[str],
    participants: Collection[str],
    lighthouses: int,
    min_maturity: str = "starter",
    pinned: Mapping[str, Collection[str]] | None = None,
) -> tuple[PlanCoverage, ...]:
    """Coverage of every planned domain: lighthouse candidates among ``participants`` (maturity
    at least ``min_maturity`` or pinned, as the optimizer counts them) against the
    ``lighthouses`` asked per domain (the exact number, or the minimum)."""
    if min_maturity not in _MATURITY_ORDER:
        raise InvalidParameter("min_maturity", f"unknown class {min_maturity!r}",
                               valid=_MATURITY_ORDER)
    threshold = _MATURITY_ORDER.index(min_maturity)
    positions = [graph.position(r) for r in participants]
    result = []
    for domain in domains:
        if domain not in DOMAINS:
            raise InvalidParameter("domains", f"unknown domain {domain!r}", valid=DOMAINS)
        k = DOMAINS.index(domain)
        pins = set((pinned or {}).get(domain, ()))
        candidates = sum(
            1 for p in positions
            if graph.municipalities[p].refnis in pins
            or _MATURITY_ORDER.index(maturity_class(float(graph.experience[k, p]),
                                                    int(graph.lead_count[k, p]), graph.weights))
            >= threshold
        )
        with_evidence = int(_flemish_with_evidence(graph, k).sum())
        if candidates < lighthouses:
            status = "refused"
        elif candidates < 2 * lighthouses:
            status = "thin"
        else:
            status = "ok"
        result.append(PlanCoverage(
            domain=domain, municipalities_with_evidence=with_evidence,
            participants=len(positions), candidates=candidates, lighthouses_asked=lighthouses,
            status=status,
            message=_plan_message(domain, status, candidates, lighthouses, with_evidence),
        ))
    return tuple(result)


def _plan_message(domain: str, status: str, candidates: int, lighthouses: int,
                  with_evidence: int) -> Reasons | None:
    if status == "ok":
        return None
    dom_nl, dom_en = DOMAIN_NAMES_NL[domain], DOMAIN_NAMES_EN[domain]
    cand_nl = f"{candidates} {'kandidaat' if candidates == 1 else 'kandidaten'}"
    cand_en = f"{candidates} {'candidate' if candidates == 1 else 'candidates'}"
    evidence_nl = f"{with_evidence} Vlaamse gemeenten hebben ervaring in {dom_nl}"
    evidence_en = f"{with_evidence} Flemish municipalities have {dom_en} experience"
    if status == "refused":
        return Reasons(
            nl=f"{dom_nl}: {lighthouses} vuurtorens gevraagd maar slechts {cand_nl}; "
               f"{evidence_nl}. Vraag minder vuurtorens of verlaag de minimale maturiteit.",
            en=f"{dom_en}: {lighthouses} lighthouses asked but only {cand_en}; "
               f"{evidence_en}. Ask fewer lighthouses or lower the minimum maturity.",
        )
    return Reasons(
        nl=f"{dom_nl}: {cand_nl} voor {lighthouses} vuurtorens, minder dan het dubbele; "
           f"de keuze is dun onderbouwd ({evidence_nl}).",
        en=f"{dom_en}: {cand_en} for {lighthouses} lighthouses, fewer than twice as many; "
           f"the choice stands on thin evidence ({evidence_en}).",
    )


def check_plan_coverage(coverage: Iterable[PlanCoverage]) -> None:
    """Raise :class:`ThinCoverage` for the first refused domain (the planner refuses it)."""
    for entry in coverage:
        if entry.status == "refused":
            raise ThinCoverage(entry)
