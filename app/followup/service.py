"""Funded applications become registry projects when their call is published.

``create_funded_projects`` runs inside the publication (``app.results.service.publish``), in its
transaction: each funded application becomes a :class:`Project` of the call's year with its
domains, grant and budget, the lead as ``lead``, municipal partners as ``partner`` and the
committed followers as ``follower`` (a promise: listed, not counted in experience until the
follower implemented, see ``app.followup.adoptions``), every participation ``verified`` (it is
the secretariat's own decision). A :class:`FundedProject` row links project and application, so
running it again creates nothing twice. The promised deliverables become milestones.

A demo call (``flask seed --demo``) feeds nothing into the registry: its applications are
fictitious and would change real municipalities' experience.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import Problem, not_found
from app.core.transaction import transactional
from app.models import (
    Application,
    Call,
    CallJurySettings,
    Domain,
    FundedProject,
    Milestone,
    Municipality,
    Participation,
    Project,
    User,
)
from app.models.registry import PROGRAMMES
from matching.registry import DELIVERABLES

#: The milestone every funded project has besides its promised deliverables.
FINAL_REPORT = "final_report"


def programme_of(call: Call) -> str:
    """The registry programme of a call: its preset when that names a programme
    (``city-of-things-2022``), Slim in de Stad for its presets, else ``other`` (the call's name
    goes into ``programme_note``)."""
    preset = call.preset or ""
    if preset in PROGRAMMES:
        return preset
    if preset.startswith("slim-in-de-stad"):
        return "slim-in-de-stad"
    return "other"


def promised_deliverables(app: Application) -> list[str]:
    """The deliverables the application promised (matching.registry.DELIVERABLES order)."""
    flags = app.deliverables()
    return [d for d in DELIVERABLES if (bool(flags["oslo"]) if d == "oslo" else flags[d])]


def published_funded(call: Call) -> list[int]:
    """Ids of the applications the published selection funds (empty before publication)."""
    settings = db.session.get(CallJurySettings, call.id)
    if settings is None or not settings.published or not settings.selection:
        return []
    chosen = settings.selection.get("published") or {}
    return [int(a) for a in chosen.get("funded", [])]


def _indicators_at_decision(call: Call, apps: list[Application]) -> dict[int, dict[str, Any]]:
    """Leverage and scalability of each funded application as the jury read them (the call's
    frozen evaluation when there is one, else the registry as it stands before the new projects
    are added), with the followers and deliverables they counted."""
    if not apps:
        return {}
    from app.calls.service_evaluation import CallEvaluation  # the calls layer; late (no cycle)

    evaluation = CallEvaluation(call)
    out = {}
    for app in apps:
        ind = evaluation.indicators(app).to_dict()
        ev = ind.get("evidence") or {}
        out[app.id] = {
            "leverage": ind.get("leverage", {}).get("score"),
            "scalability": ind.get("scalability", {}).get("score"),
            "followers_counted": [f["refnis"] for f in ev.get("followers", [])
                                  if (f.get("factor") or 0) > 0],
            "deliverables_counted": sorted({d["item"] for d in ev.get("deliverables", [])
                                            if d.get("counted")}),
        }
    return out


def create_funded_projects(call: Call, actor: User | None) -> list[FundedProject]:
    """One registry project per funded application of the published ``call`` that has none yet;
    audited per project. No commit (the caller's transaction)."""
    if call.is_demo:
        return []
    funded = published_funded(call)
    if not funded:
        return []
    done = set(db.session.scalars(select(FundedProject.application_id)
                                  .where(FundedProject.application_id.in_(funded))))
    apps = [a for a in db.session.scalars(select(Application).where(Application.id.in_(funded))
                                          .order_by(Application.id)) if a.id not in done]
    indicators = _indicators_at_decision(call, apps)
    created = []
    for app in apps:
        created.append(_create_one(call, app, indicators.get(app.id), actor))
    return created


def _create_one(call: Call, app: Application, indicators: dict[str, Any] | None,
                actor: User | None) -> FundedProject:
    domains = list(db.session.scalars(select(Domain).where(Domain.code.in_(app.domains or []))))
    order = {code: i for i, code in enumerate(app.domains or [])}
    domains.sort(key=lambda d: order[d.code])
    project = Project(
        title=app.title[:300], summary=app.summary or "", programme=programme_of(call),
        programme_note=call.name, year=call.year, grant_cents=app.requested_grant_cents,
        total_budget_cents=app.total_budget_cents, status="running",
        source_ref=f"Vuurtoren: call {call.id} ({call.name}), funded application {app.id}",
        curated=True, domains=domains, domain_basis="stated" if domains else None,
        domain_reason="domains stated in the funded application" if domains else None,
    )
    seen: set[int] = set()

    def add(m: Municipality | None, role: str, promised: bool = False) -> None:
        if m is None or m.id in seen:
            return
        seen.add(m.id)
        project.participations.append(Participation(
            municipality=m, role=role, evidence_level="verified", promised=promised))

    add(app.lead_municipality, "lead")
    for p in app.partners:
        add(p.municipality, "partner")
    for f in app.followers:
        add(f.municipality, "follower", promised=True)
    db.session.add(project)
    funding = FundedProject(project=project, application=app, call=call,
                            indicators_at_decision=indicators)
    db.session.add(funding)
    codes = promised_deliverables(app) + [FINAL_REPORT]
    for i, code in enumerate(codes):
        db.session.add(Milestone(project=project, code=code, position=i))
    db.session.flush()
    record_audit(actor, "project.created_from_application", {
        "project": project.id, "application": app.id, "call": call.id,
        "participations": [{"refnis": p.municipality.refnis, "role": p.role,
                            "promised": p.promised} for p in project.participations],
        "milestones": codes})
    return funding


@transactional("projects.created_from_call", payload=lambda *_, **__: None)  # one per project
def rerun(call: Call, actor: User | None) -> list[FundedProject]:
    """The secretariat runs the creation again for a published call (a call published before
    this existed); 409 before publication."""
    if call.phase != "published":
        raise Problem(409, "Conflict", "Projects are created from a published call.",
                      errors=[{"field": "phase", "message": f"the call is {call.phase}",
                               "message_nl": f"de oproep is {call.phase}"}])
    return create_funded_projects(call, actor)


# --------------------------------------------------------------------------------------------
# Look-ups and who may act


def funded_project(project_id: int) -> FundedProject:
    """The follow-up of project ``project_id``; 404 when it is no funded project."""
    row = db.session.scalar(select(FundedProject).where(FundedProject.project_id == project_id)) \
        if valid_id(project_id) else None
    if row is None:
        raise not_found("funded project", project_id, field="id")
    return row


def lead_of(project: Project) -> Municipality | None:
    for p in project.participations:
        if p.role == "lead":
            return p.municipality.current()
    return None


def acts_for(user: User | None, municipality: Municipality | None) -> bool:
    """Whether ``user`` is the admin or a city user of ``municipality`` (merges resolved)."""
    if user is None:
        return False
    if user.is_admin:
        return True
    if user.role != "city" or user.municipality is None or municipality is None:
        return False
    return user.municipality.current().id == municipality.current().id


def funded_projects_of_call(call: Call) -> list[FundedProject]:
    return list(db.session.scalars(select(FundedProject).where(FundedProject.call_id == call.id)
                                   .order_by(FundedProject.application_id)))


def funded_projects_of(m: Municipality) -> list[dict[str, Any]]:
    """Funded projects in which ``m`` (or a municipality merged into it) takes part, with its
    role and whether it is a follower's promise, newest first."""
    ids = [m.id] + [p.id for p in m.predecessors]
    rows = db.session.execute(
        select(Participation, FundedProject).join(
            FundedProject, FundedProject.project_id == Participation.project_id)
        .where(Participation.municipality_id.in_(ids))
        .order_by(FundedProject.id.desc())).all()
    return [{"project": f.project_id, "title": f.project.title, "call": f.call.name,
             "role": part.role, "promised": part.promised} for part, f in rows]
