"""Calls (oproepen) with their rules and criteria, and their validation.

A :class:`Call` holds the rules the eligibility check applies and the :class:`Criterion` list a
jury scores. A rule left ``None`` has no figure in the sources (or in the admin's call) and is
reported as *not applicable* by :mod:`evaluation.eligibility`, never as silently passed.

Money is in euro cents, percentages are 0-100 (``80`` means 80 %). Every preset figure carries a
:class:`SourceNote` that says where it comes from and whether it is our interpretation (the
presets are data files, read by :mod:`evaluation.calls.presets`); ``docs/calls.md`` repeats
them as a table.
"""

from __future__ import annotations

import decimal
import math
from dataclasses import asdict, dataclass, field, replace
from datetime import date
from typing import Any

from evaluation import scoring
from evaluation.scoring import to_decimal
from matching.registry import DOMAINS

#: Call types: an experiment call funds new ideas; a scaling call needs a prior project.
CALL_TYPES: tuple[str, ...] = ("experiment", "scaling")

#: Who may lead an application. The Vlaamse Gemeenschapscommissie (VGC) may always lead.
LEAD_RULES: tuple[str, ...] = ("municipalities_and_vgc", "centrumsteden_and_vgc")

#: Code that stands for the Vlaamse Gemeenschapscommissie where a REFNIS code is expected.
VGC = "VGC"
#: Its name, wherever a name stands beside the code.
VGC_NAME = "Vlaamse Gemeenschapscommissie"

#: Default follower distance of a call, km (ours: about the reach of a municipality's neighbours
#: and their neighbours in Flanders; the secretariat sets it per call).
DEFAULT_FOLLOWER_DISTANCE_KM = 30.0

#: Largest follower distance a call may set, km (Flanders is about 200 km wide).
MAX_FOLLOWER_DISTANCE_KM = 300.0

#: Indicators a criterion can show beside the scoring form.
INDICATOR_NAMES: tuple[str, ...] = ("leverage", "scalability")


@dataclass(frozen=True)
class FieldError:
    """One problem with one input field; ``field`` uses the API's names (``criteria[1].weight``)."""

    field: str
    message: str
    message_nl: str

    def to_dict(self) -> dict[str, str]:
        return {"field": self.field, "message": self.message, "message_nl": self.message_nl}


class InvalidInput(Exception):
    """Input that breaks the shape rules; ``errors`` names every offending field."""

    def __init__(self, errors: list[FieldError] | tuple[FieldError, ...]):
        self.errors: tuple[FieldError, ...] = tuple(errors)
        super().__init__("; ".join(f"{e.field}: {e.message}" for e in self.errors))

    def to_dict(self) -> dict[str, Any]:
        return {"errors": [e.to_dict() for e in self.errors]}


class InvalidCall(InvalidInput):
    """A call or its criteria cannot be used (bad amounts, weights, scales or thresholds)."""


@dataclass(frozen=True)
class SourceNote:
    """Where one preset figure comes from; ``interpretation`` marks our reading, not the text."""

    field: str
    source: str
    note: str = ""
    interpretation: bool = False

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class Criterion:
    """A scoring criterion; scores run from ``scale_min`` to ``scale_max`` by ``scale_step``.

    ``weight`` is relative (the call's weights need not sum to 1). ``threshold`` is the minimum
    score to pass the criterion (None = no threshold). ``indicator`` names the advisory indicator
    shown beside the criterion ("leverage" or "scalability"), if any.
    """

    code: str
    name_nl: str
    name_en: str
    description_nl: str = ""
    description_en: str = ""
    weight: float = 1.0
    scale_min: float = 0.0
    scale_max: float = 10.0
    scale_step: float = 1.0
    threshold: float | None = None
    group: str | None = None
    indicator: str | None = None

    def errors(self, prefix: str = "") -> list[FieldError]:
        """Shape problems of this criterion (empty when fine)."""
        out: list[FieldError] = []

        def err(name: str, en: str, nl: str) -> None:
            out.append(FieldError(prefix + name, en, nl))

        if not self.code or not str(self.code).strip():
            err("code", "a criterion needs a code", "een criterium heeft een code nodig")
        if not self.name_nl and not self.name_en:
            err("name", "a criterion needs a name", "een criterium heeft een naam nodig")
        if not finite_number(self.weight) or self.weight < 0:
            err("weight", "weight must be a number of at least 0", "gewicht moet een getal ≥ 0 zijn")
        if not (finite_number(self.scale_min) and finite_number(self.scale_max)):
            err("scale_min", "scale bounds must be numbers", "schaalgrenzen moeten getallen zijn")
            return out
        if self.scale_min >= self.scale_max:
            err(
                "scale_max",
                "scale_max must be above scale_min",
                "het schaalmaximum moet boven het schaalminimum liggen",
            )
        if not finite_number(self.scale_step) or self.scale_step <= 0:
            err("scale_step", "scale_step must be above 0", "de schaalstap moet groter dan 0 zijn")
        elif self.scale_min < self.scale_max:
            # Exact decimal arithmetic, as the jury's score validation does (0.3 on a 0.1 step).
            span = to_decimal(self.scale_max) - to_decimal(self.scale_min)
            try:
                whole = span % to_decimal(self.scale_step) == 0
            except decimal.InvalidOperation:  # too many steps to count exactly (e.g. step 1e-300)
                whole = False
            if not whole:
                err(
                    "scale_step",
                    "the scale range must be a whole number of steps",
                    "het schaalbereik moet een geheel aantal stappen zijn",
                )
        if self.threshold is not None and (
            not finite_number(self.threshold) or not self.scale_min <= self.threshold <= self.scale_max
        ):
            err(
                "threshold",
                f"threshold must lie within the scale {self.scale_min:g}-{self.scale_max:g}",
                f"de drempel moet binnen de schaal {self.scale_min:g}-{self.scale_max:g} liggen",
            )
        if self.indicator is not None and self.indicator not in INDICATOR_NAMES:
            err(
                "indicator",
                f"indicator must be one of {', '.join(INDICATOR_NAMES)}",
                f"indicator moet een van {', '.join(INDICATOR_NAMES)} zijn",
            )
        return out

    def snap(self, value: float) -> float:
        """Clamp ``value`` to the scale and round it to the nearest step (half steps round up)."""
        clamped = min(max(value, self.scale_min), self.scale_max)
        steps = math.floor((clamped - self.scale_min) / self.scale_step + 0.5 + 1e-9)
        return min(self.scale_min + steps * self.scale_step, self.scale_max)

    def for_scoring(self) -> scoring.Criterion:
        """The jury modules' view of this criterion (:class:`evaluation.scoring.Criterion`)."""
        return scoring.Criterion(
            code=self.code,
            weight=self.weight,
            scale_min=self.scale_min,
            scale_max=self.scale_max,
            scale_step=self.scale_step,
            threshold=self.threshold,
        )

    def to_dict(self) -> dict[str, Any]:
        d = asdict(self)
        d["name"] = self.name_nl
        d["description"] = self.description_nl
        return d


@dataclass(frozen=True)
class Call:
    """A grant call with the rules the eligibility check applies.

    Money in euro cents; percentages 0-100 of the application's total budget. ``None`` means the
    call sets no such rule (not checked, reported as not applicable).

    - ``max_subsidy_pct``: the grant may be at most this share of the project's total budget.
    - ``min_cofinancing_pct``: the applicants' own (co-)financing must be at least this share.
    - ``min_local_governments``: municipalities (or the VGC) in the consortium, lead included.
    - ``max_applications_per_lead`` / ``extra_applications_when_cooperating``: a lead may submit
      at most ``max`` applications, and ``extra`` more only if those are made together with other
      municipalities (Slim in de Stad: one concept, one extra when cooperating).
    - ``follower_distance_km``: a follower farther than this from every consortium member, with
      no earlier project shared with one, counts reduced in the indicators; the consortium
      advisor proposes candidates within it by default (ours: 30 km).
    - ``indicators_folded``: the scoring page keeps the indicators folded until the juror saved
      a first draft score (against anchoring; the consensus page shows them to the chair).
    """

    name: str
    year: int
    call_type: str = "experiment"
    total_budget_cents: int | None = None
    max_grant_cents: int | None = None
    min_grant_cents: int | None = None
    max_subsidy_pct: float | None = None
    min_cofinancing_pct: float | None = None
    allowed_domains: tuple[str, ...] | None = None
    min_local_governments: int | None = None
    lead_rule: str = "municipalities_and_vgc"
    max_applications_per_lead: int | None = None
    extra_applications_when_cooperating: int = 0
    oslo_required: bool = False
    vloca_required: bool = False
    follower_distance_km: float = DEFAULT_FOLLOWER_DISTANCE_KM
    indicators_folded: bool = True
    deadline: date | None = None
    pre_registration_deadline: date | None = None
    criteria: tuple[Criterion, ...] = ()
    preset: str | None = None
    sources: tuple[SourceNote, ...] = ()
    not_checked: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        errors = call_errors(self)
        if errors:
            raise InvalidCall(errors)

    def criterion(self, code: str) -> Criterion:
        for c in self.criteria:
            if c.code == code:
                return c
        raise KeyError(code)

    def with_criteria(self, criteria: tuple[Criterion, ...] | list[Criterion]) -> Call:
        """The same call with other criteria (validated); allowed until the first score."""
        return replace(self, criteria=tuple(criteria))

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "year": self.year,
            "call_type": self.call_type,
            "total_budget_cents": self.total_budget_cents,
            "max_grant_cents": self.max_grant_cents,
            "min_grant_cents": self.min_grant_cents,
            "max_subsidy_pct": self.max_subsidy_pct,
            "min_cofinancing_pct": self.min_cofinancing_pct,
            "allowed_domains": list(self.allowed_domains) if self.allowed_domains else None,
            "min_local_governments": self.min_local_governments,
            "lead_rule": self.lead_rule,
            "max_applications_per_lead": self.max_applications_per_lead,
            "extra_applications_when_cooperating": self.extra_applications_when_cooperating,
            "oslo_required": self.oslo_required,
            "vloca_required": self.vloca_required,
            "follower_distance_km": self.follower_distance_km,
            "indicators_folded": self.indicators_folded,
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "pre_registration_deadline": (
                self.pre_registration_deadline.isoformat() if self.pre_registration_deadline else None
            ),
            "criteria": [c.to_dict() for c in self.criteria],
            "preset": self.preset,
            "sources": [s.to_dict() for s in self.sources],
            "not_checked": list(self.not_checked),
        }


def finite_number(x: object) -> bool:
    """A real, finite number (not a bool, not NaN or infinity)."""
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _money_ok(x: object) -> bool:
    return isinstance(x, int) and not isinstance(x, bool) and x >= 0


def call_errors(call: Call) -> list[FieldError]:
    """Every shape problem of a call and its criteria (empty list when the call is usable)."""
    out: list[FieldError] = []

    def err(name: str, en: str, nl: str) -> None:
        out.append(FieldError(name, en, nl))

    if not call.name or not str(call.name).strip():
        err("name", "a call needs a name", "een oproep heeft een naam nodig")
    if not isinstance(call.year, int) or isinstance(call.year, bool):
        err("year", "year must be a whole number", "jaar moet een geheel getal zijn")
    if call.call_type not in CALL_TYPES:
        err(
            "call_type",
            f"call_type must be one of {', '.join(CALL_TYPES)}",
            f"oproeptype moet een van {', '.join(CALL_TYPES)} zijn",
        )
    if call.lead_rule not in LEAD_RULES:
        err(
            "lead_rule",
            f"lead_rule must be one of {', '.join(LEAD_RULES)}",
            f"indienersregel moet een van {', '.join(LEAD_RULES)} zijn",
        )
    for name in ("total_budget_cents", "max_grant_cents", "min_grant_cents"):
        value = getattr(call, name)
        if value is not None and not _money_ok(value):
            err(
                name,
                "amount must be a whole number of cents, at least 0",
                "bedrag moet een geheel aantal eurocent zijn, minstens 0",
            )
    for name in ("max_subsidy_pct", "min_cofinancing_pct"):
        value = getattr(call, name)
        if value is not None and (not finite_number(value) or not 0 <= value <= 100):
            err(
                name,
                "percentage must lie between 0 and 100",
                "percentage moet tussen 0 en 100 liggen",
            )
    mn, mx, budget = call.min_grant_cents, call.max_grant_cents, call.total_budget_cents
    if _money_ok(mn) and _money_ok(mx) and mn > mx:
        err(
            "min_grant_cents",
            "minimum grant is above the maximum grant",
            "minimumsteun ligt boven de maximumsteun",
        )
    if _money_ok(mx) and _money_ok(budget) and mx > budget:
        err(
            "max_grant_cents",
            "maximum grant is above the call budget",
            "maximumsteun ligt boven het budget van de oproep",
        )
    if _money_ok(mn) and _money_ok(budget) and mn > budget:
        err(
            "min_grant_cents",
            "minimum grant is above the call budget",
            "minimumsteun ligt boven het budget van de oproep",
        )
    if (
        finite_number(call.max_subsidy_pct)
        and finite_number(call.min_cofinancing_pct)
        and to_decimal(call.max_subsidy_pct) + to_decimal(call.min_cofinancing_pct) < 100
    ):
        # Both rules are about one budget: grant + co-financing = total. A call that allows an
        # 80 % grant but asks only 10 % co-financing is contradictory.
        err(
            "min_cofinancing_pct",
            "maximum subsidy and minimum co-financing must add up to at least 100%",
            "maximale steun en minimale cofinanciering moeten samen minstens 100% zijn",
        )
    if call.allowed_domains is not None:
        unknown = [d for d in call.allowed_domains if d not in DOMAINS]
        if unknown or not call.allowed_domains:
            err(
                "allowed_domains",
                f"domains must be among {', '.join(DOMAINS)}",
                f"domeinen moeten behoren tot {', '.join(DOMAINS)}",
            )
    for name in ("min_local_governments", "max_applications_per_lead"):
        value = getattr(call, name)
        if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
            err(name, "must be a whole number of at least 1", "moet een geheel getal ≥ 1 zijn")
    extra = call.extra_applications_when_cooperating
    if not isinstance(extra, int) or isinstance(extra, bool) or extra < 0:
        err(
            "extra_applications_when_cooperating",
            "must be a whole number of at least 0",
            "moet een geheel getal ≥ 0 zijn",
        )
    if (
        call.deadline is not None
        and call.pre_registration_deadline is not None
        and call.pre_registration_deadline > call.deadline
    ):
        err(
            "pre_registration_deadline",
            "pre-registration closes after the deadline",
            "de vooraanmelding sluit na de deadline",
        )
    km = call.follower_distance_km
    if not finite_number(km) or not 0 < km <= MAX_FOLLOWER_DISTANCE_KM:
        err(
            "follower_distance_km",
            f"follower distance must lie above 0 and at most {MAX_FOLLOWER_DISTANCE_KM:g} km",
            f"de volgstadafstand moet boven 0 en hoogstens {MAX_FOLLOWER_DISTANCE_KM:g} km liggen",
        )
    if not isinstance(call.indicators_folded, bool):
        err("indicators_folded", "must be true or false", "moet waar of onwaar zijn")
    if not call.criteria:
        err(
            "criteria",
            "a call needs at least one criterion",
            "een oproep heeft minstens één criterium nodig",
        )
    seen: set[str] = set()
    total_weight = 0.0
    for i, c in enumerate(call.criteria):
        out.extend(c.errors(f"criteria[{i}]."))
        if c.code in seen:
            err(
                f"criteria[{i}].code",
                f"criterion code {c.code!r} is used twice",
                f"criteriumcode {c.code!r} komt twee keer voor",
            )
        seen.add(c.code)
        if finite_number(c.weight) and c.weight > 0:
            total_weight += c.weight
    if call.criteria and total_weight <= 0:
        err(
            "criteria",
            "criterion weights must sum to more than 0",
            "de gewichten van de criteria moeten samen meer dan 0 zijn",
        )
    return out
