"""The capacitated model (capacity by demand) and both benchmark command lines: every answer is
checked against an independent MIP (HiGHS through SciPy, bench/baselines.py), and both command
lines are shown to run through ClusterModel.solve, the service's solve."""

from __future__ import annotations

import json

import numpy as np
import pytest

from bench.baselines import capacitated_mip
from matching import capmedian, pmedian
from matching.optimizer import ClusterModel, PlanParams
from matching.optimizer.cli import solve_matrix
from matching.orlib import (
    InstanceFormatError,
    floor_euclid,
    format_pmedcap,
    parse_pmedcap,
    random_pmedcap,
)


def test_pmedcap_reads_floor_euclidean_costs_and_demands():
    text = "7 12\n3 1 10\n1 0 0 4\n2 3 4 5\n3 0 1.9 1\n"
    inst = parse_pmedcap(text)
    assert (inst.n, inst.p, inst.capacity, inst.best_known) == (3, 1, 10, 12)
    assert inst.ids == ("1", "2", "3") and inst.demand.tolist() == [4, 5, 1]
    assert inst.distances.tolist() == [[0, 5, 1], [5, 0, 3], [1, 3, 0]]  # 5, 3.4 -> 3, 1.9 -> 1
    again = parse_pmedcap(format_pmedcap(inst))
    assert again.distances.tolist() == inst.distances.tolist()


@pytest.mark.parametrize("text", ["", "1 0\n2 1\n", "1 0\n2 1 5\n1 0 0 1\n",
                                  "1 0\n2 1 5\n1 0 0 1\n2 1 1 -3\n", "1 0\n2 3 5\n1 0 0 1\n2 1 1 1\n"])
def test_a_malformed_pmedcap_file_is_refused(text):
    with pytest.raises(InstanceFormatError):
        parse_pmedcap(text)


def test_floor_euclid_rounds_down():
    xy = np.array([[0.0, 0.0], [1.0, 1.0], [3.0, 4.0]])
    assert floor_euclid(xy).tolist() == [[0, 1, 5], [1, 0, 3], [5, 3, 0]]


def check(plan, inst) -> None:
    """Every constraint of the capacitated model holds and the objective is what it says."""
    index = {k: i for i, k in enumerate(inst.ids)}
    assert len(plan.clusters) == inst.p
    seen, total = [], 0
    for c in plan.clusters:
        j = index[c.lighthouse]
        members = [index[f.refnis] for f in c.followers]
        assert int(inst.demand[j] + inst.demand[members].sum()) <= inst.capacity
        total += int(inst.distances[members, j].sum())
        seen += [j] + members
    assert sorted(seen) == list(range(inst.n))
    assert total == plan.objective


@pytest.mark.parametrize(("n", "p", "seed"), [(20, 2, 1), (30, 3, 2), (40, 4, 3), (50, 5, 4)])
def test_generated_instances_agree_with_an_independent_mip(n, p, seed):
    inst = random_pmedcap(n, p, seed)
    plan = solve_matrix(inst.distances, p, demand=inst.demand, capacity=inst.capacity,
                        ids=inst.ids, time_limit=120)
    mip = capacitated_mip(inst.distances, p, inst.demand, inst.capacity, time_limit=300)
    assert plan.status == "optimal" and mip["status"] == "optimal"
    assert plan.objective == pytest.approx(mip["objective"], abs=1e-6)
    assert plan.lower_bound == plan.objective and plan.gap == 0
    check(plan, inst)


@pytest.mark.parametrize("seed", range(3))
def test_uncapacitated_plans_agree_with_an_independent_mip(seed):
    inst = random_pmedcap(25, 3, 10 + seed)
    plan = solve_matrix(inst.distances, 3, time_limit=60)
    mip = capacitated_mip(inst.distances, 3, time_limit=300)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(mip["objective"], abs=1e-6)


def test_capacity_by_inhabitants_caps_every_cluster_of_a_plan():
    """max_load counts a cluster's inhabitants, the lighthouse's own included."""
    from tests.matching.test_optimizer import random_model

    model, towns = random_model(5, 12, ready_share=1.0)
    people = {t.refnis: t.population for t in towns}
    cap = int(np.ceil(sum(people.values()) / 3 * 1.1))
    params = PlanParams(domains=("mobility",), lighthouses=3, max_load=cap, time_limit_s=60)
    plan = model.solve(params)
    assert plan.status == "optimal"
    for c in plan.clusters:
        assert people[c.lighthouse] + sum(people[f.refnis] for f in c.followers) <= cap
    # the same numbers as an independent MIP: the plan's own cost matrix, populations as demand
    from matching.optimizer.model import Spec

    cost = Spec.build(model, params).cost["mobility"]
    mip = capacitated_mip(cost, 3, np.array([t.population for t in towns]), cap)
    assert plan.objective == pytest.approx(mip["objective"], abs=1e-6)
    free = model.solve(PlanParams(domains=("mobility",), lighthouses=3, time_limit_s=60))
    assert free.objective <= plan.objective


def test_an_unknown_demand_column_names_the_parameter():
    from matching.optimizer import InvalidPlanRequest

    model = ClusterModel.from_matrix(np.zeros((3, 3)))
    with pytest.raises(InvalidPlanRequest) as info:
        model.validate(PlanParams(domains=("all",), lighthouses=1, max_load=5, load="beds"))
    assert info.value.field == "load" and "beds" in info.value.message_nl


# --- the command lines --------------------------------------------------------------------------


@pytest.fixture
def solve_calls(monkeypatch):
    """Record every ClusterModel.solve call (the solve still runs)."""
    calls = []
    real = ClusterModel.solve

    def spy(self, params=PlanParams(), **kwargs):
        plan = real(self, params, **kwargs)
        calls.append((params, plan))
        return plan

    monkeypatch.setattr(ClusterModel, "solve", spy)
    return calls


def test_both_command_lines_go_through_cluster_model_solve(tmp_path, capfd, solve_calls):
    inst = random_pmedcap(24, 3, 7)
    cap_path = tmp_path / "cap.txt"
    cap_path.write_text(format_pmedcap(inst))
    assert capmedian.main([str(cap_path), "--time-limit", "60"]) == 0
    line = json.loads(capfd.readouterr().out.strip())
    assert set(line) == {"objective", "lower_bound", "gap", "status", "medians", "seconds"}
    (params, plan), = solve_calls
    assert params.max_load == inst.capacity and params.load == "demand"
    assert line["objective"] == plan.objective and line["status"] == plan.status == "optimal"
    assert line["medians"] == sorted(int(m) for m in plan.medians)
    mip = capacitated_mip(inst.distances, 3, inst.demand, inst.capacity)
    assert line["objective"] == round(mip["objective"])

    pmed_path = tmp_path / "pmed.txt"
    pmed_path.write_text("5 5 2\n1 2 1\n2 3 1\n3 4 1\n4 5 8\n5 4 1\n")
    assert pmedian.main([str(pmed_path), "--time-limit", "20"]) == 0
    line = json.loads(capfd.readouterr().out.strip())
    assert len(solve_calls) == 2
    params, plan = solve_calls[1]
    assert params.lighthouses == 2 and params.max_load is None
    assert line["objective"] == plan.objective == 3 and line["status"] == "optimal"


def test_capmedian_refuses_a_bad_file(tmp_path, capfd):
    path = tmp_path / "bad.txt"
    path.write_text("1 0\n")
    assert capmedian.main([str(path)]) == 2
    assert "error" in capfd.readouterr().err
