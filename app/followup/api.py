"""The follow-up API: funded projects of a call, adoptions, reports and their review, milestones,
the overdue list and the ex-post report (docs/followup.md)."""

from __future__ import annotations

import json

from flask import Response, request
from marshmallow import ValidationError

from app.calls.service import get_call
from app.core.api import BINARY, TEXT, XLSX, bp, problems
from app.core.auth import api_user, require_admin, require_role
from app.core.problems import Problem, flatten_marshmallow, validation_problem
from app.core.security import accepts_upload
from app.core.storage import MissingDocument, document_store
from app.followup import adoptions, expost, reports
from app.followup import service as followup
from app.followup.schemas import (
    AdoptionInSchema,
    AdoptionList,
    AdoptionSchema,
    CreatedProjects,
    ExPostArgs,
    ExPostSchema,
    FollowUpSchema,
    MilestoneInSchema,
    MilestoneList,
    MilestoneSchema,
    ReportInSchema,
    ReportList,
    ReportReviewInSchema,
    ReportSchema,
    ReportUploadSchema,
)
from app.registry.service import get_project
from evaluation.documents import MAX_BYTES

require_user = require_role("admin", "city")


def follow_up_dict(funding) -> dict:
    project = funding.project
    lead = followup.lead_of(project)
    return {
        "project": project.id,
        "application": funding.application_id,
        "call": funding.call_id,
        "lead": lead.refnis if lead else None,
        "status": project.status,
        "milestones": [reports.milestone_dict(m) for m in reports.milestones_of(project)],
        "reports": [reports.report_dict(r) for r in reports.reports_of(project)],
        "adoptions": [adoptions.adoption_dict(a) for a in adoptions.adoptions_of(project)],
        "balance_due_at": funding.balance_due_at.isoformat() if funding.balance_due_at else None,
        "indicators_at_decision": funding.indicators_at_decision,
    }


@bp.get("/projects/<int:project_id>/follow-up")
@require_role("admin", "city", "juror")
@bp.alt_response(200, schema=FollowUpSchema, success=True)
@problems(404)
def show_follow_up(project_id: int):
    """Milestones, reports, adoptions and balance of a project created from a funded application."""
    return follow_up_dict(followup.funded_project(project_id))


@bp.post("/calls/<int:call_id>/funded-projects")
@require_admin
@bp.alt_response(200, schema=CreatedProjects, success=True)
@problems(404, 409)
def create_funded_projects(call_id: int):
    """Create a registry project for every funded application of a published call that has none
    yet (publication does this itself; this is for calls published before)."""
    call = get_call(call_id)
    created = followup.rerun(call, api_user())
    return {"created": [f.project_id for f in created]}


@bp.post("/projects/<int:project_id>/adoptions")
@require_user
@bp.arguments(AdoptionInSchema)
@bp.alt_response(201, schema=AdoptionSchema, success=True)
@problems(404, 409)
def record_adoption(data: dict, project_id: int):
    """Record or move a municipality's adoption of the project's result (its own city user or the
    admin); implemented makes it an adopter in the registry."""
    project = get_project(project_id)
    row = adoptions.record(project, data, api_user())
    return adoptions.adoption_dict(row), 201


@bp.get("/projects/<int:project_id>/adoptions")
@bp.alt_response(200, schema=AdoptionList, success=True)
@problems(404)
def list_adoptions(project_id: int):
    """Who adopted the project's result, with status and evidence."""
    project = get_project(project_id)
    return {"items": [adoptions.adoption_dict(a) for a in adoptions.adoptions_of(project)]}


def _multipart_report() -> tuple[dict, bytes | None, str]:
    """The multipart form: the fields kind, text, results (JSON text) and file (PDF)."""
    raw = {"kind": request.form.get("kind"), "text": request.form.get("text")}
    if request.form.get("results"):
        try:
            raw["results"] = json.loads(request.form["results"])
        except ValueError:
            raise validation_problem([{"field": "results", "message": "not valid JSON",
                                       "message_nl": "geen geldige JSON"}]) from None
    raw = {k: v for k, v in raw.items() if v is not None}
    try:
        data = ReportInSchema().load(raw)
    except ValidationError as err:
        raise validation_problem(flatten_marshmallow(err.messages)) from None
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return data, None, ""
    return data, upload.read(MAX_BYTES + 1), upload.filename


@bp.post("/projects/<int:project_id>/reports")
@accepts_upload
@require_user
@bp.arguments(ReportInSchema, location="json_or_upload")
@bp.arguments(ReportUploadSchema, location="files", description="JSON, or multipart/form-data "
              "with kind, text, results (a JSON list) and file (PDF)")
@bp.alt_response(201, schema=ReportSchema, success=True)
@problems(404, 409)
def submit_report(data: dict | None, project_id: int):
    """File a progress or final report with the delivered results (each with a link somebody
    can check) and optionally a PDF (lead municipality or admin)."""
    project = get_project(project_id)
    pdf, filename = None, ""
    if data is None:  # multipart/form-data
        data, pdf, filename = _multipart_report()
    row = reports.submit(project, data, pdf, filename, api_user())
    return reports.report_dict(row), 201


@bp.get("/projects/<int:project_id>/reports")
@require_role("admin", "city", "juror")
@bp.alt_response(200, schema=ReportList, success=True)
@problems(404)
def list_reports(project_id: int):
    """The progress and final reports of a funded project, with their review."""
    funding = followup.funded_project(project_id)
    return {"items": [reports.report_dict(r) for r in reports.reports_of(funding.project)]}


@bp.get("/reports/<int:report_id>/document")
@require_role("admin", "city", "juror")
@bp.alt_response(200, schema={"type": "string", "format": "binary"},
                 content_type="application/pdf", success=True)
@problems(404, 500)
def report_document(report_id: int):
    """The PDF filed with a report."""
    row = reports.get_report(report_id)
    if not row.sha256:
        raise Problem(404, "Not found", "This report has no PDF.")
    try:
        data = document_store().get(row.sha256)
    except MissingDocument:
        raise Problem(500, "Document missing", "The stored file is missing or damaged; "
                      "the secretariat restores it from the backup.") from None
    return Response(data, mimetype="application/pdf", headers={
        "Content-Disposition": f"attachment; filename=report-{row.id}.pdf"})


@bp.post("/reports/<int:report_id>/review")
@require_admin
@bp.arguments(ReportReviewInSchema)
@bp.alt_response(200, schema=ReportSchema, success=True)
@problems(404, 409)
def review_report(data: dict, report_id: int):
    """Approve a report or ask for changes, with a motivation; approving the final report
    completes the project and records the balance as due (admin)."""
    row = reports.get_report(report_id)
    return reports.report_dict(reports.review(row, data["decision"], data["motivation"],
                                              api_user()))


@bp.patch("/milestones/<int:milestone_id>")
@require_user
@bp.arguments(MilestoneInSchema)
@bp.alt_response(200, schema=MilestoneSchema, success=True)
@problems(404)
def plan_milestone(data: dict, milestone_id: int):
    """Set or clear the due date of a milestone of a funded project (lead or admin)."""
    row = reports.get_milestone(milestone_id)
    return reports.milestone_dict(reports.plan_milestone(row, data["due_date"], api_user()))


@bp.get("/milestones/overdue")
@require_admin
@bp.alt_response(200, schema=MilestoneList, success=True)
def overdue_milestones():
    """Milestones of funded projects past their due date and not delivered (admin)."""
    return {"items": [reports.milestone_dict(m) for m in reports.overdue()]}


@bp.get("/calls/<int:call_id>/ex-post")
@bp.arguments(ExPostArgs, location="query")
@bp.alt_response(200, schema=ExPostSchema, success=True,
                 description="JSON; format=csv or xlsx: a spreadsheet, one row per project")
@bp.alt_response(200, schema=TEXT, content_type="text/csv", success=True)
@bp.alt_response(200, schema=BINARY, content_type=XLSX, success=True)
@problems(404)
def call_ex_post(args: dict, call_id: int):
    """Promised versus delivered per funded project of a call: followers, results, and the
    indicators at the decision against what happened."""
    report = expost.ex_post(get_call(call_id))
    if args["format"] == "json":
        return report
    body, mimetype, filename = expost.export(report, args["format"])
    return Response(body, mimetype=mimetype, headers={
        "Content-Disposition": f"attachment; filename={filename}"})
