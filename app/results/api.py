"""Results of a call: ranking, funding selection, publication, summaries, exports; the audit log."""

from __future__ import annotations

from flask import Response
from sqlalchemy import func, select

from app.calls.service import get_call
from app.calls.service_applications import get_application
from app.core.api import BINARY, TEXT, XLSX, bp, problems
from app.core.audit import people_of, verify_audit
from app.core.auth import api_user, require_admin, require_role
from app.core.extensions import db
from app.core.problems import Problem
from app.jury import service_access as access
from app.jury.service import jury_applications
from app.models import AuditEntry, CallJurySettings
from app.results import reports
from app.results import service as results
from app.results.schemas import (
    AuditListArgs,
    AuditPage,
    AuditVerifySchema,
    PublishedSchema,
    RankingSchema,
    SelectionInSchema,
    SelectionSchema,
    SummarySchema,
)

require_user = require_role("admin", "city", "juror")


@bp.get("/calls/<int:call_id>/ranking")
@require_admin
@bp.alt_response(200, schema=RankingSchema, success=True)
@problems(404)
def ranking(call_id: int):
    """
    Weighted totals from consensus scores (else the mean of submitted scores, marked
    provisional), thresholds with reasons, tie-break rules (admin).
    """
    call = get_call(call_id)
    apps = jury_applications(call)
    return results.ranking_dict(call, results.build_ranking(call, apps), apps)


@bp.post("/calls/<int:call_id>/selection")
@require_admin
@bp.arguments(SelectionInSchema, location="optional_json")
@bp.alt_response(200, schema=SelectionSchema, success=True)
@problems(404, 409)
def compute_selection(data: dict, call_id: int):
    """Exact funding selection under the budget (max total score.

    Optional spread limits) beside the greedy "down the ranking" result, with a reason for every
    unfunded application; stored as the call's current selection (admin).
    """
    call = get_call(call_id)
    out = results.compute_selection(call, api_user(), **data)
    return out


@bp.get("/calls/<int:call_id>/selection")
@require_admin
@bp.alt_response(200, schema=SelectionSchema, success=True)
@problems(404)
def show_selection(call_id: int):
    """The last funding selection computed for the call (admin)."""
    call = get_call(call_id)
    settings = db.session.get(CallJurySettings, call.id)
    if settings is None or not settings.selection:
        raise Problem(404, "Not found", f"No funding selection computed yet for call {call.id}.")
    return settings.selection


@bp.post("/calls/<int:call_id>/publish")
@require_admin
@bp.alt_response(200, schema=PublishedSchema, success=True)
@problems(404, 409)
def publish(call_id: int):
    """
    Publish the call's results (the stored selection must be up to date and every application
    scored); the jury's work is then frozen and cities read their summaries.
    """
    call = get_call(call_id)
    out = results.publish(call, api_user())
    return out


def _summary_of(application_id: int):
    app = get_application(application_id)
    access.require_summary(api_user(), app)
    return results.application_summary(app)


@bp.get("/applications/<int:application_id>/summary")
@require_user
@bp.alt_response(200, schema=SummarySchema, success=True)
@problems(404)
def summary(application_id: int):
    """
    Scores per criterion, consensus motivations, indicators, eligibility, decision and its
    reason (admin; the city for its own application once published).
    """
    return _summary_of(application_id)


@bp.get("/applications/<int:application_id>/summary.pdf")
@require_user
@bp.alt_response(200, schema=BINARY, content_type="application/pdf", success=True)
@problems(404)
def summary_pdf(application_id: int):
    """The evaluation summary as a printable PDF (same access as the JSON summary)."""
    data = reports.summary_pdf(_summary_of(application_id))
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f'inline; filename="evaluatie-{application_id}.pdf"'})


@bp.get("/calls/<int:call_id>/results.csv")
@require_admin
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True)
@problems(404)
def results_csv(call_id: int):
    """One row per submitted application (rank, scores, total, decision, reason) as CSV."""
    call = get_call(call_id)
    columns, rows = results.results_table(call)
    return Response(reports.results_csv(columns, rows), mimetype="text/csv", headers={
        "Content-Disposition": f'attachment; filename="resultaten-oproep-{call.id}.csv"'})


@bp.get("/calls/<int:call_id>/results.xlsx")
@require_admin
@bp.alt_response(200, schema=BINARY, content_type=XLSX, success=True)
@problems(404)
def results_xlsx(call_id: int):
    """The same table as results.csv as an Excel workbook."""
    call = get_call(call_id)
    columns, rows = results.results_table(call)
    data = reports.results_xlsx(columns, rows, f"{call.name} ({call.year})")
    return Response(
        data, mimetype=XLSX,
        headers={"Content-Disposition": f'attachment; filename="resultaten-oproep-{call.id}.xlsx"'})


# --------------------------------------------------------------------------------------------
# Audit log


def audit_entry_dict(row: AuditEntry, person: dict | None = None) -> dict:
    """An entry; ``person`` is who a pseudonymous actor stands for (None: erased or not a person)."""
    return {"id": row.id, "prev_hash": row.prev_hash, "hash": row.hash,
            "timestamp": row.timestamp, "actor": row.actor, "person": person,
            "action": row.action, "payload": row.payload}


@bp.get("/audit")
@require_admin
@bp.arguments(AuditListArgs, location="query")
@bp.alt_response(200, schema=AuditPage, success=True)
def audit_log(args: dict):
    """Entries of the hash-chained audit log, newest first (admin)."""
    stmt = select(AuditEntry)
    if args.get("action"):
        stmt = stmt.where(AuditEntry.action == args["action"])
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    rows = db.session.scalars(stmt.order_by(AuditEntry.id.desc())
                              .offset((args["page"] - 1) * args["per_page"])
                              .limit(args["per_page"]))
    rows = list(rows)
    people = people_of([r.actor for r in rows])
    return {"items": [audit_entry_dict(r, people[r.actor]) for r in rows], "total": total,
            "page": args["page"], "per_page": args["per_page"]}


@bp.get("/audit/verify")
@require_admin
@bp.alt_response(200, schema=AuditVerifySchema, success=True)
def audit_verify():
    """Check every hash and link of the audit log and its end against the stored head."""
    return verify_audit().to_dict()

