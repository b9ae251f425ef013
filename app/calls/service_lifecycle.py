"""The life of a call and its applications: phases, submission with a receipt, withdrawal,
amendments by the secretariat and the lock after publication.

The rules are pure (``evaluation.phases``, ``evaluation.submission``); this module applies them to
the rows and writes the audit entry, one transaction per action (``app.core.transaction``). A refused action is a
409 problem whose ``errors`` name the field at fault (``status``, ``deadline``, ``phase``, ``to``)
with the reason in English and Dutch.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.transaction import transactional
from app.models import (
    Application,
    ApplicationAmendment,
    Assignment,
    Call,
    ScoreReconfirmation,
    User,
)
from evaluation import phases as ev_phases
from evaluation.phases import PhaseError
from evaluation.submission import DocumentRef, InvalidAmendment, amendment_changes, receipt_hash


def now() -> datetime:
    """The current instant (aware UTC)."""
    return datetime.now(UTC)


def phase_conflict(err: PhaseError) -> Problem:
    """A 409 problem from a refused step, naming the field and the reason in both languages."""
    return Problem(409, "Conflict", err.message, errors=[err.to_dict()])


def _checked(check, *args) -> None:
    try:
        check(*args)
    except PhaseError as err:
        raise phase_conflict(err) from None


# --------------------------------------------------------------------------------------------
# Phases


def phase_dict(call: Call) -> dict[str, Any]:
    """What the call's API answer and page show: phase, next step, deadline instant."""
    view = ev_phases.phase_view(call.phase, call.deadline).to_dict()
    view["phase_changed_at"] = call.phase_changed_at.isoformat() if call.phase_changed_at else None
    view["selection_rule"] = call.selection_rule
    return view


@transactional("call.transition")
def transition(call: Call, to: Any, actor: User | None) -> Call:
    """Move the call one step (admin); audited; 409 with the reason when out of order.

    ``published`` goes through the publication rules (``app.results.service.publish``).
    """
    if not isinstance(to, str):
        raise validation_problem([{"field": "to", "message": "give the next phase",
                                   "message_nl": "geef de volgende fase"}])
    if to == "published":
        from app.results.service import publish

        publish(call, actor)
        return call
    _checked(lambda: ev_phases.check_transition(call.phase, to, deadline=call.deadline, now=now()))
    if to == "decided":
        ensure_selection_stored(call)
    _move(call, to, actor)
    return call


def _move(call: Call, to: str, actor: User | None, extra: dict[str, Any] | None = None) -> None:
    before, at = call.phase, now()
    call.phase, call.phase_changed_at = to, at
    if to == "closed":
        call.closed_at = at
    record_audit(actor, "call.transition", {
        "call": call.id, "from": before, "to": to, "deadline": call.deadline.isoformat()
        if call.deadline else None, **(extra or {})})
    if to == "closed":
        from app.calls.service_snapshot import ensure_frozen

        ensure_frozen(call, reason="closed", actor=actor)


def ensure_selection_stored(call: Call) -> None:
    from app.jury.service import get_settings

    if not get_settings(call).selection:
        raise Problem(409, "Conflict", "Compute the funding selection before the decision.",
                      errors=[{"field": "selection", "message": "no selection yet",
                               "message_nl": "nog geen selectie"}])


def ensure_decidable(call: Call, actor: User | None) -> None:
    """Publication follows the decision: from ``jury`` the decision is recorded first (audited);
    any other phase but ``decided`` is a 409. No commit."""
    if call.phase == "jury":
        _move(call, "decided", actor, {"by": "publish"})
    elif call.phase != "decided":
        raise phase_conflict(PhaseError(
            "phase", f"the call is {call.phase}; results are published after the jury phase",
            f"de oproep is {ev_phases.PHASE_TEXTS[call.phase]['nl']}; de resultaten worden na de "
            "juryfase gepubliceerd"))


def mark_published(call: Call, actor: User | None) -> None:
    """The last step, taken by ``publish`` once the publication rules are met (no commit)."""
    _checked(lambda: ev_phases.check_transition(call.phase, "published"))
    _move(call, "published", actor)


def ensure_not_published(call: Call, what_en: str = "the application",
                         what_nl: str = "de aanvraag") -> None:
    _checked(lambda: ev_phases.check_not_published(call.phase, what_en, what_nl))


# --------------------------------------------------------------------------------------------
# Applications: edit, submit, withdraw


def ensure_lead_may_edit(row: Application) -> None:
    """409 unless the application is a draft of a call that still takes applications."""
    call = row.call
    _checked(lambda: ev_phases.check_lead_may_edit(row.status, call.phase, call.deadline, now()))


def ensure_may_create(call: Call) -> None:
    """A new application needs a call that is open (or being set up) and before its deadline."""
    _checked(lambda: ev_phases.check_lead_may_edit("draft", call.phase, call.deadline, now()))


def documents_of(row: Application) -> list[DocumentRef]:
    return [DocumentRef(d.kind, d.sha256, d.refnis) for d in getattr(row, "documents", [])]


def receipt_of(row: Application) -> dict[str, Any] | None:
    if not row.receipt_sha256:
        return None
    return {
        "sha256": row.receipt_sha256,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "pdf": f"/api/v1/applications/{row.id}/receipt.pdf",
    }


@transactional("application.submit")
def submit(row: Application, actor: User | None) -> dict[str, Any]:
    """Submit a draft: lock it and give the receipt (timestamp and SHA-256); audited."""
    from app.calls.service_applications import application_content

    call = row.call
    _checked(lambda: ev_phases.check_submit(row.status, call.phase, call.deadline, now()))
    content = application_content(row)
    docs = documents_of(row)
    row.status, row.submitted_at = "submitted", now()
    row.receipt_sha256 = receipt_hash(content, docs)
    row.receipt_content = {"application": content, "documents": [d.to_dict() for d in docs]}
    db.session.flush()
    record_audit(actor, "application.submit", {
        "application": row.id, "call": call.id, "sha256": row.receipt_sha256,
        "submitted_at": row.submitted_at.isoformat()})
    return receipt_of(row) or {}


@transactional("application.withdraw")
def withdraw(row: Application, actor: User | None, reason: str = "") -> Application:
    """Withdraw before the deadline; audited. A withdrawn application is not evaluated."""
    call = row.call
    _checked(lambda: ev_phases.check_withdraw(row.status, call.phase, call.deadline, now()))
    before = row.status
    row.status, row.withdrawn_at = "withdrawn", now()
    record_audit(actor, "application.withdraw", {
        "application": row.id, "call": call.id, "from": before, "reason": reason or None})
    return row


# --------------------------------------------------------------------------------------------
# Amendments


@transactional("application.amendment")
def amend(row: Application, changes: Any, motivation: Any, actor: User) -> ApplicationAmendment:
    """Record an amendment by the secretariat after the deadline; audited.

    The whole application is validated again with the changes; every assigned juror's scores of
    it wait for a reconfirmation (``score_reconfirmation``), which the juror sees on their page.
    """
    from app.calls.service_applications import application_content, update_application

    call = row.call
    _checked(lambda: ev_phases.check_amendment(row.status, call.phase, call.deadline, now()))
    current = application_content(row)
    try:
        found = amendment_changes(current, changes if isinstance(changes, dict) else {}, motivation)
    except InvalidAmendment as err:
        raise validation_problem([err.to_dict()]) from None
    update_application(row, dict(changes), actor, amendment=True)
    amendment = ApplicationAmendment(
        application=row, changes=[c.to_dict() for c in found],
        motivation=str(motivation).strip(), by=actor, at=now())
    db.session.add(amendment)
    db.session.flush()
    jurors = db.session.scalars(
        select(Assignment.juror_id).where(Assignment.application_id == row.id)).all()
    for juror_id in jurors:
        db.session.add(ScoreReconfirmation(amendment=amendment, application_id=row.id,
                                           juror_id=juror_id))
    record_audit(actor, "application.amendment", {
        "application": row.id, "call": call.id, "amendment": amendment.id,
        "changes": [c.to_dict() for c in found], "motivation": amendment.motivation,
        "jurors_to_reconfirm": sorted(jurors)})
    return amendment


def amendment_dict(a: ApplicationAmendment) -> dict[str, Any]:
    return {
        "id": a.id,
        "application": a.application_id,
        "changes": a.changes,
        "motivation": a.motivation,
        "by": a.by_id,
        "at": a.at.isoformat(),
        "reconfirmations": [
            {"juror": r.juror_id,
             "reconfirmed_at": r.reconfirmed_at.isoformat() if r.reconfirmed_at else None}
            for r in a.reconfirmations],
    }


def pending_reconfirmations(call_id: int) -> list[tuple[int, int]]:
    """(application, juror) pairs whose scores wait for a reconfirmation after an amendment."""
    rows = db.session.execute(
        select(ScoreReconfirmation.application_id, ScoreReconfirmation.juror_id)
        .join(Application, Application.id == ScoreReconfirmation.application_id)
        .where(Application.call_id == call_id, ScoreReconfirmation.reconfirmed_at.is_(None))
    ).all()
    return sorted({(a, j) for a, j in rows})


@transactional("score.reconfirm")
def reconfirm(application: Application, juror_id: int, actor: User) -> int:
    """The juror reconfirms their scores of an amended application; audited. Returns the count."""
    open_rows = db.session.scalars(select(ScoreReconfirmation).where(
        ScoreReconfirmation.application_id == application.id,
        ScoreReconfirmation.juror_id == juror_id,
        ScoreReconfirmation.reconfirmed_at.is_(None))).all()
    if not open_rows:
        raise Problem(409, "Conflict", "Nothing to reconfirm for this application.",
                      errors=[{"field": "application", "message": "no amendment waits for you",
                               "message_nl": "er wacht geen wijziging op u"}])
    at = now()
    for r in open_rows:
        r.reconfirmed_at = at
    record_audit(actor, "score.reconfirm", {
        "application": application.id, "juror": juror_id,
        "amendments": sorted(r.amendment_id for r in open_rows)})
    return len(open_rows)


def reconfirmations_dict(call: Call, juror_id: int | None = None) -> list[dict[str, Any]]:
    """Pending reconfirmations of a call, per (application, juror), with the amendments' motives."""
    stmt = (select(ScoreReconfirmation).join(Application,
                                             Application.id == ScoreReconfirmation.application_id)
            .where(Application.call_id == call.id, ScoreReconfirmation.reconfirmed_at.is_(None))
            .order_by(ScoreReconfirmation.application_id, ScoreReconfirmation.juror_id,
                      ScoreReconfirmation.amendment_id))
    if juror_id is not None:
        stmt = stmt.where(ScoreReconfirmation.juror_id == juror_id)
    out: dict[tuple[int, int], dict[str, Any]] = {}
    for r in db.session.scalars(stmt):
        item = out.setdefault((r.application_id, r.juror_id), {
            "application": r.application_id, "juror": r.juror_id, "amendments": []})
        item["amendments"].append({"id": r.amendment_id, "motivation": r.amendment.motivation,
                                   "at": r.amendment.at.isoformat(),
                                   "fields": [c["field"] for c in r.amendment.changes]})
    return list(out.values())
