"""Load the real reference data from ``seed_data/`` into the database, idempotently.

Municipalities, domains and organisations are reference data: they are inserted or updated to
match the files. Seeded projects (``projects.json`` with the cited evidence of ``evidence.json``)
are inserted when missing (by ``key``) and never overwritten, so an admin's corrections survive
a re-seed; a re-seed only adds the sources and participations the files have and the database
lacks. A seeded project the admin deleted stays deleted (a tombstone remembers its key).
"""

from __future__ import annotations

import csv
import json
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.models import (
    Domain,
    Municipality,
    Organisation,
    Participation,
    Project,
    ProjectSource,
    SeedTombstone,
)
from app.registry.service import fold
from matching.seedfiles import project_items

SEED_DIR = Path(__file__).resolve().parents[2] / "seed_data"


class SeedError(RuntimeError):
    """A seed file is missing or inconsistent."""


@dataclass
class SeedReport:
    created: dict[str, int] = field(default_factory=dict)
    updated: dict[str, int] = field(default_factory=dict)

    def count(self, kind: str, what: str) -> None:
        bucket = self.created if kind == "created" else self.updated
        bucket[what] = bucket.get(what, 0) + 1

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        if not self.changed:
            return "seed: nothing to change"
        parts = [f"created {n} {w}" for w, n in sorted(self.created.items())]
        parts += [f"updated {n} {w}" for w, n in sorted(self.updated.items())]
        return "seed: " + ", ".join(parts)


def _set(obj: Any, values: dict[str, Any]) -> bool:
    changed = False
    for key, value in values.items():
        if getattr(obj, key) != value:
            setattr(obj, key, value)
            changed = True
    return changed


def _int_or_none(text: str) -> int | None:
    return int(text) if text not in ("", None) else None


def _float_or_none(text: str) -> float | None:
    return round(float(text), 5) if text not in ("", None) else None


def load_municipalities(report: SeedReport, seed_dir: Path = SEED_DIR) -> None:
    path = seed_dir / "municipalities.csv"
    if not path.exists():
        raise SeedError(f"missing {path}; rebuild it with seed_data/build_municipalities.py")
    with path.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    existing = {m.refnis: m for m in db.session.scalars(select(Municipality))}
    new: set[str] = set()
    for row in rows:
        values = {
            "name_nl": row["name_nl"],
            "name_fr": row["name_fr"] or None,
            "name_search": fold(f"{row['name_nl']} {row['name_fr'] or ''}"),
            "province": row["province"] or None,
            "province_refnis": row["province_refnis"] or None,
            "region": row["region"],
            "is_centrumstad": row["is_centrumstad"] == "1",
            "population": _int_or_none(row["population"]),
            "population_source": row["population_source"] or None,
            "population_date": date.fromisoformat(row["population_date"]) if row["population_date"] else None,
            "latitude": _float_or_none(row["latitude"]),
            "longitude": _float_or_none(row["longitude"]),
            "coordinates_source": row["coordinates_source"] or None,
            "merged_on": date.fromisoformat(row["merged_on"]) if row.get("merged_on") else None,
        }
        m = existing.get(row["refnis"])
        if m is None:
            m = Municipality(refnis=row["refnis"], **values)
            db.session.add(m)
            existing[m.refnis] = m
            new.add(m.refnis)
            report.count("created", "municipalities")
        elif _set(m, values):
            report.count("updated", "municipalities")
    db.session.flush()
    for row in rows:
        m = existing[row["refnis"]]
        target = row["merged_into"] or None
        if target and target not in existing:
            raise SeedError(f"{row['refnis']} merged_into unknown REFNIS {target}")
        new_id = existing[target].id if target else None
        if m.merged_into_id != new_id:
            m.merged_into_id = new_id
            if row["refnis"] not in new:
                report.count("updated", "municipalities")


def load_domains(report: SeedReport, seed_dir: Path = SEED_DIR) -> None:
    data = json.loads((seed_dir / "domains.json").read_text(encoding="utf-8"))
    items = data["domains"] if isinstance(data, dict) else data
    existing = {d.code: d for d in db.session.scalars(select(Domain))}
    for position, item in enumerate(items):
        values = {
            "name_nl": item["name_nl"],
            "name_en": item["name_en"],
            "description_nl": item.get("description_nl", ""),
            "description_en": item.get("description_en", ""),
            "source_ref": item.get("source_ref") or item.get("source"),
            "position": position,
        }
        d = existing.get(item["code"])
        if d is None:
            db.session.add(Domain(code=item["code"], **values))
            report.count("created", "domains")
        elif _set(d, values):
            report.count("updated", "domains")
    db.session.flush()


def load_organisations(report: SeedReport, seed_dir: Path = SEED_DIR) -> None:
    path = seed_dir / "organisations.json"
    if not path.exists():
        return
    data = json.loads(path.read_text(encoding="utf-8"))
    items = data["organisations"] if isinstance(data, dict) else data
    existing = {o.name: o for o in db.session.scalars(select(Organisation))}
    for item in items:
        values = {"type": item["type"], "source_ref": item.get("source_ref")}
        o = existing.get(item["name"])
        if o is None:
            db.session.add(Organisation(name=item["name"], **values))
            report.count("created", "organisations")
        elif _set(o, values):
            report.count("updated", "organisations")
    db.session.flush()


def _sources(item: dict[str, Any]) -> list[ProjectSource]:
    return [ProjectSource(position=n, url=src.get("url"), citation=src.get("citation"),
                          source_date=src.get("date"), note=src.get("note"))
            for n, src in enumerate(item.get("sources", ()))]


def _participation(p: dict[str, Any], municipalities: dict[str, Municipality],
                   sources: list[ProjectSource], key: str) -> Participation:
    try:
        municipality = municipalities[p["refnis"]]
    except KeyError:
        raise SeedError(f"project {key}: unknown municipality {p['refnis']}") from None
    source = next((s for s in sources if s.url and s.url == p.get("source_url")), None)
    return Participation(municipality=municipality, role=p["role"],
                         evidence_level=p["evidence"], source=source)


def load_projects(report: SeedReport, seed_dir: Path = SEED_DIR) -> None:
    """Insert missing seeded projects (``projects.json`` merged with the cited evidence of
    ``evidence.json``, :func:`matching.seedfiles.project_items`) and enrich the ones already
    there with sources the database does not have yet, and the participations those new
    sources state. Titles, domains and amounts an admin may have corrected are left alone; a
    participation an admin removed after its source was loaded is not brought back."""
    items = project_items(seed_dir)
    existing = {p.key: p for p in db.session.scalars(
        select(Project).where(Project.key.is_not(None)).options(
            selectinload(Project.sources), selectinload(Project.participations)))}
    tombstones = set(db.session.scalars(select(SeedTombstone.key)))
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    municipalities = {m.refnis: m for m in db.session.scalars(select(Municipality))}
    for item in items:
        key = item["key"]
        if key in tombstones:
            continue
        project = existing.get(key)
        if project is not None:
            if _enrich(project, item, municipalities):
                report.count("updated", "projects")
            continue
        deliverables = item.get("deliverables") or {}
        project = Project(
            key=key,
            title=item["title"],
            title_en=item.get("title_en"),
            summary=item.get("summary", ""),
            programme=item["programme"],
            programme_note=item.get("programme_note"),
            year=item["year"],
            grant_cents=item.get("grant_cents"),
            total_budget_cents=item.get("total_budget_cents"),
            status=item.get("status", "unknown"),
            playbook=bool(deliverables.get("playbook")),
            model_specification=bool(deliverables.get("model_specification")),
            open_source=bool(deliverables.get("open_source")),
            open_data=bool(deliverables.get("open_data")),
            oslo_standards=list(deliverables.get("oslo") or []),
            vloca=bool(deliverables.get("vloca")),
            source_ref=item.get("source_ref"),
            curated=bool(item.get("curated")),
            domains_curated=bool(item.get("domains_curated")),
            domain_basis=item.get("domain_basis"),
            domain_reason=item.get("domain_reason"),
        )
        try:
            project.domains = [domains[c] for c in item.get("domains", [])]
        except KeyError as err:
            raise SeedError(f"project {key}: unknown domain {err}") from None
        project.sources = _sources(item)
        for p in item.get("participations", []):
            project.participations.append(
                _participation(p, municipalities, project.sources, key))
        db.session.add(project)
        report.count("created", "projects")
    db.session.flush()


def _enrich(project: Project, item: dict[str, Any],
            municipalities: dict[str, Municipality]) -> bool:
    """Add the sources of ``item`` that ``project`` lacks, with the participations they state
    (of municipalities not in the project yet), and fill an empty domain basis. True when
    something changed."""
    have = {(s.url, s.citation) for s in project.sources}
    new = [s for s in _sources(item) if (s.url, s.citation) not in have]
    if not new:
        return False
    for source in new:
        source.position = len(project.sources)
        project.sources.append(source)
    new_urls = {s.url for s in new if s.url}
    members = {p.municipality_id for p in project.participations}
    for p in item.get("participations", []):
        if p.get("source_url") not in new_urls:
            continue
        participation = _participation(p, municipalities, project.sources, project.key)
        if participation.municipality.id not in members:
            project.participations.append(participation)
            members.add(participation.municipality.id)
    if project.domain_basis is None and item.get("domain_basis") and project.domains:
        project.domain_basis = item["domain_basis"]
        project.domain_reason = item.get("domain_reason")
    return True


def seed_all(seed_dir: Path = SEED_DIR) -> SeedReport:
    """Load every seed file in one transaction; on any error nothing is written."""
    report = SeedReport()
    try:
        load_domains(report, seed_dir)
        load_municipalities(report, seed_dir)
        load_organisations(report, seed_dir)
        load_projects(report, seed_dir)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    return report
