"""Advisory leverage (hefboomeffect) and scalability (opschaalbaarheid) indicators, 0-100.

The concept note (seed 000, 5.1) says City of Things applications "worden beoordeeld op basis van
hun hefboomeffect en de mate waarin het project in andere steden en gemeentes kan worden
uitgerold". These indicators give jurors a transparent first reading of both; they never replace
the jury's score. Each indicator is a weighted sum of components, every component a value in
0..1 with a sentence of explanation:

    contribution_i = 100 * weight_i / sum(weights) * value_i        score = sum(contribution_i)

Every input counts only with its evidence (:mod:`evaluation.indicators.evidence`): a follower
with a letter of intent, a prior project the consortium took part in, a deliverable with a
link, co-financing that is backed. All tuning numbers live in :class:`IndicatorWeights`;
``docs/indicators.md`` gives each with its source sentence or marks it as ours.
"""

from __future__ import annotations

from dataclasses import replace

from evaluation.applications import Application, Evidence
from evaluation.indicators.context import DEFAULT_FOLLOWER_DISTANCE_KM, IndicatorContext
from evaluation.indicators.evidence import (
    FOLLOWER_STATUSES,
    EvidenceSummary,
    FollowerEvidence,
    minimum_cofinancing_cents,
    weigh_evidence,
)
from evaluation.indicators.leverage import leverage_from
from evaluation.indicators.result import Component, Indicator, Indicators, is_small_or_rural
from evaluation.indicators.scalability import DOMAIN_NAMES_NL, scalability_from
from evaluation.indicators.weights import (
    DEFAULT_WEIGHTS,
    KNOWLEDGE_ITEMS,
    OPENNESS_ITEMS,
    IndicatorWeights,
    InvalidIndicatorWeights,
)

__all__ = [
    "DEFAULT_FOLLOWER_DISTANCE_KM",
    "DEFAULT_WEIGHTS",
    "DOMAIN_NAMES_NL",
    "FOLLOWER_STATUSES",
    "KNOWLEDGE_ITEMS",
    "OPENNESS_ITEMS",
    "Component",
    "EvidenceSummary",
    "FollowerEvidence",
    "Indicator",
    "IndicatorContext",
    "IndicatorWeights",
    "Indicators",
    "InvalidIndicatorWeights",
    "compute_indicators",
    "is_small_or_rural",
    "leverage",
    "minimum_cofinancing_cents",
    "scalability",
    "total_points",
    "weigh_evidence",
    "with_letters",
]


def leverage(app: Application, ctx: IndicatorContext) -> Indicator:
    """Leverage 0-100: multiplier, reach, co-financing above the minimum, knowledge sharing."""
    return leverage_from(app, weigh_evidence(app, ctx), ctx)


def scalability(app: Application, ctx: IndicatorContext) -> Indicator:
    """Scalability 0-100: adoption nearby, interoperability, proven maturity, cluster."""
    return scalability_from(app, weigh_evidence(app, ctx), ctx)


def total_points(app: Application, ctx: IndicatorContext) -> float:
    """Leverage + scalability (0-200): what the adversarial tests and the advisor compare."""
    ev = weigh_evidence(app, ctx)
    return leverage_from(app, ev, ctx).score + scalability_from(app, ev, ctx).score


def with_letters(app: Application, followers: list[str] | tuple[str, ...]) -> Application:
    """``app`` with ``followers`` added as committed followers that have a letter of intent.

    For what-if questions (what a letter would add, what the advisor proposes); the letter is
    hypothetical and never stored.
    """
    extra = tuple(f for f in dict.fromkeys(followers) if f not in app.committed_followers)
    letters = dict(app.follower_letters)
    for f in followers:
        letters.setdefault(f, Evidence("secretariat"))
    return replace(app, committed_followers=app.committed_followers + extra, follower_letters=letters)


def compute_indicators(app: Application, ctx: IndicatorContext, *, what_if: bool = True) -> Indicators:
    """Both indicators for ``app`` in the call of ``ctx``, with the evidence they counted.

    For every follower declared without a letter, ``would_add`` says how many points
    (leverage + scalability) a letter of intent naming it would add (skipped with
    ``what_if=False``, as the advisor does in its inner loop).
    """
    ev = weigh_evidence(app, ctx)
    lev, sca = leverage_from(app, ev, ctx), scalability_from(app, ev, ctx)
    if not what_if:
        return Indicators(leverage=lev, scalability=sca, evidence=ev)
    base = lev.score + sca.score
    followers = tuple(
        replace(f, would_add=total_points(with_letters(app, [f.refnis]), ctx) - base)
        if f.status == "declared"
        else f
        for f in ev.followers
    )
    return Indicators(leverage=lev, scalability=sca, evidence=replace(ev, followers=followers))
