"""Import and export of projects for the secretariat: one CSV/XLSX format both ways.

One row per project, keyed by ``key`` (a stable external key: ``cot2017-edegem-...``,
``ev-...``, ``project-<id>``). Export writes every project in this format; import reads the
same format, so an exported file imported again changes nothing. Columns (docs/api.md):

``key, title, title_en, summary, programme, programme_note, year, grant_eur,
total_budget_eur, status, domains, domain_basis, domain_reason, participations, sources,
playbook, model_specification, open_source, open_data, oslo, vloca``

* amounts in euro with at most two decimals (``199079.15``), stored as cents;
* ``domains`` and ``oslo``: ``;``-separated codes;
* ``participations``: ``;``-separated ``REFNIS role evidence`` (``11029 partner
  source-classified``); the REFNIS code as recorded (a merged-away code is kept);
* ``sources``: one source per line, ``url | date | citation | note`` (empty fields allowed);
* flags ``1``/``0``.

:func:`plan_import` compares every row with the registry and answers per row ``create``,
``update`` (with the changed fields), ``unchanged`` or ``error`` (with field messages), plus how
many projects the file leaves alone; :func:`apply_import` writes a plan in one transaction.
Rejected declarations are neither exported nor touched by an import.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.extensions import db
from app.core.limits import YEAR_MAX, YEAR_MIN
from app.core.transaction import transactional
from app.models import (
    EVIDENCE_LEVELS,
    PARTICIPATION_ROLES,
    PROGRAMMES,
    PROJECT_STATUSES,
    Domain,
    Municipality,
    Participation,
    Project,
    ProjectSource,
    SeedTombstone,
)

COLUMNS: tuple[str, ...] = (
    "key", "title", "title_en", "summary", "programme", "programme_note", "year", "grant_eur",
    "total_budget_eur", "status", "domains", "domain_basis", "domain_reason", "participations",
    "sources", "playbook", "model_specification", "open_source", "open_data", "oslo", "vloca",
)
FLAGS: tuple[str, ...] = ("playbook", "model_specification", "open_source", "open_data", "vloca")
KEY_PATTERN = re.compile(r"^[a-z0-9][a-z0-9-]{0,119}$")
#: Largest file accepted, in bytes (5,000 projects export to about 3 MB).
MAX_FILE_BYTES = 10 * 1024 * 1024
ACTIONS: tuple[str, ...] = ("create", "update", "unchanged", "error")


class TransferError(ValueError):
    """The file as a whole cannot be read (format, header, size): names the field ``file``."""

    field = "file"


# --- one record: the comparable form of a project, from the database or from a row ---------

def _euro(cents: int | None) -> str:
    if cents is None:
        return ""
    return f"{cents // 100}.{cents % 100:02d}" if cents % 100 else str(cents // 100)


def _source_line(source: tuple[str | None, ...]) -> str:
    return " | ".join(value or "" for value in source)


def record_of_project(project: Project) -> dict[str, Any]:
    """The project as a record (what export writes and import compares)."""
    return {
        "key": project.key,
        "title": project.title,
        "title_en": project.title_en or None,
        "summary": project.summary or "",
        "programme": project.programme,
        "programme_note": project.programme_note or None,
        "year": project.year,
        "grant_cents": project.grant_cents,
        "total_budget_cents": project.total_budget_cents,
        "status": project.status,
        "domains": tuple(d.code for d in project.domains),
        "domain_basis": project.domain_basis,
        "domain_reason": project.domain_reason or None,
        "participations": tuple(
            (p.municipality.refnis, p.role, p.evidence_level)
            for p in project.participations if p.review_status != "rejected"
        ),
        "sources": tuple((s.url or None, s.source_date or None, s.citation or None, s.note or None)
                         for s in project.sources),
        **{flag: bool(getattr(project, flag)) for flag in FLAGS},
        "oslo": tuple(project.oslo_standards or ()),
    }


def row_of_record(record: dict[str, Any]) -> dict[str, str]:
    """The record as text cells, in :data:`COLUMNS` order."""
    return {
        "key": record["key"],
        "title": record["title"],
        "title_en": record["title_en"] or "",
        "summary": record["summary"],
        "programme": record["programme"],
        "programme_note": record["programme_note"] or "",
        "year": str(record["year"]),
        "grant_eur": _euro(record["grant_cents"]),
        "total_budget_eur": _euro(record["total_budget_cents"]),
        "status": record["status"],
        "domains": ";".join(record["domains"]),
        "domain_basis": record["domain_basis"] or "",
        "domain_reason": record["domain_reason"] or "",
        "participations": "; ".join(" ".join(p) for p in record["participations"]),
        "sources": "\n".join(_source_line(s) for s in record["sources"]),
        **{flag: "1" if record[flag] else "0" for flag in FLAGS},
        "oslo": ";".join(record["oslo"]),
    }


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)  # a spreadsheet turns 2017 into 2017.0
    return str(value).strip()


def _cents(value: str, name: str, errors: list[dict[str, str]]) -> int | None:
    if not value:
        return None
    try:
        amount = Decimal(value.replace(",", "."))
    except InvalidOperation:
        errors.append({"field": name, "message": f"{value!r} is not an amount in euro"})
        return None
    if not amount.is_finite() or amount < 0 or amount != amount.quantize(Decimal("0.01")):
        errors.append({"field": name, "message": "an amount in euro >= 0 with at most two "
                                                 f"decimals, got {value!r}"})
        return None
    return int(amount * 100)


def _choice(value: str, name: str, valid: tuple[str, ...], errors: list[dict[str, str]],
            optional: bool = False) -> str | None:
    if not value and optional:
        return None
    if value not in valid:
        errors.append({"field": name, "message": f"{value!r} is not one of {', '.join(valid)}"})
        return None
    return value


def record_of_row(row: dict[str, Any], domains: set[str]) -> tuple[dict[str, Any], list]:
    """Parse one row into a record; ``(record, errors)`` with errors as ``{field, message}``.
    REFNIS codes are checked against the registry later (:func:`plan_import`)."""
    cells = {name: _text(row.get(name)) for name in COLUMNS}
    errors: list[dict[str, str]] = []
    if not KEY_PATTERN.match(cells["key"]):
        errors.append({"field": "key", "message": "required: lower-case letters, digits and "
                                                  "hyphens, at most 120 characters"})
    if not cells["title"]:
        errors.append({"field": "title", "message": "required"})
    elif len(cells["title"]) > 300:
        errors.append({"field": "title", "message": "at most 300 characters"})
    year = None
    try:
        year = int(cells["year"])
        if not YEAR_MIN <= year <= YEAR_MAX:
            raise ValueError
    except ValueError:
        errors.append({"field": "year", "message": f"a year from {YEAR_MIN} to {YEAR_MAX}, got "
                                                   f"{cells['year']!r}"})
        year = None
    codes = tuple(c.strip() for c in cells["domains"].split(";") if c.strip())
    for code in codes:
        if code not in domains:
            errors.append({"field": "domains", "message": f"unknown domain {code!r}; valid: "
                                                          f"{', '.join(sorted(domains))}"})
    participations = []
    for n, entry in enumerate(p for p in cells["participations"].split(";") if p.strip()):
        parts = entry.split()
        if len(parts) != 3:
            errors.append({"field": f"participations.{n}",
                           "message": f"{entry.strip()!r} is not 'REFNIS role evidence'"})
            continue
        refnis, role, level = parts
        if not (len(refnis) == 5 and refnis.isdigit()):
            errors.append({"field": f"participations.{n}",
                           "message": f"{refnis!r} is not a 5-digit REFNIS code"})
        _choice(role, f"participations.{n}.role", PARTICIPATION_ROLES, errors)
        _choice(level, f"participations.{n}.evidence", EVIDENCE_LEVELS, errors)
        participations.append((refnis, role, level))
    if len({p[0] for p in participations}) != len(participations):
        errors.append({"field": "participations", "message": "a municipality appears twice"})
    sources = []
    for n, line in enumerate(s for s in cells["sources"].splitlines() if s.strip()):
        fields = [f.strip() or None for f in line.split("|")]
        if len(fields) > 4:
            errors.append({"field": f"sources.{n}", "message": "at most 4 fields: url | date | "
                                                               "citation | note"})
            continue
        fields += [None] * (4 - len(fields))
        if not (fields[0] or fields[2]):
            errors.append({"field": f"sources.{n}", "message": "a url or a citation"})
        if fields[1] and not re.match(r"^\d{4}(-\d{2}(-\d{2})?)?$", fields[1]):
            errors.append({"field": f"sources.{n}.date", "message": "YYYY, YYYY-MM or YYYY-MM-DD"})
        sources.append(tuple(fields))
    flags = {}
    for flag in FLAGS:
        value = cells[flag] or "0"
        if value not in ("0", "1"):
            errors.append({"field": flag, "message": f"1 or 0, got {value!r}"})
        flags[flag] = value == "1"
    record = {
        "key": cells["key"],
        "title": cells["title"],
        "title_en": cells["title_en"] or None,
        "summary": cells["summary"],
        "programme": _choice(cells["programme"], "programme", PROGRAMMES, errors),
        "programme_note": cells["programme_note"] or None,
        "year": year,
        "grant_cents": _cents(cells["grant_eur"], "grant_eur", errors),
        "total_budget_cents": _cents(cells["total_budget_eur"], "total_budget_eur", errors),
        "status": _choice(cells["status"] or "unknown", "status", PROJECT_STATUSES, errors),
        "domains": codes,
        "domain_basis": _choice(cells["domain_basis"], "domain_basis", ("stated", "classified"),
                                errors, optional=True),
        "domain_reason": cells["domain_reason"] or None,
        "participations": tuple(participations),
        "sources": tuple(sources),
        **flags,
        "oslo": tuple(c.strip() for c in cells["oslo"].split(";") if c.strip()),
    }
    grant, total = record["grant_cents"], record["total_budget_cents"]
    if grant is not None and total is not None and grant > total:
        errors.append({"field": "grant_eur", "message": "must not exceed total_budget_eur"})
    return record, errors


# --- files -------------------------------------------------------------------------------

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
    writer = csv.DictWriter(out, fieldnames=COLUMNS)
    writer.writeheader()
    writer.writerows(export_rows())
    return out.getvalue()


def read_rows(data: bytes, filename: str | None, content_type: str | None) -> list[dict]:
    """Rows of an uploaded CSV (UTF-8, optional BOM; comma or semicolon) or XLSX file."""
    if len(data) > MAX_FILE_BYTES:
        raise TransferError(f"file larger than {MAX_FILE_BYTES // (1024 * 1024)} MB")
    name = (filename or "").lower()
    is_xlsx = name.endswith(".xlsx") or data[:2] == b"PK" or (
        content_type or "").startswith("application/vnd.openxmlformats")
    rows = _xlsx_rows(data) if is_xlsx else _csv_rows(data)
    if not rows:
        raise TransferError("the file has no header row")
    header = [(_text(h) or "").lower() for h in rows[0]]
    missing = [c for c in ("key", "title", "programme", "year") if c not in header]
    unknown = [h for h in header if h and h not in COLUMNS]
    if missing or unknown:
        parts = []
        if missing:
            parts.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            parts.append(f"unknown column(s) {', '.join(unknown)}")
        raise TransferError("; ".join(parts) + f"; the columns are {', '.join(COLUMNS)}")
    return [dict(zip(header, values, strict=False)) for values in rows[1:]
            if any(_text(v) for v in values)]


def _csv_rows(data: bytes) -> list[list[str]]:
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise TransferError("a CSV file must be UTF-8") from None
    first = text.split("\n", 1)[0]
    delimiter = ";" if first.count(";") > first.count(",") else ","
    return list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))


def _xlsx_rows(data: bytes) -> list[list[Any]]:
    from openpyxl import load_workbook

    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
    except Exception:  # openpyxl raises many kinds for a broken file
        raise TransferError("not a readable XLSX file") from None
    sheet = book.worksheets[0]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    book.close()
    return rows


def export_xlsx() -> bytes:
    """The same rows as one XLSX sheet (every cell text, so nothing is reformatted)."""
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "projects"
    sheet.append(list(COLUMNS))
    for row in export_rows():
        sheet.append([row[c] for c in COLUMNS])
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
