"""What a solved cluster plan tells a planner: coverage, the difference with another plan, exports.

Everything here reads a plan's stored ``result`` (the JSON of :func:`app.planning.service.solve_plan`)
and the registry graph for names, provinces, populations and coordinates; nothing solves.

Coverage (per domain and province): a municipality is *covered* in a domain when a lighthouse of
that domain lies within the distance limit (km, great-circle, as the optimizer measures), itself
included when it is the lighthouse; without a distance limit, when it is in one of the domain's
clusters. The municipalities counted are the Flemish ones plus any other participant of the
plan; *small* means fewer than :data:`SMALL_MAX_POPULATION` inhabitants.
"""

from __future__ import annotations

import io
import math
from collections.abc import Iterator
from typing import Any

import numpy as np

from app.core import spreadsheets
from matching.graph import RegistryGraph
from matching.registry import DOMAINS

#: A municipality with fewer inhabitants than this counts as small in the coverage figures.
#: The threshold is the one issue 4 (the product brief of the optimizer) sets; it is not a
#: figure from the seed sources.
SMALL_MAX_POPULATION = 10_000

#: Columns of the CSV export, one row per municipality per domain.
CSV_COLUMNS: tuple[str, ...] = (
    "plan_id", "domain", "role", "refnis", "name", "province", "population",
    "lighthouse_refnis", "lighthouse_name", "distance_km",
)


def memberships(result: dict[str, Any]) -> Iterator[tuple[str, str, str, str, float]]:
    """Every (domain, role, refnis, lighthouse refnis, distance km) of a result; the lighthouse
    itself comes first in its cluster, with role ``lighthouse`` and distance 0."""
    for cluster in result.get("clusters") or []:
        head = cluster["lighthouse"]["refnis"]
        yield cluster["domain"], "lighthouse", head, head, 0.0
        for follower in cluster["followers"]:
            yield cluster["domain"], "follower", follower["refnis"], head, follower["distance_km"]


def lighthouse_of(result: dict[str, Any]) -> dict[str, dict[str, str]]:
    """Per domain: refnis -> the refnis of its lighthouse (a lighthouse maps to itself)."""
    out: dict[str, dict[str, str]] = {}
    for domain, _role, refnis, head, _km in memberships(result):
        out.setdefault(domain, {})[refnis] = head
    return out


def _name(graph: RegistryGraph, refnis: str) -> str:
    position = graph.index.get(refnis)
    return graph.municipalities[position].name_nl if position is not None else refnis


def _ref(graph: RegistryGraph, refnis: str | None) -> dict[str, str] | None:
    return None if refnis is None else {"refnis": refnis, "name": _name(graph, refnis)}


def _domains_of(params: dict[str, Any], result: dict[str, Any]) -> list[str]:
    planned = set(params.get("domains") or []) | {c["domain"] for c in result.get("clusters") or []}
    return [d for d in DOMAINS if d in planned]


def coverage(graph: RegistryGraph, params: dict[str, Any], result: dict[str, Any],
             max_distance_km: float | None = None) -> dict[str, Any]:
    """Coverage per domain and province (see the module docstring).

    ``max_distance_km`` overrides the plan's own distance limit (``params["max_distance_km"]``).
    Returns ``{max_distance_km, small_max_population, domains: [{domain, municipalities,
    covered, small, small_covered, provinces: [{province, municipalities, covered, small,
    small_covered, left_out: [{refnis, name}]}]}]}``; provinces by code, ``brussels`` for the
    Brussels municipalities (they have no province).
    """
    limit = max_distance_km if max_distance_km is not None else params.get("max_distance_km")
    participants = set(params.get("participants") or [])
    universe = [i for i, m in enumerate(graph.municipalities)
                if m.region == "flanders" or m.refnis in participants]
    heads = lighthouse_of(result)
    domains = []
    for domain in _domains_of(params, result):
        members = heads.get(domain, {})
        lighthouse_pos = sorted({graph.index[h] for h in members.values() if h in graph.index})
        if limit is not None and lighthouse_pos:
            nearest = graph.distance_km[:, lighthouse_pos].min(axis=1)
        else:
            nearest = np.full(len(graph.municipalities), math.inf)
        provinces: dict[str, dict[str, Any]] = {}
        for i in universe:
            m = graph.municipalities[i]
            key = m.province or m.region
            row = provinces.setdefault(key, {"province": key, "municipalities": 0, "covered": 0,
                                             "small": 0, "small_covered": 0, "left_out": []})
            is_covered = m.refnis in members if limit is None else bool(nearest[i] <= limit)
            small = m.population < SMALL_MAX_POPULATION
            row["municipalities"] += 1
            row["small"] += small
            if is_covered:
                row["covered"] += 1
                row["small_covered"] += small
            else:
                row["left_out"].append({"refnis": m.refnis, "name": m.name_nl})
        rows = sorted(provinces.values(), key=lambda r: r["province"])
        for row in rows:
            row["left_out"].sort(key=lambda r: r["name"])
        totals = {k: sum(r[k] for r in rows)
                  for k in ("municipalities", "covered", "small", "small_covered")}
        domains.append({"domain": domain, **totals, "provinces": rows})
    return {"max_distance_km": limit, "small_max_population": SMALL_MAX_POPULATION,
            "domains": domains}


def compare(graph: RegistryGraph, plan: dict[str, Any], other: dict[str, Any]) -> dict[str, Any]:
    """Municipalities whose lighthouse differs between two plans, per domain, and the objective
    difference (``other`` minus ``plan``; None when either has no objective).

    ``plan`` and ``other`` are ``{"id", "params", "result"}``. A municipality that is in a
    cluster of one plan only has ``null`` as its lighthouse in the other.
    """
    a, b = plan["result"], other["result"]
    heads_a, heads_b = lighthouse_of(a), lighthouse_of(b)
    domains = []
    changed_count = 0
    for domain in [d for d in DOMAINS if d in set(_domains_of(plan["params"], a))
                   | set(_domains_of(other["params"], b))]:
        ma, mb = heads_a.get(domain, {}), heads_b.get(domain, {})
        changed = []
        for refnis in sorted(set(ma) | set(mb), key=lambda r: (_name(graph, r), r)):
            if ma.get(refnis) != mb.get(refnis):
                changed.append({"refnis": refnis, "name": _name(graph, refnis),
                                "lighthouse": _ref(graph, ma.get(refnis)),
                                "other_lighthouse": _ref(graph, mb.get(refnis))})
        la, lb = set(ma.values()), set(mb.values())
        changed_count += len(changed)
        domains.append({
            "domain": domain,
            "lighthouses_only_here": [_ref(graph, r) for r in sorted(la - lb)],
            "lighthouses_only_other": [_ref(graph, r) for r in sorted(lb - la)],
            "changed": changed,
        })
    oa, ob = a.get("objective"), b.get("objective")
    difference = None if oa is None or ob is None else round(ob - oa, 6)
    return {"plan": plan["id"], "other": other["id"], "objective": oa, "other_objective": ob,
            "objective_difference": difference, "changed_count": changed_count,
            "domains": domains}


def export_rows(graph: RegistryGraph, plan_id: int, result: dict[str, Any]) -> list[dict[str, Any]]:
    """One row per municipality per domain (lighthouse rows first in each cluster)."""
    rows = []
    for domain, role, refnis, head, km in memberships(result):
        position = graph.index.get(refnis)
        m = graph.municipalities[position] if position is not None else None
        rows.append({
            "plan_id": plan_id, "domain": domain, "role": role, "refnis": refnis,
            "name": m.name_nl if m else refnis, "province": (m.province or m.region) if m else "",
            "population": m.population if m else "", "lighthouse_refnis": head,
            "lighthouse_name": _name(graph, head), "distance_km": round(km, 3),
        })
    return rows


def export_csv(graph: RegistryGraph, plan_id: int, result: dict[str, Any]) -> str:
    """The plan as CSV (comma-separated, header row, UTF-8; distances in km with a dot)."""
    out = io.StringIO()
    writer = spreadsheets.csv_dict_writer(out, CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(export_rows(graph, plan_id, result))
    return out.getvalue()


def export_geojson(graph: RegistryGraph, plan_id: int, result: dict[str, Any]) -> dict[str, Any]:
    """The plan as a GeoJSON FeatureCollection (RFC 7946, WGS84 longitude/latitude).

    One Point per municipality per domain (properties as the CSV columns) and one LineString
    per follower from its lighthouse (``role`` ``link``), so a GIS draws the clusters as stars.
    """
    features = []
    for row in export_rows(graph, plan_id, result):
        position = graph.index.get(row["refnis"])
        if position is None:
            continue  # a municipality merged away since the plan was made has no point
        m = graph.municipalities[position]
        point = [round(m.longitude, 6), round(m.latitude, 6)]
        features.append({"type": "Feature", "geometry": {"type": "Point", "coordinates": point},
                          "properties": row})
        head = graph.index.get(row["lighthouse_refnis"])
        if row["role"] == "follower" and head is not None:
            h = graph.municipalities[head]
            line = [[round(h.longitude, 6), round(h.latitude, 6)], point]
            features.append({"type": "Feature",
                             "geometry": {"type": "LineString", "coordinates": line},
                             "properties": dict(row, role="link")})
    return {"type": "FeatureCollection",
            "properties": {"plan_id": plan_id, "status": result.get("status"),
                           "objective": result.get("objective")},
            "features": features}
