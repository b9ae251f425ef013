"""The registry graph: nodes and edges, derived arrays, consistency checks, and the cache."""

import math
import threading
from dataclasses import replace

import numpy as np
import pytest

from matching.graph import (
    GraphCache,
    InconsistentRegistry,
    UnknownMunicipality,
    UnknownProject,
    build_graph,
    domain_node,
    haversine_matrix_km,
    is_urban,
    municipality_node,
    population_class,
    project_node,
    registry_fingerprint,
)
from matching.registry import Municipality, Participation, Project, Registry


def town(refnis, name, lat=50.9, lon=4.5, population=20_000, province="vlaams-brabant",
         region="flanders", centrumstad=False):
    return Municipality(refnis, name, None, province, region, centrumstad, population, lat, lon)


def registry():
    towns = (
        town("10001", "A", lat=50.0, lon=4.0, population=10_000),
        town("10002", "B", lat=51.0, lon=4.0, population=20_000),
        town("10003", "C", lat=50.0, lon=5.0, population=120_000, centrumstad=True,
             province="limburg"),
    )
    projects = (
        Project(1, "P1", "", "CoT", 2017, 20_000_000, domains=("mobility",)),
        Project(2, "P2", "", "CoT", 2019, None, domains=("mobility", "people")),
        Project(3, "P3", "", "CoT", 2030, None, domains=("economy",)),
    )
    participations = (
        Participation(1, "10001", "lead"),
        Participation(1, "10002", "partner"),
        Participation(1, "10002", "adopter"),  # same municipality twice: strongest role stays
        Participation(2, "10001", "partner"),
        Participation(2, "10002", "lead"),
        Participation(2, "10003", "follower"),
        Participation(3, "10001", "lead"),
        Participation(3, "10003", "partner"),
    )
    return Registry(towns, projects, participations)


def test_nodes_and_edges():
    g = build_graph(registry(), as_of_year=2023)
    kinds = [data["kind"] for _, data in g.graph.nodes(data=True)]
    assert kinds.count("municipality") == 3
    assert kinds.count("project") == 3
    assert kinds.count("domain") == 6
    edge = g.graph.edges[municipality_node("10002"), project_node(1)]
    assert edge == {"kind": "participation", "role": "partner", "year": 2017}
    assert g.graph.has_edge(project_node(2), domain_node("people"))
    tie = g.graph.edges[municipality_node("10001"), municipality_node("10002")]
    assert tie == {"kind": "co_participation", "project_ids": (1, 2)}
    assert g.shared_projects("10002", "10001") == (1, 2)


def test_future_projects_are_in_the_graph_but_make_no_ties_or_experience_yet():
    g = build_graph(registry(), as_of_year=2023)
    assert g.graph.has_edge(municipality_node("10001"), project_node(3))
    a, c = g.index["10001"], g.index["10003"]
    assert g.ties[a, c] == 1  # only P2; P3 starts in 2030
    assert g.shared_projects("10001", "10003") == (2,)
    assert g.experience[5, a] == 0.0  # economy
    later = build_graph(registry(), as_of_year=2030)
    assert later.ties[a, c] == 2
    assert later.experience[5, a] == 1.0


def test_ties_are_symmetric_counts_of_shared_projects():
    g = build_graph(registry(), as_of_year=2023)
    assert (g.ties == g.ties.T).all()
    assert g.ties[g.index["10001"], g.index["10002"]] == 2
    assert np.diag(g.ties).sum() == 0


def test_counts_and_first_years():
    g = build_graph(registry(), as_of_year=2023)
    b = g.index["10002"]
    assert g.lead_count[0, b] == 1 and g.project_count[0, b] == 2
    assert g.first_year[0, b] == 2017 and g.first_lead_year[0, b] == 2019
    assert g.adopters_of(2, excluding="10002") == 1  # C followed
    assert g.adopters_of(1) == 0  # B's adopter role gave way to partner


def test_distances_on_a_meridian_and_the_equator():
    one_degree = 6371.0088 * math.pi / 180  # 111.195 km
    d = haversine_matrix_km(np.array([50.0, 51.0, 0.0, 0.0]), np.array([4.0, 4.0, 10.0, 11.0]))
    assert d[0, 1] == pytest.approx(one_degree)
    assert d[2, 3] == pytest.approx(one_degree)
    assert (d == d.T).all() and (np.diag(d) == 0).all()
    g = build_graph(registry(), as_of_year=2023)
    assert g.distance_km[g.index["10001"], g.index["10002"]] == pytest.approx(one_degree)
    # 1 degree of longitude at 50 N: one_degree x cos(50) (great circle is a bit shorter)
    assert g.distance_km[0, 2] == pytest.approx(one_degree * math.cos(math.radians(50)), rel=1e-3)


def test_similarity_hand_computed():
    g = build_graph(registry(), as_of_year=2023)
    a, b, c = (g.index[r] for r in ("10001", "10002", "10003"))
    # A-B: class 0.25 + size 0.35 x 1/(1 + log2 2) + centrum 0.15 + urban 0.20 + province 0.05
    assert g.similarity[a, b] == pytest.approx(0.825)
    # A-C: only size counts, 12 times larger: 0.35 / (1 + log2 12)
    assert g.similarity[a, c] == pytest.approx(0.35 / (1 + math.log2(12)))
    assert (g.similarity == g.similarity.T).all()


@pytest.mark.parametrize(
    ("population", "expected"),
    [(1, "small"), (50_000, "small"), (50_001, "large"), (100_000, "large"),
     (100_001, "very_large")],
)
def test_population_classes_follow_the_sources(population, expected):
    assert population_class(population) == expected


def test_urban_or_rural():
    assert not is_urban(town("1", "x", population=20_000))
    assert is_urban(town("1", "x", population=50_001))
    assert is_urban(town("1", "x", population=40_000, centrumstad=True))
    assert is_urban(town("1", "x", population=20_000, province=None, region="brussels"))


def test_arrays_are_read_only():
    g = build_graph(registry(), as_of_year=2023)
    with pytest.raises(ValueError):
        g.experience[0, 0] = 5.0


def test_lookups_raise_specific_errors():
    g = build_graph(registry(), as_of_year=2023)
    with pytest.raises(UnknownMunicipality):
        g.municipality("99999")
    with pytest.raises(UnknownMunicipality):
        g.participations_of("99999")
    with pytest.raises(UnknownProject):
        g.project(42)
    assert [(p.id, role) for p, role in g.participations_of("10001")] == [
        (1, "lead"), (2, "partner"), (3, "lead")]


@pytest.mark.parametrize(
    "broken",
    [
        lambda r: replace(r, participations=(*r.participations, Participation(1, "99999", "lead"))),
        lambda r: replace(r, participations=(*r.participations, Participation(9, "10001", "lead"))),
        lambda r: replace(r, participations=(*r.participations, Participation(1, "10003", "boss"))),
        lambda r: replace(r, projects=r.projects + (Project(4, "x", "", "y", 2020,
                                                            domains=("space",)),)),
        lambda r: replace(r, projects=r.projects + (r.projects[0],)),
        lambda r: replace(r, municipalities=r.municipalities + (r.municipalities[0],)),
    ],
)
def test_inconsistent_registry_is_refused(broken):
    with pytest.raises(InconsistentRegistry):
        build_graph(broken(registry()), as_of_year=2023)


def test_cache_builds_once_per_version():
    cache = GraphCache()
    calls = []

    def load():
        calls.append(1)
        return registry()

    first = cache.get("v1", load, as_of_year=2023)
    assert cache.get("v1", load, as_of_year=2023) is first
    assert len(calls) == 1
    second = cache.get("v2", load, as_of_year=2023)
    assert second is not first and len(calls) == 2
    assert cache.get("v2", load, as_of_year=2024).as_of_year == 2024
    cache.clear()
    cache.get("v2", load, as_of_year=2024)
    assert len(calls) == 4


def test_cache_under_concurrent_requests_builds_one_graph():
    cache = GraphCache()
    barrier = threading.Barrier(8)
    results = []

    def worker():
        barrier.wait()
        results.append(cache.get("v1", registry, as_of_year=2023))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert cache.builds == 1
    assert all(r is results[0] for r in results)


def test_fingerprint_is_stable_and_sees_changes():
    r = registry()
    assert registry_fingerprint(r) == registry_fingerprint(registry())
    changed = replace(r, projects=(replace(r.projects[0], grant_cents=1),) + r.projects[1:])
    assert registry_fingerprint(changed) != registry_fingerprint(r)
