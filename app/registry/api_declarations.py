"""City self-service in the API: interests per domain, declared projects and participations,
and the secretariat's review (service: :mod:`app.registry.declarations`)."""

from __future__ import annotations

from flask import url_for

from app.core.api import bp, problems
from app.core.auth import api_user, require_admin, require_role
from app.registry import declarations as service
from app.registry.schemas import (
    DeclarationListArgs,
    DeclarationPage,
    DeclarationSchema,
    DeclaredParticipationInSchema,
    DeclaredProjectInSchema,
    InterestsSchema,
    ProjectSchema,
    ReviewInSchema,
)
from app.registry.service import get_municipality, get_project


@bp.get("/municipalities/<refnis>/interests")
@bp.response(200, InterestsSchema)
@problems(404)
def show_interests(refnis: str):
    """A municipality's declared interest per domain (lead, follow, not_now)."""
    return {"interests": service.interests_of(get_municipality(refnis))}


@bp.put("/municipalities/<refnis>/interests")
@require_role("admin", "city")
@bp.arguments(InterestsSchema)
@bp.response(200, InterestsSchema)
@problems(404)
def set_interests(data: dict, refnis: str):
    """Declare per domain whether the municipality wants to lead, follow or not now."""
    municipality = get_municipality(refnis)
    service.set_interests(api_user(), municipality, data["interests"])
    return {"interests": service.interests_of(municipality)}


@bp.post("/municipalities/<refnis>/declared-projects")
@require_role("admin", "city")
@bp.arguments(DeclaredProjectInSchema)
@bp.response(201, ProjectSchema)
@problems(404, 409)
def declare_project(data: dict, refnis: str):
    """A city declares a project of its own municipality (evidence level declared, pending the
    secretariat's review)."""
    municipality = get_municipality(refnis)
    project = service.declare_project(api_user(), municipality, data)
    return project, 201, {"Location": url_for("api.show_project", project_id=project.id)}


@bp.post("/municipalities/<refnis>/declared-participations")
@require_role("admin", "city")
@bp.arguments(DeclaredParticipationInSchema)
@bp.alt_response(201, schema=DeclarationSchema, success=True)
@problems(404, 409)
def declare_participation(data: dict, refnis: str):
    """A city declares its participation in a project of the registry (declared, pending
    review)."""
    municipality = get_municipality(refnis)
    project = get_project(data["project_id"])
    participation = service.declare_participation(api_user(), municipality, project,
                                                  data["role"])
    return service.declaration_json(participation), 201


@bp.get("/declarations")
@require_admin
@bp.arguments(DeclarationListArgs, location="query")
@bp.alt_response(200, schema=DeclarationPage, success=True)
def list_declarations(args: dict):
    """Declared participations, pending ones by default (admin)."""
    status = None if args["status"] == "all" else args["status"]
    return {"items": [service.declaration_json(p) for p in service.declarations(status)]}


@bp.post("/declarations/<int:declaration_id>/review")
@require_admin
@bp.arguments(ReviewInSchema)
@bp.alt_response(200, schema=DeclarationSchema, success=True)
@problems(404, 409)
def review_declaration(data: dict, declaration_id: int):
    """The secretariat verifies or rejects a declaration, with a motivation (audited)."""
    participation = service.get_declaration(declaration_id)
    service.review(api_user(), participation, data["decision"], data["motivation"])
    return service.declaration_json(participation)
