"""Plain-data view of the registry that the matching and evaluation packages work on.

The web layer loads these from the database (see ``app.registry.service``); tests build them by
hand. Participations always point at *current* municipalities: a 2017 project of Neerpelt is
handed over as a participation of Pelt (the app resolves ``merged_into`` before building this).
"""

from __future__ import annotations

from dataclasses import dataclass, field

#: The six focus domains (Giffinger 2007; seeds 000, 001 L304-314, 004 L235-247), in display order.
DOMAINS: tuple[str, ...] = ("mobility", "environment", "living", "people", "governance", "economy")

#: Roles a municipality can have in a project, strongest first.
ROLES: tuple[str, ...] = ("lead", "partner", "follower", "adopter")

#: Evidence levels of a participation, strongest first: ``verified`` (checked by the
#: secretariat), ``source-stated`` (a public source states the participation and the project's
#: domain), ``source-classified`` (a source states the participation; the domain was inferred
#: from the title, with a reason), ``declared`` (the city says so; not checked yet).
EVIDENCE_LEVELS: tuple[str, ...] = ("verified", "source-stated", "source-classified", "declared")

#: Deliverable flags a project or application can carry.
DELIVERABLES: tuple[str, ...] = (
    "playbook",
    "model_specification",
    "open_source",
    "open_data",
    "oslo",
    "vloca",
)


@dataclass(frozen=True)
class Municipality:
    """A current municipality. Population in inhabitants, coordinates in WGS84 degrees."""

    refnis: str
    name_nl: str
    name_fr: str | None
    province: str | None  # province code, e.g. "vlaams-brabant"; None in Brussels
    region: str  # "flanders" | "brussels"
    is_centrumstad: bool
    population: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Project:
    """A prior project. Grant in euro cents (None when the sources do not give it)."""

    id: int
    title: str
    summary: str
    programme: str
    year: int
    grant_cents: int | None = None
    status: str = "completed"
    domains: tuple[str, ...] = ()
    deliverables: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Participation:
    """A current municipality's role in a project, with the evidence it stands on."""

    project_id: int
    refnis: str
    role: str
    evidence: str = "source-stated"


@dataclass(frozen=True)
class Registry:
    """Everything the graph is built from, as immutable plain data."""

    municipalities: tuple[Municipality, ...]
    projects: tuple[Project, ...] = ()
    participations: tuple[Participation, ...] = ()

    def municipality(self, refnis: str) -> Municipality:
        for m in self.municipalities:
            if m.refnis == refnis:
                return m
        raise KeyError(refnis)
