"""Follow-up of a funded project: milestones, the lead's reports, the secretariat's review.

The lead (or the admin) files progress reports and one final report: a text, the delivered
results each with a link somebody can check (repository, dataset, OSLO specification, playbook in
the VVSG practice database, ...) and optionally a PDF, kept in the document store. The secretariat
approves or asks for changes, with a motivation (audited). Approval marks the milestones of the
delivered results as delivered and puts those deliverables on the registry project; approval of
the final report closes the project (``completed``) and records the balance as due: VLAIO pays
the balance on the final report (concept note, seed 000 L156-158).
"""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import Problem, not_found, validation_problem
from app.core.storage import document_store
from app.core.transaction import transactional
from app.followup.service import FINAL_REPORT, acts_for, funded_project, lead_of
from app.models import FundedProject, Milestone, Project, ProjectReport, User
from app.models.registry import utcnow
from evaluation.documents import InvalidDocument, check_pdf

#: Which registry deliverable a delivered result of each kind shows (``other`` shows none).
RESULT_DELIVERABLE = {
    "repository": "open_source",
    "dataset": "open_data",
    "oslo_specification": "oslo",
    "playbook": "playbook",
    "model_specification": "model_specification",
}


def ensure_lead(project: Project, actor: User | None) -> None:
    if not acts_for(actor, lead_of(project)):
        raise Problem(403, "Forbidden", "Only the lead municipality or the secretariat reports on "
                      "a funded project.")


@transactional("report.submitted")
def submit(project: Project, data: dict[str, Any], pdf: bytes | None, filename: str,
           actor: User | None) -> ProjectReport:
    """File a report; audited. 409 for a second final report while one is in review
    or approved; 400 naming ``file`` for a bad PDF."""
    funded_project(project.id)
    ensure_lead(project, actor)
    if data["kind"] == "final":
        open_final = db.session.scalar(select(ProjectReport.id).where(
            ProjectReport.project_id == project.id, ProjectReport.kind == "final",
            ProjectReport.status.in_(("submitted", "approved"))))
        if open_final is not None:
            raise Problem(409, "Conflict", "A final report is already in review or approved.",
                          errors=[{"field": "kind", "message": "final report exists",
                                   "message_nl": "er is al een eindrapport"}])
    report = ProjectReport(project=project, kind=data["kind"], text=data["text"].strip(),
                           results=[{"kind": r["kind"], "url": r["url"],
                                     "title": (r.get("title") or "").strip()}
                                    for r in data.get("results") or []],
                           status="submitted", submitted_by_id=getattr(actor, "id", None),
                           submitted_at=utcnow())
    if pdf is not None:
        try:
            checked = check_pdf(pdf)
        except InvalidDocument as err:
            raise validation_problem([err.to_dict()]) from None
        report.sha256 = document_store().put(pdf)
        report.size, report.pages = checked.size, checked.pages
        report.filename = (filename or "report.pdf")[-200:]
    db.session.add(report)
    db.session.flush()
    record_audit(actor, "report.submitted", {
        "project": project.id, "report": report.id, "kind": report.kind,
        "results": report.results, "sha256": report.sha256})
    return report


def get_report(report_id: int) -> ProjectReport:
    row = db.session.get(ProjectReport, report_id) if valid_id(report_id) else None
    if row is None:
        raise not_found("report", report_id, field="id")
    return row


@transactional("report.reviewed")
def review(report: ProjectReport, decision: str, motivation: str, actor: User) -> ProjectReport:
    """The secretariat approves a report or asks for changes; audited."""
    if report.status != "submitted":
        raise Problem(409, "Conflict", f"The report was already reviewed ({report.status}).",
                      errors=[{"field": "decision", "message": f"report is {report.status}",
                               "message_nl": "het rapport is al beoordeeld"}])
    report.status = decision
    report.reviewed_by_id, report.reviewed_at = actor.id, utcnow()
    report.review_motivation = motivation.strip()
    delivered: list[str] = []
    balance_due = None
    if decision == "approved":
        delivered = _deliver(report)
        if report.kind == "final":
            funding = funded_project(report.project_id)
            funding.balance_due_at = utcnow()
            balance_due = funding.balance_due_at.isoformat()
            report.project.status = "completed"
    record_audit(actor, "report.reviewed", {
        "project": report.project_id, "report": report.id, "kind": report.kind,
        "decision": decision, "motivation": report.review_motivation,
        "delivered": delivered, "balance_due_at": balance_due})
    return report


def _deliver(report: ProjectReport) -> list[str]:
    """Milestones of the approved results delivered; the deliverables onto the project."""
    project = report.project
    codes = []
    for r in report.results or []:
        code = RESULT_DELIVERABLE.get(r["kind"])
        if code is None:
            continue
        codes.append(code)
        if code == "oslo":
            name = r.get("title") or r["url"]
            if name not in (project.oslo_standards or []):
                project.oslo_standards = [*(project.oslo_standards or []), name]
        else:
            setattr(project, code, True)
    if report.kind == "final":
        codes.append(FINAL_REPORT)
    now = utcnow()
    for m in milestones_of(project):
        if m.code in codes and m.delivered_at is None:
            m.delivered_at = now
    project.updated_at = now
    return sorted(set(codes))


def milestones_of(project: Project) -> list[Milestone]:
    return list(db.session.scalars(select(Milestone).where(Milestone.project_id == project.id)
                                   .order_by(Milestone.position, Milestone.id)))


@transactional("milestone.planned")
def plan_milestone(milestone: Milestone, due: date | None, actor: User | None) -> Milestone:
    """Set (or clear) a milestone's due date: the lead or the secretariat; audited."""
    ensure_lead(milestone.project, actor)
    before = milestone.due_date
    milestone.due_date = due
    record_audit(actor, "milestone.planned", {
        "project": milestone.project_id, "milestone": milestone.id, "code": milestone.code,
        "from": before.isoformat() if before else None, "to": due.isoformat() if due else None})
    return milestone


def get_milestone(milestone_id: int) -> Milestone:
    row = db.session.get(Milestone, milestone_id) if valid_id(milestone_id) else None
    if row is None:
        raise not_found("milestone", milestone_id, field="id")
    return row


def overdue(today: date | None = None) -> list[Milestone]:
    """Milestones past their due date and not delivered, oldest first (the secretariat's list)."""
    today = today or date.today()
    return list(db.session.scalars(
        select(Milestone).join(FundedProject, FundedProject.project_id == Milestone.project_id)
        .where(Milestone.due_date < today, Milestone.delivered_at.is_(None))
        .order_by(Milestone.due_date, Milestone.id)))


def milestone_dict(m: Milestone, today: date | None = None) -> dict[str, Any]:
    today = today or date.today()
    return {
        "id": m.id,
        "project": m.project_id,
        "code": m.code,
        "due_date": m.due_date.isoformat() if m.due_date else None,
        "delivered_at": m.delivered_at.isoformat() if m.delivered_at else None,
        "overdue": bool(m.due_date and m.delivered_at is None and m.due_date < today),
    }


def report_dict(r: ProjectReport) -> dict[str, Any]:
    doc = None
    if r.sha256:
        doc = {"sha256": r.sha256, "size": r.size, "pages": r.pages, "filename": r.filename,
               "url": f"/api/v1/reports/{r.id}/document"}
    return {
        "id": r.id,
        "project": r.project_id,
        "kind": r.kind,
        "text": r.text,
        "results": list(r.results or []),
        "status": r.status,
        "document": doc,
        "submitted_at": r.submitted_at.isoformat() if r.submitted_at else None,
        "reviewed_at": r.reviewed_at.isoformat() if r.reviewed_at else None,
        "review_motivation": r.review_motivation,
    }


def reports_of(project: Project) -> list[ProjectReport]:
    return list(db.session.scalars(select(ProjectReport).where(
        ProjectReport.project_id == project.id).order_by(ProjectReport.id)))
