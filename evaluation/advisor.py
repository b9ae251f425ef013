"""Consortium advisor: which municipalities to add as committed followers to raise scalability.

For a draft application it proposes one to three municipalities, in order, with the scalability
gain of each. Greedy: each round adds the candidate with the largest gain. With a located
consortium the scalability score is a monotone submodular function of the follower set (the
adoption part is a facility-location coverage; the diversity part is a truncated coverage of
provinces and of the "large and small together" pair, because every member is either large or
small), so greedy reaches at least (1 - 1/e) of the best possible gain; the tests compare it
with brute force on small candidate sets.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from typing import Any

from evaluation.applications import Application
from evaluation.indicators import Indicator, IndicatorContext, scalability


@dataclass(frozen=True)
class FollowerSuggestion:
    """One proposed follower. Scores in scalability points (0-100).

    ``gain`` is what it adds after the suggestions before it; ``gain_alone`` what it would add on
    its own to the draft; ``score_after`` the scalability with it and all earlier suggestions.
    ``component_gains`` splits ``gain`` over the scalability components (why it helps);
    ``distance_km`` is the distance to the nearest consortium member (None when unknown).
    """

    refnis: str
    name: str
    gain: float
    gain_alone: float
    score_after: float
    component_gains: Mapping[str, float]
    distance_km: float | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "refnis": self.refnis,
            "name": self.name,
            "gain": round(self.gain, 2),
            "gain_alone": round(self.gain_alone, 2),
            "score_after": round(self.score_after, 2),
            "component_gains": {k: round(v, 2) for k, v in self.component_gains.items()},
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
        }


@dataclass(frozen=True)
class ConsortiumAdvice:
    """Scalability of the draft and the suggested followers, best first."""

    base_score: float
    suggestions: tuple[FollowerSuggestion, ...]

    @property
    def final_score(self) -> float:
        return self.suggestions[-1].score_after if self.suggestions else self.base_score

    def to_dict(self) -> dict[str, Any]:
        return {
            "base_score": round(self.base_score, 2),
            "final_score": round(self.final_score, 2),
            "suggestions": [s.to_dict() for s in self.suggestions],
        }


def default_candidates(app: Application, ctx: IndicatorContext) -> list[str]:
    """Municipalities in the adoption regions not yet in the consortium or among the followers."""
    taken = set(app.local_governments) | set(app.committed_followers)
    regions = ctx.weights.adoption_regions
    return [
        code for code, m in ctx.municipalities.items() if code not in taken and m.region in regions
    ]


def with_followers(app: Application, followers: Iterable[str]) -> Application:
    """The application with extra committed followers appended (no repeats)."""
    extra = tuple(f for f in dict.fromkeys(followers) if f not in app.committed_followers)
    return replace(app, committed_followers=app.committed_followers + extra)


def _nearest_member_km(app: Application, ctx: IndicatorContext, refnis: str) -> float | None:
    members = [i for i in (ctx.locate(r) for r in app.local_governments) if i is not None]
    j = ctx.locate(refnis)
    if not members or j is None:
        return None
    return float(ctx.distances[members, j].min())


def _component_gains(before: Indicator, after: Indicator) -> dict[str, float]:
    return {
        a.code: a.contribution - b.contribution
        for a, b in zip(after.components, before.components, strict=True)
    }


def advise_followers(
    app: Application,
    ctx: IndicatorContext,
    *,
    candidates: Iterable[str] | None = None,
    max_followers: int = 3,
    max_distance_km: float | None = None,
) -> ConsortiumAdvice:
    """Up to ``max_followers`` (1-3 in the app) followers that raise scalability most, greedily.

    Candidates default to :func:`default_candidates`; consortium members, current followers and
    codes unknown to the context are skipped, and with ``max_distance_km`` so is every candidate
    farther than that from the nearest consortium member (neighbours only, the geographic mode
    of the lighthouse model). Stops early when no candidate adds anything. Ties go to the
    candidate listed first.
    """
    taken = set(app.local_governments) | set(app.committed_followers)
    pool = [
        c
        for c in dict.fromkeys(default_candidates(app, ctx) if candidates is None else candidates)
        if c not in taken and c in ctx.municipalities
    ]
    if max_distance_km is not None:
        near = {c: _nearest_member_km(app, ctx, c) for c in pool}
        pool = [c for c in pool if near[c] is not None and near[c] <= max_distance_km]
    start = scalability(app, ctx)
    alone = {c: scalability(with_followers(app, [c]), ctx) for c in pool}
    chosen: list[str] = []
    suggestions: list[FollowerSuggestion] = []
    current = start
    for _ in range(max(0, max_followers)):
        best, best_ind = None, current
        for c in pool:
            if c in chosen:
                continue
            ind = alone[c] if not chosen else scalability(with_followers(app, chosen + [c]), ctx)
            if ind.score > best_ind.score + 1e-12:
                best, best_ind = c, ind
        if best is None:
            break
        chosen.append(best)
        suggestions.append(
            FollowerSuggestion(
                refnis=best,
                name=ctx.municipalities[best].name_nl,
                gain=best_ind.score - current.score,
                gain_alone=alone[best].score - start.score,
                score_after=best_ind.score,
                component_gains=_component_gains(current, best_ind),
                distance_km=_nearest_member_km(app, ctx, best),
            )
        )
        current = best_ind
    return ConsortiumAdvice(base_score=start.score, suggestions=tuple(suggestions))
