"""Municipalities and domains.

Prior projects: read for everyone, write for admins.
"""

from __future__ import annotations

from flask import Response, request, url_for
from sqlalchemy import select

from app.core.api import TEXT, bp, problems
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
    BoundaryCollection,
    DomainList,
    MunicipalityAnswer,
    MunicipalityListArgs,
    MunicipalityPage,
    ProjectImportArgs,
    ProjectImportResult,
    ProjectInSchema,
    ProjectListArgs,
    ProjectPage,
    ProjectSchema,
    UploadSchema,
)
from app.registry.service import (
    get_municipality,
    get_project,
    municipality_query,
    paginate,
    project_query,
)

_one = MunicipalityAnswer()


@bp.get("/municipalities")
@bp.arguments(MunicipalityListArgs, location="query")
@bp.response(200, MunicipalityPage)
def list_municipalities(args: dict):
    """List municipalities (current ones unless include_merged=true)."""
    items, total = paginate(
        municipality_query(args), (Municipality.name_search,), args["page"], args["per_page"]
    )
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@bp.get("/municipalities/<refnis>")
@bp.alt_response(200, schema=MunicipalityAnswer, success=True)
@problems(404)
def show_municipality(refnis: str):
    """One municipality by REFNIS code; a merged-away one answers with its successor and says so."""
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
@bp.response(200, DomainList)
def list_domains():
    """The six smart-city focus domains."""
    return {"items": db.session.scalars(select(Domain).order_by(Domain.position))}


@bp.get("/projects")
@bp.arguments(ProjectListArgs, location="query")
@bp.response(200, ProjectPage)
@problems(404)
def list_projects(args: dict):
    """List prior projects with filters."""
    items, total = paginate(project_query(args), (Project.year, Project.id), args["page"], args["per_page"])
    return {"items": items, "total": total, "page": args["page"], "per_page": args["per_page"]}


@bp.post("/projects")
@require_admin
@bp.arguments(ProjectInSchema)
@bp.response(201, ProjectSchema)
@problems(409)
def create_project(data: dict):
    """Add a prior project (admin)."""
    project = registry.create_project(data, api_user())
    return project, 201, {"Location": url_for("api.show_project", project_id=project.id)}


@bp.get("/projects/<int:project_id>")
@bp.response(200, ProjectSchema)
@problems(404)
def show_project(project_id: int):
    """One prior project."""
    return get_project(project_id)


@bp.patch("/projects/<int:project_id>")
@require_admin
@bp.arguments(ProjectInSchema(partial=True))
@bp.response(200, ProjectSchema)
@problems(404, 409)
def update_project(data: dict, project_id: int):
    """Correct fields of a prior project (admin)."""
    project = get_project(project_id)
    registry.update_project(project, data, api_user())
    return project


@bp.delete("/projects/<int:project_id>")
@require_admin
@bp.response(204, description="deleted")
@problems(404, 409)
def delete_project(project_id: int):
    """Delete a prior project (admin)."""
    project = get_project(project_id)
    registry.delete_project(project, api_user())
    return "", 204


@bp.get("/boundaries")
@bp.arguments(BoundaryArgs, location="query")
@bp.alt_response(200, schema=BoundaryCollection, content_type="application/geo+json", success=True,
                 description="The 2025 municipalities dissolved from a CC0 map of 2019 (docs/data.md), "
                 "simplified to about 30 m; features sorted by REFNIS with properties refnis, name "
                 "and region. The answer carries an ETag and may be cached for a day.")
@bp.alt_response(304, description="Not modified (If-None-Match matched the ETag)", success=True)
def list_boundaries(args: dict):
    """Municipal outlines as a GeoJSON FeatureCollection (one feature per municipality)."""
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
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True,
                 description="One row per project, keyed by `key`; columns and cell formats in "
                 "docs/api.md (\"Project import and export\"). Importing it again changes nothing.")
def export_projects():
    """Export every project as CSV (admin), in the format the import reads."""
    return Response(transfer.export_csv(), mimetype="text/csv", headers={
        "Content-Disposition": "attachment; filename=projects.csv"})


@bp.post("/projects/import")
@accepts_upload
@require_admin
@bp.arguments(ProjectImportArgs, location="query")
@bp.arguments(UploadSchema, location="files")
@bp.response(200, ProjectImportResult)
@problems(409, 422)
def import_projects(args: dict):
    """Import projects from CSV or XLSX (admin), idempotent on the project key.

    ``dry_run=true`` answers per row what would be created, updated, left unchanged or is in
    error, and how many projects the file leaves alone, without writing. Without it the rows are
    applied in one transaction, or, when a row has an error, nothing is written and the answer is
    422 with the same rows.
    """
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
