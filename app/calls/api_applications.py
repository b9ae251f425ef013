"""Applications of a call: eligibility with reasons, indicators, advice, import.

Applications need a user: the admin sees all, a city user those led by or partnered with their
municipality, a juror those assigned to them without a conflict (app/jury/service_access.py). Field names
in errors follow the pure modules: ``partners[1].refnis``.
"""

from __future__ import annotations

from flask import json, request, url_for

from app.calls import service as calls
from app.calls import service_applications as apps
from app.calls import service_evaluation as evaluations
from app.calls.api import bracketed
from app.calls.schemas import (
    AdviceArgs,
    ApplicationInSchema,
    ApplicationList,
    ApplicationListArgs,
    ApplicationSchema,
    ConsortiumAdviceSchema,
    ImportJsonSchema,
    ImportReportSchema,
    ImportUploadSchema,
    OverrideInSchema,
)
from app.core.api import bp, checked_first, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.security import accepts_upload

require_user = require_role("admin", "city", "juror")

#: Largest import file accepted (bytes); the app's request limit is 1 MB.
MAX_IMPORT_BYTES = 1_000_000


def _no_jurors() -> None:
    user = api_user()
    if user is not None and user.role == "juror":
        raise Problem(403, "Forbidden", "Jurors see the applications assigned to them in the jury "
                                        "pages; this endpoint is for the admin and city users.")


@bp.get("/calls/<int:call_id>/applications")
@require_user
@bp.arguments(ApplicationListArgs, location="query")
@bp.alt_response(200, schema=ApplicationList, success=True)
@problems(404)
def list_applications(args: dict, call_id: int):
    """Applications of a call (admin all.

    A city user those of its municipality; a juror those assigned to them).
    """
    row = calls.get_call(call_id)
    stmt = apps.visible_query(api_user(), row.id)
    items = list(db.session.scalars(stmt))
    if args.get("status"):
        items = [a for a in items if a.status == args["status"]]
    evaluation = evaluations.CallEvaluation(row) if args["evaluate"] and items else None
    user = api_user()
    return {"items": [evaluations.application_dict(a, evaluation, user) for a in items],
            "total": len(items)}


@bp.post("/calls/<int:call_id>/applications")
@require_user
@checked_first(lambda call_id: _no_jurors())
@bp.arguments(bracketed(ApplicationInSchema()))
@bp.alt_response(201, schema=ApplicationSchema, success=True)
@problems(404, 409)
def create_application(data: dict, call_id: int):
    """Submit an application; answers with its eligibility and indicators."""
    _no_jurors()
    row = calls.get_call(call_id)
    user = api_user()
    apps.ensure_may_apply(user, data.get("lead"))
    app_row = apps.create_application(row, data, user, origin="api")
    return (evaluations.application_dict(app_row, evaluations.CallEvaluation(row)), 201,
            {"Location": url_for("api.show_application", application_id=app_row.id)})


@bp.post("/calls/<int:call_id>/applications/import")
@accepts_upload
@require_admin
@bp.arguments(bracketed(ImportJsonSchema()), location="json_or_upload")
@bp.arguments(ImportUploadSchema, location="files")
@bp.alt_response(201, schema=ImportReportSchema, success=True)
@bp.alt_response(200, schema=ImportReportSchema, success=True,
                 description="nothing created (every row known already)")
@problems(404, 409)
def import_applications(body: dict | None, call_id: int):
    """Bulk import with a per-row report.

    Nothing is imported when a row has an error, unless import_valid_rows.
    """
    row = calls.get_call(call_id)
    if body is None:  # multipart/form-data
        data, fmt, valid_rows = _multipart_import()
    else:
        data, fmt, valid_rows = json.dumps(body["applications"]), "json", body["import_valid_rows"]
    return run_import(row, data, fmt, valid_rows)


def _multipart_import() -> tuple[bytes, str, bool]:
    upload = request.files.get("file")
    if upload is None:
        raise validation_problem([{"field": "file", "message": "attach a CSV or JSON file as 'file'",
                                   "message_nl": "voeg een CSV- of JSON-bestand toe als 'file'"}])
    data = upload.read(MAX_IMPORT_BYTES + 1)
    fmt = (request.form.get("format") or "").lower()
    if not fmt:
        name = (upload.filename or "").lower()
        fmt = "json" if name.endswith(".json") or upload.mimetype == "application/json" else "csv"
    flag = (request.form.get("import_valid_rows") or "false").strip().lower()
    if flag not in ("true", "false", "1", "0", "on", "off", "yes", "no", ""):
        raise validation_problem([{"field": "import_valid_rows", "message": "must be true or false",
                                   "message_nl": "moet waar of onwaar zijn"}])
    return data, fmt, flag in ("true", "1", "on", "yes")


def run_import(call_row, data: bytes | str, fmt: str, import_valid_rows: bool):
    """Validate every row, write the importable ones in one transaction, answer with the report."""
    if len(data) > MAX_IMPORT_BYTES:
        raise validation_problem([{"field": "file", "message": "the file is larger than 1 MB",
                                   "message_nl": "het bestand is groter dan 1 MB"}])
    report, created = apps.import_rows(call_row, data, fmt, import_valid_rows, api_user())
    body = report.to_dict()
    body["created"] = created
    if report.invalid and not report.imported:
        errors = [{"field": f"rows[{r['row']}].{e['field']}", "message": e["message"],
                   "message_nl": e["message_nl"]} for r in body["rows"] for e in r["errors"]]
        raise Problem(400, "Invalid input",
                      f"{report.invalid} of {len(report.rows)} rows have errors; nothing was "
                      "imported (send import_valid_rows=true to import the valid rows).",
                      errors=errors, report=body)
    return body, 201 if created else 200


@bp.get("/applications/<int:application_id>")
@require_user
@bp.alt_response(200, schema=ApplicationSchema, success=True)
@problems(404)
def show_application(application_id: int):
    """One application with eligibility (every rule with its reason) and indicators."""
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    return evaluations.application_dict(row, evaluations.CallEvaluation(row.call), user)


def _editable(application_id: int):
    _no_jurors()
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    if not apps.can_edit(user, row):
        raise Problem(403, "Forbidden", "Only the admin or the lead municipality changes an application.")
    return row, user


@bp.patch("/applications/<int:application_id>")
@require_user
@checked_first(_editable)
@bp.arguments(bracketed(ApplicationInSchema(partial=True)))
@bp.alt_response(200, schema=ApplicationSchema, success=True)
@problems(404, 409)
def update_application(data: dict, application_id: int):
    """Change fields of an application (the whole application is checked again)."""
    row, user = _editable(application_id)
    if "lead" in data:
        apps.ensure_may_apply(user, data["lead"])
    apps.update_application(row, data, user)
    return evaluations.application_dict(row, evaluations.CallEvaluation(row.call))


@bp.delete("/applications/<int:application_id>")
@require_user
@bp.alt_response(204, description="deleted", success=True)
@problems(404, 409)
def delete_application(application_id: int):
    """Delete (withdraw) an application."""
    row, user = _editable(application_id)
    apps.delete_application(row, user)
    return "", 204


@bp.post("/applications/<int:application_id>/eligibility-override")
@require_admin
@bp.arguments(bracketed(OverrideInSchema()))
@bp.alt_response(200, schema=ApplicationSchema, success=True)
@problems(404)
def override_eligibility(data: dict, application_id: int):
    """Declare an application eligible or not against the automatic check (admin, audited)."""
    row = apps.get_application(application_id)
    user = api_user()
    apps.override_eligibility(row, data["eligible"], data["motivation"], user)
    return evaluations.application_dict(row, evaluations.CallEvaluation(row.call))


@bp.get("/applications/<int:application_id>/consortium-advice")
@require_user
@bp.arguments(AdviceArgs, location="query")
@bp.alt_response(200, schema=ConsortiumAdviceSchema, success=True)
@problems(404)
def consortium_advice(args: dict, application_id: int):
    """
    One to three municipalities (within the call's follower distance unless include_far) to add
    as committed followers, with the points (leverage + scalability) each adds and why.
    """
    _no_jurors()
    row = apps.get_visible_application(application_id, api_user())
    advice = evaluations.CallEvaluation(row.call).advice(
        row, max_followers=args["max_followers"], max_distance_km=args.get("max_distance_km"),
        include_far=args["include_far"])
    return advice.to_dict()
