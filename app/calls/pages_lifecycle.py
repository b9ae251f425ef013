"""Pages for the life of a call: the secretariat's next step, the city's submission and
withdrawal, the receipt PDF, the secretariat's amendment form and the juror's reconfirmation.

Each form posts to one route that calls ``app.calls.service_lifecycle`` (the only writer) and
redirects back with the outcome as a flash message in the UI language.
"""

from __future__ import annotations

from typing import Any

from flask import Response, abort, flash, redirect, request, url_for
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import login_required

from app.calls import service_applications as apps
from app.calls import service_documents as documents_service
from app.calls import service_lifecycle as lifecycle
from app.calls.receipts import receipt_pdf
from app.calls.service import get_call
from app.calls.service_snapshot import stored
from app.core.formatting import parse_euro
from app.core.problems import Problem
from app.core.security import accepts_upload
from app.core.web import admin_required, bp, message, page_user


def _message(exc: Problem) -> str:
    texts = [message({"message": "", **e}) for e in exc.errors]
    return "; ".join(t for t in texts if t) or (exc.detail or "")


def _visible(application_id: int):
    try:
        return apps.get_visible_application(application_id, page_user())
    except Problem:
        abort(404)


def _phase_name(phase: str) -> str:
    from evaluation.phases import PHASE_TEXTS

    return PHASE_TEXTS[phase]["en" if str(get_locale()) == "en" else "nl"]


def _back(row) -> Any:
    return redirect(url_for("web.application_page", application_id=row.id) + "#submission")


@bp.post("/oproepen/<int:call_id>/fase")
@admin_required
def call_transition(call_id: int):
    try:
        row = get_call(call_id)
    except Problem:
        abort(404)
    try:
        lifecycle.transition(row, request.form.get("to", ""), page_user())
        flash(_("De oproep is nu in de fase: %(phase)s.", phase=_phase_name(row.phase)), "success")
    except Problem as exc:
        flash(_message(exc), "error")
    return redirect(url_for("web.call_page", call_id=call_id) + "#phase")


@bp.post("/aanvragen/<int:application_id>/indienen")
@login_required
def application_submit(application_id: int):
    row = _visible(application_id)
    if not apps.can_edit(page_user(), row):
        abort(403)
    try:
        lifecycle.submit(row, page_user())
        flash(_("Aanvraag ingediend; het ontvangstbewijs staat hieronder."), "success")
    except Problem as exc:
        flash(_message(exc), "error")
    return _back(row)


@bp.post("/aanvragen/<int:application_id>/intrekken")
@login_required
def application_withdraw(application_id: int):
    row = _visible(application_id)
    if not apps.can_edit(page_user(), row):
        abort(403)
    try:
        lifecycle.withdraw(row, page_user(), (request.form.get("reason") or "").strip()[:2000])
        flash(_("Aanvraag ingetrokken."), "success")
    except Problem as exc:
        flash(_message(exc), "error")
    return _back(row)


@bp.get("/aanvragen/<int:application_id>/ontvangstbewijs.pdf")
@login_required
def application_receipt_pdf(application_id: int):
    row = _visible(application_id)
    if not row.receipt_sha256:
        abort(404)
    return Response(receipt_pdf(row), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="ontvangstbewijs-{row.id}.pdf"'})


#: The amendment form's fields: money fields typed in euro the Belgian way, texts as typed.
AMENDMENT_MONEY = ("requested_grant_cents", "total_budget_cents", "cofinancing_cents")
AMENDMENT_TEXT = ("title", "summary")


@bp.post("/aanvragen/<int:application_id>/wijziging")
@admin_required
def application_amend(application_id: int):
    row = _visible(application_id)
    current = apps.application_content(row)
    changes: dict[str, Any] = {}
    for name in AMENDMENT_TEXT:
        value = (request.form.get(name) or "").strip()
        if value and value != current.get(name):
            changes[name] = value
    for name in AMENDMENT_MONEY:
        text = (request.form.get(name) or "").strip()
        if not text:
            continue
        try:
            cents = parse_euro(text)
        except ValueError:
            cents = None
        if cents is None:
            flash(_("Geef een bedrag in euro, bv. 450.000,00."), "error")
            return redirect(url_for("web.application_page", application_id=row.id) + "#amendments")
        if cents != current.get(name):
            changes[name] = cents
    try:
        lifecycle.amend(row, changes, request.form.get("motivation", ""), page_user())
        flash(_("Wijziging vastgelegd; de toegewezen juryleden herbevestigen hun scores."),
              "success")
    except Problem as exc:
        flash(_message(exc), "error")
    return redirect(url_for("web.application_page", application_id=row.id) + "#amendments")


@bp.post("/aanvragen/<int:application_id>/herbevestigen")
@login_required
def application_reconfirm(application_id: int):
    from app.jury.service_access import require_scoring_juror

    row = _visible(application_id)
    try:
        juror = require_scoring_juror(page_user(), row)
        lifecycle.reconfirm(row, juror.id, page_user())
        flash(_("Scores herbevestigd."), "success")
    except Problem as exc:
        flash(_message(exc), "error")
    return redirect(request.referrer or url_for("web.application_page", application_id=row.id))


# --------------------------------------------------------------------------------------------
# What the call and application pages show (called by app.calls.pages)


def _local(instant) -> str | None:
    from evaluation.phases import DEADLINE_TZ

    return instant.astimezone(DEADLINE_TZ).strftime("%Y-%m-%d %H:%M") if instant else None


def phase_context(call) -> dict[str, Any]:
    """The phase section of the call page: the steps, where the call is, what comes next."""
    from evaluation.phases import PHASE_TEXTS, PHASES, deadline_instant, phase_view
    from evaluation.publication import SELECTION_RULE_TEXTS

    nl = str(get_locale()) != "en"
    lang = "nl" if nl else "en"
    view = phase_view(call.phase, call.deadline)
    return {
        "phase": view,
        "phase_list": [{"code": p, "name": PHASE_TEXTS[p][lang]} for p in PHASES],
        "next_name": PHASE_TEXTS[view.next][lang] if view.next else None,
        "deadline_local": _local(deadline_instant(call.deadline)),
        "selection_rule_text": SELECTION_RULE_TEXTS[call.selection_rule][lang],
        "snapshot": stored(call),
    }


def lock_reason(row) -> str | None:
    """Why the lead can no longer change the application (None while it can), in the UI language."""
    from evaluation import phases

    call = row.call
    try:
        phases.check_lead_may_edit(row.status, call.phase, call.deadline, lifecycle.now())
    except phases.PhaseError as err:
        return err.message if str(get_locale()) == "en" else err.message_nl
    return None


def submission_context(row, user) -> dict[str, Any]:
    """The submission, amendment and reconfirmation sections of the application page."""
    from evaluation import phases

    call = row.call
    when = lifecycle.now()
    editor = user is not None and apps.can_edit(user, row)
    statuses = {"draft": _("concept"), "submitted": _("ingediend"), "withdrawn": _("ingetrokken")}

    def allowed(check, *args) -> bool:
        try:
            check(*args)
            return True
        except phases.PhaseError:
            return False

    reconfirm = False
    if user is not None and user.role == "juror":
        from app.jury.service import juror_of

        juror = juror_of(user, call.id)
        reconfirm = juror is not None and (row.id, juror.id) in set(
            lifecycle.pending_reconfirmations(call.id))
    return {
        "status_name": statuses.get(row.status, row.status),
        "submitted_local": _local(row.submitted_at),
        "lock_reason": lock_reason(row),
        "may_submit": editor and allowed(phases.check_submit, row.status, call.phase,
                                         call.deadline, when),
        "may_withdraw": editor and allowed(phases.check_withdraw, row.status, call.phase,
                                           call.deadline, when),
        "may_amend": user is not None and user.is_admin and allowed(
            phases.check_amendment, row.status, call.phase, call.deadline, when),
        "reconfirm": reconfirm,
        "may_upload": editor and lock_reason(row) is None,
        "document_kinds": {"proposal": _("Projectvoorstel"),
                           "letter_of_intent": _("Intentieverklaring van een volgstad"),
                           "budget": _("Budgetbijlage")},
        "readings": {d.id: documents_service.reading(d) for d in row.documents},
        "uploaded_letters": set(apps.letter_documents(row)),
        "budget_labels": {"total_budget": _("totaal budget"), "cofinancing": _("eigen bijdrage"),
                          "requested_grant": _("gevraagde steun")},
    }


# --------------------------------------------------------------------------------------------
# Documents


@bp.post("/aanvragen/<int:application_id>/documenten")
@accepts_upload
@login_required
def application_document_upload(application_id: int):
    from app.calls import service_documents as documents
    from evaluation.documents import MAX_BYTES

    row = _visible(application_id)
    if not apps.can_edit(page_user(), row):
        abort(403)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        flash(_("Kies een PDF-bestand."), "error")
    else:
        try:
            documents.upload(row, upload.read(MAX_BYTES + 1_000_000), upload.filename,
                             request.form.get("kind"), request.form.get("refnis"), page_user())
            flash(_("Document opgeladen."), "success")
        except Problem as exc:
            flash(_message(exc), "error")
    return redirect(url_for("web.application_page", application_id=row.id) + "#documents")


@bp.get("/aanvragen/<int:application_id>/documenten/<int:document_id>")
@login_required
def application_document(application_id: int, document_id: int):
    from app.calls import service_documents as documents

    row = _visible(application_id)
    try:
        doc = documents.get_document(row, document_id)
    except Problem:
        abort(404)
    return Response(documents.read(doc, page_user()), mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="{doc.kind}-{doc.id}.pdf"',
        "X-Content-Type-Options": "nosniff"})
