"""The p-median engine and the OR-Library command line against independent answers: brute
force, an independent HiGHS MIP and OR-Library's known optimum."""

from __future__ import annotations

import itertools
import json
import threading
from pathlib import Path

import numpy as np
import pytest

from bench.baselines import capacitated_mip
from matching.heuristic import fasterpam_best
from matching.optimizer import radius
from matching.optimizer.cli import solve_matrix
from matching.optimizer.radius import solve_pmedian
from matching.orlib import InstanceFormatError, parse_pmedian, read_pmedian, shortest_path_costs
from matching.pmedian import main

DATA = Path(__file__).parent / "data"


def brute_force(distances: np.ndarray, p: int) -> float:
    """Best uncapacitated cost over every set of p medians."""
    return min(distances[:, np.array(subset)].min(axis=1).sum()
               for subset in itertools.combinations(range(len(distances)), p))


def random_matrix(rng: np.random.Generator, n: int, symmetric: bool) -> np.ndarray:
    d = rng.integers(0, 40, (n, n))
    if symmetric:
        d = np.minimum(d, d.T)
    np.fill_diagonal(d, 0)
    return d


# --- the OR-Library reader ------------------------------------------------------------------


def test_a_repeated_edge_keeps_its_last_cost_in_either_orientation():
    text = "3 4 1\n1 2 10\n2 3 1\n2 1 3\n3 2 7\n"
    inst = parse_pmedian(text)
    # edges 1-2 = 3 (last line "2 1 3"), 2-3 = 7 (last line "3 2 7")
    assert inst.distances.tolist() == [[0, 3, 10], [3, 0, 7], [10, 7, 0]]
    assert inst.p == 1 and inst.distances.dtype == np.int64


def test_the_last_line_counts_even_when_it_is_more_expensive():
    inst = parse_pmedian("2 2 1\n1 2 1\n1 2 9\n")
    assert inst.distances[0, 1] == 9


def test_costs_are_shortest_paths_over_the_graph():
    # a square 1-2-3-4-1 with a long chord 1-3: the path 1-2-3 (2 + 2) beats the chord (9)
    inst = parse_pmedian("4 5 2\n1 2 2\n2 3 2\n3 4 5\n4 1 1\n1 3 9\n")
    d = inst.distances
    assert d[0, 2] == 4 and d[2, 0] == 4
    assert d[1, 3] == 3  # 2-1-4
    assert d[2, 3] == 5 and (d == d.T).all()


def test_a_zero_cost_edge_is_an_edge():
    d = shortest_path_costs(3, [(0, 1, 0), (1, 2, 4)])
    assert d[0, 2] == 4 and d[0, 1] == 0


def test_a_disconnected_graph_or_a_short_file_is_refused():
    with pytest.raises(InstanceFormatError):
        parse_pmedian("3 1 1\n1 2 5\n")
    with pytest.raises(InstanceFormatError):
        parse_pmedian("3 2 1\n1 2 5\n")
    with pytest.raises(InstanceFormatError):
        parse_pmedian("2 1 1\n1 3 5\n")


def test_pmed1_reads_as_100_vertices_and_p_5():
    inst = read_pmedian(DATA / "pmed1.txt")
    assert (inst.n, inst.p) == (100, 5)
    # (19, 20) appears as "19 20 22" then "20 19 30": the direct edge costs 30, not 22
    assert inst.distances[18, 19] <= 30


# --- uncapacitated ----------------------------------------------------------------------------


def test_pmed1_is_solved_to_its_published_optimum():
    inst = read_pmedian(DATA / "pmed1.txt")
    result = solve_pmedian(inst.distances, inst.p, time_limit=60)
    assert result.status == "optimal"
    assert result.objective == 5819  # OR-Library pmedopt
    assert result.lower_bound == 5819 and result.gap == 0
    served = inst.distances[:, list(result.medians)].min(axis=1).sum()
    assert served == 5819 and len(result.medians) == 5


@pytest.mark.parametrize("seed", range(12))
def test_uncapacitated_matches_brute_force(seed):
    rng = np.random.default_rng(seed)
    n = int(rng.integers(5, 12))
    p = int(rng.integers(1, min(n, 5) + 1))
    d = random_matrix(rng, n, symmetric=seed % 2 == 0)
    result = solve_pmedian(d, p, time_limit=30)
    assert result.status == "optimal"
    assert result.objective == brute_force(d, p)
    assert len(set(result.medians)) == p
    assert d[:, list(result.medians)].min(axis=1).sum() == result.objective


@pytest.mark.parametrize("share", [0, 1000])
@pytest.mark.parametrize("seed", range(4))
def test_both_exact_methods_match_brute_force(seed, share, monkeypatch):
    """share 0: Lagrangian branch and bound for every p; 1000: only the radius LP + MIP."""
    monkeypatch.setattr(radius, "_LAGRANGE_MAX_P_SHARE", share)
    rng = np.random.default_rng(50 + seed)
    n = 11
    p = int(rng.integers(2, 5))
    d = random_matrix(rng, n, symmetric=True)
    result = solve_pmedian(d, p, time_limit=30)
    assert result.status == "optimal"
    assert result.objective == brute_force(d, p)
    assert ("lagrange_nodes" in result.stats) == (share == 0)


def test_float_costs_keep_their_value():
    rng = np.random.default_rng(3)
    pts = rng.random((10, 2))
    d = np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))
    result = solve_pmedian(d, 3, time_limit=30)
    assert result.status == "optimal"
    assert result.objective == pytest.approx(brute_force(d, 3), rel=1e-9)


def test_a_larger_instance_is_never_worse_than_fasterpam():
    rng = np.random.default_rng(11)
    pts = rng.integers(0, 100, (60, 2))
    d = np.rint(np.sqrt(((pts[:, None] - pts[None]) ** 2).sum(-1))).astype(np.int64)
    _, heuristic = fasterpam_best(d, 6)
    result = solve_pmedian(d, 6, time_limit=30)
    assert result.objective <= heuristic
    assert result.lower_bound <= result.objective


def test_a_stopped_solve_returns_the_heuristic_solution_with_an_honest_bound():
    rng = np.random.default_rng(4)
    d = random_matrix(rng, 30, symmetric=True)
    stop = threading.Event()
    stop.set()
    result = solve_pmedian(d, 4, stop=stop)
    assert result.status == "feasible"
    assert result.lower_bound <= brute_force_upper(d, result)


def brute_force_upper(d: np.ndarray, result) -> float:
    return d[:, list(result.medians)].min(axis=1).sum()


# --- capacitated ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_matches_an_independent_mip(seed):
    rng = np.random.default_rng(100 + seed)
    n = int(rng.integers(5, 11))
    p = int(rng.integers(1, min(n, 4) + 1))
    capacity = int(rng.integers(-(-n // p), n + 1))  # from just enough to unbounded
    d = random_matrix(rng, n, symmetric=seed % 2 == 1)
    plan = solve_matrix(d, p, demand=[1] * n, capacity=capacity, time_limit=30)
    assert plan.status == "optimal"
    assert plan.objective == capacitated_mip(d, p, np.ones(n), capacity)["objective"]
    sizes = [1 + len(c.followers) for c in plan.clusters]
    assert len(sizes) == p and sum(sizes) == n and max(sizes) <= capacity
    served = sum(d[int(f.refnis) - 1, int(c.lighthouse) - 1] for c in plan.clusters
                 for f in c.followers)
    assert served == plan.objective


def test_capacity_too_small_for_everyone_is_infeasible_in_both_languages():
    d = random_matrix(np.random.default_rng(0), 7, symmetric=True)
    plan = solve_matrix(d, 2, demand=[1] * 7, capacity=3)
    assert plan.status == "infeasible"
    assert "total load 7" in plan.reason and "totale last 7" in plan.reason_nl


# --- the command line -------------------------------------------------------------------------


def test_cli_prints_one_json_line(tmp_path, capfd):
    path = tmp_path / "tiny.txt"
    # a path 1-2-3-4-5 with unit edges, p = 2; the edge 4-5 is given twice and costs 1 at last
    path.write_text("5 5 2\n1 2 1\n2 3 1\n3 4 1\n4 5 8\n5 4 1\n")
    assert main([str(path), "--time-limit", "20"]) == 0
    out = capfd.readouterr().out.strip().splitlines()
    assert len(out) == 1
    line = json.loads(out[0])
    assert set(line) == {"objective", "lower_bound", "gap", "status", "medians", "seconds"}
    # three non-medians, each one unit from a median
    assert line["status"] == "optimal" and line["objective"] == 3 and line["gap"] == 0
    assert isinstance(line["objective"], int)
    assert line["medians"] == sorted(line["medians"]) and min(line["medians"]) >= 1
    d = parse_pmedian(path.read_text()).distances
    assert d[:, [m - 1 for m in line["medians"]]].min(axis=1).sum() == 3


def test_cli_with_capacity(tmp_path, capfd):
    path = tmp_path / "tiny.txt"
    # a star: centre 1, leaves 2..5 one unit away
    path.write_text("5 4 2\n1 2 1\n1 3 1\n1 4 1\n1 5 1\n")
    assert main([str(path)]) == 0
    assert json.loads(capfd.readouterr().out.strip())["objective"] == 3
    # at most 3 per median: the centre keeps two leaves, the third goes to a leaf median (2)
    assert main([str(path), "--capacity", "3"]) == 0
    line = json.loads(capfd.readouterr().out.strip())
    assert line["status"] == "optimal" and line["objective"] == 4
