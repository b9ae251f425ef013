"""Conflicts of interest between jurors and applications.

Automatic conflicts come from affiliations (a juror can have several): a juror affiliated with a
municipality (REFNIS code) or an organisation (id) has a conflict with every application where
that municipality or organisation is the lead applicant, a partner or a committed follower (a
follower commits to implement the result, so it has a stake like a partner). A juror affiliated
with an applicant (lead or partner) of the call is moreover a *competitor* of every other
application of that call: a city representative does not score rival cities (Slim in de Stad's
jury of city representatives). Declared conflicts are the juror's own statement on an
application, with a reason. All are merged into one :class:`ConflictSet`; a pair can carry
several reasons. Every reason is given in Dutch and English.

Pairs are ``(application_id, juror_id)`` everywhere in the jury modules.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from evaluation.scoring import InvalidField

#: Conflict kinds, strongest first.
CONFLICT_KINDS: tuple[str, ...] = (
    "lead",
    "partner_municipality",
    "partner_organisation",
    "follower",
    "competitor",
    "declared",
)


class InvalidAffiliation(InvalidField):
    """An affiliation must name exactly one municipality (refnis) or one organisation."""


@dataclass(frozen=True)
class Affiliation:
    """A municipality or an organisation (id); exactly one is set.

    ``refnis`` is a 5-character REFNIS code, or ``"VGC"`` for the Vlaamse Gemeenschapscommissie,
    as in :class:`evaluation.applications.Partner`.
    """

    refnis: str | None = None
    organisation: int | None = None

    def __post_init__(self) -> None:
        if (self.refnis is None) == (self.organisation is None):
            raise InvalidAffiliation("affiliation", "give exactly one of refnis or organisation")
        if self.refnis is not None and len(self.refnis) != 5 and self.refnis != "VGC":
            raise InvalidAffiliation("affiliation.refnis", "a REFNIS code has 5 characters (or is VGC)")

    def label(self) -> str:
        if self.refnis == "VGC":
            return "the VGC"
        return f"municipality {self.refnis}" if self.refnis else f"organisation {self.organisation}"

    def label_nl(self) -> str:
        if self.refnis == "VGC":
            return "de VGC"
        return f"gemeente {self.refnis}" if self.refnis else f"organisatie {self.organisation}"

    def to_dict(self) -> dict[str, Any]:
        return {"refnis": self.refnis} if self.refnis else {"organisation": self.organisation}


@dataclass(frozen=True)
class Juror:
    """A juror of one call: affiliations (usually one) and declared expertise domains."""

    id: int
    affiliations: tuple[Affiliation, ...] = ()
    expertise: frozenset[str] = field(default_factory=frozenset)


@dataclass(frozen=True)
class Consortium:
    """Who applies: the lead applicant, the partners and the committed followers."""

    application_id: int
    lead: Affiliation
    partners: tuple[Affiliation, ...] = ()
    followers: tuple[Affiliation, ...] = ()

    def applicants(self) -> tuple[Affiliation, ...]:
        """The lead and the partners: who applies (followers only commit to implement)."""
        return (self.lead, *self.partners)

    def members(self) -> tuple[Affiliation, ...]:
        return (self.lead, *self.partners, *self.followers)


@dataclass(frozen=True)
class DeclaredConflict:
    """A conflict the juror (or the secretariat on their behalf) declared, with their reason."""

    application_id: int
    juror_id: int
    reason: str


@dataclass(frozen=True)
class Conflict:
    """One reason why a juror may not review an application."""

    application_id: int
    juror_id: int
    kind: str  # one of CONFLICT_KINDS
    reason_nl: str
    reason_en: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "application": self.application_id,
            "juror": self.juror_id,
            "kind": self.kind,
            "reason_nl": self.reason_nl,
            "reason_en": self.reason_en,
        }


@dataclass(frozen=True)
class ConflictSet:
    """All conflicts of a call; ``(application_id, juror_id) in conflicts`` tests a pair."""

    conflicts: tuple[Conflict, ...] = ()

    @cached_property
    def pairs(self) -> frozenset[tuple[int, int]]:
        """The conflicted ``(application_id, juror_id)`` pairs."""
        return frozenset((c.application_id, c.juror_id) for c in self.conflicts)

    def __contains__(self, pair: object) -> bool:
        return pair in self.pairs

    def __iter__(self) -> Iterator[Conflict]:
        return iter(self.conflicts)

    def __len__(self) -> int:
        return len(self.conflicts)

    def reasons(self, application_id: int, juror_id: int) -> tuple[Conflict, ...]:
        return tuple(
            c for c in self.conflicts if c.application_id == application_id and c.juror_id == juror_id
        )

    def to_dict(self) -> dict[str, Any]:
        return {"conflicts": [c.to_dict() for c in self.conflicts]}


def find_conflicts(
    jurors: Iterable[Juror],
    consortia: Iterable[Consortium],
    declared: Iterable[DeclaredConflict] = (),
    *,
    competitors: bool = False,
) -> ConflictSet:
    """Automatic conflicts from affiliations merged with the declared ones.

    ``consortia`` are all the applications of one call (the competitor rule compares them).
    Ordered by application, juror and kind (lead, partner municipality, partner organisation,
    follower, competitor, declared); an identical reason is listed once. The competitor kind is
    found only with ``competitors=True`` (the app passes it for every call).
    """
    found: dict[tuple[int, int, str, str], Conflict] = {}

    def add(conflict: Conflict) -> None:
        key = (conflict.application_id, conflict.juror_id, conflict.kind, conflict.reason_en)
        found.setdefault(key, conflict)

    consortia = list(consortia)
    for juror in jurors:
        for aff in juror.affiliations:
            for cons in consortia:
                app = cons.application_id
                if aff == cons.lead:
                    add(
                        Conflict(
                            app,
                            juror.id,
                            "lead",
                            f"het jurylid is verbonden aan de indiener ({aff.label_nl()})",
                            f"the juror is affiliated with the lead applicant ({aff.label()})",
                        )
                    )
                if aff in cons.partners:
                    kind = "partner_municipality" if aff.refnis else "partner_organisation"
                    add(
                        Conflict(
                            app,
                            juror.id,
                            kind,
                            f"het jurylid is verbonden aan een partner ({aff.label_nl()})",
                            f"the juror is affiliated with a partner ({aff.label()})",
                        )
                    )
                if aff in cons.followers:
                    add(
                        Conflict(
                            app,
                            juror.id,
                            "follower",
                            f"het jurylid is verbonden aan een volgstad ({aff.label_nl()})",
                            f"the juror is affiliated with a committed follower ({aff.label()})",
                        )
                    )
            if not competitors:
                continue
            rivals = [c.application_id for c in consortia if aff in c.applicants()]
            for cons in consortia:
                if not rivals or aff in cons.members():
                    continue
                ids = ", ".join(str(r) for r in rivals)
                add(
                    Conflict(
                        cons.application_id,
                        juror.id,
                        "competitor",
                        f"het jurylid is verbonden aan een indiener van een concurrerende "
                        f"aanvraag ({aff.label_nl()}, aanvraag {ids})",
                        f"the juror is affiliated with an applicant of a competing application "
                        f"({aff.label()}, application {ids})",
                    )
                )
    for dec in declared:
        text = dec.reason.strip()
        add(
            Conflict(
                dec.application_id,
                dec.juror_id,
                "declared",
                f"verklaard belangenconflict: {text}",
                f"declared conflict of interest: {text}",
            )
        )
    rank = {kind: i for i, kind in enumerate(CONFLICT_KINDS)}
    ordered = sorted(found.values(), key=lambda c: (c.application_id, c.juror_id, rank[c.kind]))
    return ConflictSet(tuple(ordered))


# --------------------------------------------------------------------------------------------
# The declaration of absence of conflicts (verklaring op eer)

#: Version of the declaration's text, stored with each signature.
DECLARATION_VERSION = 1

_DECLARATION_NL = (
    "Ik verklaar op eer dat ik, voor zover ik weet, geen belangenconflict heb met de aanvragen "
    "van de oproep '{call}' die mij ter beoordeling worden gegeven, behalve de conflicten die ik "
    "heb gemeld of die Vuurtoren vaststelt. Ik meld een conflict dat ik later ontdek meteen en "
    "beoordeel die aanvraag dan niet. Ik behandel de aanvragen en de beraadslaging vertrouwelijk."
)
_DECLARATION_EN = (
    "I declare on my honour that, to my knowledge, I have no conflict of interest with the "
    "applications of the call '{call}' given to me for review, except the conflicts I declared or "
    "Vuurtoren finds. I declare a conflict I discover later at once and then do not review that "
    "application. I keep the applications and the deliberation confidential."
)


def declaration_text(call_name: str) -> dict[str, str]:
    """The declaration a juror signs for one call, in Dutch and English (version stored too)."""
    return {"nl": _DECLARATION_NL.format(call=call_name), "en": _DECLARATION_EN.format(call=call_name),
            "version": str(DECLARATION_VERSION)}
