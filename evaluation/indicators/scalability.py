"""Scalability (opschaalbaarheid): how far the result can be rolled out in other municipalities.

Four components (``docs/indicators.md`` gives each with its seed passage): **adoption**
potential among the municipalities nearby that still lack experience in the domain,
**interoperability** (OSLO, VLOCA, open source, open data, each with a checkable link),
**proven maturity** (the best counted prior project) and a **cluster of neighbours** that mixes
a larger municipality with smaller ones. Not the number of provinces.
"""

from __future__ import annotations

import numpy as np

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

DOMAIN_NAMES_NL = {
    "mobility": "mobiliteit",
    "environment": "omgeving",
    "living": "wonen en leven",
    "people": "mensen",
    "governance": "bestuur",
    "economy": "economie",
}
#: The same words in Dutch and English (names of standards and licences).
_OPENNESS_LABELS = {"oslo": "OSLO", "vloca": "VLOCA", "open_source": "open source", "open_data": "open data"}


def _adoption(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    members = [i for i in (ctx.locate(r) for r in ev.anchors) if i is not None]
    anchors = [(i, 1.0) for i in members]
    for f in ev.counted_followers():
        i = ctx.locate(f.refnis)
        if i is not None:
            anchors.append((i, f.factor))
    need = ctx.need_for(app.domains)
    mask = ctx.in_scope.copy()
    mask[[ctx.index[r] for r in ev.members]] = False
    weight = ctx.population * need * mask
    denominator = float(weight.sum())
    if anchors and denominator > 0:
        rows = np.array([i for i, _ in anchors])
        strength = np.array([s for _, s in anchors])[:, None]
        pull = (strength * np.exp(-ctx.distances[rows] / w.adoption_distance_scale_km)).max(axis=0)
        value = float((weight * pull).sum()) / denominator
    else:
        value = 0.0
    domains_nl = ", ".join(DOMAIN_NAMES_NL.get(d, d) for d in app.domains) or "het domein"
    domains_en = ", ".join(app.domains) or "the domain"
    scale_nl = money.number_nl(w.adoption_distance_scale_km, 0)
    nl = (
        f"{money.percent_nl(value * 100, 0)} van de Vlaamse inwoners buiten het consortium met "
        f"weinig ervaring in {domains_nl} woont binnen bereik van het consortium of zijn "
        f"volgsteden met intentieverklaring (gewogen naar afstand, {scale_nl} km schaal)."
    )
    en = (
        f"{money.percent_en(value * 100, 0)} of the Flemish inhabitants outside the consortium "
        f"with little experience in {domains_en} live within reach of the consortium or its "
        f"followers with a letter of intent (distance-weighted, "
        f"{money.number_en(w.adoption_distance_scale_km, 0)} km scale)."
    )
    return Part(
        "adoption",
        "Adoptiepotentieel in de buurt",
        "Adoption potential nearby",
        w.scalability_adoption,
        value,
        value,
        "share of weighted need within reach",
        nl,
        en,
    )


def _openness(ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    return linked_items_part(
        "openness",
        ("Interoperabiliteit en openheid", "Interoperability and openness"),
        w.scalability_openness,
        ev.openness,
        w.openness,
        (_OPENNESS_LABELS, _OPENNESS_LABELS),
        "deliverables with a link",
    )


def _maturity(ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    status_value = dict(w.maturity_status_values)
    counted = ev.counted_projects(ctx)
    best_project = max(counted, key=lambda p: status_value.get(p.status, 0.0), default=None)
    best = status_value.get(best_project.status, 0.0) if best_project else 0.0
    skipped = len(ev.prior_projects) - len(counted) + len(ev.prior_project_references)
    if best_project is None:
        nl = "Bouwt niet voort op een eerder project van het consortium in dit domein."
        en = "Does not build on an earlier project of the consortium in this domain."
    else:
        nl = (
            f"Bouwt voort op '{best_project.title}' ({best_project.programme} "
            f"{best_project.year}, status {best_project.status})."
        )
        en = (
            f"Builds on '{best_project.title}' ({best_project.programme} {best_project.year}, "
            f"status {best_project.status})."
        )
    if skipped:
        nl += (
            f" {count_text(skipped, 'opgegeven project telt', 'opgegeven projecten tellen')} niet"
            " mee (niet in het register, geen consortiumlid nam deel, of ander domein)."
        )
        en += (
            f" {count_text(skipped, 'listed project does', 'listed projects do')} not count (not"
            " in the registry, no consortium member took part, or another domain)."
        )
    return Part(
        "maturity",
        "Bewezen maturiteit",
        "Proven maturity",
        w.scalability_maturity,
        best,
        best,
        "status value of the best counted prior project",
        nl,
        en,
    )


def cluster_parts(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> tuple[int, int]:
    """(mix, neighbours) of the cluster: consortium municipalities and counted followers.

    ``mix`` is 1 when a consortium municipality has, within the follower distance, a cluster
    member of the other kind (large or urban against small or rural). ``neighbours`` counts the
    partners and counted followers within the follower distance of another consortium member.
    """
    w, limit = ctx.weights, ctx.follower_distance_km
    members = list(ev.members)
    others = [r for r in members if r != app.lead] + [f.refnis for f in ev.counted_followers()]
    small = {r: is_small_or_rural(ctx.municipalities[r], w) for r in members + others}
    mix = 0
    for m in members:
        for x in dict.fromkeys(members + others):
            d = ctx.distance(m, x)
            if x != m and small[x] != small[m] and d is not None and d <= limit:
                mix = 1
                break
        if mix:
            break
    neighbours = sum(
        1 for x in dict.fromkeys(others) if (d := ctx.nearest_km(x, members)) is not None and d <= limit
    )
    return mix, neighbours


def _cluster(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> Part:
    w = ctx.weights
    mix, neighbours = cluster_parts(app, ev, ctx)
    near_value = min(1.0, neighbours / w.cluster_full_neighbours)
    mix_w, near_w = w.cluster_mix_weight, w.cluster_neighbours_weight
    value = (mix_w * mix + near_w * near_value) / (mix_w + near_w)
    km = money.number_nl(ctx.follower_distance_km, 0)
    nl = (
        f"{count_text(neighbours, 'partner of volgstad ligt', 'partners en volgsteden liggen')} "
        f"binnen {km} km van een consortiumlid (volle score vanaf {w.cluster_full_neighbours}); "
        + (
            "een grotere en een kleinere buur werken samen."
            if mix
            else "geen mix van een grotere en een kleinere buur."
        )
    )
    en = (
        f"{count_text(neighbours, 'partner or follower lies', 'partners and followers lie')} "
        f"within {money.number_en(ctx.follower_distance_km, 0)} km of a consortium member (full "
        f"marks from {w.cluster_full_neighbours}); "
        + (
            "a larger and a smaller neighbour work together."
            if mix
            else "no larger and smaller neighbours together."
        )
    )
    return Part(
        "cluster",
        "Cluster van buren, groot en klein",
        "Cluster of neighbours, large and small",
        w.scalability_cluster,
        value,
        float(neighbours),
        "neighbours in the cluster",
        nl,
        en,
    )


def scalability_from(app: Application, ev: EvidenceSummary, ctx: IndicatorContext) -> Indicator:
    """Scalability 0-100 from the weighed evidence (see :mod:`evaluation.indicators.evidence`)."""
    return make_indicator(
        "scalability",
        [
            _adoption(app, ev, ctx),
            _openness(ev, ctx),
            _maturity(ev, ctx),
            _cluster(app, ev, ctx),
        ],
    )
