"""The jury of a call: jurors, conflicts, assignments, scores, consensus, settings, audit log.

A juror is a user who joined one call (``call_juror``); the jury modules in ``evaluation/`` know
the juror by this row's id, so one user can sit on several juries with a different expertise and
affiliation each. Scores carry a ``version`` (SQLAlchemy's optimistic locking: every UPDATE says
``WHERE version = <the version read>``), so two concurrent saves of the same score cannot both
win. The audit log is append-only and hash-chained (``evaluation/audit.py``); its head hash is
kept in a separate one-row table so a cut-off tail shows (docs/jury.md §7).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.models.calls import Application, ApplicationAmendment, Call, Criterion
from app.models.registry import Municipality, Organisation, _in, utcnow
from app.models.users import User

SCORE_STATUSES = ("draft", "submitted")

#: Scores are stored exactly: 10 digits, 4 after the point (a step of 0.0001 at the finest).
SCORE_TYPE = Numeric(10, 4, asdecimal=True)


class CallJuror(db.Model):
    """A user on the jury of one call, with declared expertise, affiliations and the signed
    declaration of absence of conflicts (*verklaring op eer*).

    ``declaration_signed_at`` is None until the juror signed the call's declaration; no
    application opens for them before (app/jury/service_access.py). ``declaration_text`` is the exact
    statement they signed (evaluation.conflicts.declaration_text).
    """

    __tablename__ = "call_juror"
    __table_args__ = (
        UniqueConstraint("call_id", "user_id", name="uq_call_juror_call_user"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    #: Domain codes (matching.registry.DOMAINS) the juror is expert in.
    expertise: Mapped[list] = mapped_column(JSON, default=list)
    declaration_signed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    declaration_text: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    call: Mapped[Call] = relationship()
    user: Mapped[User] = relationship()
    affiliations: Mapped[list[JurorAffiliation]] = relationship(
        back_populates="juror", cascade="all, delete-orphan", order_by="JurorAffiliation.position")


class JurorAffiliation(db.Model):
    """One affiliation of a juror: a municipality, an organisation or the VGC (exactly one)."""

    __tablename__ = "juror_affiliation"
    __table_args__ = (
        CheckConstraint(
            "(CASE WHEN municipality_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) + "
            "(CASE WHEN is_vgc THEN 1 ELSE 0 END) = 1",
            name="exactly_one",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    juror_id: Mapped[int] = mapped_column(
        ForeignKey("call_juror.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_vgc: Mapped[bool] = mapped_column(Boolean, default=False)
    position: Mapped[int] = mapped_column(Integer, default=0)

    juror: Mapped[CallJuror] = relationship(back_populates="affiliations")
    municipality: Mapped[Municipality | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class DeclaredConflict(db.Model):
    """A conflict of interest a juror (or the admin for them) declared on one application."""

    __tablename__ = "jury_conflict"
    __table_args__ = (
        UniqueConstraint("juror_id", "application_id", name="uq_jury_conflict_juror_application"),
        CheckConstraint("length(reason) > 0", name="reason"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    juror_id: Mapped[int] = mapped_column(
        ForeignKey("call_juror.id", ondelete="CASCADE"), index=True
    )
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    reason: Mapped[str] = mapped_column(Text)
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    declared_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    juror: Mapped[CallJuror] = relationship()
    application: Mapped[Application] = relationship()


class Assignment(db.Model):
    """A juror reviews an application; ``fixed_by_admin`` pairs are kept by the solver."""

    __tablename__ = "jury_assignment"
    __table_args__ = (
        UniqueConstraint("application_id", "juror_id", name="uq_jury_assignment_pair"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(
        ForeignKey("call_juror.id", ondelete="CASCADE"), index=True
    )
    fixed_by_admin: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship()
    juror: Mapped[CallJuror] = relationship()


class Score(db.Model):
    """One juror's score and motivation on one criterion of one application.

    ``version`` starts at 1 and grows with every save; a save must name the version it read
    (SQLAlchemy ``version_id_col``: the UPDATE only matches that version).
    """

    __tablename__ = "jury_score"
    __table_args__ = (
        UniqueConstraint(
            "application_id", "juror_id", "criterion_id", name="uq_jury_score_application"
        ),
        CheckConstraint(_in("status", SCORE_STATUSES), name="status"),
        CheckConstraint("status = 'draft' OR score IS NOT NULL", name="submitted_has_score"),
        CheckConstraint("version >= 1", name="version"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    juror_id: Mapped[int] = mapped_column(
        ForeignKey("call_juror.id", ondelete="RESTRICT"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="RESTRICT"), index=True
    )
    score: Mapped[Decimal | None] = mapped_column(SCORE_TYPE)
    motivation: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default="draft")
    version: Mapped[int] = mapped_column(Integer, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    application: Mapped[Application] = relationship()
    juror: Mapped[CallJuror] = relationship()
    criterion: Mapped[Criterion] = relationship()

    __mapper_args__: ClassVar[dict] = {"version_id_col": version}


class Consensus(db.Model):
    """The chair's consensus score and motivation on one criterion of one application."""

    __tablename__ = "jury_consensus"
    __table_args__ = (
        UniqueConstraint("application_id", "criterion_id", name="uq_jury_consensus_application"),
        CheckConstraint("length(motivation) > 0", name="motivation"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True
    )
    criterion_id: Mapped[int] = mapped_column(
        ForeignKey("criterion.id", ondelete="RESTRICT"), index=True
    )
    score: Mapped[Decimal] = mapped_column(SCORE_TYPE)
    motivation: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship()
    criterion: Mapped[Criterion] = relationship()
    by: Mapped[User | None] = relationship()


class ScoreReconfirmation(db.Model):
    """An assigned juror's scores of an amended application wait for reconfirmation (or are)."""

    __tablename__ = "score_reconfirmation"
    __table_args__ = (
        UniqueConstraint("amendment_id", "juror_id", name="uq_score_reconfirmation_amendment_juror"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    amendment_id: Mapped[int] = mapped_column(
        ForeignKey("application_amendment.id", ondelete="CASCADE"))
    application_id: Mapped[int] = mapped_column(
        ForeignKey("application.id", ondelete="CASCADE"), index=True)
    juror_id: Mapped[int] = mapped_column(ForeignKey("call_juror.id", ondelete="CASCADE"), index=True)
    reconfirmed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    amendment: Mapped[ApplicationAmendment] = relationship(back_populates="reconfirmations")


class CallJurySettings(db.Model):
    """The jury's settings of a call (kept apart from the call's rules) and its publication.

    ``disagreement_spread`` is in score points (None: the default fraction of each criterion's
    scale, see app/results.py); ``total_threshold`` on the scale of the weighted total;
    ``tie_break`` the ordered rules of evaluation.ranking. ``selection`` holds the last funding
    selection computed (Selection.to_dict() plus its parameters); publication freezes it.
    """

    __tablename__ = "call_jury_settings"
    __table_args__ = (
        CheckConstraint(
            "disagreement_spread IS NULL OR disagreement_spread >= 0", name="disagreement_spread"
        ),
        CheckConstraint("reviewers_per_application >= 1", name="reviewers"),
        CheckConstraint("max_load >= 1", name="max_load"),
        CheckConstraint("NOT published OR published_at IS NOT NULL", name="published_at"),
    )

    call_id: Mapped[int] = mapped_column(
        ForeignKey("call.id", ondelete="CASCADE"), primary_key=True
    )
    disagreement_spread: Mapped[float | None] = mapped_column(Float)
    total_threshold: Mapped[float | None] = mapped_column(Float)
    tie_break: Mapped[list] = mapped_column(JSON, default=list)
    reviewers_per_application: Mapped[int] = mapped_column(Integer, default=3)
    max_load: Mapped[int] = mapped_column(Integer, default=8)
    scoring_deadline: Mapped[date | None] = mapped_column(Date)
    selection: Mapped[dict | None] = mapped_column(JSON)
    selection_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published: Mapped[bool] = mapped_column(Boolean, default=False)
    published_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    published_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    call: Mapped[Call] = relationship()


class AuditEntry(db.Model):
    """One entry of the append-only, hash-chained audit log (evaluation/audit.py).

    ``timestamp`` is the ISO 8601 text exactly as hashed. No code path updates or deletes a row
    (app/audit.py refuses it at flush time, and database triggers refuse it below the ORM).
    """

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(primary_key=True)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)
    timestamp: Mapped[str] = mapped_column(String(40))
    actor: Mapped[str] = mapped_column(String(255))
    action: Mapped[str] = mapped_column(String(60), index=True)
    payload: Mapped[dict] = mapped_column(JSON)


class AuditHead(db.Model):
    """The chain's last hash and length, one row (id 1), updated with every append.

    Kept apart from the log so that removing the last entries of the log shows: the chain then
    ends before this head. Its row lock serialises appends (PostgreSQL ``FOR UPDATE``).
    """

    __tablename__ = "audit_head"
    __table_args__ = (CheckConstraint("id = 1", name="single_row"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
