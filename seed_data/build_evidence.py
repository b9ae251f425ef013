"""Rebuild ``seed_data/evidence.json`` from ``seed_data/projects-evidence.csv``.

Run: ``.venv/bin/python seed_data/build_evidence.py`` (``--check`` only verifies that the file
on disk is what the script would write). Pure standard library.

``projects-evidence.csv`` is a verbatim copy of ``shared/data/projects-evidence.csv``: 42 rows
of evidence about smart-city projects of Flemish municipalities, each with the public page it
comes from. Nothing in it is edited by hand; everything this script decides is in the tables
below, each with its reason, and every decision per row is written to ``evidence.json``
(``rows``) so ``docs/data.md`` and the tests can show it.

What the script does with a row:

* **enriches** a project already in ``projects.json`` (:data:`SAME_AS_SEED_PROJECT` says which
  and why): its source is added, partner municipalities it names are added as partners, a
  placeholder title or a missing domain is filled in, and a domain the page *states* upgrades
  the project's domain basis from ``classified`` to ``stated``;
* **creates** a project (rows with the same title describe the same project and become its
  sources);
* **skips** a row without any municipality (:data:`SKIPPED`, with the reason).

Roles: the ``lead_municipality`` leads, unless the source says the lead is not stated (then it
is a partner like the others); every ``partner_municipalities`` entry is a partner. A partner
written in the source under its pre-2025 name (``Borsbeek (now Antwerpen)``) is recorded under
that old REFNIS code; the registry hands it over to its successor.

Evidence: a participation is ``source-stated`` when the source states the project's domain and
``source-classified`` when the domain was inferred from the title (the reason is kept); the
merge of ``projects.json`` and ``evidence.json`` that the service and the tests load is
:func:`matching.seedfiles.project_items`.
"""

from __future__ import annotations

import csv
import hashlib
import json
import re
import sys
import unicodedata
from pathlib import Path

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "projects-evidence.csv"
MUNICIPALITIES = HERE / "municipalities.csv"
PROJECTS = HERE / "projects.json"
OUTPUT = HERE / "evidence.json"

DOMAINS = ("mobility", "environment", "living", "people", "governance", "economy")

#: CSV title -> (key of the projects.json project it describes, why we say so).
SAME_AS_SEED_PROJECT: dict[str, tuple[str, str]] = {
    "Slim beheer openbaar domein (camera's en sensoren op gemeentelijke voertuigen)": (
        "cot2017-edegem-slim-beheer-openbaar",
        "same lead, call year, grant (EUR 200,000) and title as 004 Table 19",
    ),
    "Slim beheer openbaar domein (Borsbeek als partnergemeente)": (
        "cot2017-edegem-slim-beheer-openbaar",
        "same lead, call year, grant and title as 004 Table 19; Borsbeek as partner",
    ),
    "Wegdekkwaliteitsinspectie (3D time-of-flight camera's op vuilniswagens)": (
        "cot2017-lubbeek-wegdekkwaliteitsinspectie",
        "same lead, call year, grant (EUR 200,000) and title as 004 Table 19",
    ),
    "Automatische wegdekcontrole (proefproject)": (
        "cot2017-lubbeek-wegdekkwaliteitsinspectie",
        "the City of Things 2017 road-surface project of Lubbeek (004 Table 19) in its pilot",
    ),
    "Mobiliteitsmanagement bij ANPR": (
        "cot2017-puurs-mobiliteitsmanagement-bij-anpr",
        "same title, lead (Puurs) and grant (EUR 135,296) as 004 Table 19",
    ),
    "Gemeentelijk sensornetwerk voor luchtkwaliteitsmetingen": (
        "cot2017-kampenhout-gemeentelijk-sensornetwerk-voor",
        "same title and lead as 004 Table 19 (grant EUR 199,000 vs 199,079.15 there)",
    ),
    "Luchtkwaliteit rond schoolomgevingen (City of Things-project met imec)": (
        "cot2017-kampenhout-gemeentelijk-sensornetwerk-voor",
        "the page names it Kampenhout's City of Things project with the same partner cities",
    ),
    "Vier IoT-projecten van Leuven (o.a. MoDi - Mobiliteit als een Dienst; "
    "open data in stadsadministratie)": (
        "cot2017-leuven-modi-2b-mobiliteit",
        "the page's mobility pillar is MoDi (004 Table 19: MoDi:2B); the other three Leuven "
        "projects of the table keep their own entries",
    ),
    "DAKS 2.0 (Data in Kleine Steden)": (
        "cot2022-oostkamp",
        "Oostkamp is the only Oostkamp lead among the 12 projects of City of Things 2022",
    ),
    "Urban Mining (hergebruik materialen van oude gebouwen)": (
        "cot2021-oostende-het-potentieel-van",
        "the title matches Oostende's City of Things 2021 project in seed 002 L25",
    ),
}

#: CSV title -> why the row is not loaded.
SKIPPED: dict[str, str] = {
    "(concept of the Vlaamse Gemeenschapscommissie; title not in retrieved excerpt)": (
        "the winner is the Vlaamse Gemeenschapscommissie, not a municipality; the source "
        "excerpt names no title or domain"
    ),
    "INVEST (interprovinciaal datagedreven detailhandelsbeleid)": (
        "only the five provinces and POM West-Vlaanderen take part; no municipality"
    ),
    "Mobilab Limburg": (
        "neither the row nor its source gives a year or date, and experience needs one "
        "(recency); Pelt, Peer and Oudsbergen can declare it themselves"
    ),
}

#: Programme code by the start of the CSV ``programme`` text (first match wins).
PROGRAMME_PREFIXES: tuple[tuple[str, str], ...] = (
    ("City of Things 2020", "city-of-things-2020"),
    ("Thematische oproep stadsvernieuwing 2020", "urban-renewal-2020"),
    ("Slim in de Stad", "slim-in-de-stad"),
    ("Smart Flanders", "smart-flanders"),
    ("Interreg", "interreg"),
    ("EFRO", "efro"),
    ("municipal initiative", "municipal-initiative"),
)

#: Seed lines that state the same participations as a row (added as a further source).
SEED_SOURCES: dict[str, dict[str, str | None]] = {
    "Smart Flanders datapiloot real-time parkeerdata (prototype Open Summer of Code)": {
        "url": None,
        "citation": "SERV, Informatierapport Slimme steden (8 april 2019), seed 004 L2016",
        "date": "2019-04-08",
        "note": "real-time parkeerdata als linked open data: Kortrijk, Gent, Leuven en "
        "Sint-Niklaas",
    },
}

#: Projects of the seeds (projects.json) are cited by their seed lines: document per prefix.
SEED_DOCUMENTS = {
    "004": ("SERV, Informatierapport Slimme steden", "2019-04-08"),
    "002": ("Smart Region Office, presentatie City of Things", None),
    "000": ("Vlaams Parlement, conceptnota slimme steden", None),
}

_FORMER_NAME = re.compile(r"([A-Z][\w-]+) \((?:now|merged into) ([A-Z][\w-]+)")


class EvidenceError(ValueError):
    """A row the tables above do not account for, or that contradicts the registry."""


def fold(text: str) -> str:
    """Lower case without accents, for name look-ups."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return plain.strip().lower()


def slug(text: str, words: int = 6) -> str:
    parts = re.findall(r"[a-z0-9]+", fold(text))
    return "-".join(parts[:words])


def load_names() -> dict[str, tuple[str, str]]:
    """Folded Dutch name -> (REFNIS, current REFNIS), current and merged-away municipalities."""
    with MUNICIPALITIES.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    merged = {r["refnis"]: r["merged_into"] for r in rows if r["merged_into"]}

    def current(refnis: str) -> str:
        while refnis in merged:
            refnis = merged[refnis]
        return refnis

    names: dict[str, tuple[str, str]] = {}
    for r in rows:
        key = fold(r["name_nl"])
        # a current municipality wins over a merged-away one of the same name (Puurs vs ...)
        if key not in names or not r["merged_into"]:
            names[key] = (r["refnis"], current(r["refnis"]))
    return names


def programme_of(text: str, year: int | None) -> str:
    if text == "City of Things" and year is not None:
        return f"city-of-things-{year}"
    for prefix, code in PROGRAMME_PREFIXES:
        if text.startswith(prefix):
            return code
    return "not-stated"


def cents(text: str) -> int | None:
    return int(text) * 100 if text.strip() else None


def status_of(text: str) -> str:
    lowered = text.lower()
    if "completed" in lowered or "liep onlangs af" in lowered:
        return "completed"
    if "announced" in lowered:  # not "planned autumn 2018": whether it happened is unknown
        return "planned"
    return "unknown"


def host(url: str) -> str:
    match = re.match(r"https?://(?:www\.)?([^/]+)", url)
    return match.group(1) if match else url


def source_of(row: dict[str, str], number: int) -> dict:
    note = row["name_as_in_source"]
    if row["status"]:
        note += f"; status: {row['status']}"
    return {
        "url": row["source_url"],
        "citation": host(row["source_url"]),
        "date": row["source_date"] or None,
        "note": note,
        "row": number,
    }


def participants(row: dict[str, str], names: dict[str, tuple[str, str]]) -> list[dict]:
    """(refnis, role) of the municipalities of a row, under the name the source used."""
    former = {now: old for old, now in _FORMER_NAME.findall(row["name_as_in_source"])}
    lead_stated = "lead not stated" not in row["name_as_in_source"]
    found: list[dict] = []
    lead = row["lead_municipality"].strip()
    entries = ([(lead, "lead" if lead_stated else "partner")] if lead else []) + [
        (name.strip(), "partner") for name in row["partner_municipalities"].split(";")
        if name.strip()
    ]
    for name, role in entries:
        recorded = former.get(name, name)
        try:
            refnis, _ = names[fold(recorded)]
        except KeyError:
            raise EvidenceError(f"unknown municipality {recorded!r} in {row['title']!r}") from None
        found.append({"refnis": refnis, "role": role, "source_url": row["source_url"]})
    return found


def _domain(row: dict[str, str]) -> tuple[list[str], str | None, str | None]:
    domain = row["domain"].strip()
    if not domain:
        return [], None, row["domain_reason"] or None
    if domain not in DOMAINS:
        raise EvidenceError(f"unknown domain {domain!r} in {row['title']!r}")
    return [domain], row["domain_basis"], row["domain_reason"]


def _add_participations(target: list[dict], new: list[dict], current: dict[str, str],
                        present: set[str]) -> None:
    """Append ``new`` participations whose current municipality is not in ``present`` yet."""
    for p in new:
        now = current[p["refnis"]]
        if now not in present:
            present.add(now)
            target.append(p)


def build() -> dict:
    names = load_names()
    current = {refnis: now for refnis, now in names.values()}
    seed_projects = {p["key"]: p for p in json.loads(PROJECTS.read_text(encoding="utf-8"))}
    with SOURCE.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))

    enrich: dict[str, dict] = {}
    created: dict[str, dict] = {}
    outcomes = []
    for number, row in enumerate(rows, start=2):  # line 1 is the header
        title = row["title"]
        if title in SKIPPED:
            outcomes.append({"row": number, "title": title, "outcome": "skipped",
                             "project_key": None, "reason": SKIPPED[title]})
            continue
        domains, basis, reason = _domain(row)
        members = participants(row, names)
        source = source_of(row, number)
        if title in SAME_AS_SEED_PROJECT:
            key, why = SAME_AS_SEED_PROJECT[title]
            base = seed_projects[key]
            entry = enrich.setdefault(key, {"key": key, "fill": {}, "sources": [],
                                            "participations": []})
            present = {current.get(p["refnis"], p["refnis"]) for p in base["participations"]}
            present |= {current[p["refnis"]] for p in entry["participations"]}
            _add_participations(entry["participations"], members, current, present)
            entry["sources"].append(source)
            if base["domains"] and domains and base["domains"] != domains:
                raise EvidenceError(f"{title!r}: domain {domains} differs from {key}")
            if not base["domains"] and domains:
                entry["fill"].update(title=title, domains=domains)
            if domains and (basis == "stated" or "domain_basis" not in entry["fill"]):
                entry["fill"].update(domain_basis=basis, domain_reason=reason)
            outcomes.append({"row": number, "title": title, "outcome": "enriches",
                             "project_key": key, "reason": why})
            continue
        if not members:
            raise EvidenceError(f"row {number} {title!r}: no municipality and not in SKIPPED")
        key = "ev-" + slug(title)
        year = int(row["call_year"]) if row["call_year"] else None
        project = created.get(key)
        if project is None:
            programme = programme_of(row["programme"], year)
            if year is None and row["source_date"]:
                year = int(row["source_date"][:4])
                year_note = " Het jaar is dat van de bron; de bron noemt geen oproepjaar."
            else:
                year_note = ""
            others = row["other_partners"].strip()
            # The summary holds only what the row says beyond its other columns (the programme
            # as the source words it is ``programme_note``): a repeated sentence would make the
            # projects look alike to the double-funding check (matching/similar.py).
            summary = f"Andere partners: {others.replace(';', ', ')}." if others else ""
            grant = cents(row["grant_eur"])
            if reason and "lumped" in reason:
                summary += f" Subsidie voor de projecten samen: EUR {row['grant_eur']}."
                summary = summary.strip()
                grant = None
            project = created[key] = {
                "key": key,
                "title": title,
                "title_en": None,
                "summary": (summary + year_note).strip(),
                "programme": programme,
                "programme_note": row["programme"],
                "year": year,
                "grant_cents": grant,
                "total_budget_cents": cents(row["total_budget_eur"]),
                "status": status_of(row["status"]),
                "domains": domains,
                "domain_basis": basis,
                "domain_reason": reason,
                "sources": [],
                "participations": [],
                "_present": set(),
            }
            outcome = "creates"
        else:
            outcome = "adds a source"
            if project["year"] is None and year is not None:
                project["year"] = year
            for field, column in (("grant_cents", "grant_eur"),
                                  ("total_budget_cents", "total_budget_eur")):
                if project[field] is None and row[column]:
                    project[field] = cents(row[column])
        project["sources"].append(source)
        _add_participations(project["participations"], members, current, project["_present"])
        outcomes.append({"row": number, "title": title, "outcome": outcome,
                         "project_key": key, "reason": None})
    for title, extra in SEED_SOURCES.items():
        created["ev-" + slug(title)]["sources"].append(dict(extra, row=None))
    for project in created.values():
        del project["_present"]
        if project["year"] is None:
            raise EvidenceError(f"{project['key']}: no year in any source")
    return {
        "source_file": SOURCE.name,
        "source_sha256": hashlib.sha256(SOURCE.read_bytes()).hexdigest(),
        "rows": outcomes,
        "enrich": list(enrich.values()),
        "projects": list(created.values()),
        "seed_documents": {k: {"citation": v[0], "date": v[1]} for k, v in SEED_DOCUMENTS.items()},
    }


def render(data: dict) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2) + "\n"


def main(argv: list[str]) -> int:
    text = render(build())
    if "--check" in argv:
        if OUTPUT.read_text(encoding="utf-8") != text:
            print(f"{OUTPUT.name} is out of date; run seed_data/build_evidence.py")
            return 1
        print(f"{OUTPUT.name} is up to date")
        return 0
    OUTPUT.write_text(text, encoding="utf-8")
    data = json.loads(text)
    counts: dict[str, int] = {}
    for row in data["rows"]:
        counts[row["outcome"]] = counts.get(row["outcome"], 0) + 1
    print(f"wrote {OUTPUT.name}: {len(data['rows'])} rows ({counts}), "
          f"{len(data['projects'])} new projects, {len(data['enrich'])} enriched")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
