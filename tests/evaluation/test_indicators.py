"""Leverage and scalability: hand-computed cases, additivity, monotonicity, scale mapping."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.applications import Deliverables, Partner
from evaluation.calls import VGC, Criterion
from evaluation.indicators import (
    DEFAULT_WEIGHTS,
    IndicatorContext,
    IndicatorWeights,
    InvalidIndicatorWeights,
    compute_indicators,
    is_small_or_rural,
    leverage,
    scalability,
)

EXPERIENCE = {("90001", "mobility"): 8.0, ("90004", "mobility"): 4.0}


@pytest.fixture
def worked_example(toy, distance, prior, app_factory):
    """The application worked out by hand in docs/indicators.md."""
    app = app_factory(
        requested_grant_cents=8_000_000,  # €80,000
        total_budget_cents=10_000_000,  # €100,000 -> 20 % own
        committed_followers=("90003",),
        prior_projects=(1,),
        deliverables=Deliverables(oslo=("OSLO Mobiliteit Trips en Aanbod",), open_data=True),
    )
    # A second application in the call with twice the reach: 130,000 inhabitants on €40,000.
    other = app_factory(
        id="other",
        requested_grant_cents=4_000_000,
        total_budget_cents=5_000_000,
        committed_followers=("90003",),
    )
    ctx = IndicatorContext(
        toy,
        distance_km=distance,
        experience=EXPERIENCE,
        projects=prior,
        call_applications=(app, other),
    )
    return app, ctx


def test_leverage_by_hand(worked_example):
    app, ctx = worked_example
    ind = leverage(app, ctx)
    financial = 0.20 / 0.5  # own share 20 %, full at 50 %
    reach = (130_000 / 80) / (130_000 / 40)  # inhabitants per €1,000, relative to the best
    multiplier = (1 / 5) * (0.5 + 0.5 * 1.0)  # one follower, and it is small
    reuse = 1 / 2  # one known prior project, full at two
    expected = 100 * (0.30 * financial + 0.20 * reach + 0.35 * multiplier + 0.15 * reuse)
    assert ind.score == pytest.approx(expected, abs=1e-9)
    assert ind.score == pytest.approx(36.5, abs=1e-9)
    assert ind.component("financial").raw == pytest.approx(1.25)  # €1.25 budget per € grant
    assert ind.component("reach").raw == pytest.approx(1625.0)
    assert ind.component("multiplier").value == pytest.approx(0.2)


def test_scalability_by_hand(worked_example):
    app, ctx = worked_example
    ind = scalability(app, ctx)
    # Need (1 - experience / 8) times population, outside the consortium (Teststad, Klein-Een),
    # Flemish only: Klein-Twee 20,000*1, Klein-Drie 30,000*0.5, Grootdorp 60,000, Klein-Vier 5,000.
    # Nearest member or follower: Klein-Twee is a follower (0 km), Klein-Drie 20 km, Grootdorp
    # 40 km, Klein-Vier 80 km; pull exp(-d / 20).
    num = 20_000 + 15_000 * math.exp(-1) + 60_000 * math.exp(-2) + 5_000 * math.exp(-4)
    adoption = num / 100_000
    openness = 2 / 6  # OSLO and open data
    maturity = 1.0  # builds on a completed project
    diversity = 0.5 * 1 + 0.5 * 0  # centrumstad with small ones; one province
    expected = 100 * (0.35 * adoption + 0.30 * openness + 0.15 * maturity + 0.20 * diversity)
    assert ind.component("adoption").value == pytest.approx(adoption, abs=1e-12)
    assert ind.score == pytest.approx(expected, abs=1e-9)
    assert ind.score == pytest.approx(46.80546, abs=1e-4)


def test_contributions_add_up_exactly_and_shares_sum_to_one(worked_example):
    app, ctx = worked_example
    for ind in (leverage(app, ctx), scalability(app, ctx)):
        assert sum(c.contribution for c in ind.components) == ind.score
        assert sum(c.share for c in ind.components) == pytest.approx(1.0)
        assert sum(c.max_contribution for c in ind.components) == pytest.approx(100.0)


def test_json_score_is_the_sum_of_the_shown_contributions(worked_example):
    app, ctx = worked_example
    d = compute_indicators(app, ctx).to_dict()
    for name in ("leverage", "scalability"):
        shown = d[name]
        assert shown["score"] == round(sum(c["contribution"] for c in shown["components"]), 2)
        for c in shown["components"]:
            assert set(c) >= {"name", "value", "contribution", "share", "explanation"}
            assert c["explanation"] and c["explanation_en"]


def test_single_municipality_scores_lower_than_with_three_small_followers_and_oslo(
    toy, distance, app_factory
):
    alone = app_factory(partners=())
    grown = replace(
        alone,
        committed_followers=("90002", "90004", "90006"),
        deliverables=Deliverables(oslo=("OSLO Mobiliteit",)),
    )
    ctx = IndicatorContext(
        toy, distance_km=distance, experience=EXPERIENCE, call_applications=(alone, grown)
    )
    a, g = compute_indicators(alone, ctx), compute_indicators(grown, ctx)
    assert g.scalability.score > a.scalability.score
    assert g.scalability.component("adoption").value > a.scalability.component("adoption").value
    assert g.scalability.component("diversity").value > a.scalability.component("diversity").value
    assert g.scalability.component("openness").value > a.scalability.component("openness").value
    assert g.leverage.component("multiplier").value > a.leverage.component("multiplier").value


def test_adding_a_follower_never_lowers_scalability(toy, distance, app_factory):
    ctx = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE)
    app = app_factory()
    base = scalability(app, ctx).score
    for code in ("90003", "90004", "90005", "90006"):
        assert scalability(replace(app, committed_followers=(code,)), ctx).score >= base


def test_experienced_neighbours_offer_less_adoption_potential(toy, distance, app_factory):
    app = app_factory()
    novice = IndicatorContext(toy, distance_km=distance, experience={("90001", "mobility"): 1.0})
    expert = IndicatorContext(
        toy,
        distance_km=distance,
        experience={("90001", "mobility"): 1.0, ("90003", "mobility"): 1.0},
    )
    assert (
        scalability(app, expert).component("adoption").value
        < scalability(app, novice).component("adoption").value
    )


def test_distance_matrix_gives_the_same_result_as_the_callable(toy, distance, prior, app_factory):
    app = app_factory(committed_followers=("90005",), prior_projects=(2,))
    codes = list(toy)
    matrix = [[distance(a, b) for b in codes] for a in codes]
    by_call = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE, projects=prior)
    by_matrix = IndicatorContext(toy, distance_km=matrix, experience=EXPERIENCE, projects=prior)
    assert compute_indicators(app, by_call) == compute_indicators(app, by_matrix)


def test_running_prior_project_counts_half_for_maturity(toy, distance, prior, app_factory):
    ctx = IndicatorContext(toy, distance_km=distance, projects=prior)
    running = scalability(app_factory(prior_projects=(2,)), ctx).component("maturity")
    unknown = scalability(app_factory(prior_projects=(99,)), ctx).component("maturity")
    assert running.value == 0.5
    assert unknown.value == 0.0
    assert "Luchtmeetnet" in running.explanation_nl


def test_vgc_lead_is_located_in_brussels_and_adds_no_inhabitants(toy, distance, app_factory):
    app = app_factory(lead=VGC, partners=(Partner(refnis="90003"),))
    ctx = IndicatorContext(toy, distance_km=distance, call_applications=(app,))
    assert ctx.reach(app) == pytest.approx(20_000 / 80)  # only Klein-Twee's inhabitants
    diversity = scalability(app, ctx).component("diversity")
    assert diversity.raw == 2  # Brussels (the VGC's stand-in) and p1


def test_small_or_rural_follows_the_004_typology(toy):
    assert is_small_or_rural(toy["90002"])
    assert not is_small_or_rural(toy["90001"])  # centrumstad
    assert not is_small_or_rural(toy["90005"])  # 60,000 > 50,000
    assert not is_small_or_rural(toy["21004"])  # Brussels counts as urban


def test_explanations_use_belgian_notation(worked_example):
    app, ctx = worked_example
    fin = leverage(app, ctx).component("financial")
    assert "€1,25" in fin.explanation_nl and "€1.25" in fin.explanation_en
    reach = leverage(app, ctx).component("reach")
    assert "130.000 inwoners" in reach.explanation_nl
    assert "130,000 inhabitants" in reach.explanation_en


def test_on_scale_maps_linearly_and_snaps_to_the_step(worked_example):
    app, ctx = worked_example
    ind = scalability(app, ctx)  # 46.8
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=10, scale_step=1)) == 5
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=10, scale_step=0.5)) == 4.5
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=1, scale_max=5, scale_step=1)) == 3
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=20, scale_step=1)) == 9


def test_weights_object_rejects_nonsense():
    with pytest.raises(InvalidIndicatorWeights) as exc:
        IndicatorWeights(leverage_financial=-1)
    assert exc.value.errors[0].field == "leverage_financial"
    with pytest.raises(InvalidIndicatorWeights) as exc:
        IndicatorWeights(
            scalability_adoption=0,
            scalability_openness=0,
            scalability_maturity=0,
            scalability_diversity=0,
        )
    assert [e.field for e in exc.value.errors] == ["scalability"]
    assert DEFAULT_WEIGHTS.to_dict()["leverage_financial"] == 0.30


_refnis = st.sampled_from(["90002", "90003", "90004", "90005", "90006"])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    followers=st.lists(_refnis, unique=True, max_size=5),
    grant=st.integers(0, 20_000_000),
    extra=st.integers(0, 20_000_000),
    flags=st.lists(st.booleans(), min_size=5, max_size=5),
    prior_ids=st.lists(st.sampled_from([1, 2, 7]), unique=True, max_size=3),
)
def test_scores_stay_in_range_and_add_up(
    toy, distance, prior, app_factory, followers, grant, extra, flags, prior_ids
):
    partners = tuple(Partner(refnis=r) for r in ("90002",) if r not in followers)
    app = app_factory(
        partners=partners,
        committed_followers=tuple(followers),
        requested_grant_cents=grant,
        total_budget_cents=grant + extra,
        prior_projects=tuple(prior_ids),
        deliverables=Deliverables(
            playbook=flags[0],
            model_specification=flags[1],
            open_source=flags[2],
            open_data=flags[3],
            vloca=flags[4],
        ),
    )
    ctx = IndicatorContext(
        toy, distance_km=distance, experience=EXPERIENCE, projects=prior, call_applications=(app,)
    )
    for ind in compute_indicators(app, ctx).leverage, compute_indicators(app, ctx).scalability:
        assert 0.0 <= ind.score <= 100.0 + 1e-9
        assert sum(c.contribution for c in ind.components) == ind.score
        for c in ind.components:
            assert 0.0 <= c.value <= 1.0


SEED = Path(__file__).resolve().parents[2] / "seed_data" / "municipalities.csv"


def test_real_registry_kortrijk_alone_vs_with_small_neighbours():
    from matching import graph, seedfiles

    municipalities, _ = seedfiles.load_municipalities(SEED)
    by_name = {m.name_nl: m for m in municipalities}
    dist = graph.haversine_matrix_km(
        [m.latitude for m in municipalities], [m.longitude for m in municipalities]
    )
    kortrijk = by_name["Kortrijk"].refnis
    small = [by_name[n].refnis for n in ("Kuurne", "Lendelede", "Zwevegem")]
    assert all(is_small_or_rural(by_name[n]) for n in ("Kuurne", "Lendelede", "Zwevegem"))
    alone = make_real_app(kortrijk, ())
    grown = replace(
        make_real_app(kortrijk, tuple(small)), deliverables=Deliverables(oslo=("OSLO Mobiliteit",))
    )
    ctx = IndicatorContext(municipalities, distance_km=dist, call_applications=(alone, grown))
    assert scalability(grown, ctx).score > scalability(alone, ctx).score


def make_real_app(lead: str, followers: tuple[str, ...]):
    from evaluation.applications import Application

    return Application(
        lead=lead,
        title="Parkeren",
        requested_grant_cents=10_000_000,
        total_budget_cents=12_500_000,
        domains=("mobility",),
        committed_followers=followers,
    )
