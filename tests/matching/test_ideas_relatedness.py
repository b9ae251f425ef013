"""Related ideas (issue 14, item 2): every factor's contribution adds up to the score, the score
is symmetric, an idea that seeks a lighthouse finds the experienced municipality, and the
reasons name the experience behind the claim."""

from __future__ import annotations

import itertools

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.graph import build_graph
from matching.ideas.relatedness import FACTOR_NAMES, IdeaInput, RelatednessModel
from matching.registry import DOMAINS, Municipality, Participation, Project, Registry

KM_PER_DEGREE = 111.2


def town(refnis, name, km_north=0.0):
    return Municipality(refnis, name, None, "antwerpen", "flanders", False, 20_000,
                        51.0 + km_north / KM_PER_DEGREE, 4.4)


def registry() -> Registry:
    towns = (town("10001", "Home"), town("10002", "Veteran", km_north=40),
             town("10003", "Near", km_north=5), town("10004", "Other", km_north=60))
    projects = (Project(1, "P1", "", "CoT", 2020, 20_000_000, domains=("mobility",)),
                Project(2, "P2", "", "CoT", 2022, 20_000_000, domains=("mobility",)))
    return Registry(towns, projects, (Participation(1, "10002", "lead", "source-stated"),
                                      Participation(2, "10002", "lead", "source-stated")))


GRAPH = build_graph(registry(), as_of_year=2024)
PARKING = "Slimme parkeersensoren geven bezetting van parkeerplaatsen als open data"
IDEAS = (
    IdeaInput(1, "10001", "Parkeren", PARKING, ("mobility",), ("lighthouse",)),
    IdeaInput(2, "10002", "Parkeersensoren", PARKING + " in het centrum", ("mobility",),
              ("followers",)),
    IdeaInput(3, "10003", "Zwerfvuil", "Camera's herkennen zwerfvuil in parken",
              ("environment",), ("peers",)),
    IdeaInput(4, "10001", "Tweede idee", PARKING, ("mobility",), ()),
)


def test_the_veteran_is_the_most_related_for_an_idea_that_seeks_a_lighthouse():
    model = RelatednessModel.build(IDEAS, GRAPH)
    found = model.related(1)
    assert [r.idea for r in found][0] == 2
    assert 4 not in [r.idea for r in found]  # its own municipality's other idea
    best = found[0]
    assert [f.name for f in best.factors] == list(FACTOR_NAMES)
    assert best.score == sum(f.contribution for f in best.factors)
    assert "Veteran leidde 2 projecten in mobiliteit sinds 2020" in best.reasons.nl
    assert "Veteran led 2 projects in mobility since 2020" in best.reasons.en
    factors = {f.name: f for f in best.factors}
    assert factors["shared_domains"].value == 1.0
    assert factors["complementary_roles"].value == 1.0
    assert round(factors["distance_km"].value) == 40


def test_candidates_can_be_restricted_to_what_the_caller_sees():
    model = RelatednessModel.build(IDEAS, GRAPH)
    assert [r.idea for r in model.related(1, among=[3])] == [3]
    assert 2 not in [r.idea for r in model.related(1, among=[3])]


words = st.sampled_from(["parkeren", "sensor", "afval", "zwerfvuil", "data", "fiets", "school",
                         "energie", "markt", "handel"])


@st.composite
def idea_sets(draw):
    n = draw(st.integers(2, 7))
    out = []
    for i in range(n):
        out.append(IdeaInput(
            i + 1, draw(st.sampled_from(["10001", "10002", "10003", "10004"])),
            " ".join(draw(st.lists(words, min_size=1, max_size=3))),
            " ".join(draw(st.lists(words, min_size=0, max_size=8))),
            tuple(draw(st.lists(st.sampled_from(DOMAINS), min_size=1, max_size=3, unique=True))),
            tuple(draw(st.lists(st.sampled_from(["lighthouse", "followers", "peers"]),
                                max_size=2, unique=True)))))
    return out


@settings(deadline=None, max_examples=40)
@given(idea_sets())
def test_contributions_add_up_and_the_score_is_symmetric(ideas):
    model = RelatednessModel.build(ideas, GRAPH)
    for a, b in itertools.permutations(range(len(ideas)), 2):
        assert abs(model.score[a, b] - model.score[b, a]) < 1e-12
        assert 0.0 <= model.score[a, b] <= 1.0 + 1e-12
    for idea in ideas:
        for r in model.related(idea.id, limit=10):
            assert r.score == sum(f.contribution for f in r.factors)
            assert r.score > 0
