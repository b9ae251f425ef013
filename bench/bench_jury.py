"""Benchmark the jury's two solvers against greedy baselines; prints one JSON object.

* **Assignment**: 300 applications, 80 jurors, 3 reviews each, maximum load 12 (the least that
  fits: 900 reviews / 80 jurors = 11.25), conflicts from random affiliations (each juror one of
  120 municipalities/organisations; each application a lead and 1-4 partners from the same pool)
  plus 1% declared. Exact: :func:`evaluation.assignment.assign_jurors` (min-cost flow). Baseline:
  the usual greedy, application by application, the least-loaded jurors without a conflict first,
  expertise breaking ties.
* **Selection**: 300 ranked applications (4 criteria with weights 30/30/20/20, consensus scores
  0-10, thresholds 4 on the first two), grants 50,000-1,000,000 euro, a cap of 1,000,000 euro
  (the City of Things 2022 cap, seed 002), a budget of 30% of all requested grants; once without
  and once with spread limits (at most 15 per domain, 12 per province). Exact:
  :func:`evaluation.selection.select_funding` (CP-SAT knapsack, including the greedy and the
  reasons). Baseline: :func:`evaluation.selection.greedy_selection`, funding down the ranking.

All data is synthetic (seeded random), not from the sources. Median of ``RUNS`` runs.
Run: ``python -m bench.bench_jury``.
"""

from __future__ import annotations

import json
import random
import statistics
import time

from evaluation.assignment import AssignmentCosts, assign_jurors
from evaluation.conflicts import (
    Affiliation,
    Consortium,
    DeclaredConflict,
    Juror,
    find_conflicts,
)
from evaluation.ranking import Candidate, rank_applications
from evaluation.scoring import Criterion
from evaluation.selection import greedy_selection, select_funding

RUNS = 5
DOMAINS = ("mobility", "environment", "living", "people", "governance", "economy")
PROVINCES = ("antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen")
N_APPS, N_JURORS, REVIEWERS, MAX_LOAD = 300, 80, 3, 12


def timed(fn, runs: int = RUNS) -> tuple[float, object]:
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def jury_call(seed: int = 6):
    rng = random.Random(seed)
    pool = [Affiliation(refnis=f"{10000 + i}") for i in range(100)]
    pool += [Affiliation(organisation=i) for i in range(1, 21)]
    apps = {a: tuple(rng.sample(DOMAINS, rng.randint(1, 2))) for a in range(1, N_APPS + 1)}
    consortia = []
    for a in apps:
        lead, *partners = rng.sample(pool, rng.randint(2, 5))
        consortia.append(Consortium(a, lead, tuple(partners)))
    jurors = [
        Juror(j, (rng.choice(pool),), frozenset(rng.sample(DOMAINS, rng.randint(1, 2))))
        for j in range(1, N_JURORS + 1)
    ]
    declared = [
        DeclaredConflict(a, j.id, "declared in the benchmark")
        for a in apps
        for j in jurors
        if rng.random() < 0.01
    ]
    return apps, jurors, consortia, declared


def greedy_assignment(apps, jurors, conflicts, costs):
    """Least-loaded jurors without a conflict first, expertise breaking ties; may get stuck."""
    loads = {j.id: 0 for j in jurors}
    pairs, unassigned = [], 0
    for a, domains in apps.items():
        options = [j for j in jurors if (a, j.id) not in conflicts and loads[j.id] < MAX_LOAD]
        options.sort(key=lambda j: (loads[j.id], -costs.affinity(j.expertise, domains), j.id))
        chosen = options[:REVIEWERS]
        unassigned += REVIEWERS - len(chosen)
        for j in chosen:
            loads[j.id] += 1
            pairs.append((a, j.id))
    expertise = {j.id: j.expertise for j in jurors}
    return {
        "complete": unassigned == 0,
        "unassigned_reviews": unassigned,
        "highest_load": max(loads.values()),
        "lowest_load": min(loads.values()),
        "load_squares": sum(n * n for n in loads.values()),
        "affinity": sum(costs.affinity(expertise[j], apps[a]) for a, j in pairs),
    }


def bench_assignment() -> dict:
    apps, jurors, consortia, declared = jury_call()
    conflicts_s, conflicts = timed(lambda: find_conflicts(jurors, consortia, declared))
    pairs = conflicts.pairs
    costs = AssignmentCosts()
    exact_s, result = timed(
        lambda: assign_jurors(
            apps, jurors, pairs, reviewers_per_application=REVIEWERS, max_load=MAX_LOAD
        )
    )
    greedy_s, greedy = timed(lambda: greedy_assignment(apps, jurors, pairs, costs))
    return {
        "applications": N_APPS,
        "jurors": N_JURORS,
        "reviewers_per_application": REVIEWERS,
        "max_load": MAX_LOAD,
        "conflicted_pairs": len(pairs),
        "conflict_detection_s": conflicts_s,
        "exact_s": exact_s,
        "exact_status": result.status,
        "exact": {
            "highest_load": result.objective.highest_load,
            "lowest_load": result.objective.lowest_load,
            "load_squares": result.objective.load_squares,
            "affinity": result.objective.affinity,
            "matched_reviews": result.objective.matched_reviews,
        },
        "greedy_s": greedy_s,
        "greedy": greedy,
        "time_ratio_exact_over_greedy": exact_s / greedy_s,
        "affinity_ratio_exact_over_greedy": result.objective.affinity / max(1, greedy["affinity"]),
    }


def selection_call(seed: int = 2022):
    rng = random.Random(seed)
    criteria = [
        Criterion("scalability", 30, 0, 10, 1, threshold=4),
        Criterion("leverage", 30, 0, 10, 1, threshold=4),
        Criterion("quality", 20, 0, 10, 1),
        Criterion("cooperation", 20, 0, 10, 1),
    ]
    cands = [
        Candidate(
            a,
            rng.randint(50_000, 1_000_000) * 100,
            tuple(rng.sample(DOMAINS, rng.randint(1, 2))),
            rng.choice(PROVINCES),
        )
        for a in range(1, N_APPS + 1)
    ]
    consensus = {(a, c.code): rng.randint(2, 10) for a in range(1, N_APPS + 1) for c in criteria}
    ranking = rank_applications(
        cands,
        criteria,
        consensus=consensus,
        tie_break=["criterion:scalability desc", "criterion:leverage desc", "requested_grant asc"],
    )
    budget = int(sum(c.requested_grant_cents for c in cands) * 0.3)
    return ranking, budget


def bench_selection() -> dict:
    ranking, budget = selection_call()
    out = {"applications": N_APPS, "budget_cents": budget, "cases": []}
    for name, limits in (
        ("budget and cap", {}),
        ("with spread limits", {"max_per_domain": 15, "max_per_province": 12}),
    ):
        kwargs = {"budget_cents": budget, "max_grant_cents": 1_000_000_00, **limits}
        exact_s, sel = timed(lambda kwargs=kwargs: select_funding(ranking, **kwargs))
        greedy_s, greedy = timed(lambda kwargs=kwargs: greedy_selection(ranking, **kwargs))
        out["cases"].append(
            {
                "case": name,
                "exact_s": exact_s,
                "status": sel.status,
                "exact_funded": len(sel.funded),
                "exact_score": sel.total_score,
                "greedy_s": greedy_s,
                "greedy_funded": len(greedy.funded),
                "greedy_score": greedy.total_score,
                "score_ratio_exact_over_greedy": sel.total_score / max(1e-9, greedy.total_score),
                "time_ratio_exact_over_greedy": exact_s / greedy_s,
            }
        )
    return out


def main() -> None:
    data = {
        "title": "Jury: assignment and funding selection",
        "runs": RUNS,
        "data": "synthetic, seeded random",
        "assignment": bench_assignment(),
        "selection": bench_selection(),
    }
    print(json.dumps(data))


if __name__ == "__main__":
    main()
