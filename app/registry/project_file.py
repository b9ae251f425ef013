"""The secretariat's project file: one CSV/XLSX format, both ways (docs/api.md).

One row per project, keyed by ``key`` (a stable external key: ``cot2017-edegem-...``,
``ev-...``, ``project-<id>``). Columns:

``key, title, title_en, summary, programme, programme_note, year, grant_eur,
total_budget_eur, status, domains, domain_basis, domain_reason, participations, sources,
playbook, model_specification, open_source, open_data, oslo, vloca``

* amounts in euro with at most two decimals (``199079.15``), stored as cents;
* ``domains`` and ``oslo``: ``;``-separated codes;
* ``participations``: ``;``-separated ``REFNIS role evidence`` (``11029 partner
  source-classified``); the REFNIS code as recorded (a merged-away code is kept);
* ``sources``: one source per line, ``url | date | citation | note`` (empty fields allowed);
* flags ``1``/``0``.

This module reads and writes the format: a project as a comparable *record*
(:func:`record_of_project`), a record as a file row and back (:func:`row_of_record`,
:func:`record_of_row` with field errors), and the rows of an uploaded file (:func:`read_rows`).
What an import does with them is ``app.registry.transfer``.
"""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from app.core import spreadsheets
from app.core.limits import YEAR_MAX, YEAR_MIN
from app.models import (
    EVIDENCE_LEVELS,
    PARTICIPATION_ROLES,
    PROGRAMMES,
    PROJECT_STATUSES,
    Project,
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
    # undo the export's formula escape (app.core.spreadsheets), so export -> import is lossless
    return [[spreadsheets.unescape(cell) for cell in row]
            for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter)]


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
