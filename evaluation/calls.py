"""Calls (oproepen) with their rules and criteria, and the presets taken from the sources.

A :class:`Call` holds the rules the eligibility check applies and the :class:`Criterion` list a
jury scores. A rule left ``None`` has no figure in the sources (or in the admin's call) and is
reported as *not applicable* by :mod:`evaluation.eligibility`, never as silently passed.

Money is in euro cents, percentages are 0-100 (``80`` means 80 %). Every preset figure carries a
:class:`SourceNote` that says where it comes from and whether it is our interpretation;
``docs/calls.md`` repeats them as a table.
"""

from __future__ import annotations

import decimal
import math
from collections.abc import Mapping
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


class UnknownPreset(KeyError):
    """No preset with this name; ``name`` is what was asked, ``known`` what exists."""

    def __init__(self, name: str):
        self.name = name
        self.known = tuple(PRESETS)
        super().__init__(f"unknown preset {name!r}; known: {', '.join(self.known)}")


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
        if not _finite(self.weight) or self.weight < 0:
            err(
                "weight", "weight must be a number of at least 0", "gewicht moet een getal ≥ 0 zijn"
            )
        if not (_finite(self.scale_min) and _finite(self.scale_max)):
            err("scale_min", "scale bounds must be numbers", "schaalgrenzen moeten getallen zijn")
            return out
        if self.scale_min >= self.scale_max:
            err(
                "scale_max",
                "scale_max must be above scale_min",
                "het schaalmaximum moet boven het schaalminimum liggen",
            )
        if not _finite(self.scale_step) or self.scale_step <= 0:
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
            not _finite(self.threshold) or not self.scale_min <= self.threshold <= self.scale_max
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
            "deadline": self.deadline.isoformat() if self.deadline else None,
            "pre_registration_deadline": (
                self.pre_registration_deadline.isoformat()
                if self.pre_registration_deadline
                else None
            ),
            "criteria": [c.to_dict() for c in self.criteria],
            "preset": self.preset,
            "sources": [s.to_dict() for s in self.sources],
            "not_checked": list(self.not_checked),
        }


def _finite(x: object) -> bool:
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
        if value is not None and (not _finite(value) or not 0 <= value <= 100):
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
        _finite(call.max_subsidy_pct)
        and _finite(call.min_cofinancing_pct)
        and call.max_subsidy_pct + call.min_cofinancing_pct < 100 - 1e-9
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
        if value is not None and (
            not isinstance(value, int) or isinstance(value, bool) or value < 1
        ):
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
        if _finite(c.weight) and c.weight > 0:
            total_weight += c.weight
    if call.criteria and total_weight <= 0:
        err(
            "criteria",
            "criterion weights must sum to more than 0",
            "de gewichten van de criteria moeten samen meer dan 0 zijn",
        )
    return out


# --------------------------------------------------------------------------------------------
# Parsing a full call from the API


_CALL_FIELDS = {f for f in Call.__dataclass_fields__} - {"criteria", "sources", "not_checked"}
_CRITERION_FIELDS = set(Criterion.__dataclass_fields__)


def criterion_from_dict(payload: Mapping[str, Any], prefix: str = "") -> Criterion:
    """Build a criterion from its JSON form (``name``/``description`` fill the Dutch fields)."""
    if not isinstance(payload, Mapping):
        raise InvalidCall(
            [
                FieldError(
                    prefix.rstrip(".") or "criterion", "must be an object", "moet een object zijn"
                )
            ]
        )
    data = {k: v for k, v in payload.items() if k in _CRITERION_FIELDS}
    if "name_nl" not in data and "name" in payload:
        data["name_nl"] = payload["name"]
    data.setdefault("name_en", data.get("name_nl", ""))
    data.setdefault("name_nl", data.get("name_en", ""))
    if "description_nl" not in data and "description" in payload:
        data["description_nl"] = payload["description"]
    errors: list[FieldError] = []
    for key in ("weight", "scale_min", "scale_max", "scale_step", "threshold"):
        if key in data and data[key] is not None and not _finite(data[key]):
            errors.append(FieldError(prefix + key, "must be a number", "moet een getal zijn"))
    for key in ("code", "name_nl", "name_en", "description_nl", "description_en"):
        if key in data and not isinstance(data[key], str):
            errors.append(FieldError(prefix + key, "must be text", "moet tekst zijn"))
    if "code" not in data:
        errors.append(
            FieldError(
                prefix + "code", "a criterion needs a code", "een criterium heeft een code nodig"
            )
        )
    if errors:
        raise InvalidCall(errors)
    criterion = Criterion(**data)
    errors = criterion.errors(prefix)
    if errors:
        raise InvalidCall(errors)
    return criterion


def call_from_dict(payload: Mapping[str, Any]) -> Call:
    """A call from the API: ``{"preset": name}`` (other keys override the preset) or a full call.

    Raises :class:`InvalidCall` listing every bad field, or :class:`UnknownPreset`.
    """
    if not isinstance(payload, Mapping):
        raise InvalidCall([FieldError("call", "must be an object", "moet een object zijn")])
    base: dict[str, Any] = {}
    if payload.get("preset") is not None:
        preset = preset_call(str(payload["preset"]))
        base = {name: getattr(preset, name) for name in Call.__dataclass_fields__}
    errors: list[FieldError] = []
    data = dict(base)
    for key, value in payload.items():
        if key in ("preset", "criteria"):
            continue
        if key not in _CALL_FIELDS:
            errors.append(FieldError(key, "unknown field", "onbekend veld"))
            continue
        if key in ("deadline", "pre_registration_deadline") and isinstance(value, str):
            try:
                value = date.fromisoformat(value)
            except ValueError:
                errors.append(
                    FieldError(key, "must be a date YYYY-MM-DD", "moet een datum JJJJ-MM-DD zijn")
                )
                continue
        if key == "allowed_domains" and value is not None:
            if not isinstance(value, (list, tuple)):
                errors.append(FieldError(key, "must be a list", "moet een lijst zijn"))
                continue
            value = tuple(value)
        data[key] = value
    if "criteria" in payload:
        raw = payload["criteria"]
        if not isinstance(raw, (list, tuple)):
            errors.append(FieldError("criteria", "must be a list", "moet een lijst zijn"))
        else:
            criteria = []
            for i, item in enumerate(raw):
                try:
                    criteria.append(criterion_from_dict(item, f"criteria[{i}]."))
                except InvalidCall as exc:
                    errors.extend(exc.errors)
            data["criteria"] = tuple(criteria)
    for required in ("name", "year"):
        if required not in data:
            errors.append(FieldError(required, "required", "verplicht"))
    if errors:
        raise InvalidCall(errors)
    return Call(**data)


# --------------------------------------------------------------------------------------------
# Presets. Criterion weights, scales and thresholds are ours: the sources give none.

_SCALE_NOTE = SourceNote(
    "criteria.weight/scale/threshold",
    "none",
    "The sources give no weights, scales or thresholds: equal weights on a 0-10 scale in steps "
    "of 1 without threshold are our choice; the secretariat edits them before the first score.",
    interpretation=True,
)

COT_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        code="leverage",
        name_nl="Hefboomeffect",
        name_en="Leverage",
        description_nl=(
            "Wat het project losmaakt per euro steun: eigen middelen, bereik, volgsteden die de "
            "oplossing overnemen en hergebruik van eerdere resultaten."
        ),
        description_en=(
            "What the project sets in motion per euro of grant: own funds, reach, follower "
            "municipalities that take the solution over, reuse of earlier results."
        ),
        indicator="leverage",
    ),
    Criterion(
        code="scalability",
        name_nl="Opschaalbaarheid",
        name_en="Scalability",
        description_nl=(
            "De mate waarin het project in andere steden en gemeenten kan worden uitgerold."
        ),
        description_en=(
            "The degree to which the project can be rolled out in other cities and municipalities."
        ),
        indicator="scalability",
    ),
)

_COT_CRITERIA_SOURCE = SourceNote(
    "criteria",
    "seed 000 section 5.1",
    '"de ontvankelijke projecten worden namelijk beoordeeld op basis van hun hefboomeffect en de '
    'mate waarin het project in andere steden en gemeentes kan worden uitgerold"',
)

SLIM_IN_DE_STAD_CRITERIA: tuple[Criterion, ...] = (
    Criterion(
        "quality_of_life",
        "Verbetering van de levenskwaliteit",
        "Improves quality of life",
        "Het concept verbetert de levenskwaliteit in de stad.",
        "The concept improves quality of life in the city.",
        group="content",
    ),
    Criterion(
        "technology_and_data",
        "Technologie en rol van open/real-time data",
        "Technology and role of open/real-time data",
        "Kwaliteit van de technologie en van de rol van open en/of real-time data.",
        "Quality of the technology and of the role of open and/or real-time data.",
        group="content",
    ),
    Criterion(
        "originality",
        "Originaliteit",
        "Originality",
        "Originaliteit van het concept.",
        "Originality of the concept.",
        group="content",
    ),
    Criterion(
        "example_value",
        "Voorbeeld voor andere steden",
        "Example for other cities",
        "Het concept kan een voorbeeld zijn voor andere steden.",
        "The concept can be an example for other cities.",
        group="content",
        indicator="scalability",
    ),
    Criterion(
        "cooperation",
        "Kwaliteit van de samenwerking",
        "Quality of cooperation",
        "Kwaliteit van de samenwerking met andere steden, gemeenten, diensten, bedrijven of "
        "onderzoeksinstellingen.",
        "Quality of the cooperation with other cities, municipalities, services, companies "
        "or research institutes.",
        group="content",
    ),
    Criterion(
        "project_organisation",
        "Projectorganisatie",
        "Project organisation",
        "Haalbaarheid: organisatie van het project.",
        "Feasibility: project organisation.",
        group="feasibility",
    ),
    Criterion(
        "planning",
        "Planning",
        "Planning",
        "Haalbaarheid: planning.",
        "Feasibility: planning.",
        group="feasibility",
    ),
    Criterion(
        "financing",
        "Financiering van het hele project",
        "Financing of the whole project",
        "Haalbaarheid: financiering van het volledige project.",
        "Feasibility: financing of the whole project.",
        group="feasibility",
    ),
    Criterion(
        "grant_use",
        "Besteding van de subsidie",
        "Use of the grant",
        "Haalbaarheid: waaraan de subsidie besteed wordt.",
        "Feasibility: what the grant is spent on.",
        group="feasibility",
    ),
)

_VGC_NOTE = SourceNote(
    "lead_rule",
    "DOMAIN-FACTS 'The 13 centrumsteden and the VGC'; CoT 2025 (public)",
    "The VGC may apply to City of Things (stated generally, and explicitly for 2025). Leads of "
    "any size: 004 L2028 'Vlaamse steden en gemeenten - groot én klein'; 2022 leads include "
    "Zaventem, Oostkamp and Puurs-Sint-Amands (public).",
    interpretation=True,
)

_NOT_CHECKED_COT = (
    (
        "deliverables playbook/model specification are expected (004 L824) but scored through "
        "the scalability indicator, not checked as a rule"
    ),
)


def _cot_2017() -> Call:
    return Call(
        name="City of Things 2017",
        year=2017,
        call_type="experiment",
        total_budget_cents=400_000_000,
        max_grant_cents=20_000_000,
        max_subsidy_pct=80,
        min_cofinancing_pct=20,
        lead_rule="municipalities_and_vgc",
        criteria=COT_CRITERIA,
        preset="city-of-things-2017",
        sources=(
            SourceNote(
                "total_budget_cents",
                "seed 004 L2026",
                '"Er werd een budget uitgetrokken van €4 miljoen"',
            ),
            SourceNote(
                "max_grant_cents",
                "seed 004 Table 19 (L2032-2056)",
                "The highest grants are exactly €200,000 (Edegem, Lubbeek; DOMAIN-FACTS says three "
                "projects, the table shows two at exactly €200,000 and several just below). "
                "Reading this as a cap per project is our interpretation.",
                interpretation=True,
            ),
            SourceNote(
                "max_subsidy_pct", "public (VLAIO call text, via DOMAIN-FACTS)", "grant at most 80%"
            ),
            SourceNote(
                "min_cofinancing_pct",
                "public (VLAIO call text, via DOMAIN-FACTS)",
                "the municipality pays at least 20%",
            ),
            SourceNote(
                "call_type",
                "seed 004 L824",
                '"het uittesten van een innovatieve toepassing": an experiment call',
                interpretation=True,
            ),
            SourceNote(
                "min_local_governments",
                "seed 004 L824",
                "Partnership is 'een meerwaarde' and single-municipality projects 'dragen niet de "
                "voorkeur weg': a preference, not a condition, so no minimum (left to the "
                "leverage and scalability criteria).",
            ),
            _VGC_NOTE,
            _COT_CRITERIA_SOURCE,
            _SCALE_NOTE,
        ),
        not_checked=_NOT_CHECKED_COT + ("deadline: not in the sources",),
    )


def _cot_2022() -> Call:
    return Call(
        name="City of Things 2022",
        year=2022,
        call_type="experiment",
        total_budget_cents=1_090_000_000,
        max_grant_cents=100_000_000,
        min_local_governments=2,
        lead_rule="municipalities_and_vgc",
        criteria=COT_CRITERIA,
        preset="city-of-things-2022",
        sources=(
            SourceNote(
                "total_budget_cents",
                "seed 002 L46",
                '"€10,9 miljoen voor projecten van max. €1 miljoen"',
            ),
            SourceNote("max_grant_cents", "seed 002 L46", '"max. €1 miljoen" per project'),
            SourceNote(
                "call_type",
                "seed 002 L48",
                '"Opschaling waar mogelijk, maar ook nieuwe ideeën": new ideas allowed, so no '
                "prior project is required (experiment).",
                interpretation=True,
            ),
            SourceNote(
                "min_local_governments",
                "seed 002 L313-315",
                '"CoT2022 en 2023 nemen dit op in de voorwaarden en lokale besturen kunnen niet '
                'alleen indienen": read as at least two local governments (municipalities or '
                "the VGC) in the consortium.",
                interpretation=True,
            ),
            _VGC_NOTE,
            _COT_CRITERIA_SOURCE,
            _SCALE_NOTE,
        ),
        not_checked=_NOT_CHECKED_COT
        + (
            "max_subsidy_pct / min_cofinancing_pct: not in the sources for 2022",
            "deadline: not in the sources",
        ),
    )


def _cot_2023() -> Call:
    return Call(
        name="City of Things 2023",
        year=2023,
        call_type="scaling",
        total_budget_cents=800_000_000,
        min_local_governments=2,
        lead_rule="municipalities_and_vgc",
        oslo_required=True,
        vloca_required=True,
        deadline=date(2023, 6, 30),
        pre_registration_deadline=date(2023, 3, 31),
        criteria=COT_CRITERIA,
        preset="city-of-things-2023",
        sources=(
            SourceNote(
                "total_budget_cents",
                "public (VLAIO/EFRO announcement, via DOMAIN-FACTS)",
                "€4M EFRO + €4M City of Things co-financing = €8M. Seed 002 L56 says "
                "'EFRO-oproep met "
                "co-financiering van VLAIO, €10 miljoen in totaal'; the sources disagree and the "
                "preset follows the call announcement.",
            ),
            SourceNote(
                "call_type",
                "public; seed 002 L58 'Expliciete aandacht voor opschalingsprojecten (CoT+)'",
                "scaling projects only",
            ),
            SourceNote("oslo_required", "public", "alignment with OSLO mandatory"),
            SourceNote("vloca_required", "public", "alignment with VLOCA mandatory"),
            SourceNote(
                "deadline",
                "public",
                "full proposal 30 June, pre-registration 31 March; the year 2023 is taken from "
                "the call's name.",
                interpretation=True,
            ),
            SourceNote(
                "min_local_governments",
                "seed 002 L313-315",
                '"lokale besturen kunnen niet alleen indienen": at least two local governments.',
                interpretation=True,
            ),
            _VGC_NOTE,
            _COT_CRITERIA_SOURCE,
            _SCALE_NOTE,
        ),
        not_checked=_NOT_CHECKED_COT
        + (
            "max_grant_cents, max_subsidy_pct, min_cofinancing_pct: not in the sources for 2023",
            "theme 'slim en duurzaam' (002) is not one of the six domains: no domain restriction",
        ),
    )


def _slim_in_de_stad_2019() -> Call:
    return Call(
        name="Slim in de Stad 2018/2019",
        year=2018,
        call_type="experiment",
        total_budget_cents=43_500_000,
        min_grant_cents=14_500_000,
        min_cofinancing_pct=30,
        lead_rule="centrumsteden_and_vgc",
        max_applications_per_lead=1,
        extra_applications_when_cooperating=1,
        criteria=SLIM_IN_DE_STAD_CRITERIA,
        preset="slim-in-de-stad-2019",
        sources=(
            SourceNote(
                "year",
                "seed 004 L2181",
                '"Voor 2018 is een subsidiebedrag van 435.000 '
                'euro beschikbaar" (DOMAIN-FACTS: round 2018/2019)',
            ),
            SourceNote("total_budget_cents", "seed 004 L2181", "435.000 euro"),
            SourceNote(
                "min_grant_cents",
                "seed 004 L2181",
                '"Per project is de subsidie minimaal 145.000 euro" (so at most three)',
            ),
            SourceNote("min_cofinancing_pct", "seed 004 L2191", '"minimaal 30% cofinanciering"'),
            SourceNote(
                "lead_rule",
                "seed 004 L2189",
                '"Elke centrumstad of de VGC kan maximaal één concept indienen"',
            ),
            SourceNote("max_applications_per_lead", "seed 004 L2189", "one concept each"),
            SourceNote(
                "extra_applications_when_cooperating",
                "seed 004 L2189",
                '"Enkel bij samenwerking met andere steden of gemeenten kan er één extra '
                'concept ingediend worden"',
            ),
            SourceNote(
                "call_type",
                "seed 004 L2179",
                '"per definitie een experimenteel en innovatief karakter"',
            ),
            SourceNote(
                "criteria",
                "public (Slim in de Stad call text, via DOMAIN-FACTS)",
                "content and feasibility criteria",
            ),
            _SCALE_NOTE,
        ),
        not_checked=(
            "max_grant_cents: none given (the budget of €435,000 bounds it)",
            "max_subsidy_pct: implied by the 30% co-financing; checked once, as co-financing",
            (
                "part of the co-financing must be a public contribution of the city (004 L2191): "
                "the application has no breakdown of co-financing, so this is not checked"
            ),
            "realisation within three years (004 L2181): applications carry no duration",
            (
                "cooperation with other cities, services, companies or research institutes "
                "(004 L2183-2187): any partner type counts, so it is scored (criterion "
                "'cooperation'), not checked"
            ),
        ),
    )


PRESETS = {
    "city-of-things-2017": _cot_2017,
    "city-of-things-2022": _cot_2022,
    "city-of-things-2023": _cot_2023,
    "slim-in-de-stad-2019": _slim_in_de_stad_2019,
}


def preset_call(name: str) -> Call:
    """The preset call ``name`` (one of :data:`PRESETS`); raises :class:`UnknownPreset`."""
    try:
        return PRESETS[name]()
    except KeyError:
        raise UnknownPreset(name) from None
