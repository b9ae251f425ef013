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
"""

from __future__ import annotations

import threading
import time
from collections.abc import Hashable
from datetime import datetime

from sqlalchemy import Text, cast, event, func, select
from sqlalchemy.orm import Session

from app.extensions import db
from app.models import Domain as DomainRow
from app.models import Municipality as MunicipalityRow
from app.models import Participation as ParticipationRow
from app.models import Project as ProjectRow
from app.models import project_domain
from app.models.registry import utcnow
from matching.graph import GraphCache, RegistryGraph
from matching.registry import Municipality, Participation, Project, Registry
from matching.similar import ProjectIndex, place_name_words
from matching.weights import MatchingWeights

#: How long (seconds) a process trusts its last answer to the version query when it has not
#: changed the registry itself: the longest a change by another worker process stays unseen.
VERSION_CHECK_INTERVAL_S = 1.0

#: One statement of scalar subqueries, built once: row counts and maxima (indexes or small
#: tables, except the scan for the latest ``updated_at``).
_VERSION_QUERY = select(
    select(func.count()).select_from(MunicipalityRow).scalar_subquery(),
    select(func.count(MunicipalityRow.merged_into_id)).scalar_subquery(),
    select(func.coalesce(func.sum(MunicipalityRow.population), 0)).scalar_subquery(),
    select(func.count()).select_from(ProjectRow).scalar_subquery(),
    select(func.max(ProjectRow.updated_at)).scalar_subquery(),
    select(func.count()).select_from(ParticipationRow).scalar_subquery(),
    select(func.max(ParticipationRow.id)).scalar_subquery(),
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


_REGISTRY_ROWS = (ProjectRow, ParticipationRow, MunicipalityRow)


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
               if isinstance(obj, ProjectRow) and session.is_modified(obj)}
    touched.update(obj.project for obj in list(session.new) + list(deleted)
                   if isinstance(obj, ParticipationRow) and obj.project is not None)
    now = utcnow()
    for project in touched - deleted:
        project.updated_at = now


@event.listens_for(Session, "after_commit")
def _forget_checked_version(session: Session) -> None:
    """After this process committed a registry change, the next request asks the database."""
    if session.info.pop("registry_changed", False):
        _checked.clear()


@event.listens_for(Session, "after_rollback")
def _nothing_changed(session: Session) -> None:
    session.info.pop("registry_changed", None)


def load_registry() -> Registry:
    """The registry tables as plain data (plain column queries: 5,000 projects in well under a
    second, where ORM objects took seconds)."""
    m = MunicipalityRow
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
        Municipality(
            refnis=r.refnis, name_nl=r.name_nl, name_fr=r.name_fr, province=r.province,
            region=r.region, is_centrumstad=r.is_centrumstad, population=r.population or 0,
            latitude=r.latitude or 0.0, longitude=r.longitude or 0.0,
        )
        for r in sorted(rows, key=lambda r: r.refnis)
        if r.merged_into_id is None
    )
    domains: dict[int, list[str]] = {}
    for project_id, code in db.session.execute(
        select(project_domain.c.project_id, DomainRow.code)
        .join(DomainRow, DomainRow.id == project_domain.c.domain_id)
        .order_by(project_domain.c.project_id, DomainRow.position)
    ):
        domains.setdefault(project_id, []).append(code)
    p = ProjectRow
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
        projects.append(Project(
            id=r.id, title=r.title, summary=r.summary or "", programme=r.programme, year=r.year,
            grant_cents=r.grant_cents, status=r.status, domains=tuple(domains.get(r.id, ())),
            deliverables=frozenset(k for k, v in flags.items() if v),
        ))
    participations = []
    seen: set[tuple[int, str]] = set()
    part = ParticipationRow
    for project_id, municipality_id, role in db.session.execute(
        select(part.project_id, part.municipality_id, part.role).order_by(part.project_id, part.id)
    ):
        refnis = current_refnis(municipality_id)
        if (project_id, refnis) not in seen:  # two merged predecessors in one project count once
            seen.add((project_id, refnis))
            participations.append(Participation(project_id=project_id, refnis=refnis, role=role))
    return Registry(municipalities=municipalities, projects=tuple(projects),
                    participations=tuple(participations))


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
