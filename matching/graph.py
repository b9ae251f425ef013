"""The registry as one graph: municipalities, projects and domains, with derived relations.

``build_graph(registry)`` returns a :class:`RegistryGraph`: a networkx graph with

* nodes ``("municipality", refnis)``, ``("project", id)``, ``("domain", code)``;
* participation edges municipality-project (``role``, ``year``), project-domain edges, and
  co-participation edges municipality-municipality (``project_ids`` they worked on together);

plus the derived relations that every municipality pair has, kept as numpy arrays rather than
304 x 304 networkx edges: great-circle distance in km, peer similarity in [0, 1], number of
shared projects; and per (domain, municipality) experience arrays, precomputed with the one
formula of :mod:`matching.experience` so partner queries are vectorised look-ups.

:class:`GraphCache` keeps the graph between requests, keyed by the registry version.
"""

from __future__ import annotations

import hashlib
import json
import math
import threading
from collections.abc import Callable, Hashable, Mapping
from dataclasses import dataclass
from datetime import date

import networkx as nx
import numpy as np

from matching.experience import ADOPTING_ROLES, experience_factors, reusable_count
from matching.geo import EARTH_RADIUS_KM, haversine_matrix_km  # noqa: F401  (re-exported)
from matching.registry import DOMAINS, EVIDENCE_LEVELS, ROLES, Municipality, Project, Registry
from matching.weights import DEFAULT_WEIGHTS, MatchingWeights

#: Population classes, smallest first: "small" <= 50,000 < "large" <= 100,000 < "very_large"
#: (004 L296: small vs large cities above 50,000; 004 L1419: the classes above 50,000 and above
#: 100,000 inhabitants of the Belgian smart-city survey).
POPULATION_CLASSES: tuple[str, ...] = ("small", "large", "very_large")

#: Largest number of results a query may ask for (``limit`` runs from 1 to this).
MAX_LIMIT = 100


class MatchingError(Exception):
    """Base class of the domain errors of the matching package."""


class UnknownMunicipality(MatchingError, LookupError):
    """A REFNIS code that is not a current municipality of the registry (HTTP 404)."""

    field = "municipality"

    def __init__(self, refnis: str):
        super().__init__(f"unknown municipality (REFNIS) {refnis!r}")
        self.refnis = refnis


class UnknownProject(MatchingError, LookupError):
    """A project id that is not in the registry (HTTP 404)."""

    field = "project_id"

    def __init__(self, project_id: int):
        super().__init__(f"unknown project {project_id!r}")
        self.project_id = project_id


class InvalidParameter(MatchingError, ValueError):
    """A query parameter with a bad value (HTTP 400); ``valid`` lists the allowed values."""

    def __init__(self, field: str, message: str, valid: tuple[str, ...] | None = None):
        super().__init__(f"{field}: {message}")
        self.field = field
        self.message = message
        self.valid = valid


class InconsistentRegistry(MatchingError, ValueError):
    """The registry handed to :func:`build_graph` contradicts itself (a data error, not input)."""


def validate_limit(limit: int) -> None:
    """Raise :class:`InvalidParameter` unless ``limit`` is an int from 1 to :data:`MAX_LIMIT`."""
    if isinstance(limit, bool) or not isinstance(limit, int) or not 1 <= limit <= MAX_LIMIT:
        raise InvalidParameter("limit", f"must be an integer from 1 to {MAX_LIMIT}, got {limit!r}")


def population_class(population: int, weights: MatchingWeights = DEFAULT_WEIGHTS) -> str:
    """Population class of a municipality of ``population`` inhabitants."""
    if population > weights.large_max_population:
        return "very_large"
    if population > weights.small_max_population:
        return "large"
    return "small"


def is_urban(municipality: Municipality, weights: MatchingWeights = DEFAULT_WEIGHTS) -> bool:
    """Urban (stedelijk) or rural (landelijk), from what the registry holds.

    004 L296 distinguishes rural and urban municipalities but the registry has no area, so no
    density. Our interpretation: urban = a centrumstad, a large municipality (> 50,000
    inhabitants, 004 L296), or one of the 19 Brussels municipalities (all part of one
    continuous city); every other municipality counts as rural.
    """
    return (
        municipality.is_centrumstad
        or municipality.population > weights.small_max_population
        or municipality.region == "brussels"
    )


def municipality_node(refnis: str) -> tuple[str, str]:
    """Node key of a municipality: ``("municipality", refnis)``."""
    return ("municipality", refnis)


def project_node(project_id: int) -> tuple[str, int]:
    """Node key of a project: ``("project", id)``."""
    return ("project", project_id)


def domain_node(code: str) -> tuple[str, str]:
    """Node key of a focus domain: ``("domain", code)``."""
    return ("domain", code)


def _frozen(array: np.ndarray) -> np.ndarray:
    array.flags.writeable = False
    return array


@dataclass(frozen=True, eq=False, repr=False)
class RegistryGraph:
    """The registry graph and its precomputed arrays (read-only; build with build_graph).

    Arrays are indexed by municipality position (``index[refnis]``, order of ``municipalities``)
    and domain position (order of :data:`DOMAINS`).
    """

    graph: nx.Graph
    weights: MatchingWeights
    as_of_year: int
    municipalities: tuple[Municipality, ...]
    index: Mapping[str, int]
    projects: Mapping[int, Project]
    participants: Mapping[int, tuple[tuple[str, str], ...]]
    """project id -> ((refnis, role), ...), one strongest role per municipality."""
    evidence: Mapping[int, Mapping[str, str]]
    """project id -> {refnis: evidence level} of that strongest participation."""
    distance_km: np.ndarray
    """n x n great-circle distances in km."""
    similarity: np.ndarray
    """n x n peer similarity in [0, 1] (see :func:`similarity_matrix`)."""
    ties: np.ndarray
    """n x n number of projects (started by ``as_of_year``) two municipalities shared."""
    experience: np.ndarray
    """6 x n experience score per (domain, municipality) in ``as_of_year``."""
    lead_count: np.ndarray
    """6 x n number of led projects per (domain, municipality)."""
    project_count: np.ndarray
    """6 x n number of projects in any role per (domain, municipality)."""
    first_year: np.ndarray
    """6 x n first project year per (domain, municipality); 0 when none."""
    first_lead_year: np.ndarray
    """6 x n first led project year per (domain, municipality); 0 when none."""
    population_class: np.ndarray
    """n population class positions in :data:`POPULATION_CLASSES`."""
    urban: np.ndarray
    """n booleans: urban (see :func:`is_urban`)."""
    brussels: np.ndarray
    """n booleans: one of the 19 Brussels municipalities."""

    def __repr__(self) -> str:
        return (f"RegistryGraph({len(self.municipalities)} municipalities, "
                f"{len(self.projects)} projects, as of {self.as_of_year})")

    def position(self, refnis: str) -> int:
        """Array position of ``refnis``; raises :class:`UnknownMunicipality`."""
        try:
            return self.index[refnis]
        except KeyError:
            raise UnknownMunicipality(refnis) from None

    def municipality(self, refnis: str) -> Municipality:
        """The municipality ``refnis``; raises :class:`UnknownMunicipality`."""
        return self.municipalities[self.position(refnis)]

    def project(self, project_id: int) -> Project:
        """The project ``project_id``; raises :class:`UnknownProject`."""
        try:
            return self.projects[project_id]
        except KeyError:
            raise UnknownProject(project_id) from None

    def participations_of(self, refnis: str) -> list[tuple[Project, str]]:
        """(project, role) of every project of ``refnis`` in the graph, by project id."""
        node = municipality_node(refnis)
        if node not in self.graph:
            raise UnknownMunicipality(refnis)
        found = [
            (self.projects[other[1]], data["role"])
            for other, data in self.graph[node].items()
            if data["kind"] == "participation"
        ]
        return sorted(found, key=lambda item: item[0].id)

    def evidence_of(self, project_id: int, refnis: str) -> str:
        """Evidence level of ``refnis``'s participation in the project."""
        return self.evidence[project_id][refnis]

    def adopters_of(self, project_id: int, excluding: str | None = None) -> int:
        """Municipalities other than ``excluding`` that followed or adopted the project."""
        return _count_adopters(self.participants.get(project_id, ()), excluding)

    def shared_projects(self, refnis_a: str, refnis_b: str) -> tuple[int, ...]:
        """Ids of the projects two municipalities took part in together (co-participation)."""
        data = self.graph.get_edge_data(municipality_node(refnis_a), municipality_node(refnis_b))
        return data["project_ids"] if data else ()


def _count_adopters(participants: tuple[tuple[str, str], ...], excluding: str | None) -> int:
    return sum(1 for refnis, role in participants if role in ADOPTING_ROLES and refnis != excluding)


def similarity_matrix(
    municipalities: tuple[Municipality, ...], weights: MatchingWeights = DEFAULT_WEIGHTS
) -> np.ndarray:
    """Peer similarity in [0, 1] of every pair: a weighted sum of five matches.

    same population class, size closeness ``1 / (1 + |log2(pop_a / pop_b)|)``,
    same centrumstad status, same urban/rural type, same province (the Brussels municipalities,
    which have no province, count as one area). Weights: ``MatchingWeights.similarity_*``.
    """
    w = weights
    classes = np.array([POPULATION_CLASSES.index(population_class(m.population, w))
                        for m in municipalities])
    log_pop = np.log2(np.array([max(1, m.population) for m in municipalities], dtype=float))
    centrum = np.array([m.is_centrumstad for m in municipalities])
    urban = np.array([is_urban(m, w) for m in municipalities])
    area = np.array([m.province or m.region for m in municipalities], dtype=object)
    size = 1.0 / (1.0 + np.abs(log_pop[:, None] - log_pop[None, :]))
    return (
        w.similarity_population_class * (classes[:, None] == classes[None, :])
        + w.similarity_size * size
        + w.similarity_centrumstad * (centrum[:, None] == centrum[None, :])
        + w.similarity_urban * (urban[:, None] == urban[None, :])
        + w.similarity_province * (area[:, None] == area[None, :])
    )


def _strongest_participants(
    registry: Registry, index: Mapping[str, int], projects: Mapping[int, Project]
) -> tuple[dict[int, dict[str, str]], dict[int, dict[str, str]]]:
    """Per project: refnis -> strongest role, and refnis -> evidence of that participation
    (of two participations with the same role, the better evidenced one)."""
    rank = {role: i for i, role in enumerate(ROLES)}
    strength = {level: i for i, level in enumerate(EVIDENCE_LEVELS)}
    chosen: dict[int, dict[str, str]] = {pid: {} for pid in projects}
    evidence: dict[int, dict[str, str]] = {pid: {} for pid in projects}
    for p in registry.participations:
        if p.project_id not in projects:
            raise InconsistentRegistry(f"participation of unknown project {p.project_id}")
        if p.refnis not in index:
            raise InconsistentRegistry(f"participation of unknown municipality {p.refnis!r} "
                                       f"in project {p.project_id} (resolve merged_into first)")
        if p.role not in rank:
            raise InconsistentRegistry(f"unknown role {p.role!r}; valid: {', '.join(ROLES)}")
        if p.evidence not in strength:
            raise InconsistentRegistry(f"unknown evidence level {p.evidence!r}; valid: "
                                       f"{', '.join(EVIDENCE_LEVELS)}")
        current = chosen[p.project_id].get(p.refnis)
        better = current is None or rank[p.role] < rank[current] or (
            p.role == current
            and strength[p.evidence] < strength[evidence[p.project_id][p.refnis]]
        )
        if better:
            chosen[p.project_id][p.refnis] = p.role
            evidence[p.project_id][p.refnis] = p.evidence
    return chosen, evidence


def build_graph(
    registry: Registry,
    weights: MatchingWeights = DEFAULT_WEIGHTS,
    as_of_year: int | None = None,
) -> RegistryGraph:
    """Build the registry graph and its arrays; experience as of ``as_of_year`` (default: now).

    A municipality with two roles in one project keeps the strongest (lead > partner > follower
    > adopter). Projects that start after ``as_of_year`` are in the graph but count neither as
    experience nor as ties yet. Raises :class:`InconsistentRegistry` for dangling references,
    unknown roles or domains, and duplicate ids.
    """
    year = date.today().year if as_of_year is None else as_of_year
    municipalities = tuple(registry.municipalities)
    index = {m.refnis: i for i, m in enumerate(municipalities)}
    if len(index) != len(municipalities):
        raise InconsistentRegistry("duplicate REFNIS code in municipalities")
    projects = {p.id: p for p in registry.projects}
    if len(projects) != len(registry.projects):
        raise InconsistentRegistry("duplicate project id")
    for p in registry.projects:
        for d in p.domains:
            if d not in DOMAINS:
                raise InconsistentRegistry(f"project {p.id}: unknown domain {d!r}")
    chosen, evidence = _strongest_participants(registry, index, projects)
    participants = {pid: tuple(sorted(roles.items())) for pid, roles in chosen.items()}

    g = nx.Graph()
    g.add_nodes_from(
        (("municipality", m.refnis), {"kind": "municipality", "refnis": m.refnis,
                                       "name": m.name_nl, "province": m.province,
                                       "region": m.region, "population": m.population,
                                       "is_centrumstad": m.is_centrumstad})
        for m in municipalities
    )
    g.add_nodes_from((("domain", d), {"kind": "domain", "code": d}) for d in DOMAINS)
    g.add_nodes_from(
        (("project", p.id), {"kind": "project", "id": p.id, "title": p.title, "year": p.year,
                              "programme": p.programme, "grant_cents": p.grant_cents})
        for p in registry.projects
    )
    g.add_edges_from(
        (("project", p.id), ("domain", d), {"kind": "domain"})
        for p in registry.projects for d in p.domains
    )
    g.add_edges_from(
        (("municipality", refnis), ("project", pid),
         {"kind": "participation", "role": role, "year": projects[pid].year})
        for pid, members in participants.items() for refnis, role in members
    )

    n, n_domains = len(municipalities), len(DOMAINS)
    domain_pos = {d: i for i, d in enumerate(DOMAINS)}
    contributions: dict[tuple[int, int], list[float]] = {}
    lead_count = np.zeros((n_domains, n), dtype=np.int64)
    project_count = np.zeros((n_domains, n), dtype=np.int64)
    first_year = np.zeros((n_domains, n), dtype=np.int64)
    first_lead_year = np.zeros((n_domains, n), dtype=np.int64)
    ties = np.zeros((n, n), dtype=np.int64)
    shared: dict[tuple[int, int], list[int]] = {}
    for pid, members in participants.items():
        project = projects[pid]
        if project.year > year:
            continue
        positions = [index[refnis] for refnis, _ in members]
        for a in range(len(positions)):
            for b in range(a + 1, len(positions)):
                i, j = sorted((positions[a], positions[b]))
                shared.setdefault((i, j), []).append(pid)
        if not project.domains:
            continue
        age, reusable = max(0, year - project.year), reusable_count(project.deliverables)
        adopting = _count_adopters(members, None)
        for refnis, role in members:
            i = index[refnis]
            adopters = adopting - (role in ADOPTING_ROLES)  # the others that adopted
            value = experience_factors(
                role, age, project.grant_cents, adopters, reusable, weights,
                evidence[pid][refnis],
            )[5]
            for d in project.domains:
                k = domain_pos[d]
                contributions.setdefault((k, i), []).append(value)
                project_count[k, i] += 1
                if first_year[k, i] == 0 or project.year < first_year[k, i]:
                    first_year[k, i] = project.year
                if role == "lead":
                    lead_count[k, i] += 1
                    if first_lead_year[k, i] == 0 or project.year < first_lead_year[k, i]:
                        first_lead_year[k, i] = project.year
    experience = np.zeros((n_domains, n), dtype=float)
    for (k, i), values in contributions.items():
        experience[k, i] = math.fsum(values)
    for (i, j), pids in shared.items():
        ties[i, j] = ties[j, i] = len(pids)
    g.add_edges_from(
        (("municipality", municipalities[i].refnis), ("municipality", municipalities[j].refnis),
         {"kind": "co_participation", "project_ids": tuple(sorted(pids))})
        for (i, j), pids in shared.items()
    )

    distance = haversine_matrix_km(
        np.array([m.latitude for m in municipalities], dtype=float),
        np.array([m.longitude for m in municipalities], dtype=float),
    )
    return RegistryGraph(
        graph=nx.freeze(g),
        weights=weights,
        as_of_year=year,
        municipalities=municipalities,
        index=index,
        projects=projects,
        participants=participants,
        evidence=evidence,
        distance_km=_frozen(distance),
        similarity=_frozen(similarity_matrix(municipalities, weights)),
        ties=_frozen(ties),
        experience=_frozen(experience),
        lead_count=_frozen(lead_count),
        project_count=_frozen(project_count),
        first_year=_frozen(first_year),
        first_lead_year=_frozen(first_lead_year),
        population_class=_frozen(np.array(
            [POPULATION_CLASSES.index(population_class(m.population, weights))
             for m in municipalities], dtype=np.int64)),
        urban=_frozen(np.array([is_urban(m, weights) for m in municipalities], dtype=bool)),
        brussels=_frozen(np.array([m.region == "brussels" for m in municipalities], dtype=bool)),
    )


def registry_fingerprint(registry: Registry) -> str:
    """A stable SHA-256 of the registry content, for callers without a version stamp."""
    canonical = {
        "municipalities": [list(vars(m).values()) for m in registry.municipalities],
        "projects": [
            [p.id, p.title, p.summary, p.programme, p.year, p.grant_cents, p.status,
             list(p.domains), sorted(p.deliverables)]
            for p in registry.projects
        ],
        "participations": [[p.project_id, p.refnis, p.role, p.evidence]
                           for p in registry.participations],
    }
    return hashlib.sha256(json.dumps(canonical, sort_keys=True).encode()).hexdigest()


class GraphCache:
    """Holds the latest :class:`RegistryGraph`, keyed by (registry version, as-of year).

    Thread-safe: concurrent requests for a version that is not built yet wait for one build
    instead of building it twice. Pass a version stamp that changes whenever the registry
    changes (or :func:`registry_fingerprint`); only the latest graph is kept.
    """

    def __init__(self, weights: MatchingWeights = DEFAULT_WEIGHTS):
        self.weights = weights
        self._lock = threading.Lock()
        self._key: tuple[Hashable, int] | None = None
        self._graph: RegistryGraph | None = None
        self.builds = 0
        """How many graphs this cache has built (for tests and monitoring)."""

    def get(
        self,
        version: Hashable,
        load_registry: Callable[[], Registry],
        as_of_year: int | None = None,
    ) -> RegistryGraph:
        """The graph of registry ``version``; calls ``load_registry()`` only to (re)build."""
        key = (version, date.today().year if as_of_year is None else as_of_year)
        with self._lock:
            if self._key != key or self._graph is None:
                self._graph = build_graph(load_registry(), self.weights, as_of_year=key[1])
                self._key = key
                self.builds += 1
            return self._graph

    def clear(self) -> None:
        """Forget the cached graph (the next ``get`` rebuilds)."""
        with self._lock:
            self._key = None
            self._graph = None
