"""Money and percentage formatting for the reasons and explanations a city reads.

Amounts are euro cents (int) everywhere in the code; only text shown to people is formatted.
Dutch (Belgian) writes "€1.250.000,50" (dot for thousands, comma for decimals); English writes
"€1,250,000.50". Whole-euro amounts are written without decimals ("€1.000.000"), as the calls do.
"""

from __future__ import annotations


def _group(digits: str, sep: str) -> str:
    parts = []
    while len(digits) > 3:
        parts.append(digits[-3:])
        digits = digits[:-3]
    parts.append(digits)
    return sep.join(reversed(parts))


def _euro(cents: int, thousands: str, decimal: str) -> str:
    sign = "-" if cents < 0 else ""
    euros, rest = divmod(abs(int(cents)), 100)
    text = f"{sign}€{_group(str(euros), thousands)}"
    if rest:
        text += f"{decimal}{rest:02d}"
    return text


def euro_nl(cents: int) -> str:
    """Belgian Dutch notation of an amount in cents: 125000000 -> '€1.250.000'."""
    return _euro(cents, ".", ",")


def euro_en(cents: int) -> str:
    """English notation of an amount in cents: 125000000 -> '€1,250,000'."""
    return _euro(cents, ",", ".")


def _number(value: float, decimals: int, decimal: str) -> str:
    text = f"{value:.{decimals}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", decimal)


def percent_nl(value: float, decimals: int = 1) -> str:
    """A percentage (0-100) in Dutch notation: 84.5 -> '84,5%', 80.0 -> '80%'."""
    return _number(value, decimals, ",") + "%"


def percent_en(value: float, decimals: int = 1) -> str:
    """A percentage (0-100) in English notation: 84.5 -> '84.5%'."""
    return _number(value, decimals, ".") + "%"


def _plain(value: float, decimals: int, thousands: str, decimal: str) -> str:
    text = _number(abs(value), decimals, ".")
    whole, _, frac = text.partition(".")
    sign = "-" if value < 0 and float(text) else ""
    return sign + _group(whole, thousands) + (decimal + frac if frac else "")


def number_nl(value: float, decimals: int = 2) -> str:
    """A plain number in Dutch notation: 1234.5 -> '1.234,5' (thousands dot, decimal comma)."""
    return _plain(value, decimals, ".", ",")


def number_en(value: float, decimals: int = 2) -> str:
    """A plain number in English notation: 1234.5 -> '1,234.5'."""
    return _plain(value, decimals, ",", ".")
