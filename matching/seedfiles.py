"""Read the shipped seed files into a :class:`matching.registry.Registry`, without a database.

Tests and benchmarks use this to work on the real registry: ``seed_data/municipalities.csv``
(current municipalities, plus merged-away ones with ``merged_into``) and
``seed_data/projects.json`` (prior projects with their participants). Participations of a
merged-away municipality are handed over to its current successor, following ``merged_into``
until a current municipality (a 2017 project of Neerpelt belongs to Pelt). Pure csv/json.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

from matching.registry import Municipality, Participation, Project, Registry

MUNICIPALITIES_FILE = "municipalities.csv"
PROJECTS_FILE = "projects.json"


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
    path: str | Path, successor: dict[str, str], current: set[str]
) -> tuple[tuple[Project, ...], tuple[Participation, ...]]:
    """Projects of ``projects.json`` and their participations, resolved to current REFNIS."""
    with open(path, encoding="utf-8") as handle:
        data = json.load(handle)
    items = data["projects"] if isinstance(data, dict) else data
    projects, participations = [], []
    for position, item in enumerate(items, start=1):
        project = _project(item, position)
        projects.append(project)
        for member in item.get("participations", ()):
            refnis = successor.get(member["refnis"], member["refnis"])
            if refnis not in current:
                raise SeedFileError(f"project {project.id}: unknown municipality {refnis}")
            participations.append(Participation(project.id, refnis, member["role"]))
    return tuple(projects), tuple(participations)


def load_registry_from_seed_files(directory: str | Path) -> Registry:
    """The registry of the seed files in ``directory`` (projects optional)."""
    directory = Path(directory)
    municipalities, successor = load_municipalities(directory / MUNICIPALITIES_FILE)
    projects_path = directory / PROJECTS_FILE
    if not projects_path.exists():
        return Registry(municipalities=municipalities)
    projects, participations = load_projects(
        projects_path, successor, {m.refnis for m in municipalities}
    )
    return Registry(municipalities, projects, participations)
