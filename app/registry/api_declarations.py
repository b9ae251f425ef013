"""City self-service in the API: interests per domain, declared projects and participations,
and the secretariat's review (service: :mod:`app.registry.declarations`)."""

from __future__ import annotations

from flask import url_for

from app.core.api import bp, json_body, parse_args
from app.core.auth import api_user, require_admin, require_role
from app.registry import declarations as service
from app.registry.schemas import (
    DeclarationListArgs,
    DeclaredParticipationInSchema,
    DeclaredProjectInSchema,
    InterestsSchema,
    ReviewInSchema,
)
from app.registry.service import get_municipality, get_project


@bp.get("/municipalities/<refnis>/interests")
def show_interests(refnis: str):
    """A municipality's interest per domain.
    ---
    get:
      summary: A municipality's declared interest per domain (lead, follow, not_now)
      responses:
        200:
          content:
            application/json:
              schema: InterestsSchema
        400: Problem
        404: Problem
    """
    return {"interests": service.interests_of(get_municipality(refnis))}


@bp.put("/municipalities/<refnis>/interests")
@require_role("admin", "city")
def set_interests(refnis: str):
    """Declare interest per domain (the city itself, or admin).
    ---
    put:
      summary: Declare per domain whether the municipality wants to lead, follow or not now
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: InterestsSchema
      responses:
        200:
          content:
            application/json:
              schema: InterestsSchema
        400: Problem
        401: Problem
        403: Problem
        404: Problem
    """
    municipality = get_municipality(refnis)
    data = json_body(InterestsSchema())
    service.set_interests(api_user(), municipality, data["interests"])
    return {"interests": service.interests_of(municipality)}


@bp.post("/municipalities/<refnis>/declared-projects")
@require_role("admin", "city")
def declare_project(refnis: str):
    """Declare a project of the municipality (enters as `declared`).
    ---
    post:
      summary: A city declares a project of its own municipality (evidence level declared,
        pending the secretariat's review)
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: DeclaredProjectInSchema
      responses:
        201:
          content:
            application/json:
              schema: ProjectSchema
        400: Problem
        401: Problem
        403: Problem
        404: Problem
    """
    from app.registry.schemas import ProjectSchema

    municipality = get_municipality(refnis)
    data = json_body(DeclaredProjectInSchema())
    project = service.declare_project(api_user(), municipality, data)
    return ProjectSchema().dump(project), 201, {
        "Location": url_for("api.show_project", project_id=project.id)}


@bp.post("/municipalities/<refnis>/declared-participations")
@require_role("admin", "city")
def declare_participation(refnis: str):
    """Declare the municipality's participation in an existing project.
    ---
    post:
      summary: A city declares its participation in a project of the registry (declared,
        pending review)
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: DeclaredParticipationInSchema
      responses:
        201:
          content:
            application/json:
              schema: DeclarationSchema
        400: Problem
        401: Problem
        403: Problem
        404: Problem
        409: Problem
    """
    municipality = get_municipality(refnis)
    data = json_body(DeclaredParticipationInSchema())
    project = get_project(data["project_id"])
    participation = service.declare_participation(api_user(), municipality, project,
                                                  data["role"])
    return service.declaration_json(participation), 201


@bp.get("/declarations")
@require_admin
def list_declarations():
    """Declarations to review (admin).
    ---
    get:
      summary: Declared participations, pending ones by default (admin)
      security: [{bearerAuth: []}]
      parameters:
      - in: query
        schema: DeclarationListArgs
      responses:
        200:
          content:
            application/json:
              schema: DeclarationPage
        400: Problem
        401: Problem
        403: Problem
    """
    args = parse_args(DeclarationListArgs())
    status = None if args["status"] == "all" else args["status"]
    return {"items": [service.declaration_json(p) for p in service.declarations(status)]}


@bp.post("/declarations/<int:declaration_id>/review")
@require_admin
def review_declaration(declaration_id: int):
    """Verify or reject a declaration with a motivation (admin, audited).
    ---
    post:
      summary: The secretariat verifies or rejects a declaration, with a motivation (audited)
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: ReviewInSchema
      responses:
        200:
          content:
            application/json:
              schema: DeclarationSchema
        400: Problem
        401: Problem
        403: Problem
        404: Problem
        409: Problem
    """
    data = json_body(ReviewInSchema())
    participation = service.get_declaration(declaration_id)
    service.review(api_user(), participation, data["decision"], data["motivation"])
    return service.declaration_json(participation)
