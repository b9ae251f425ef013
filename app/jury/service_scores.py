"""Jurors' scores and the chair's consensus, between the tables and ``evaluation.scoring``.

A juror saves a draft per criterion (score and motivation, both optional in a draft but valid
when given), then submits all criteria of an application at once: every criterion then needs a
score on its scale and a motivation of at least ``MIN_MOTIVATION_LENGTH`` characters. Submitted
scores change only through the chair's consensus.

**Concurrency.** Every score row has a ``version``. A save names the version it read; a different
stored version answers 409 with what the score now holds. Two saves that read the same version at
the same moment are settled by the database: the UPDATE says ``WHERE version = <read>``
(SQLAlchemy ``version_id_col``), so the second one matches no row and gets the same 409; two
first saves of a new score collide on the unique key and the loser gets the 409. No save is lost
silently. A write that loses a race is rolled back and answered 409 with the current score
(``conflict=`` of :func:`app.core.transaction.transactional`).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from sqlalchemy import select, update

from app.calls.service import criterion_from_row
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, not_found, validation_problem
from app.core.transaction import transactional
from app.jury.service import ensure_not_published
from app.models import (
    Application,
    Assignment,
    AuditHead,
    CallJuror,
    Consensus,
    Criterion,
    Score,
    User,
)
from app.models.registry import utcnow
from evaluation import scoring
from evaluation.scoring import InvalidScore, validate_score


def _tidy(value: Any) -> Any:
    """7.0 -> 7, so messages read "between 0 and 10", not "between 0.0 and 10.0"."""
    return int(value) if isinstance(value, float) and value.is_integer() else value


def pure_criterion(row: Criterion) -> scoring.Criterion:
    c = criterion_from_row(row).for_scoring()
    return replace(c, scale_min=_tidy(c.scale_min), scale_max=_tidy(c.scale_max),
                   scale_step=_tidy(c.scale_step), threshold=_tidy(c.threshold))


def get_criterion(app: Application, code: str) -> Criterion:
    for c in app.call.criteria:
        if c.code == code:
            return c
    raise not_found("criterion of this call", code, field="criterion")


def number(value: Any) -> float | None:
    """A stored Decimal score as a JSON number."""
    return None if value is None else float(value)


def score_dict(row: Score, *, with_email: bool = False) -> dict[str, Any]:
    d = {
        "application": row.application_id,
        "juror": row.juror_id,
        "criterion": row.criterion.code,
        "score": number(row.score),
        "motivation": row.motivation,
        "status": row.status,
        "version": row.version,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
    }
    if with_email:
        d["juror_email"] = row.juror.user.email
    return d


def scores_of(app: Application, juror: CallJuror | None = None) -> list[Score]:
    stmt = select(Score).where(Score.application_id == app.id)
    if juror is not None:
        stmt = stmt.where(Score.juror_id == juror.id)
    return list(db.session.scalars(stmt.order_by(Score.juror_id, Score.criterion_id)))


def has_submitted(app: Application, juror: CallJuror) -> bool:
    """True once the juror submitted their scores for this application."""
    return db.session.scalar(select(Score.id).where(
        Score.application_id == app.id, Score.juror_id == juror.id,
        Score.status == "submitted").limit(1)) is not None


def invalid_score(exc: InvalidScore, prefix: str = "") -> Problem:
    err = exc.to_dict()
    err["field"] = prefix + err["field"]
    return validation_problem([err])


def _current(app_id: int, juror_id: int, criterion_id: int) -> Score | None:
    return db.session.scalar(select(Score).where(
        Score.application_id == app_id, Score.juror_id == juror_id,
        Score.criterion_id == criterion_id).execution_options(populate_existing=True))


def stale_problem(current: Score | None, sent_score: Any, sent_motivation: Any,
                  sent_version: int) -> Problem:
    """409: the score changed since the version the client read; say what it holds now."""
    if current is None:
        return Problem(409, "Stale score", f"There is no saved score yet; send version 0 "
                       f"(you sent {sent_version}).",
                       errors=[{"field": "version", "message": "no saved score yet: use version 0",
                                "message_nl": "nog geen score bewaard: gebruik versie 0"}],
                       current=None, changed=[])
    changed = []
    try:
        sent = scoring.to_decimal(sent_score) if sent_score not in (None, "") else None
    except (TypeError, ValueError):
        sent = sent_score
    if sent != current.score:
        changed.append("score")
    if (sent_motivation or "").strip() != (current.motivation or ""):
        changed.append("motivation")
    if current.status == "submitted":
        changed.append("status")
    what = ", ".join(changed) or "nothing visible"
    return Problem(
        409, "Stale score",
        f"This score was saved elsewhere since you loaded it: version {current.version} is "
        f"current, you sent {sent_version}. Changed: {what}. Reload, check and save again.",
        errors=[{"field": "version",
                 "message": f"version {current.version} is current (you sent {sent_version})",
                 "message_nl": f"versie {current.version} is de huidige "
                               f"(u stuurde {sent_version})"}],
        current={"score": number(current.score), "motivation": current.motivation,
                 "version": current.version, "status": current.status,
                 "updated_at": current.updated_at.isoformat() if current.updated_at else None},
        changed=changed,
    )


def _serialise_on_sqlite() -> None:
    """SQLite has one writer at a time: take the write lock before reading the version.

    A no-op UPDATE of the audit head (which every score write touches anyway) makes pysqlite
    begin the transaction and take SQLite's write lock, so a concurrent save waits for this one
    and then reads the new version (409), instead of failing with "database is locked". On
    PostgreSQL nothing is needed: the versioned UPDATE settles the race.
    """
    if db.session.get_bind().dialect.name == "sqlite":
        db.session.execute(update(AuditHead).where(AuditHead.id == 1)
                           .values(entries=AuditHead.entries))


def _after_version_check() -> None:
    """Hook between the version check and the write (tests use it to line up two saves)."""


def _stale_save(_exc: Exception, app: Application, juror: CallJuror, criterion: Criterion,
                score: Any, motivation: Any, version: int, **_: Any) -> Problem:
    """A concurrent save won (after the rollback): 409 with the score as it is now."""
    return stale_problem(_current(app.id, juror.id, criterion.id), score, motivation, version)


@transactional("score.saved", conflict=_stale_save)
def save_score(app: Application, juror: CallJuror, criterion: Criterion, score: Any,
               motivation: Any, version: int, actor: User) -> Score:
    """Save a draft score (audited); 409 when stale or already submitted."""
    ensure_not_published(app.call)
    _serialise_on_sqlite()
    row = _current(app.id, juror.id, criterion.id)
    if row is not None and row.status == "submitted":
        raise Problem(409, "Already submitted",
                      "Your scores for this application are submitted; they change only through "
                      "the chair's consensus.",
                      errors=[{"field": "score", "message": "already submitted",
                               "message_nl": "al ingediend"}])
    if (row.version if row is not None else 0) != version:
        raise stale_problem(row, score, motivation, version)
    try:
        valid = validate_score(pure_criterion(criterion), score, motivation, draft=True)
    except InvalidScore as exc:
        raise invalid_score(exc) from None
    _after_version_check()
    if row is None:
        row = Score(application_id=app.id, juror_id=juror.id, criterion_id=criterion.id,
                    status="draft")
        db.session.add(row)
    row.score = valid.score
    row.motivation = valid.motivation
    row.updated_at = utcnow()
    db.session.flush()
    record_audit(actor, "score.saved", {
        "call": app.call_id, "application": app.id, "juror": juror.id,
        "criterion": criterion.code, "score": None if valid.score is None else str(valid.score),
        "motivation": valid.motivation, "version": row.version})
    return row


def _stale_submit(_exc: Exception, **_: Any) -> Problem:
    return Problem(409, "Stale score", "A score changed while submitting; reload and submit again.",
                   errors=[{"field": "version", "message": "changed while submitting",
                            "message_nl": "gewijzigd tijdens het indienen"}])


@transactional("score.submitted", conflict=_stale_submit)
def submit_scores(app: Application, juror: CallJuror, actor: User) -> list[Score]:
    """Submit every criterion at once (all valid, each motivated); audited."""
    ensure_not_published(app.call)
    _serialise_on_sqlite()
    rows = {r.criterion_id: r for r in scores_of(app, juror)}
    if rows and all(r.status == "submitted" for r in rows.values()):
        raise Problem(409, "Already submitted",
                      "Your scores for this application are already submitted.",
                      errors=[{"field": "scores", "message": "already submitted",
                               "message_nl": "al ingediend"}])
    errors = []

    def add(code: str, exc: InvalidScore) -> None:
        err = exc.to_dict()
        err["field"] = f"{code}.{exc.field}"
        errors.append(err)

    for c in app.call.criteria:
        row = rows.get(c.id)
        motivation = row.motivation if row else None
        try:
            validate_score(pure_criterion(c), row.score if row else None, motivation)
        except InvalidScore as exc:
            add(c.code, exc)
            if exc.field == "score":  # every error at once: the motivation too, not after a retry
                try:
                    scoring.validate_motivation(motivation)
                except InvalidScore as more:
                    add(c.code, more)
    if errors:
        raise validation_problem(errors, "Not every criterion has a valid score and motivation: "
                                 + "; ".join(f"{e['field']}: {e['message']}" for e in errors))
    now = utcnow()
    for row in rows.values():
        row.status = "submitted"
        row.submitted_at = now
    db.session.flush()
    record_audit(actor, "score.submitted", {
        "call": app.call_id, "application": app.id, "juror": juror.id,
        "scores": [{"criterion": r.criterion.code, "score": str(r.score),
                    "motivation": r.motivation, "version": r.version}
                   for r in sorted(rows.values(), key=lambda r: r.criterion.position)]})
    return list(rows.values())


def assigned_juror_ids(app: Application) -> set[int]:
    return set(db.session.scalars(select(Assignment.juror_id).where(
        Assignment.application_id == app.id)))


def scores_view(user: User, app: Application, juror: CallJuror | None) -> dict[str, Any]:
    """The scores ``user`` may see: the admin all; a juror their own, and after submitting their
    own also the other assigned jurors' submitted scores (blind until then)."""
    criteria = [c.code for c in app.call.criteria]
    if user.role == "admin":
        rows = scores_of(app)
        return {"application": app.id, "criteria": criteria, "blind": False, "submitted": None,
                "items": [score_dict(r, with_email=True) for r in rows]}
    own = scores_of(app, juror)
    submitted = bool(own) and all(r.status == "submitted" for r in own)
    items = [score_dict(r) for r in own]
    if submitted:
        assigned = assigned_juror_ids(app)
        items += [score_dict(r) for r in scores_of(app)
                  if r.juror_id != juror.id and r.status == "submitted" and r.juror_id in assigned]
    return {"application": app.id, "criteria": criteria, "blind": not submitted,
            "submitted": submitted, "items": items}


# --------------------------------------------------------------------------------------------
# Consensus


def consensus_dict(row: Consensus) -> dict[str, Any]:
    return {
        "application": row.application_id,
        "criterion": row.criterion.code,
        "score": number(row.score),
        "motivation": row.motivation,
        "by": row.by.email if row.by else None,
        "at": row.at.isoformat() if row.at else None,
    }


@transactional("consensus.recorded")
def record_consensus(app: Application, criterion: Criterion, score: Any, motivation: Any,
                     actor: User) -> Consensus:
    """The chair's consensus score with its motivation (required); audited."""
    ensure_not_published(app.call)
    try:
        valid = validate_score(pure_criterion(criterion), score, motivation)
    except InvalidScore as exc:
        raise invalid_score(exc) from None
    row = db.session.scalar(select(Consensus).where(
        Consensus.application_id == app.id, Consensus.criterion_id == criterion.id))
    previous = None if row is None else {"score": str(row.score), "motivation": row.motivation}
    if row is None:
        row = Consensus(application_id=app.id, criterion_id=criterion.id)
        db.session.add(row)
    row.score, row.motivation, row.by, row.at = valid.score, valid.motivation, actor, utcnow()
    db.session.flush()
    record_audit(actor, "consensus.recorded", {
        "call": app.call_id, "application": app.id, "criterion": criterion.code,
        "score": str(valid.score), "motivation": valid.motivation, "previous": previous})
    return row
