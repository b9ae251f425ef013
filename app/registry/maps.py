"""What a map shows, as a plain specification that ``app/static/js/maps.js`` draws with Leaflet
1.9.4 (vendored in ``app/static/vendor``) on the municipal outlines of ``GET /api/v1/boundaries``:
no tile server, so the maps work offline.

A specification says which CSS class colours each municipality (``areas``; the classes are in
``static/css/maps.css`` and ``plans.css``), the legend, markers with a label (ranks,
lighthouses), lines (follower to lighthouse), which outlines the view fits (``focus``) and that a
click opens the municipality. Templates render it with the ``outline_map`` macro of
``templates/macros/map.html``, which also writes the text alternative. Each page module decides
what its map shows; this module holds the pieces they share.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from flask import url_for


def spec(*, areas: Mapping[str, dict[str, str]] | None = None, base: str = "vt-none",
         legend_title: str = "", legend: Iterable[tuple[str, str]] = (),
         marks: Iterable[dict[str, Any]] = (), links: Iterable[dict[str, Any]] = (),
         focus: Iterable[str] = (), link_areas: bool = True) -> dict[str, Any]:
    """A map specification (the keys ``maps.js`` reads). ``legend`` is (CSS class, label) pairs;
    ``link_areas`` makes a click on an outline open that municipality's page."""
    return {
        "boundaries": url_for("api.list_boundaries"),
        "base": base,
        "areas": dict(areas or {}),
        "legend": {"title": legend_title, "items": [{"c": c, "label": str(label)} for c, label in legend]},
        "marks": list(marks),
        "links": list(links),
        "focus": list(focus),
        "href": url_for("web.municipality", refnis="00000").replace("00000", "{refnis}")
        if link_areas else None,
    }


def area(css: str, tooltip: str = "") -> dict[str, str]:
    """One municipality's colour class and the text its tooltip adds after the name."""
    return {"c": css, "t": str(tooltip)}


def mark(municipality: Any, label: str = "", css: str = "", tooltip: str = "") -> dict[str, Any]:
    """A marker at a municipality's shipped point (anything with refnis, name_nl, latitude and
    longitude: a model row or a matching registry entry)."""
    return {"refnis": municipality.refnis, "name": municipality.name_nl,
            "lat": municipality.latitude, "lon": municipality.longitude,
            "label": label, "c": css, "t": str(tooltip)}


def link(a: Any, b: Any, css: str) -> dict[str, Any]:
    """A thin line between two municipalities' points."""
    return {"from": [a.latitude, a.longitude], "to": [b.latitude, b.longitude], "c": css}


def text_rows(areas: Mapping[str, dict[str, str]], names: Mapping[str, str],
              keep: Iterable[str] | None = None) -> list[tuple[str, str]]:
    """(name, what the map says) rows of the text alternative, sorted by name; only the ``keep``
    codes when given."""
    codes = list(areas) if keep is None else [c for c in keep if c in areas]
    return sorted(((names.get(c, c), areas[c]["t"]) for c in codes), key=lambda row: row[0])
