"""Great-circle distances in km: the one place the optimizer and partner suggestions take them from.

Haversine formula on a sphere with the IUGG mean Earth radius. Over Flanders (at most ~250 km
apart) the error against the WGS84 ellipsoid stays below 0.5 %, far below what matters for
planning clusters.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from typing import Protocol

import numpy as np

#: Mean Earth radius in km (IUGG).
EARTH_RADIUS_KM = 6371.0088


class HasCoordinates(Protocol):
    """Anything with WGS84 ``latitude`` and ``longitude`` in degrees (e.g. ``Municipality``)."""

    latitude: float
    longitude: float


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in km between two points given in WGS84 degrees."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dlat = p2 - p1
    dlon = math.radians(lon2 - lon1)
    a = math.sin(dlat / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dlon / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


def haversine_matrix_km(latitudes: np.ndarray, longitudes: np.ndarray) -> np.ndarray:
    """Great-circle distances in km between all pairs of points (WGS84 degrees), n x n."""
    lat = np.radians(np.asarray(latitudes, dtype=np.float64))
    lon = np.radians(np.asarray(longitudes, dtype=np.float64))
    dlat = lat[:, None] - lat[None, :]
    dlon = lon[:, None] - lon[None, :]
    a = np.sin(dlat / 2) ** 2 + np.cos(lat)[:, None] * np.cos(lat)[None, :] * np.sin(dlon / 2) ** 2
    dist = 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))
    np.fill_diagonal(dist, 0.0)
    return dist


def distance_matrix_km(municipalities: Iterable[HasCoordinates]) -> np.ndarray:
    """Symmetric n x n matrix of great-circle distances in km, in the order given."""
    items = list(municipalities)
    return haversine_matrix_km([m.latitude for m in items], [m.longitude for m in items])
