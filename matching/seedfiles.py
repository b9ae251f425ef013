"""Read the shipped seed files into a :class:`matching.registry.Registry`, without a database.

Tests and benchmarks use this to work on the real registry: ``seed_data/municipalities.csv``
(current municipalities, plus merged-away ones with ``merged_into``), ``seed_data/projects.json``
(prior projects of the seed texts with their participants) and ``seed_data/evidence.json`` (the
cited evidence of ``projects-evidence.csv``, built by ``seed_data/build_evidence.py``), merged
by :func:`project_items` (the service's seed loads the same merge). Participations of a
merged-away municipality are handed over to its current successor, following ``merged_into``
until a current municipality (a 2017 project of Neerpelt belongs to Pelt). Pure csv/json.
"""

from __future__ import annotations

import copy
import csv
import json
from pathlib import Path
from typing import Any

from matching.registry import Municipality, Participation, Project, Registry

MUNICIPALITIES_FILE = "municipalities.csv"
PROJECTS_FILE = "projects.json"
EVIDENCE_FILE = "evidence.json"

#: Why a project of the seed texts carries the domain it has: the seeds give none (DOMAIN-FACTS,
#: "Domains are not in the source: assign them as curated data").
SEED_DOMAIN_REASON = "domain assigned from the title by the registry's curators; the seed text gives none"


class SeedFileError(ValueError):
    """A seed file is missing a column or refers to something that is not there."""


def load_municipalities(path: str | Path) -> tuple[tuple[Municipality, ...], dict[str, str]]:
    """Current municipalities of ``municipalities.csv`` and old REFNIS -> current REFNIS."""
    current: list[Municipality] = []
    merged: dict[str, str] = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row.get("merged_into"):
                merged[row["refnis"]] = row["merged_into"]
                continue
            current.append(
                Municipality(
                    refnis=row["refnis"],
                    name_nl=row["name_nl"],
                    name_fr=row["name_fr"] or None,
                    province=row["province"] or None,
                    region=row["region"],
                    is_centrumstad=row["is_centrumstad"].strip().lower() in {"1", "true", "yes"},
                    population=int(row["population"]),
                    latitude=float(row["latitude"]),
                    longitude=float(row["longitude"]),
                )
            )
    known = {m.refnis for m in current}
    resolved = {old: _follow(old, merged, known) for old in merged}
    return tuple(current), resolved


def _follow(refnis: str, merged: dict[str, str], known: set[str]) -> str:
    seen = {refnis}
    while refnis in merged:
        refnis = merged[refnis]
        if refnis in seen:
            raise SeedFileError(f"merger cycle through {refnis}")
        seen.add(refnis)
    if refnis not in known:
        raise SeedFileError(f"merger chain ends at {refnis}, not a current municipality")
    return refnis


def _deliverables(value: Any) -> frozenset[str]:
    """Deliverable flags from a list of names or from the seed file's dict of flags
    (``{"playbook": true, "oslo": ["..."], ...}``: a flag counts when its value is truthy)."""
    if isinstance(value, dict):
        return frozenset(name for name, flag in value.items() if flag)
    return frozenset(value or ())


def _seed_source(source_ref: str | None, documents: dict[str, dict]) -> dict[str, Any]:
    """The citation of a seed-text project: document and lines (``004 L2035 ...``)."""
    ref = source_ref or ""
    document = documents.get(ref[:3])
    if document is None:
        return {"url": None, "citation": ref or None, "date": None, "note": None}
    return {"url": None, "citation": f"{document['citation']}, seed {ref}",
            "date": document["date"], "note": None}


def evidence_level(item: dict[str, Any]) -> str:
    """Evidence level of a participation stated by the project's sources: ``source-stated``
    when a source states the domain (or the project has none), else ``source-classified``."""
    if not item.get("domains") or item.get("domain_basis") == "stated":
        return "source-stated"
    return "source-classified"


def project_items(directory: str | Path) -> list[dict[str, Any]]:
    """Projects of ``projects.json`` enriched and extended by ``evidence.json``, as dicts.

    Every project gets ``sources`` (url, citation, date, note), ``domain_basis``
    (``stated``/``classified``/None), ``domain_reason`` and ``programme_note``; every
    participation ``evidence`` (its evidence level) and ``source_url``. An enrichment adds
    sources and partners to a seed project and fills a placeholder title or missing domain.
    """
    directory = Path(directory)
    with open(directory / PROJECTS_FILE, encoding="utf-8") as handle:
        data = json.load(handle)
    base = copy.deepcopy(data["projects"] if isinstance(data, dict) else data)
    evidence_path = directory / EVIDENCE_FILE
    evidence: dict[str, Any] = {}
    if evidence_path.exists():
        with open(evidence_path, encoding="utf-8") as handle:
            evidence = json.load(handle)
    documents = evidence.get("seed_documents", {})
    by_key = {}
    for item in base:
        classified = bool(item.get("domains"))
        item.setdefault("domain_basis", "classified" if classified else None)
        item.setdefault("domain_reason", SEED_DOMAIN_REASON if classified else None)
        item.setdefault("programme_note", None)
        item.setdefault("sources", [_seed_source(item.get("source_ref"), documents)])
        if "key" in item:
            by_key[item["key"]] = item
    for extra in evidence.get("enrich", ()):
        item = by_key.get(extra["key"])
        if item is None:
            raise SeedFileError(f"{EVIDENCE_FILE} enriches unknown project {extra['key']!r}")
        item.update(copy.deepcopy(extra["fill"]))
        item["sources"] = item["sources"] + copy.deepcopy(extra["sources"])
        item["participations"] = item["participations"] + copy.deepcopy(extra["participations"])
    items = base + copy.deepcopy(list(evidence.get("projects", ())))
    for item in items:
        level = evidence_level(item)
        for member in item.get("participations", ()):
            member.setdefault("evidence", level)
            member.setdefault("source_url", None)
    return items


def _project(item: dict[str, Any], position: int) -> Project:
    """A project of the seed file; without an ``id`` its 1-based position in the file."""
    return Project(
        id=int(item.get("id", position)),
        title=item["title"],
        summary=item.get("summary") or "",
        programme=item.get("programme") or "",
        year=int(item["year"]),
        grant_cents=None if item.get("grant_cents") is None else int(item["grant_cents"]),
        status=item.get("status") or "unknown",
        domains=tuple(item.get("domains") or ()),
        deliverables=_deliverables(item.get("deliverables")),
    )


def load_projects(
    directory: str | Path, successor: dict[str, str], current: set[str]
) -> tuple[tuple[Project, ...], tuple[Participation, ...]]:
    """Projects of ``directory`` (:func:`project_items`) and their participations, resolved
    to current REFNIS."""
    items = project_items(directory)
    projects, participations = [], []
    for position, item in enumerate(items, start=1):
        project = _project(item, position)
        projects.append(project)
        for member in item.get("participations", ()):
            refnis = successor.get(member["refnis"], member["refnis"])
            if refnis not in current:
                raise SeedFileError(f"project {project.id}: unknown municipality {refnis}")
            participations.append(
                Participation(project.id, refnis, member["role"], member["evidence"])
            )
    return tuple(projects), tuple(participations)


def load_registry_from_seed_files(directory: str | Path) -> Registry:
    """The registry of the seed files in ``directory`` (projects optional)."""
    directory = Path(directory)
    municipalities, successor = load_municipalities(directory / MUNICIPALITIES_FILE)
    projects_path = directory / PROJECTS_FILE
    if not projects_path.exists():
        return Registry(municipalities=municipalities)
    projects, participations = load_projects(
        directory, successor, {m.refnis for m in municipalities}
    )
    return Registry(municipalities, projects, participations)
