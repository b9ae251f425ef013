"""Follow-up pages: a funded project's follow-up (milestones, reports, review, adoptions), the
secretariat's follow-up dashboard (overdue milestones, reports to review) and a call's ex-post
report with its CSV."""

from __future__ import annotations

from datetime import date

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from marshmallow import ValidationError
from sqlalchemy import select

from app.calls.service import get_call
from app.core.extensions import db
from app.core.problems import Problem, flatten_marshmallow
from app.core.security import accepts_upload
from app.core.web import admin_required, bp
from app.followup import adoptions, expost, reports
from app.followup import service as followup
from app.followup.schemas import AdoptionInSchema, MilestoneInSchema, ReportInSchema, ReportReviewInSchema
from app.models import ADOPTION_STATUSES, RESULT_KINDS, FundedProject, ProjectReport
from evaluation.documents import MAX_BYTES


def _messages(exc: ValidationError) -> list[str]:
    return [f"{e['field']}: {e['message']}" for e in flatten_marshmallow(exc.messages)]


def _results_from_form(form) -> list[dict]:
    """Rows of the result table: kind-N, url-N, title-N (empty rows skipped)."""
    out = []
    for i in range(5):
        url = (form.get(f"result-url-{i}") or "").strip()
        if url:
            out.append({"kind": form.get(f"result-kind-{i}") or "other", "url": url,
                        "title": (form.get(f"result-title-{i}") or "").strip()})
    return out


@bp.app_template_global()
def follow_ups_of(user) -> list[dict]:
    """The funded projects a city user's municipality leads, follows or adopted (its dashboard
    links their follow-up pages)."""
    if user is None or not getattr(user, "is_authenticated", False) or user.role != "city" \
            or user.municipality is None:
        return []
    return followup.funded_projects_of(user.municipality.current())


@bp.route("/projecten/<int:project_id>/opvolging", methods=["GET", "POST"])
@accepts_upload
@login_required
def follow_up(project_id: int):
    try:
        funding = followup.funded_project(project_id)
    except Problem:
        abort(404)
    project = funding.project
    errors: list[str] = []
    if request.method == "POST":
        action = request.form.get("action")
        try:
            if action == "report":
                upload = request.files.get("file")
                pdf = upload.read(MAX_BYTES + 1) if upload is not None and upload.filename else None
                data = ReportInSchema().load({"kind": request.form.get("kind") or "progress",
                                              "text": request.form.get("text", "").strip(),
                                              "results": _results_from_form(request.form)})
                reports.submit(project, data, pdf, upload.filename if pdf else "", current_user)
                flash(_("Rapport ingediend; het secretariaat beoordeelt het."), "success")
            elif action == "review":
                if not current_user.is_admin:
                    abort(403)
                rid = request.form.get("report_id", "")
                data = ReportReviewInSchema().load({"decision": request.form.get("decision"),
                                              "motivation": request.form.get("motivation", "").strip()})
                report = reports.get_report(int(rid) if rid.isdigit() else 0)
                if report.project_id != project.id:
                    abort(404)
                reports.review(report, data["decision"], data["motivation"], current_user)
                flash(_("Beoordeling bewaard."), "success")
            elif action == "adoption":
                data = AdoptionInSchema().load({
                    "refnis": request.form.get("refnis", ""), "status": request.form.get("status"),
                    "evidence_url": request.form.get("evidence_url") or None,
                    "reason": request.form.get("reason") or None})
                adoptions.record(project, data, current_user)
                flash(_("Overname bewaard."), "success")
            elif action == "milestone":
                mid = request.form.get("milestone_id", "")
                milestone = reports.get_milestone(int(mid) if mid.isdigit() else 0)
                if milestone.project_id != project.id:
                    abort(404)
                data = MilestoneInSchema().load({"due_date": request.form.get("due_date") or None})
                reports.plan_milestone(milestone, data["due_date"], current_user)
                flash(_("Mijlpaal gepland."), "success")
            else:
                abort(400)
            return redirect(url_for("web.follow_up", project_id=project.id))
        except ValidationError as exc:
            errors = _messages(exc)
        except Problem as exc:
            errors = [exc.detail]
    lead = followup.lead_of(project)
    own = current_user.municipality.current() if current_user.role == "city" and \
        current_user.municipality else None
    return render_template(
        "followup/project.html", funding=funding, project=project, lead=lead,
        is_lead=followup.acts_for(current_user, lead), own=own,
        milestones=[reports.milestone_dict(m) for m in reports.milestones_of(project)],
        reports=reports.reports_of(project), adoptions=adoptions.adoptions_of(project),
        statuses=ADOPTION_STATUSES, result_kinds=RESULT_KINDS, errors=errors,
    ), (400 if errors else 200)


@bp.get("/opvolging")
@admin_required
def follow_up_dashboard():
    today = date.today()
    overdue = reports.overdue(today)
    waiting = list(db.session.scalars(select(ProjectReport).where(
        ProjectReport.status == "submitted").order_by(ProjectReport.submitted_at)))
    funded = list(db.session.scalars(select(FundedProject).order_by(FundedProject.call_id,
                                                                     FundedProject.project_id)))
    return render_template("followup/dashboard.html", overdue=overdue, waiting=waiting,
                           funded=funded, today=today)


@bp.get("/oproepen/<int:call_id>/ex-post")
@login_required
def ex_post_page(call_id: int):
    try:
        call = get_call(call_id)
    except Problem:
        abort(404)
    report = expost.ex_post(call)
    if request.args.get("format") in ("csv", "xlsx"):
        body, mimetype, filename = expost.export(report, request.args["format"])
        return Response(body, mimetype=mimetype, headers={
            "Content-Disposition": f"attachment; filename={filename}"})
    return render_template("followup/ex_post.html", call=call, report=report)
