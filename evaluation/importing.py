"""Bulk import of applications from CSV or JSON, with a validation report per row.

Every row goes through :func:`evaluation.applications.application_from_dict`, so the file obeys
the same shape rules as the web form. Nothing is imported from a file with an error unless the
admin chooses ``import_valid_rows=True``; then the valid rows are imported and the report still
lists the rejected ones.

Row numbers are what a person sees: in a CSV file the spreadsheet line (the header is line 1,
the first application line 2); in a JSON file the position in the array, counting from 1.

CSV columns (header names, any order; ``;`` or ``,`` as delimiter, UTF-8 or Windows-1252):

    lead, title, summary, domains, partners, requested_grant_cents, total_budget_cents,
    cofinancing_cents, playbook, model_specification, open_source, open_data, oslo, vloca,
    prior_projects, committed_followers, knowledge_sharing

List cells (domains, partners, oslo, prior_projects, committed_followers, knowledge_sharing)
separate items with ``|``, or with ``;``/``,`` when that is not the file's delimiter. A partner
is a REFNIS code (or ``VGC``) or ``org:<id>`` / ``org:<id>:<type>`` for an organisation. Flags
accept ``ja/nee``, ``yes/no``, ``true/false``, ``waar/onwaar``, ``1/0``; empty is no. Amounts are
whole euro cents. JSON is an array of application objects in the API's shape.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from evaluation.applications import InvalidApplication, application_from_dict
from evaluation.calls import FieldError

if TYPE_CHECKING:
    from evaluation.applications import Application

REQUIRED_COLUMNS: tuple[str, ...] = (
    "lead",
    "title",
    "domains",
    "requested_grant_cents",
    "total_budget_cents",
)
OPTIONAL_COLUMNS: tuple[str, ...] = (
    "summary",
    "partners",
    "cofinancing_cents",
    "playbook",
    "model_specification",
    "open_source",
    "open_data",
    "oslo",
    "vloca",
    "prior_projects",
    "committed_followers",
    "knowledge_sharing",
)
_FLAGS = ("playbook", "model_specification", "open_source", "open_data", "vloca")
_LISTS = ("domains", "oslo", "committed_followers", "knowledge_sharing")
_TRUE = {"1", "ja", "yes", "true", "waar", "j", "y", "x"}
_FALSE = {"", "0", "nee", "no", "false", "onwaar", "n"}


class ImportFormatError(Exception):
    """The file itself cannot be read (not CSV/JSON, missing columns, not an array)."""

    def __init__(self, message: str, message_nl: str) -> None:
        super().__init__(message)
        self.message = message
        self.message_nl = message_nl

    def to_dict(self) -> dict[str, str]:
        return {"message": self.message, "message_nl": self.message_nl}


@dataclass(frozen=True)
class RowResult:
    """Outcome of one row: the application, or the field errors (row numbers as seen by people)."""

    row: int
    application: Application | None
    errors: tuple[FieldError, ...] = ()

    @property
    def ok(self) -> bool:
        return not self.errors

    def to_dict(self) -> dict[str, Any]:
        return {
            "row": self.row,
            "ok": self.ok,
            "title": self.application.title if self.application else None,
            "errors": [e.to_dict() for e in self.errors],
        }


@dataclass(frozen=True)
class ImportReport:
    """Every row's outcome and what is imported (empty when any row failed, unless asked)."""

    rows: tuple[RowResult, ...]
    imported: tuple[Application, ...]
    import_valid_rows: bool

    @property
    def valid(self) -> int:
        return sum(1 for r in self.rows if r.ok)

    @property
    def invalid(self) -> int:
        return len(self.rows) - self.valid

    def to_dict(self) -> dict[str, Any]:
        return {
            "total": len(self.rows),
            "valid": self.valid,
            "invalid": self.invalid,
            "imported": len(self.imported),
            "import_valid_rows": self.import_valid_rows,
            "rows": [r.to_dict() for r in self.rows],
        }


def _decode(data: str | bytes) -> str:
    if isinstance(data, str):
        return data.lstrip("\ufeff")
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        # Excel's "CSV" on Windows; the five bytes cp1252 leaves undefined become U+FFFD (a
        # binary file is then reported row by row instead of failing the request)
        return data.decode("cp1252", errors="replace")


def _split(cell: str, delimiter: str) -> list[str]:
    text = cell.strip()
    if not text:
        return []
    for sep in "|;,":
        if sep != delimiter and sep in text:
            return [p.strip() for p in text.split(sep) if p.strip()]
    return [text]


def _csv_row_to_payload(
    row: Mapping[str, str], delimiter: str
) -> tuple[dict[str, Any], list[FieldError]]:
    payload: dict[str, Any] = {}
    errors: list[FieldError] = []

    def get(key: str) -> str:
        return (row.get(key) or "").strip()

    payload["lead"] = get("lead") or None
    payload["title"] = get("title")
    payload["summary"] = get("summary")
    for key in ("requested_grant_cents", "total_budget_cents", "cofinancing_cents"):
        text = get(key).replace(" ", "")
        if not text:
            payload[key] = None
            continue
        try:
            payload[key] = int(text)
        except ValueError:
            errors.append(
                FieldError(
                    key,
                    "must be a whole number of euro cents",
                    "moet een geheel aantal eurocent zijn",
                )
            )
    for key in _LISTS:
        payload[key] = _split(get(key), delimiter)
    deliverables: dict[str, Any] = {"oslo": payload.pop("oslo")}
    for key in _FLAGS:
        text = get(key).lower()
        if text in _TRUE:
            deliverables[key] = True
        elif text in _FALSE:
            deliverables[key] = False
        else:
            errors.append(
                FieldError(f"deliverables.{key}", "must be yes or no", "moet ja of nee zijn")
            )
    payload["deliverables"] = deliverables
    partners: list[dict[str, Any]] = []
    for i, item in enumerate(_split(get("partners"), delimiter)):
        if item.lower().startswith("org:"):
            parts = item.split(":")
            try:
                org: dict[str, Any] = {"organisation": int(parts[1])}
            except (IndexError, ValueError):
                errors.append(
                    FieldError(
                        f"partners[{i}]",
                        "write an organisation as org:<id>",
                        "schrijf een organisatie als org:<id>",
                    )
                )
                continue
            if len(parts) > 2 and parts[2]:
                org["type"] = parts[2]
            partners.append(org)
        else:
            partners.append({"refnis": item})
    payload["partners"] = partners
    prior: list[Any] = []
    for i, item in enumerate(_split(get("prior_projects"), delimiter)):
        try:
            prior.append(int(item))
        except ValueError:
            errors.append(
                FieldError(
                    f"prior_projects[{i}]", "must be a project id", "moet een project-id zijn"
                )
            )
    payload["prior_projects"] = prior
    return payload, errors


def _rows_from_csv(text: str) -> list[tuple[int, dict[str, Any], list[FieldError]]]:
    first = text.splitlines()[0] if text.strip() else ""
    delimiter = ";" if first.count(";") > first.count(",") else ","
    reader = csv.DictReader(io.StringIO(text), delimiter=delimiter)
    header = [h.strip() for h in (reader.fieldnames or [])]
    reader.fieldnames = header
    missing = [c for c in REQUIRED_COLUMNS if c not in header]
    if missing:
        raise ImportFormatError(
            f"missing column(s): {', '.join(missing)}",
            f"ontbrekende kolom(men): {', '.join(missing)}",
        )
    unknown = [c for c in header if c and c not in REQUIRED_COLUMNS + OPTIONAL_COLUMNS]
    if unknown:
        raise ImportFormatError(
            f"unknown column(s): {', '.join(unknown)}",
            f"onbekende kolom(men): {', '.join(unknown)}",
        )
    rows = []
    for record in reader:
        line = reader.line_num  # physical line where this record ends (header is line 1)
        if not any((v or "").strip() for k, v in record.items() if k):
            continue  # blank line
        payload, errors = _csv_row_to_payload(record, delimiter)
        rows.append((line, payload, errors))
    return rows


def _rows_from_json(text: str) -> list[tuple[int, dict[str, Any], list[FieldError]]]:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ImportFormatError(
            f"not valid JSON: {exc.msg} (line {exc.lineno})",
            f"geen geldige JSON: {exc.msg} (regel {exc.lineno})",
        ) from None
    if isinstance(data, Mapping) and isinstance(data.get("applications"), list):
        data = data["applications"]
    if not isinstance(data, list):
        raise ImportFormatError(
            "expected an array of applications", "verwacht een lijst (array) van aanvragen"
        )
    rows = []
    for i, item in enumerate(data, start=1):
        if isinstance(item, Mapping):
            rows.append((i, dict(item), []))
        else:
            rows.append(
                (i, {}, [FieldError("application", "must be an object", "moet een object zijn")])
            )
    return rows


def parse_import(
    data: str | bytes,
    fmt: str,
    *,
    known_refnis: Collection[str] | None = None,
    known_organisations: Collection[int] | None = None,
    known_projects: Collection[int] | None = None,
    import_valid_rows: bool = False,
) -> ImportReport:
    """Validate every row of a CSV (``fmt="csv"``) or JSON (``fmt="json"``) file.

    Returns an :class:`ImportReport`; ``imported`` is empty when any row has an error, unless
    ``import_valid_rows``. Two rows with the same lead and title are an error on the later row.
    Raises :class:`ImportFormatError` when the file as a whole cannot be read.
    """
    text = _decode(data)
    if fmt == "csv":
        raw_rows = _rows_from_csv(text)
    elif fmt == "json":
        raw_rows = _rows_from_json(text)
    else:
        raise ImportFormatError(
            f"unknown format {fmt!r}; use csv or json",
            f"onbekend formaat {fmt!r}; gebruik csv of json",
        )
    results: list[RowResult] = []
    seen: dict[tuple[str, str], int] = {}
    for row, payload, pre_errors in raw_rows:
        errors = list(pre_errors)
        app = None
        try:
            app = application_from_dict(
                payload,
                known_refnis=known_refnis,
                known_organisations=known_organisations,
                known_projects=known_projects,
            )
        except InvalidApplication as exc:
            already = {e.field for e in errors}
            errors.extend(e for e in exc.errors if e.field not in already)
        if app is not None:
            key = (app.lead, app.title.casefold())
            if key in seen:
                errors.append(
                    FieldError(
                        "title",
                        f"same lead and title as row {seen[key]}",
                        f"zelfde indiener en titel als rij {seen[key]}",
                    )
                )
            else:
                seen[key] = row
        if errors:
            results.append(RowResult(row, None, tuple(errors)))
        else:
            results.append(RowResult(row, app))
    valid = tuple(r.application for r in results if r.ok and r.application is not None)
    any_error = any(not r.ok for r in results)
    imported = valid if (import_valid_rows or not any_error) else ()
    return ImportReport(rows=tuple(results), imported=imported, import_valid_rows=import_valid_rows)
