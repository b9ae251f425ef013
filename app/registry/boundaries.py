"""Municipal outlines for the maps and ``GET /api/v1/boundaries``.

They are read from ``seed_data/municipality_boundaries.geojson`` (built by
``seed_data/build_boundaries.py`` from a CC0 TopoJSON; see docs/data.md) once per process: the
file is reference data shipped with the code, like the seed files, and changes only with a
release. No geometry package is needed at run time.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from functools import lru_cache
from pathlib import Path

from app.registry.seed import SEED_DIR

BOUNDARIES_FILE: Path = SEED_DIR / "municipality_boundaries.geojson"


@lru_cache(maxsize=1)
def _collection() -> dict:
    return json.loads(BOUNDARIES_FILE.read_text(encoding="utf-8"))


@lru_cache(maxsize=6)
def boundaries(region: str | None = None, compressed: bool = False) -> tuple[bytes, str]:
    """The GeoJSON FeatureCollection of ``region`` (``flanders``, ``brussels``; None: both) as
    compact JSON bytes (gzip-compressed when ``compressed``: about a quarter of the size), and
    its ETag. Features are sorted by REFNIS, properties ``refnis``, ``name`` (Dutch) and
    ``region``; coordinates are WGS84 [longitude, latitude]."""
    data = _collection()
    features = [f for f in data["features"] if region is None or f["properties"]["region"] == region]
    body = json.dumps(
        {"type": "FeatureCollection", "source": data["source"], "features": features},
        ensure_ascii=False, separators=(",", ":"),
    ).encode("utf-8")
    etag = hashlib.sha256(body).hexdigest()[:32]
    if compressed:
        return gzip.compress(body, compresslevel=9, mtime=0), etag + "-gzip"
    return body, etag
