"""Leverage (hefboomeffect): what the project sets in motion beyond its own consortium.

Four components (``docs/indicators.md`` gives each with its seed passage): the **multiplier**
(followers that commit with a letter of intent, small ones worth more), **reach** (inhabitants
of the partners and followers, the lead left out), **co-financing** above the call's minimum
share as far as it is backed, and **knowledge sharing** (playbook, model specification,
training, the VVSG practice database, each with a link). Not the size of the budget.
"""

from __future__ import annotations

from evaluation import money
from evaluation.applications import Application
from evaluation.indicators.context import IndicatorContext
from evaluation.indicators.evidence import EvidenceSummary
from evaluation.indicators.result import (
    Indicator,
    Part,
    count_text,
    is_small_or_rural,
    linked_items_part,
    make_indicator,
)

_KNOWLEDGE_NL = {
    "playbook": "draaiboek",
    "model_specification": "voorbeeldbestek",
    "training": "opleiding",
    "practice_database": "VVSG-praktijkdatabank",
}
_KNOWLEDGE_EN = {
    "playbook": "playbook",
    "model_specification": "model specification",
    "training": "training",
    "practice_database": "VVSG practice database",
}


def follower_points(ev: EvidenceSummary, ctx: IndicatorContext) -> float:
    """Sum over counted followers of factor × (1 small or rural, else the large value)."""
    w = ctx.weights
    return sum(
        f.factor
        * (1.0 if is_small_or_rural(ctx.municipalities[f.refnis], w) else w.multiplier_large_follower_value)
        for f in ev.counted_followers()
    )


def _multiplier(ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    counted = ev.counted_followers()
    points = follower_points(ev, ctx)
    value = min(1.0, points / w.multiplier_full_followers)
    small = sum(1 for f in counted if is_small_or_rural(ctx.municipalities[f.refnis], w))
    reduced = sum(1 for f in counted if f.status == "reduced")
    declared = sum(1 for f in ev.followers if f.status == "declared")
    outside = sum(1 for f in ev.followers if f.status == "outside")
    full = money.number_nl(w.multiplier_full_followers, 0)
    nl = (
        f"{count_text(len(counted), 'volgstad', 'volgsteden')} met intentieverklaring, waarvan "
        f"{small} klein of landelijk: {money.number_nl(points, 1)} volgpunten (volle score vanaf "
        f"{full} kleine volgsteden)."
    )
    en = (
        f"{count_text(len(counted), 'follower', 'followers')} with a letter of intent, {small} "
        f"of them small or rural: {money.number_en(points, 1)} follower points (full marks from "
        f"{money.number_en(w.multiplier_full_followers, 0)} small followers)."
    )
    if reduced:
        far = money.number_nl(ctx.follower_distance_km, 0)
        nl += (
            f" {reduced} verder dan {far} km van elk consortiumlid zonder gedeeld eerder project:"
            f" telt voor {money.percent_nl(w.far_follower_factor * 100, 0)}."
        )
        en += (
            f" {reduced} farther than {money.number_en(ctx.follower_distance_km, 0)} km from every"
            f" consortium member without a shared earlier project: counts"
            f" {money.percent_en(w.far_follower_factor * 100, 0)}."
        )
    if declared:
        nl += f" {declared} opgegeven zonder intentieverklaring: telt niet mee."
        en += f" {declared} declared without a letter of intent: not counted."
    if outside:
        nl += f" {outside} buiten Vlaanderen: telt niet mee."
        en += f" {outside} outside Flanders: not counted."
    return Part(
        "multiplier",
        "Multiplicatoreffect",
        "Multiplier",
        w.leverage_multiplier,
        value,
        points,
        "follower points",
        nl,
        en,
    )


def reach_inhabitants(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> float:
    """Inhabitants of the partners and the counted followers (× factor); the lead left out."""
    partners = sum(ctx.people(r) for r in ev.members if r != app.lead)
    followers = sum(f.factor * ctx.people(f.refnis) for f in ev.counted_followers())
    return float(partners + followers)


def _reach(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    inhabitants = reach_inhabitants(app, ev, ctx)
    value = min(1.0, inhabitants / w.reach_full_inhabitants)
    nl = (
        f"Partners en volgsteden (zonder de indiener) tellen {money.number_nl(inhabitants, 0)} "
        f"inwoners; de volle score geldt vanaf {money.number_nl(w.reach_full_inhabitants, 0)}."
    )
    en = (
        f"Partners and followers (the lead left out) have {money.number_en(inhabitants, 0)} "
        f"inhabitants; full marks from {money.number_en(w.reach_full_inhabitants, 0)}."
    )
    return Part(
        "reach",
        "Bereik buiten de indiener",
        "Reach beyond the lead",
        w.leverage_reach,
        value,
        inhabitants,
        "inhabitants",
        nl,
        en,
    )


def _cofinancing(ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    c = ev.cofinancing
    above = c.share_above_minimum
    value = min(1.0, above / w.cofinancing_full_extra_share)
    unbacked = c.declared_cents - c.counted_cents
    nl = (
        f"Cofinanciering {money.euro_nl(c.declared_cents)}, minimum van de oproep "
        f"{money.euro_nl(c.minimum_cents)}, gestaafd {money.euro_nl(c.backed_cents)}: telt "
        f"{money.euro_nl(c.counted_cents)}, {money.percent_nl(above * 100)} van het budget boven "
        f"het minimum (volle score vanaf {money.percent_nl(w.cofinancing_full_extra_share * 100)})."
    )
    en = (
        f"Co-financing {money.euro_en(c.declared_cents)}, call minimum "
        f"{money.euro_en(c.minimum_cents)}, backed {money.euro_en(c.backed_cents)}: counts "
        f"{money.euro_en(c.counted_cents)}, {money.percent_en(above * 100)} of the budget above "
        f"the minimum (full marks from {money.percent_en(w.cofinancing_full_extra_share * 100)})."
    )
    if unbacked > 0:
        nl += f" {money.euro_nl(unbacked)} is niet gestaafd (budgetbijlage of secretariaat)."
        en += f" {money.euro_en(unbacked)} is not backed (budget annex or secretariat)."
    return Part(
        "cofinancing",
        "Cofinanciering boven het minimum",
        "Co-financing above the minimum",
        w.leverage_cofinancing,
        value,
        above * 100,
        "% of the budget above the minimum",
        nl,
        en,
    )


def _knowledge(ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    return linked_items_part(
        "knowledge_sharing",
        ("Kennisdeling", "Knowledge sharing"),
        w.leverage_knowledge_sharing,
        ev.knowledge,
        w.knowledge,
        (_KNOWLEDGE_NL, _KNOWLEDGE_EN),
        "commitments with a link",
    )


def leverage_from(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> Indicator:
    """Leverage 0-100 from the weighed evidence (see :mod:`evaluation.indicators.evidence`)."""
    return make_indicator(
        "leverage",
        [_multiplier(ev, ctx), _reach(app, ev, ctx), _cofinancing(ev, ctx), _knowledge(ev, ctx)],
    )
