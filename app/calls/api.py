"""Calls and their criteria (applications: ``api_applications``; phases: ``api_lifecycle``).

Reading calls and criteria is open (a call's rules are public); changing them needs the admin.
Field names in errors follow the pure modules: ``partners[1].refnis``, ``criteria[0].threshold``.
"""

from __future__ import annotations

from flask import url_for
from marshmallow import Schema

from app.calls import service as calls
from app.calls import service_evaluation as evaluations
from app.calls.schemas import (
    CallCreateSchema,
    CallFieldsSchema,
    CallList,
    CallSchema,
    CriteriaPutSchema,
    CriterionList,
    SensitivityArgs,
    SensitivitySchema,
)
from app.core.api import bp, problems
from app.core.auth import api_user, require_admin
from app.core.extensions import db


def bracketed(schema: Schema) -> Schema:
    """Field names of ``schema``'s errors in the pure modules' style (``partners[0].refnis``)."""
    schema.error_field = calls.bracket_path  # type: ignore[attr-defined]
    return schema


# --------------------------------------------------------------------------------------------
# Calls


@bp.get("/calls")
@bp.alt_response(200, schema=CallList, success=True)
def list_calls():
    """List calls with their rules and criteria."""
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
@bp.arguments(bracketed(CallCreateSchema()))
@bp.alt_response(201, schema=CallSchema, success=True)
def create_call(data: dict):
    """Create a call from a preset (other fields override it) or in full (admin)."""
    row = calls.create_call(data, api_user())
    return calls.call_dict(row, 0), 201, {"Location": url_for("api.show_call", call_id=row.id)}


@bp.get("/calls/<int:call_id>")
@bp.alt_response(200, schema=CallSchema, success=True)
@problems(404)
def show_call(call_id: int):
    """One call with its rules, criteria and the source of every preset figure."""
    row = calls.get_call(call_id)
    return calls.call_dict(row, _application_counts().get(row.id, 0))


@bp.patch("/calls/<int:call_id>")
@require_admin
@bp.arguments(bracketed(CallFieldsSchema(partial=True)))
@bp.alt_response(200, schema=CallSchema, success=True)
@problems(404, 409)
def update_call(data: dict, call_id: int):
    """Change rules (and, before the first score, criteria) of a call (admin)."""
    row = calls.get_call(call_id)
    calls.update_call(row, data, api_user())
    return calls.call_dict(row, _application_counts().get(row.id, 0))


@bp.get("/calls/<int:call_id>/criteria")
@bp.alt_response(200, schema=CriterionList, success=True)
@problems(404)
def list_criteria(call_id: int):
    """Criteria of a call (code, name nl/en, weight, scale, threshold)."""
    row = calls.get_call(call_id)
    return {"items": [calls.criterion_dict(c) for c in row.criteria],
            "editable": not calls.call_has_scores(row.id)}


@bp.put("/calls/<int:call_id>/criteria")
@require_admin
@bp.arguments(bracketed(CriteriaPutSchema()))
@bp.alt_response(200, schema=CriterionList, success=True)
@problems(404, 409)
def replace_criteria(data: dict, call_id: int):
    """Replace the criteria of a call (admin; 409 once jurors have scored)."""
    row = calls.get_call(call_id)
    calls.update_call(row, {"criteria": data["criteria"]}, api_user())
    return {"items": [calls.criterion_dict(c) for c in row.criteria], "editable": True}


@bp.get("/calls/<int:call_id>/sensitivity")
@require_admin
@bp.arguments(SensitivityArgs, location="query")
@bp.alt_response(200, schema=SensitivitySchema, success=True)
@problems(404)
def call_sensitivity(args: dict, call_id: int):
    """How the ranking by indicators changes when each criterion weight moves ±20% (admin)."""
    row = calls.get_call(call_id)
    return evaluations.CallEvaluation(row).sensitivity(args["top_n"])
