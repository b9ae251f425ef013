"""Rebuild ``seed_data/municipality_boundaries.geojson``: the outlines of the 285 Flemish and 19
Brussels municipalities of 2025, simplified for drawing in a web page.

Run with the project's venv after installing the rebuild-only packages::

    .venv/bin/pip install -r seed_data/requirements-rebuild.txt
    .venv/bin/python seed_data/build_boundaries.py

Source: ``belgium-municipalities-2019.topojson`` beside this script (copied unchanged from the
project's shared reference data; CC0 1.0). It holds the 581 municipalities of 2019-2024 with their
REFNIS code (``nis``), as TopoJSON: every border is one *arc* shared by the two municipalities it
separates, quantised to a grid of about 27 x 22 m.

Steps, each chosen so neighbours keep sharing their borders exactly (no gaps, no overlaps):

1. Decode the arcs (delta-encoded integers -> WGS84 degrees) and simplify each arc once with
   Douglas-Peucker at ``TOLERANCE_DEGREES``, keeping its end points (where three municipalities
   meet), then round to ``DECIMALS``. A shared border is simplified once, so both sides stay
   identical.
2. Build each 2019 municipality's polygons from its (simplified) arcs.
3. Dissolve the parts of every municipality merged on 1 January 2025 into its successor (the
   merger map is ``refnis_mergers.csv``; ``municipalities.csv`` says which codes are current) with
   shapely's ``unary_union``: the internal borders were the same arcs, so they vanish.
4. Check every outline is a valid (Multi)Polygon and that exactly the 304 current codes of
   ``municipalities.csv`` got one; names and regions come from that CSV (so the source's known
   error, Mesen 33016 carrying the Walloon region code, does not matter).

Output: a GeoJSON FeatureCollection sorted by REFNIS, one Feature per current municipality with
properties ``refnis``, ``name`` (Dutch) and ``region`` (``flanders``/``brussels``), coordinates
``[longitude, latitude]`` in WGS84 degrees, compact JSON with ``\\n`` at the end. Deterministic: a
rebuild gives identical bytes. Only this script needs shapely; the running service reads the file.
"""

from __future__ import annotations

import csv
import json
import sys
from pathlib import Path

from shapely.geometry import MultiPolygon, Polygon, mapping
from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
SOURCE = HERE / "belgium-municipalities-2019.topojson"
MUNICIPALITIES = HERE / "municipalities.csv"
MERGERS = HERE / "refnis_mergers.csv"
OUTPUT = HERE / "municipality_boundaries.geojson"

#: Douglas-Peucker tolerance in degrees (about 33 m north-south, 21 m east-west): invisible on a
#: region map and barely visible zoomed in on one municipality; the file is about 0.33 MB
#: (0.0002 would give 0.40 MB, 0.0005 0.25 MB).
TOLERANCE_DEGREES = 0.0003
#: Decimals kept (4 decimals = about 11 m north-south); coarser than the source's grid is not.
DECIMALS = 4
EXPECTED = {"flanders": 285, "brussels": 19}


class BuildError(RuntimeError):
    """The source does not agree with the registry or an outline is broken."""


def decode_arcs(topology: dict) -> list[list[tuple[float, float]]]:
    """TopoJSON's quantised, delta-encoded arcs as absolute [lon, lat] degree pairs."""
    (sx, sy), (tx, ty) = topology["transform"]["scale"], topology["transform"]["translate"]
    arcs = []
    for arc in topology["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)
    return arcs


def _distance_to_segment(p: tuple[float, float], a: tuple[float, float], b: tuple[float, float]) -> float:
    """Planar distance in degrees from p to segment a-b (fine at this scale)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return ((p[0] - a[0]) ** 2 + (p[1] - a[1]) ** 2) ** 0.5
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return ((p[0] - a[0] - t * dx) ** 2 + (p[1] - a[1] - t * dy) ** 2) ** 0.5


def simplify_arc(points: list[tuple[float, float]], tolerance: float) -> list[tuple[float, float]]:
    """Douglas-Peucker that keeps both end points; iterative (long arcs, no recursion limit).

    A closed arc (an enclave's whole border, first point == last) is split at its farthest point
    first, so it keeps at least a triangle."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    if points[0] == points[-1]:
        far = max(range(1, len(points) - 1), key=lambda i: _distance_to_segment(points[i], points[0], points[0]))
        keep[far] = True
        stack = [(0, far), (far, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        worst, index = 0.0, -1
        for i in range(first + 1, last):
            d = _distance_to_segment(points[i], points[first], points[last])
            if d > worst:
                worst, index = d, i
        if index >= 0 and worst > tolerance:
            keep[index] = True
            stack.append((first, index))
            stack.append((index, last))
    return [p for p, k in zip(points, keep, strict=True) if k]


def ring_from_arcs(indices: list[int], arcs: list[list[tuple[float, float]]]) -> list[tuple[float, float]]:
    """Join a ring's arcs; a negative index ~i means arc i reversed (TopoJSON)."""
    ring: list[tuple[float, float]] = []
    for index in indices:
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        ring.extend(arc if not ring else arc[1:])
    return ring


def polygon(rings: list[list[tuple[float, float]]]) -> Polygon | None:
    """A polygon from an exterior and holes; None if simplification collapsed the exterior."""
    exterior, *holes = rings
    if len(set(exterior)) < 3:
        return None
    return Polygon(exterior, [h for h in holes if len(set(h)) >= 3])


def source_polygons(topology: dict, arcs: list[list[tuple[float, float]]]) -> dict[str, list[Polygon]]:
    """The polygons of every 2019 municipality, keyed by its REFNIS code."""
    found: dict[str, list[Polygon]] = {}
    for geometry in topology["objects"]["municipalities"]["geometries"]:
        code = geometry["properties"]["nis"]
        if geometry["type"] == "Polygon":
            parts = [geometry["arcs"]]
        elif geometry["type"] == "MultiPolygon":
            parts = geometry["arcs"]
        else:
            raise BuildError(f"{code}: unexpected geometry type {geometry['type']}")
        polygons = [polygon([ring_from_arcs(ring, arcs) for ring in part]) for part in parts]
        found[code] = [p for p in polygons if p is not None]
        if not found[code]:
            raise BuildError(f"{code}: simplification left no polygon")
    return found


def read_registry() -> tuple[dict[str, dict[str, str]], dict[str, str]]:
    """Current municipalities (REFNIS -> CSV row) and the 2025 merger map (old code -> successor)."""
    with MUNICIPALITIES.open(newline="", encoding="utf-8") as handle:
        current = {row["refnis"]: row for row in csv.DictReader(handle) if not row["merged_into"]}
    with MERGERS.open(newline="", encoding="utf-8") as handle:
        merged = {
            row["refnis"]: row["merged_into"]
            for row in csv.DictReader(handle)
            if row["merged_on"] == "2025-01-01"
        }
    for old, successor in merged.items():
        if successor not in current:
            raise BuildError(f"{old} merges into {successor}, which is not a current municipality")
    return current, merged


def clean(shape: Polygon | MultiPolygon, code: str) -> Polygon | MultiPolygon:
    """Oriented (exterior counter-clockwise, as RFC 7946 asks) and checked."""
    from shapely.geometry.polygon import orient

    if isinstance(shape, Polygon):
        shape = orient(shape)
    elif isinstance(shape, MultiPolygon):
        shape = MultiPolygon(sorted((orient(p) for p in shape.geoms), key=lambda p: -p.area))
    else:
        raise BuildError(f"{code}: dissolving gave a {shape.geom_type}")
    if not shape.is_valid or shape.is_empty:
        raise BuildError(f"{code}: invalid outline after simplification")
    return shape


def _rounded(value: object) -> object:
    """GeoJSON coordinates as lists, rounded again (shapely's union may add float noise)."""
    if isinstance(value, (list, tuple)):
        if value and isinstance(value[0], float):
            return [round(v, DECIMALS) for v in value]
        return [_rounded(v) for v in value]
    return value


def build() -> dict:
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    arcs = [
        [(round(x, DECIMALS), round(y, DECIMALS)) for x, y in simplify_arc(arc, TOLERANCE_DEGREES)]
        for arc in decode_arcs(topology)
    ]
    polygons = source_polygons(topology, arcs)
    current, merged = read_registry()

    parts: dict[str, list[Polygon]] = {}
    for code, shapes in polygons.items():
        target = merged.get(code, code)
        if target in current:
            parts.setdefault(target, []).extend(shapes)
    missing = sorted(set(current) - set(parts))
    if missing:
        raise BuildError(f"no outline for current municipalities {missing}")

    features = []
    for code in sorted(parts):
        shape = clean(unary_union(parts[code]), code)
        geometry = mapping(shape)
        geometry = {"type": geometry["type"], "coordinates": _rounded(geometry["coordinates"])}
        features.append({
            "type": "Feature",
            "properties": {"refnis": code, "name": current[code]["name_nl"], "region": current[code]["region"]},
            "geometry": geometry,
        })
    counts = {region: sum(f["properties"]["region"] == region for f in features) for region in EXPECTED}
    if counts != EXPECTED:
        raise BuildError(f"expected {EXPECTED} outlines, got {counts}")
    return {
        "type": "FeatureCollection",
        "source": (
            "belgium-municipalities-2019.topojson (CC0 1.0), municipalities of 2019-2024 dissolved "
            f"into those of 2025 (refnis_mergers.csv); arcs simplified with Douglas-Peucker at "
            f"{TOLERANCE_DEGREES} degrees and rounded to {DECIMALS} decimals"
        ),
        "features": features,
    }


def main(argv: list[str]) -> int:
    target = Path(argv[argv.index("--output") + 1]) if "--output" in argv else OUTPUT
    data = json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"
    target.write_text(data, encoding="utf-8")
    print(f"wrote {target} ({len(data.encode()) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
