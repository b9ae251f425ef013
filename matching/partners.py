"""Partner suggestions for a municipality in a focus domain, each explained factor by factor.

What it looks for (``looking_for``):

* ``lighthouse``: municipalities with more experience in the domain, to follow;
* ``followers``: municipalities with less experience in the domain, that it could lead;
* ``peers``: municipalities like it (type and size), whatever their experience.

Two modes from 004 L812 ("Meestal zijn het buurgemeenten, maar dit is geen vereiste. Het kan ook
om besturen gaan die bepaalde relevante eigenschappen delen (... het type of de grootte)"):
``geographic`` ranks neighbours first, ``similar`` ranks type and size first.

The score is the sum of five factor contributions, each ``weight x term`` with the term in
[0, 1] (the lighthouse load a negative one); the weights per mode are in
:class:`matching.weights.MatchingWeights`, the formula in ``docs/matching.md``.

Brussels: the 19 Brussels municipalities are never suggested to a Flemish municipality. The
Flemish programmes behind the lighthouse model (Smart Flanders, City of Things, Slim in de Stad)
take Brussels on board through the Vlaamse Gemeenschapscommissie, not through its municipalities
(000 L109-111, 004 L1995, L2189), and City of Things supports "de Vlaamse steden en gemeenten"
(000 L140, L275), so a Brussels municipality cannot be a cluster partner. A Brussels
municipality that asks for ``peers`` gets Brussels and Flemish ones (a comparison only); it gets
no lighthouse or followers from Brussels either.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np

from matching.graph import (
    POPULATION_CLASSES,
    InvalidParameter,
    RegistryGraph,
    validate_limit,
)
from matching.registry import DOMAINS

LOOKING_FOR: tuple[str, ...] = ("lighthouse", "followers", "peers")
MODES: tuple[str, ...] = ("geographic", "similar")
#: Factor names in the order they appear in every suggestion (and are summed).
FACTOR_NAMES: tuple[str, ...] = (
    "experience_gap",
    "distance_km",
    "similarity",
    "ties",
    "lighthouse_load",
)

DOMAIN_NAMES_NL: Mapping[str, str] = {
    "mobility": "mobiliteit",
    "environment": "milieu",
    "living": "wonen",
    "people": "mensen",
    "governance": "bestuur",
    "economy": "economie",
}
DOMAIN_NAMES_EN: Mapping[str, str] = {d: d for d in DOMAINS}
_SIZE_NL = {"small": "kleine", "large": "grote", "very_large": "zeer grote"}
_SIZE_EN = {"small": "small", "large": "large", "very_large": "very large"}


@dataclass(frozen=True)
class MunicipalityRef:
    """A suggested municipality: REFNIS code and Dutch name."""

    refnis: str
    name: str


@dataclass(frozen=True)
class Factor:
    """One factor of a suggestion score.

    ``value`` in the factor's own unit: ``experience_gap`` in experience points (candidate
    minus you for lighthouse and peers, you minus candidate for followers), ``distance_km`` in
    km, ``similarity`` in [0, 1], ``ties`` in shared projects, ``lighthouse_load`` in clusters
    already led (None when not known). ``contribution`` is what it adds to the score.
    """

    name: str
    value: float | None
    contribution: float


@dataclass(frozen=True)
class Reasons:
    """One-line explanation in Dutch and English."""

    nl: str
    en: str


@dataclass(frozen=True)
class Suggestion:
    """A ranked candidate; ``score == sum(f.contribution for f in factors)`` exactly."""

    municipality: MunicipalityRef
    score: float
    factors: tuple[Factor, ...]
    reasons: Reasons


def validate_query(
    graph: RegistryGraph,
    refnis: str,
    domain: str,
    looking_for: str,
    mode: str,
    limit: int,
    max_distance_km: float | None,
) -> None:
    """Raise :class:`UnknownMunicipality` or :class:`InvalidParameter` for a bad query."""
    graph.position(refnis)
    if domain not in DOMAINS:
        raise InvalidParameter("domain", f"unknown domain {domain!r}", valid=DOMAINS)
    if looking_for not in LOOKING_FOR:
        raise InvalidParameter("looking_for", f"unknown value {looking_for!r}", valid=LOOKING_FOR)
    if mode not in MODES:
        raise InvalidParameter("mode", f"unknown mode {mode!r}", valid=MODES)
    validate_limit(limit)
    if max_distance_km is not None and (
        isinstance(max_distance_km, bool)
        or not isinstance(max_distance_km, (int, float))
        or not math.isfinite(max_distance_km)
        or max_distance_km < 0
    ):
        raise InvalidParameter(
            "max_distance_km", f"must be a finite number of km >= 0, got {max_distance_km!r}"
        )


def _load_vector(graph: RegistryGraph, lighthouse_load: Mapping[str, int]) -> np.ndarray:
    load = np.zeros(len(graph.municipalities), dtype=float)
    for refnis, clusters in lighthouse_load.items():
        if clusters < 0:
            raise InvalidParameter("lighthouse_load", f"negative load {clusters!r} for {refnis}")
        position = graph.index.get(refnis)
        if position is not None:
            load[position] = clusters
    return load


def _gap(graph: RegistryGraph, i: int, k: int, looking_for: str) -> np.ndarray:
    """Experience gap of every municipality to municipality ``i`` in domain ``k`` (points):
    candidate minus you, or you minus candidate when looking for followers."""
    experience = graph.experience[k]
    own = experience[i]
    return own - experience if looking_for == "followers" else experience - own


def eligible_candidates(
    graph: RegistryGraph, i: int, k: int, looking_for: str, max_distance_km: float | None
) -> np.ndarray:
    """Positions of the municipalities that qualify as candidates for municipality position
    ``i`` in domain position ``k`` (the rules of :func:`suggest_partners`), in registry order."""
    gap = _gap(graph, i, k, looking_for)
    eligible = np.ones(len(graph.municipalities), dtype=bool)
    eligible[i] = False
    if looking_for != "peers":
        eligible &= ~graph.brussels & (gap > 0)
    elif not graph.brussels[i]:
        eligible &= ~graph.brussels
    if max_distance_km is not None:
        eligible &= graph.distance_km[i] <= max_distance_km
    return np.flatnonzero(eligible)


def suggest_partners(
    graph: RegistryGraph,
    refnis: str,
    domain: str,
    looking_for: str,
    mode: str = "geographic",
    limit: int = 10,
    max_distance_km: float | None = None,
    lighthouse_load: Mapping[str, int] | None = None,
) -> list[Suggestion]:
    """Ranked partner suggestions for ``refnis`` in ``domain`` (best first, at most ``limit``).

    ``lighthouse_load`` (optional) maps REFNIS -> number of clusters that municipality already
    leads; municipalities missing from a given mapping lead none. Candidates: every other
    municipality within ``max_distance_km`` (km, optional); for ``lighthouse`` only those with
    more experience in the domain than ``refnis``, for ``followers`` only those with less; no
    Brussels municipality except as a peer of a Brussels municipality (see the module doc).
    Ties in score go to the nearer, then registry order.
    """
    validate_query(graph, refnis, domain, looking_for, mode, limit, max_distance_km)
    w = graph.weights
    mw = w.mode(mode)
    i = graph.position(refnis)
    k = DOMAINS.index(domain)

    gap = _gap(graph, i, k, looking_for)
    distance = graph.distance_km[i]
    candidates = eligible_candidates(graph, i, k, looking_for, max_distance_km)
    if candidates.size == 0:
        return []

    gap_c = gap[candidates]
    distance_c = distance[candidates]
    similarity_c = graph.similarity[i, candidates]
    ties_c = graph.ties[i, candidates]
    load_known = looking_for == "lighthouse" and lighthouse_load is not None
    load_c = (_load_vector(graph, lighthouse_load)[candidates] if load_known
              else np.zeros(candidates.size))

    experience_weight = 0.0 if looking_for == "peers" else mw.experience
    contributions = (
        experience_weight * np.clip(gap_c / w.experience_gap_saturation, 0.0, 1.0),
        mw.proximity * 0.5 ** (distance_c / w.distance_half_km),
        mw.similarity * similarity_c,
        mw.ties * np.minimum(1.0, ties_c / w.ties_saturation),
        (-mw.lighthouse_load * np.minimum(1.0, load_c / w.lighthouse_load_saturation)
         if load_known else np.zeros(candidates.size)),
    )
    # Same left-to-right order as sum() over the factors, so the sums agree exactly.
    score = contributions[0] + contributions[1] + contributions[2] + contributions[3]
    score = score + contributions[4]
    order = np.lexsort((candidates, distance_c, -score))[:limit]

    # Python floats of the chosen rows (exact conversions), so the sum below is the numpy one.
    chosen = candidates[order].tolist()
    values = [a[order].tolist() for a in (gap_c, distance_c, similarity_c, ties_c, load_c)]
    parts = [a[order].tolist() for a in contributions]
    if not load_known:
        values[4] = [None] * len(chosen)
    suggestions = []
    for row, c in enumerate(chosen):
        factors = tuple(
            Factor(name, None if values[f][row] is None else float(values[f][row]), parts[f][row])
            for f, name in enumerate(FACTOR_NAMES)
        )
        municipality = graph.municipalities[c]
        suggestions.append(
            Suggestion(
                municipality=MunicipalityRef(refnis=municipality.refnis, name=municipality.name_nl),
                score=sum(f.contribution for f in factors),
                factors=factors,
                reasons=_reasons(graph, i, c, k, looking_for, mode,
                                 int(values[4][row]) if load_known else None),
            )
        )
    return suggestions


def _plural(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"


def _km(distance: float) -> str:
    return "< 1 km" if distance < 1 else f"{round(distance)} km"


def track_record(graph: RegistryGraph, c: int, k: int) -> Reasons:
    """The experience evidence of municipality position ``c`` in domain position ``k``: the
    projects it led (else took part in) there and since when; partner suggestions and related
    ideas say it the same way."""
    name = graph.municipalities[c].name_nl
    dom_nl, dom_en = DOMAIN_NAMES_NL[DOMAINS[k]], DOMAIN_NAMES_EN[DOMAINS[k]]
    leads = int(graph.lead_count[k, c])
    count = int(graph.project_count[k, c])
    if leads:
        since = int(graph.first_lead_year[k, c])
        return Reasons(
            f"{name} leidde {_plural(leads, 'project', 'projecten')} in {dom_nl} sinds {since}",
            f"{name} led {_plural(leads, 'project', 'projects')} in {dom_en} since {since}")
    if count:
        since = int(graph.first_year[k, c])
        return Reasons(
            f"{name} nam deel aan {_plural(count, 'project', 'projecten')} in {dom_nl} "
            f"sinds {since}",
            f"{name} took part in {_plural(count, 'project', 'projects')} in {dom_en} "
            f"since {since}")
    return Reasons(f"{name} heeft nog geen project in {dom_nl}",
                   f"{name} has no project in {dom_en} yet")


def _reasons(
    graph: RegistryGraph, i: int, c: int, k: int, looking_for: str, mode: str, load: int | None
) -> Reasons:
    """One line per language: track record in the domain (or type), km, ties, load."""
    record = track_record(graph, c, k)
    parts_nl, parts_en = [record.nl], [record.en]

    if looking_for == "peers" or mode == "similar":
        m, me = graph.municipalities[c], graph.municipalities[i]
        size = POPULATION_CLASSES[int(graph.population_class[c])]
        kind_nl = "stedelijke" if graph.urban[c] else "landelijke"
        kind_en = "urban" if graph.urban[c] else "rural"
        type_nl = f"{_SIZE_NL[size]} {kind_nl} gemeente"
        type_en = f"{_SIZE_EN[size]} {kind_en} municipality"
        if m.is_centrumstad:
            type_nl, type_en = type_nl + ", centrumstad", type_en + ", centrumstad"
        if m.province is None and me.province is None:
            type_nl, type_en = type_nl + ", ook in Brussel", type_en + ", also in Brussels"
        elif m.province == me.province:
            type_nl, type_en = type_nl + ", zelfde provincie", type_en + ", same province"
        parts_nl.append(type_nl)
        parts_en.append(type_en)

    km = _km(float(graph.distance_km[i, c]))
    parts_nl.append(km)
    parts_en.append(km)
    shared = int(graph.ties[i, c])
    if shared:
        parts_nl.append(_plural(shared, "gezamenlijk project", "gezamenlijke projecten"))
        parts_en.append(_plural(shared, "joint project", "joint projects"))
    if load:
        parts_nl.append(f"leidt al {_plural(load, 'cluster', 'clusters')}")
        parts_en.append(f"already leads {_plural(load, 'cluster', 'clusters')}")
    return Reasons(nl="; ".join(parts_nl), en="; ".join(parts_en))
