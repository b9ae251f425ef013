"""Funding selection: exact against brute force over all subsets, greedy beside it, reasons."""

import itertools
import random
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.ranking import Candidate, rank_applications
from evaluation.scoring import Criterion
from evaluation.selection import InvalidSelection, greedy_selection, select_funding

QUALITY = Criterion("quality", weight=1, scale_min=0, scale_max=100, scale_step=0.5, threshold=50)
DOMAINS = ("mobility", "living", "economy")
PROVINCES = ("limburg", "antwerpen", "west-vlaanderen")
K = 1000_00  # a thousand euro, in cents


def ranking_of(rows, tie_break=("requested_grant asc",)):
    """rows: (application, score, grant in cents, domains, province)."""
    cands = [Candidate(a, grant, domains, prov) for a, _s, grant, domains, prov in rows]
    scores = {(a, "quality"): s for a, s, *_ in rows}
    return rank_applications(cands, [QUALITY], consensus=scores, tie_break=list(tie_break))


def brute_force(ranking, budget, cap, per_domain, per_province):
    eligible = [
        it
        for it in ranking.items
        if it.fundable and (cap is None or it.requested_grant_cents <= cap)
    ]
    best = Fraction(0)
    for n in range(1, len(eligible) + 1):
        for subset in itertools.combinations(eligible, n):
            if sum(it.requested_grant_cents for it in subset) > budget:
                continue
            if per_domain is not None and any(
                sum(d in it.domains for it in subset) > per_domain for d in DOMAINS
            ):
                continue
            if per_province is not None and any(
                sum(it.province == p for it in subset) > per_province for p in PROVINCES
            ):
                continue
            best = max(best, sum((it.total_exact for it in subset), Fraction(0)))
    return best


calls = st.fixed_dictionaries(
    {
        "n": st.integers(1, 12),
        "seed": st.integers(0, 10**6),
        "budget_share": st.floats(0.05, 1.0),
        "cap": st.sampled_from([None, 300 * K, 600 * K]),
        "per_domain": st.sampled_from([None, 1, 2, 3]),
        "per_province": st.sampled_from([None, 1, 2]),
    }
)


@settings(max_examples=80, deadline=None)
@given(calls)
def test_the_exact_selection_matches_brute_force_over_all_subsets(call):
    rng = random.Random(call["seed"])
    rows = [
        (
            a,
            rng.randrange(60, 201) / 2,  # 30 … 100 in steps of 0.5; below 50 is not fundable
            rng.randint(20, 800) * K,
            tuple(rng.sample(DOMAINS, rng.randint(1, 2))),
            rng.choice(PROVINCES),
        )
        for a in range(1, call["n"] + 1)
    ]
    ranking = ranking_of(rows)
    smallest = min(r[2] for r in rows)
    budget = max(smallest, int(sum(r[2] for r in rows) * call["budget_share"]))
    kwargs = {
        "budget_cents": budget,
        "max_grant_cents": call["cap"],
        "max_per_domain": call["per_domain"],
        "max_per_province": call["per_province"],
    }
    selection = select_funding(ranking, **kwargs)
    funded = [ranking.item(a) for a in selection.funded]
    exact = sum((it.total_exact for it in funded), Fraction(0))
    assert exact == brute_force(
        ranking, budget, call["cap"], call["per_domain"], call["per_province"]
    )
    assert selection.status == "optimal"
    assert selection.optimal.spent_cents == sum(it.requested_grant_cents for it in funded) <= budget
    assert all(it.fundable for it in funded)
    # every application is funded or has exactly one reason, in both selections
    for result in (selection, selection.greedy):
        unfunded = [u.application_id for u in result.unfunded]
        assert sorted(unfunded + list(result.funded)) == list(range(1, call["n"] + 1))
        assert all(u.reason and u.reason_nl for u in result.unfunded)
    assert selection.total_score >= selection.greedy.total_score
    assert selection.difference.score_gain == pytest.approx(
        selection.total_score - selection.greedy.total_score
    )


# Ranked by score: 6 (95 points, 150k, above a cap of 100k), 1 (90, 60k), 2 (80, 50k),
# 3 (70, 40k), 4 (60, 30k), 5 (40: below the threshold of 50).
CALL = [
    (1, 90, 60 * K, ("mobility",), "limburg"),
    (2, 80, 50 * K, ("living",), "antwerpen"),
    (3, 70, 40 * K, ("economy",), "limburg"),
    (4, 60, 30 * K, ("living",), "antwerpen"),
    (5, 40, 10 * K, ("mobility",), "limburg"),
    (6, 95, 150 * K, ("economy",), "antwerpen"),
]


def test_funding_down_the_ranking_stops_where_the_money_runs_out():
    ranking = ranking_of(CALL)
    greedy = greedy_selection(ranking, budget_cents=100 * K, max_grant_cents=100 * K)
    assert greedy.funded == (1,)  # 2 (50k) no longer fits in the 40k left
    assert greedy.stopped_at_rank == 3
    reasons = {u.application_id: u for u in greedy.unfunded}
    assert reasons[2].code == "budget_exhausted"
    assert reasons[2].reason == "budget exhausted at rank 3: €50,000 requested, €40,000 left"
    assert reasons[3].code == "budget_exhausted"  # would fit, but the plain rule has stopped
    assert reasons[5].code == "below_criterion_threshold"
    assert reasons[6].code == "above_cap"


def test_the_exact_selection_and_its_reasons_by_hand():
    ranking = ranking_of(CALL)
    assert [it.application_id for it in ranking.items] == [6, 1, 2, 3, 4, 5]
    selection = select_funding(ranking, budget_cents=100 * K, max_grant_cents=100 * K)
    # 1 + 3 = 100k for 160 points beats 1 alone (90), 2 + 3 (150), 1 + 4 (150), 2 + 4 (140).
    assert selection.funded == (1, 3)
    assert selection.total_score == 160
    assert selection.optimal.remaining_cents == 0
    reasons = {u.application_id: u for u in selection.unfunded}
    assert reasons[2].code == "optimal_preferred_others"
    assert "ranked below it (3)" in reasons[2].reason
    assert reasons[4].code == "budget_exhausted"
    assert reasons[4].reason.startswith("budget exhausted at rank 5")
    assert reasons[5].reason == "below the threshold of criterion quality: 40 < 50"
    assert reasons[6].reason == (
        "the requested grant €150,000 is above the cap of €100,000 per project"
    )
    diff = selection.difference
    assert (diff.only_optimal, diff.only_greedy, diff.score_gain) == ((3,), (), 70)
    assert diff.extra_spent_cents == 40 * K
    assert "stops at rank 3 with €40,000 left" in diff.explanation
    assert "it also funds application 3, 70 points more" in diff.explanation
    assert "ze steunt ook aanvraag 3, 70 punten meer" in diff.explanation_nl


def test_spread_limits_per_domain_and_province_give_their_reason():
    ranking = ranking_of(CALL)
    per_domain = select_funding(ranking, budget_cents=300 * K, max_per_domain=1)
    # living: 2 (80) or 4 (60), not both; economy: 6 (95) or 3 (70), not both.
    assert set(per_domain.funded) == {6, 1, 2}
    reasons = {u.application_id: u for u in per_domain.unfunded}
    assert reasons[3].reason.startswith("spread limit for domain economy")
    assert reasons[4].code == "spread_limit_domain"
    assert reasons[4].reason.startswith("spread limit for domain living")
    per_province = select_funding(ranking, budget_cents=300 * K, max_per_province=1)
    assert set(per_province.funded) == {6, 1}
    codes = {u.application_id: u.code for u in per_province.unfunded}
    assert codes[2] == codes[3] == codes[4] == "spread_limit_province"


def test_equal_scores_are_settled_by_the_ranking():
    rows = [
        (1, 70, 60 * K, ("living",), "limburg"),
        (2, 70, 50 * K, ("living",), "limburg"),
    ]
    ranking = ranking_of(rows, tie_break=("requested_grant desc",))
    assert ranking.items[0].application_id == 1
    assert select_funding(ranking, budget_cents=60 * K).funded == (1,)
    ranking = ranking_of(rows, tie_break=("requested_grant asc",))
    assert select_funding(ranking, budget_cents=60 * K).funded == (2,)


def test_the_same_result_is_explained_as_such():
    ranking = ranking_of(CALL)
    selection = select_funding(ranking, budget_cents=1000 * K)
    assert selection.funded == selection.greedy.funded == (6, 1, 2, 3, 4)
    assert selection.difference.explanation == (
        "The optimal selection is the same as funding down the ranking."
    )


def test_a_budget_below_the_smallest_grant_is_refused():
    ranking = ranking_of(CALL)
    with pytest.raises(InvalidSelection) as err:
        select_funding(ranking, budget_cents=9 * K)
    assert err.value.field == "budget_cents"
    assert "smallest requested grant (€10,000)" in err.value.message
    assert "€ 10.000" in err.value.message_nl
    for bad in (0, -5, 1.5, True):
        with pytest.raises(InvalidSelection):
            select_funding(ranking, budget_cents=bad)
    with pytest.raises(InvalidSelection) as err:
        select_funding(ranking, budget_cents=100 * K, max_per_domain=0)
    assert err.value.field == "max_per_domain"


def test_the_selection_serialises_for_the_api():
    data = select_funding(ranking_of(CALL), budget_cents=100 * K, max_grant_cents=100 * K).to_dict()
    assert data["funded"] == [1, 3]
    assert data["total_score"] == 160
    assert (data["budget_cents"], data["spent_cents"], data["remaining_cents"]) == (
        100 * K,
    ) * 2 + (0,)
    assert data["status"] == "optimal" and "stopped_at_rank" not in data
    assert data["unfunded"][0] == {
        "application": 6,
        "rank": 1,
        "code": "above_cap",
        "reason": "the requested grant €150,000 is above the cap of €100,000 per project",
        "reason_nl": (
            "de gevraagde steun € 150.000 ligt boven het maximum van € 100.000 per project"
        ),
    }
    assert data["greedy"]["funded"] == [1]
    assert set(data["greedy"]) == {
        "funded",
        "total_score",
        "spent_cents",
        "remaining_cents",
        "unfunded",
        "stopped_at_rank",
    }
    assert set(data["difference"]) == {
        "only_optimal",
        "only_greedy",
        "score_gain",
        "extra_spent_cents",
        "explanation",
        "explanation_nl",
    }
    assert data["limits"] == {
        "max_grant_cents": 100 * K,
        "max_per_domain": None,
        "max_per_province": None,
    }
