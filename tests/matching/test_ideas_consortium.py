"""Consortium proposals (issue 14, item 3): CP-SAT proves the optimum of the consortium model, and
on small cases that optimum is the one brute force finds over every partition, with fixed and
forbidden pairs honoured."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from matching.ideas.consortium import ConsortiumModel, ConsortiumParams, brute_force, solve
from matching.ideas.relatedness import IdeaInput, RelatednessModel
from tests.matching.test_ideas_relatedness import GRAPH, IDEAS

TOWNS = ["10001", "10002", "10003", "10004"]
words = st.sampled_from(["parkeren", "sensor", "afval", "data", "fiets", "school", "markt"])


@st.composite
def cases(draw):
    n = draw(st.integers(2, 7))
    ideas = [IdeaInput(i + 1, draw(st.sampled_from(TOWNS)),
                       " ".join(draw(st.lists(words, min_size=1, max_size=3))),
                       " ".join(draw(st.lists(words, max_size=6))),
                       tuple(draw(st.lists(st.sampled_from(["mobility", "environment"]),
                                           min_size=1, max_size=2, unique=True))),
                       tuple(draw(st.lists(st.sampled_from(["lighthouse", "followers", "peers"]),
                                           max_size=2, unique=True))))
             for i in range(n)]
    pairs = [(a, b) for a in range(1, n + 1) for b in range(a + 1, n + 1)]
    chosen = draw(st.lists(st.sampled_from(pairs), max_size=2, unique=True)) if pairs else []
    split = draw(st.integers(0, len(chosen)))
    lo = draw(st.integers(2, 3))
    params = ConsortiumParams(min_size=lo, max_size=draw(st.integers(lo, 4)), time_limit_s=10,
                              fixed_pairs=tuple(chosen[:split]),
                              forbidden_pairs=tuple(chosen[split:]), candidate_leads=10,
                              workers=1)
    return ideas, params


@settings(deadline=None, max_examples=60, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_cp_sat_finds_the_brute_force_optimum(case):
    ideas, params = case
    model = ConsortiumModel(RelatednessModel.build(ideas, GRAPH))
    result = solve(model, params)
    best = brute_force(model, params)
    if best == float("-inf"):
        assert result.status == "infeasible"
        return
    assert result.status == "optimal" and result.gap == 0
    assert abs(result.objective - best) < 1e-9
    group = {}
    for c in result.consortia:
        assert params.min_size <= 1 + len(c.members) <= params.max_size
        for i in (c.lead, *c.members):
            group[i] = c.lead
    for a, b in params.fixed_pairs:
        assert a in group and group[a] == group.get(b)
    for a, b in params.forbidden_pairs:
        assert a not in group or group[a] != group.get(b)
    refnis = {i.id: i.refnis for i in ideas}
    for c in result.consortia:
        towns = [refnis[i] for i in (c.lead, *c.members)]
        assert len(towns) == len(set(towns))
    assert sorted([*group, *result.alone]) == sorted(i.id for i in ideas)


def test_the_idea_seeking_a_lighthouse_joins_the_veteran():
    model = ConsortiumModel(RelatednessModel.build(IDEAS, GRAPH))
    result = solve(model, ConsortiumParams(time_limit_s=10))
    assert result.status == "optimal"
    assert any(c.lead == 2 and 1 in c.members for c in result.consortia)
