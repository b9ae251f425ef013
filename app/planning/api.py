"""Cluster plans: start a region-wide lighthouse-follower plan as a background job, follow its
progress, read, compare, export and check the coverage of the result.

Thin views: the body and query strings are checked by ``app.planning.schemas``; the plans are
stored and read by :mod:`app.planning.service`, solved by :mod:`app.planning.service` in :mod:`app.planning.jobs`, and
reported by :mod:`app.planning.reports`. Starting and cancelling need the admin role; reading is
open like the rest of the registry.
"""

from __future__ import annotations

from flask import Response, json

from app.core.api import bp, json_body, parse_args
from app.core.auth import api_user, require_admin
from app.core.problems import Problem
from app.planning.jobs import QueueUnavailable, cancel_plan, retry_plan
from app.planning.reports import compare, coverage, export_csv, export_geojson
from app.planning.schemas import ClusterPlanInSchema, ClusterPlanListArgs, CoverageArgs
from app.planning.service import create_plan, get_plan, list_plans, plan_json, solved
from app.registry.service import current_graph

_in = ClusterPlanInSchema()
_list_args = ClusterPlanListArgs()
_coverage_args = CoverageArgs()


@bp.post("/cluster-plans")
@require_admin
def start_cluster_plan():
    """Start a cluster plan; the solve runs as a background job.
    ---
    post:
      summary: Start a cluster plan (admin)
      description: >
        Validates the request against the registry (unknown domain or municipality, more
        lighthouses than candidates, negative capacity, contradictory pins: 400 naming the
        parameter), stores the plan as queued and answers 202 with its URL in Location. A
        well-formed request that cannot be satisfied still becomes a plan: it ends done with
        result.status infeasible and the reason. See docs/optimizer.md.
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: ClusterPlanInSchema
      responses:
        202:
          content:
            application/json:
              schema: ClusterPlanSchema
        400: Problem
        401: Problem
        403: Problem
        503: Problem
    """
    body = json_body(_in)
    try:
        plan = create_plan(body, api_user())
    except QueueUnavailable as exc:
        raise Problem(503, "Service unavailable", str(exc)) from None
    payload = plan_json(plan)
    return payload, 202, {"Location": payload["url"]}


@bp.get("/cluster-plans")
def list_cluster_plans():
    """Stored cluster plans, most recent first.
    ---
    get:
      summary: List cluster plans
      description: >
        Each plan as GET /api/v1/cluster-plans/{plan_id} answers it, except that the result
        gives cluster_count instead of the clusters.
      parameters:
      - in: query
        schema: ClusterPlanListArgs
      responses:
        200:
          content:
            application/json:
              schema: ClusterPlanPage
        400: Problem
    """
    args = parse_args(_list_args)
    return {"items": [plan_json(p, clusters=False)
                      for p in list_plans(args.get("status"), args["limit"])]}


@bp.get("/cluster-plans/<int:plan_id>")
def show_cluster_plan(plan_id: int):
    """One cluster plan: status, live progress, parameters and, when done, the result.
    ---
    get:
      summary: One cluster plan (poll it for progress)
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: ClusterPlanSchema
        404: Problem
    """
    return plan_json(get_plan(plan_id))


@bp.delete("/cluster-plans/<int:plan_id>")
@require_admin
def cancel_cluster_plan(plan_id: int):
    """Cancel a queued or running plan (admin); a finished plan is left as it is.
    ---
    delete:
      summary: Cancel a cluster plan (admin)
      description: >
        A queued plan is cancelled at once; a running one stops within a few seconds and keeps
        the best plan found so far as its result. Answers the plan (202 while it is stopping).
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: ClusterPlanSchema
        202:
          content:
            application/json:
              schema: ClusterPlanSchema
        401: Problem
        403: Problem
        404: Problem
    """
    plan = get_plan(plan_id)
    cancel_plan(plan)
    return plan_json(plan), 202 if plan.is_active else 200


@bp.post("/cluster-plans/<int:plan_id>/retry")
@require_admin
def retry_cluster_plan(plan_id: int):
    """Solve a failed or cancelled plan again, as a new plan (admin).
    ---
    post:
      summary: Retry a failed or cancelled cluster plan (admin)
      description: >
        Queues the same request as a new plan and answers it (202, its URL in Location). The
        failed plan keeps its result: the best plan checkpointed before its worker died. 409 for
        a plan that is still active or ended done.
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      responses:
        202:
          content:
            application/json:
              schema: ClusterPlanSchema
        401: Problem
        403: Problem
        404: Problem
        409: Problem
        503: Problem
    """
    try:
        plan = retry_plan(get_plan(plan_id), api_user())
    except QueueUnavailable as exc:
        raise Problem(503, "Service unavailable", str(exc)) from None
    payload = plan_json(plan)
    return payload, 202, {"Location": payload["url"]}


@bp.get("/cluster-plans/<int:plan_id>/compare/<int:other_id>")
def compare_cluster_plans(plan_id: int, other_id: int):
    """Municipalities that changed lighthouse between two plans, and the objective difference.
    ---
    get:
      summary: Compare two cluster plans
      description: >
        Per domain, every municipality whose lighthouse differs (null where it is in no cluster
        of that plan), the lighthouses of one plan only, and objective_difference = other's
        objective minus this plan's. Both plans need a result (409 otherwise).
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      - in: path
        name: other_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: PlanComparisonSchema
        404: Problem
        409: Problem
    """
    plan, other = get_plan(plan_id), get_plan(other_id, field="other_id")
    a = {"id": plan.id, "params": plan.params, "result": solved(plan)}
    b = {"id": other.id, "params": other.params, "result": solved(other, field="other_id")}
    return compare(current_graph(), a, b)


@bp.get("/cluster-plans/<int:plan_id>/coverage")
def cluster_plan_coverage(plan_id: int):
    """Coverage of a plan per domain and province.
    ---
    get:
      summary: Coverage of a cluster plan
      description: >
        Per domain and province: how many municipalities have a lighthouse of the domain within
        the distance limit (the plan's max_distance_km, or the query's; without any limit: how
        many are in a cluster), how many small municipalities (fewer than 10,000 inhabitants)
        are covered, and which municipalities are left out. Counted: the Flemish municipalities
        plus any other participant.
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      - in: query
        schema: CoverageArgs
      responses:
        200:
          content:
            application/json:
              schema: PlanCoverageSchema
        400: Problem
        404: Problem
        409: Problem
    """
    args = parse_args(_coverage_args)
    plan = get_plan(plan_id)
    body = coverage(current_graph(), plan.params, solved(plan), args.get("max_distance_km"))
    return {"plan": plan.id, **body}


def _download(body: str, mimetype: str, filename: str) -> Response:
    return Response(body, mimetype=mimetype,
                    headers={"Content-Disposition": f'attachment; filename="{filename}"'})


@bp.get("/cluster-plans/<int:plan_id>.csv")
def export_cluster_plan_csv(plan_id: int):
    """The plan as CSV: one row per municipality per domain.
    ---
    get:
      summary: Export a cluster plan as CSV
      description: >
        Columns plan_id, domain, role (lighthouse or follower), refnis, name, province,
        population, lighthouse_refnis, lighthouse_name, distance_km.
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            text/csv:
              schema: {type: string}
        404: Problem
        409: Problem
    """
    plan = get_plan(plan_id)
    text = export_csv(current_graph(), plan.id, solved(plan))
    return _download(text, "text/csv", f"cluster-plan-{plan.id}.csv")


@bp.get("/cluster-plans/<int:plan_id>.geojson")
def export_cluster_plan_geojson(plan_id: int):
    """The plan as GeoJSON: a point per municipality per domain, a line per follower.
    ---
    get:
      summary: Export a cluster plan as GeoJSON
      parameters:
      - in: path
        name: plan_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/geo+json:
              schema: {type: object}
        404: Problem
        409: Problem
    """
    plan = get_plan(plan_id)
    body = json.dumps(export_geojson(current_graph(), plan.id, solved(plan)))
    return _download(body, "application/geo+json", f"cluster-plan-{plan.id}.geojson")
