"""The database registry as plain data for ``matching`` and ``evaluation``, with caches.

``load_registry()`` turns the tables into :class:`matching.registry.Registry` (participations of
merged-away municipalities resolved to today's municipality). ``current_graph()`` and
``current_project_index()`` are rebuilt only when the registry version changes: a cheap query
over row counts and the latest project update, so every worker process notices an edit made by
another.
"""

from __future__ import annotations

import threading
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Municipality as MunicipalityRow
from app.models import Participation as ParticipationRow
from app.models import Project as ProjectRow
from matching.graph import GraphCache, RegistryGraph
from matching.registry import Municipality, Participation, Project, Registry
from matching.similar import ProjectIndex


def registry_version() -> tuple:
    """Changes whenever a municipality, project or participation is added, edited or removed."""
    row = db.session.execute(
        select(
            select(func.count()).select_from(MunicipalityRow).scalar_subquery(),
            select(func.count()).select_from(ProjectRow).scalar_subquery(),
            select(func.max(ProjectRow.updated_at)).scalar_subquery(),
            select(func.count()).select_from(ParticipationRow).scalar_subquery(),
            select(func.coalesce(func.sum(ParticipationRow.id), 0)).scalar_subquery(),
        )
    ).one()
    stamp = row[2].isoformat() if isinstance(row[2], datetime) else str(row[2])
    return (db.engine.url.render_as_string(hide_password=True), row[0], row[1], stamp, row[3], row[4])


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


_graphs = GraphCache()
_index_lock = threading.Lock()
_index: tuple[tuple, ProjectIndex] | None = None


def current_graph() -> RegistryGraph:
    return _graphs.get(registry_version(), load_registry)


def current_project_index() -> ProjectIndex:
    global _index
    version = registry_version()
    with _index_lock:
        if _index is None or _index[0] != version:
            _index = (version, ProjectIndex.build(load_registry().projects))
        return _index[1]
