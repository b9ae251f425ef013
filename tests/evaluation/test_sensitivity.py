"""Weight sensitivity: who keeps a top-N place when one criterion weight moves by ±20 %."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from evaluation.calls import preset_call
from evaluation.indicators import IndicatorContext, compute_indicators
from evaluation.sensitivity import (
    InvalidSensitivityInput,
    rank,
    scores_from_indicators,
    weight_sensitivity,
)

# Totals at equal weights: A 7.0, B 6.5, C 6.0. C leads on scalability, A on leverage.
SCORES = {
    "A": {"leverage": 9, "scalability": 5},
    "B": {"leverage": 7, "scalability": 6},
    "C": {"leverage": 4, "scalability": 8},
}


def test_hand_computed_rankings():
    report = weight_sensitivity(SCORES, {"leverage": 1, "scalability": 1}, top_n=2)
    assert [(r.application_id, r.total) for r in report.baseline] == [
        ("A", 7.0),
        ("B", 6.5),
        ("C", 6.0),
    ]
    by = {(s.criterion, round(s.factor, 2)): s for s in report.scenarios}
    # leverage x0.8: A (0.8*9+5)/1.8 = 6.778, B (5.6+6)/1.8 = 6.444, C (3.2+8)/1.8 = 6.222
    down = by[("leverage", 0.8)]
    assert [r.application_id for r in down.ranking] == ["A", "B", "C"]
    assert down.ranking[0].total == pytest.approx(12.2 / 1.8)
    # scalability x1.2: A (9+6)/2.2 = 6.818, B (7+7.2)/2.2 = 6.455, C (4+9.6)/2.2 = 6.182
    up = by[("scalability", 1.2)]
    assert [r.application_id for r in up.ranking] == ["A", "B", "C"]
    assert report.stable_top_n == ("A", "B")
    assert report.unstable_top_n == ()
    assert report.stable_rank == ("A", "B", "C")
    assert len(report.scenarios) == 4


def test_a_close_second_place_can_be_lost():
    scores = {
        "A": {"leverage": 9, "scalability": 5},
        "B": {"leverage": 5, "scalability": 8.6},  # 6.8
        "C": {"leverage": 8, "scalability": 5.7},  # 6.85
    }
    report = weight_sensitivity(scores, {"leverage": 1, "scalability": 1}, top_n=2)
    assert [r.application_id for r in report.baseline] == ["A", "C", "B"]
    by = {(s.criterion, round(s.factor, 2)): s for s in report.scenarios}
    # scalability x1.2: A (9 + 6)/2.2 = 6.818, C (8 + 6.84)/2.2 = 6.745,
    # B (5 + 10.32)/2.2 = 6.964 -> B jumps from third to first, C drops out of the top 2.
    up = by[("scalability", 1.2)]
    assert [r.application_id for r in up.ranking] == ["B", "A", "C"]
    assert up.entered == ("B",) and up.left == ("C",)
    assert up.max_rank_shift == 2
    assert report.stable_top_n == ("A",)
    assert report.unstable_top_n == ("C",)
    assert report.stable_rank == ()  # A is second in that scenario, so no rank holds


def test_ties_are_broken_by_id_text():
    ranking = rank({"b": {"x": 1}, "a": {"x": 1}, 10: {"x": 1}}, {"x": 1})
    assert [r.application_id for r in ranking] == [10, "a", "b"]


def test_bad_input_names_the_field():
    with pytest.raises(InvalidSensitivityInput) as exc:
        weight_sensitivity({"A": {"leverage": 1}}, {"leverage": 1, "scalability": 1}, top_n=0)
    fields = {e.field for e in exc.value.errors}
    assert {"scores.A", "top_n"} <= fields
    with pytest.raises(InvalidSensitivityInput) as exc:
        weight_sensitivity(SCORES, {"leverage": 0, "scalability": 0}, top_n=1)
    assert [e.field for e in exc.value.errors] == ["weights"]


def test_works_on_indicator_scores(toy, distance, app_factory):
    from dataclasses import replace

    from evaluation.applications import Deliverables
    from evaluation.indicators import with_letters

    call = preset_call("city-of-things-2022")
    a = app_factory(id="a")
    b = replace(
        with_letters(a, ["90003", "90004"]),
        id="b",
        deliverables=Deliverables(
            oslo=("https://data.vlaanderen.be/doc/applicatieprofiel/mobiliteit",),
            open_data=True,
            links={"open_data": "https://data.teststad.be/parkeren"},
        ),
    )
    c = replace(a, id="c", total_budget_cents=20_000_000)
    ctx = IndicatorContext(toy, distance_km=distance)
    indicators = {app.id: compute_indicators(app, ctx) for app in (a, b, c)}
    scores, weights = scores_from_indicators(indicators, call.criteria)
    assert weights == {"leverage": 1.0, "scalability": 1.0}
    assert all(0 <= v <= 10 and v == int(v) for s in scores.values() for v in s.values())
    report = weight_sensitivity(scores, weights, top_n=1)
    assert report.baseline[0].application_id == "b"
    assert report.to_dict()["stable_top_n"] == ["b"]


def _independent_rank(scores, weights):
    totals = {a: sum(weights[c] * s[c] for c in weights) for a, s in scores.items()}
    return sorted(totals, key=lambda a: (-round(totals[a], 6), str(a)))


@settings(max_examples=50, deadline=None)
@given(
    scores=st.dictionaries(
        st.sampled_from("ABCDEFG"),
        st.fixed_dictionaries({c: st.integers(0, 10) for c in ("x", "y", "z")}),
        min_size=2,
    ),
    weights=st.fixed_dictionaries({c: st.integers(1, 5) for c in ("x", "y", "z")}),
    top_n=st.integers(1, 4),
)
def test_scenarios_match_an_independent_ranking(scores, weights, top_n):
    report = weight_sensitivity(scores, weights, top_n=top_n)
    assert [r.application_id for r in report.baseline] == _independent_rank(scores, weights)
    for s in report.scenarios:
        changed = dict(weights)
        changed[s.criterion] = weights[s.criterion] * s.factor
        assert [r.application_id for r in s.ranking] == _independent_rank(scores, changed)
        assert set(report.stable_top_n) <= set(s.top_n)
    base_top = [r.application_id for r in report.baseline[:top_n]]
    assert set(report.stable_top_n) | set(report.unstable_top_n) == set(base_top)
