"""The life of a call through the API: phase transitions, submission with a receipt, withdrawal,
amendments and the jurors' reconfirmations (docs/api.md, "Phases, submission, amendments")."""

from __future__ import annotations

from flask import Response

from app.calls import service_applications as apps
from app.calls import service_evaluation as evaluations
from app.calls import service_lifecycle as lifecycle
from app.calls.api_applications import _editable
from app.calls.receipts import receipt_pdf
from app.calls.schemas import (
    AmendmentInSchema,
    AmendmentList,
    AmendmentSchema,
    ApplicationSchema,
    PhaseSchema,
    ReconfirmationList,
    ReconfirmedSchema,
    TransitionInSchema,
    WithdrawInSchema,
)
from app.calls.service import get_call
from app.core.api import BINARY, bp, checked_first, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.problems import not_found

require_user = require_role("admin", "city", "juror")


@bp.post("/calls/<int:call_id>/transitions")
@require_admin
@bp.arguments(TransitionInSchema)
@bp.alt_response(200, schema=PhaseSchema, success=True, description="the call's phase after the step")
@problems(404, 409)
def call_transition(data: dict, call_id: int):
    """Move the call one step (draft → open → closed → eligibility → jury → decided → published)."""
    row = get_call(call_id)
    lifecycle.transition(row, data["to"], api_user())
    return lifecycle.phase_dict(row)


@bp.post("/applications/<int:application_id>/submit")
@require_user
@bp.alt_response(200, schema=ApplicationSchema, success=True, description="the application with its receipt")
@problems(404, 409)
def submit_application(application_id: int):
    """Submit a draft; the answer carries the receipt (SHA-256, time, PDF link)."""
    row, user = _editable(application_id)
    lifecycle.submit(row, user)
    return evaluations.application_dict(row, evaluations.CallEvaluation(row.call))


@bp.post("/applications/<int:application_id>/withdraw")
@require_user
@checked_first(_editable)
@bp.arguments(WithdrawInSchema, location="optional_json")
@bp.alt_response(200, schema=ApplicationSchema, success=True, description="the withdrawn application")
@problems(404, 409)
def withdraw_application(data: dict, application_id: int):
    """Withdraw an application before the deadline."""
    row, user = _editable(application_id)
    lifecycle.withdraw(row, user, data.get("reason") or "")
    return evaluations.application_dict(row)


@bp.get("/applications/<int:application_id>/receipt.pdf")
@require_user
@bp.alt_response(200, schema=BINARY, content_type="application/pdf",
                 success=True)
@problems(404)
def application_receipt(application_id: int):
    """Submission receipt (PDF)."""
    row = apps.get_visible_application(application_id, api_user())
    if not row.receipt_sha256:
        raise not_found("receipt", application_id, field="id")
    return Response(receipt_pdf(row), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="ontvangstbewijs-{row.id}.pdf"'})


@bp.post("/applications/<int:application_id>/amendments")
@require_admin
@bp.arguments(AmendmentInSchema)
@bp.alt_response(201, schema=AmendmentSchema, success=True,
                 description="the amendment with its changes and the jurors who must reconfirm")
@problems(404, 409)
def amend_application(data: dict, application_id: int):
    """Amend a submitted application after the deadline (audited; jurors reconfirm)."""
    row = apps.get_application(application_id)
    amendment = lifecycle.amend(row, data["changes"], data["motivation"], api_user())
    return lifecycle.amendment_dict(amendment), 201


@bp.get("/applications/<int:application_id>/amendments")
@require_user
@bp.alt_response(200, schema=AmendmentList, success=True)
@problems(404)
def list_amendments(application_id: int):
    """Amendments of an application, oldest first."""
    row = apps.get_visible_application(application_id, api_user())
    return {"items": [lifecycle.amendment_dict(a) for a in row.amendments]}


@bp.post("/applications/<int:application_id>/reconfirm")
@require_role("juror")
@bp.alt_response(200, schema=ReconfirmedSchema, success=True)
@problems(404, 409)
def reconfirm_scores(application_id: int):
    """Reconfirm my scores after an amendment (assigned juror)."""
    from app.jury.service_access import require_scoring_juror

    user = api_user()
    row = apps.get_visible_application(application_id, user)
    juror = require_scoring_juror(user, row)
    count = lifecycle.reconfirm(row, juror.id, user)
    return {"application": row.id, "juror": juror.id, "reconfirmed": count}


@bp.get("/calls/<int:call_id>/reconfirmations")
@require_role("admin", "juror")
@bp.alt_response(200, schema=ReconfirmationList, success=True)
@problems(404)
def list_reconfirmations(call_id: int):
    """Pending reconfirmations of a call."""
    from app.jury.service import juror_of

    row = get_call(call_id)
    user = api_user()
    juror = None
    if user.role == "juror":
        juror = juror_of(user, row.id)
        if juror is None:
            raise not_found("call", call_id, field="id")
    return {"items": lifecycle.reconfirmations_dict(row, juror.id if juror else None)}
