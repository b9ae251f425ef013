"""The phases of a call and the rules that follow from them: who may change what, and when.

A call moves one step at a time through :data:`PHASES`; every step is taken by the secretariat
and audited by the app. The list is the one place that names the phases: a new phase (idea
matchmaking's ``pre-registration`` before ``open``) is one line here, and every rule below
compares positions in the list, not names.

The deadline of a call is a calendar date in the sources ("full proposal by 30 June"). The
instant it stands for is the end of that day in Europe/Brussels (:func:`deadline_instant`), our
interpretation: the sources give no hour. Applications are locked from the deadline on, whether
or not the secretariat has already moved the call to ``closed``.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from evaluation.scoring import InvalidField

#: The phases in order. Add a phase by inserting it here (and its texts in PHASE_TEXTS).
PHASES: tuple[str, ...] = (
    "draft",
    "pre-registration",
    "open",
    "closed",
    "eligibility",
    "jury",
    "decided",
    "published",
)

#: Phases a call may skip: from ``draft`` the secretariat opens the call directly, or first takes
#: ideas in ``pre-registration`` (the 2022 and 2023 City of Things calls did; docs/ideas.md).
OPTIONAL_PHASES: frozenset[str] = frozenset({"pre-registration"})

#: The time zone of every call deadline (VLAIO is in Brussels).
DEADLINE_TZ = ZoneInfo("Europe/Brussels")

#: Dutch and English name of each phase and what happens next (shown on the call page).
PHASE_TEXTS: dict[str, dict[str, str]] = {
    "draft": {
        "nl": "ontwerp",
        "en": "draft",
        "next_nl": "De secretarie opent de oproep; dan kunnen steden aanvragen indienen.",
        "next_en": "The secretariat opens the call; then cities can submit applications.",
    },
    "pre-registration": {
        "nl": "vooraanmelding",
        "en": "pre-registration",
        "next_nl": "Steden dienen ideeën in en zoeken partners; daarna opent de secretarie de "
                   "oproep voor aanvragen.",
        "next_en": "Cities file ideas and look for partners; then the secretariat opens the call "
                   "for applications.",
    },
    "open": {
        "nl": "open",
        "en": "open",
        "next_nl": "Steden dienen in tot de deadline; daarna sluit de secretarie de oproep.",
        "next_en": "Cities submit until the deadline; then the secretariat closes the call.",
    },
    "closed": {
        "nl": "gesloten",
        "en": "closed",
        "next_nl": "De secretarie controleert de ontvankelijkheid.",
        "next_en": "The secretariat checks eligibility.",
    },
    "eligibility": {
        "nl": "ontvankelijkheid",
        "en": "eligibility",
        "next_nl": "De secretarie geeft de ontvankelijke aanvragen aan de jury.",
        "next_en": "The secretariat hands the eligible applications to the jury.",
    },
    "jury": {
        "nl": "jury",
        "en": "jury",
        "next_nl": "De jury scoort en bereikt consensus; daarna beslist de secretarie.",
        "next_en": "The jury scores and reaches consensus; then the secretariat decides.",
    },
    "decided": {
        "nl": "beslist",
        "en": "decided",
        "next_nl": "De secretarie publiceert de resultaten.",
        "next_en": "The secretariat publishes the results.",
    },
    "published": {
        "nl": "gepubliceerd",
        "en": "published",
        "next_nl": "De resultaten zijn gepubliceerd; niets verandert nog.",
        "next_en": "The results are published; nothing changes any more.",
    },
}


class PhaseError(InvalidField):
    """A step or a change the call's phase does not allow; ``field`` names the input at fault."""


def position(phase: str) -> int:
    """Index of ``phase`` in :data:`PHASES`; ValueError for an unknown phase."""
    return PHASES.index(phase)


def next_phase(phase: str) -> str | None:
    """The main step after ``phase``, skipping optional phases (None after the last)."""
    for later in PHASES[position(phase) + 1:]:
        if later not in OPTIONAL_PHASES:
            return later
    return None


def allowed_next(phase: str) -> tuple[str, ...]:
    """Every phase a call in ``phase`` may step to: the optional phases right after it, then the
    main step (``draft`` -> ``pre-registration`` or ``open``)."""
    out: list[str] = []
    for later in PHASES[position(phase) + 1:]:
        out.append(later)
        if later not in OPTIONAL_PHASES:
            break
    return tuple(out)


def reached(phase: str, milestone: str) -> bool:
    """True when ``phase`` is ``milestone`` or later."""
    return position(phase) >= position(milestone)


def deadline_instant(day: date | None) -> datetime | None:
    """The deadline day's last second in Europe/Brussels, as an aware UTC datetime."""
    if day is None:
        return None
    local = datetime.combine(day, time(23, 59, 59), tzinfo=DEADLINE_TZ)
    return local.astimezone(UTC)


def deadline_passed(deadline: date | None, now: datetime) -> bool:
    """True from the deadline instant on (never when the call has no deadline)."""
    instant = deadline_instant(deadline)
    return instant is not None and now >= instant


def check_transition(
    current: str, to: str, *, deadline: date | None = None, now: datetime | None = None
) -> None:
    """Raise :class:`PhaseError` unless ``current → to`` is the next step and may be taken now.

    Only one step forward is allowed. ``open`` needs a deadline; ``closed`` is taken at or after
    the deadline (the secretariat closes the call, the clock does not).
    """
    if to not in PHASES:
        raise PhaseError(
            "to",
            f"unknown phase {to!r}; phases: {', '.join(PHASES)}",
            f"onbekende fase {to!r}; fasen: {', '.join(PHASES)}",
        )
    expected = next_phase(current)
    if to not in allowed_next(current):
        if expected is None:
            en = f"the call is {current}, the last phase; no step follows"
            nl = f"de oproep is {PHASE_TEXTS[current]['nl']}, de laatste fase; er volgt geen stap"
        else:
            en = f"the call is {current}; the next step is {expected}, not {to}"
            nl = (
                f"de oproep is {PHASE_TEXTS[current]['nl']}; de volgende stap is "
                f"{PHASE_TEXTS[expected]['nl']}, niet {PHASE_TEXTS[to]['nl']}"
            )
        raise PhaseError("to", en, nl)
    if to == "open" and deadline is None:
        raise PhaseError(
            "deadline",
            "a call opens only with a deadline",
            "een oproep gaat pas open met een deadline",
        )
    if to == "closed" and deadline is not None and now is not None:
        if not deadline_passed(deadline, now):
            instant = deadline_instant(deadline)
            assert instant is not None
            local = instant.astimezone(DEADLINE_TZ).strftime("%Y-%m-%d %H:%M")
            raise PhaseError(
                "to",
                f"the deadline ({local} Brussels time) has not passed; the call stays open",
                f"de deadline ({local} Brusselse tijd) is nog niet voorbij; de oproep blijft open",
            )


@dataclass(frozen=True)
class PhaseView:
    """What the call page shows: the phase, the next step and the deadline."""

    phase: str
    next: str | None
    name_nl: str
    name_en: str
    next_nl: str
    next_en: str
    deadline_at: datetime | None

    def to_dict(self) -> dict[str, object]:
        return {
            "phase": self.phase,
            "next": self.next,
            "name_nl": self.name_nl,
            "name_en": self.name_en,
            "next_nl": self.next_nl,
            "next_en": self.next_en,
            "deadline_at": self.deadline_at.isoformat() if self.deadline_at else None,
        }


def phase_view(phase: str, deadline: date | None) -> PhaseView:
    texts = PHASE_TEXTS[phase]
    return PhaseView(
        phase=phase,
        next=next_phase(phase),
        name_nl=texts["nl"],
        name_en=texts["en"],
        next_nl=texts["next_nl"],
        next_en=texts["next_en"],
        deadline_at=deadline_instant(deadline),
    )


# --------------------------------------------------------------------------------------------
# What an application allows in each phase


def applications_closed(phase: str, deadline: date | None, now: datetime) -> bool:
    """True once the call is closed or its deadline has passed (the clock alone locks too)."""
    return reached(phase, "closed") or deadline_passed(deadline, now)


def check_not_published(phase: str, what_en: str = "the call", what_nl: str = "de oproep") -> None:
    """After publication nothing changes an application or its eligibility."""
    if reached(phase, "published"):
        raise PhaseError(
            "phase",
            f"the call's results are published; {what_en} can no longer change",
            f"de resultaten van de oproep zijn gepubliceerd; {what_nl} kan niet meer veranderen",
        )


def check_lead_may_edit(status: str, phase: str, deadline: date | None, now: datetime) -> None:
    """The city changes its application only while it is a draft and the call takes applications."""
    check_not_published(phase, "the application", "de aanvraag")
    if status == "submitted":
        raise PhaseError(
            "status",
            "the application is submitted and locked; after the deadline only the secretariat "
            "records an amendment",
            "de aanvraag is ingediend en vergrendeld; na de deadline legt enkel de secretarie "
            "een wijziging vast",
        )
    if status == "withdrawn":
        raise PhaseError("status", "the application was withdrawn", "de aanvraag werd ingetrokken")
    if applications_closed(phase, deadline, now):
        raise PhaseError(
            "deadline",
            "the call's deadline has passed; the application can no longer change",
            "de deadline van de oproep is voorbij; de aanvraag kan niet meer veranderen",
        )


def check_submit(status: str, phase: str, deadline: date | None, now: datetime) -> None:
    """A draft is submitted while the call is open and before its deadline."""
    if status == "submitted":
        raise PhaseError("status", "the application is already submitted", "de aanvraag is al ingediend")
    check_lead_may_edit(status, phase, deadline, now)
    if phase != "open":
        raise PhaseError(
            "phase",
            f"the call is {phase}; applications are submitted while it is open",
            f"de oproep is {PHASE_TEXTS[phase]['nl']}; aanvragen worden ingediend zolang ze open is",
        )


def check_withdraw(status: str, phase: str, deadline: date | None, now: datetime) -> None:
    """A draft or submitted application is withdrawn before the deadline."""
    check_not_published(phase, "the application", "de aanvraag")
    if status == "withdrawn":
        raise PhaseError("status", "the application is already withdrawn", "de aanvraag is al ingetrokken")
    if applications_closed(phase, deadline, now):
        raise PhaseError(
            "deadline",
            "the deadline has passed; an application can only be withdrawn before it",
            "de deadline is voorbij; een aanvraag kan enkel ervoor worden ingetrokken",
        )


def check_amendment(status: str, phase: str, deadline: date | None, now: datetime) -> None:
    """The secretariat amends a submitted application after the deadline, before publication."""
    check_not_published(phase, "the application", "de aanvraag")
    if status != "submitted":
        raise PhaseError(
            "status",
            "only a submitted application is amended; a draft is changed by its lead",
            "enkel een ingediende aanvraag wordt gewijzigd; een ontwerp past de indiener zelf aan",
        )
    if not applications_closed(phase, deadline, now):
        raise PhaseError(
            "deadline",
            "before the deadline an application is not amended; the city can withdraw it",
            "voor de deadline wordt een aanvraag niet gewijzigd; de stad kan ze intrekken",
        )


def now_utc() -> datetime:
    """The current instant (aware, UTC); one place for tests to read the clock's shape."""
    return datetime.now(UTC)


#: How long personal data is kept after a call closes, by default (years); a setting overrides it.
DEFAULT_RETENTION_YEARS = 7


def retention_until(closed_at: datetime, years: int = DEFAULT_RETENTION_YEARS) -> date:
    """The last day personal data of a call may be kept: ``years`` after it closed."""
    day = closed_at.date()
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a year without one
        return (day + timedelta(days=1)).replace(year=day.year + years)
