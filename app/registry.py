"""Registry queries and writes shared by the API, the web pages and the CLI."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import selectinload
from unidecode import unidecode

from app.extensions import db
from app.models import Domain, Municipality, Participation, Project, SeedTombstone
from app.problems import Problem, not_found, validation_problem


def fold(text: str) -> str:
    """Accent- and case-insensitive search key: 'Sint-Genesius-Rode' -> 'sint-genesius-rode'."""
    return unidecode(text or "").lower().strip()


def get_municipality(refnis: str) -> Municipality:
    """Find a municipality by REFNIS (current or merged away); 400 for a malformed code, 404 if unknown."""
    if not (isinstance(refnis, str) and len(refnis) == 5 and refnis.isdigit()):
        raise validation_problem(
            [{"field": "refnis", "message": f"{refnis!r} is not a 5-digit REFNIS code, e.g. 44021"}]
        )
    m = db.session.scalar(select(Municipality).where(Municipality.refnis == refnis))
    if m is None:
        raise not_found("municipality", refnis, field="refnis")
    return m


def municipality_query(args: dict[str, Any]):
    stmt = select(Municipality)
    if not args.get("include_merged"):
        stmt = stmt.where(Municipality.merged_into_id.is_(None))
    if args.get("region"):
        stmt = stmt.where(Municipality.region == args["region"])
    if args.get("province"):
        stmt = stmt.where(Municipality.province == args["province"])
    if args.get("centrumstad") is not None:
        stmt = stmt.where(Municipality.is_centrumstad.is_(args["centrumstad"]))
    if args.get("q"):
        stmt = stmt.where(Municipality.name_search.contains(fold(args["q"]), autoescape=True))
    return stmt


def paginate(stmt, order_by, page: int, per_page: int) -> tuple[list, int]:
    total = db.session.scalar(select(func.count()).select_from(stmt.order_by(None).subquery()))
    items = list(db.session.scalars(stmt.order_by(*order_by).limit(per_page).offset((page - 1) * per_page)))
    return items, int(total or 0)


def project_query(args: dict[str, Any]):
    stmt = select(Project).options(
        selectinload(Project.domains),
        selectinload(Project.participations).selectinload(Participation.municipality),
    )
    if args.get("programme"):
        stmt = stmt.where(Project.programme == args["programme"])
    if args.get("year"):
        stmt = stmt.where(Project.year == args["year"])
    if args.get("domain"):
        stmt = stmt.where(Project.domains.any(Domain.code == args["domain"]))
    if args.get("municipality"):
        m = get_municipality(args["municipality"])
        ids = [m.id] + [p.id for p in _all_predecessors(m)]
        stmt = stmt.where(Project.participations.any(Participation.municipality_id.in_(ids)))
    if args.get("q"):
        like = f"%{args['q']}%"
        stmt = stmt.where(or_(Project.title.ilike(like), Project.summary.ilike(like), Project.title_en.ilike(like)))
    return stmt


def _all_predecessors(m: Municipality) -> list[Municipality]:
    out, todo = [], list(m.predecessors)
    while todo:
        p = todo.pop()
        out.append(p)
        todo.extend(p.predecessors)
    return out


def projects_of(m: Municipality) -> list[Project]:
    ids = [m.id] + [p.id for p in _all_predecessors(m)]
    stmt = (
        select(Project)
        .where(Project.participations.any(Participation.municipality_id.in_(ids)))
        .order_by(Project.year.desc(), Project.title)
    )
    return list(db.session.scalars(stmt))


def get_project(project_id: int) -> Project:
    p = db.session.get(Project, project_id) if 0 < project_id < 2**31 else None
    if p is None:
        raise not_found("project", project_id, field="id")
    return p


def apply_project(project: Project, data: dict[str, Any]) -> Project:
    """Write validated project fields (from ProjectInSchema) onto ``project``; caller commits.

    Unknown domain codes or REFNIS codes raise a 400 problem naming the field; nothing is flushed
    before all references resolved, so a failed write leaves nothing behind.
    """
    with db.session.no_autoflush:
        return _apply_project(project, data)


def _apply_project(project: Project, data: dict[str, Any]) -> Project:
    errors = []
    domains = None
    if "domains" in data:
        codes = data["domains"]
        found = {d.code: d for d in db.session.scalars(select(Domain).where(Domain.code.in_(codes)))}
        missing = [c for c in codes if c not in found]
        if missing:
            errors.append({"field": "domains", "message": f"unknown domain(s) {', '.join(missing)}"})
        domains = [found[c] for c in codes if c in found]
    participations = None
    if "participations" in data:
        refs = [p["refnis"] for p in data["participations"]]
        found_m = {
            m.refnis: m for m in db.session.scalars(select(Municipality).where(Municipality.refnis.in_(refs)))
        }
        for i, p in enumerate(data["participations"]):
            if p["refnis"] not in found_m:
                errors.append({"field": f"participations.{i}.refnis", "message": f"unknown REFNIS code {p['refnis']}"})
        participations = data["participations"]
    if errors:
        raise validation_problem(errors)
    if "grant_cents" in data or "total_budget_cents" in data:
        grant = data.get("grant_cents", project.grant_cents)
        total = data.get("total_budget_cents", project.total_budget_cents)
        if grant is not None and total is not None and grant > total:
            raise validation_problem([{"field": "grant_cents", "message": "must not exceed total_budget_cents"}])
    simple = ("title", "title_en", "summary", "programme", "year", "grant_cents", "total_budget_cents",
              "status", "source_ref", "curated", "domains_curated")
    for name in simple:
        if name in data:
            setattr(project, name, data[name])
    if "deliverables" in data:
        d = data["deliverables"]
        project.playbook = d.get("playbook", False)
        project.model_specification = d.get("model_specification", False)
        project.open_source = d.get("open_source", False)
        project.open_data = d.get("open_data", False)
        project.oslo_standards = list(d.get("oslo", []))
        project.vloca = d.get("vloca", False)
    if domains is not None:
        project.domains = domains
    if participations is not None:
        by_refnis = {m.refnis: m for m in db.session.scalars(
            select(Municipality).where(Municipality.refnis.in_([p["refnis"] for p in participations])))}
        project.participations.clear()
        db.session.flush()
        for p in participations:
            project.participations.append(Participation(municipality=by_refnis[p["refnis"]], role=p["role"]))
    return project


def save_or_problem() -> None:
    """Commit; on an integrity error roll back and answer 409 instead of a 500."""
    from sqlalchemy.exc import IntegrityError

    try:
        db.session.commit()
    except IntegrityError as err:
        db.session.rollback()
        raise Problem(409, "Conflict", f"The change conflicts with existing data: {err.orig}") from None


def delete_project(project: Project) -> None:
    """Delete a project; a seeded one leaves a tombstone so a re-seed does not restore it."""
    if project.key and db.session.get(SeedTombstone, project.key) is None:
        db.session.add(SeedTombstone(key=project.key))
    db.session.delete(project)
