"""Leverage and scalability: hand-computed cases, additivity, monotonicity, scale mapping."""

from __future__ import annotations

import math
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.applications import Deliverables, Evidence, Partner
from evaluation.calls import VGC, Criterion
from evaluation.indicators import (
    DEFAULT_WEIGHTS,
    IndicatorContext,
    IndicatorWeights,
    InvalidIndicatorWeights,
    compute_indicators,
    is_small_or_rural,
    leverage,
    minimum_cofinancing_cents,
    scalability,
    total_points,
    weigh_evidence,
    with_letters,
)
from matching.graph import haversine_matrix_km
from matching.seedfiles import load_municipalities

EXPERIENCE = {("90001", "mobility"): 8.0, ("90004", "mobility"): 4.0}
OSLO_SPEC = "https://data.vlaanderen.be/doc/applicatieprofiel/mobiliteit-trips-en-aanbod/"
LETTER = Evidence("secretariat")


def toy_context(toy, distance, prior, **overrides):
    """The toy call: minimum co-financing 10 %; Teststad took part in project 1 (mobility)."""
    fields = {
        "distance_km": distance,
        "experience": EXPERIENCE,
        "projects": prior,
        "participants": {1: {"90001"}, 2: {"90005"}},
        "min_cofinancing_pct": 10,
    }
    fields.update(overrides)
    return IndicatorContext(toy, **fields)


@pytest.fixture
def worked_example(toy, distance, prior, app_factory):
    """The application worked out by hand in docs/indicators.md."""
    app = app_factory(
        requested_grant_cents=8_000_000,  # €80,000
        total_budget_cents=10_000_000,  # €100,000 -> €20,000 own, all of it backed
        cofinancing_backed_cents=2_000_000,
        committed_followers=("90003", "90006"),
        follower_letters={"90003": LETTER, "90006": LETTER},
        prior_projects=(1,),
        deliverables=Deliverables(
            oslo=(OSLO_SPEC,),
            open_data=True,
            links={
                "open_data": "https://data.teststad.be/parkeren",
                "playbook": "https://www.vvsg.be/kennisitem/parkeren",
            },
        ),
    )
    return app, toy_context(toy, distance, prior)


def test_leverage_by_hand(worked_example):
    app, ctx = worked_example
    ind = leverage(app, ctx)
    # Klein-Twee (20 km, letter) counts 1; Klein-Vier (90 km from Klein-Een, no shared project)
    # counts half: 1.5 follower points of 5.
    multiplier = 1.5 / 5
    reach = (10_000 + 20_000 + 0.5 * 5_000) / 100_000  # partner and followers, not the lead
    cofinancing = (0.20 - 0.10) / 0.30  # backed, 10 points above the call's 10 %
    knowledge = 1 / 4  # the playbook has a link
    expected = 100 * (0.40 * multiplier + 0.20 * reach + 0.15 * cofinancing + 0.25 * knowledge)
    assert ind.score == pytest.approx(expected, abs=1e-9)
    assert ind.score == pytest.approx(29.75, abs=1e-9)
    assert ind.component("multiplier").raw == pytest.approx(1.5)
    assert ind.component("reach").raw == pytest.approx(32_500)


def test_scalability_by_hand(worked_example):
    app, ctx = worked_example
    ind = scalability(app, ctx)
    # Need (1 - experience / 8) times population, outside the consortium (Teststad, Klein-Een),
    # Flemish only: Klein-Twee 20,000, Klein-Drie 30,000 * 0.5, Grootdorp 60,000, Klein-Vier
    # 5,000. Pull: Klein-Twee is a follower (1), Klein-Drie 20 km from it, Grootdorp 40 km,
    # Klein-Vier is a far follower (strength 0.5 at 0 km).
    num = 20_000 + 15_000 * math.exp(-1) + 60_000 * math.exp(-2) + 5_000 * 0.5
    adoption = num / 100_000
    openness = 2 / 4  # the OSLO specification and open data have links
    maturity = 1.0  # builds on a completed project Teststad took part in, same domain
    cluster = 0.5 * 1 + 0.5 * (2 / 3)  # centrumstad next to a small one; 2 neighbours of 3
    expected = 100 * (0.35 * adoption + 0.25 * openness + 0.20 * maturity + 0.20 * cluster)
    assert ind.component("adoption").value == pytest.approx(adoption, abs=1e-12)
    assert ind.score == pytest.approx(expected, abs=1e-9)
    assert ind.score == pytest.approx(61.81507, abs=1e-4)


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
    assert {f["status"] for f in d["evidence"]["followers"]} == {"counted", "reduced"}


def test_a_follower_counts_only_with_a_letter_and_says_what_a_letter_would_add(
    toy, distance, prior, app_factory
):
    ctx = toy_context(toy, distance, prior)
    declared = app_factory(committed_followers=("90003", "21004"))
    ind = compute_indicators(declared, ctx)
    by_code = {f.refnis: f for f in ind.evidence.followers}
    assert by_code["90003"].status == "declared" and by_code["90003"].factor == 0
    assert by_code["21004"].status == "outside"  # a Brussels municipality never counts
    assert ind.leverage.component("multiplier").value == 0
    assert "zonder intentieverklaring" in ind.leverage.component("multiplier").explanation_nl
    lettered = replace(declared, follower_letters={"90003": LETTER})
    gain = total_points(lettered, ctx) - total_points(declared, ctx)
    assert gain > 0
    assert by_code["90003"].would_add == pytest.approx(gain)
    assert by_code["21004"].would_add is None


def test_a_far_follower_counts_reduced_unless_it_shares_a_project(toy, distance, prior, app_factory):
    app = app_factory(committed_followers=("90006",), follower_letters={"90006": LETTER})
    far = toy_context(toy, distance, prior)
    (f,) = weigh_evidence(app, far).followers
    assert f.status == "reduced" and f.factor == 0.5 and f.distance_km == 90
    tied = toy_context(toy, distance, prior, participants={7: {"90002", "90006"}})
    (g,) = weigh_evidence(app, tied).followers
    assert g.status == "counted" and g.factor == 1 and g.prior_tie
    # A shorter follower distance set by the call makes a near follower far.
    short = toy_context(toy, distance, prior, follower_distance_km=5)
    near = app_factory(committed_followers=("90003",), follower_letters={"90003": LETTER})
    assert weigh_evidence(near, short).followers[0].status == "reduced"


def test_a_prior_project_counts_only_with_a_consortium_member_and_a_shared_domain(
    toy, distance, prior, app_factory
):
    ctx = toy_context(toy, distance, prior, participants={1: {"90001"}, 2: {"90001"}, 3: {"90005"}})
    app = app_factory(prior_projects=(1, 2, 99))
    reasons = {p.project_id: p.reason for p in weigh_evidence(app, ctx).prior_projects}
    assert reasons == {1: "counted", 2: "no_shared_domain", 99: "not_in_registry"}
    other = toy_context(toy, distance, prior, participants={1: {"90005"}})
    assert weigh_evidence(app_factory(prior_projects=(1,)), other).prior_projects[0].reason == (
        "no_consortium_member"
    )
    assert scalability(app_factory(prior_projects=(1,)), other).component("maturity").value == 0
    running = toy_context(toy, distance, prior, participants={2: {"90002"}})
    mixed = app_factory(domains=("mobility", "environment"), prior_projects=(2,))
    maturity = scalability(mixed, running).component("maturity")
    assert maturity.value == 0.5 and "Luchtmeetnet" in maturity.explanation_nl


def test_deliverables_count_only_with_a_checkable_link(toy, distance, prior, app_factory):
    ctx = toy_context(toy, distance, prior)
    ticked = app_factory(
        deliverables=Deliverables(
            playbook=True,
            model_specification=True,
            open_source=True,
            open_data=True,
            vloca=True,
            oslo=("OSLO", "https://example.com/oslo"),
            links={"open_source": "https://github.com"},  # a bare host names no repository
        )
    )
    ind = compute_indicators(ticked, ctx)
    assert ind.scalability.component("openness").value == 0
    assert ind.leverage.component("knowledge_sharing").value == 0
    assert "zonder controleerbare link" in ind.scalability.component("openness").explanation_nl
    linked = app_factory(
        deliverables=Deliverables(
            oslo=(OSLO_SPEC,),
            links={
                "open_source": "https://github.com/teststad/parkeren",
                "training": "https://www.vvsg.be/opleiding/parkeren",
                "practice_database": "https://www.vvsg.be/kennisitem/parkeren",
            },
        )
    )
    shown = compute_indicators(linked, ctx)
    assert shown.scalability.component("openness").value == pytest.approx(2 / 4)
    assert shown.leverage.component("knowledge_sharing").value == pytest.approx(2 / 4)


def test_cofinancing_counts_above_the_minimum_only_when_backed(toy, distance, prior, app_factory):
    ctx = toy_context(toy, distance, prior, min_cofinancing_pct=8.2)
    bare = app_factory(requested_grant_cents=5_000_000, total_budget_cents=25_000_000)
    c = weigh_evidence(bare, ctx).cofinancing
    assert c.minimum_cents == 2_050_000  # 8.2 % of €250,000, exactly €20,500
    assert c.counted_cents == c.minimum_cents
    assert leverage(bare, ctx).component("cofinancing").value == 0
    half = replace(bare, cofinancing_backed_cents=10_000_000)
    assert weigh_evidence(half, ctx).cofinancing.counted_cents == 10_000_000
    assert leverage(half, ctx).component("cofinancing").value > 0
    assert minimum_cofinancing_cents(10_001, 10) == 1_001  # €100.01: rounded up to the cent
    assert minimum_cofinancing_cents(10_000, None) == 0


def test_brussels_partner_and_vgc_add_no_inhabitants(toy, distance, prior, app_factory):
    ctx = toy_context(toy, distance, prior)
    base = app_factory()
    with_brussels = replace(base, partners=base.partners + (Partner(refnis="21004"),))
    assert total_points(with_brussels, ctx) == pytest.approx(total_points(base, ctx))
    vgc = app_factory(lead=VGC, partners=(Partner(refnis="90003"),))
    assert leverage(vgc, ctx).component("reach").raw == 20_000  # only Klein-Twee


def test_adding_a_follower_with_a_letter_never_lowers_either_indicator(toy, distance, prior, app_factory):
    ctx = toy_context(toy, distance, prior)
    app = app_factory()
    base = compute_indicators(app, ctx)
    for code in ("90003", "90004", "90005", "90006"):
        grown = compute_indicators(with_letters(app, [code]), ctx)
        assert grown.scalability.score >= base.scalability.score
        assert grown.leverage.score >= base.leverage.score


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
    app = with_letters(app_factory(prior_projects=(2,)), ["90005"])
    codes = list(toy)
    matrix = [[distance(a, b) for b in codes] for a in codes]
    by_call = toy_context(toy, distance, prior)
    by_matrix = toy_context(toy, matrix, prior)
    assert compute_indicators(app, by_call) == compute_indicators(app, by_matrix)


def test_small_or_rural_follows_the_004_typology(toy):
    assert is_small_or_rural(toy["90002"])
    assert not is_small_or_rural(toy["90001"])  # centrumstad
    assert not is_small_or_rural(toy["90005"])  # 60,000 > 50,000
    assert not is_small_or_rural(toy["21004"])  # Brussels counts as urban


def test_explanations_use_belgian_notation(worked_example):
    app, ctx = worked_example
    cof = leverage(app, ctx).component("cofinancing")
    assert "€20.000" in cof.explanation_nl and "€20,000" in cof.explanation_en
    reach = leverage(app, ctx).component("reach")
    assert "32.500 inwoners" in reach.explanation_nl
    assert "32,500 inhabitants" in reach.explanation_en


def test_on_scale_maps_linearly_and_snaps_to_the_step(worked_example):
    app, ctx = worked_example
    ind = scalability(app, ctx)  # 61.82
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=10, scale_step=1)) == 6
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=10, scale_step=0.5)) == 6
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=1, scale_max=5, scale_step=1)) == 3
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=20, scale_step=1)) == 12
    assert ind.on_scale(Criterion("s", "S", "S", scale_min=0, scale_max=100, scale_step=1)) == 62


def test_weights_object_rejects_nonsense():
    with pytest.raises(InvalidIndicatorWeights) as exc:
        IndicatorWeights(leverage_cofinancing=-1)
    assert exc.value.errors[0].field == "leverage_cofinancing"
    with pytest.raises(InvalidIndicatorWeights) as exc:
        IndicatorWeights(
            scalability_adoption=0,
            scalability_openness=0,
            scalability_maturity=0,
            scalability_cluster=0,
        )
    assert [e.field for e in exc.value.errors] == ["scalability"]
    assert DEFAULT_WEIGHTS.to_dict()["leverage_multiplier"] == 0.40
    with pytest.raises(InvalidIndicatorWeights) as exc:
        IndicatorWeights(far_follower_factor=1.5)
    assert [e.field for e in exc.value.errors] == ["far_follower_factor"]


_refnis = st.sampled_from(["90002", "90003", "90004", "90005", "90006"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    followers=st.lists(_refnis, unique=True, max_size=5),
    letters=st.lists(st.booleans(), min_size=5, max_size=5),
    grant=st.integers(0, 20_000_000),
    extra=st.integers(0, 20_000_000),
    backed=st.integers(0, 40_000_000),
    flags=st.lists(st.booleans(), min_size=5, max_size=5),
    prior_ids=st.lists(st.sampled_from([1, 2, 7]), unique=True, max_size=3),
)
def test_scores_stay_in_range_and_add_up(
    toy, distance, prior, app_factory, followers, letters, grant, extra, backed, flags, prior_ids
):
    partners = tuple(Partner(refnis=r) for r in ("90002",) if r not in followers)
    app = app_factory(
        partners=partners,
        committed_followers=tuple(followers),
        follower_letters={f: LETTER for f, lettered in zip(followers, letters) if lettered},
        requested_grant_cents=grant,
        total_budget_cents=grant + extra,
        cofinancing_backed_cents=min(backed, extra),
        prior_projects=tuple(prior_ids),
        deliverables=Deliverables(
            playbook=flags[0],
            model_specification=flags[1],
            open_source=flags[2],
            open_data=flags[3],
            vloca=flags[4],
            oslo=(OSLO_SPEC,) if flags[0] else (),
            links={"open_data": "https://data.teststad.be/x"} if flags[1] else {},
        ),
    )
    ctx = toy_context(toy, distance, prior)
    both = compute_indicators(app, ctx)
    for ind in both.leverage, both.scalability:
        assert 0.0 <= ind.score <= 100.0 + 1e-9
        assert sum(c.contribution for c in ind.components) == ind.score
        for c in ind.components:
            assert 0.0 <= c.value <= 1.0


SEED = Path(__file__).resolve().parents[2] / "seed_data" / "municipalities.csv"


def test_real_registry_kortrijk_alone_vs_with_small_neighbours_with_letters():
    municipalities, _ = load_municipalities(SEED)
    by_name = {m.name_nl: m for m in municipalities}
    dist = haversine_matrix_km([m.latitude for m in municipalities], [m.longitude for m in municipalities])
    kortrijk = by_name["Kortrijk"].refnis
    small = [by_name[n].refnis for n in ("Kuurne", "Lendelede", "Zwevegem")]
    assert all(is_small_or_rural(by_name[n]) for n in ("Kuurne", "Lendelede", "Zwevegem"))
    alone = make_real_app(kortrijk)
    grown = replace(with_letters(alone, small), deliverables=Deliverables(oslo=(OSLO_SPEC,)))
    ctx = IndicatorContext(municipalities, distance_km=dist)
    assert scalability(grown, ctx).score > scalability(alone, ctx).score
    assert leverage(grown, ctx).score > leverage(alone, ctx).score


def make_real_app(lead: str):
    from evaluation.applications import Application

    return Application(
        lead=lead,
        title="Parkeren",
        requested_grant_cents=10_000_000,
        total_budget_cents=12_500_000,
        domains=("mobility",),
    )


def test_frozen_indicators_read_as_the_live_ones(worked_example):
    """A snapshot stores the JSON; read back it answers as the live indicators did (docs/jury.md §6b)."""
    import json

    from evaluation.indicators import compute_indicators
    from evaluation.snapshot import application_entry, frozen_results

    app, ctx = worked_example
    live = compute_indicators(app, ctx)
    criteria = [Criterion("s", "S", "S", scale_min=0, scale_max=10, scale_step=0.5,
                          indicator="scalability"),
                Criterion("l", "L", "L", scale_min=1, scale_max=5, scale_step=1, indicator="leverage")]
    entry = application_entry({}, {"eligible": True, "rules": []}, live.to_dict(criteria),
                              {"leverage": live.leverage.score, "scalability": live.scalability.score})
    eligibility, frozen = frozen_results(json.loads(json.dumps(entry)))
    assert eligibility.eligible is True
    assert frozen.on_scales(criteria) == live.on_scales(criteria)
    assert frozen.to_dict(criteria) == {**live.to_dict(criteria), "frozen": True}
