"""City self-service: a city declares its own projects, participations and interest per domain;
the secretariat verifies or rejects each declaration with a motivation.

The only code that writes declarations and interests: every change writes an audit entry and
commits in one transaction (``app.core.transaction``). A declared participation has evidence level ``declared`` and review
status ``pending`` (it counts at ``MatchingWeights.evidence_declared`` until reviewed); verified,
it becomes ``verified``; rejected, it keeps its row with the motivation (the city sees why) and
no longer counts. A city user acts for its own municipality only; an admin for any.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import Problem, not_found
from app.core.transaction import transactional
from app.models import (
    Domain,
    DomainInterest,
    Municipality,
    Participation,
    Project,
    ProjectSource,
    User,
)
from app.models.registry import utcnow


def check_acts_for(user: User, municipality: Municipality) -> None:
    """403 unless ``user`` is an admin or a city user of ``municipality`` (or its successor)."""
    if user.role == "admin":
        return
    own = user.municipality
    if user.role == "city" and own is not None and own.current().id == municipality.current().id:
        return
    raise Problem(403, "Forbidden", f"A city user declares for its own municipality only; "
                                    f"{municipality.name_nl} is not yours.")


def interests_of(municipality: Municipality) -> dict[str, str]:
    """Domain code -> interest (lead, follow, not_now) declared by ``municipality``."""
    rows = db.session.execute(
        select(Domain.code, DomainInterest.interest)
        .join(Domain, Domain.id == DomainInterest.domain_id)
        .where(DomainInterest.municipality_id == municipality.id))
    return dict(rows.all())


@transactional("interest.set", payload=lambda *_, **__: None)  # no entry when nothing changed
def set_interests(user: User, municipality: Municipality, interests: dict[str, str]) -> None:
    """Record the interest per domain (validated codes); audited when something changed."""
    check_acts_for(user, municipality)
    domains = {d.code: d for d in db.session.scalars(select(Domain))}
    existing = {r.domain_id: r for r in db.session.scalars(
        select(DomainInterest).where(DomainInterest.municipality_id == municipality.id))}
    changed = {}
    for code, interest in interests.items():
        domain = domains[code]
        row = existing.get(domain.id)
        if row is None:
            db.session.add(DomainInterest(municipality_id=municipality.id, domain_id=domain.id,
                                          interest=interest, declared_by_id=user.id))
            changed[code] = interest
        elif row.interest != interest:
            row.interest, row.declared_by_id = interest, user.id
            changed[code] = interest
    if changed:
        record_audit(user, "interest.set", {"municipality": municipality.refnis,
                                            "interests": changed})


def _declared(user: User, municipality: Municipality, role: str) -> Participation:
    return Participation(municipality=municipality, role=role, evidence_level="declared",
                         review_status="pending", declared_by_id=user.id)


@transactional("declaration.project")
def declare_project(user: User, municipality: Municipality, data: dict[str, Any]) -> Project:
    """A new project with the municipality's declared participation; audited."""
    check_acts_for(user, municipality)
    codes = data.get("domains") or []
    domains = list(db.session.scalars(select(Domain).where(Domain.code.in_(codes))))
    project = Project(title=data["title"], summary=data.get("summary") or "",
                      programme=data.get("programme") or "not-stated", year=data["year"],
                      grant_cents=data.get("grant_cents"), status=data.get("status") or "unknown",
                      domains=sorted(domains, key=lambda d: d.position),
                      domain_basis=None, curated=False)
    if data.get("source_url"):
        project.sources.append(ProjectSource(position=0, url=data["source_url"],
                                             citation=municipality.name_nl,
                                             note="aangegeven door de gemeente"))
    participation = _declared(user, municipality, data.get("role") or "lead")
    if project.sources:
        participation.source = project.sources[0]
    project.participations.append(participation)
    db.session.add(project)
    db.session.flush()
    record_audit(user, "declaration.project", {
        "municipality": municipality.refnis, "project_id": project.id, "key": project.key,
        "title": project.title, "role": participation.role, "domains": codes})
    return project


@transactional("declaration.participation")
def declare_participation(user: User, municipality: Municipality, project: Project,
                          role: str) -> Participation:
    """The municipality's declared participation in an existing project; 409 when it already
    takes part (or a predecessor does). Audited."""
    check_acts_for(user, municipality)
    ids = {m.id for m in _lineage(municipality)}
    for p in project.participations:
        if p.municipality_id in ids:
            raise Problem(409, "Conflict", f"{municipality.name_nl} already takes part in this "
                                           f"project ({p.role}, {p.evidence_level}).")
    participation = _declared(user, municipality, role)
    project.participations.append(participation)
    db.session.flush()
    record_audit(user, "declaration.participation", {
        "municipality": municipality.refnis, "project_id": project.id, "role": role,
        "participation_id": participation.id})
    return participation


def _lineage(m: Municipality) -> list[Municipality]:
    out, todo = [m], list(m.predecessors)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(p.predecessors)
    return out


def declarations(status: str | None = "pending",
                 municipality: Municipality | None = None) -> list[Participation]:
    """Declared participations, oldest first; of one municipality (and its predecessors)."""
    stmt = (select(Participation).where(Participation.review_status.is_not(None))
            .options(selectinload(Participation.project), selectinload(Participation.municipality))
            .order_by(Participation.id))
    if status:
        stmt = stmt.where(Participation.review_status == status)
    if municipality is not None:
        stmt = stmt.where(Participation.municipality_id.in_([m.id for m in
                                                             _lineage(municipality)]))
    return list(db.session.scalars(stmt))


def get_declaration(participation_id: int) -> Participation:
    row = (db.session.get(Participation, participation_id)
           if valid_id(participation_id) else None)
    if row is None or row.review_status is None:
        raise not_found("declaration", participation_id, field="declaration_id")
    return row


@transactional("declaration.review")
def review(user: User, participation: Participation, decision: str, motivation: str) -> None:
    """The secretariat verifies (evidence ``verified``) or rejects a pending declaration, with
    a motivation; audited. 409 when it was reviewed already."""
    if participation.review_status != "pending":
        raise Problem(409, "Conflict", f"declaration {participation.id} was already "
                                       f"{participation.review_status}")
    participation.review_status = "verified" if decision == "verify" else "rejected"
    if decision == "verify":
        participation.evidence_level = "verified"
    participation.reviewed_by_id = user.id
    participation.reviewed_at = utcnow()
    participation.review_note = motivation
    participation.project.updated_at = utcnow()  # the registry version moves: experience changes
    record_audit(user, f"declaration.{participation.review_status}", {
        "participation_id": participation.id, "project_id": participation.project_id,
        "municipality": participation.municipality.refnis, "motivation": motivation})


def declaration_json(p: Participation) -> dict[str, Any]:
    return {
        "id": p.id,
        "project": {"id": p.project.id, "key": p.project.key, "title": p.project.title,
                    "year": p.project.year},
        "municipality": {"refnis": p.municipality.refnis, "name_nl": p.municipality.name_nl},
        "role": p.role,
        "evidence_level": p.evidence_level,
        "review_status": p.review_status,
        "review_note": p.review_note,
        "reviewed_at": p.reviewed_at.isoformat() if p.reviewed_at else None,
    }
