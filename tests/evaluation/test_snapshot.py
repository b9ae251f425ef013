"""The frozen evaluation: recomputing shows every value that moved, and nothing else."""

from evaluation.snapshot import differences

OLD = {
    "1": {"indicators": {"leverage": {"value": 38.4}, "reach": 4.6}, "eligible": True},
    "2": {
        "indicators": {"leverage": {"value": 20.0}, "reach": 2.0},
        "eligible": False,
        "reasons": ["a", "b"],
    },
}


def test_identical_snapshots_have_no_differences():
    assert differences(OLD, OLD) == ()


def test_each_moved_leaf_is_listed_with_its_path():
    new = {
        "1": {"indicators": {"leverage": {"value": 64.0}, "reach": 4.6}, "eligible": True},
        "2": {
            "indicators": {"leverage": {"value": 20.0 + 1e-12}, "reach": 2.1},
            "eligible": False,
            "reasons": ["a", "c"],
        },
        "3": {"eligible": True},
    }
    found = [d.to_dict() for d in differences(OLD, new)]
    assert found == [
        {"path": "1.indicators.leverage.value", "old": 38.4, "new": 64.0},
        {"path": "2.indicators.reach", "old": 2.0, "new": 2.1},
        {"path": "2.reasons[1]", "old": "b", "new": "c"},
        {"path": "3", "old": None, "new": {"eligible": True}},
    ]


def test_a_boolean_flip_is_a_difference_even_though_it_is_a_number():
    found = differences({"x": True}, {"x": False})
    assert [(d.old, d.new) for d in found] == [(True, False)]
