"""The database registry as plain data for ``matching`` and ``evaluation``, with caches.

``load_registry()`` turns the tables into :class:`matching.registry.Registry` (participations of
merged-away municipalities resolved to today's municipality). ``current_registry()``,
``current_graph()`` and ``current_project_index()`` are rebuilt only when the registry version
changes. The version is one cheap query (row counts, the latest project update and the highest
participation id, all answered from indexes or a small table), so every worker process notices an
edit made by another on its next request; the registry itself is loaded at most once per version
and shared by the graph and the text index.

A project's ``updated_at`` only moves by itself when one of its own columns changes; the
``before_flush`` hook below also moves it when its domains or participations change, so that
such an edit changes the version too.
"""

from __future__ import annotations

import threading
from collections.abc import Hashable
from datetime import datetime

from sqlalchemy import event, func, select
from sqlalchemy.orm import Session, selectinload

from app.extensions import db
from app.models import Municipality as MunicipalityRow
from app.models import Participation as ParticipationRow
from app.models import Project as ProjectRow
from app.models.registry import utcnow
from matching.graph import GraphCache, RegistryGraph
from matching.registry import Municipality, Participation, Project, Registry
from matching.similar import ProjectIndex, place_name_words
from matching.weights import MatchingWeights

#: One statement of scalar subqueries, built once: row counts and maxima that SQLite and
#: PostgreSQL answer from indexes or small tables (the project table is scanned for the latest
#: ``updated_at``; 5,000 projects take well under a millisecond).
_VERSION_QUERY = select(
    select(func.count()).select_from(MunicipalityRow).scalar_subquery(),
    select(func.count(MunicipalityRow.merged_into_id)).scalar_subquery(),
    select(func.coalesce(func.sum(MunicipalityRow.population), 0)).scalar_subquery(),
    select(func.count()).select_from(ProjectRow).scalar_subquery(),
    select(func.max(ProjectRow.updated_at)).scalar_subquery(),
    select(func.count()).select_from(ParticipationRow).scalar_subquery(),
    select(func.max(ParticipationRow.id)).scalar_subquery(),
)


def registry_version() -> tuple:
    """Changes whenever a project or participation is added, edited or removed, and when
    municipalities are added, merged or get another population (what ``flask seed`` changes;
    after a seed that only renames or moves municipalities, restart the workers)."""
    row = db.session.execute(_VERSION_QUERY).one()
    stamp = row[4].isoformat() if isinstance(row[4], datetime) else str(row[4])
    # The engine URL says which database (tests run many in one process); URLs are hashable.
    return (db.engine.url, *row[:4], stamp, *row[5:])


@event.listens_for(Session, "before_flush")
def _touch_changed_projects(session: Session, flush_context, instances) -> None:
    """Move ``updated_at`` of projects whose domains or participations changed in this flush."""
    deleted = set(session.deleted)
    touched = {obj for obj in session.dirty
               if isinstance(obj, ProjectRow) and session.is_modified(obj)}
    touched.update(obj.project for obj in list(session.new) + list(deleted)
                   if isinstance(obj, ParticipationRow) and obj.project is not None)
    now = utcnow()
    for project in touched - deleted:
        project.updated_at = now


def load_registry() -> Registry:
    rows = db.session.scalars(select(MunicipalityRow)).all()
    by_id = {m.id: m for m in rows}

    def current(m: MunicipalityRow) -> MunicipalityRow:
        seen = set()
        while m.merged_into_id is not None and m.id not in seen:
            seen.add(m.id)
            m = by_id[m.merged_into_id]
        return m

    municipalities = tuple(
        Municipality(
            refnis=m.refnis, name_nl=m.name_nl, name_fr=m.name_fr, province=m.province, region=m.region,
            is_centrumstad=m.is_centrumstad, population=m.population or 0,
            latitude=m.latitude or 0.0, longitude=m.longitude or 0.0,
        )
        for m in sorted(rows, key=lambda r: r.refnis)
        if m.merged_into_id is None
    )
    projects, participations = [], []
    stmt = select(ProjectRow).options(selectinload(ProjectRow.domains), selectinload(ProjectRow.participations))
    for p in db.session.scalars(stmt):
        deliverables = {k for k, v in p.deliverables().items() if v}
        projects.append(Project(
            id=p.id, title=p.title, summary=p.summary or "", programme=p.programme, year=p.year,
            grant_cents=p.grant_cents, status=p.status, domains=tuple(d.code for d in p.domains),
            deliverables=frozenset(deliverables),
        ))
        seen: dict[str, str] = {}
        for part in p.participations:
            refnis = current(by_id[part.municipality_id]).refnis
            if refnis not in seen:  # two merged predecessors in one project count once
                seen[refnis] = part.role
                participations.append(Participation(project_id=p.id, refnis=refnis, role=part.role))
    return Registry(municipalities=municipalities, projects=tuple(projects), participations=tuple(participations))


_lock = threading.Lock()
_registry: tuple[Hashable, Registry] | None = None
_index: tuple[Hashable, ProjectIndex] | None = None
_graphs = GraphCache()


def _registry_of(version: Hashable) -> Registry:
    """The registry of ``version``, loaded once and shared by the graph and the text index."""
    global _registry
    with _lock:
        if _registry is None or _registry[0] != version:
            _registry = (version, load_registry())
        return _registry[1]


def current_registry() -> Registry:
    """The registry as plain data, reloaded only when the version changed."""
    return _registry_of(registry_version())


def current_graph() -> RegistryGraph:
    """The registry graph of the current version (built once per version and process)."""
    version = registry_version()
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
    version = registry_version()
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
    """Forget the loaded registry, graph and index (the next request rebuilds them)."""
    global _registry, _index
    with _lock:
        _registry = None
        _index = None
    _graphs.clear()
