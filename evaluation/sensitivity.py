"""Weight sensitivity: does the ranking hold when a criterion weight moves by ±20 %?

The total of an application is the weighted mean of its criterion scores,
``sum(w_c * s_c) / sum(w_c)``. For every criterion and both directions the weight of that one
criterion is multiplied by ``1 - delta`` and ``1 + delta`` (others unchanged) and the ranking is
recomputed. The report says which applications keep their place in the top N in every scenario,
which keep their exact rank, and per scenario who enters and leaves the top N.

Scores can be the indicators mapped onto the criteria scales (:func:`scores_from_indicators`) or
the jury's (consensus or mean) scores: any ``{application_id: {criterion_code: score}}``.
Ranking ties (totals within 1e-9) are broken by application id as text, so the order is stable;
the jury's own tie-break rules belong to the ranking module, not here.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluation.calls import Criterion, FieldError, InvalidInput
from evaluation.indicators import Indicators

_EPS = 1e-9


class InvalidSensitivityInput(InvalidInput):
    """Missing scores, unknown criteria, negative weights, weights summing to 0, bad top_n."""


@dataclass(frozen=True)
class RankedApplication:
    application_id: Hashable
    total: float
    rank: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "application_id": self.application_id,
            "total": round(self.total, 4),
            "rank": self.rank,
        }


@dataclass(frozen=True)
class Scenario:
    """One weight change: ``criterion`` weight times ``factor`` (0.8 or 1.2 by default)."""

    criterion: str
    factor: float
    ranking: tuple[RankedApplication, ...]
    top_n: tuple[Hashable, ...]
    entered: tuple[Hashable, ...]
    left: tuple[Hashable, ...]
    max_rank_shift: int

    def to_dict(self) -> dict[str, Any]:
        return {
            "criterion": self.criterion,
            "factor": self.factor,
            "ranking": [r.to_dict() for r in self.ranking],
            "top_n": list(self.top_n),
            "entered": list(self.entered),
            "left": list(self.left),
            "max_rank_shift": self.max_rank_shift,
        }


@dataclass(frozen=True)
class SensitivityReport:
    """Baseline ranking, every scenario, and who is robust.

    ``stable_top_n``: baseline top-N applications that stay in the top N in every scenario.
    ``stable_rank``: applications (any rank) whose rank never changes.
    ``unstable_top_n``: baseline top-N applications that drop out in at least one scenario.
    """

    top_n: int
    delta: float
    weights: Mapping[str, float]
    baseline: tuple[RankedApplication, ...]
    scenarios: tuple[Scenario, ...]
    stable_top_n: tuple[Hashable, ...]
    unstable_top_n: tuple[Hashable, ...]
    stable_rank: tuple[Hashable, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "top_n": self.top_n,
            "delta": self.delta,
            "weights": dict(self.weights),
            "baseline": [r.to_dict() for r in self.baseline],
            "scenarios": [s.to_dict() for s in self.scenarios],
            "stable_top_n": list(self.stable_top_n),
            "unstable_top_n": list(self.unstable_top_n),
            "stable_rank": list(self.stable_rank),
        }


def rank(
    scores: Mapping[Hashable, Mapping[str, float]], weights: Mapping[str, float]
) -> tuple[RankedApplication, ...]:
    """Applications by weighted-mean total, best first; ranks 1..n (ties broken by id as text)."""
    total_weight = sum(weights.values())
    totals = {
        app: sum(weights[c] * s[c] for c in weights) / total_weight for app, s in scores.items()
    }
    # Round away float noise so equal totals compare equal, then break ties by id text.
    order = sorted(totals, key=lambda a: (-round(totals[a] / _EPS) * _EPS, str(a)))
    return tuple(RankedApplication(a, totals[a], i + 1) for i, a in enumerate(order))


def _validate(
    scores: Mapping[Hashable, Mapping[str, float]],
    weights: Mapping[str, float],
    top_n: int,
    delta: float,
) -> None:
    errors: list[FieldError] = []
    for code, w in weights.items():
        if not isinstance(w, (int, float)) or isinstance(w, bool) or not math.isfinite(w) or w < 0:
            errors.append(
                FieldError(
                    f"weights.{code}", "must be a number of at least 0", "moet een getal ≥ 0 zijn"
                )
            )
    if sum(w for w in weights.values() if isinstance(w, (int, float)) and w > 0) <= 0:
        errors.append(
            FieldError(
                "weights",
                "weights must sum to more than 0",
                "gewichten moeten samen meer dan 0 zijn",
            )
        )
    for app, s in scores.items():
        missing = [c for c in weights if c not in s]
        if missing:
            errors.append(
                FieldError(
                    f"scores.{app}",
                    f"no score for {', '.join(missing)}",
                    f"geen score voor {', '.join(missing)}",
                )
            )
    if not isinstance(top_n, int) or isinstance(top_n, bool) or top_n < 1:
        errors.append(
            FieldError(
                "top_n", "must be a whole number of at least 1", "moet een geheel getal ≥ 1 zijn"
            )
        )
    if not 0 < delta < 1:
        errors.append(
            FieldError(
                "delta", "must lie strictly between 0 and 1", "moet strikt tussen 0 en 1 liggen"
            )
        )
    if errors:
        raise InvalidSensitivityInput(errors)


def weight_sensitivity(
    scores: Mapping[Hashable, Mapping[str, float]],
    weights: Mapping[str, float],
    *,
    top_n: int,
    delta: float = 0.2,
) -> SensitivityReport:
    """How the ranking changes when each criterion weight moves by ``±delta`` (20 % by default).

    ``scores``: application id -> criterion code -> score (only criteria in ``weights`` count).
    ``weights``: criterion code -> weight (relative). Raises :class:`InvalidSensitivityInput`.
    """
    _validate(scores, weights, top_n, delta)
    weights = dict(weights)
    baseline = rank(scores, weights)
    base_rank = {r.application_id: r.rank for r in baseline}
    base_top = tuple(r.application_id for r in baseline[:top_n])
    in_all_tops = set(base_top)
    rank_kept = set(base_rank)
    scenarios: list[Scenario] = []
    for code in weights:
        for factor in (1 - delta, 1 + delta):
            changed = dict(weights)
            changed[code] = weights[code] * factor
            if sum(changed.values()) <= 0:
                continue
            ranking = rank(scores, changed)
            top = tuple(r.application_id for r in ranking[:top_n])
            in_all_tops &= set(top)
            rank_kept &= {
                r.application_id for r in ranking if r.rank == base_rank[r.application_id]
            }
            scenarios.append(
                Scenario(
                    criterion=code,
                    factor=factor,
                    ranking=ranking,
                    top_n=top,
                    entered=tuple(a for a in top if a not in base_top),
                    left=tuple(a for a in base_top if a not in top),
                    max_rank_shift=max(
                        (abs(r.rank - base_rank[r.application_id]) for r in ranking), default=0
                    ),
                )
            )
    return SensitivityReport(
        top_n=top_n,
        delta=delta,
        weights=weights,
        baseline=baseline,
        scenarios=tuple(scenarios),
        stable_top_n=tuple(a for a in base_top if a in in_all_tops),
        unstable_top_n=tuple(a for a in base_top if a not in in_all_tops),
        stable_rank=tuple(r.application_id for r in baseline if r.application_id in rank_kept),
    )


def scores_from_indicators(
    indicators: Mapping[Hashable, Indicators], criteria: list[Criterion] | tuple[Criterion, ...]
) -> tuple[dict[Hashable, dict[str, float]], dict[str, float]]:
    """Scores and weights for :func:`weight_sensitivity` from the indicators.

    Only criteria linked to an indicator (``Criterion.indicator``) take part; each score is the
    indicator mapped onto that criterion's scale. Returns ``(scores, weights)``.
    """
    linked = [c for c in criteria if c.indicator]
    scores = {app: ind.on_scales(linked) for app, ind in indicators.items()}
    return scores, {c.code: c.weight for c in linked}
