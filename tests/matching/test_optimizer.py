"""The cluster optimizer: brute force on small regions, every constraint on returned plans."""

from __future__ import annotations

import itertools
import math
import threading
import time
from dataclasses import asdict

import numpy as np
import pytest

from matching.geo import EARTH_RADIUS_KM, distance_matrix_km, haversine_km
from matching.optimizer import (
    ClusterCosts,
    ClusterModel,
    ClusterPlan,
    InvalidPlanRequest,
    PlanParams,
    assignment_cost,
    size_class,
)
from matching.registry import Municipality


def town(refnis: str, lat: float, lon: float, population: int, centrum: bool = False):
    return Municipality(refnis, f"T{refnis}", None, "antwerpen", "flanders", centrum, population,
                        lat, lon)


def random_model(seed: int, n: int, domains=("mobility",), ready_share: float = 0.6):
    rng = np.random.default_rng(seed)
    towns = [
        town(f"{10000 + i}", 50.8 + rng.random() * 0.6, 3.5 + rng.random() * 1.5,
             int(rng.choice([4_000, 20_000, 80_000])), bool(rng.random() < 0.2))
        for i in range(n)
    ]
    model = ClusterModel()
    model.add_municipalities(towns)
    for d in domains:
        model.set_experience(d, {t.refnis: float(rng.random() * 1.5) for t in towns})
        model.set_maturity(d, {t.refnis: ("lighthouse-ready" if rng.random() < ready_share
                                          else "starter") for t in towns})
    return model, towns


def brute_force(model: ClusterModel, params: PlanParams) -> float | None:
    """Cheapest plan by enumerating lighthouse sets and every assignment (tiny cases only)."""
    towns = {t.refnis: t for t in model.municipalities}
    excluded = set(params.excluded)
    part = [r for r in (params.participants or towns) if r not in excluded]
    order = ("none", "starter", "experienced", "lighthouse-ready")
    per_domain = []
    everyone = part
    for d in params.domains:
        part = [r for r in everyone if d not in params.domain_participants
                or r in params.domain_participants[d]]
        pinned = set(params.pinned_lighthouses.get(d, ()))
        cand = [r for r in part if order.index(model._maturity[d].get(r, "none"))
                >= order.index(params.min_maturity) or r in pinned]
        if params.lighthouses is not None:
            sizes = [params.lighthouses]
        else:
            lo = params.min_lighthouses or 1
            hi = params.max_lighthouses or len(cand)
            sizes = range(lo, hi + 1)
        options = []  # (lighthouse set, best cost)
        for k in sizes:
            for lights in itertools.combinations(cand, k):
                if not pinned <= set(lights):
                    continue
                best = _best_assignment(model, params, d, towns, part, lights)
                if best is not None:
                    options.append((frozenset(lights), best + k * params.costs.lighthouse_fixed))
        per_domain.append(options)
    best = None
    for combo in itertools.product(*per_domain):
        sets = [s for s, _ in combo]
        if params.one_domain_per_lighthouse and sum(map(len, sets)) != len(frozenset().union(*sets)):
            continue
        total = sum(c for _, c in combo)
        best = total if best is None else min(best, total)
    return best


def _best_assignment(model, params, d, towns, part, lights):
    followers = [r for r in part if r not in lights]
    choices = []
    for f in followers:
        allowed = []
        for lh in lights:
            km = haversine_km(towns[f].latitude, towns[f].longitude, towns[lh].latitude,
                              towns[lh].longitude)
            if params.max_distance_km is not None and km > params.max_distance_km:
                continue
            if (d, f, lh) in params.forbidden:
                continue
            forced = [t for t in params.forced if t[0] == d and t[1] == f]
            if forced and forced[0][2] != lh:
                continue
            cost = assignment_cost(towns[f], towns[lh], km,
                                   model._experience[d].get(lh, 0.0), params.costs).total
            allowed.append((lh, cost))
        if not allowed:
            return None
        choices.append(allowed)
    best = None
    for pick in itertools.product(*choices):
        counts = {lh: 0 for lh in lights}
        for lh, _ in pick:
            counts[lh] += 1
        if params.max_followers is not None and max(counts.values()) > params.max_followers:
            continue
        if min(counts.values()) < params.min_followers:
            continue
        cost = sum(c for _, c in pick)
        best = cost if best is None else min(best, cost)
    return best


def check_plan(model: ClusterModel, params: PlanParams, plan: ClusterPlan) -> None:
    """Every constraint of the request holds on the returned plan."""
    towns = {t.refnis: t for t in model.municipalities}
    excluded = set(params.excluded)
    part = {r for r in (params.participants or towns) if r not in excluded}
    order = ("none", "starter", "experienced", "lighthouse-ready")
    lighthouse_domains: dict[str, list[str]] = {}
    recomputed = 0.0
    everyone = part
    for d in params.domains:
        part = {r for r in everyone if d not in params.domain_participants
                or r in params.domain_participants[d]}
        clusters = [c for c in plan.clusters if c.domain == d]
        k = len(clusters)
        if params.lighthouses is not None:
            assert k == params.lighthouses
        assert k >= (params.min_lighthouses or 1)
        if params.max_lighthouses is not None:
            assert k <= params.max_lighthouses
        seen = []
        for c in clusters:
            lh = c.lighthouse
            lighthouse_domains.setdefault(lh, []).append(d)
            assert lh in part
            assert (order.index(model._maturity[d].get(lh, "none"))
                    >= order.index(params.min_maturity)
                    or lh in params.pinned_lighthouses.get(d, ()))
            seen.append(lh)
            if params.max_followers is not None:
                assert len(c.followers) <= params.max_followers
            assert len(c.followers) >= params.min_followers
            for f in c.followers:
                seen.append(f.refnis)
                km = haversine_km(towns[f.refnis].latitude, towns[f.refnis].longitude,
                                  towns[lh].latitude, towns[lh].longitude)
                assert f.distance_km == pytest.approx(km, abs=1e-6)
                if params.max_distance_km is not None:
                    assert km <= params.max_distance_km + 1e-6
                assert (d, f.refnis, lh) not in params.forbidden
                recomputed += assignment_cost(towns[f.refnis], towns[lh], km,
                                              model._experience[d].get(lh, 0.0),
                                              params.costs).total
            recomputed += params.costs.lighthouse_fixed
        assert sorted(seen) == sorted(part)  # everyone exactly once, nobody excluded
        for pinned in params.pinned_lighthouses.get(d, ()):
            assert pinned in {c.lighthouse for c in clusters}
        for dd, f, lh in params.forced:
            if dd == d:
                cluster = next(c for c in clusters if c.lighthouse == lh)
                assert f == lh or f in {x.refnis for x in cluster.followers}
    if params.one_domain_per_lighthouse:
        assert all(len(ds) == 1 for ds in lighthouse_domains.values())
    assert plan.objective == pytest.approx(recomputed, abs=0.01 * (1 + len(everyone) * 3))


# --- formulas ---------------------------------------------------------------------------------


def test_one_degree_of_longitude_on_the_equator_is_111_195_km():
    assert haversine_km(0, 0, 0, 1) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)
    assert haversine_km(0, 0, 0, 1) == pytest.approx(111.195, abs=1e-3)


def test_the_distance_matrix_agrees_with_the_pairwise_formula():
    towns = [town("1", 51.2, 4.4, 1), town("2", 51.05, 3.72, 1), town("3", 50.88, 4.7, 1)]
    m = distance_matrix_km(towns)
    assert m[0, 1] == pytest.approx(haversine_km(51.2, 4.4, 51.05, 3.72))
    assert (m == m.T).all() and (np.diag(m) == 0).all()


def test_assignment_cost_by_hand():
    costs = ClusterCosts(distance_per_km=1.0, size_mismatch=10.0, centrumstad_mismatch=5.0,
                         inexperience=20.0, experience_reference=2.0)
    small = town("1", 51.0, 4.0, 5_000)
    city = town("2", 51.0, 4.0, 120_000, centrum=True)
    parts = assignment_cost(small, city, 12.5, 0.5, costs)
    assert parts.distance == 12.5
    assert parts.size == 10.0  # small (0) vs large (2): full weight
    assert parts.centrumstad == 5.0
    assert parts.inexperience == pytest.approx(20.0 * (1 - 0.25))
    assert parts.total == pytest.approx(12.5 + 10 + 5 + 15)
    assert assignment_cost(city, city, 0.0, 0.0, costs).total == 0.0
    assert [size_class(p) for p in (9_999, 10_000, 50_000, 50_001)] == [0, 1, 1, 2]


def test_cluster_costs_serialise():
    assert asdict(ClusterCosts())["distance_per_km"] == 1.0
    assert set(ClusterCosts().as_dict()) == {
        "distance_per_km", "size_mismatch", "centrumstad_mismatch", "inexperience",
        "experience_reference", "lighthouse_fixed"}


# --- brute force ------------------------------------------------------------------------------


@pytest.mark.parametrize("seed", range(5))
def test_single_domain_plan_matches_brute_force(seed):
    model, _ = random_model(seed, 7)
    params = PlanParams(domains=("mobility",), lighthouses=2, time_limit_s=20)
    plan = model.solve(params)
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(brute_force(model, params), abs=0.05)
    check_plan(model, params, plan)


@pytest.mark.parametrize("seed", range(5))
def test_capacitated_plan_with_min_followers_and_distance_matches_brute_force(seed):
    model, _ = random_model(20 + seed, 7)
    params = PlanParams(domains=("mobility",), min_lighthouses=1, max_lighthouses=3,
                        max_followers=3, min_followers=1, max_distance_km=70,
                        costs=ClusterCosts(lighthouse_fixed=15.0), time_limit_s=20)
    plan = model.solve(params)
    expected = brute_force(model, params)
    if expected is None:
        assert plan.status == "infeasible" and plan.reason
    else:
        assert plan.status == "optimal"
        assert plan.objective == pytest.approx(expected, abs=0.05)
        check_plan(model, params, plan)


@pytest.mark.parametrize("seed", range(3))
def test_two_domains_with_one_domain_per_lighthouse_match_brute_force(seed):
    model, _ = random_model(40 + seed, 6, domains=("mobility", "economy"), ready_share=0.5)
    params = PlanParams(domains=("mobility", "economy"), lighthouses=2, time_limit_s=20)
    plan = model.solve(params)
    expected = brute_force(model, params)
    if expected is None:
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(expected, abs=0.05)
    check_plan(model, params, plan)


def test_two_domains_that_want_the_same_lighthouses_still_get_the_optimal_split():
    model, towns = random_model(60, 7, domains=("mobility",), ready_share=0.6)
    # the same experience and maturity in both domains: both prefer the same lighthouses
    model.set_experience("economy", model._experience["mobility"])
    model.set_maturity("economy", model._maturity["mobility"])
    params = PlanParams(domains=("mobility", "economy"), lighthouses=2, time_limit_s=20)
    plan = model.solve(params)
    expected = brute_force(model, params)
    assert expected is not None
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(expected, abs=0.05)
    check_plan(model, params, plan)


@pytest.mark.parametrize("seed", range(3))
def test_each_domain_clusters_only_its_own_participants_matching_brute_force(seed):
    """A municipality that declared an interest in mobility only is planned in mobility only:
    each domain's clusters cover exactly that domain's participants, and the coupling (one
    domain per lighthouse) still gives the optimum of the enumeration."""
    model, towns = random_model(80 + seed, 8, domains=("mobility", "economy"), ready_share=0.6)
    codes = [t.refnis for t in towns]
    params = PlanParams(domains=("mobility", "economy"), lighthouses=2, time_limit_s=20,
                        domain_participants={"mobility": tuple(codes[:6]),
                                             "economy": tuple(codes[3:])})
    plan = model.solve(params)
    expected = brute_force(model, params)
    if expected is None:
        assert plan.status == "infeasible"
        return
    assert plan.status == "optimal"
    assert plan.objective == pytest.approx(expected, abs=0.05)
    check_plan(model, params, plan)
    members = {d: {c.lighthouse for c in plan.clusters if c.domain == d}
               | {f.refnis for c in plan.clusters if c.domain == d for f in c.followers}
               for d in params.domains}
    assert members == {"mobility": set(codes[:6]), "economy": set(codes[3:])}


def test_per_domain_participants_agree_with_an_independent_mip():
    from bench.baselines import plan_mip
    from matching.optimizer.model import Spec

    model, towns = random_model(31, 24, domains=("mobility", "living"), ready_share=0.4)
    codes = [t.refnis for t in towns]
    params = PlanParams(domains=("mobility", "living"), lighthouses=3, max_followers=7,
                        time_limit_s=60, domain_participants={"mobility": tuple(codes[:16]),
                                                              "living": tuple(codes[6:])})
    plan = model.solve(params)
    mip = plan_mip(Spec.build(model, params), time_limit=120)
    assert plan.status == "optimal" and mip["status"] == "optimal"
    assert plan.objective == pytest.approx(mip["objective"], abs=0.011)
    check_plan(model, params, plan)


def test_a_pin_outside_its_domains_participants_is_refused():
    model, towns = random_model(5, 6, domains=("mobility", "economy"))
    codes = [t.refnis for t in towns]
    params = PlanParams(domains=("mobility", "economy"), lighthouses=1,
                        domain_participants={"mobility": tuple(codes[:3])},
                        pinned_lighthouses={"mobility": (codes[4],)})
    with pytest.raises(InvalidPlanRequest) as err:
        model.validate(params)
    assert err.value.field == "pinned_lighthouses"


def test_pins_forced_forbidden_and_exclusions_hold():
    model, towns = random_model(7, 8, domains=("mobility", "living"), ready_share=0.7)
    codes = [t.refnis for t in towns]
    ready = [r for r in codes if model._maturity["mobility"][r] == "lighthouse-ready"]
    params = PlanParams(
        domains=("mobility", "living"), lighthouses=2, max_followers=5,
        pinned_lighthouses={"mobility": (codes[0],)},
        forced=(("mobility", codes[1], codes[0]),),
        forbidden=(("mobility", codes[2], codes[0]),),
        excluded=(codes[7],), min_maturity="starter", time_limit_s=20,
    )
    plan = model.solve(params)
    assert plan.status == "optimal", plan.reason
    check_plan(model, params, plan)
    assert codes[0] in plan.lighthouses("mobility")
    assert codes[0] not in plan.lighthouses("living")
    assert ready  # the fixture has lighthouse-ready towns


# --- infeasible and malformed requests ----------------------------------------------------------


def test_too_little_capacity_is_infeasible_with_the_numbers():
    model, _ = random_model(1, 8)
    plan = model.solve(PlanParams(domains=("mobility",), lighthouses=2, max_followers=2,
                                  min_maturity="none"))
    assert plan.status == "infeasible"
    assert plan.reason == ("total capacity 4 < 6 followers in mobility "
                           "(2 lighthouses x 2 followers)")
    assert plan.reason_nl == ("totale capaciteit 4 < 6 volgers in Slimme mobiliteit "
                              "(2 vuurtorens x 2 volgers)")
    assert plan.clusters == ()


def test_a_far_away_municipality_has_no_candidate_within_the_distance():
    model = ClusterModel()
    model.add_municipalities([town("1", 51.0, 4.0, 20_000), town("2", 51.01, 4.0, 20_000),
                              town("3", 50.75, 5.8, 4_000)])
    model.set_maturity("mobility", {"1": "lighthouse-ready", "2": "lighthouse-ready"})
    plan = model.solve(PlanParams(domains=("mobility",), lighthouses=1, max_distance_km=20))
    assert plan.status == "infeasible"
    assert plan.reason == "no candidate within 20 km of T3 in mobility"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        (PlanParams(domains=("transport",)), "domains"),
        (PlanParams(domains=("mobility",), lighthouses=50), "lighthouses"),
        (PlanParams(domains=("mobility",), max_followers=-1), "max_followers"),
        (PlanParams(domains=("mobility",), excluded=("99999",)), "excluded"),
        (PlanParams(domains=("mobility", "living"),
                    pinned_lighthouses={"mobility": ("10000",), "living": ("10000",)},
                    min_maturity="none"), "pinned_lighthouses"),
        (PlanParams(domains=("mobility",), min_maturity="none",
                    forced=(("mobility", "10001", "10000"),),
                    forbidden=(("mobility", "10001", "10000"),)), "forced"),
        (PlanParams(domains=("mobility",), min_followers=5, max_followers=2), "min_followers"),
        (PlanParams(domains=("mobility",), max_distance_km=float("nan")), "max_distance_km"),
    ],
)
def test_malformed_requests_name_the_parameter(params, field):
    model, _ = random_model(2, 6)
    with pytest.raises(InvalidPlanRequest) as info:
        model.solve(params)
    assert info.value.field == field
    assert info.value.message_nl and info.value.message_nl != info.value.message


def test_unknown_maturity_class_is_refused():
    model = ClusterModel()
    with pytest.raises(InvalidPlanRequest):
        model.set_maturity("mobility", {"1": "expert"})


# --- progress and cancellation ----------------------------------------------------------------


def test_progress_is_reported_and_a_cancelled_solve_returns_promptly():
    model, _ = random_model(3, 40, ready_share=0.8)
    calls = []
    plan = model.solve(PlanParams(domains=("mobility",), lighthouses=4, max_followers=12,
                                  time_limit_s=20), on_progress=lambda *a: calls.append(a))
    assert plan.status in {"optimal", "time_limit"}
    assert calls and all(len(c) == 4 for c in calls)
    elapsed, best, bound, gap = calls[-1]
    assert best is not None and bound <= best + 1e-6 and gap >= 0
    cancel = threading.Event()
    cancel.set()
    stopped = model.solve(PlanParams(domains=("mobility",), lighthouses=4, max_followers=12,
                                     time_limit_s=60), cancel=cancel)
    assert stopped.seconds < 30


def test_the_cost_matrix_and_the_scalar_explanation_are_one_formula():
    from matching.optimizer.costs import domain_cost_matrix

    towns = [town("11001", 51.2, 4.4, 530_000, True), town("11002", 51.1, 4.5, 8_000),
             town("11003", 51.0, 4.1, 25_000)]
    costs = ClusterCosts(distance_per_km=1.5, size_mismatch=7.0, centrumstad_mismatch=3.0,
                         inexperience=11.0, experience_reference=0.8)
    experience = {"11001": 0.3, "11002": 2.0}
    dist = distance_matrix_km(towns)
    matrix = domain_cost_matrix(towns, dist, experience, costs)
    for i, f in enumerate(towns):
        for j, lh in enumerate(towns):
            parts = assignment_cost(f, lh, float(dist[i, j]), experience.get(lh.refnis, 0.0),
                                    costs)
            assert matrix[i, j] == pytest.approx(round(parts.total, 2), abs=1e-9)
    assert matrix[1, 0] > 0 and matrix[0, 0] == 0


def test_validate_names_the_bad_parameter_without_solving():
    model, _ = random_model(1, 6, ready_share=1.0)
    model.validate(PlanParams(domains=("mobility",), lighthouses=2))
    with pytest.raises(InvalidPlanRequest) as exc:
        model.validate(PlanParams(domains=("mobility",), lighthouses=2, excluded=("99999",)))
    assert exc.value.field == "excluded"


# --- honest statuses ------------------------------------------------------------------------------


def test_a_plan_stopped_by_its_time_limit_is_never_labelled_infeasible():
    model, _ = random_model(7, 60, domains=("mobility", "living", "people"), ready_share=0.5)
    for limit in (0.01, 0.3, 1.0):
        plan = model.solve(PlanParams(domains=("mobility", "living", "people"), lighthouses=5,
                                      max_followers=13, time_limit_s=limit))
        assert plan.status in {"time_limit", "optimal"}, (limit, plan.status, plan.reason)
        if plan.status == "time_limit" and plan.objective is None:
            assert "not proven infeasible" in plan.reason
            assert "niet bewezen onhaalbaar" in plan.reason_nl
        if plan.objective is not None:
            assert plan.gap is not None and plan.lower_bound <= plan.objective + 1e-9
            assert plan.as_dict()["status"] == plan.status


def test_cancel_returns_within_a_second_with_status_cancelled():
    model, _ = random_model(8, 120, domains=("mobility", "living", "people"), ready_share=0.6)
    cancel = threading.Event()
    out = {}

    def run():
        out["plan"] = model.solve(PlanParams(domains=("mobility", "living", "people"),
                                             lighthouses=8, max_followers=16, time_limit_s=120),
                                  cancel=cancel)
        out["done"] = time.perf_counter()

    worker = threading.Thread(target=run)
    worker.start()
    time.sleep(3.0)
    cancel.set()
    asked = time.perf_counter()
    worker.join(30)
    assert out["plan"].status in {"cancelled", "optimal"}
    if out["plan"].status == "cancelled":
        assert out["done"] - asked < 1.0


@pytest.mark.parametrize("seed", range(3))
def test_several_domains_agree_with_an_independent_mip(seed):
    """One domain per lighthouse couples the domains; HiGHS on the textbook MIP of the same
    numbers (bench/baselines.py, no optimizer code) finds the same optimum."""
    from bench.baselines import plan_mip
    from matching.optimizer.model import Spec

    model, _ = random_model(20 + seed, 25, domains=("mobility", "living"), ready_share=0.4)
    params = PlanParams(domains=("mobility", "living"), lighthouses=3, max_followers=9,
                        time_limit_s=60)
    plan = model.solve(params)
    mip = plan_mip(Spec.build(model, params), time_limit=120)
    assert plan.status == "optimal" and mip["status"] == "optimal"
    assert plan.objective == pytest.approx(mip["objective"], abs=0.011)
