"""Import and export of projects for the secretariat, in the project file format
(``app.registry.project_file``): an exported file imported again changes nothing.

:func:`plan_import` compares every row with the registry and answers per row ``create``,
``update`` (with the changed fields), ``unchanged`` or ``error`` (with field messages), plus how
many projects the file leaves alone; :func:`write_import` writes a plan in one audited
transaction. Rejected declarations are neither exported nor touched by an import.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core import spreadsheets
from app.core.extensions import db
from app.core.transaction import transactional
from app.models import (
    Domain,
    Municipality,
    Participation,
    Project,
    ProjectSource,
    SeedTombstone,
)
from app.registry.project_file import (
    COLUMNS,
    FLAGS,
    TransferError,
    read_rows,
    record_of_project,
    record_of_row,
    row_of_record,
)

ACTIONS: tuple[str, ...] = ("create", "update", "unchanged", "error")

__all__ = ["TransferError", "export_csv", "export_xlsx", "import_projects", "plan_import"]


# --- export ----------------------------------------------------------------------------------

def export_rows() -> list[dict[str, str]]:
    """Every project as a row, ordered by key."""
    projects = db.session.scalars(
        select(Project).options(
            selectinload(Project.domains), selectinload(Project.sources),
            selectinload(Project.participations).selectinload(Participation.municipality),
        ).order_by(Project.key)
    )
    return [row_of_record(record_of_project(p)) for p in projects]


def export_csv() -> str:
    """The projects as CSV text (UTF-8, header row, ``\\r\\n`` line ends as ``csv`` writes)."""
    out = io.StringIO()
    writer = spreadsheets.csv_dict_writer(out, COLUMNS)
    writer.writeheader()
    writer.writerows(export_rows())
    return out.getvalue()


def export_xlsx() -> bytes:
    """The same rows as one XLSX sheet (every cell text, so nothing is reformatted)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "projects"
    sheet.append(list(COLUMNS))
    for row in export_rows():
        spreadsheets.xlsx_append(sheet, [row[c] for c in COLUMNS])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


# --- the plan and its application ----------------------------------------------------------

@dataclass
class RowPlan:
    row: int
    """Row number in the file (the header is row 1)."""
    key: str
    action: str
    changes: list[str] = field(default_factory=list)
    errors: list[dict[str, str]] = field(default_factory=list)
    record: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"row": self.row, "key": self.key, "action": self.action,
                "changes": self.changes, "errors": self.errors}


@dataclass
class ImportPlan:
    rows: list[RowPlan]
    left: int
    """Projects of the registry the file does not mention (left as they are)."""

    @property
    def ok(self) -> bool:
        return all(r.action != "error" for r in self.rows)

    def counts(self) -> dict[str, int]:
        counts = {action: 0 for action in ACTIONS}
        for r in self.rows:
            counts[r.action] += 1
        return counts | {"left": self.left}

    def as_dict(self) -> dict[str, Any]:
        return {"summary": self.counts(), "rows": [r.as_dict() for r in self.rows]}


def _compare(record: dict[str, Any], current: dict[str, Any]) -> list[str]:
    changed = []
    for name in record:
        a, b = record[name], current[name]
        if name == "participations":
            a, b = sorted(a), sorted(b)
        if a != b:
            changed.append(name)
    return changed


def plan_import(rows: list[dict[str, Any]]) -> ImportPlan:
    """Compare every row with the registry; nothing is written."""
    domains = set(db.session.scalars(select(Domain.code)))
    known = set(db.session.scalars(select(Municipality.refnis)))
    existing = {p.key: p for p in db.session.scalars(
        select(Project).options(
            selectinload(Project.domains), selectinload(Project.sources),
            selectinload(Project.participations).selectinload(Participation.municipality),
        ))}
    seen: dict[str, int] = {}
    plans = []
    for number, row in enumerate(rows, start=2):
        record, errors = record_of_row(row, domains)
        for n, (refnis, _, _) in enumerate(record["participations"]):
            if len(refnis) == 5 and refnis.isdigit() and refnis not in known:
                errors.append({"field": f"participations.{n}",
                               "message": f"unknown REFNIS code {refnis}"})
        key = record["key"]
        if key in seen:
            errors.append({"field": "key", "message": f"also on row {seen[key]}"})
        seen.setdefault(key, number)
        if errors:
            plans.append(RowPlan(number, key, "error", errors=errors))
            continue
        project = existing.get(key)
        if project is None:
            plans.append(RowPlan(number, key, "create", record=record))
            continue
        changes = _compare(record, record_of_project(project))
        plans.append(RowPlan(number, key, "update" if changes else "unchanged", changes=changes,
                             record=record))
    left = len(set(existing) - set(seen))
    return ImportPlan(plans, left)


def apply_import(plan: ImportPlan) -> None:
    """Write the creates and updates of an error-free plan (inside :func:`write_import`)."""
    if not plan.ok:
        raise ValueError("a plan with errors is not applied")
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    municipalities = {m.refnis: m for m in db.session.scalars(select(Municipality))}
    with db.session.no_autoflush:
        for row in plan.rows:
            if row.action not in ("create", "update"):
                continue
            record = row.record
            project = db.session.scalar(select(Project).where(Project.key == record["key"]))
            if project is None:
                project = Project(key=record["key"])
                db.session.add(project)
                tombstone = db.session.get(SeedTombstone, record["key"])
                if tombstone is not None:
                    db.session.delete(tombstone)
            _write(project, record, domains, municipalities)
    db.session.flush()


def _write(project: Project, record: dict[str, Any], domains: dict, municipalities: dict) -> None:
    for name in ("title", "title_en", "summary", "programme", "programme_note", "year",
                 "grant_cents", "total_budget_cents", "status", "domain_basis", "domain_reason",
                 *FLAGS):
        if getattr(project, name) != record[name]:
            setattr(project, name, record[name])
    if list(project.oslo_standards or []) != list(record["oslo"]):
        project.oslo_standards = list(record["oslo"])
    if tuple(d.code for d in project.domains) != record["domains"]:
        project.domains = [domains[c] for c in record["domains"]]
    current = [(s.url or None, s.source_date or None, s.citation or None, s.note or None)
               for s in project.sources]
    if current != list(record["sources"]):
        project.sources.clear()
        for position, (url, date, citation, note) in enumerate(record["sources"]):
            project.sources.append(ProjectSource(position=position, url=url, source_date=date,
                                                 citation=citation, note=note))
    wanted = set(record["participations"])
    for p in list(project.participations):
        if p.review_status == "rejected":
            continue
        triple = (p.municipality.refnis, p.role, p.evidence_level)
        if triple in wanted:
            wanted.discard(triple)
        else:
            project.participations.remove(p)
    if wanted:
        db.session.flush()  # removed rows first: (project, municipality) is unique
    rejected = {p.municipality.refnis: p for p in project.participations
                if p.review_status == "rejected"}
    for refnis, role, level in record["participations"]:
        if (refnis, role, level) not in wanted:
            continue
        review = "pending" if level == "declared" else None
        again = rejected.get(refnis)
        if again is not None:  # the secretariat now imports what it rejected before
            again.role, again.evidence_level, again.review_status = role, level, review
            continue
        project.participations.append(Participation(
            municipality=municipalities[refnis], role=role, evidence_level=level,
            review_status=review,
        ))


def import_projects(data: bytes, filename: str | None, content_type: str | None,
                    dry_run: bool, actor: Any) -> tuple[ImportPlan, bool]:
    """Read, plan and (unless ``dry_run`` or a row has an error) apply an import in one
    transaction with one audit entry. Returns ``(plan, written)``; raises
    :class:`TransferError` for a file that cannot be read."""
    plan = plan_import(read_rows(data, filename, content_type))
    if dry_run or not plan.ok:
        db.session.rollback()
        return plan, False
    if not any(r.action in ("create", "update") for r in plan.rows):
        return plan, False
    write_import(plan, filename, actor)
    return plan, True


@transactional("projects.import", payload=lambda _result, plan, filename, **_: {
    "file": filename, "summary": plan.counts(),
    "created": [r.key for r in plan.rows if r.action == "create"],
    "updated": {r.key: r.changes for r in plan.rows if r.action == "update"}})
def write_import(plan: ImportPlan, filename: str | None, actor: Any) -> None:
    """Write an error-free plan; audited with what it created and changed."""
    apply_import(plan)
