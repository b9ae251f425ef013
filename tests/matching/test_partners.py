"""Partner suggestions: hand-computed scores, explanations that add up, the two modes, bad input,
and the two modes on the real registry."""

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from matching.graph import InvalidParameter, UnknownMunicipality, build_graph
from matching.partners import FACTOR_NAMES, LOOKING_FOR, MODES, suggest_partners
from matching.registry import (
    DOMAINS,
    ROLES,
    Municipality,
    Participation,
    Project,
    Registry,
)
from matching.seedfiles import load_registry_from_seed_files

ONE_DEGREE_KM = 6371.0088 * np.pi / 180
SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"


def place(refnis, name, km_north, population, province="vlaams-brabant", centrumstad=False,
          region="flanders"):
    """A municipality ``km_north`` km north of (50.0 N, 4.0 E) on the meridian."""
    return Municipality(refnis, name, None, province if region == "flanders" else None, region,
                        centrumstad, population, 50.0 + km_north / ONE_DEGREE_KM, 4.0)


def lighthouse_registry():
    towns = (
        place("10001", "Dorp", 0, 15_000),
        place("24062", "Leuven", 18, 100_500, centrumstad=True),
        place("10003", "Ver", 60, 15_000),
        place("21004", "Brussel", 5, 190_000, region="brussels"),
    )
    projects = tuple(
        Project(i, f"P{i}", "", "CoT", 2016 + i, 20_000_000, domains=("mobility",))
        for i in range(1, 5)
    ) + (Project(5, "P5", "", "CoT", 2022, 20_000_000, domains=("mobility",)),)
    participations = tuple(Participation(i, "24062", "lead") for i in range(1, 5)) + (
        Participation(5, "21004", "lead"),
        Participation(5, "10003", "partner"),
    )
    return Registry(towns, projects, participations)


def test_hand_computed_lighthouse_score_and_reason():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    [leuven, ver] = suggest_partners(graph, "10001", "mobility", "lighthouse", "geographic",
                                     lighthouse_load={"24062": 1})
    assert leuven.municipality.refnis == "24062" and leuven.municipality.name == "Leuven"
    factors = {f.name: f for f in leuven.factors}
    # experience: 4 leads 2017-2020 in 2023: 0.5^(6/6) + 0.5^(5/6) + 0.5^(4/6) + 0.5^(3/6)
    experience = 0.5 + 0.5 ** (5 / 6) + 0.5 ** (4 / 6) + 0.5 ** 0.5
    assert factors["experience_gap"].value == pytest.approx(experience)
    assert factors["experience_gap"].contribution == pytest.approx(0.25)  # gap > 1: term 1
    assert factors["distance_km"].value == pytest.approx(18.0)
    assert factors["distance_km"].contribution == pytest.approx(0.55 * 0.5 ** (18 / 15))
    # very large centrumstad vs small rural: the province matches (0.05), and size a little
    similarity = 0.05 + 0.35 / (1 + np.log2(100_500 / 15_000))
    assert factors["similarity"].value == pytest.approx(similarity)
    assert factors["similarity"].contribution == pytest.approx(0.05 * similarity)
    assert (factors["ties"].value, factors["ties"].contribution) == (0.0, 0.0)
    assert factors["lighthouse_load"].value == 1.0
    assert factors["lighthouse_load"].contribution == pytest.approx(-0.20)
    assert leuven.score == pytest.approx(0.25 + 0.55 * 0.5 ** (18 / 15) + 0.05 * similarity - 0.2)
    assert leuven.reasons.nl == (
        "Leuven leidde 4 projecten in mobiliteit sinds 2017; 18 km; leidt al 1 cluster")
    assert leuven.reasons.en == (
        "Leuven led 4 projects in mobility since 2017; 18 km; already leads 1 cluster")
    # Ver was a partner (0.6 in 2022: 0.6 x 0.5^(1/6)); not led, so it "took part"
    assert ver.reasons.en == "Ver took part in 1 project in mobility since 2022; 60 km"
    assert [f.name for f in ver.factors] == list(FACTOR_NAMES)


def test_brussels_municipalities_are_no_partners_of_flemish_ones():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    for looking_for in ("lighthouse", "peers"):
        found = suggest_partners(graph, "10001", "mobility", looking_for)
        assert "21004" not in [s.municipality.refnis for s in found]
    followers = suggest_partners(graph, "24062", "mobility", "followers")
    assert [s.municipality.refnis for s in followers] == ["10001", "10003"]  # 18 km, 42 km


def test_a_brussels_municipality_compares_itself_with_brussels_and_flemish_peers():
    towns = lighthouse_registry().municipalities + (
        place("21015", "Schaarbeek", 7, 130_000, region="brussels"),)
    graph = build_graph(Registry(towns), as_of_year=2023)
    peers = [s.municipality.refnis for s in suggest_partners(graph, "21004", "economy", "peers")]
    assert peers[0] == "21015" and len(peers) == 4


def test_without_load_data_the_load_factor_is_unknown_and_neutral():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    leuven = suggest_partners(graph, "10001", "mobility", "lighthouse")[0]
    load = leuven.factors[-1]
    assert (load.name, load.value, load.contribution) == ("lighthouse_load", None, 0.0)
    assert "cluster" not in leuven.reasons.nl


def test_no_experience_means_no_followers_and_lighthouses_need_more_experience():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    assert suggest_partners(graph, "10001", "mobility", "followers") == []
    assert suggest_partners(graph, "24062", "mobility", "lighthouse") == []


def test_followers_reason_says_no_project_yet():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    dorp = suggest_partners(graph, "24062", "mobility", "followers", "geographic")[0]
    assert dorp.reasons.nl == "Dorp heeft nog geen project in mobiliteit; 18 km"
    assert dorp.reasons.en == "Dorp has no project in mobility yet; 18 km"


def modes_registry():
    return Registry((
        place("10001", "Dorp", 0, 15_000, province="antwerpen"),
        place("10002", "Buur", 5, 80_000, province="antwerpen"),
        place("10003", "Ver", 100, 15_500, province="limburg"),
    ))


def test_geographic_ranks_the_neighbour_first_similar_the_look_alike():
    graph = build_graph(modes_registry(), as_of_year=2023)
    geographic = suggest_partners(graph, "10001", "economy", "peers", "geographic")
    similar = suggest_partners(graph, "10001", "economy", "peers", "similar")
    assert [s.municipality.name for s in geographic] == ["Buur", "Ver"]
    assert [s.municipality.name for s in similar] == ["Ver", "Buur"]
    assert similar[0].reasons.nl == (
        "Ver heeft nog geen project in economie; kleine landelijke gemeente; 100 km")
    buur = {f.name: f.contribution for f in geographic[0].factors}
    # peers: experience never counts; proximity 0.55 x 0.5^(5/15); similarity 0.05 x (centrum
    # 0.15 + province 0.05 + size 0.35 / (1 + log2 5.33)): class and urban/rural type differ
    assert buur["experience_gap"] == 0.0
    assert buur["distance_km"] == pytest.approx(0.55 * 0.5 ** (1 / 3))
    assert buur["similarity"] == pytest.approx(0.05 * (0.20 + 0.35 / (1 + np.log2(80 / 15))))


def test_max_distance_and_limit():
    graph = build_graph(modes_registry(), as_of_year=2023)
    assert [s.municipality.name for s in
            suggest_partners(graph, "10001", "economy", "peers", "similar",
                             max_distance_km=50)] == ["Buur"]
    assert len(suggest_partners(graph, "10001", "economy", "peers", limit=1)) == 1
    assert suggest_partners(graph, "10001", "economy", "peers", max_distance_km=0) == []


@pytest.mark.parametrize(
    ("kwargs", "field", "valid"),
    [
        ({"domain": "space"}, "domain", DOMAINS),
        ({"looking_for": "friends"}, "looking_for", LOOKING_FOR),
        ({"mode": "random"}, "mode", MODES),
        ({"limit": 0}, "limit", None),
        ({"limit": 101}, "limit", None),
        ({"limit": True}, "limit", None),
        ({"limit": 2.5}, "limit", None),
        ({"max_distance_km": -1}, "max_distance_km", None),
        ({"max_distance_km": float("nan")}, "max_distance_km", None),
        ({"looking_for": "lighthouse", "lighthouse_load": {"24062": -1}}, "lighthouse_load", None),
    ],
)
def test_bad_parameters_name_the_field_and_the_valid_values(kwargs, field, valid):
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    query = {"refnis": "10001", "domain": "mobility", "looking_for": "peers",
             "mode": "geographic"} | kwargs
    with pytest.raises(InvalidParameter) as info:
        suggest_partners(graph, **query)
    assert info.value.field == field
    assert info.value.valid == valid


def test_unknown_municipality_names_it():
    graph = build_graph(lighthouse_registry(), as_of_year=2023)
    with pytest.raises(UnknownMunicipality) as info:
        suggest_partners(graph, "99999", "mobility", "peers")
    assert info.value.refnis == "99999"


@st.composite
def registries(draw):
    n = draw(st.integers(2, 8))
    towns = tuple(
        Municipality(f"{10001 + i}", f"M{i}", None,
                     draw(st.sampled_from(["antwerpen", "limburg"])),
                     "brussels" if draw(st.booleans()) and i % 3 == 0 else "flanders",
                     draw(st.booleans()), draw(st.integers(1_000, 300_000)),
                     draw(st.floats(50.7, 51.4)), draw(st.floats(2.6, 5.8)))
        for i in range(n)
    )
    projects, participations = [], []
    for pid in range(1, draw(st.integers(0, 8)) + 1):
        projects.append(Project(pid, f"P{pid}", "", "CoT", draw(st.integers(2015, 2023)),
                                draw(st.one_of(st.none(), st.integers(0, 10**8))),
                                domains=tuple(draw(st.sets(st.sampled_from(DOMAINS),
                                                           max_size=2)))))
        for refnis in draw(st.sets(st.sampled_from([t.refnis for t in towns]), max_size=n)):
            participations.append(Participation(pid, refnis, draw(st.sampled_from(ROLES))))
    return Registry(towns, tuple(projects), tuple(participations))


@settings(max_examples=60, deadline=None)
@given(registry=registries(), data=st.data())
def test_explanations_add_up_and_rankings_keep_their_promises(registry, data):
    graph = build_graph(registry, as_of_year=2023)
    me = data.draw(st.sampled_from([m.refnis for m in registry.municipalities]))
    domain = data.draw(st.sampled_from(DOMAINS))
    looking_for = data.draw(st.sampled_from(LOOKING_FOR))
    mode = data.draw(st.sampled_from(MODES))
    limit = data.draw(st.integers(1, 10))
    load = data.draw(st.one_of(st.none(), st.dictionaries(
        st.sampled_from([m.refnis for m in registry.municipalities]), st.integers(0, 3))))
    found = suggest_partners(graph, me, domain, looking_for, mode, limit, lighthouse_load=load)
    assert len(found) <= limit
    refnis = [s.municipality.refnis for s in found]
    assert me not in refnis and len(set(refnis)) == len(refnis)
    k = DOMAINS.index(domain)
    own = graph.experience[k, graph.index[me]]
    for s in found:
        assert s.score == sum(f.contribution for f in s.factors)
        assert [f.name for f in s.factors] == list(FACTOR_NAMES)
        candidate = graph.municipality(s.municipality.refnis)
        theirs = graph.experience[k, graph.index[candidate.refnis]]
        if looking_for == "lighthouse":
            assert theirs > own
        if looking_for == "followers":
            assert theirs < own
        if looking_for != "peers" or graph.municipality(me).region == "flanders":
            assert candidate.region != "brussels"
        if looking_for != "lighthouse":
            assert s.factors[-1].contribution == 0.0
        assert s.reasons.nl and s.reasons.en and "\n" not in s.reasons.nl
    scores = [s.score for s in found]
    assert scores == sorted(scores, reverse=True)


# --- the real registry ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_graph():
    return build_graph(load_registry_from_seed_files(SEED_DIR), as_of_year=2026)


def refnis_of(graph, name):
    [m] = [m for m in graph.municipalities if m.name_nl == name]
    return m.refnis


def test_real_registry_has_the_current_municipalities(real_graph):
    assert len(real_graph.municipalities) == 304
    assert int(real_graph.brussels.sum()) == 19
    assert sum(m.is_centrumstad for m in real_graph.municipalities) == 13


def test_geographic_search_from_lubbeek_lists_near_municipalities_first(real_graph):
    lubbeek = refnis_of(real_graph, "Lubbeek")
    found = suggest_partners(real_graph, lubbeek, "mobility", "peers", "geographic", limit=10)
    distances = [s.factors[1].value for s in found]
    assert all(d <= 15 for d in distances[:5]), distances
    assert max(distances) <= 25, distances
    names = {s.municipality.name for s in found}
    assert {"Tielt-Winge", "Holsbeek", "Bierbeek"} & names  # Lubbeek's direct neighbours


def test_similar_search_for_a_small_rural_municipality_looks_beyond_its_neighbours(real_graph):
    lubbeek = refnis_of(real_graph, "Lubbeek")
    assert real_graph.population_class[real_graph.index[lubbeek]] == 0
    assert not real_graph.urban[real_graph.index[lubbeek]]
    similar = suggest_partners(real_graph, lubbeek, "mobility", "peers", "similar", limit=10)
    geographic = suggest_partners(real_graph, lubbeek, "mobility", "peers", "geographic",
                                  limit=10)
    overlap = {s.municipality.refnis for s in similar} & {s.municipality.refnis for s in geographic}
    assert len(overlap) <= 2
    similar_km = sorted(s.factors[1].value for s in similar)
    geographic_km = sorted(s.factors[1].value for s in geographic)
    assert similar_km[5] >= 2 * geographic_km[5], (similar_km, geographic_km)
    assert sum(km > 30 for km in similar_km) >= 3, similar_km
    for s in similar:  # all look like Lubbeek: small and rural
        c = real_graph.index[s.municipality.refnis]
        assert real_graph.population_class[c] == 0 and not real_graph.urban[c]


def test_every_real_query_explains_itself(real_graph):
    for m in real_graph.municipalities[::15]:
        for domain in DOMAINS:
            for looking_for in LOOKING_FOR:
                for s in suggest_partners(real_graph, m.refnis, domain, looking_for, "similar"):
                    assert s.score == sum(f.contribution for f in s.factors)
