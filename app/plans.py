"""Stored cluster plans for the API, the pages and the CLI: create, read, list, cancel, as JSON.

A plan is validated before it is stored (:func:`app.planning.check_request` builds the
optimizer's model from the registry, so a bad request is a 400 and never a failed job), then
handed to :mod:`app.jobs`. Every read first marks plans whose worker stopped as failed
(:func:`app.jobs.recover_stale_plans`), so a server restart never leaves a plan ``running``.
"""

from __future__ import annotations

from typing import Any

from flask import url_for
from sqlalchemy import select

from app import jobs
from app.extensions import db
from app.models import ClusterPlan, User
from app.planning import check_request
from app.problems import Problem, not_found
from app.registry_data import current_graph


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
    }


def new_plan(body: dict[str, Any], user: User | None, backend: str | None = None) -> ClusterPlan:
    """Validate ``body`` (already shaped by ``ClusterPlanInSchema``) against the registry and
    store it as a queued plan (committed). Raises a 400 :class:`Problem` naming the field."""
    params = check_request(body, current_graph())
    plan = ClusterPlan(name=params.get("name"), params=params, status="queued",
                       created_by=user)
    if backend:
        plan.backend = backend
    db.session.add(plan)
    db.session.commit()
    return plan


def create_plan(body: dict[str, Any], user: User | None) -> ClusterPlan:
    """Store a plan and queue its solve as a background job."""
    plan = new_plan(body, user)
    jobs.submit_plan(plan)
    return plan


def get_plan(plan_id: int, field: str = "plan_id") -> ClusterPlan:
    """The plan ``plan_id`` (after stale plans are recovered); 404 naming ``field`` otherwise."""
    jobs.recover_stale_plans()
    plan = db.session.get(ClusterPlan, plan_id) if 0 < plan_id < 2**31 else None
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
