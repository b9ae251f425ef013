"""Aggregation: numbers by hand, Krippendorff's alpha against the textbook and a direct formula."""

import itertools
import math
from fractions import Fraction

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.aggregation import (
    SubmittedScore,
    aggregate,
    exact_means,
    krippendorff_alpha,
)
from evaluation.scoring import Criterion, InvalidScore

C = Criterion("scalability", weight=1, scale_min=0, scale_max=10, scale_step=1)
L = Criterion("leverage", weight=1, scale_min=0, scale_max=10, scale_step=1)


def scores(rows):
    return [SubmittedScore(a, j, c, s) for a, j, c, s in rows]


# Juror 1 scores 4, 6, 8; juror 2 scores 7 everywhere; juror 3 scores only two applications.
CALL = scores(
    [
        (1, 1, "scalability", 4),
        (2, 1, "scalability", 6),
        (3, 1, "scalability", 8),
        (1, 2, "scalability", 7),
        (2, 2, "scalability", 7),
        (3, 2, "scalability", 7),
        (1, 3, "scalability", 5),
        (2, 3, "scalability", 9),
    ]
)


def test_mean_median_spread_and_std_by_hand():
    agg = aggregate(CALL, [C], disagreement_spread=2.5)
    s = agg.summary(1, "scalability")  # scores 4, 7, 5
    assert s.n == 3
    assert s.mean == pytest.approx(16 / 3)
    assert s.median == 5
    assert s.spread == 3
    # population std: deviations -4/3, 5/3, -1/3 -> (16 + 25 + 1) / 9 / 3 = 14/9
    assert s.std == pytest.approx(math.sqrt(14 / 9))
    assert s.disagreement is True


def test_disagreement_is_a_spread_strictly_above_the_threshold():
    agg = aggregate(CALL, [C], disagreement_spread=3)
    assert agg.summary(1, "scalability").disagreement is False  # spread 3
    assert agg.summary(2, "scalability").disagreement is False  # 6, 7, 9: spread 3
    assert agg.summary(3, "scalability").disagreement is False  # spread 1
    agg = aggregate(CALL, [C], disagreement_spread={"scalability": 2})
    assert [s.application_id for s in agg.disagreements()] == [1, 2]


def test_disagreements_come_largest_spread_first():
    rows = [(1, 1, "leverage", 5), (1, 2, "leverage", 7), (2, 1, "leverage", 1)]
    rows += [(2, 2, "leverage", 9), (3, 1, "leverage", 2), (3, 2, "leverage", 6)]
    agg = aggregate(scores(rows), [L], disagreement_spread=1)
    assert [(s.application_id, s.spread) for s in agg.disagreements()] == [(2, 8), (3, 4), (1, 2)]


def test_juror_z_scores_and_the_calibrated_mean_by_hand():
    agg = aggregate(CALL, [C], disagreement_spread=5)
    s = agg.summary(1, "scalability")
    z = {r.juror_id: r.z for r in s.scores}
    # juror 1: mean 6, population std sqrt(8/3); juror 2: all equal -> 0; juror 3: 2 scores -> None
    assert z[1] == pytest.approx((4 - 6) / math.sqrt(8 / 3))
    assert z[2] == 0.0
    assert z[3] is None
    # all eight scores: mean 53/8, population std sqrt(17.875 / 8)
    pooled_mean, pooled_std = 53 / 8, math.sqrt(17.875 / 8)
    expected = ((pooled_mean + z[1] * pooled_std) + pooled_mean) / 2
    assert s.calibrated_mean == pytest.approx(expected)
    assert s.calibrated_mean == pytest.approx(5.7096, abs=1e-4)
    cal = {c.juror_id: c for c in agg.calibration}
    assert (cal[1].n, cal[1].mean, cal[1].calibrated) == (3, 6, True)
    assert cal[3].calibrated is False


def test_the_calibrated_value_stays_on_the_scale():
    rows = [(a, 1, "leverage", s) for a, s in ((1, 0), (2, 0), (3, 0), (4, 10))]
    rows += [(a, 2, "leverage", 10) for a in (1, 2, 3, 4)]
    agg = aggregate(scores(rows), [L], disagreement_spread=5)
    assert agg.summary(4, "leverage").scores[0].z == pytest.approx(math.sqrt(3))
    # pooled mean 6.25 + sqrt(3) * pooled std 4.84 would be 14.6: clipped to 10
    assert agg.summary(4, "leverage").calibrated_mean == pytest.approx((10 + 6.25) / 2)


def test_krippendorff_alpha_reproduces_the_textbook_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability", 4 observers x 12 units
    # with missing values; interval alpha = 0.849.
    table = {
        "A": [1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
        "B": [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
        "C": [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
        "D": [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None],
    }
    ratings = {
        unit: {j: row[unit] for j, row in enumerate(table.values()) if row[unit] is not None}
        for unit in range(12)
    }
    result = krippendorff_alpha(ratings, "textbook")
    assert round(result.alpha, 3) == 0.849
    assert result.applications == 11  # unit 12 has a single value and cannot be paired
    assert result.values == 40


def alpha_by_definition(ratings):
    """alpha = 1 - D_o / D_e over pairable values, squared differences (interval)."""
    units = [list(r.values()) for r in ratings.values() if len(r) >= 2]
    pooled = [v for u in units for v in u]
    n = len(pooled)
    d_o = (
        sum(
            sum((x - y) ** 2 for x, y in itertools.permutations(u, 2)) / (len(u) - 1) for u in units
        )
        / n
    )
    d_e = sum((x - y) ** 2 for x, y in itertools.permutations(pooled, 2)) / (n * (n - 1))
    return 1 - d_o / d_e


@settings(max_examples=60, deadline=None)
@given(
    st.dictionaries(
        st.integers(1, 8),
        st.dictionaries(st.integers(1, 4), st.integers(0, 10), min_size=2, max_size=4),
        min_size=2,
        max_size=8,
    )
)
def test_krippendorff_alpha_matches_its_definition(ratings):
    result = krippendorff_alpha(ratings)
    if len({v for r in ratings.values() for v in r.values()}) == 1:
        assert result.alpha is None
    else:
        assert result.alpha == pytest.approx(alpha_by_definition(ratings))


def test_undefined_agreement_gives_a_reason_not_nan():
    one_app = aggregate(
        scores([(1, 1, "leverage", 3), (1, 2, "leverage", 8)]), [L], disagreement_spread=2
    )
    (a,) = one_app.agreement
    assert a.alpha is None and "fewer than 2 applications" in a.reason
    single = aggregate(
        scores([(1, 1, "leverage", 3), (2, 2, "leverage", 8)]), [L], disagreement_spread=2
    )
    assert single.agreement[0].alpha is None
    assert single.agreement[0].applications == 0
    flat = aggregate(
        scores([(a, j, "leverage", 6) for a in (1, 2, 3) for j in (1, 2)]),
        [L],
        disagreement_spread=2,
    )
    assert flat.agreement[0].alpha is None
    assert "all scores are equal" in flat.agreement[0].reason
    assert flat.agreement[0].reason_nl.startswith("alle scores zijn gelijk")


def test_agreement_is_computed_per_criterion():
    rows = [(r.application_id, r.juror_id, r.criterion, r.score) for r in CALL]
    rows += [(a, j, "leverage", 5 + a) for a in (1, 2, 3) for j in (1, 2)]
    agg = aggregate(scores(rows), [C, L], disagreement_spread=2)
    alphas = {a.criterion: a.alpha for a in agg.agreement}
    assert alphas["leverage"] == pytest.approx(1.0)  # both jurors identical on every application
    assert alphas["scalability"] < 0.5


def test_exact_means_are_fractions():
    means = exact_means(CALL, [C])
    assert means[(1, "scalability")] == Fraction(16, 3)
    assert means[(3, "scalability")] == Fraction(15, 2)


def test_unknown_criteria_and_double_scores_are_refused():
    with pytest.raises(InvalidScore):
        aggregate(scores([(1, 1, "beauty", 3)]), [C], disagreement_spread=2)
    with pytest.raises(InvalidScore):
        aggregate(scores([(1, 1, "scalability", 3)] * 2), [C], disagreement_spread=2)


def test_the_aggregation_serialises():
    data = aggregate(CALL, [C], disagreement_spread=2.5).to_dict()
    first = data["summaries"][0]
    assert first["application"] == 1 and first["criterion"] == "scalability"
    assert first["scores"][0] == {"juror": 1, "score": 4.0, "z": pytest.approx(-1.2247, abs=1e-4)}
    assert set(first) == {
        "application",
        "criterion",
        "n",
        "scores",
        "mean",
        "median",
        "spread",
        "std",
        "disagreement",
        "calibrated_mean",
    }
    assert set(data["agreement"][0]) == {
        "criterion",
        "alpha",
        "reason",
        "reason_nl",
        "applications",
        "values",
    }
    assert data["disagreement_spread"] == {"scalability": 2.5}
