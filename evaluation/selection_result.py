"""What a funding selection answers (:mod:`evaluation.selection` computes it): the exact selection
and the greedy baseline (:class:`Funding` each, with one :class:`Unfunded` reason per application
left out), their :class:`SelectionDifference`, all in one immutable :class:`Selection`.
Amounts are euro cents; ``format_euro`` writes them for the reasons' texts.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


def format_euro(cents: int, nl: bool = False) -> str:
    """``€1,234.50`` in English, ``€ 1.234,50`` in Dutch; whole euros drop the cents."""
    text = f"{cents / 100:,.2f}".removesuffix(".00")
    if nl:
        text = text.replace(",", " ").replace(".", ",").replace(" ", ".")
        return f"€ {text}"
    return f"€{text}"


@dataclass(frozen=True)
class Unfunded:
    """An application that is not funded, with its one reason."""

    application_id: int
    rank: int
    code: str  # ranking reason code, above_cap, spread_limit_domain, spread_limit_province,
    # budget_exhausted, optimal_preferred_others
    reason: str
    reason_nl: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "application": self.application_id,
            "rank": self.rank,
            "code": self.code,
            "reason": self.reason,
            "reason_nl": self.reason_nl,
        }


@dataclass(frozen=True)
class Funding:
    """One way of funding: the funded applications (in rank order) and what it costs."""

    funded: tuple[int, ...]
    total_score: float
    spent_cents: int
    remaining_cents: int
    unfunded: tuple[Unfunded, ...]
    stopped_at_rank: int | None = None  # greedy only: the rank where the money ran out

    def to_dict(self) -> dict[str, Any]:
        return {
            "funded": list(self.funded),
            "total_score": self.total_score,
            "spent_cents": self.spent_cents,
            "remaining_cents": self.remaining_cents,
            "unfunded": [u.to_dict() for u in self.unfunded],
            "stopped_at_rank": self.stopped_at_rank,
        }


@dataclass(frozen=True)
class SelectionDifference:
    """What the exact selection does differently from funding down the ranking."""

    only_optimal: tuple[int, ...]
    only_greedy: tuple[int, ...]
    score_gain: float  # exact total − greedy total, ≥ 0
    extra_spent_cents: int  # exact spent − greedy spent (may be negative)
    explanation: str
    explanation_nl: str

    def to_dict(self) -> dict[str, Any]:
        return {
            "only_optimal": list(self.only_optimal),
            "only_greedy": list(self.only_greedy),
            "score_gain": self.score_gain,
            "extra_spent_cents": self.extra_spent_cents,
            "explanation": self.explanation,
            "explanation_nl": self.explanation_nl,
        }


@dataclass(frozen=True)
class Selection:
    """The exact selection (``optimal``), the greedy baseline and their difference.

    ``to_dict`` puts the exact selection's fields at the top level (``funded``, ``total_score``,
    ``unfunded`` …), beside ``greedy`` and ``difference``.
    """

    optimal: Funding
    greedy: Funding
    difference: SelectionDifference
    budget_cents: int
    status: str  # "optimal" | "feasible" (time limit reached before the proof)
    scale: int  # the solver's objective multiplier (exact: the totals' common denominator)
    max_grant_cents: int | None
    max_per_domain: int | None
    max_per_province: int | None
    runtime_s: float

    @property
    def funded(self) -> tuple[int, ...]:
        return self.optimal.funded

    @property
    def total_score(self) -> float:
        return self.optimal.total_score

    @property
    def unfunded(self) -> tuple[Unfunded, ...]:
        return self.optimal.unfunded

    def to_dict(self) -> dict[str, Any]:
        data = self.optimal.to_dict()
        del data["stopped_at_rank"]
        data.update(
            budget_cents=self.budget_cents,
            greedy=self.greedy.to_dict(),
            difference=self.difference.to_dict(),
            status=self.status,
            limits={
                "max_grant_cents": self.max_grant_cents,
                "max_per_domain": self.max_per_domain,
                "max_per_province": self.max_per_province,
            },
            runtime_s=round(self.runtime_s, 4),
        )
        return data
