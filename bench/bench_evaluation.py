"""Benchmark eligibility and indicators for 1,000 generated applications; prints one JSON object.

* Registry: the real municipalities of ``seed_data/municipalities.csv`` (and its projects when
  ``projects.json`` exists); experience per (municipality, domain) from the registry graph, or,
  when the registry has no projects yet, seeded random scores (said so in the output).
* 1,000 applications, seeded random: a Flemish lead, 0-4 partners and 0-5 committed followers
  among its neighbours, 1-2 domains, grants from €5,000 to €1,200,000, random deliverables and
  prior projects, random precomputed text similarities (the caller's TF-IDF is not timed here).
* Timed in-process (median of ``RUNS``): building the :class:`IndicatorContext` for the call,
  then eligibility (City of Things 2022 preset) and both indicators for every application.
  Issue figure: under 2 s.
* Baseline, same run, same applications: the same eligibility plus a naive pure-Python version
  of the indicator formulas (per-pair ``math`` haversine, loops over every municipality, no
  arrays). Both must give the same scores (the largest difference is printed).
* Also: the consortium advisor (3 followers over all Flemish candidates), the weight
  sensitivity over the 1,000 indicator-based scores, the indicators without the what-if
  figures (``would_add`` of every follower without a letter: what a letter would add, computed
  by re-running the indicators, issue 12), and reading one uploaded letter of intent (pypdf text
  layer and the name check of ``evaluation.documents``; the app caches it per file content).
* The machine is shared: the 1-minute load average is recorded at the start and the end. Each
  figure is the median of its own timed runs, so under load the parts of the breakdown need not
  add up to the total.

Run: ``python -m bench.bench_evaluation``.
"""

from __future__ import annotations

import io
import json
import math
import os
import random
import statistics
import sys
import time
from decimal import Decimal
from pathlib import Path

from evaluation.advisor import advise_followers
from evaluation.applications import Application, Deliverables, Evidence, Partner
from evaluation.calls import preset_call
from evaluation.documents import pdf_text, read_letter
from evaluation.eligibility import EligibilityContext, check_eligibility
from evaluation.indicators import (
    DEFAULT_WEIGHTS,
    KNOWLEDGE_ITEMS,
    OPENNESS_ITEMS,
    IndicatorContext,
    compute_indicators,
    is_small_or_rural,
)
from evaluation.sensitivity import scores_from_indicators, weight_sensitivity
from matching.graph import haversine_matrix_km
from matching.registry import DOMAINS, Project
from matching.seedfiles import load_registry_from_seed_files

ROOT = Path(__file__).resolve().parent.parent
RUNS = 5
BASELINE_RUNS = 3
APPLICATIONS = 1_000
ADVICE_SAMPLES = 10
EARTH_RADIUS_KM = 6371.0088
STAND_INS = {"VGC": "21004"}  # where the VGC is located (evaluation.indicators default)


def timed(fn, runs: int):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def generate(municipalities, dist, projects, count: int, seed: int = 2022):
    """Random applications over the real municipalities (neighbours as partners/followers)."""
    rng = random.Random(seed)
    codes = [m.refnis for m in municipalities]
    flemish = [i for i, m in enumerate(municipalities) if m.region == "flanders"]
    project_ids = list(projects) + [10_000 + i for i in range(20)]  # some unknown ids too
    apps, similar = [], {}
    for k in range(count):
        lead = rng.choice(flemish)
        near = sorted(flemish, key=lambda j: dist[lead][j])[1:31]
        partners = rng.sample(near[:15], rng.randint(0, 4))
        followers = rng.sample([j for j in near if j not in partners], rng.randint(0, 5))
        lettered = {codes[j]: Evidence("secretariat") for j in followers if rng.random() < 0.6}
        grant = rng.randint(5_000, 1_200_000) * 100
        total = int(grant / rng.uniform(0.5, 1.0))
        apps.append(Application(
            id=k,
            lead=codes[lead],
            title=f"generated {k}",
            requested_grant_cents=grant,
            total_budget_cents=total,
            domains=tuple(rng.sample(DOMAINS, rng.choice((1, 1, 2)))),
            partners=tuple(Partner(refnis=codes[j]) for j in partners),
            committed_followers=tuple(codes[j] for j in followers),
            follower_letters=lettered,
            cofinancing_backed_cents=(total - grant) if rng.random() < 0.3 else 0,
            prior_projects=tuple(rng.sample(project_ids, rng.choice((0, 0, 1, 2)))),
            deliverables=Deliverables(
                playbook=rng.random() < 0.5, model_specification=rng.random() < 0.3,
                open_source=rng.random() < 0.4, open_data=rng.random() < 0.5,
                oslo=("OSLO Mobiliteit",) if rng.random() < 0.4 else (), vloca=rng.random() < 0.3,
                links={k: f"https://example.org/{k}/{k}" for k in
                       ("open_source", "open_data", "playbook", "training") if rng.random() < 0.3},
            ),
        ))
        similar[k] = [(pid, f"project {pid}", rng.random() * 0.65)
                      for pid in rng.sample(project_ids, 3)]
    return apps, similar


# --- naive baseline of the indicator formulas ---------------------------------------------------


def haversine(a, b) -> float:
    la, lb = math.radians(a.latitude), math.radians(b.latitude)
    dlat, dlon = lb - la, math.radians(b.longitude - a.longitude)
    h = math.sin(dlat / 2) ** 2 + math.cos(la) * math.cos(lb) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, h))))


def naive_scores(apps, munis, experience, projects, participants, min_pct, limit_km,
                 w=DEFAULT_WEIGHTS):
    """(leverage, scalability) per application, the formulas of docs/indicators.md, plain loops."""
    top = {d: max([experience.get((r, d), 0.0) for r in munis] + [0.0]) for d in DOMAINS}
    status = dict(w.maturity_status_values)
    co: dict[str, set[str]] = {}
    for codes in participants.values():
        for c in codes:
            co.setdefault(c, set()).update(codes)

    def counts(r):
        return r in munis and munis[r].region in w.adoption_regions

    def where(r):
        return munis.get(STAND_INS.get(r, r))

    out = []
    for a in apps:
        members = [r for r in a.local_governments if counts(r)]
        anchors = [r for r in a.local_governments if counts(r) or r in STAND_INS]
        followers = []  # (refnis, factor) of the followers with a letter
        for f in a.committed_followers:
            if not counts(f) or f not in a.follower_letters:
                continue
            dists = [haversine(munis[f], where(x)) for x in anchors if x != f and where(x)]
            tie = any(x in co.get(f, set()) for x in a.local_governments if x != f)
            far = (not dists or min(dists) > limit_km) and not tie
            followers.append((f, w.far_follower_factor if far else 1.0))
        points = sum(fac * (1.0 if is_small_or_rural(munis[f], w) else
                            w.multiplier_large_follower_value) for f, fac in followers)
        mul = min(1.0, points / w.multiplier_full_followers)
        inhabitants = (sum(munis[r].population for r in members if r != a.lead)
                       + sum(fac * munis[f].population for f, fac in followers))
        rea = min(1.0, inhabitants / w.reach_full_inhabitants)
        total, declared = a.total_budget_cents, a.own_financing_cents
        minimum = (math.ceil(Decimal(str(min_pct)) * total / 100)
                   if min_pct is not None and total > 0 else 0)
        counted = min(declared, max(minimum, min(a.cofinancing_backed_cents, declared)))
        above = max(0, counted - minimum) / total if total > 0 else 0.0
        cof = min(1.0, above / w.cofinancing_full_extra_share)
        kno = (sum(w.knowledge(i) for i in KNOWLEDGE_ITEMS if a.deliverables.link(i))
               / sum(w.knowledge(i) for i in KNOWLEDGE_ITEMS))
        lev_w = w.leverage_weights()
        lev = 100 * sum(x * v for x, v in zip(lev_w, (mul, rea, cof, kno))) / sum(lev_w)

        strength = [(where(r), 1.0) for r in anchors if where(r)] + [
            (munis[f], fac) for f, fac in followers]
        num = den = 0.0
        for r, m in munis.items():
            if m.region not in w.adoption_regions or r in members:
                continue
            need = sum(1 - experience.get((r, d), 0.0) / top[d] if top[d] else 1.0
                       for d in a.domains) / len(a.domains)
            weight = m.population * need
            den += weight
            if strength:
                num += weight * max(s * math.exp(-haversine(m, x) / w.adoption_distance_scale_km)
                                    for x, s in strength)
        ado = num / den if strength and den else 0.0
        linked = {"oslo": bool(a.deliverables.oslo_specifications),
                  **{i: bool(a.deliverables.link(i)) for i in OPENNESS_ITEMS if i != "oslo"}}
        ope = (sum(w.openness(i) for i in OPENNESS_ITEMS if linked[i])
               / sum(w.openness(i) for i in OPENNESS_ITEMS))
        known = [projects[p] for p in a.prior_projects if p in projects
                 and set(a.local_governments) & set(participants.get(p, ()))
                 and set(projects[p].domains) & set(a.domains)]
        mat = max((status.get(p.status, 0.0) for p in known), default=0.0)
        others = [r for r in members if r != a.lead] + [f for f, _ in followers]
        small = {r: is_small_or_rural(munis[r], w) for r in members + others}
        mix = any(small[x] != small[m] and haversine(munis[m], munis[x]) <= limit_km
                  for m in members for x in members + others if x != m)
        near = sum(1 for x in dict.fromkeys(others)
                   if any(haversine(munis[x], munis[m]) <= limit_km for m in members if m != x))
        clu = ((w.cluster_mix_weight * mix
                + w.cluster_neighbours_weight * min(1.0, near / w.cluster_full_neighbours))
               / (w.cluster_mix_weight + w.cluster_neighbours_weight))
        sca_w = w.scalability_weights()
        sca = 100 * sum(x * v for x, v in zip(sca_w, (ado, ope, mat, clu))) / sum(sca_w)
        out.append((lev, sca))
    return out


def letter_pdf() -> bytes:
    """A one-page letter of intent with a text layer (reportlab, as the receipts are made)."""
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    out = io.BytesIO()
    c = canvas.Canvas(out, pagesize=A4)
    for n, line in enumerate(("Intentieverklaring", "Het college van Lochristi engageert zich",
                              "om de oplossing van Stad Gent te implementeren.")):
        c.drawString(72, 770 - 16 * n, line)
    c.showPage()
    c.save()
    return out.getvalue()


def main() -> int:
    seed_dir = ROOT / "seed_data"
    if not (seed_dir / "municipalities.csv").exists():
        print("seed_data/municipalities.csv is missing", file=sys.stderr)
        return 1
    registry = load_registry_from_seed_files(seed_dir)
    municipalities = registry.municipalities
    munis = {m.refnis: m for m in municipalities}
    dist = haversine_matrix_km([m.latitude for m in municipalities],
                               [m.longitude for m in municipalities])
    if registry.projects:
        from matching.graph import build_graph

        graph = build_graph(registry)
        experience = {(m.refnis, d): float(graph.experience[k, graph.index[m.refnis]])
                      for k, d in enumerate(DOMAINS) for m in municipalities}
        experience_source = f"registry graph ({len(registry.projects)} projects)"
        projects = {p.id: p for p in registry.projects}
        participants = {pid: [r for r, _ in roles] for pid, roles in graph.participants.items()}
    else:
        rng = random.Random(7)
        experience = {(m.refnis, d): rng.random() * 3 for m in municipalities for d in DOMAINS
                      if rng.random() < 0.2}
        experience_source = "seeded random (no projects.json yet)"
        projects = {i: Project(i, f"prior {i}", "", "generated", 2018,
                               status=random.Random(i).choice(["completed", "running", "unknown"]))
                    for i in range(1, 51)}
        participants = {}

    apps, similar = generate(municipalities, dist.tolist(), projects, APPLICATIONS)
    call = preset_call("city-of-things-2022")
    by_lead: dict[str, list[Application]] = {}
    for a in apps:
        by_lead.setdefault(a.lead, []).append(a)

    def eligibility_all():
        return [check_eligibility(call, a, EligibilityContext(
            municipalities=munis, other_applications_of_lead=by_lead[a.lead], projects=projects,
            similar_funded=similar[a.id], double_funding_threshold=0.6)) for a in apps]

    def context():
        return IndicatorContext(munis, distance_km=dist, experience=experience,
                                projects=projects, participants=participants,
                                follower_distance_km=call.follower_distance_km,
                                min_cofinancing_pct=call.min_cofinancing_pct)

    def indicators_all(ctx):
        return [compute_indicators(a, ctx) for a in apps]

    def fast():
        ctx = context()
        return eligibility_all(), indicators_all(ctx)

    def baseline():
        return eligibility_all(), naive_scores(apps, munis, experience, projects, participants,
                                               call.min_cofinancing_pct, call.follower_distance_km)

    load_start = os.getloadavg()[0]
    fast()  # warm-up (imports, caches)
    fast_s, (elig, inds) = timed(fast, RUNS)
    ctx_s, ctx = timed(context, RUNS)
    elig_s, _ = timed(eligibility_all, RUNS)
    ind_s, _ = timed(lambda: indicators_all(ctx), RUNS)
    base_s, (_, naive) = timed(baseline, BASELINE_RUNS)
    diff = max(max(abs(i.leverage.score - n[0]), abs(i.scalability.score - n[1]))
               for i, n in zip(inds, naive, strict=True))

    sample = apps[:: APPLICATIONS // ADVICE_SAMPLES][:ADVICE_SAMPLES]
    advice_s, _ = timed(lambda: [advise_followers(a, ctx) for a in sample], 3)
    scores, weights = scores_from_indicators(dict(enumerate(inds)), call.criteria)
    sens_s, report = timed(lambda: weight_sensitivity(scores, weights, top_n=12), RUNS)
    plain_s, _ = timed(lambda: [compute_indicators(a, ctx, what_if=False) for a in apps], RUNS)
    letter = letter_pdf()
    letter_s, _ = timed(lambda: read_letter(pdf_text(letter), ("Lochristi",), ("Gent", "Gand")),
                        20)

    print(json.dumps({
        "title": "Evaluation: eligibility and indicators for 1,000 applications",
        "registry": f"{len(municipalities)} municipalities from seed_data/municipalities.csv",
        "experience": experience_source,
        "call": call.name,
        "applications": APPLICATIONS,
        "runs": RUNS,
        "seconds_eligibility_and_indicators": round(fast_s, 4),
        "target_seconds": 2.0,
        "breakdown_seconds": {
            "indicator_context": round(ctx_s, 4),
            "eligibility": round(elig_s, 4),
            "indicators": round(ind_s, 4),
        },
        "baseline_seconds": round(base_s, 4),
        "baseline": "same eligibility + naive pure-Python indicators (per-pair haversine)",
        "ratio_baseline_over_fast": round(base_s / fast_s, 2),
        "max_score_difference_vs_baseline": diff,
        "eligible": sum(r.eligible for r in elig),
        "flagged_double_funding": sum(bool(r.flagged) for r in elig),
        "advisor_seconds_per_application": round(advice_s / len(sample), 4),
        "sensitivity_seconds_1000_applications": round(sens_s, 4),
        "sensitivity_stable_top_12": len(report.stable_top_n),
        "indicators_without_what_if_seconds": round(plain_s, 4),
        "letter_reading_ms": round(letter_s * 1000, 2),
        "load_average_1min": {"start": round(load_start, 1), "end": round(os.getloadavg()[0], 1)},
    }))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
