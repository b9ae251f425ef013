"""Applications (aanvragen) to a call, and the shape rules of their payload.

An :class:`Application` is what a city submits: lead applicant, partners, domains, budget,
deliverables, prior projects it builds on and municipalities that commit to follow. Money in euro
cents. The lead and municipal partners are REFNIS codes (or :data:`~evaluation.calls.VGC`).

The payload is read by :func:`evaluation.applications.parsing.application_from_dict`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit

from evaluation.calls import InvalidInput

#: Kinds of partner organisation (CoT 2025 partner list, public) besides municipalities.
ORGANISATION_TYPES: tuple[str, ...] = (
    "intercommunale",
    "province",
    "knowledge_institution",
    "flemish_government",
    "vvsg",
    "company",
    "other",
)


#: How a declaration is backed: confirmed by the secretariat, or a document of the call's file
#: (a follower's letter of intent, a budget annex). Until documents exist (issue 11) the
#: secretariat's confirmation is the only kind the app records.
EVIDENCE_KINDS: tuple[str, ...] = ("secretariat", "document")

#: Deliverables that count only with a link to something checkable (see :func:`is_checkable_link`).
#: ``training`` and ``practice_database`` are knowledge-sharing commitments (000 section 5.9).
DELIVERABLE_LINKS: tuple[str, ...] = (
    "open_source",
    "open_data",
    "vloca",
    "playbook",
    "model_specification",
    "training",
    "practice_database",
)


class InvalidApplication(InvalidInput):
    """The application payload breaks a shape rule; ``errors`` names every offending field."""


def is_checkable_link(text: str) -> bool:
    """A web address someone can open to check the claim: http(s), a host with a dot, a path.

    A bare domain ("https://github.com") names no repository or dataset; ``https://github.com/
    stad/parkeren`` does. Whether the page holds what it claims is the secretariat's check.
    """
    try:
        parts = urlsplit(text.strip())
    except ValueError:
        return False
    return (
        parts.scheme in ("http", "https")
        and "." in parts.netloc
        and " " not in text.strip()
        and parts.path.strip("/") != ""
    )


def is_oslo_specification(text: str) -> bool:
    """An OSLO entry names a checkable specification: a link under ``vlaanderen.be``.

    OSLO specifications are published by the Flemish government (data.vlaanderen.be); a bare
    name ("OSLO") cannot be checked against anything. Our rule.
    """
    if not is_checkable_link(text):
        return False
    host = urlsplit(text.strip()).netloc.lower().split(":")[0]
    return host == "vlaanderen.be" or host.endswith(".vlaanderen.be")


@dataclass(frozen=True)
class Evidence:
    """What backs a declaration: ``kind`` in :data:`EVIDENCE_KINDS`; ``document_id`` for a document."""

    kind: str = "secretariat"
    document_id: int | None = None

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "document_id": self.document_id}


@dataclass(frozen=True)
class Partner:
    """A consortium partner: a municipality (``refnis``, or ``VGC``) or an organisation."""

    refnis: str | None = None
    organisation_id: int | None = None
    organisation_type: str | None = None
    name: str | None = None
    #: REFNIS of the municipalities an intercommunale declares it represents in this application.
    represents: tuple[str, ...] = ()

    @property
    def is_local_government(self) -> bool:
        """Municipalities and the VGC count as local governments for the partnership minimum."""
        return self.refnis is not None

    def to_dict(self) -> dict[str, Any]:
        if self.refnis is not None:
            return {"refnis": self.refnis}
        d: dict[str, Any] = {"organisation": self.organisation_id}
        if self.organisation_type:
            d["type"] = self.organisation_type
        if self.name:
            d["name"] = self.name
        if self.represents:
            d["represents"] = list(self.represents)
        return d


@dataclass(frozen=True)
class Deliverables:
    """What the project promises to hand over; ``oslo`` lists the OSLO standards used.

    The flags are what the applicant ticks; ``links`` maps a deliverable of
    :data:`DELIVERABLE_LINKS` to the address that names it (the repository, the dataset, the
    playbook in the VVSG practice database). The indicators count a deliverable only with a
    checkable link (and an OSLO entry only when it links to the specification); a tick alone
    counts nothing.
    """

    playbook: bool = False
    model_specification: bool = False
    open_source: bool = False
    open_data: bool = False
    oslo: tuple[str, ...] = ()
    vloca: bool = False
    links: Mapping[str, str] = field(default_factory=dict, hash=False)

    def link(self, kind: str) -> str | None:
        """The checkable link of deliverable ``kind``, or None (no link, or not checkable)."""
        url = self.links.get(kind)
        return url if url and is_checkable_link(url) else None

    @property
    def oslo_specifications(self) -> tuple[str, ...]:
        """The OSLO entries that link to a specification (:func:`is_oslo_specification`)."""
        return tuple(o for o in self.oslo if is_oslo_specification(o))

    def to_dict(self) -> dict[str, Any]:
        return {
            "playbook": self.playbook,
            "model_specification": self.model_specification,
            "open_source": self.open_source,
            "open_data": self.open_data,
            "oslo": list(self.oslo),
            "vloca": self.vloca,
            "links": dict(self.links),
        }


@dataclass(frozen=True)
class Application:
    """An application to a call. Money in euro cents.

    ``cofinancing_cents`` is the applicants' own and third-party financing; when the payload
    leaves it out it is ``total_budget_cents - requested_grant_cents``. ``id`` is whatever the
    caller uses to identify applications (database id, import row); evaluation only compares it.

    Evidence (what the indicators count, see ``docs/indicators.md``):
    ``follower_letters`` maps a committed follower to the letter of intent that names it;
    ``cofinancing_backed_cents`` is the part of the co-financing a budget annex backs or the
    secretariat confirmed; ``prior_project_references`` are free-text references to earlier
    projects that are not in the registry (a scaling call asks the secretariat to verify them).
    """

    lead: str
    title: str
    requested_grant_cents: int
    total_budget_cents: int
    domains: tuple[str, ...] = ()
    partners: tuple[Partner, ...] = ()
    summary: str = ""
    cofinancing_cents: int | None = None
    deliverables: Deliverables = Deliverables()
    prior_projects: tuple[int, ...] = ()
    committed_followers: tuple[str, ...] = ()
    knowledge_sharing: tuple[str, ...] = ()
    id: int | str | None = None
    follower_letters: Mapping[str, Evidence] = field(default_factory=dict, hash=False)
    cofinancing_backed_cents: int = 0
    prior_project_references: tuple[str, ...] = ()

    @property
    def own_financing_cents(self) -> int:
        """Co-financing in cents (given, or total budget minus grant)."""
        if self.cofinancing_cents is not None:
            return self.cofinancing_cents
        return self.total_budget_cents - self.requested_grant_cents

    @property
    def local_governments(self) -> tuple[str, ...]:
        """Lead and municipal partners (REFNIS codes or ``VGC``), lead first, no repeats."""
        seen = [self.lead]
        for p in self.partners:
            if p.refnis is not None and p.refnis not in seen:
                seen.append(p.refnis)
        return tuple(seen)

    def has_letter(self, refnis: str) -> bool:
        """True when a letter of intent names the committed follower ``refnis``."""
        return refnis in self.committed_followers and refnis in self.follower_letters

    @property
    def is_cooperation(self) -> bool:
        """True when at least one other municipality or the VGC is a partner."""
        return len(self.local_governments) > 1

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "lead": self.lead,
            "partners": [p.to_dict() for p in self.partners],
            "domains": list(self.domains),
            "title": self.title,
            "summary": self.summary,
            "requested_grant_cents": self.requested_grant_cents,
            "total_budget_cents": self.total_budget_cents,
            "cofinancing_cents": self.own_financing_cents,
            "deliverables": self.deliverables.to_dict(),
            "prior_projects": list(self.prior_projects),
            "committed_followers": list(self.committed_followers),
            "follower_letters": {r: e.to_dict() for r, e in self.follower_letters.items()},
            "cofinancing_backed_cents": self.cofinancing_backed_cents,
            "knowledge_sharing": list(self.knowledge_sharing),
            "prior_project_references": list(self.prior_project_references),
        }
