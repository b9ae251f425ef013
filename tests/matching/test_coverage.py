"""Honest coverage: a suggestion list or a plan says how much evidence it stands on."""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.coverage import (
    ThinCoverage,
    check_plan_coverage,
    co_learning_peers,
    partner_coverage,
    plan_co_learning,
    plan_coverage,
)
from matching.graph import InvalidParameter, build_graph
from matching.partners import LOOKING_FOR, suggest_partners
from matching.registry import DOMAINS, Municipality, Participation, Project, Registry
from matching.seedfiles import load_registry_from_seed_files

KM_PER_DEGREE = 111.19  # along a meridian, for the haversine radius the graph uses


def town(refnis, name, km_north=0.0, region="flanders"):
    return Municipality(refnis, name, None, None if region == "brussels" else "antwerpen",
                        region, False, 20_000, 51.0 + km_north / KM_PER_DEGREE, 4.4)


def registry():
    towns = (
        town("10001", "Home"),
        town("10002", "Far", km_north=88),      # the only one with mobility experience
        town("10003", "Near", km_north=10),     # nothing yet
        town("10004", "Near2", km_north=20),    # nothing yet
        town("10005", "Beyond", km_north=45),   # nothing yet, outside 30 km
        town("21004", "Brussel", km_north=5, region="brussels"),
    )
    projects = (Project(1, "P1", "", "CoT", 2024, 20_000_000, domains=("mobility",)),)
    return Registry(towns, projects, (Participation(1, "10002", "lead", "source-stated"),))


@pytest.fixture(scope="module")
def graph():
    return build_graph(registry(), as_of_year=2024)


def test_a_lone_far_lighthouse_comes_with_its_reason_in_both_languages(graph):
    found = suggest_partners(graph, "10001", "mobility", "lighthouse", limit=3)
    coverage = partner_coverage(graph, "10001", "mobility", "lighthouse", len(found), limit=3)
    assert [s.municipality.name for s in found] == ["Far"]
    assert (coverage.municipalities_with_evidence, coverage.qualified, coverage.returned) == (1, 1, 1)
    assert round(coverage.nearest_km) == 88 and coverage.within_near_km == 0
    assert coverage.message.en == (
        "1 of the 3 suggestions asked: only 1 municipality qualifies (1 Flemish municipality "
        "has mobility experience); nearest municipality with more mobility experience is "
        "88 km away; none within 30 km")
    assert coverage.message.nl.endswith(
        "dichtstbijzijnde gemeente met meer ervaring in mobiliteit ligt op 88 km; "
        "geen binnen 30 km")


def test_nobody_to_follow_says_so(graph):
    coverage = partner_coverage(graph, "10001", "people", "lighthouse", 0, limit=5)
    assert coverage.qualified == 0 and coverage.nearest_km is None
    assert "no municipality with more people experience at all" in coverage.message.en
    assert "0 of the 5 suggestions asked" in coverage.message.en


def test_enough_near_candidates_need_no_sentence(graph):
    found = suggest_partners(graph, "10003", "mobility", "peers", limit=2)
    coverage = partner_coverage(graph, "10003", "mobility", "peers", len(found), limit=2)
    assert coverage.returned == 2 and coverage.nearest_km < 30
    assert coverage.message is None


def test_a_distance_limit_is_named_in_the_reason(graph):
    coverage = partner_coverage(graph, "10001", "mobility", "lighthouse", 0, limit=2,
                                max_distance_km=50)
    assert coverage.qualified == 0
    assert "within 50 km" in coverage.message.en and "binnen 50 km" in coverage.message.nl


def test_co_learning_offers_near_starters_and_declared_interest_first(graph):
    peers = co_learning_peers(graph, "10001", "mobility")
    assert [p.municipality.name for p in peers] == ["Near", "Near2"]  # not Far, Beyond, Brussel
    interested = co_learning_peers(graph, "10001", "mobility", interested={"10004"})
    assert [(p.municipality.name, p.declared_interest) for p in interested] == [
        ("Near2", True), ("Near", False)]
    coverage = partner_coverage(graph, "10001", "mobility", "lighthouse", 1, limit=3)
    assert coverage.co_learning == peers


def test_a_plan_offers_far_followers_that_start_in_the_domain_co_learning_with_neighbours(graph):
    """Far (88 km north) leads mobility for Home, Near, Near2 and Beyond (0, 10, 20 and 45 km
    north): all four are farther than 30 km from it and start in mobility. Near2 has the most
    of them within 30 km (all three), so it seeds one co-learning cluster; those that declared
    an interest come first, then by km."""
    follower_km = {"10001": 88.0, "10003": 78.0, "10004": 68.0, "10005": 43.0}
    offer = plan_co_learning(graph, "mobility", follower_km, interested={"10001"})
    assert offer.far_followers == 4 and offer.near_km == 30
    assert [[m.municipality.name for m in g.members] for g in offer.groups] == [
        ["Near2", "Home", "Near", "Beyond"]]
    assert [m.declared_interest for m in offer.groups[0].members] == [False, True, False, False]
    assert [round(m.distance_km) for m in offer.groups[0].members] == [0, 20, 10, 25]
    assert offer.message.en == ("4 followers are farther than 30 km from their lighthouse in "
                                "mobility; 4 of them, starting in mobility, could learn "
                                "together as neighbours in 1 co-learning cluster")
    assert offer.message.nl.startswith("4 volgers liggen verder dan 30 km van de vuurtoren")
    # a far follower without a starting neighbour within 30 km is counted, not grouped
    alone = plan_co_learning(graph, "mobility", {"10001": 88.0, "10005": 43.0})
    assert alone.far_followers == 2 and alone.groups == ()
    assert "co-learning" not in alone.message.en
    # followers near their lighthouse need no offer
    near = plan_co_learning(graph, "mobility", {"10003": 12.0, "10004": 22.0})
    assert near.far_followers == 0 and near.groups == () and near.message is None
    with pytest.raises(InvalidParameter):
        plan_co_learning(graph, "space", {})


def test_bad_returned_count_is_a_parameter_error(graph):
    with pytest.raises(InvalidParameter) as info:
        partner_coverage(graph, "10001", "mobility", "lighthouse", -1)
    assert info.value.field == "returned"


def test_the_planner_refuses_too_few_candidates_and_warns_below_twice_as_many(graph):
    everyone = [m.refnis for m in graph.municipalities if m.region == "flanders"]
    [one] = plan_coverage(graph, ["mobility"], everyone, lighthouses=1)
    assert one.candidates == 1 and one.status == "thin"
    assert "fewer than twice as many" in one.message.en
    [two] = plan_coverage(graph, ["mobility"], everyone, lighthouses=2)
    assert two.status == "refused" and "2 lighthouses asked but only 1 candidate" in two.message.en
    with pytest.raises(ThinCoverage) as info:
        check_plan_coverage([one, two])
    assert info.value.coverage.domain == "mobility" and info.value.field == "lighthouses"
    [pinned] = plan_coverage(graph, ["mobility"], everyone, lighthouses=1,
                             pinned={"mobility": ["10003"]})
    assert pinned.candidates == 2 and pinned.status == "ok" and pinned.message is None
    check_plan_coverage([one, pinned])


def test_plan_coverage_rejects_unknown_domain_and_maturity(graph):
    with pytest.raises(InvalidParameter):
        plan_coverage(graph, ["traffic"], ["10001"], 1)
    with pytest.raises(InvalidParameter):
        plan_coverage(graph, ["mobility"], ["10001"], 1, min_maturity="expert")


# --- the real registry: fewer results than asked always comes with its reason ----------------

SEED = Path(__file__).resolve().parents[2] / "seed_data"


@pytest.fixture(scope="module")
def real_graph():
    return build_graph(load_registry_from_seed_files(SEED), as_of_year=2026)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fewer_results_than_asked_always_carry_a_reason(real_graph, data):
    refnis = data.draw(st.sampled_from([m.refnis for m in real_graph.municipalities]))
    domain = data.draw(st.sampled_from(DOMAINS))
    looking_for = data.draw(st.sampled_from(LOOKING_FOR))
    limit = data.draw(st.integers(1, 100))
    max_km = data.draw(st.none() | st.floats(0, 200))
    found = suggest_partners(real_graph, refnis, domain, looking_for, limit=limit,
                             max_distance_km=max_km)
    coverage = partner_coverage(real_graph, refnis, domain, looking_for, len(found),
                                limit=limit, max_distance_km=max_km)
    assert coverage.qualified >= len(found)
    if len(found) < limit:
        assert coverage.message is not None and coverage.message.nl and coverage.message.en
    if coverage.nearest_km is not None and coverage.nearest_km > coverage.near_km:
        assert "none within 30 km" in coverage.message.en


def test_gent_hears_that_its_nearest_mobility_lighthouse_is_not_near(real_graph):
    coverage = partner_coverage(real_graph, "44021", "mobility", "lighthouse", 5, limit=5)
    assert coverage.nearest_km > 30
    assert f"is {round(coverage.nearest_km)} km away; none within 30 km" in coverage.message.en
