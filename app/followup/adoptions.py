"""Adoption of a project's result by a municipality: planned, in progress, implemented, dropped.

One row per (project, municipality), its status moved over time; every move is audited. An
*implemented* adoption makes the municipality an ``adopter`` of the project in the registry, so
it counts in its own experience and in the builders' adoption factor (``matching.experience``):

* a committed follower of a funded project (a ``follower`` participation marked ``promised``,
  not counted until now) becomes an ``adopter`` that counts;
* any other municipality gets a new ``adopter`` participation.

Recorded by the secretariat, the participation is ``verified``; recorded by the city itself it
is ``declared`` and waits in the secretariat's verification queue (/verificatie), like every
city declaration. Moving away from *implemented* again takes the credit back. A municipality
that built the project (lead, partner) does not adopt it.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import select

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.transaction import transactional
from app.followup.service import acts_for
from app.models import (
    Adoption,
    ApplicationFollower,
    FundedProject,
    Municipality,
    Participation,
    Project,
    ProjectSource,
    User,
)
from app.models.registry import utcnow


def _municipality(refnis: str) -> Municipality:
    m = db.session.scalar(select(Municipality).where(Municipality.refnis == refnis))
    if m is None:
        raise validation_problem([{"field": "refnis", "message": f"unknown REFNIS code {refnis}",
                                   "message_nl": f"onbekende NIS-code {refnis}"}])
    return m.current()


def _participation(project: Project, m: Municipality) -> Participation | None:
    for p in project.participations:
        if p.municipality.current().id == m.id:
            return p
    return None


def committed(project: Project, m: Municipality) -> bool:
    """Whether ``m`` is a follower named in the funded application of ``project``."""
    funding = db.session.scalar(select(FundedProject).where(FundedProject.project_id == project.id))
    if funding is None:
        return False
    ids = db.session.scalars(select(ApplicationFollower.municipality_id).where(
        ApplicationFollower.application_id == funding.application_id))
    return any(db.session.get(Municipality, i).current().id == m.id for i in ids)


@transactional("adoption.recorded")
def record(project: Project, data: dict[str, Any], actor: User | None) -> Adoption:
    """Record (or move) the adoption of ``data['refnis']``; audited.

    403 unless the actor is the admin or a city user of that municipality; 409 for a builder.
    """
    m = _municipality(data["refnis"])
    if not acts_for(actor, m):
        raise Problem(403, "Forbidden", "A city user records adoptions for its own municipality "
                      "only.", errors=[{"field": "refnis", "message": "not your municipality",
                                        "message_nl": "niet uw gemeente"}])
    part = _participation(project, m)
    if part is not None and part.role in ("lead", "partner"):
        raise Problem(409, "Conflict", f"{m.name_nl} built this project ({part.role}); it "
                      "cannot adopt it.", errors=[{"field": "refnis", "message": "a builder of "
                                                   "the project", "message_nl": "bouwde het "
                                                   "project mee"}])
    row = db.session.scalar(select(Adoption).where(Adoption.project_id == project.id,
                                                   Adoption.municipality_id == m.id))
    before = row.status if row is not None else None
    if row is None:
        row = Adoption(project=project, municipality=m)
        db.session.add(row)
    row.status = data["status"]
    if data.get("evidence_url"):
        row.evidence_url = data["evidence_url"]
    row.reason = (data.get("reason") or "").strip() or None
    row.recorded_by_id = getattr(actor, "id", None)
    row.updated_at = utcnow()
    credit = None
    if row.status == "implemented" and before != "implemented":
        row.implemented_at = utcnow()
        credit = _credit(project, m, part, row, actor)
    elif row.status != "implemented" and before == "implemented":
        row.implemented_at = None
        credit = _take_back(project, m, part)
    db.session.flush()
    record_audit(actor, "adoption.recorded", {
        "project": project.id, "adoption": row.id, "refnis": m.refnis, "from": before,
        "to": row.status, "evidence_url": row.evidence_url, "reason": row.reason,
        "registry": credit})
    return row


def _credit(project: Project, m: Municipality, part: Participation | None, row: Adoption,
            actor: User | None) -> dict[str, Any]:
    """Make ``m`` an adopter that counts in experience."""
    level = "verified" if actor is not None and actor.is_admin else "declared"
    source = None
    if row.evidence_url:
        source = ProjectSource(url=row.evidence_url, position=len(project.sources),
                               note=f"adoption by {m.name_nl}")
        project.sources.append(source)
    if part is None:
        part = Participation(municipality=m, role="adopter")
        project.participations.append(part)
    part.role, part.promised, part.evidence_level = "adopter", False, level
    part.review_status = "pending" if level == "declared" else None
    part.declared_by_id = actor.id if level == "declared" and actor is not None else None
    if source is not None:
        part.source = source
    project.updated_at = utcnow()  # the registry version moves: experience is recomputed
    return {"role": "adopter", "evidence_level": level}


def _take_back(project: Project, m: Municipality, part: Participation | None) -> dict[str, Any]:
    """An implemented adoption moved back: a committed follower is a promise again, another
    municipality leaves the project."""
    if part is None or part.role != "adopter":
        return {"role": part.role if part else None}
    project.updated_at = utcnow()
    if committed(project, m):
        part.role, part.promised, part.evidence_level = "follower", True, "verified"
        part.review_status = None
        return {"role": "follower", "promised": True}
    project.participations.remove(part)
    return {"role": None}


def counts(row: Adoption) -> bool:
    """An implemented adoption counts as delivered unless the secretariat rejected the city's
    declaration of it (the adopter participation of a rejected declaration is out of the graph)."""
    if row.status != "implemented":
        return False
    part = _participation(row.project, row.municipality)
    return part is not None and part.role == "adopter" and part.review_status != "rejected"


def adoption_dict(row: Adoption) -> dict[str, Any]:
    return {
        "id": row.id,
        "project": row.project_id,
        "refnis": row.municipality.refnis,
        "name_nl": row.municipality.name_nl,
        "status": row.status,
        "evidence_url": row.evidence_url,
        "reason": row.reason,
        "committed": committed(row.project, row.municipality),
        "counts": counts(row),
        "implemented_at": row.implemented_at.isoformat() if row.implemented_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
    }


def adoptions_of(project: Project) -> list[Adoption]:
    return list(db.session.scalars(select(Adoption).where(Adoption.project_id == project.id)
                                   .order_by(Adoption.id)))
