"""Score validation: on the scale, on its step, with a motivation of a minimum length."""

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.scoring import (
    MIN_MOTIVATION_LENGTH,
    Criterion,
    InvalidCriterion,
    InvalidScore,
    validate_score,
)

MOTIVATION = "Sterke schaalbaarheid naar twaalf gemeenten in de regio."


@st.composite
def scales(draw):
    """A criterion with a decimal step (0.1 … 2.5) and 1 … 40 steps from a decimal minimum."""
    step = Decimal(draw(st.sampled_from(["0.1", "0.2", "0.25", "0.5", "1", "2", "2.5"])))
    lo = Decimal(draw(st.integers(-20, 20))) * Decimal("0.5")
    n = draw(st.integers(1, 40))
    return Criterion("c", 1.0, float(lo), float(lo + n * step), float(step)), lo, step, n


@settings(deadline=None)  # correctness, not timing: the 200 ms default flakes under load
@given(scales(), st.data())
def test_every_point_on_the_step_is_accepted_as_float_decimal_or_text(scale, data):
    criterion, lo, step, n = scale
    k = data.draw(st.integers(0, n))
    value = lo + k * step
    for given_as in (float(value), value, str(value).replace(".", ",")):
        assert validate_score(criterion, given_as, MOTIVATION).score == value


@given(scales(), st.data())
def test_a_point_between_two_steps_is_rejected(scale, data):
    criterion, lo, step, n = scale
    k = data.draw(st.integers(0, n - 1))
    fraction = data.draw(st.sampled_from(["0.01", "0.3", "0.5", "0.99"]))
    with pytest.raises(InvalidScore) as err:
        validate_score(criterion, float(lo + (k + Decimal(fraction)) * step), MOTIVATION)
    assert err.value.field == "score"
    assert "multiple" in err.value.message


@given(scales(), st.sampled_from(["0.001", "1", "100"]))
def test_a_point_outside_the_scale_is_rejected(scale, beyond):
    criterion, lo, step, n = scale
    for value in (lo - Decimal(beyond), lo + n * step + Decimal(beyond)):
        with pytest.raises(InvalidScore) as err:
            validate_score(criterion, float(value), MOTIVATION)
        assert err.value.field == "score"
        assert "between" in err.value.message


def test_binary_floating_point_does_not_break_the_step_check():
    tenths = Criterion("c", scale_min=0, scale_max=1, scale_step=0.1)
    assert 0.3 / 0.1 != 3  # the trap the Decimal check avoids
    assert validate_score(tenths, 0.3, MOTIVATION).score == Decimal("0.3")
    # 0.1 + 0.2 is 0.30000000000000004, a different number than the 0.3 anyone types: rejected.
    with pytest.raises(InvalidScore):
        validate_score(tenths, 0.1 + 0.2, MOTIVATION)
    with pytest.raises(InvalidScore):
        validate_score(tenths, 0.35, MOTIVATION)


def test_the_edges_of_the_scale_are_accepted():
    criterion = Criterion("leverage", scale_min=1, scale_max=5, scale_step=0.5)
    assert validate_score(criterion, 1, MOTIVATION).score == 1
    assert validate_score(criterion, 5, MOTIVATION).score == 5
    assert validate_score(criterion, "4,5", MOTIVATION).score == Decimal("4.5")


@pytest.mark.parametrize("bad", [True, float("nan"), float("inf"), "zeven", None, "", [7]])
def test_something_that_is_not_a_number_is_rejected(bad):
    with pytest.raises(InvalidScore) as err:
        validate_score(Criterion("c"), bad, MOTIVATION)
    assert err.value.field == "score"


def test_the_motivation_is_required_with_a_minimum_length():
    criterion = Criterion("c")
    for missing in (None, "", "   "):
        with pytest.raises(InvalidScore) as err:
            validate_score(criterion, 7, missing)
        assert err.value.field == "motivation"
        assert err.value.message_nl == "een motivering is verplicht"
    short = "x" * (MIN_MOTIVATION_LENGTH - 1)
    with pytest.raises(InvalidScore) as err:
        validate_score(criterion, 7, f"   {short}   ")
    assert str(MIN_MOTIVATION_LENGTH) in err.value.message
    exact = "x" * MIN_MOTIVATION_LENGTH
    assert validate_score(criterion, 7, f"  {exact}\n").motivation == exact


def test_a_draft_may_lack_score_and_motivation_but_not_hold_a_bad_score():
    criterion = Criterion("c")
    draft = validate_score(criterion, None, "", draft=True)
    assert draft.score is None and draft.motivation == ""
    assert validate_score(criterion, 6, "eerste indruk", draft=True).score == 6
    with pytest.raises(InvalidScore):
        validate_score(criterion, 6.5, "", draft=True)


def test_the_error_serialises_for_the_form():
    with pytest.raises(InvalidScore) as err:
        validate_score(Criterion("c", scale_max=10), 11, MOTIVATION)
    assert err.value.to_dict() == {
        "field": "score",
        "message": "the score must lie between 0 and 10",
        "message_nl": "de score moet tussen 0 en 10 liggen",
    }


def test_a_criterion_with_a_broken_scale_is_refused():
    with pytest.raises(InvalidCriterion) as err:
        Criterion("c", scale_min=0, scale_max=10, scale_step=3)
    assert err.value.field == "scale_step"
    with pytest.raises(InvalidCriterion):
        Criterion("c", scale_min=5, scale_max=5)
    with pytest.raises(InvalidCriterion) as err:
        Criterion("c", threshold=11)
    assert err.value.field == "threshold"
    with pytest.raises(InvalidCriterion):
        Criterion("c", weight=-1)
