"""Calls: each preset carries exactly its source figures; bad calls and criteria are refused."""

from __future__ import annotations

import os
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from evaluation.calls import (
    PRESETS,
    Call,
    Criterion,
    InvalidCall,
    UnknownPreset,
    call_from_dict,
    preset_call,
)

#: The source documents the presets cite live beside the repository (../shared/seeds), not in it;
#: VUURTOREN_SEEDS_DIR points elsewhere.
SEEDS = Path(os.environ.get("VUURTOREN_SEEDS_DIR")
             or Path(__file__).resolve().parents[3] / "shared" / "seeds")


def _seed_line(prefix: str, line: int) -> str:
    path = next(SEEDS.glob(f"{prefix}_*.txt"))
    return path.read_text(encoding="utf-8").splitlines()[line - 1]


def test_city_of_things_2017_figures():
    call = preset_call("city-of-things-2017")
    assert call.total_budget_cents == 4_000_000 * 100  # 004 L2026: €4 miljoen
    assert call.max_subsidy_pct == 80 and call.min_cofinancing_pct == 20  # public
    assert call.max_grant_cents == 200_000 * 100  # Table 19 maximum, an interpretation
    assert call.min_grant_cents is None and call.min_local_governments is None
    assert call.lead_rule == "municipalities_and_vgc"
    assert call.call_type == "experiment"
    assert not call.oslo_required and not call.vloca_required
    cap_note = next(s for s in call.sources if s.field == "max_grant_cents")
    assert cap_note.interpretation


def test_city_of_things_2022_figures():
    call = preset_call("city-of-things-2022")
    assert call.total_budget_cents == 10_900_000 * 100  # 002: €10,9 miljoen
    assert call.max_grant_cents == 1_000_000 * 100  # 002: max. €1 miljoen
    assert call.min_local_governments == 2  # 002: cannot apply alone (interpretation)
    assert call.max_subsidy_pct is None and call.min_cofinancing_pct is None  # no source figure


def test_city_of_things_2023_figures():
    call = preset_call("city-of-things-2023")
    assert call.total_budget_cents == 8_000_000 * 100  # €4M EFRO + €4M CoT (public)
    assert call.call_type == "scaling"
    assert call.oslo_required and call.vloca_required
    assert call.deadline == date(2023, 6, 30)
    assert call.pre_registration_deadline == date(2023, 3, 31)
    assert call.max_grant_cents is None
    note = next(s for s in call.sources if s.field == "total_budget_cents")
    assert "10 miljoen" in note.note  # the disagreeing slide is named, not hidden


def test_slim_in_de_stad_figures():
    call = preset_call("slim-in-de-stad-2019")
    assert call.total_budget_cents == 435_000 * 100  # 004 L2181
    assert call.min_grant_cents == 145_000 * 100  # 004 L2181
    assert call.min_cofinancing_pct == 30  # 004 L2191
    assert call.lead_rule == "centrumsteden_and_vgc"  # 004 L2189
    assert call.max_applications_per_lead == 1 and call.extra_applications_when_cooperating == 1
    assert call.max_grant_cents is None
    assert call.total_budget_cents // call.min_grant_cents == 3  # "maximaal drie"
    codes = [c.code for c in call.criteria]
    assert codes[:5] == [
        "quality_of_life",
        "technology_and_data",
        "originality",
        "example_value",
        "cooperation",
    ]
    assert {c.group for c in call.criteria} == {"content", "feasibility"}


@pytest.mark.skipif(not SEEDS.exists(), reason=f"the cited source documents are not at {SEEDS} (set VUURTOREN_SEEDS_DIR)")
def test_cited_seed_lines_hold_the_figures():
    assert "435.000 euro" in _seed_line("004", 2181)
    assert "145.000 euro" in _seed_line("004", 2181)
    assert "30% cofinanciering" in _seed_line("004", 2191)
    assert "maximaal één concept" in _seed_line("004", 2189)
    assert "€4 miljoen" in _seed_line("004", 2026)
    assert "€10,9 miljoen" in _seed_line("002", 46) and "max. €1 miljoen" in _seed_line("002", 46)
    assert "hefboomeffect" in _seed_line("000", 296)


def test_city_of_things_criteria_are_leverage_and_scalability():
    for name in ("city-of-things-2017", "city-of-things-2022", "city-of-things-2023"):
        call = preset_call(name)
        assert [(c.code, c.indicator) for c in call.criteria] == [
            ("leverage", "leverage"),
            ("scalability", "scalability"),
        ]
        assert call.criterion("leverage").name_nl == "Hefboomeffect"
        assert call.criterion("scalability").name_nl == "Opschaalbaarheid"


def test_every_preset_documents_its_sources():
    for name in PRESETS:
        call = preset_call(name)
        assert call.preset == name
        documented = {s.field for s in call.sources}
        for field in ("total_budget_cents", "criteria", "criteria.weight/scale/threshold"):
            assert field in documented, (name, field)
        assert call.to_dict()["sources"]


def test_unknown_preset():
    with pytest.raises(UnknownPreset) as exc:
        call_from_dict({"preset": "city-of-things-2099"})
    assert "city-of-things-2017" in exc.value.known


def test_preset_with_override():
    call = call_from_dict({"preset": "city-of-things-2022", "deadline": "2022-05-31"})
    assert call.deadline == date(2022, 5, 31)
    assert call.max_grant_cents == 100_000_000


def test_full_call_from_dict():
    call = call_from_dict(
        {
            "name": "Proefoproep",
            "year": 2026,
            "call_type": "scaling",
            "total_budget_cents": 50_000_000,
            "allowed_domains": ["mobility"],
            "criteria": [
                {"code": "impact", "name": "Impact", "weight": 2, "scale_max": 5, "threshold": 3}
            ],
        }
    )
    assert call.allowed_domains == ("mobility",)
    assert call.criteria[0].name_nl == "Impact" and call.criteria[0].threshold == 3


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"total_budget_cents": -1}, "total_budget_cents"),
        ({"max_grant_cents": 12.5}, "max_grant_cents"),
        ({"min_grant_cents": 300, "max_grant_cents": 200}, "min_grant_cents"),
        ({"max_subsidy_pct": 120}, "max_subsidy_pct"),
        ({"max_subsidy_pct": 80, "min_cofinancing_pct": 10}, "min_cofinancing_pct"),
        ({"call_type": "pilot"}, "call_type"),
        ({"lead_rule": "anyone"}, "lead_rule"),
        ({"allowed_domains": ("space",)}, "allowed_domains"),
        ({"min_local_governments": 0}, "min_local_governments"),
        ({"criteria": ()}, "criteria"),
    ],
)
def test_bad_call_names_the_field(change, field):
    base = preset_call("city-of-things-2017")
    with pytest.raises(InvalidCall) as exc:
        replace(base, **change)
    assert field in [e.field for e in exc.value.errors]


@pytest.mark.parametrize(
    ("criterion", "field"),
    [
        (Criterion("c", "C", "C", threshold=11), "criteria[0].threshold"),
        (Criterion("c", "C", "C", threshold=-1), "criteria[0].threshold"),
        (Criterion("c", "C", "C", scale_min=5, scale_max=5), "criteria[0].scale_max"),
        (Criterion("c", "C", "C", scale_step=0), "criteria[0].scale_step"),
        (Criterion("c", "C", "C", scale_step=3), "criteria[0].scale_step"),
        (Criterion("c", "C", "C", weight=-1), "criteria[0].weight"),
        (Criterion("c", "C", "C", weight=0), "criteria"),
        (Criterion("c", "C", "C", indicator="fun"), "criteria[0].indicator"),
    ],
)
def test_bad_criterion_names_the_field(criterion, field):
    with pytest.raises(InvalidCall) as exc:
        Call(name="X", year=2026, criteria=(criterion,))
    assert field in [e.field for e in exc.value.errors]
    assert all(e.message_nl for e in exc.value.errors)


def test_decimal_step_is_checked_exactly():
    # 0..1 in steps of 0.1 is ten steps, although 1 / 0.1 is not exact in binary floats.
    Call(name="X", year=2026, criteria=(Criterion("c", "C", "C", scale_max=0.3, scale_step=0.1),))


def test_duplicate_criterion_codes_are_refused():
    with pytest.raises(InvalidCall) as exc:
        Call(name="X", year=2026, criteria=(Criterion("a", "A", "A"), Criterion("a", "B", "B")))
    assert exc.value.errors[0].field == "criteria[1].code"


def test_criteria_can_be_edited_before_scoring():
    call = preset_call("city-of-things-2022")
    edited = call.with_criteria(
        [replace(c, weight=3 if c.code == "scalability" else 1) for c in call.criteria]
    )
    assert edited.criterion("scalability").weight == 3
    assert call.criterion("scalability").weight == 1  # the preset itself is untouched
    with pytest.raises(InvalidCall):
        call.with_criteria([replace(c, weight=0) for c in call.criteria])


def test_call_from_dict_collects_every_error():
    with pytest.raises(InvalidCall) as exc:
        call_from_dict(
            {
                "name": "X",
                "year": 2026,
                "colour": "blue",
                "criteria": [{"code": "a", "weight": "zwaar"}, {"name": "no code"}],
            }
        )
    fields = {e.field for e in exc.value.errors}
    assert {"colour", "criteria[0].weight", "criteria[1].code"} <= fields


def test_snap_rounds_to_the_nearest_step():
    c = Criterion("c", "C", "C", scale_min=1, scale_max=5, scale_step=0.5)
    assert [c.snap(v) for v in (0, 1.2, 1.25, 3.74, 9)] == [1, 1, 1.5, 3.5, 5]


def test_to_dict_has_the_api_criterion_fields():
    d = preset_call("slim-in-de-stad-2019").to_dict()
    crit = d["criteria"][0]
    assert {"code", "name", "weight", "scale_min", "scale_max", "scale_step", "threshold"} <= set(
        crit
    )
    assert d["total_budget_cents"] == 43_500_000


def test_a_step_too_fine_to_count_is_an_error_not_a_crash():
    from evaluation.calls import Criterion

    crit = Criterion(code="x", name_nl="x", name_en="x", scale_min=0, scale_max=10, scale_step=1e-300)
    assert [e.field for e in crit.errors("")] == ["scale_step"]


def test_every_figure_in_a_preset_file_names_its_source():
    import tomllib

    from evaluation.calls.presets import PRESET_DIR

    for name, path in PRESETS.items():
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        documented = {s.field for s in preset_call(name).sources}
        figures = set(raw) - {"name", "sources", "not_checked", "not_checked_shared"}
        missing = figures - documented
        assert not missing, (name, missing)
        assert path.parent == PRESET_DIR


def test_a_new_preset_is_a_data_file(tmp_path):
    from evaluation.calls import load_preset

    path = tmp_path / "proefoproep-2026.toml"
    path.write_text(
        'name = "Proefoproep 2026"\nyear = 2026\nmax_subsidy_pct = 70\nmin_cofinancing_pct = 30\n'
        'criteria = "city-of-things"\n\n[[sources]]\nfield = "max_subsidy_pct"\nsource = "ours"\n'
        '\n[[sources]]\nshared = "scale"\n',
        encoding="utf-8",
    )
    call = load_preset(path)
    assert call.preset == "proefoproep-2026" and call.max_subsidy_pct == 70
    assert [c.code for c in call.criteria] == ["leverage", "scalability"]
    assert call.sources[1].field == "criteria.weight/scale/threshold"


def test_a_broken_preset_file_is_named(tmp_path):
    from evaluation.calls.presets import InvalidPresetFile, load_preset

    path = tmp_path / "broken.toml"
    path.write_text(
        'name = "X"\nyear = 2026\ncriteria = "city-of-things"\n\n[[sources]]\nshared = "nope"\n',
        encoding="utf-8",
    )
    with pytest.raises(InvalidPresetFile, match="broken.toml"):
        load_preset(path)


def test_follower_distance_and_folded_indicators_are_call_settings():
    call = preset_call("city-of-things-2022")
    assert call.follower_distance_km == 30 and call.indicators_folded is True
    d = call_from_dict(
        {"preset": "city-of-things-2022", "follower_distance_km": 15, "indicators_folded": False}
    )
    assert d.follower_distance_km == 15 and not d.indicators_folded
    for bad in (0, -5, 301, float("nan")):
        with pytest.raises(InvalidCall) as exc:
            call_from_dict({"preset": "city-of-things-2022", "follower_distance_km": bad})
        assert [e.field for e in exc.value.errors] == ["follower_distance_km"]


def test_subsidy_and_cofinancing_add_up_exactly():
    # 91.8 % + 8.2 % is exactly 100 %: floats made it 99.99999999999999 and needed a tolerance.
    call = call_from_dict(
        {"preset": "city-of-things-2017", "max_subsidy_pct": 91.8, "min_cofinancing_pct": 8.2}
    )
    assert call.max_subsidy_pct == 91.8
    with pytest.raises(InvalidCall):
        call_from_dict(
            {"preset": "city-of-things-2017", "max_subsidy_pct": 91.8, "min_cofinancing_pct": 8.19}
        )
