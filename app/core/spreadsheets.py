"""CSV and XLSX cells that a spreadsheet program does not run as formulas (OWASP CSV injection).

Every CSV and XLSX the service writes goes through this module. User text (a project title, a
motivation, a result URL) that starts with ``=``, ``+``, ``-``, ``@``, a tab or a carriage
return is run as a formula when a spreadsheet program opens a CSV file:

* CSV: such a text cell gets a leading apostrophe (``'=HYPERLINK(...)``), as OWASP advises.
  A text that already starts with apostrophes followed by one of those characters gets one more,
  so :func:`unescape` undoes the escape exactly and an export imported again changes nothing.
* XLSX: text cells are stored as text (never as a formula, which openpyxl would make of a
  string starting with ``=``), with Excel's quote prefix on the risky ones, so the cell shows
  the text as it is and stays text when edited. Control characters XML 1.0 cannot hold become
  U+FFFD (:func:`app.core.formatting.spreadsheet_cell`), so such a text does not fail the export.

Numbers (int, float, Decimal) stay numbers, negative ones too; only ``str`` values are touched.
"""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

from app.core.formatting import spreadsheet_cell

#: First characters that make a spreadsheet program read a cell as a formula.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
_ESCAPED = re.compile(r"^'*[=+\-@\t\r]")
_UNESCAPE = re.compile(r"^'+[=+\-@\t\r]")


def escape(value: Any) -> Any:
    """The value for a CSV cell: a risky text with one apostrophe more in front; else as it is."""
    if isinstance(value, str) and _ESCAPED.match(value):
        return "'" + value
    return value


def unescape(value: Any) -> Any:
    """What :func:`escape` was given: one leading apostrophe less before a risky character."""
    if isinstance(value, str) and _UNESCAPE.match(value):
        return value[1:]
    return value


class _Writer:
    """``csv.writer`` whose rows are escaped cell by cell."""

    def __init__(self, out: IO[str], **options: Any) -> None:
        self._writer = csv.writer(out, **options)

    def writerow(self, row: Iterable[Any]) -> Any:
        return self._writer.writerow([escape(v) for v in row])

    def writerows(self, rows: Iterable[Iterable[Any]]) -> None:
        for row in rows:
            self.writerow(row)


class _DictWriter(csv.DictWriter):
    """``csv.DictWriter`` whose rows are escaped cell by cell."""

    def writerow(self, rowdict: Mapping[str, Any]) -> Any:
        return super().writerow({k: escape(v) for k, v in rowdict.items()})

    def writerows(self, rowdicts: Iterable[Mapping[str, Any]]) -> None:
        for row in rowdicts:
            self.writerow(row)


def csv_writer(out: IO[str], **options: Any) -> _Writer:
    """``csv.writer(out, **options)`` with escaped cells."""
    return _Writer(out, **options)


def csv_dict_writer(out: IO[str], fieldnames: Iterable[str], **options: Any) -> _DictWriter:
    """``csv.DictWriter(out, fieldnames, **options)`` with escaped cells."""
    return _DictWriter(out, fieldnames=list(fieldnames), **options)


def xlsx_append(sheet: Any, values: Iterable[Any]) -> None:
    """Append one row to an openpyxl sheet: numbers as numbers, text always as text."""
    from openpyxl.cell.cell import Cell

    cells = []
    for value in values:
        value = spreadsheet_cell(value)
        cell = Cell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"  # openpyxl made a formula of a text starting with "="
            if value.startswith(FORMULA_STARTS):
                cell.quotePrefix = True
        cells.append(cell)
    sheet.append(cells)
