"""Juror assignment: optimal against brute force on small calls, every constraint on large ones."""

import itertools
import math
import random

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import Bounds, LinearConstraint, milp

from evaluation.assignment import (
    AssignmentCosts,
    InfeasibleAssignment,
    InvalidAssignmentInput,
    assign_jurors,
    reassign_after_conflict,
)
from evaluation.conflicts import (
    Affiliation,
    Consortium,
    DeclaredConflict,
    Juror,
    find_conflicts,
)

DOMAINS = ("mobility", "environment", "living", "people", "governance", "economy")


def brute_force_best(apps, jurors, conflicts, reviewers, max_load, fixed, costs):
    """Best lexicographic key over every valid assignment, or None when there is none."""
    expertise = {j.id: j.expertise for j in jurors}
    choices = []
    for a in sorted(apps):
        must = {j for (fa, j) in fixed if fa == a}
        allowed = [j.id for j in jurors if (a, j.id) not in conflicts]
        options = [c for c in itertools.combinations(allowed, reviewers) if must <= set(c)]
        choices.append([(a, c) for c in options])
    best = None
    for combo in itertools.product(*choices):
        loads = {j.id: 0 for j in jurors}
        affinity = 0
        for a, chosen in combo:
            for j in chosen:
                loads[j] += 1
                affinity += costs.affinity(expertise[j], apps[a])
        if max(loads.values()) > max_load:
            continue
        key = (max(loads.values()), sum(n * n for n in loads.values()), -affinity)
        best = key if best is None or key < best else best
    return best


small_case = st.fixed_dictionaries(
    {
        "n_apps": st.integers(1, 5),
        "n_jurors": st.integers(2, 4),
        "reviewers": st.integers(1, 2),
        "max_load": st.integers(1, 3),
        "seed": st.integers(0, 10**6),
        "conflict_rate": st.sampled_from([0.0, 0.15, 0.3]),
        "n_fixed": st.integers(0, 2),
    }
)


@settings(max_examples=150, deadline=None)
@given(small_case)
def test_the_assignment_is_optimal_against_brute_force(case):
    rng = random.Random(case["seed"])
    apps = {
        a: frozenset(rng.sample(DOMAINS, rng.randint(1, 2))) for a in range(1, case["n_apps"] + 1)
    }
    jurors = [
        Juror(j, expertise=frozenset(rng.sample(DOMAINS, rng.randint(0, 3))))
        for j in range(1, case["n_jurors"] + 1)
    ]
    pairs = [(a, j.id) for a in apps for j in jurors]
    conflicts = {p for p in pairs if rng.random() < case["conflict_rate"]}
    free = [p for p in pairs if p not in conflicts]
    fixed = set(rng.sample(free, min(case["n_fixed"], len(free))))
    costs = AssignmentCosts(shared_domain=rng.randint(0, 10), any_overlap=rng.randint(0, 10))
    expected = brute_force_best(
        apps, jurors, conflicts, case["reviewers"], case["max_load"], fixed, costs
    )
    kwargs = {
        "reviewers_per_application": case["reviewers"],
        "max_load": case["max_load"],
        "fixed": fixed,
        "costs": costs,
    }
    if expected is None:
        with pytest.raises(InfeasibleAssignment):
            assign_jurors(apps, jurors, conflicts, **kwargs)
        return
    result = assign_jurors(apps, jurors, conflicts, **kwargs)
    assert result.objective.key() == expected
    assert result.status == "optimal"
    assert fixed <= set(result.assignments)
    assert not conflicts & set(result.assignments)


def large_call(seed=7, n_apps=300, n_jurors=80, conflict_rate=0.05):
    rng = random.Random(seed)
    apps = {a: frozenset(rng.sample(DOMAINS, rng.randint(1, 2))) for a in range(1, n_apps + 1)}
    jurors = [
        Juror(j, expertise=frozenset(rng.sample(DOMAINS, rng.randint(1, 2))))
        for j in range(1, n_jurors + 1)
    ]
    conflicts = {(a, j.id) for a in apps for j in jurors if rng.random() < conflict_rate}
    return apps, jurors, conflicts


def test_a_large_call_meets_every_constraint_with_the_most_even_loads():
    apps, jurors, conflicts = large_call()
    fixed = {(1, 5), (2, 5), (3, 6)} - conflicts
    result = assign_jurors(apps, jurors, conflicts, max_load=14, fixed=fixed)
    pairs = result.assignments
    assert len(pairs) == len(set(pairs)) == 900
    for a in apps:
        assert len(result.jurors_of(a)) == 3
    assert not conflicts & set(pairs)
    assert fixed <= set(pairs)
    loads = dict(result.loads)
    assert sum(loads.values()) == 900
    # 900 reviews over 80 jurors: the most even split is 20 jurors with 12 and 60 with 11.
    assert sorted(loads.values()) == [11] * 60 + [12] * 20
    assert result.objective.highest_load == math.ceil(900 / 80) == 12
    assert result.objective.load_squares == 60 * 121 + 20 * 144


def test_with_even_loads_the_affinity_equals_an_independent_milp():
    apps, jurors, conflicts = large_call(seed=3, n_apps=60, n_jurors=20, conflict_rate=0.1)
    costs = AssignmentCosts()
    result = assign_jurors(apps, jurors, conflicts, max_load=12, costs=costs)
    # 180 reviews over 20 jurors: most even means every juror exactly 9. Maximise affinity
    # under that with HiGHS (scipy), an independent solver.
    free = [(a, j.id) for a in apps for j in jurors if (a, j.id) not in conflicts]
    expertise = {j.id: j.expertise for j in jurors}
    c = np.array([-costs.affinity(expertise[j], apps[a]) for a, j in free], dtype=float)
    rows_app = np.array([[1.0 if a == x else 0.0 for a, _ in free] for x in apps])
    rows_jur = np.array([[1.0 if j == y.id else 0.0 for _, j in free] for y in jurors])
    res = milp(
        c,
        constraints=[LinearConstraint(rows_app, 3, 3), LinearConstraint(rows_jur, 9, 9)],
        integrality=np.ones(len(free)),
        bounds=Bounds(0, 1),
    )
    assert res.status == 0
    assert set(dict(result.loads).values()) == {9}
    assert result.objective.affinity == round(-res.fun)


def test_an_application_with_too_few_jurors_without_a_conflict_is_explained():
    jurors = [Juror(j) for j in range(1, 6)]
    conflicts = {(12, 1), (12, 2), (12, 3)}
    with pytest.raises(InfeasibleAssignment) as err:
        assign_jurors({11: ["mobility"], 12: ["mobility"]}, jurors, conflicts)
    assert err.value.reason == "application 12 has only 2 jurors without a conflict (3 needed)"
    assert err.value.details["kind"] == "too_few_free_jurors"


def test_too_little_total_capacity_is_explained():
    apps, jurors, _ = large_call()
    with pytest.raises(InfeasibleAssignment) as err:
        assign_jurors(apps, jurors, max_load=8)
    assert err.value.reason.startswith("total capacity 80×8=640 < 900 reviews needed")


def test_a_group_of_applications_sharing_too_few_jurors_is_explained():
    # Applications 1 and 2 may only go to jurors 1-3; each juror reviews at most one.
    jurors = [Juror(j) for j in range(1, 7)]
    conflicts = {(a, j) for a in (1, 2) for j in (4, 5, 6)}
    with pytest.raises(InfeasibleAssignment) as err:
        assign_jurors({1: [], 2: []}, jurors, conflicts, max_load=1)
    assert err.value.details["kind"] == "shortage"
    assert err.value.details["applications"] == [1, 2]
    assert err.value.details["needed"] == 6
    assert err.value.details["available"] == 3
    assert "applications 1, 2 together need 6 more reviews" in err.value.reason


def test_a_fixed_assignment_with_a_conflict_is_refused():
    jurors = [Juror(j) for j in range(1, 5)]
    with pytest.raises(InfeasibleAssignment) as err:
        assign_jurors({1: []}, jurors, {(1, 2)}, fixed={(1, 2)})
    assert err.value.details["kind"] == "fixed_conflict"


def test_bad_parameters_name_their_field():
    with pytest.raises(InvalidAssignmentInput) as err:
        assign_jurors({1: []}, [Juror(1)], reviewers_per_application=0)
    assert err.value.field == "reviewers_per_application"
    with pytest.raises(InvalidAssignmentInput) as err:
        assign_jurors({1: []}, [Juror(1)], fixed={(1, 99)}, reviewers_per_application=1)
    assert err.value.field == "fixed"


def test_even_loads_come_before_expertise():
    # Five mobility applications, one reviewer each, two experts and two others. Giving both
    # experts two reviews (loads 2, 2, 1, 0) adds expertise, but loads 2, 1, 1, 1 are more even.
    jurors = [Juror(j, expertise=frozenset({"mobility"} if j <= 2 else ())) for j in range(1, 5)]
    apps = {a: ["mobility"] for a in range(1, 6)}
    result = assign_jurors(apps, jurors, reviewers_per_application=1, max_load=3)
    assert sorted(dict(result.loads).values()) == [1, 1, 1, 2]
    assert result.objective.load_squares == 7
    assert dict(result.loads)[1] + dict(result.loads)[2] == 3  # the 2 goes to an expert
    assert result.objective.affinity == 3 * 20


def test_expertise_decides_between_equally_even_assignments():
    jurors = [
        Juror(1, expertise=frozenset({"mobility"})),
        Juror(2, expertise=frozenset({"living"})),
    ]
    result = assign_jurors(
        {1: ["living"], 2: ["mobility"]}, jurors, reviewers_per_application=1, max_load=2
    )
    assert result.assignments == ((1, 2), (2, 1))
    assert result.objective.matched_reviews == 2


def test_a_new_conflict_withdraws_the_assignment_and_keeps_the_others():
    apps, jurors, conflicts = large_call(seed=11, n_apps=40, n_jurors=15)
    before = assign_jurors(apps, jurors, conflicts, max_load=10)
    application, juror = before.assignments[17]
    declared = [DeclaredConflict(application, juror, "works for the lead's consultant")]
    new_conflicts = find_conflicts([], [], declared).pairs | conflicts
    after = reassign_after_conflict(before.assignments, apps, jurors, new_conflicts, max_load=10)
    assert after.withdrawn == ((application, juror),)
    assert len(after.added) == 1 and after.added[0][0] == application
    assert after.added[0][1] not in before.jurors_of(application)
    assert set(after.result.assignments) == (
        set(before.assignments) - {(application, juror)} | set(after.added)
    )
    assert not new_conflicts & set(after.result.assignments)


def test_an_affiliation_change_withdraws_all_its_assignments():
    gent = Affiliation(refnis="44021")
    apps = {1: ["mobility"], 2: ["living"], 3: ["people"]}
    jurors = [Juror(j) for j in range(1, 5)]
    before = assign_jurors(apps, jurors, reviewers_per_application=2, max_load=2)
    member = before.jurors_of(1)[0]
    jurors_now = [Juror(j.id, (gent,) if j.id == member else ()) for j in jurors]
    consortia = [Consortium(1, lead=gent), Consortium(2, lead=Affiliation(refnis="24062"))]
    conflicts = find_conflicts(jurors_now, consortia)
    after = reassign_after_conflict(
        before.assignments, apps, jurors_now, conflicts, reviewers_per_application=2, max_load=2
    )
    assert after.withdrawn == ((1, member),)
    assert member not in after.result.jurors_of(1)
    assert len(after.result.jurors_of(1)) == 2


def test_a_withdrawal_without_room_for_a_replacement_is_explained():
    jurors = [Juror(j) for j in range(1, 4)]
    before = assign_jurors({1: [], 2: [], 3: []}, jurors, reviewers_per_application=2, max_load=2)
    application, juror = before.assignments[0]
    with pytest.raises(InfeasibleAssignment) as err:
        reassign_after_conflict(
            before.assignments,
            {1: [], 2: [], 3: []},
            jurors,
            {(application, juror)},
            reviewers_per_application=2,
            max_load=2,
        )
    assert f"application {application} needs 1 more reviews" in err.value.reason


def test_the_result_serialises_for_the_api():
    jurors = [Juror(1, expertise=frozenset({"mobility"})), Juror(2)]
    result = assign_jurors({7: ["mobility"]}, jurors, reviewers_per_application=1, fixed={(7, 2)})
    data = result.to_dict()
    assert data["assignments"] == [{"application": 7, "juror": 2, "fixed": True}]
    assert data["loads"] == [{"juror": 1, "load": 0}, {"juror": 2, "load": 1}]
    assert data["costs"] == {"shared_domain": 10, "any_overlap": 10}
    assert data["status"] == "optimal"
    assert set(data["objective"]) == {
        "highest_load",
        "load_squares",
        "affinity",
        "lowest_load",
        "matched_reviews",
    }
