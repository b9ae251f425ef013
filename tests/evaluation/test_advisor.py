"""Consortium advisor: greedy follower suggestions checked against brute force."""

from __future__ import annotations

import math
from itertools import combinations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from evaluation.advisor import advise_followers, default_candidates
from evaluation.applications import Application, Partner
from evaluation.indicators import IndicatorContext, total_points, with_letters
from matching.registry import Municipality

EXPERIENCE = {("90001", "mobility"): 8.0, ("90004", "mobility"): 4.0}


def brute_force(app, ctx, candidates, k):
    """Best follower set of size <= k by trying every subset (independent of the advisor)."""
    best_score, best_set = total_points(app, ctx), ()
    for size in range(1, k + 1):
        for subset in combinations(candidates, size):
            score = total_points(with_letters(app, subset), ctx)
            if score > best_score + 1e-12:
                best_score, best_set = score, subset
    return best_score, best_set


def test_first_suggestion_is_the_best_single_follower(toy, distance, app_factory):
    app = app_factory()
    ctx = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE)
    advice = advise_followers(app, ctx, max_followers=1, include_far=True)
    candidates = default_candidates(app, ctx)
    best_score, best_set = brute_force(app, ctx, candidates, 1)
    assert (advice.suggestions[0].refnis,) == best_set
    assert advice.final_score == best_score


def test_gains_add_up_and_each_is_explained(toy, distance, app_factory):
    app = app_factory()
    ctx = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE)
    advice = advise_followers(app, ctx, max_followers=3, include_far=True)
    # four candidates outside the consortium, each adding something: the advisor fills all three places
    assert len(default_candidates(app, ctx)) == 4
    assert len(advice.suggestions) == 3
    total = advice.base_score + sum(s.gain for s in advice.suggestions)
    assert math.isclose(total, advice.final_score, abs_tol=1e-9)
    assert all(s.gain > 0 and s.gain_alone > 0 for s in advice.suggestions)
    chosen = [s.refnis for s in advice.suggestions]
    assert math.isclose(total_points(with_letters(app, chosen), ctx), advice.final_score, abs_tol=1e-9)
    d = advice.to_dict()
    assert d["suggestions"][0]["name"] == toy[chosen[0]].name_nl
    # Consortium members and Brussels municipalities are never proposed.
    assert not set(chosen) & {"90001", "90002", "21004"}


def test_greedy_equals_brute_force_on_the_toy_registry(toy, distance, app_factory):
    app = app_factory()
    ctx = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE)
    candidates = default_candidates(app, ctx)
    for k in (1, 2, 3):
        best_score, _ = brute_force(app, ctx, candidates, k)
        advice = advise_followers(app, ctx, candidates=candidates, max_followers=k, include_far=True)
        assert math.isclose(advice.final_score, best_score, abs_tol=1e-9)


def test_respects_given_candidates_and_skips_taken_ones(toy, distance, app_factory):
    app = app_factory(committed_followers=("90003",))
    ctx = IndicatorContext(toy, distance_km=distance)
    advice = advise_followers(
        app, ctx, candidates=["90003", "90002", "90006", "99999"], max_followers=3, include_far=True
    )
    assert [s.refnis for s in advice.suggestions] == ["90006"]


def test_neighbours_first_by_default_and_the_why_of_each_gain(toy, distance, app_factory):
    app = app_factory()  # Teststad (0 km) with Klein-Een (10 km)
    ctx = IndicatorContext(toy, distance_km=distance, experience=EXPERIENCE)
    near = advise_followers(app, ctx, max_followers=3)
    # Within the call's follower distance (30 km) of a member: Klein-Twee (20 km) and
    # Klein-Drie (30 km from Klein-Een); Grootdorp (50 km) and Klein-Vier (90 km) only on request.
    assert near.max_distance_km == 30
    assert {s.refnis for s in near.suggestions} == {"90003", "90004"}
    for s in near.suggestions:
        assert s.distance_km <= 30
        assert math.isclose(sum(s.component_gains.values()), s.gain, abs_tol=1e-9)
        assert math.isclose(s.leverage_gain + s.scalability_gain, s.gain, abs_tol=1e-9)
        assert s.component_gains["scalability.openness"] == 0
        assert s.component_gains["leverage.multiplier"] > 0  # it would count with its letter
    assert near.suggestions[0].to_dict()["component_gains"]["scalability.adoption"] > 0
    far = advise_followers(app, ctx, max_followers=4, include_far=True)
    assert {"90005", "90006"} & {s.refnis for s in far.suggestions}
    shorter = IndicatorContext(toy, distance_km=distance, follower_distance_km=15)
    assert {s.refnis for s in advise_followers(app, shorter).suggestions} == {"90003"}


def test_no_suggestion_when_nothing_helps(distance, app_factory):
    # A one-municipality world: nobody to add.
    solo = {"90001": Municipality("90001", "Teststad", None, "p1", "flanders", True, 1, 0, 0)}
    app = Application(
        lead="90001",
        title="t",
        requested_grant_cents=1,
        total_budget_cents=1,
        domains=("mobility",),
    )
    advice = advise_followers(app, IndicatorContext(solo, distance_km=[[0.0]]))
    assert advice.suggestions == () and advice.final_score == advice.base_score


# Random small worlds: greedy on a monotone submodular function reaches (1 - 1/e) of the optimum.

_world = st.lists(
    st.tuples(
        st.integers(1_000, 120_000),  # population
        st.sampled_from(["p1", "p2", "p3", "p4"]),  # province
        st.floats(0, 150),  # position on a line, km
        st.floats(0, 10),  # experience in mobility
        st.booleans(),  # centrumstad
    ),
    min_size=4,
    max_size=8,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=_world, k=st.integers(1, 3), with_partner=st.booleans())
def test_greedy_within_submodular_bound_of_brute_force(world, k, with_partner):
    munis = {}
    xs = {}
    experience = {}
    for i, (pop, prov, x, exp, centrum) in enumerate(world):
        code = f"9{i:04d}"
        munis[code] = Municipality(code, f"T{i}", None, prov, "flanders", centrum, pop, 0, 0)
        xs[code] = x
        experience[(code, "mobility")] = exp
    codes = list(munis)
    partners = (Partner(refnis=codes[1]),) if with_partner else ()
    app = Application(
        lead=codes[0],
        title="t",
        requested_grant_cents=100,
        total_budget_cents=200,
        domains=("mobility",),
        partners=partners,
    )
    ctx = IndicatorContext(munis, distance_km=lambda a, b: abs(xs[a] - xs[b]), experience=experience)
    candidates = default_candidates(app, ctx)
    base = total_points(app, ctx)
    best, _ = brute_force(app, ctx, candidates, k)
    advice = advise_followers(app, ctx, candidates=candidates, max_followers=k, include_far=True)
    assert advice.final_score <= best + 1e-9
    assert advice.final_score - base >= (1 - 1 / math.e) * (best - base) - 1e-9
    if k == 1:
        assert math.isclose(advice.final_score, best, abs_tol=1e-9)
