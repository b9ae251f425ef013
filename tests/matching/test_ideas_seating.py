"""Seed-session table plan (issue 14, item 4): every idea sits once per round in its first
domain's session, tables are even and at most the table size, related ideas sit together, and a
second round seats new pairs where it can."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from matching.ideas.relatedness import IdeaInput, RelatednessModel
from matching.ideas.seating import seat
from tests.matching.test_ideas_relatedness import GRAPH

TOWNS = ["10001", "10002", "10003", "10004"]
PARKING = "Slimme parkeersensoren tonen de bezetting van parkeerplaatsen"
WASTE = "Zwerfvuil en sluikstort herkennen met camera's in parken"


def test_related_ideas_share_a_table_and_round_two_seats_new_pairs():
    ideas = [IdeaInput(i + 1, TOWNS[i % 4], "Idee", PARKING if i < 4 else WASTE, ("mobility",))
             for i in range(8)]
    model = RelatednessModel.build(ideas, GRAPH)
    (session,) = seat(model, rounds=2, table_size=4)
    assert session.domain == "mobility"
    first, second = session.rounds
    assert sorted(sorted(t.ideas) for t in first.tables) == [[0, 1, 2, 3], [4, 5, 6, 7]]
    # two tables of four from two groups of four: each table repeats at least one pair of each
    # group, and no more
    assert [t.repeated_pairs for t in second.tables] == [2, 2]


@settings(deadline=None, max_examples=40)
@given(st.integers(1, 14), st.integers(2, 5), st.integers(1, 3), st.randoms(use_true_random=False))
def test_every_idea_sits_once_per_round_at_an_even_table(n, size, rounds, rnd):
    ideas = [IdeaInput(i + 1, rnd.choice(TOWNS), "Idee", rnd.choice([PARKING, WASTE]),
                       (rnd.choice(["mobility", "environment"]),)) for i in range(n)]
    model = RelatednessModel.build(ideas, GRAPH)
    sessions = seat(model, rounds=rounds, table_size=size)
    for s in sessions:
        own = sorted(k for k, i in enumerate(ideas) if i.domains[0] == s.domain)
        assert len(s.rounds) == rounds
        for r in s.rounds:
            seated = sorted(i for t in r.tables for i in t.ideas)
            assert seated == own
            sizes = [len(t.ideas) for t in r.tables]
            assert max(sizes) <= size and max(sizes) - min(sizes) <= 1
    assert sum(len(s.rounds[0].tables[0].ideas) > 0 for s in sessions) == len(sessions)
