"""Rule outcomes of the eligibility check, the context it needs, and their small helpers."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from evaluation.applications import Application
from evaluation.calls import VGC
from matching.registry import Municipality, Project

STATUSES: tuple[str, ...] = ("passed", "failed", "not_applicable", "flagged", "to_verify")

#: Rule codes in the order they are checked and reported.
RULE_CODES: tuple[str, ...] = (
    "deadline",
    "lead_allowed",
    "partnership_minimum",
    "max_grant",
    "min_grant",
    "call_budget",
    "max_subsidy_pct",
    "min_cofinancing_pct",
    "domain_allowed",
    "prior_project",
    "oslo",
    "vloca",
    "applications_per_lead",
    "double_funding",
)


@dataclass(frozen=True)
class RuleResult:
    """Outcome of one rule. ``passed`` is None when the rule is not applicable."""

    code: str
    status: str
    reason_nl: str
    reason_en: str
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def passed(self) -> bool | None:
        if self.status in ("not_applicable", "to_verify"):
            return None
        return self.status == "passed"

    def to_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "status": self.status,
            "passed": self.passed,
            "reason": self.reason_nl,
            "reason_nl": self.reason_nl,
            "reason_en": self.reason_en,
            "details": dict(self.details),
        }


@dataclass(frozen=True)
class EligibilityResult:
    """All rule outcomes; ``eligible`` is False as soon as one rule failed."""

    eligible: bool
    rules: tuple[RuleResult, ...]

    @property
    def failed(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.status == "failed")

    @property
    def flagged(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.status == "flagged")

    @property
    def to_verify(self) -> tuple[RuleResult, ...]:
        return tuple(r for r in self.rules if r.status == "to_verify")

    def rule(self, code: str) -> RuleResult:
        for r in self.rules:
            if r.code == code:
                return r
        raise KeyError(code)

    def to_dict(self) -> dict[str, Any]:
        return {
            "eligible": self.eligible,
            "flagged": bool(self.flagged),
            "to_verify": bool(self.to_verify),
            "rules": [r.to_dict() for r in self.rules],
        }


@dataclass(frozen=True)
class EligibilityContext:
    """What the check needs besides the call and the application.

    - ``municipalities``: REFNIS -> current municipality (for the lead rule and names).
    - ``other_applications_of_lead``: the lead's *other* applications in the same call.
    - ``projects``: known prior projects by id (evidence for scaling calls); None = not known.
    - ``similar_funded``: ``(project_id, title, score)`` of already funded projects, as the
      caller's text-similarity index returns them for this application (score 0..1).
    - ``double_funding_threshold``: score from which a similar project is flagged (the caller
      passes the similarity module's documented threshold); None = not checked.
    - ``submitted_on``: date of submission, for the deadline; None = not checked.
    """

    municipalities: Mapping[str, Municipality] = field(default_factory=dict)
    other_applications_of_lead: Sequence[Application] = ()
    projects: Mapping[int, Project] | None = None
    similar_funded: Sequence[tuple[int, str, float]] = ()
    double_funding_threshold: float | None = None
    submitted_on: date | None = None


def not_applicable(code: str, nl: str, en: str, **details: Any) -> RuleResult:
    return RuleResult(code, "not_applicable", nl, en, details)


def outcome(code: str, ok: bool, nl: str, en: str, **details: Any) -> RuleResult:
    return RuleResult(code, "passed" if ok else "failed", nl, en, details)


def name_of(refnis: str, municipalities: Mapping[str, Municipality]) -> str:
    if refnis == VGC:
        return "VGC"
    m = municipalities.get(refnis)
    return m.name_nl if m else refnis


def share_pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0
