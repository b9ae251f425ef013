"""Calls, criteria and applications: eligibility with reasons, indicators, advice, import.

Reading calls and criteria is open (a call's rules are public); applications need a user: the
admin sees all, a city user those led by or partnered with their municipality, a juror those
assigned to them without a conflict (app/access.py). Field names in errors follow the pure modules:
``partners[1].refnis``, ``criteria[0].threshold``.
"""

from __future__ import annotations

from typing import Any

from flask import json, request, url_for
from marshmallow import Schema

from app.calls import service as calls
from app.calls import service_applications as apps
from app.calls.schemas import (
    AdviceArgs,
    ApplicationInSchema,
    ApplicationListArgs,
    CallCreateSchema,
    CallFieldsSchema,
    CriteriaPutSchema,
    ImportJsonSchema,
    OverrideInSchema,
    SensitivityArgs,
)
from app.core.api import bp, json_body, parse_args
from app.core.audit import record_audit
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.security import accepts_upload
from app.registry.service import save_or_problem

require_user = require_role("admin", "city", "juror")

#: Largest import file accepted (bytes); the app's request limit is 1 MB.
MAX_IMPORT_BYTES = 1_000_000


def _body(schema: Schema, partial: bool = False) -> dict[str, Any]:
    """``json_body`` with field names in the pure modules' style (``partners[0].refnis``)."""
    try:
        return json_body(schema, partial=partial)
    except Problem as exc:
        for e in exc.errors:
            e["field"] = calls.bracket_path(str(e.get("field", "")))
        raise


def _no_jurors() -> None:
    user = api_user()
    if user is not None and user.role == "juror":
        raise Problem(403, "Forbidden", "Jurors see the applications assigned to them in the jury "
                                        "pages; this endpoint is for the admin and city users.")


# --------------------------------------------------------------------------------------------
# Calls


@bp.get("/calls")
def list_calls():
    """List calls.
    ---
    get:
      summary: List calls with their rules and criteria
      responses:
        200:
          content:
            application/json:
              schema: CallList
    """
    rows = calls.list_calls()
    counts = _application_counts()
    return {"items": [calls.call_dict(r, counts.get(r.id, 0)) for r in rows]}


def _application_counts() -> dict[int, int]:
    from sqlalchemy import func, select

    from app.models import Application

    stmt = select(Application.call_id, func.count()).group_by(Application.call_id)
    return {cid: n for cid, n in db.session.execute(stmt)}


@bp.post("/calls")
@require_admin
def create_call():
    """Create a call (admin).
    ---
    post:
      summary: Create a call from a preset (other fields override it) or in full (admin)
      security: [{bearerAuth: []}]
      requestBody:
        required: true
        content:
          application/json:
            schema: CallCreateSchema
      responses:
        201:
          content:
            application/json:
              schema: CallSchema
        400: Problem
        401: Problem
        403: Problem
    """
    data = _body(CallCreateSchema())
    row = calls.create_call(data)
    save_or_problem()
    return calls.call_dict(row, 0), 201, {"Location": url_for("api.show_call", call_id=row.id)}


@bp.get("/calls/<int:call_id>")
def show_call(call_id: int):
    """One call.
    ---
    get:
      summary: One call with its rules, criteria and the source of every preset figure
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: CallSchema
        404: Problem
    """
    row = calls.get_call(call_id)
    return calls.call_dict(row, _application_counts().get(row.id, 0))


@bp.patch("/calls/<int:call_id>")
@require_admin
def update_call(call_id: int):
    """Change rules of a call (admin).
    ---
    patch:
      summary: Change rules (and, before the first score, criteria) of a call (admin)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: CallFieldsSchema
      responses:
        200:
          content:
            application/json:
              schema: CallSchema
        400: Problem
        404: Problem
        409: Problem
    """
    row = calls.get_call(call_id)
    data = _body(CallFieldsSchema(), partial=True)
    calls.update_call(row, data)
    save_or_problem()
    return calls.call_dict(row, _application_counts().get(row.id, 0))


@bp.get("/calls/<int:call_id>/criteria")
def list_criteria(call_id: int):
    """The criteria of a call.
    ---
    get:
      summary: Criteria of a call (code, name nl/en, weight, scale, threshold)
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: CriterionList
        404: Problem
    """
    row = calls.get_call(call_id)
    return {"items": [calls.criterion_dict(c) for c in row.criteria],
            "editable": not calls.call_has_scores(row.id)}


@bp.put("/calls/<int:call_id>/criteria")
@require_admin
def replace_criteria(call_id: int):
    """Replace the criteria of a call (admin, until the first score).
    ---
    put:
      summary: Replace the criteria of a call (admin; 409 once jurors have scored)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: CriteriaPutSchema
      responses:
        200:
          content:
            application/json:
              schema: CriterionList
        400: Problem
        404: Problem
        409: Problem
    """
    row = calls.get_call(call_id)
    data = _body(CriteriaPutSchema())
    calls.update_call(row, {"criteria": data["criteria"]})
    save_or_problem()
    return {"items": [calls.criterion_dict(c) for c in row.criteria], "editable": True}


@bp.get("/calls/<int:call_id>/sensitivity")
@require_admin
def call_sensitivity(call_id: int):
    """Weight sensitivity of the ranking by indicators (admin).
    ---
    get:
      summary: How the ranking by indicators changes when each criterion weight moves ±20% (admin)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      - in: query
        schema: SensitivityArgs
      responses:
        200:
          content:
            application/json:
              schema: SensitivitySchema
        400: Problem
        404: Problem
    """
    args = parse_args(SensitivityArgs())
    row = calls.get_call(call_id)
    return apps.CallEvaluation(row).sensitivity(args["top_n"])


# --------------------------------------------------------------------------------------------
# Applications


@bp.get("/calls/<int:call_id>/applications")
@require_user
def list_applications(call_id: int):
    """Applications of a call the user may see.
    ---
    get:
      summary: Applications of a call (admin all; a city user those of its municipality; a juror
        those assigned to them)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      - in: query
        schema: ApplicationListArgs
      responses:
        200:
          content:
            application/json:
              schema: ApplicationList
        400: Problem
        403: Problem
        404: Problem
    """
    args = parse_args(ApplicationListArgs())
    row = calls.get_call(call_id)
    stmt = apps.visible_query(api_user(), row.id)
    items = list(db.session.scalars(stmt))
    if args.get("status"):
        items = [a for a in items if a.status == args["status"]]
    evaluation = apps.CallEvaluation(row) if args["evaluate"] and items else None
    user = api_user()
    return {"items": [apps.application_dict(a, evaluation, user) for a in items],
            "total": len(items)}


@bp.post("/calls/<int:call_id>/applications")
@require_user
def create_application(call_id: int):
    """Submit an application (admin, or a city user as lead).
    ---
    post:
      summary: Submit an application; answers with its eligibility and indicators
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: ApplicationInSchema
      responses:
        201:
          content:
            application/json:
              schema: ApplicationSchema
        400: Problem
        403: Problem
        404: Problem
    """
    _no_jurors()
    row = calls.get_call(call_id)
    data = _body(ApplicationInSchema())
    user = api_user()
    apps.ensure_may_apply(user, data.get("lead"))
    app_row = apps.create_application(row, data, user, origin="api")
    save_or_problem()
    return (apps.application_dict(app_row, apps.CallEvaluation(row)), 201,
            {"Location": url_for("api.show_application", application_id=app_row.id)})


@bp.post("/calls/<int:call_id>/applications/import")
@accepts_upload
@require_admin
def import_applications(call_id: int):
    """Import applications from CSV or JSON (admin).
    ---
    post:
      summary: Bulk import with a per-row report; nothing is imported when a row has an error, unless import_valid_rows
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: ImportJsonSchema
          multipart/form-data:
            schema:
              type: object
              properties:
                file: {type: string, format: binary, description: ".csv or .json"}
                format: {type: string, enum: [csv, json]}
                import_valid_rows: {type: boolean}
      responses:
        201:
          content:
            application/json:
              schema: ImportReportSchema
        400: Problem
        404: Problem
    """
    row = calls.get_call(call_id)
    if request.mimetype == "multipart/form-data":
        data, fmt, valid_rows = _multipart_import()
    else:
        body = _body(ImportJsonSchema())
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
def show_application(application_id: int):
    """One application with its eligibility and indicators.
    ---
    get:
      summary: One application with eligibility (every rule with its reason) and indicators
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          content:
            application/json:
              schema: ApplicationSchema
        403: Problem
        404: Problem
    """
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    return apps.application_dict(row, apps.CallEvaluation(row.call), user)


def _editable(application_id: int):
    _no_jurors()
    user = api_user()
    row = apps.get_visible_application(application_id, user)
    if not apps.can_edit(user, row):
        raise Problem(403, "Forbidden", "Only the admin or the lead municipality changes an application.")
    return row, user


@bp.patch("/applications/<int:application_id>")
@require_user
def update_application(application_id: int):
    """Change an application (admin or the lead city).
    ---
    patch:
      summary: Change fields of an application (the whole application is checked again)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: ApplicationInSchema
      responses:
        200:
          content:
            application/json:
              schema: ApplicationSchema
        400: Problem
        403: Problem
        404: Problem
    """
    row, user = _editable(application_id)
    data = _body(ApplicationInSchema(), partial=True)
    if "lead" in data:
        apps.ensure_may_apply(user, data["lead"])
    apps.update_application(row, data, user)
    save_or_problem()
    return apps.application_dict(row, apps.CallEvaluation(row.call))


@bp.delete("/applications/<int:application_id>")
@require_user
def delete_application(application_id: int):
    """Withdraw an application (admin or the lead city).
    ---
    delete:
      summary: Delete (withdraw) an application
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        204:
          description: deleted
        403: Problem
        404: Problem
    """
    row, user = _editable(application_id)
    payload = {"application_id": row.id, "title": row.title}
    apps.delete_application(row)
    record_audit(user, "application.delete", payload)
    save_or_problem()
    return "", 204


@bp.post("/applications/<int:application_id>/eligibility-override")
@require_admin
def override_eligibility(application_id: int):
    """Override the automatic eligibility with a written motivation (admin, audited).
    ---
    post:
      summary: Declare an application eligible or not against the automatic check (admin, audited)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      requestBody:
        required: true
        content:
          application/json:
            schema: OverrideInSchema
      responses:
        200:
          content:
            application/json:
              schema: ApplicationSchema
        400: Problem
        404: Problem
    """
    row = apps.get_application(application_id)
    data = _body(OverrideInSchema())
    motivation = data["motivation"].strip()
    if len(motivation) < 10:
        raise validation_problem([{"field": "motivation", "message": "write at least 10 characters",
                                   "message_nl": "schrijf minstens 10 tekens"}])
    user = api_user()
    apps.override_eligibility(row, data["eligible"], motivation, user)
    return apps.application_dict(row, apps.CallEvaluation(row.call))


@bp.get("/applications/<int:application_id>/consortium-advice")
@require_user
def consortium_advice(application_id: int):
    """Which neighbours, as followers with a letter of intent, would add the most points.
    ---
    get:
      summary: One to three municipalities (within the call's follower distance unless include_far) to add as committed followers, with the points (leverage + scalability) each adds and why
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      - in: query
        schema: AdviceArgs
      responses:
        200:
          content:
            application/json:
              schema: ConsortiumAdviceSchema
        400: Problem
        404: Problem
    """
    args = parse_args(AdviceArgs())
    _no_jurors()
    row = apps.get_visible_application(application_id, api_user())
    advice = apps.CallEvaluation(row.call).advice(
        row, max_followers=args["max_followers"], max_distance_km=args.get("max_distance_km"),
        include_far=args["include_far"])
    return advice.to_dict()
