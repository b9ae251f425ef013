"""Clusters in operation, the programme dashboard and the open-data export (docs/followup.md)."""

from __future__ import annotations

from flask import Response

from app.core.api import TEXT, bp, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.problems import not_found
from app.followup import clusters as service
from app.followup import programme
from app.followup.schemas import (
    ClusterAdoptInSchema,
    ClusterList,
    ClusterListArgs,
    ClusterMemberInSchema,
    ClusterMemberSchema,
    ClusterSchema,
    OpenDataArgs,
    OpenDataSchema,
    ProgrammeSchema,
    SessionInSchema,
    SessionSchema,
)
from app.models import ClusterPlan


@bp.post("/cluster-plans/<int:plan_id>/adopt")
@require_admin
@bp.arguments(ClusterAdoptInSchema, location="optional_json")
@bp.alt_response(201, schema=ClusterList, success=True)
@problems(404, 409)
def adopt_plan(data: dict, plan_id: int):
    """Adopt a solved plan's clusters (all, or the positions given): each becomes a cluster in
    operation with its lighthouse and followers; already adopted ones are left alone (admin)."""
    plan = db.session.get(ClusterPlan, plan_id) if 0 < plan_id < 2**31 else None
    if plan is None:
        raise not_found("plan", plan_id, field="id")
    created = service.adopt_plan(plan, data.get("clusters"), api_user())
    return {"items": [service.cluster_dict(c, details=False) for c in created]}, 201


@bp.get("/clusters")
@bp.arguments(ClusterListArgs, location="query")
@bp.alt_response(200, schema=ClusterList, success=True)
def list_clusters(args: dict):
    """The clusters in operation, per domain, with their members and how many sessions."""
    return {"items": [service.cluster_dict(c, details=False)
                      for c in service.clusters(args.get("domain"))]}


@bp.get("/clusters/<int:cluster_id>")
@bp.alt_response(200, schema=ClusterSchema, success=True)
@problems(404)
def show_cluster(cluster_id: int):
    """One cluster in operation: members, knowledge-sharing sessions, who adopted what."""
    return service.cluster_dict(service.get_cluster(cluster_id))


@bp.post("/clusters/<int:cluster_id>/members")
@require_admin
@bp.arguments(ClusterMemberInSchema)
@bp.alt_response(200, schema=ClusterMemberSchema, success=True)
@problems(404, 409)
def add_cluster_member(data: dict, cluster_id: int):
    """Add a follower or an observer to a cluster, or move a member between the two (admin)."""
    row = service.add_member(service.get_cluster(cluster_id), data["refnis"], data["role"],
                             api_user())
    return {"refnis": row.municipality.refnis, "name_nl": row.municipality.name_nl,
            "role": row.role, "population": row.municipality.population}


@bp.post("/clusters/<int:cluster_id>/sessions")
@require_role("admin", "city")
@bp.arguments(SessionInSchema)
@bp.alt_response(201, schema=SessionSchema, success=True)
@problems(404)
def record_session(data: dict, cluster_id: int):
    """Record a knowledge-sharing session: date, topic, the members present, the material (the
    secretariat or the lighthouse's city user)."""
    row = service.record_session(service.get_cluster(cluster_id), data, api_user())
    return service.session_dict(row), 201


@bp.get("/programme")
@bp.alt_response(200, schema=ProgrammeSchema, success=True)
def programme_dashboard():
    """Per domain: clusters, funded projects, adoption rate, knowledge items and sessions, small
    municipalities reached (population < 10,000, Statbel), overdue milestones."""
    return programme.dashboard()


@bp.get("/open-data/projects")
@bp.arguments(OpenDataArgs, location="query")
@bp.alt_response(200, schema=OpenDataSchema, success=True,
                 description="JSON; with format=csv one row per published result, the first "
                             "line the licence")
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True)
def open_data_projects(args: dict):
    """Funded projects and their published results, open data with a licence line."""
    data = programme.open_data()
    if args["format"] == "csv":
        return Response(programme.open_data_csv(data), mimetype="text/csv", headers={
            "Content-Disposition": "attachment; filename=vuurtoren-funded-projects.csv"})
    return data
