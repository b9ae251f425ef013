"""Prior projects: read for everyone, write for admins."""

from __future__ import annotations

from flask import url_for

from app import registry
from app.api import bp, json_body, parse_args
from app.api.schemas import ProjectInSchema, ProjectListArgs, ProjectSchema
from app.auth import require_admin
from app.extensions import db
from app.models import Project
from app.registry import apply_project, get_project, paginate, project_query, save_or_problem

_one = ProjectSchema()


@bp.get("/projects")
def list_projects():
    """List prior projects.
    ---
    get:
      summary: List prior projects with filters
      parameters:
      - in: query
        schema: ProjectListArgs
      responses:
        200:
          content:
            application/json:
              schema: ProjectPage
        400: Problem
    """
    args = parse_args(ProjectListArgs())
    items, total = paginate(project_query(args), (Project.year, Project.id), args["page"], args["per_page"])
    return {"items": ProjectSchema(many=True).dump(items), "total": total,
            "page": args["page"], "per_page": args["per_page"]}


@bp.post("/projects")
@require_admin
def create_project():
    """Add a project (admin).
    ---
    post:
      summary: Add a prior project (admin)
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: ProjectInSchema
      responses:
        201:
          content:
            application/json:
              schema: ProjectSchema
        400: Problem
        401: Problem
    """
    data = json_body(ProjectInSchema())
    project = apply_project(Project(), data)
    db.session.add(project)
    save_or_problem()
    return _one.dump(project), 201, {"Location": url_for("api.show_project", project_id=project.id)}


@bp.get("/projects/<int:project_id>")
def show_project(project_id: int):
    """One project.
    ---
    get:
      summary: One prior project
      parameters:
      - in: path
        name: project_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: ProjectSchema
        404: Problem
    """
    return _one.dump(get_project(project_id))


@bp.patch("/projects/<int:project_id>")
@require_admin
def update_project(project_id: int):
    """Correct a project (admin).
    ---
    patch:
      summary: Correct fields of a prior project (admin)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: project_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: ProjectInSchema
      responses:
        200:
          content:
            application/json:
              schema: ProjectSchema
        400: Problem
        404: Problem
    """
    project = get_project(project_id)
    data = json_body(ProjectInSchema(), partial=True)
    apply_project(project, data)
    save_or_problem()
    return _one.dump(project)


@bp.delete("/projects/<int:project_id>")
@require_admin
def delete_project(project_id: int):
    """Delete a project (admin).
    ---
    delete:
      summary: Delete a prior project (admin)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: project_id
        required: true
        schema: {type: integer}
      responses:
        204:
          description: deleted
        404: Problem
    """
    project = get_project(project_id)
    registry.delete_project(project)
    save_or_problem()
    return "", 204
