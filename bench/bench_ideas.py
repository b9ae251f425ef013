"""Benchmark idea matchmaking (issue 14, item 6); prints one JSON object.

* Related ideas for 500 ideas: build the relatedness model (text index, all pairs) and answer
  ``related`` for every idea; target under 2 s.
* Consortium proposals for 200 ideas: CP-SAT with a 60 s limit on 2 workers; target within 1 %
  of optimal (the proven gap) or proven optimal.
* Known answers: ideas generated with planted consortia drawn from the real registry (seed_data):
  per planted group a domain, a lead municipality with experience in it (most experienced first,
  each lead once per domain) and 1-4 members among the 12 nearest municipalities with less
  experience there, all with texts from one topic template of that domain (a fixed sentence and
  words drawn from the topic's own list), the lead seeking followers and the members a
  lighthouse. How well the proposals recover the planted groups: adjusted Rand index (scikit-learn),
  every idea left alone counted as its own group; target >= 0.9.

Run: ``python -m bench.bench_ideas`` (seeded; medians of ``RUNS`` runs for the timings).
"""

from __future__ import annotations

import json
import os
import random
import statistics
import sys
import time
from pathlib import Path

import numpy as np
from sklearn.metrics import adjusted_rand_score

from matching.graph import build_graph
from matching.ideas.consortium import ConsortiumModel, ConsortiumParams, solve
from matching.ideas.relatedness import IdeaInput, RelatednessModel
from matching.registry import DOMAINS
from matching.seedfiles import load_registry_from_seed_files

ROOT = Path(__file__).resolve().parent.parent
AS_OF_YEAR = 2026
RUNS = 3

#: Topic templates per domain: a sentence and words that ideas of the topic draw from.
TOPICS: dict[str, list[tuple[str, list[str]]]] = {
    "mobility": [
        ("Slimme parkeersensoren tonen vrije plaatsen", ["parkeersensor", "bezetting", "parkeergeleiding", "vrije plaatsen"]),
        ("Fietsers tellen aan schoolpoorten", ["fietstelling", "schoolstraat", "fietspad", "telcamera"]),
        ("Deelmobiliteit in mobipunten", ["deelfiets", "deelauto", "mobipunt", "reservatie"]),
        ("Verkeerslichten die bussen voorrang geven", ["busbaan", "verkeerslicht", "doorstroming", "prioriteit"]),
        ("Laadpalen slim verdelen over de wijk", ["laadpaal", "laadbeurt", "netbelasting", "elektrisch"]),
        ("Leveringen in de binnenstad bundelen", ["stadsdistributie", "laadzone", "pakjes", "bestelwagen"]),
        ("Wegdekschade meten met voertuigen", ["wegdek", "putten", "trillingssensor", "herstelling"]),
        ("Nummerplaatcamera's voor de lage-emissiezone", ["nummerplaat", "emissiezone", "handhaving", "doorgang"]),
        ("Trage wegen voor wandelaars ontsluiten", ["trage weg", "wandelroute", "bewegwijzering", "knooppunt"]),
        ("Vrachtverkeer weghouden uit dorpskernen", ["vrachtwagen", "tonnagebeperking", "sluipverkeer", "dorpskern"]),
    ],
    "environment": [
        ("Luchtkwaliteit meten met burgers", ["fijnstof", "luchtsensor", "stikstofdioxide", "meetnet"]),
        ("Slimme afvalcontainers melden hun vulgraad", ["vulgraad", "afvalcontainer", "ophaalronde", "sorteren"]),
        ("Hittekaart van de stad", ["hitte-eiland", "temperatuur", "vergroening", "schaduw"]),
        ("Overstromingen voorspellen met waterpeilsensoren", ["waterpeil", "riolering", "regenval", "overstroming"]),
        ("Geluidshinder in kaart brengen", ["geluid", "decibel", "nachtlawaai", "geluidsmeter"]),
        ("Zwerfvuil herkennen met camera's", ["zwerfvuil", "sluikstort", "beeldherkenning", "opruimen"]),
        ("Energieverbruik van stadsgebouwen opvolgen", ["energiemeter", "stookplaats", "verbruik", "renovatie"]),
        ("Bodemvocht in parken voor slimme besproeiing", ["bodemvocht", "besproeiing", "droogte", "plantsoen"]),
        ("Regenwater opvangen en hergebruiken", ["regenwaterput", "infiltratie", "hemelwater", "buffer"]),
        ("Bomen in de stad opvolgen met sensoren", ["stadsboom", "boomkruin", "sapstroom", "aanplant"]),
    ],
    "living": [
        ("Sensoren voor zelfstandig wonende ouderen", ["valdetectie", "mantelzorg", "thuiszorg", "bewegingssensor"]),
        ("Vochtproblemen in sociale woningen opsporen", ["schimmel", "vochtsensor", "ventilatie", "huurder"]),
        ("Drukte op markten en evenementen volgen", ["drukte", "bezoekers", "evenement", "telling"]),
        ("Slimme verlichting in woonwijken", ["straatlamp", "dimmen", "bewegingsmelder", "lichtvervuiling"]),
        ("Speelpleinen die hun gebruik meten", ["speelplein", "speeltuig", "kinderen", "onderhoud"]),
        ("Wijkgezondheid via een buurtplatform", ["buurtwerking", "eenzaamheid", "buren", "ontmoeting"]),
        ("Toegankelijkheid van voetpaden in kaart", ["rolstoel", "voetpad", "drempel", "toegankelijk"]),
        ("Begraafplaatsen digitaal beheren", ["begraafplaats", "grafconcessie", "register", "beheer"]),
    ],
    "people": [
        ("Digitale vaardigheden in bibliotheken", ["digitale inclusie", "cursus", "bibliotheek", "laptop"]),
        ("Burgerbegroting online", ["participatie", "stemmen", "burgerbudget", "voorstellen"]),
        ("Jeugdwerk vindt vrijwilligers via een platform", ["vrijwilliger", "jeugdwerk", "matching", "vereniging"]),
        ("Leerlingen programmeren sensoren op school", ["leerling", "programmeren", "microcontroller", "klas"]),
        ("Nieuwkomers wegwijs met een meertalige app", ["nieuwkomer", "vertaling", "inburgering", "wegwijs"]),
        ("Sportinfrastructuur reserveren en delen", ["sporthal", "reservering", "sportclub", "bezetting"]),
        ("Cultuuraanbod aanbevelen aan inwoners", ["cultuurcentrum", "voorstelling", "aanbeveling", "tickets"]),
        ("Mantelzorgers ondersteunen met een buddy-app", ["mantelzorger", "buddy", "ondersteuning", "agenda"]),
    ],
    "governance": [
        ("Open data van de gemeente volgens OSLO", ["open data", "OSLO", "dataportaal", "standaard"]),
        ("Meldingen van burgers automatisch doorsturen", ["melding", "ticket", "dienst", "opvolging"]),
        ("Digitale loketten met afspraken", ["loket", "afspraak", "wachtrij", "dienstverlening"]),
        ("Een datagedreven meerjarenplan", ["dashboard", "beleidsindicator", "meerjarenplan", "monitoring"]),
        ("Omgevingsvergunningen sneller behandelen", ["vergunning", "dossier", "aanvraagtermijn", "bouwplan"]),
        ("Digitale gemeenteraad met open besluiten", ["gemeenteraad", "besluit", "agenda", "notulen"]),
        ("Cyberveiligheid van lokale besturen", ["phishing", "back-up", "beveiliging", "incident"]),
        ("Patrimonium beheren met een digitale tweeling", ["patrimonium", "gebouwbeheer", "digitale tweeling", "onderhoudsplan"]),
    ],
    "economy": [
        ("Lokale handelaars met een cadeaubon-platform", ["cadeaubon", "handelaar", "winkelstraat", "loyaliteit"]),
        ("Leegstand in winkelstraten opvolgen", ["leegstand", "handelspand", "huurprijs", "winkelaanbod"]),
        ("Slimme markten en standplaatsen", ["markt", "standplaats", "marktkramer", "betalen"]),
        ("Bedrijventerreinen delen energie", ["bedrijventerrein", "energiedeling", "ondernemer", "warmtenet"]),
        ("Toeristen spreiden met drukte-informatie", ["toerist", "bezienswaardigheid", "spreiding", "bezoekersstroom"]),
        ("Circulaire bouwmaterialen verhandelen", ["hergebruik", "bouwmateriaal", "sloop", "materialenbank"]),
        ("Starters vinden werkplekken in leegstaande panden", ["starter", "coworking", "werkplek", "pop-up"]),
        ("Korte keten van boer tot bord", ["landbouwer", "hoevewinkel", "korte keten", "afhaalpunt"]),
    ],
}


def plant(graph, n_ideas: int, seed: int) -> tuple[list[IdeaInput], list[int]]:
    """``n_ideas`` ideas in planted groups; returns the ideas and each idea's planted label."""
    rng = random.Random(seed)
    ideas: list[IdeaInput] = []
    labels: list[int] = []
    leads_used: dict[str, set[str]] = {d: set() for d in DOMAINS}
    topic_used: set[tuple[str, int]] = set()
    group = 0
    while len(ideas) < n_ideas:
        d = rng.choice([d for d in DOMAINS if any((d, t) not in topic_used
                                                  for t in range(len(TOPICS[d])))]
                       or DOMAINS)
        free = [t for t in range(len(TOPICS[d])) if (d, t) not in topic_used]
        t = rng.choice(free) if free else rng.randrange(len(TOPICS[d]))
        topic_used.add((d, t))
        k = DOMAINS.index(d)
        exp = graph.experience[k]
        order = [int(i) for i in np.argsort(-exp) if exp[i] > 0 and not graph.brussels[i]
                 and graph.municipalities[int(i)].refnis not in leads_used[d]]
        if not order:
            order = [int(i) for i in np.argsort(-exp) if not graph.brussels[i]]
        lead = order[0] if rng.random() < 0.5 else rng.choice(order[:10])
        leads_used[d].add(graph.municipalities[lead].refnis)
        near = [int(i) for i in np.argsort(graph.distance_km[lead])
                if int(i) != lead and exp[int(i)] <= exp[lead] and not graph.brussels[int(i)]][:12]
        size = min(rng.randint(2, 5), n_ideas - len(ideas))
        if n_ideas - len(ideas) - size == 1:  # no planted group of one idea
            size += 1
        members = [lead, *rng.sample(near, max(0, size - 1))]
        sentence, words = TOPICS[d][t]
        for position, m in enumerate(members):
            text = f"{sentence}. " + " ".join(rng.choice(words) for _ in range(6))
            ideas.append(IdeaInput(len(ideas) + 1, graph.municipalities[m].refnis,
                                   sentence, text, (d,),
                                   ("followers",) if position == 0 else ("lighthouse",)))
            labels.append(group)
        group += 1
    return ideas, labels


def result_labels(ideas: list[IdeaInput], result) -> list[int]:
    label = {}
    for k, c in enumerate(result.consortia):
        for i in (c.lead, *c.members):
            label[i] = k
    fresh = len(result.consortia)
    out = []
    for idea in ideas:
        if idea.id not in label:
            label[idea.id] = fresh
            fresh += 1
        out.append(label[idea.id])
    return out


def main() -> int:
    if not (ROOT / "seed_data" / "municipalities.csv").exists():
        print("seed_data/municipalities.csv is missing", file=sys.stderr)
        return 1
    started = time.perf_counter()
    graph = build_graph(load_registry_from_seed_files(ROOT / "seed_data"), as_of_year=AS_OF_YEAR)
    out: dict[str, object] = {"title": "Idea matchmaking: related ideas and consortium proposals",
                              "registry": f"{len(graph.municipalities)} municipalities, "
                                          f"{len(graph.projects)} projects (seed_data)"}

    ideas500, _ = plant(graph, 500, seed=500)

    def related_500():
        model = RelatednessModel.build(ideas500, graph)
        for idea in ideas500:
            model.related(idea.id, limit=10)
        return model

    times = []
    build_times = []
    for _ in range(RUNS):
        t0 = time.perf_counter()
        model = RelatednessModel.build(ideas500, graph)
        build_times.append(time.perf_counter() - t0)
        for idea in ideas500:
            model.related(idea.id, limit=10)
        times.append(time.perf_counter() - t0)
    out["related_500_ideas"] = {
        "ideas": 500, "runs": RUNS, "seconds_build": round(statistics.median(build_times), 3),
        "seconds_build_and_related_for_every_idea": round(statistics.median(times), 3),
        "target_seconds": 2}

    time_limit = float(os.environ.get("IDEAS_BENCH_TIME_LIMIT", "60"))
    rows = []
    for n, seed in ((60, 60), (200, 200)):
        ideas, planted = plant(graph, n, seed=seed)
        rel = RelatednessModel.build(ideas, graph)
        model = ConsortiumModel(rel)
        result = solve(model, ConsortiumParams(min_size=2, max_size=8, time_limit_s=time_limit,
                                               workers=2))
        found = result_labels(ideas, result)
        rows.append({
            "ideas": n, "planted_groups": len(set(planted)), "status": result.status,
            "objective": result.objective, "bound": result.bound,
            "gap_percent": None if result.gap is None else round(100 * result.gap, 3),
            "seconds": round(result.elapsed_s, 2), "consortia": len(result.consortia),
            "alone": len(result.alone), "variables": result.variables,
            "adjusted_rand_index": round(adjusted_rand_score(planted, found), 4)})
    out["consortium_proposals"] = rows
    out["targets"] = {"gap_percent_at_most": 1, "seconds_at_most": 60, "adjusted_rand_index_at_least": 0.9}
    out["time_limit_s"] = time_limit
    out["workers"] = 2
    try:
        out["load_average_1min_end"] = round(os.getloadavg()[0], 1)
    except OSError:
        pass
    out["wall_seconds"] = round(time.perf_counter() - started, 1)
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
