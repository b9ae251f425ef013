"""Municipalities and domains.

Prior projects: read for everyone, write for admins.
"""

from __future__ import annotations

from flask import Response, request, url_for
from sqlalchemy import select

from app.core.api import bp, json_body, parse_args
from app.core.auth import api_user, require_admin
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.security import accepts_upload
from app.models import Domain, Municipality, Project
from app.registry import service as registry
from app.registry import transfer
from app.registry.boundaries import boundaries
from app.registry.schemas import (
    BoundaryArgs,
    DomainSchema,
    MunicipalityListArgs,
    MunicipalitySchema,
    ProjectImportArgs,
    ProjectInSchema,
    ProjectListArgs,
    ProjectSchema,
)
from app.registry.service import (
    apply_project,
    get_municipality,
    get_project,
    municipality_query,
    paginate,
    project_query,
    save_or_problem,
)

_list_args = MunicipalityListArgs()
_boundary_args = BoundaryArgs()
_one = MunicipalitySchema()
_many = MunicipalitySchema(many=True)


@bp.get("/municipalities")
def list_municipalities():
    """List municipalities.
    ---
    get:
      summary: List municipalities (current ones unless include_merged=true)
      parameters:
      - in: query
        schema: MunicipalityListArgs
      responses:
        200:
          content:
            application/json:
              schema: MunicipalityPage
        400: Problem
    """
    args = parse_args(_list_args)
    items, total = paginate(
        municipality_query(args), (Municipality.name_search,), args["page"], args["per_page"]
    )
    return {"items": _many.dump(items), "total": total, "page": args["page"], "per_page": args["per_page"]}


@bp.get("/municipalities/<refnis>")
def show_municipality(refnis: str):
    """One municipality; a merged-away REFNIS answers with its successor and says so.
    ---
    get:
      summary: One municipality by REFNIS code
      parameters:
      - in: path
        name: refnis
        required: true
        schema: {type: string, pattern: '^\\d{5}$'}
      responses:
        200:
          content:
            application/json:
              schema: MunicipalitySchema
        404: Problem
    """
    m = get_municipality(refnis)
    current = m.current()
    body = _one.dump(current)
    if current.id != m.id:
        body["resolved_from"] = {
            "refnis": m.refnis,
            "name_nl": m.name_nl,
            "merged_on": m.merged_on.isoformat() if m.merged_on else None,
            "note": f"{m.name_nl} ({m.refnis}) merged into {current.name_nl} ({current.refnis})",
        }
    return body


@bp.get("/domains")
def list_domains():
    """The six focus domains.
    ---
    get:
      summary: The six smart-city focus domains
      responses:
        200:
          content:
            application/json:
              schema:
                type: object
                properties:
                  items: {type: array, items: DomainSchema}
    """
    domains = db.session.scalars(select(Domain).order_by(Domain.position))
    return {"items": DomainSchema(many=True).dump(domains)}


_project = ProjectSchema()


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
    return _project.dump(project), 201, {"Location": url_for("api.show_project", project_id=project.id)}


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
    return _project.dump(get_project(project_id))


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
    return _project.dump(project)


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


@bp.get("/boundaries")
def list_boundaries():
    """Outlines of the current municipalities, for maps.
    ---
    get:
      summary: Municipal outlines as a GeoJSON FeatureCollection (one feature per municipality)
      description: >-
        The 2025 municipalities dissolved from a CC0 map of 2019 (docs/data.md), simplified to
        about 30 m; features sorted by REFNIS with properties refnis, name and region. The answer
        carries an ETag and may be cached for a day.
      parameters:
      - in: query
        schema: BoundaryArgs
      responses:
        200:
          content:
            application/geo+json:
              schema: BoundaryCollection
        304:
          description: Not modified (If-None-Match matched the ETag)
        400: Problem
    """
    args = parse_args(_boundary_args)
    compressed = "gzip" in request.accept_encodings
    body, etag = boundaries(args.get("region"), compressed)
    response = Response(body, mimetype="application/geo+json")
    if compressed:
        response.content_encoding = "gzip"
    response.vary.add("Accept-Encoding")
    response.set_etag(etag)
    response.cache_control.public = True
    response.cache_control.max_age = 86400
    return response.make_conditional(request)
@bp.get("/projects/export.csv")
@require_admin
def export_projects():
    """Every project as CSV (admin), in the format the import reads.
    ---
    get:
      summary: Export every project as CSV (admin); importing it again changes nothing
      description: One row per project, keyed by `key`; columns and cell formats in
        docs/api.md ("Project import and export").
      security: [{bearerAuth: []}]
      responses:
        200:
          content:
            text/csv:
              schema: {type: string}
        401: Problem
        403: Problem
    """
    return Response(transfer.export_csv(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=projects.csv"})


@bp.post("/projects/import")
@accepts_upload
@require_admin
def import_projects():
    """Import projects from CSV or XLSX (admin).
    ---
    post:
      summary: Import projects from CSV or XLSX (admin), idempotent on the project key
      description: "`dry_run=true` answers per row what would be created, updated, left
        unchanged or is in error, and how many projects the file leaves alone, without
        writing. Without it the rows are applied in one transaction, or, when a row has an
        error, nothing is written and the answer is 422 with the same rows."
      security: [{bearerAuth: []}]
      parameters:
      - in: query
        name: dry_run
        schema: {type: boolean, default: false}
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary}
      responses:
        200:
          content:
            application/json:
              schema: ProjectImportResult
        400: Problem
        401: Problem
        403: Problem
        422: Problem
    """
    args = parse_args(ProjectImportArgs())
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        raise validation_problem([{"field": "file", "message": "upload a CSV or XLSX file as "
                                                               "multipart field 'file'"}])
    try:
        plan, written = transfer.import_projects(upload.read(), upload.filename,
                                                 upload.mimetype, args["dry_run"], api_user())
    except transfer.TransferError as exc:
        raise validation_problem([{"field": "file", "message": str(exc)}]) from None
    body = {"dry_run": args["dry_run"], "written": written, **plan.as_dict()}
    if not args["dry_run"] and not plan.ok:
        raise Problem(422, "Import refused",
                      "rows with errors: nothing was written; fix the rows listed and import "
                      "again", errors=[{"field": f"rows.{r.row}.{e['field']}", "message":
                                        e["message"]} for r in plan.rows for e in r.errors],
                      **body)
    return body
