"""Cluster plans: start a region-wide lighthouse-follower plan as a background job, follow its
progress, read, compare, export and check the coverage of the result.

Thin views: the body and query strings are checked by ``app.planning.schemas``; the plans are
stored and read by :mod:`app.planning.service`, solved by :mod:`app.planning.service` in :mod:`app.planning.jobs`, and
reported by :mod:`app.planning.reports`. Starting and cancelling need the admin role; reading is
open like the rest of the registry.
"""

from __future__ import annotations

from flask import Response, json

from app.core.api import TEXT, bp, problems
from app.core.auth import api_user, require_admin
from app.core.problems import Problem
from app.planning.jobs import QueueUnavailable, cancel_plan, retry_plan
from app.planning.reports import compare, coverage, export_csv, export_geojson
from app.planning.schemas import (
    ClusterPlanInSchema,
    ClusterPlanListArgs,
    ClusterPlanPage,
    ClusterPlanSchema,
    CoverageArgs,
    PlanComparisonSchema,
    PlanCoverageSchema,
)
from app.planning.service import create_plan, get_plan, list_plans, plan_json, solved
from app.registry.service import current_graph


@bp.post("/cluster-plans")
@require_admin
@bp.arguments(ClusterPlanInSchema)
@bp.alt_response(202, schema=ClusterPlanSchema, success=True)
@problems(503)
def start_cluster_plan(body: dict):
    """Start a cluster plan (admin).

    Validates the request against the registry (unknown domain or municipality, more lighthouses
    than candidates, negative capacity, contradictory pins: 400 naming the parameter), stores
    the plan as queued and answers 202 with its URL in Location. A well-formed request that
    cannot be satisfied still becomes a plan: it ends done with result.status infeasible and the
    reason. See docs/optimizer.md.
    """
    try:
        plan = create_plan(body, api_user())
    except QueueUnavailable as exc:
        raise Problem(503, "Service unavailable", str(exc)) from None
    payload = plan_json(plan)
    return payload, 202, {"Location": payload["url"]}


@bp.get("/cluster-plans")
@bp.arguments(ClusterPlanListArgs, location="query")
@bp.alt_response(200, schema=ClusterPlanPage, success=True)
def list_cluster_plans(args: dict):
    """List cluster plans.

    Each plan as GET /api/v1/cluster-plans/{plan_id} answers it, except that the result gives
    cluster_count instead of the clusters.
    """
    return {"items": [plan_json(p, clusters=False)
                      for p in list_plans(args.get("status"), args["limit"])]}


@bp.get("/cluster-plans/<int:plan_id>")
@bp.alt_response(200, schema=ClusterPlanSchema, success=True)
@problems(404)
def show_cluster_plan(plan_id: int):
    """One cluster plan (poll it for progress)."""
    return plan_json(get_plan(plan_id))


@bp.delete("/cluster-plans/<int:plan_id>")
@require_admin
@bp.alt_response(200, schema=ClusterPlanSchema, success=True)
@bp.alt_response(202, schema=ClusterPlanSchema, success=True)
@problems(404)
def cancel_cluster_plan(plan_id: int):
    """Cancel a cluster plan (admin).

    A queued plan is cancelled at once; a running one stops within a few seconds and keeps the
    best plan found so far as its result. Answers the plan (202 while it is stopping).
    """
    plan = get_plan(plan_id)
    cancel_plan(plan)
    return plan_json(plan), 202 if plan.is_active else 200


@bp.post("/cluster-plans/<int:plan_id>/retry")
@require_admin
@bp.alt_response(202, schema=ClusterPlanSchema, success=True)
@problems(404, 409, 503)
def retry_cluster_plan(plan_id: int):
    """Retry a failed or cancelled cluster plan (admin).

    Queues the same request as a new plan and answers it (202, its URL in Location). The failed
    plan keeps its result: the best plan checkpointed before its worker died. 409 for a plan
    that is still active or ended done.
    """
    try:
        plan = retry_plan(get_plan(plan_id), api_user())
    except QueueUnavailable as exc:
        raise Problem(503, "Service unavailable", str(exc)) from None
    payload = plan_json(plan)
    return payload, 202, {"Location": payload["url"]}


@bp.get("/cluster-plans/<int:plan_id>/compare/<int:other_id>")
@bp.alt_response(200, schema=PlanComparisonSchema, success=True)
@problems(404, 409)
def compare_cluster_plans(plan_id: int, other_id: int):
    """Compare two cluster plans.

    Per domain, every municipality whose lighthouse differs (null where it is in no cluster of
    that plan), the lighthouses of one plan only, and objective_difference = other's objective
    minus this plan's. Both plans need a result (409 otherwise).
    """
    plan, other = get_plan(plan_id), get_plan(other_id, field="other_id")
    a = {"id": plan.id, "params": plan.params, "result": solved(plan)}
    b = {"id": other.id, "params": other.params, "result": solved(other, field="other_id")}
    return compare(current_graph(), a, b)


@bp.get("/cluster-plans/<int:plan_id>/coverage")
@bp.arguments(CoverageArgs, location="query")
@bp.alt_response(200, schema=PlanCoverageSchema, success=True)
@problems(404, 409)
def cluster_plan_coverage(args: dict, plan_id: int):
    """Coverage of a cluster plan.

    Per domain and province: how many municipalities have a lighthouse of the domain within the
    distance limit (the plan's max_distance_km, or the query's; without any limit: how many are
    in a cluster), how many small municipalities (fewer than 10,000 inhabitants) are covered,
    and which municipalities are left out. Counted: the Flemish municipalities plus any other
    participant.
    """
    plan = get_plan(plan_id)
    body = coverage(current_graph(), plan.params, solved(plan), args.get("max_distance_km"))
    return {"plan": plan.id, **body}


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/cluster-plans/<int:plan_id>.csv")
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True)
@problems(404, 409)
def export_cluster_plan_csv(plan_id: int):
    """Export a cluster plan as CSV.

    Columns plan_id, domain, role (lighthouse or follower), refnis, name, province, population,
    lighthouse_refnis, lighthouse_name, distance_km.
    """
    plan = get_plan(plan_id)
    text = export_csv(current_graph(), plan.id, solved(plan))
    return _download(text, "text/csv", f"cluster-plan-{plan.id}.csv")


@bp.get("/cluster-plans/<int:plan_id>.geojson")
@bp.alt_response(200, schema={"type": "object"}, content_type="application/geo+json", success=True)
@problems(404, 409)
def export_cluster_plan_geojson(plan_id: int):
    """Export a cluster plan as GeoJSON."""
    plan = get_plan(plan_id)
    body = json.dumps(export_geojson(current_graph(), plan.id, solved(plan)))
    return _download(body, "application/geo+json", f"cluster-plan-{plan.id}.geojson")
