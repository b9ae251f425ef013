"""Compare the shipped points of ``municipalities.csv`` with the centroids of the CC0 outlines.

Why this exists: the outlines (``belgium-municipalities-2019.topojson``, CC0) could give every
municipality a point of one consistent, public-domain source, its outline's centroid (or a point
on its surface when the centroid falls outside), instead of GeoNames places and 30 hand-sourced
fallbacks. This script measures what that would change, so the decision stays checkable; the
answer and the decision are in docs/data.md ("Why the points are not the outlines' centroids").

Run with the project's venv (shapely is already a dependency)::

    .venv/bin/python seed_data/compare_points.py            # summary and the largest shifts
    .venv/bin/python seed_data/compare_points.py --all      # every municipality, as CSV

Method: the outlines are decoded without simplification and the parts of every 2025 merger
dissolved, exactly as ``build_boundaries.py`` does; the centroid is taken in longitude/latitude
degrees (within one municipality the east-west scale varies by well under 0.1 %, so this is the
planar centroid to within metres); distances are great-circle km (``matching.geo``'s radius).
Deterministic; writes nothing.
"""

from __future__ import annotations

import csv
import json
import math
import sys
from pathlib import Path

from shapely.ops import unary_union

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from build_boundaries import SOURCE, decode_arcs, read_registry, source_polygons  # noqa: E402

EARTH_RADIUS_KM = 6371.0088


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    a = (math.sin((p2 - p1) / 2) ** 2
         + math.cos(p1) * math.cos(p2) * math.sin(math.radians(lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(a))


def outline_points() -> dict[str, tuple[float, float, bool]]:
    """REFNIS -> (latitude, longitude, centroid inside) of every current municipality's
    unsimplified outline: the centroid, or shapely's point on the surface when the centroid
    lies outside (then ``False``)."""
    topology = json.loads(SOURCE.read_text(encoding="utf-8"))
    polygons = source_polygons(topology, decode_arcs(topology))
    current, merged = read_registry()
    parts: dict[str, list] = {}
    for code, shapes in polygons.items():
        target = merged.get(code, code)
        if target in current:
            parts.setdefault(target, []).extend(shapes)
    out = {}
    for code in sorted(parts):
        shape = unary_union(parts[code])
        point = shape.centroid
        inside = shape.contains(point)
        if not inside:
            point = shape.point_on_surface()
        out[code] = (point.y, point.x, inside)
    return out


def pairs_changing_side(limit_km: float) -> tuple[int, int]:
    """(pairs whose distance crosses ``limit_km`` between the two points, pairs within it now)."""
    current, _merged = read_registry()
    centroid = outline_points()
    codes = sorted(current)
    shipped = {c: (float(current[c]["latitude"]), float(current[c]["longitude"])) for c in codes}
    crossing = within = 0
    for i, a in enumerate(codes):
        for b in codes[i + 1:]:
            now = haversine_km(*shipped[a], *shipped[b]) <= limit_km
            then = haversine_km(*centroid[a][:2], *centroid[b][:2]) <= limit_km
            within += now
            crossing += now != then
    return crossing, within


def compare() -> list[dict[str, object]]:
    current, _merged = read_registry()
    rows = []
    for code, (lat, lon, inside) in outline_points().items():
        row = current[code]
        shipped_lat, shipped_lon = float(row["latitude"]), float(row["longitude"])
        rows.append({"refnis": code, "name": row["name_nl"],
                     "shift_km": round(haversine_km(shipped_lat, shipped_lon, lat, lon), 2),
                     "north_km": round((lat - shipped_lat) * 111.19, 2),
                     "centroid_inside": inside, "shipped_source": row["coordinates_source"]})
    return sorted(rows, key=lambda r: (-r["shift_km"], r["refnis"]))


def main(argv: list[str]) -> int:
    rows = compare()
    if "--all" in argv:
        writer = csv.DictWriter(sys.stdout, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
        return 0
    shifts = sorted(r["shift_km"] for r in rows)
    n = len(shifts)
    print(f"{n} current municipalities; shift from the shipped point to the outline's centroid: "
          f"median {shifts[n // 2]:.1f} km, 90th percentile {shifts[int(n * 0.9)]:.1f} km, "
          f"max {shifts[-1]:.1f} km; over 3 km: {sum(s > 3 for s in shifts)}; centroid outside "
          f"its outline: {sum(not r['centroid_inside'] for r in rows)}")
    near = pairs_changing_side(30.0)
    print(f"pairs of current municipalities that cross the 30 km 'near' line (coverage_near_km, "
          f"the calls' follower distance) when the points move: {near[0]} of {near[1]} pairs "
          f"within 30 km today")
    for r in rows[:10]:
        print(f"  {r['refnis']} {r['name']}: {r['shift_km']} km ({r['north_km']:+} km north)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
