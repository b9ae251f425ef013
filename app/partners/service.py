"""Partner matching, experience profiles and related projects for the API, the pages and the CLI.

The one place where the web layer talks to :mod:`matching`: it resolves the municipality a user
names (a REFNIS code, merged-away ones to their successor, or on pages and in the CLI a name),
runs the query on the cached registry graph, maps the matching package's exceptions to problems
(400 naming the field and the valid values, 404 naming the id) and turns the immutable results
into plain JSON-ready dicts. Views stay thin: parse input, call one function here, render.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from typing import Any

from sqlalchemy import select

from app.core.extensions import db
from app.core.problems import Problem, not_found, validation_problem
from app.models import Municipality as MunicipalityRow
from app.registry.service import (
    current_graph,
    current_project_index,
    declared_interest,
    fold,
)
from matching.coverage import PartnerCoverage, partner_coverage
from matching.experience import MATURITY_CLASSES, profile
from matching.graph import (
    InvalidParameter,
    MatchingError,
    RegistryGraph,
    UnknownMunicipality,
    UnknownProject,
)
from matching.partners import Suggestion, suggest_partners
from matching.similar import DOUBLE_FUNDING_THRESHOLD


@dataclass(frozen=True)
class ResolvedMunicipality:
    """A current municipality of the graph; ``resolved_from`` says so when the user named a
    municipality merged since (``{"refnis", "name_nl", "merged_on", "note"}``), else None."""

    refnis: str
    name_nl: str
    resolved_from: dict[str, Any] | None = None

    def as_ref(self) -> dict[str, str]:
        return {"refnis": self.refnis, "name_nl": self.name_nl}


def matching_problem(exc: MatchingError) -> Problem:
    """The problem+json answer to a domain error of :mod:`matching` (400 or 404)."""
    if isinstance(exc, UnknownMunicipality):
        return not_found("municipality", exc.refnis, field=exc.field)
    if isinstance(exc, UnknownProject):
        return not_found("project", exc.project_id, field=exc.field)
    if isinstance(exc, InvalidParameter):
        error: dict[str, Any] = {"field": exc.field, "message": exc.message}
        if exc.valid:
            error["message"] += f"; valid values: {', '.join(exc.valid)}"
            error["valid"] = list(exc.valid)
        return validation_problem([error])
    raise exc  # an inconsistent registry is a data error, not bad input: a logged 500


@contextmanager
def matching_errors() -> Iterator[None]:
    """Turn the matching package's domain errors raised inside the block into problems."""
    try:
        yield
    except MatchingError as exc:
        raise matching_problem(exc) from None


def _merged_note(row: MunicipalityRow, current: MunicipalityRow) -> dict[str, Any]:
    return {
        "refnis": row.refnis,
        "name_nl": row.name_nl,
        "merged_on": row.merged_on.isoformat() if row.merged_on else None,
        "note": f"{row.name_nl} ({row.refnis}) merged into {current.name_nl} ({current.refnis})",
    }


def resolve_municipality(
    graph: RegistryGraph, value: str, field: str = "municipality", allow_name: bool = False
) -> ResolvedMunicipality:
    """The current municipality ``value`` names: a REFNIS code (a merged-away one resolves to
    its successor) or, with ``allow_name``, a Dutch or French name (accents and case ignored).

    A current REFNIS is answered from the graph without a query. Raises a 400 problem for a
    malformed code and a 404 problem naming ``value`` when nothing matches.
    """
    value = (value or "").strip()
    position = graph.index.get(value)
    if position is not None:
        return ResolvedMunicipality(value, graph.municipalities[position].name_nl)
    if len(value) == 5 and value.isdigit():
        row = db.session.scalar(select(MunicipalityRow).where(MunicipalityRow.refnis == value))
    elif allow_name and value:
        key = fold(value)
        rows = db.session.scalars(select(MunicipalityRow).order_by(MunicipalityRow.refnis)).all()
        matches = [r for r in rows if key in (fold(r.name_nl), fold(r.name_fr or ""))]
        row = next((r for r in matches if r.merged_into_id is None), matches[0] if matches else None)
    else:
        expected = "a 5-digit REFNIS code or a municipality name" if allow_name else (
            "a 5-digit REFNIS code, e.g. 44021")
        raise validation_problem([{"field": field, "message": f"{value!r} is not {expected}"}])
    if row is None:
        raise not_found("municipality", value, field=field)
    current = row.current()
    if current.refnis not in graph.index:  # pragma: no cover - the graph is of this database
        raise not_found("municipality", value, field=field)
    note = _merged_note(row, current) if current.id != row.id else None
    return ResolvedMunicipality(current.refnis, current.name_nl, note)


def suggestion_json(s: Suggestion) -> dict[str, Any]:
    """One suggestion as the API item: municipality, score, factors, reasons."""
    return {
        "municipality": {"refnis": s.municipality.refnis, "name_nl": s.municipality.name},
        "score": s.score,
        "factors": [{"name": f.name, "value": f.value, "contribution": f.contribution}
                    for f in s.factors],
        "reasons": {"nl": s.reasons.nl, "en": s.reasons.en},
    }


def coverage_json(c: PartnerCoverage) -> dict[str, Any]:
    """The coverage of an answer: evidence in the domain, candidates, the reason in Dutch and
    English when fewer than asked came back or the nearest is far, co-learning peers."""
    return {
        "domain": c.domain,
        "municipalities_with_evidence": c.municipalities_with_evidence,
        "qualified": c.qualified,
        "returned": c.returned,
        "limit": c.limit,
        "nearest_km": c.nearest_km,
        "near_km": c.near_km,
        "within_near_km": c.within_near_km,
        "message": {"nl": c.message.nl, "en": c.message.en} if c.message else None,
        "co_learning": [
            {"municipality": {"refnis": p.municipality.refnis, "name_nl": p.municipality.name},
             "distance_km": p.distance_km, "experience": p.experience,
             "declared_interest": p.declared_interest}
            for p in c.co_learning
        ],
    }


def lighthouse_load() -> tuple[dict[str, int] | None, int | None]:
    """Clusters each municipality leads in the newest finished cluster plan, and that plan's id.

    ``(None, None)`` when no plan finished with a result yet: the load is then unknown and the
    suggestion's ``lighthouse_load`` factor contributes nothing.
    """
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import ClusterPlan

    plans = db.session.scalars(
        select(ClusterPlan).where(ClusterPlan.status == "done").order_by(ClusterPlan.finished_at.desc()).limit(5)
    )
    for plan in plans:
        result = plan.result or {}
        if result.get("status") in ("optimal", "time_limit", "feasible") and result.get("clusters"):
            load: dict[str, int] = {}
            for cluster in result["clusters"]:
                lighthouse = cluster["lighthouse"]
                refnis = lighthouse["refnis"] if isinstance(lighthouse, dict) else lighthouse
                load[refnis] = load.get(refnis, 0) + 1
            return load, plan.id
    return None, None


def partner_suggestions(
    municipality: str,
    domain: str,
    looking_for: str,
    mode: str = "geographic",
    limit: int = 10,
    max_distance_km: float | None = None,
    allow_name: bool = False,
) -> dict[str, Any]:
    """Ranked partner suggestions as ``{"items": [...], "coverage": {...}, "query": {...}}``
    (the API's answer); ``coverage`` is always there (:mod:`matching.coverage`).

    ``query`` echoes what was asked, with the municipality resolved, the year experience is
    measured in and the factor weights of the mode; ``resolved_from`` is there when the user
    named a merged-away municipality.
    """
    graph = current_graph()
    with matching_errors():
        who = resolve_municipality(graph, municipality, "municipality", allow_name)
        load, load_plan = lighthouse_load()
        found = suggest_partners(graph, who.refnis, domain, looking_for, mode, limit,
                                 max_distance_km, lighthouse_load=load)
        coverage = partner_coverage(graph, who.refnis, domain, looking_for, len(found), mode,
                                    limit, max_distance_km, declared_interest(domain))
        weights = graph.weights.mode(mode)
    query: dict[str, Any] = {
        "municipality": who.as_ref(),
        "domain": domain,
        "looking_for": looking_for,
        "mode": mode,
        "limit": limit,
        "max_distance_km": max_distance_km,
        "as_of_year": graph.as_of_year,
        "weights": {"experience": weights.experience, "proximity": weights.proximity,
                    "similarity": weights.similarity, "ties": weights.ties,
                    "lighthouse_load": weights.lighthouse_load},
    }
    query["lighthouse_load_from_plan"] = load_plan
    if who.resolved_from:
        query["resolved_from"] = who.resolved_from
    return {"items": [suggestion_json(s) for s in found], "coverage": coverage_json(coverage),
            "query": query}


def municipality_profile(
    refnis: str, as_of_year: int | None = None, allow_name: bool = False
) -> dict[str, Any]:
    """Experience and maturity per domain with every component, as plain JSON-ready data."""
    graph = current_graph()
    with matching_errors():
        who = resolve_municipality(graph, refnis, "refnis", allow_name)
        result = profile(graph, who.refnis, as_of_year)
    body: dict[str, Any] = {
        "municipality": who.as_ref(),
        "as_of_year": result.as_of_year,
        "maturity_classes": list(MATURITY_CLASSES),
        "domains": [asdict(d) for d in result.domains],
        "weights": graph.weights.as_dict(),
    }
    if who.resolved_from:
        body["resolved_from"] = who.resolved_from
    return body


def similar_projects(
    text: str | None = None, project_id: int | None = None, limit: int = 10
) -> dict[str, Any]:
    """Projects closest to a free text or to a project, best first, with the double-funding flag.

    ``{"items": [{"id", "title", "year", "programme", "score", "possible_double_funding"}],
    "double_funding_threshold"}``; a project never lists itself.
    """
    index = current_project_index()
    graph = current_graph()
    with matching_errors():
        if project_id is not None:
            found = index.similar_to_project(project_id, limit)
        else:
            found = index.similar_to_text(text or "", limit)
    items = []
    for pid, score in found:
        p = graph.projects.get(pid)
        if p is None:  # pragma: no cover - only if the registry changed between the two look-ups
            continue
        items.append({"id": pid, "title": p.title, "year": p.year, "programme": p.programme,
                      "score": score, "possible_double_funding": score >= DOUBLE_FUNDING_THRESHOLD})
    return {"items": items, "double_funding_threshold": DOUBLE_FUNDING_THRESHOLD}
