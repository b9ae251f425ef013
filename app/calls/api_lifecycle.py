"""The life of a call through the API: phase transitions, submission with a receipt, withdrawal,
amendments and the jurors' reconfirmations (docs/api.md, "Phases, submission, amendments")."""

from __future__ import annotations

from flask import Response, request

from app.calls import service_applications as apps
from app.calls import service_lifecycle as lifecycle
from app.calls.api import _editable
from app.calls.receipts import receipt_pdf
from app.calls.schemas import AmendmentInSchema, TransitionInSchema, WithdrawInSchema
from app.calls.service import get_call
from app.core.api import bp, json_body
from app.core.auth import api_user, require_admin, require_role
from app.core.problems import not_found

require_user = require_role("admin", "city", "juror")


@bp.post("/calls/<int:call_id>/transitions")
@require_admin
def call_transition(call_id: int):
    """Move a call to its next phase (admin, audited).
    ---
    post:
      summary: Move the call one step (draft → open → closed → eligibility → jury → decided → published)
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
            schema: TransitionInSchema
      responses:
        200:
          description: the call's phase after the step
        400: Problem
        403: Problem
        404: Problem
        409: Problem
    """
    row = get_call(call_id)
    data = json_body(TransitionInSchema())
    lifecycle.transition(row, data["to"], api_user())
    return lifecycle.phase_dict(row)


@bp.post("/applications/<int:application_id>/submit")
@require_user
def submit_application(application_id: int):
    """Submit a draft application (lead city or admin): locked from now on, with a receipt.
    ---
    post:
      summary: Submit a draft; the answer carries the receipt (SHA-256, time, PDF link)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: the application with its receipt
        403: Problem
        404: Problem
        409: Problem
    """
    row, user = _editable(application_id)
    lifecycle.submit(row, user)
    return apps.application_dict(row, apps.CallEvaluation(row.call))


@bp.post("/applications/<int:application_id>/withdraw")
@require_user
def withdraw_application(application_id: int):
    """Withdraw an application before the deadline (lead city or admin, audited).
    ---
    post:
      summary: Withdraw an application before the deadline
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      requestBody:
        required: false
        content:
          application/json:
            schema: WithdrawInSchema
      responses:
        200:
          description: the withdrawn application
        403: Problem
        404: Problem
        409: Problem
    """
    row, user = _editable(application_id)
    data = json_body(WithdrawInSchema()) if request.get_data() else {}
    lifecycle.withdraw(row, user, data.get("reason") or "")
    return apps.application_dict(row)


@bp.get("/applications/<int:application_id>/receipt.pdf")
@require_user
def application_receipt(application_id: int):
    """The submission receipt as PDF (whoever may see the application).
    ---
    get:
      summary: Submission receipt (PDF)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: application/pdf
        404: Problem
    """
    row = apps.get_visible_application(application_id, api_user())
    if not row.receipt_sha256:
        raise not_found("receipt", application_id, field="id")
    return Response(receipt_pdf(row), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="ontvangstbewijs-{row.id}.pdf"'})


@bp.post("/applications/<int:application_id>/amendments")
@require_admin
def amend_application(application_id: int):
    """Record an amendment after the deadline (admin): fields, old and new value, motivation.
    ---
    post:
      summary: Amend a submitted application after the deadline (audited; jurors reconfirm)
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
            schema: AmendmentInSchema
      responses:
        201:
          description: the amendment with its changes and the jurors who must reconfirm
        400: Problem
        403: Problem
        404: Problem
        409: Problem
    """
    row = apps.get_application(application_id)
    data = json_body(AmendmentInSchema())
    amendment = lifecycle.amend(row, data["changes"], data["motivation"], api_user())
    return lifecycle.amendment_dict(amendment), 201


@bp.get("/applications/<int:application_id>/amendments")
@require_user
def list_amendments(application_id: int):
    """The amendments of an application (whoever may see it).
    ---
    get:
      summary: Amendments of an application, oldest first
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: '{"items": [amendment, ...]}'
        404: Problem
    """
    row = apps.get_visible_application(application_id, api_user())
    return {"items": [lifecycle.amendment_dict(a) for a in row.amendments]}


@bp.post("/applications/<int:application_id>/reconfirm")
@require_role("juror")
def reconfirm_scores(application_id: int):
    """An assigned juror reconfirms their scores of an amended application (audited).
    ---
    post:
      summary: Reconfirm my scores after an amendment (assigned juror)
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: application_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: '{"application", "juror", "reconfirmed": count}'
        403: Problem
        404: Problem
        409: Problem
    """
    from app.jury.access import require_scoring_juror

    user = api_user()
    row = apps.get_visible_application(application_id, user)
    juror = require_scoring_juror(user, row)
    count = lifecycle.reconfirm(row, juror.id, user)
    return {"application": row.id, "juror": juror.id, "reconfirmed": count}


@bp.get("/calls/<int:call_id>/reconfirmations")
@require_role("admin", "juror")
def list_reconfirmations(call_id: int):
    """Scores waiting for a reconfirmation after an amendment: the juror's own, or all (admin).
    ---
    get:
      summary: Pending reconfirmations of a call
      security: [{bearerAuth: []}]
      parameters:
      - in: path
        name: call_id
        required: true
        schema: {type: integer}
      responses:
        200:
          description: '{"items": [{"application", "juror", "amendments": [...]}]}'
        404: Problem
    """
    from app.jury.service import juror_of

    row = get_call(call_id)
    user = api_user()
    juror = None
    if user.role == "juror":
        juror = juror_of(user, row.id)
        if juror is None:
            raise not_found("call", call_id, field="id")
    return {"items": lifecycle.reconfirmations_dict(row, juror.id if juror else None)}
