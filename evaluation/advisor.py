"""Consortium advisor: which neighbours to invite as followers, with the points each would add.

For a draft application it proposes up to three municipalities, in order. A candidate is
evaluated as if it sent a letter of intent (the only way a follower counts); its gain is what it
would add to leverage + scalability, split by component (the why). By default only candidates
within the call's follower distance of a consortium member are considered: clusters are "meestal
buurgemeenten" (004 L812) and centrumsteden should involve their neighbours (001 L1291); farther
candidates only when asked (``include_far``).

Greedy: each round adds the candidate with the largest gain. For a fixed consortium every
component that depends on the followers is a monotone submodular function of the follower set
(truncated sums for the multiplier, reach and neighbours; a facility-location coverage for
adoption; an "any member has a neighbour of the other kind" coverage for the mix), so greedy
reaches at least (1 - 1/e) of the best possible gain; the tests compare it with brute force.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from evaluation.applications import Application
from evaluation.indicators import (
    Indicator,
    IndicatorContext,
    Indicators,
    compute_indicators,
    with_letters,
)


@dataclass(frozen=True)
class FollowerSuggestion:
    """One proposed follower. Points are leverage + scalability (0-200).

    ``gain`` is what it adds after the suggestions before it; ``gain_alone`` what it would add on
    its own to the draft; ``score_after`` leverage + scalability with it and all earlier
    suggestions. ``component_gains`` splits ``gain`` over the components
    (``leverage.multiplier``, ``scalability.adoption``, ...): why it helps. ``distance_km`` is
    the distance to the nearest consortium member (None when unknown).
    """

    refnis: str
    name: str
    gain: float
    gain_alone: float
    score_after: float
    component_gains: Mapping[str, float]
    distance_km: float | None

    @property
    def leverage_gain(self) -> float:
        return sum(v for k, v in self.component_gains.items() if k.startswith("leverage."))

    @property
    def scalability_gain(self) -> float:
        return sum(v for k, v in self.component_gains.items() if k.startswith("scalability."))

    def to_dict(self) -> dict[str, Any]:
        return {
            "refnis": self.refnis,
            "name": self.name,
            "gain": round(self.gain, 2),
            "gain_alone": round(self.gain_alone, 2),
            "leverage_gain": round(self.leverage_gain, 2),
            "scalability_gain": round(self.scalability_gain, 2),
            "score_after": round(self.score_after, 2),
            "component_gains": {k: round(v, 2) for k, v in self.component_gains.items()},
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
        }


@dataclass(frozen=True)
class ConsortiumAdvice:
    """Leverage + scalability of the draft and the suggested followers, best first."""

    base_score: float
    suggestions: tuple[FollowerSuggestion, ...]
    max_distance_km: float | None = None

    @property
    def final_score(self) -> float:
        return self.suggestions[-1].score_after if self.suggestions else self.base_score

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_score": round(self.base_score, 2),
            "final_score": round(self.final_score, 2),
            "max_distance_km": self.max_distance_km,
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


def default_candidates(app: Application, ctx: IndicatorContext) -> list[str]:
    """Municipalities in the adoption regions not yet in the consortium or among the followers."""
    taken = set(app.local_governments) | set(app.committed_followers)
    return [code for code in ctx.municipalities if code not in taken and ctx.counts(code)]


def _nearest_member_km(app: Application, ctx: IndicatorContext, refnis: str) -> float | None:
    members = [r for r in app.local_governments if ctx.counts(r) or r in ctx.stand_ins]
    return ctx.nearest_km(refnis, members)


def _total(ind: Indicators) -> float:
    return ind.leverage.score + ind.scalability.score


def _component_gains(before: Indicators, after: Indicators) -> dict[str, float]:
    gains: dict[str, float] = {}
    for name in ("leverage", "scalability"):
        b: Indicator = before.get(name)
        a: Indicator = after.get(name)
        for ca, cb in zip(a.components, b.components, strict=True):
            gains[f"{name}.{ca.code}"] = ca.contribution - cb.contribution
    return gains


def advise_followers(
    app: Application,
    ctx: IndicatorContext,
    *,
    candidates: Iterable[str] | None = None,
    max_followers: int = 3,
    max_distance_km: float | None = None,
    include_far: bool = False,
) -> ConsortiumAdvice:
    """Up to ``max_followers`` (1-3 in the app) followers that add the most points, greedily.

    Candidates default to :func:`default_candidates`; consortium members, current followers and
    codes that do not count (Brussels, unknown) are skipped. Only candidates within
    ``max_distance_km`` (default: the call's follower distance) of the nearest consortium member
    are considered unless ``include_far``. Stops early when no candidate adds anything. Ties go
    to the candidate listed first.
    """
    taken = set(app.local_governments) | set(app.committed_followers)
    pool = [
        c
        for c in dict.fromkeys(default_candidates(app, ctx) if candidates is None else candidates)
        if c not in taken and ctx.counts(c)
    ]
    limit = None if include_far else (max_distance_km or ctx.follower_distance_km)
    near = {c: _nearest_member_km(app, ctx, c) for c in pool}
    if limit is not None:
        pool = [c for c in pool if near[c] is not None and near[c] <= limit]
    start = compute_indicators(app, ctx, what_if=False)
    alone = {c: compute_indicators(with_letters(app, [c]), ctx, what_if=False) for c in pool}
    chosen: list[str] = []
    suggestions: list[FollowerSuggestion] = []
    current = start
    for _ in range(max(0, max_followers)):
        best, best_ind = None, current
        for c in pool:
            if c in chosen:
                continue
            ind = (
                alone[c]
                if not chosen
                else compute_indicators(with_letters(app, chosen + [c]), ctx, what_if=False)
            )
            if _total(ind) > _total(best_ind) + 1e-9:
                best, best_ind = c, ind
        if best is None:
            break
        chosen.append(best)
        suggestions.append(
            FollowerSuggestion(
                refnis=best,
                name=ctx.municipalities[best].name_nl,
                gain=_total(best_ind) - _total(current),
                gain_alone=_total(alone[best]) - _total(start),
                score_after=_total(best_ind),
                component_gains=_component_gains(current, best_ind),
                distance_km=near[best],
            )
        )
        current = best_ind
    return ConsortiumAdvice(base_score=_total(start), suggestions=tuple(suggestions), max_distance_km=limit)
