"""Display formatting shared by templates and messages (Belgian conventions)."""

from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l

#: Control characters that XML 1.0, and so an XLSX cell, cannot hold (openpyxl refuses them).
_NOT_IN_XML = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def euro(cents: int | None, decimals: bool = False) -> str:
    """Format euro cents the Belgian way: 345279920 -> '€3.452.799,20' (or '€3.452.799')."""
    if cents is None:
        return "—"
    sign = "-" if cents < 0 else ""
    cents = abs(int(cents))
    whole, frac = divmod(cents, 100)
    text = f"{whole:,}".replace(",", ".")
    if decimals or frac:
        text += f",{frac:02d}"
    return f"{sign}€{text}"


def parse_euro(text: str) -> int | None:
    """Parse a euro amount typed by a person into cents.

    Accepts '199720.02', '199.720,02', '199 720,02', '€ 200.000' and '200000'. Raises ValueError
    with a message fit for the form when the text is not an amount.
    """
    s = (text or "").strip().replace("€", "").replace(" ", "").replace("\u00a0", "")
    if not s:
        return None
    if s.startswith("-"):
        raise ValueError("must not be negative")
    if "," in s:  # Belgian: dots group thousands, comma separates cents
        whole, _, frac = s.rpartition(",")
        whole = whole.replace(".", "")
    elif s.count(".") == 1 and len(s.rpartition(".")[2]) <= 2:
        whole, _, frac = s.partition(".")
    else:
        whole, frac = s.replace(".", ""), ""
    if not whole.isdigit() or (frac and (not frac.isdigit() or len(frac) > 2)):
        raise ValueError(f"'{text}' is not an amount in euro, e.g. 199.720,02")
    return int(whole) * 100 + int((frac or "0").ljust(2, "0"))


PROVINCE_NAMES = {  # Dutch msgids: English pages say Antwerp, East Flanders ...
    "antwerpen": _l("Antwerpen"),
    "limburg": _l("Limburg"),
    "oost-vlaanderen": _l("Oost-Vlaanderen"),
    "vlaams-brabant": _l("Vlaams-Brabant"),
    "west-vlaanderen": _l("West-Vlaanderen"),
}


def province_name(code: str | None) -> str:
    """Display name of a province code; Brussels municipalities have none."""
    if not code:
        return str(_l("Brussels Hoofdstedelijk Gewest"))
    return str(PROVINCE_NAMES.get(code, code))


def spreadsheet_cell(value: Any) -> Any:
    """``value`` as an XLSX cell can hold it: control characters in text become U+FFFD (a title
    typed with a vertical tab would otherwise make the whole export fail)."""
    if isinstance(value, str):
        return _NOT_IN_XML.sub("\ufffd", value)
    return value


def local_government(is_vgc: bool, municipality: Any) -> dict[str, str] | None:
    """A local government as the API names it: ``{refnis, name}`` (the VGC by its code), or None
    when the row points at neither (an organisation)."""
    from evaluation.calls import VGC, VGC_NAME

    if is_vgc:
        return {"refnis": VGC, "name": VGC_NAME}
    if municipality is not None:
        return {"refnis": municipality.refnis, "name": municipality.name_nl}
    return None

