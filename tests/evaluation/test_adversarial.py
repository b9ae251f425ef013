"""Gaming the indicators on the real registry: declarations nobody checks buy (almost) nothing.

Several honest applications by real municipalities (City of Things 2022 preset, the registry of
``seed_data``), then each gaming move of issue 12 alone and all together. Each move may change
leverage + scalability by at most 2 points of 100, all together by at most 5; genuine
improvements (a neighbour's letter of intent, a prior project the consortium led in the domain,
a named OSLO specification) must raise them.

Only deltas and bounds are asserted: the population figures of the registry are being corrected
to Statbel, and no assertion here depends on an exact population.
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from evaluation.applications import Application, Deliverables, Evidence, Partner
from evaluation.calls import preset_call
from evaluation.indicators import IndicatorContext, compute_indicators, total_points
from matching.graph import build_graph
from matching.registry import DOMAINS
from matching.seedfiles import load_registry_from_seed_files

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"

#: The bounds of issue 12, in points of leverage + scalability.
ONE_MOVE = 2.0
ALL_MOVES = 5.0

FAR_FOLLOWERS = ("Heuvelland", "Voeren", "Baarle-Hertog", "Maarkedal", "Zuienkerke")
BRUSSELS_PARTNER = "Elsene"
UNRELATED_PROJECTS = ("Databroker", "BEReSLIM")
OSLO_SPEC = "https://data.vlaanderen.be/doc/applicatieprofiel/mobiliteit-trips-en-aanbod/"


@pytest.fixture(scope="module")
def real():
    registry = load_registry_from_seed_files(SEED_DIR)
    graph = build_graph(registry, as_of_year=2022)
    experience = {
        (m.refnis, d): float(graph.experience[di, j])
        for di, d in enumerate(DOMAINS)
        for j, m in enumerate(graph.municipalities)
        if graph.experience[di, j] > 0
    }
    call = preset_call("city-of-things-2022")
    ctx = IndicatorContext(
        graph.municipalities,
        distance_km=graph.distance_km,
        experience=experience,
        projects=graph.projects,
        participants={pid: [r for r, _ in roles] for pid, roles in graph.participants.items()},
        min_cofinancing_pct=call.min_cofinancing_pct,
    )
    code = {m.name_nl: m.refnis for m in graph.municipalities}
    titles = {p.title: p.id for p in graph.projects.values()}

    def project(start: str) -> int:
        """The id of the one registry project whose title starts with ``start``."""
        (pid,) = [i for t, i in titles.items() if t.startswith(start)]
        return pid

    return ctx, code, project


def _app(real, lead, partners, domain, prior_title, grant_eur, followers=(), **extra):
    ctx, code, project = real
    return Application(
        lead=code[lead],
        title=f"Project van {lead}",
        requested_grant_cents=grant_eur * 100,
        total_budget_cents=grant_eur * 125,  # 20 % own contribution
        domains=(domain,),
        partners=tuple(Partner(refnis=code[p]) for p in partners),
        prior_projects=(project(prior_title),) if prior_title else (),
        committed_followers=tuple(code[f] for f in followers),
        follower_letters={code[f]: Evidence("secretariat") for f in followers},
        **extra,
    )


def honest_applications(real) -> dict[str, Application]:
    return {
        # The issue's example: three small neighbours building on Kampenhout's 2017 sensors.
        "kampenhout": _app(
            real,
            "Kampenhout",
            ("Zemst", "Steenokkerzeel"),
            "environment",
            "Gemeentelijk sensornetwerk",
            160_000,
        ),
        # A centrumstad with small neighbours and two followers with letters.
        "kortrijk": _app(
            real,
            "Kortrijk",
            ("Kuurne", "Zwevegem"),
            "mobility",
            "Parkeerinformatie",
            300_000,
            followers=("Lendelede", "Harelbeke"),
            deliverables=Deliverables(
                open_data=True, links={"open_data": "https://data.kortrijk.be/schoolstraten"}
            ),
        ),
        # Leuven with Herent, building on Herent's Smart Flow.
        "leuven": _app(
            real,
            "Leuven",
            ("Herent", "Kortenberg"),
            "mobility",
            "Smart Flow",
            400_000,
            followers=("Bertem",),
        ),
        # Small Limburg municipalities around Peer's mobipoints.
        "peer": _app(
            real,
            "Peer",
            ("Hechtel-Eksel", "Bocholt"),
            "mobility",
            "Slimme mobipunten",
            200_000,
        ),
    }


def _halves(app: Application) -> tuple[Application, Application]:
    grant, total = app.requested_grant_cents, app.total_budget_cents
    first = replace(
        app,
        title=app.title + " (deel 1)",
        requested_grant_cents=grant // 2,
        total_budget_cents=total // 2,
        cofinancing_cents=total // 2 - grant // 2,
    )
    second = replace(
        app,
        title=app.title + " (deel 2)",
        requested_grant_cents=grant - grant // 2,
        total_budget_cents=total - total // 2,
        cofinancing_cents=(total - total // 2) - (grant - grant // 2),
    )
    return first, second


def gaming_moves(real):
    """Each move: (name, function app -> list of resulting applications)."""
    _, code, project = real

    def inflate(app):
        total = app.total_budget_cents * 2
        return [replace(app, total_budget_cents=total, cofinancing_cents=total - app.requested_grant_cents)]

    def far_followers(app):
        return [
            replace(app, committed_followers=app.committed_followers + tuple(code[n] for n in FAR_FOLLOWERS))
        ]

    def unrelated_prior(app):
        return [
            replace(app, prior_projects=app.prior_projects + tuple(project(t) for t in UNRELATED_PROJECTS))
        ]

    def tick_everything(app):
        ticked = Deliverables(
            playbook=True,
            model_specification=True,
            open_source=True,
            open_data=True,
            vloca=True,
            oslo=app.deliverables.oslo + ("OSLO", "OSLO Mobiliteit"),
            links=app.deliverables.links,
        )
        return [replace(app, deliverables=ticked)]

    def brussels_partner(app):
        return [replace(app, partners=app.partners + (Partner(refnis=code[BRUSSELS_PARTNER]),))]

    def split(app):
        return list(_halves(app))

    return [
        ("inflate the budget", inflate),
        ("far followers without letters", far_followers),
        ("unrelated prior projects", unrelated_prior),
        ("tick every deliverable", tick_everything),
        ("add a Brussels municipality", brussels_partner),
        ("split into two applications", split),
    ]


def _gain(real, honest: Application, gamed: list[Application]) -> float:
    """The most any resulting application gains on leverage + scalability (points of 100 each)."""
    ctx = real[0]
    base = total_points(honest, ctx)
    return max(total_points(a, ctx) for a in gamed) - base


@pytest.mark.parametrize("which", ["kampenhout", "kortrijk", "leuven", "peer"])
def test_each_gaming_move_alone_buys_at_most_two_points(real, which):
    honest = honest_applications(real)[which]
    for name, move in gaming_moves(real):
        gain = _gain(real, honest, move(honest))
        assert gain <= ONE_MOVE, (which, name, gain)


@pytest.mark.parametrize("which", ["kampenhout", "kortrijk", "leuven", "peer"])
def test_all_gaming_moves_together_buy_at_most_five_points(real, which):
    honest = honest_applications(real)[which]
    gamed = [honest]
    for _, move in gaming_moves(real):
        gamed = [result for app in gamed for result in move(app)]
    assert len(gamed) == 2  # the split is the only move that makes two
    gain = _gain(real, honest, gamed)
    assert gain <= ALL_MOVES, (which, gain)


def test_the_issue_example_no_longer_pays(real):
    """Issue 12's second row: inflated budget, five far followers, two unrelated projects, all
    deliverables ticked. On main it scored 81.4 / 66.8 against 20.3 / 21.8."""
    ctx = real[0]
    honest = honest_applications(real)["kampenhout"]
    gamed = honest
    for name, move in gaming_moves(real):
        if name in ("add a Brussels municipality", "split into two applications"):
            continue
        (gamed,) = move(gamed)
    h, g = compute_indicators(honest, ctx), compute_indicators(gamed, ctx)
    assert g.leverage.score - h.leverage.score <= ONE_MOVE
    assert g.scalability.score - h.scalability.score <= ONE_MOVE
    # Each far follower is listed as declared, not counted, with what a letter would add.
    far = [f for f in g.evidence.followers if f.status == "declared"]
    assert len(far) == len(FAR_FOLLOWERS)
    assert all(f.would_add is not None and f.would_add >= 0 for f in far)
    reasons = {p.reason for p in g.evidence.prior_projects}
    assert reasons == {"counted", "no_consortium_member"}


def _raises(real, before: Application, after: Application) -> float:
    ctx = real[0]
    return total_points(after, ctx) - total_points(before, ctx)


@pytest.mark.parametrize("which", ["kampenhout", "kortrijk", "leuven", "peer"])
def test_a_neighbours_letter_of_intent_raises_the_indicators(real, which):
    ctx, code, _ = real
    honest = honest_applications(real)[which]
    taken = set(honest.local_governments) | set(honest.committed_followers)
    neighbour = min(
        (r for r in ctx.codes if r not in taken and ctx.counts(r)),
        key=lambda r: ctx.nearest_km(r, honest.local_governments),
    )
    declared = replace(honest, committed_followers=honest.committed_followers + (neighbour,))
    lettered = replace(
        declared, follower_letters={**honest.follower_letters, neighbour: Evidence("secretariat")}
    )
    assert _raises(real, honest, declared) == 0  # declared without a letter: nothing
    assert _raises(real, honest, lettered) > 0


@pytest.mark.parametrize("which", ["kampenhout", "kortrijk", "leuven", "peer"])
def test_a_prior_project_the_consortium_led_in_the_domain_raises_them(real, which):
    honest = honest_applications(real)[which]
    without = replace(honest, prior_projects=())
    assert _raises(real, without, honest) > 0


@pytest.mark.parametrize("which", ["kampenhout", "kortrijk", "leuven", "peer"])
def test_a_named_oslo_specification_raises_them(real, which):
    honest = honest_applications(real)[which]
    d = honest.deliverables
    named = replace(honest, deliverables=replace(d, oslo=d.oslo + (OSLO_SPEC,)))
    assert _raises(real, honest, named) > 0


def test_backed_cofinancing_above_the_minimum_raises_them(real):
    honest = honest_applications(real)["kortrijk"]
    backed = replace(honest, cofinancing_backed_cents=honest.own_financing_cents)
    assert _raises(real, honest, backed) > 0
