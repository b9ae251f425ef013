"""The database registry as plain data for ``matching`` and ``evaluation``, with caches.

``load_registry()`` turns the tables into :class:`matching.registry.Registry` (participations of
merged-away municipalities resolved to today's municipality). ``current_registry()``,
``current_graph()`` and ``current_project_index()`` are rebuilt only when the registry version
changes; the registry itself is loaded at most once per version and shared by the graph and the
text index.

**The version** is one query of counts and maxima (``registry_version()``). Most of it is
answered from indexes, but the latest ``project.updated_at`` needs a scan of the project table
(about 1-6 ms with 5,000 projects on SQLite, most of a partner request), so a process asks the
database at most every :data:`VERSION_CHECK_INTERVAL_S` seconds and reuses the answer in between.
A registry change committed by this process forgets that answer at once (``after_commit``
hook), so a request that follows its own write always sees it; a change made by another worker
process shows within :data:`VERSION_CHECK_INTERVAL_S` seconds.

A project's ``updated_at`` only moves by itself when one of its own columns changes; the
``before_flush`` hook also moves it when its domains or participations change, so that such an
edit changes the version too.

Registry queries and writes shared by the API, the web pages and the CLI.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from datetime import datetime
from typing import Any

from sqlalchemy import Text, cast, event, func, or_, select
from sqlalchemy.orm import Session, selectinload
from unidecode import unidecode

from app.core.audit import record_audit
from app.core.extensions import db
from app.core.limits import valid_id
from app.core.problems import not_found, validation_problem
from app.core.transaction import transactional
from app.models import (
    Domain,
    DomainInterest,
    Municipality,
    Participation,
    Project,
    SeedTombstone,
    project_domain,
)
from app.models.registry import utcnow
from matching import registry as plain
from matching.graph import GraphCache, RegistryGraph
from matching.similar import ProjectIndex, place_name_words
from matching.weights import MatchingWeights

#: How long (seconds) a process trusts its last answer to the version query when it has not
#: changed the registry itself: the longest a change by another worker process stays unseen.
VERSION_CHECK_INTERVAL_S = 1.0

#: One statement of scalar subqueries, built once: row counts and maxima (indexes or small
#: tables, except the scan for the latest ``updated_at``).
_VERSION_QUERY = select(
    select(func.count()).select_from(Municipality).scalar_subquery(),
    select(func.count(Municipality.merged_into_id)).scalar_subquery(),
    select(func.coalesce(func.sum(Municipality.population), 0)).scalar_subquery(),
    select(func.count()).select_from(Project).scalar_subquery(),
    select(func.max(Project.updated_at)).scalar_subquery(),
    select(func.count()).select_from(Participation).scalar_subquery(),
    select(func.max(Participation.id)).scalar_subquery(),
)

_clock = time.monotonic  # seconds; tests move it forward
_checked: dict[Hashable, tuple[float, tuple]] = {}
"""Per database URL: (monotonic time of the last version query, its answer)."""


def registry_version(max_age_s: float = 0.0) -> tuple:
    """A value that changes whenever a project or participation is added, edited or removed,
    and when municipalities are added, merged or get another population (what ``flask seed``
    changes; after a seed that only renames or moves municipalities, restart the workers).

    ``max_age_s`` > 0 reuses an answer of this process that is at most that many seconds old
    (forgotten as soon as this process commits a registry change).
    """
    url = db.engine.url  # which database: tests run many in one process; URLs are hashable
    now = _clock()
    if max_age_s > 0:
        cached = _checked.get(url)
        if cached is not None and now - cached[0] <= max_age_s:
            return cached[1]
    row = db.session.execute(_VERSION_QUERY).one()
    stamp = row[4].isoformat() if isinstance(row[4], datetime) else str(row[4])
    version = (url, *row[:4], stamp, *row[5:])
    _checked[url] = (now, version)
    return version


def _current_version() -> tuple:
    return registry_version(VERSION_CHECK_INTERVAL_S)


_REGISTRY_ROWS = (Project, Participation, Municipality)


@event.listens_for(Session, "before_flush")
def _touch_changed_projects(session: Session, flush_context, instances) -> None:
    """Move ``updated_at`` of projects whose domains or participations changed in this flush,
    and remember that this transaction changes the registry."""
    deleted = set(session.deleted)
    changed = [obj for obj in list(session.new) + list(deleted) + list(session.dirty)
               if isinstance(obj, _REGISTRY_ROWS)]
    if not changed:
        return
    session.info["registry_changed"] = True
    touched = {obj for obj in session.dirty
               if isinstance(obj, Project) and session.is_modified(obj)}
    touched.update(obj.project for obj in list(session.new) + list(deleted)
                   if isinstance(obj, Participation) and obj.project is not None)
    now = utcnow()
    for project in touched - deleted:
        project.updated_at = now


@event.listens_for(Session, "after_flush")
def _remember_unkeyed_projects(session: Session, flush_context) -> None:
    unkeyed = [obj for obj in session.new if isinstance(obj, Project) and not obj.key]
    if unkeyed:
        session.info.setdefault("unkeyed_projects", []).extend(unkeyed)


@event.listens_for(Session, "after_flush_postexec")
def _key_new_projects(session: Session, flush_context) -> None:
    """Every project has a stable external key (import and export match on it): a project
    created without one gets ``project-<id>`` in the same transaction."""
    for project in session.info.pop("unkeyed_projects", ()):
        if not project.key and project.id is not None:
            project.key = f"project-{project.id}"


@event.listens_for(Session, "after_commit")
def _forget_checked_version(session: Session) -> None:
    """After this process committed a registry change, the next request asks the database."""
    if session.info.pop("registry_changed", False):
        _checked.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("registry_changed", None)
    session.info.pop("unkeyed_projects", None)


def load_registry() -> plain.Registry:
    """The registry tables as plain data (plain column queries: 5,000 projects in well under a
    second, where ORM objects took seconds)."""
    m = Municipality
    rows = db.session.execute(select(
        m.id, m.refnis, m.name_nl, m.name_fr, m.province, m.region, m.is_centrumstad,
        m.population, m.latitude, m.longitude, m.merged_into_id,
    )).all()
    by_id = {r.id: r for r in rows}

    def current_refnis(municipality_id: int) -> str:
        r, seen = by_id[municipality_id], set()
        while r.merged_into_id is not None and r.id not in seen:
            seen.add(r.id)
            r = by_id[r.merged_into_id]
        return r.refnis

    municipalities = tuple(
        plain.Municipality(
            refnis=r.refnis, name_nl=r.name_nl, name_fr=r.name_fr, province=r.province,
            region=r.region, is_centrumstad=r.is_centrumstad, population=r.population or 0,
            latitude=r.latitude or 0.0, longitude=r.longitude or 0.0,
        )
        for r in sorted(rows, key=lambda r: r.refnis)
        if r.merged_into_id is None
    )
    domains: dict[int, list[str]] = {}
    for project_id, code in db.session.execute(
        select(project_domain.c.project_id, Domain.code)
        .join(Domain, Domain.id == project_domain.c.domain_id)
        .order_by(project_domain.c.project_id, Domain.position)
    ):
        domains.setdefault(project_id, []).append(code)
    p = Project
    projects = []
    for r in db.session.execute(select(
        p.id, p.title, p.summary, p.programme, p.year, p.grant_cents, p.status, p.playbook,
        p.model_specification, p.open_source, p.open_data, p.vloca,
        # the JSON list as text: decoding 5,000 JSON values only to test emptiness is slow
        cast(p.oslo_standards, Text).label("oslo"),
    ).order_by(p.id)):
        flags = {"playbook": r.playbook, "model_specification": r.model_specification,
                 "open_source": r.open_source, "open_data": r.open_data,
                 "oslo": (r.oslo or "null").strip() not in ("[]", "null"), "vloca": r.vloca}
        projects.append(plain.Project(
            id=r.id, title=r.title, summary=r.summary or "", programme=r.programme, year=r.year,
            grant_cents=r.grant_cents, status=r.status, domains=tuple(domains.get(r.id, ())),
            deliverables=frozenset(k for k, v in flags.items() if v),
        ))
    participations = []
    seen: set[tuple[int, str]] = set()
    part = Participation
    for project_id, municipality_id, role, evidence in db.session.execute(
        select(part.project_id, part.municipality_id, part.role, part.evidence_level)
        .where(or_(part.review_status.is_(None), part.review_status != "rejected"),
               part.promised.is_(False))
        .order_by(part.project_id, part.id)
    ):
        refnis = current_refnis(municipality_id)
        if (project_id, refnis) not in seen:  # two merged predecessors in one project count once
            seen.add((project_id, refnis))
            participations.append(plain.Participation(project_id=project_id, refnis=refnis,
                                                      role=role, evidence=evidence))
    return plain.Registry(municipalities=municipalities, projects=tuple(projects),
                          participations=tuple(participations))


_lock = threading.Lock()
_registry: tuple[Hashable, plain.Registry] | None = None
_index: tuple[Hashable, ProjectIndex] | None = None
_graphs = GraphCache()


def _registry_of(version: Hashable) -> plain.Registry:
    """The registry of ``version``, loaded once and shared by the graph and the text index."""
    global _registry
    with _lock:
        if _registry is None or _registry[0] != version:
            _registry = (version, load_registry())
        return _registry[1]


def current_registry() -> plain.Registry:
    """The registry as plain data, reloaded only when the version changed."""
    return _registry_of(_current_version())


def current_graph() -> RegistryGraph:
    """The registry graph of the current version (built once per version and process)."""
    version = _current_version()
    return _graphs.get(version, lambda: _registry_of(version))


def matching_weights() -> MatchingWeights:
    """The weights the cached graphs are built with (what the API shows)."""
    return _graphs.weights


def current_project_index() -> ProjectIndex:
    """The TF-IDF index of the project texts, municipality names ignored.

    Names are ignored because ``DOUBLE_FUNDING_THRESHOLD`` was calibrated that way: a name says
    who, not what, and the seed summaries name the lead.
    """
    global _index
    version = _current_version()
    with _lock:
        cached = _index
    if cached is not None and cached[0] == version:
        return cached[1]
    registry = _registry_of(version)
    index = ProjectIndex.build(registry.projects,
                               ignore_words=place_name_words(registry.municipalities))
    with _lock:
        _index = (version, index)
    return index


def clear_caches() -> None:
    """Forget the version answers, the loaded registry, graph and index."""
    global _registry, _index
    with _lock:
        _checked.clear()
        _registry = None
        _index = None
    _graphs.clear()


def declared_interest(domain: str, interests: tuple[str, ...] = ("lead", "follow")) -> set[str]:
    """REFNIS codes of the municipalities that declared one of ``interests`` in ``domain``."""
    rows = db.session.scalars(
        select(Municipality.refnis)
        .join(DomainInterest, DomainInterest.municipality_id == Municipality.id)
        .join(Domain, Domain.id == DomainInterest.domain_id)
        .where(Domain.code == domain, DomainInterest.interest.in_(interests))
    )
    return set(rows)


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
    if args.get("call"):
        from app.models import FundedProject

        stmt = stmt.where(Project.id.in_(select(FundedProject.project_id)
                                         .where(FundedProject.call_id == args["call"])))
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
    p = db.session.get(Project, project_id) if valid_id(project_id) else None
    if p is None:
        raise not_found("project", project_id, field="id")
    return p


def _project_audit(project: Project, data: dict[str, Any], **_: Any) -> dict[str, Any]:
    return {"project": project.id, "title": project.title, "fields": sorted(data)}


@transactional("project.create", payload=_project_audit)
def create_project(data: dict[str, Any], actor: Any) -> Project:
    """A new project from validated fields (``ProjectInSchema``); audited."""
    project = apply_project(Project(), data)
    db.session.add(project)
    return project


@transactional("project.update", payload=lambda _result, project, data, **_: _project_audit(project, data))
def update_project(project: Project, data: dict[str, Any], actor: Any) -> Project:
    """Correct a project with validated fields (``ProjectInSchema``, partial); audited."""
    return apply_project(project, data)


def apply_project(project: Project, data: dict[str, Any]) -> Project:
    """Write validated project fields (from ProjectInSchema) onto ``project`` (no commit).

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
        # A participation that stays (same municipality and role) keeps its evidence level and
        # review; a new one is entered by the secretariat: verified unless it says otherwise.
        kept = {(p.municipality.refnis, p.role): p for p in project.participations}
        wanted = {(p["refnis"], p["role"]) for p in participations}
        for key, row in kept.items():
            if key not in wanted:
                project.participations.remove(row)
        db.session.flush()
        for p in participations:
            row = kept.get((p["refnis"], p["role"]))
            level = p.get("evidence_level")
            if row is None:
                project.participations.append(Participation(
                    municipality=by_refnis[p["refnis"]], role=p["role"],
                    evidence_level=level or "verified",
                    review_status="pending" if level == "declared" else None))
            elif level and level != row.evidence_level:
                row.evidence_level = level
    return project


@transactional("project.delete")
def delete_project(project: Project, actor: Any) -> None:
    """Delete a project; a seeded one leaves a tombstone so a re-seed does not restore it."""
    record_audit(actor, "project.delete", {"project": project.id, "title": project.title,
                                           "key": project.key})
    if project.key and db.session.get(SeedTombstone, project.key) is None:
        db.session.add(SeedTombstone(key=project.key))
    db.session.delete(project)
