"""Ranking: weighted totals, provisional means, thresholds with reasons, tie-break rules."""

import pytest

from evaluation.aggregation import SubmittedScore
from evaluation.ranking import Candidate, InvalidTieBreak, rank_applications
from evaluation.scoring import Criterion, InvalidCriterion

SCALABILITY = Criterion("scalability", weight=30, scale_min=0, scale_max=10, threshold=5)
LEVERAGE = Criterion("leverage", weight=30, scale_min=0, scale_max=10)
QUALITY = Criterion("quality", weight=40, scale_min=0, scale_max=10, scale_step=0.5)
CRITERIA = [SCALABILITY, LEVERAGE, QUALITY]


def consensus(table):
    return {(a, c): s for a, row in table.items() for c, s in row.items()}


def candidates(*ids, grant=100_000_00):
    return [Candidate(a, grant) for a in ids]


def test_the_weighted_total_uses_consensus_scores():
    ranking = rank_applications(
        candidates(1),
        CRITERIA,
        consensus=consensus({1: {"scalability": 8, "leverage": 6, "quality": 7.5}}),
    )
    (item,) = ranking.items
    # weighted mean: (30 × 8 + 30 × 6 + 40 × 7.5) / 100
    assert item.total == 7.2
    assert item.fundable and not item.provisional
    assert [s.source for s in item.scores] == ["consensus"] * 3
    assert [s.weighted for s in item.scores] == [2.4, 1.8, 3.0]  # the shares add up to the total


def test_without_consensus_the_mean_of_submitted_scores_counts_and_is_provisional():
    submitted = [
        SubmittedScore(1, 10, "scalability", 6),
        SubmittedScore(1, 11, "scalability", 7),
        SubmittedScore(1, 12, "scalability", 9),  # mean 22/3
        SubmittedScore(1, 10, "leverage", 2),  # consensus 4 overrides this mean
    ]
    ranking = rank_applications(
        candidates(1),
        CRITERIA,
        submitted=submitted,
        consensus={(1, "leverage"): 4, (1, "quality"): 5},
    )
    (item,) = ranking.items
    assert item.provisional
    assert [s.source for s in item.scores] == ["mean", "consensus", "consensus"]
    assert item.total == pytest.approx((30 * 22 / 3 + 30 * 4 + 40 * 5) / 100)


def test_a_criterion_below_its_threshold_makes_the_application_not_fundable():
    ranking = rank_applications(
        candidates(1),
        CRITERIA,
        consensus=consensus({1: {"scalability": 4, "leverage": 10, "quality": 10}}),
    )
    (item,) = ranking.items
    assert not item.fundable
    (reason,) = item.reasons
    assert reason.code == "below_criterion_threshold"
    assert (reason.criterion, reason.value, reason.threshold) == ("scalability", 4, 5)
    assert reason.message == "below the threshold of criterion scalability: 4 < 5"


def test_the_total_threshold_says_how_far_below():
    ranking = rank_applications(
        candidates(1, 2),
        CRITERIA,
        consensus=consensus(
            {
                1: {"scalability": 5, "leverage": 5, "quality": 5},  # 5.0
                2: {"scalability": 4, "leverage": 5, "quality": 4.5},  # 4.5, below both
            }
        ),
        total_threshold=5,
    )
    assert ranking.item(1).fundable  # exactly on the threshold is enough
    codes = [r.code for r in ranking.item(2).reasons]
    assert codes == ["below_criterion_threshold", "below_total_threshold"]
    assert ranking.item(2).reasons[1].message_nl == "onder de totaaldrempel: 4,5 < 5"


def test_an_application_with_missing_scores_is_ranked_last_and_not_fundable():
    ranking = rank_applications(
        candidates(1, 2),
        CRITERIA,
        consensus=consensus(
            {1: {"scalability": 5}, 2: {"scalability": 5, "leverage": 5, "quality": 5}}
        ),
    )
    assert [it.application_id for it in ranking.items] == [2, 1]
    missing = ranking.item(1)
    assert missing.total is None and not missing.fundable and missing.provisional
    assert missing.reasons[0].code == "missing_scores"
    assert "leverage, quality" in missing.reasons[0].message


def test_higher_totals_rank_first():
    ranking = rank_applications(
        candidates(1, 2, 3),
        CRITERIA,
        consensus=consensus(
            {
                1: {"scalability": 6, "leverage": 6, "quality": 6},
                2: {"scalability": 9, "leverage": 9, "quality": 9},
                3: {"scalability": 7, "leverage": 7, "quality": 7},
            }
        ),
    )
    assert [(it.application_id, it.rank) for it in ranking.items] == [(2, 1), (3, 2), (1, 3)]
    assert all(it.tie_broken_by is None for it in ranking.items)


TIED = {
    # all three total 6; 1 and 3 are equal on scalability and leverage too
    1: {"scalability": 7, "leverage": 5, "quality": 6},
    2: {"scalability": 6, "leverage": 6, "quality": 6},
    3: {"scalability": 7, "leverage": 5, "quality": 6},
}


def test_tie_break_rules_apply_in_order():
    cands = [Candidate(1, 300_000_00), Candidate(2, 100_000_00), Candidate(3, 200_000_00)]
    ranking = rank_applications(
        cands,
        CRITERIA,
        consensus=consensus(TIED),
        tie_break=["criterion:scalability desc", "criterion:leverage desc", "requested_grant asc"],
    )
    assert [it.application_id for it in ranking.items] == [3, 1, 2]
    assert [it.tie_broken_by for it in ranking.items] == [
        None,
        "requested_grant asc",
        "criterion:scalability desc",
    ]
    grant_first = rank_applications(
        cands, CRITERIA, consensus=consensus(TIED), tie_break=["requested_grant"]
    )
    assert [it.application_id for it in grant_first.items] == [2, 3, 1]
    assert grant_first.tie_break == ("requested_grant asc",)


def test_without_rules_ties_go_by_the_heaviest_criteria_then_the_grant_then_the_id():
    """Issue 16: an unconfigured call ranked a scalability-7 project below a 6.5 one by id."""
    ranking = rank_applications(candidates(3, 1, 2), CRITERIA, consensus=consensus(TIED))
    assert ranking.tie_break_default
    assert ranking.tie_break == ("criterion:quality desc", "criterion:scalability desc",
                                 "criterion:leverage desc", "requested_grant asc")
    assert [it.application_id for it in ranking.items] == [1, 3, 2]
    assert [it.tie_broken_by for it in ranking.items] == [
        None, "application asc", "criterion:scalability desc"]


def test_equal_totals_are_equal_exactly_not_in_binary_floating_point():
    tenths = [
        Criterion("a", weight=1, scale_min=0, scale_max=1, scale_step=0.1),
        Criterion("b", weight=1, scale_min=0, scale_max=1, scale_step=0.1),
    ]
    assert 0.1 + 0.2 != 0.3 + 0.0
    ranking = rank_applications(
        candidates(1, 2),
        tenths,
        consensus=consensus({1: {"a": 0.1, "b": 0.2}, 2: {"a": 0.3, "b": 0.0}}),
        tie_break=["criterion:a desc"],
    )
    assert [it.application_id for it in ranking.items] == [2, 1]
    assert ranking.items[1].tie_broken_by == "criterion:a desc"


@pytest.mark.parametrize(
    "rule", ["criterion:beauty desc", "grant asc", "requested_grant up", "a b c", ""]
)
def test_an_unreadable_tie_break_rule_is_refused(rule):
    with pytest.raises(InvalidTieBreak) as err:
        rank_applications([], CRITERIA, tie_break=[rule])
    assert err.value.field == "tie_break"


def test_the_ranking_serialises_for_the_api():
    ranking = rank_applications(
        candidates(1),
        CRITERIA,
        consensus=consensus({1: {"scalability": 4, "leverage": 5, "quality": 5}}),
    )
    (item,) = ranking.to_dict()["items"]
    assert set(item) == {
        "application",
        "rank",
        "total",
        "fundable",
        "reasons",
        "provisional",
        "scores",
        "requested_grant_cents",
        "tie_broken_by",
    }
    assert item["total"] == 4.7 and item["rank"] == 1 and item["fundable"] is False
    assert item["reasons"][0]["criterion"] == "scalability"
    assert item["scores"][0] == {
        "criterion": "scalability",
        "score": 4.0,
        "source": "consensus",
        "weighted": 1.2,
    }


def test_weights_are_relative():
    table = consensus({1: {"scalability": 8, "leverage": 6, "quality": 7.5}})
    tenfold = [Criterion(c.code, weight=c.weight * 10, scale_step=c.scale_step) for c in CRITERIA]
    assert (
        rank_applications(candidates(1), CRITERIA, consensus=table).items[0].total
        == rank_applications(candidates(1), tenfold, consensus=table).items[0].total
    )
    with pytest.raises(InvalidCriterion):
        rank_applications(candidates(1), [Criterion("a", weight=0)], consensus={(1, "a"): 5})
