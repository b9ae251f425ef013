"""Publication waits for every score, consensus and reconfirmation; the call says which selection."""

import pytest

from evaluation.publication import SELECTION_RULES, publication_blockers, published_funding
from evaluation.ranking import Candidate, rank_applications
from evaluation.scoring import Criterion
from evaluation.selection import select_funding

CRITERIA = ["leverage", "scalability"]


def blockers(**kw):
    base = {
        "applications": [1, 2],
        "criteria": CRITERIA,
        "assignments": [(1, 10), (1, 11), (2, 10), (2, 11)],
        "submitted": [(a, j, c) for a in (1, 2) for j in (10, 11) for c in CRITERIA],
        "disagreements": [],
        "consensus": [],
    }
    base.update(kw)
    return publication_blockers(**base)


def test_a_complete_call_has_nothing_missing():
    assert blockers() == ()


def test_a_missing_score_is_named_with_application_juror_and_criterion():
    submitted = [
        (a, j, c) for a in (1, 2) for j in (10, 11) for c in CRITERIA if (a, j, c) != (2, 11, "scalability")
    ]
    (missing,) = blockers(submitted=submitted)
    assert (missing.code, missing.application_id, missing.juror_id, missing.criterion) == (
        "missing_score",
        2,
        11,
        "scalability",
    )
    assert "juror 11" in missing.message and "jurylid 11" in missing.message_nl


def test_a_consensus_settles_a_missing_score_and_a_disagreement():
    submitted = [(a, j, c) for a in (1, 2) for j in (10, 11) for c in CRITERIA if (a, j) != (1, 10)]
    found = blockers(submitted=submitted, disagreements=[(2, "leverage")])
    assert [(b.code, b.application_id) for b in found] == [
        ("missing_score", 1),
        ("missing_score", 1),
        ("open_disagreement", 2),
    ]
    settled = blockers(
        submitted=submitted,
        disagreements=[(2, "leverage")],
        consensus=[(1, "leverage"), (1, "scalability"), (2, "leverage")],
    )
    assert settled == ()


def test_an_unreconfirmed_amendment_blocks_and_other_calls_apps_are_ignored():
    found = blockers(unreconfirmed=[(1, 11), (9, 10)], disagreements=[(9, "leverage")])
    assert [b.to_dict()["code"] for b in found] == ["unreconfirmed_amendment"]
    assert found[0].juror_id == 11


def _ranking():
    criteria = [Criterion("q", 1.0, 0, 10, 1)]
    cands = [
        Candidate(1, 60_00),
        Candidate(2, 50_00),
        Candidate(3, 50_00),
    ]
    consensus = {(1, "q"): 9, (2, "q"): 8, (3, "q"): 7}
    return rank_applications(cands, criteria, consensus=consensus)


def test_rank_order_funds_down_the_ranking_and_optimal_may_pass_over_the_first():
    selection = select_funding(_ranking(), budget_cents=100_00)
    assert SELECTION_RULES[0] == "rank-order"
    assert published_funding(selection, "rank-order").funded == (1,)
    assert published_funding(selection, "optimal").funded == (2, 3)
    with pytest.raises(ValueError):
        published_funding(selection, "best")
