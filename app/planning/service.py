"""Cluster plans between the service and the optimizer (:mod:`matching.optimizer`, pure).

:func:`check_request` turns a plan request (shaped by ``ClusterPlanInSchema``) into the
parameters that are stored with the plan, after checking it against the registry and building
the optimizer's model once, so every malformed request is a 400 naming its parameter before a
job is queued. :func:`solve_plan` is what the background job runs: it builds the model from the
current registry graph (coordinates, populations, experience scores and maturity classes per
domain), solves it with live progress and cancellation, and returns the result as JSON-able
data with the municipalities' names.

Stored cluster plans for the API, the pages and the CLI: create, read, list, cancel, as JSON.

A plan is validated before it is stored (:func:`app.planning.service.check_request` builds the
optimizer's model from the registry, so a bad request is a 400 and never a failed job), then
handed to :mod:`app.planning.jobs`. Every read first marks plans whose worker stopped as failed
(:func:`app.planning.jobs.recover_stale_plans`), so a server restart never leaves a plan ``running``.
"""

from __future__ import annotations

import math
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from typing import Any

from flask import url_for
from sqlalchemy import select

from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.models import ClusterPlan, User
from app.models import Municipality as MunicipalityRow
from app.planning import jobs
from app.registry.service import current_graph, declared_interest
from matching.coverage import plan_co_learning, plan_coverage
from matching.experience import maturity_class
from matching.graph import RegistryGraph
from matching.optimizer import (
    DEFAULT_COSTS,
    ClusterModel,
    InvalidPlanRequest,
    PlanParams,
)
from matching.optimizer import ClusterPlan as OptimizerPlan
from matching.optimizer.params import domain_nl
from matching.registry import DOMAINS

#: Progress callback of a solve: (elapsed seconds, best objective, lower bound, relative gap).
ProgressCallback = Callable[[float, "float | None", "float | None", "float | None"], None]

#: Default maturity of lighthouse candidates in the service: some experience in the domain (a
#: project by the year of the plan). Our choice, not the sources': the optimizer's own default
#: (``experienced``) leaves one candidate in mobility and none in people on today's registry of
#: 43 projects, so most plans would be refused; pinned lighthouses are candidates anyway.
DEFAULT_MIN_MATURITY = "starter"
#: Parameters that list municipalities, checked against the registry.
_LIST_FIELDS = ("participants", "excluded")


def default_participants(graph: RegistryGraph) -> list[str]:
    """REFNIS codes of the Flemish municipalities (285 since 2025): who a plan covers by default."""
    return [m.refnis for m in graph.municipalities if m.region == "flanders"]


def _unknown(refnis: str) -> str:
    """Why ``refnis`` is not a current municipality, with the code to use when it merged."""
    row = db.session.scalar(select(MunicipalityRow).where(MunicipalityRow.refnis == refnis))
    if row is not None and row.merged_into_id is not None:
        current = row.current()
        return (f"{row.name_nl} ({refnis}) merged into {current.name_nl}; use "
                f"{current.refnis}")
    return f"unknown municipality {refnis}"


def _registry_errors(body: dict[str, Any], graph: RegistryGraph) -> list[dict[str, str]]:
    errors = []
    for field in _LIST_FIELDS:
        for refnis in body.get(field) or []:
            if refnis not in graph.index:
                errors.append({"field": field, "message": _unknown(refnis)})
    for field in ("forced", "forbidden"):
        for n, pair in enumerate(body.get(field) or []):
            for role in ("follower", "lighthouse"):
                if pair[role] not in graph.index:
                    errors.append({"field": f"{field}.{n}.{role}", "message": _unknown(pair[role])})
    for domain, pins in (body.get("pinned_lighthouses") or {}).items():
        for refnis in pins:
            if refnis not in graph.index:
                errors.append({"field": f"pinned_lighthouses.{domain}", "message": _unknown(refnis)})
    return errors


def check_request(body: dict[str, Any], graph: RegistryGraph) -> dict[str, Any]:
    """The parameters to store for a plan request, or a 400 problem naming the parameter.

    ``body`` has been loaded by ``ClusterPlanInSchema`` (types and ranges hold). Checks that
    every municipality is a current one of the registry, then lets the optimizer check the
    request on the model (more lighthouses than candidates, pins that contradict each other or
    the participants, forced and forbidden pairs, ...). ``participants`` stays ``None`` for
    "the Flemish municipalities".
    """
    errors = _registry_errors(body, graph)
    if errors:
        raise validation_problem(errors)
    params = dict(body)
    params["pinned_lighthouses"] = {d: list(p) for d, p in
                                    (body.get("pinned_lighthouses") or {}).items() if p}
    if not params.get("participants") and params.get("participants_from") == "declared":
        per_domain = declared_participants(params, graph)
        few = {d: codes for d, codes in per_domain.items() if len(codes) < 2}
        if few:
            raise validation_problem([{
                "field": "participants_from",
                "message": f"only {len(codes)} municipalities declared an interest in {domain}; "
                           "let cities declare it, list the participants, or choose all "
                           "municipalities explicitly",
                "message_nl": f"slechts {len(codes)} gemeenten gaven interesse aan in "
                              f"{domain_nl(domain)}; laat gemeenten hun interesse aangeven, geef "
                              "de deelnemers op, of kies uitdrukkelijk alle gemeenten"}
                for domain, codes in few.items()])
        params["domain_participants"] = per_domain
        union = set().union(*per_domain.values())
        params["participants"] = [m.refnis for m in graph.municipalities if m.refnis in union]
    optimizer_params = plan_params(params, graph)
    model = build_model(graph)
    with optimizer_errors():  # its refusal of too few candidates comes first, in both languages
        check_plan(model, optimizer_params)
    coverage = coverage_of(optimizer_params, graph)
    refused = [c for c in coverage if c["status"] == "refused"]
    if refused:
        raise validation_problem(
            [{"field": "lighthouses", "message": c["message"]["en"],
              "message_nl": c["message"]["nl"]} for c in refused],
            detail="; ".join(c["message"]["en"] for c in refused))
    return params


def coverage_of(params: PlanParams, graph: RegistryGraph) -> list[dict[str, Any]]:
    """Per planned domain: municipalities with evidence, lighthouse candidates among the
    participants, lighthouses asked, ``ok`` / ``thin`` / ``refused`` and the reason in Dutch
    and English (:func:`matching.coverage.plan_coverage`)."""
    excluded = set(params.excluded)
    participants = [r for r in params.participants or default_participants(graph)
                    if r not in excluded and r in graph.index]
    asked = params.lighthouses or params.min_lighthouses or 1
    entries = []
    for domain in params.domains:  # each domain over its own participants
        own = params.domain_participants.get(domain)
        members = participants if own is None else [r for r in participants if r in set(own)]
        entries += plan_coverage(graph, (domain,), members, asked, params.min_maturity,
                                 params.pinned_lighthouses)
    return [{"domain": c.domain, "municipalities_with_evidence": c.municipalities_with_evidence,
             "participants": c.participants, "candidates": c.candidates,
             "lighthouses_asked": c.lighthouses_asked, "status": c.status,
             "message": {"nl": c.message.nl, "en": c.message.en} if c.message else None}
            for c in entries]


def build_model(graph: RegistryGraph) -> ClusterModel:
    """The optimizer's model of the registry: every current municipality with its coordinates
    and population, and per domain the experience scores and maturity classes (the one formula
    of :mod:`matching.experience`, as the partner suggestions use them)."""
    model = ClusterModel()
    model.add_municipalities(graph.municipalities)
    refnis = [m.refnis for m in graph.municipalities]
    for d, domain in enumerate(DOMAINS):
        scores = graph.experience[d]
        leads = graph.lead_count[d]
        model.set_experience(domain, {r: float(scores[i]) for i, r in enumerate(refnis)
                                      if scores[i] > 0})
        model.set_maturity(domain, {r: maturity_class(float(scores[i]), int(leads[i]),
                                                      graph.weights)
                                    for i, r in enumerate(refnis) if scores[i] > 0})
    return model


def declared_participants(params: dict[str, Any], graph: RegistryGraph) -> dict[str, list[str]]:
    """Per planned domain, the municipalities that declared they want to lead or follow in
    that domain, plus that domain's pinned lighthouses, in registry order (current Flemish ones
    only): a municipality takes part in a domain's clustering only for a domain it declared."""
    out = {}
    for domain in params["domains"]:
        wanted = declared_interest(domain) | set(
            (params.get("pinned_lighthouses") or {}).get(domain, ()))
        out[domain] = [m.refnis for m in graph.municipalities
                       if m.refnis in wanted and m.region == "flanders"]
    return out


def plan_params(params: dict[str, Any], graph: RegistryGraph) -> PlanParams:
    """The optimizer's parameters of stored plan parameters."""
    participants = params.get("participants") or default_participants(graph)
    costs = DEFAULT_COSTS
    if params.get("lighthouse_cost") is not None:
        costs = replace(costs, lighthouse_fixed=float(params["lighthouse_cost"]))
    return PlanParams(
        domains=tuple(params["domains"]),
        lighthouses=params.get("lighthouses"),
        min_lighthouses=params.get("min_lighthouses"),
        max_lighthouses=params.get("max_lighthouses"),
        max_followers=params.get("max_followers"),
        min_followers=params.get("min_followers") or 0,
        max_distance_km=params.get("max_distance_km"),
        participants=tuple(participants),
        domain_participants={d: tuple(codes) for d, codes in
                             (params.get("domain_participants") or {}).items()},
        pinned_lighthouses={d: tuple(p) for d, p in (params.get("pinned_lighthouses") or {}).items()},
        forced=tuple((a["domain"], a["follower"], a["lighthouse"])
                     for a in params.get("forced") or []),
        forbidden=tuple((a["domain"], a["follower"], a["lighthouse"])
                        for a in params.get("forbidden") or []),
        excluded=tuple(params.get("excluded") or ()),
        min_maturity=params.get("min_maturity") or DEFAULT_MIN_MATURITY,
        one_domain_per_lighthouse=params.get("one_domain_per_lighthouse", True),
        time_limit_s=float(params.get("time_limit_s") or PlanParams().time_limit_s),
        costs=costs,
    )


def check_plan(model: ClusterModel, params: PlanParams) -> None:
    """Let the optimizer check a request without solving it (raises InvalidPlanRequest).

    The optimizer validates while it builds its index form of the request; that step is
    cheap (a few milliseconds for the 304 municipalities), so the API runs it before a job is
    queued instead of letting the job fail.
    """
    model.validate(params)


@contextmanager
def optimizer_errors() -> Iterator[None]:
    """The optimizer's InvalidPlanRequest as a 400 problem naming the parameter."""
    try:
        yield
    except InvalidPlanRequest as exc:
        raise validation_problem([{"field": exc.field, "message": exc.message,
                                   "message_nl": exc.message_nl}]) from None


def solve_plan(params: dict[str, Any], on_progress: ProgressCallback,
               cancel: threading.Event,
               on_checkpoint: Callable[[dict[str, Any]], None] | None = None) -> dict[str, Any]:
    """Solve a stored plan's parameters on the current registry graph (needs an app context).

    Returns the plan's ``result``: ``{status, reason, reason_nl, objective, lower_bound, gap,
    seconds, costs, clusters: [{domain, lighthouse: {refnis, name}, cost, followers: [{refnis,
    name, distance_km, cost}]}]}`` (costs in the optimizer's points, distances in km). Status
    ``optimal`` (proven), ``time_limit`` (the best plan found, with its gap, or none yet: never
    shown as infeasible), ``infeasible`` (proven, with the reason in English and Dutch) or
    ``cancelled`` (the best plan found before the cancel). ``on_checkpoint`` hears every better
    plan found on the way, as the same JSON (status ``time_limit``).
    """
    graph = current_graph()
    model = build_model(graph)
    optimizer_params = plan_params(params, graph)
    on_plan = None if on_checkpoint is None else (lambda p: on_checkpoint(result_json(p, graph)))
    plan = model.solve(optimizer_params, on_progress=on_progress, cancel=cancel, on_plan=on_plan)
    result = result_json(plan, graph)
    result["coverage"] = coverage_of(optimizer_params, graph)
    offers = co_learning_of(result, graph)
    for entry in result["coverage"]:
        entry["co_learning"] = offers.get(entry["domain"])
    return result


def co_learning_of(result: dict[str, Any], graph: RegistryGraph) -> dict[str, dict[str, Any]]:
    """Per domain of a solved plan, the co-learning offer (:func:`matching.coverage.plan_co_learning`):
    followers far from their lighthouse that start in the domain, grouped as neighbours, those
    that declared an interest in the domain first."""
    follower_km: dict[str, dict[str, float]] = {}
    for cluster in result.get("clusters") or []:
        distances = follower_km.setdefault(cluster["domain"], {})
        for f in cluster["followers"]:
            distances[f["refnis"]] = f["distance_km"]
    out = {}
    for domain, distances in follower_km.items():
        offer = plan_co_learning(graph, domain, distances, declared_interest(domain))
        out[domain] = {
            "near_km": offer.near_km, "far_followers": offer.far_followers,
            "groups": [[{"refnis": p.municipality.refnis, "name": p.municipality.name,
                         "distance_km": round(p.distance_km, 1),
                         "experience": round(p.experience, 3),
                         "declared_interest": p.declared_interest} for p in g.members]
                       for g in offer.groups],
            "message": {"nl": offer.message.nl, "en": offer.message.en} if offer.message else None,
        }
    return out


def result_json(plan: OptimizerPlan, graph: RegistryGraph) -> dict[str, Any]:
    """The optimizer's plan as stored JSON, with the municipalities' names."""
    body = plan.as_dict()

    def name(refnis: str) -> str:
        position = graph.index.get(refnis)
        return graph.municipalities[position].name_nl if position is not None else refnis

    clusters = []
    for cluster in body["clusters"]:
        followers = [{"refnis": f["refnis"], "name": name(f["refnis"]),
                      "distance_km": f["distance_km"], "cost": f.get("cost")}
                     for f in cluster["followers"]]
        followers.sort(key=lambda f: (f["distance_km"], f["name"]))
        clusters.append({
            "domain": cluster["domain"],
            "lighthouse": {"refnis": cluster["lighthouse"], "name": name(cluster["lighthouse"])},
            "cost": finite(sum(f["cost"] or 0.0 for f in followers)),
            "followers": followers,
        })
    order = {d: i for i, d in enumerate(DOMAINS)}
    clusters.sort(key=lambda c: (order[c["domain"]], c["lighthouse"]["name"]))
    return {
        "status": body["status"],
        "reason": body.get("reason"),
        "reason_nl": body.get("reason_nl"),
        "objective": finite(body.get("objective")),
        "lower_bound": finite(body.get("lower_bound")),
        "gap": finite(body.get("gap")),
        "seconds": finite(body.get("seconds"), 3),
        "clusters": clusters,
        "costs": body.get("costs"),
    }


def finite(value: float | None, digits: int = 6) -> float | None:
    """A float for a JSON column: rounded, and None for NaN or infinity."""
    if value is None or not math.isfinite(value):
        return None
    return round(float(value), digits)


#: The warning of a plan over every Flemish municipality (``participants_from`` ``all``).
ALL_WARNING = {
    "field": "participants_from",
    "message": "planned over all Flemish municipalities, including those that did not declare "
               "an interest in these domains: the sources let cities choose their cluster "
               "bottom-up, so read the clusters as a proposal to discuss, not an assignment",
    "message_nl": "gepland over alle Vlaamse gemeenten, ook wie geen interesse aangaf in deze "
                  "domeinen: volgens de bronnen kiezen gemeenten hun cluster bottom-up, dus lees "
                  "de clusters als een voorstel om te bespreken, geen toewijzing",
}


def plan_warnings(params: dict[str, Any]) -> list[dict[str, str]]:
    """What the planner should know about a stored request before reading its result: a plan
    over all municipalities (an explicit choice) plans cities that did not ask to take part."""
    if not params.get("participants") and params.get("participants_from") == "all":
        return [dict(ALL_WARNING)]
    return []


def _iso(value) -> str | None:
    return value.isoformat() if value is not None else None


def plan_json(plan: ClusterPlan, clusters: bool = True) -> dict[str, Any]:
    """The API's view of a plan (see ``ClusterPlanSchema``); without ``clusters`` (the list)
    the result keeps its figures and says how many clusters it has instead of listing them."""
    result = plan.result
    if result is not None and not clusters:
        result = {k: v for k, v in result.items() if k != "clusters"}
        result["cluster_count"] = len(plan.result.get("clusters") or [])
    return {
        "id": plan.id,
        "name": plan.name,
        "status": plan.status,
        "params": plan.params,
        "progress": plan.progress,
        "result": result,
        "error": plan.error,
        "backend": plan.backend,
        "created_by": plan.created_by.email if plan.created_by else None,
        "created_at": _iso(plan.created_at),
        "started_at": _iso(plan.started_at),
        "finished_at": _iso(plan.finished_at),
        "url": url_for("api.show_cluster_plan", plan_id=plan.id),
        "warnings": plan_warnings(plan.params or {}),
    }


@transactional("plan.create", payload=lambda plan, **_: {"plan": plan.id, "name": plan.name})
def new_plan(body: dict[str, Any], user: User | None, backend: str | None = None) -> ClusterPlan:
    """Validate ``body`` (already shaped by ``ClusterPlanInSchema``) against the registry and
    store it as a queued plan (audited). Raises a 400 :class:`Problem` naming the field."""
    params = check_request(body, current_graph())
    plan = ClusterPlan(name=params.get("name"), params=params, status="queued",
                       created_by=user)
    if backend:
        plan.backend = backend
    db.session.add(plan)
    return plan


def create_plan(body: dict[str, Any], user: User | None) -> ClusterPlan:
    """Store a plan and queue its solve as a background job."""
    plan = new_plan(body, user)
    jobs.submit_plan(plan)
    return plan


def get_plan(plan_id: int, field: str = "plan_id") -> ClusterPlan:
    """The plan ``plan_id`` (after stale plans are recovered); 404 naming ``field`` otherwise."""
    jobs.recover_stale_plans()
    plan = db.session.get(ClusterPlan, plan_id) if valid_id(plan_id) else None
    if plan is None:
        raise not_found("cluster plan", plan_id, field=field)
    db.session.refresh(plan)
    return plan


def list_plans(status: str | None = None, limit: int = 50) -> list[ClusterPlan]:
    """The most recent plans first."""
    jobs.recover_stale_plans()
    stmt = select(ClusterPlan).order_by(ClusterPlan.id.desc()).limit(limit)
    if status:
        stmt = stmt.where(ClusterPlan.status == status)
    return list(db.session.scalars(stmt))


def solved(plan: ClusterPlan, field: str = "plan_id") -> dict[str, Any]:
    """The plan's result; a 409 problem while it has none (queued, running, failed)."""
    if not plan.result:
        raise Problem(409, "Conflict",
                      f"Cluster plan {plan.id} has no result (status {plan.status}); wait until "
                      f"it is done.",
                      errors=[{"field": field, "message": f"plan {plan.id} is {plan.status}"}])
    return plan.result
