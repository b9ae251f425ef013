"""Idea matchmaking before a call: ideas (ideefiches), consortium proposal runs and the members'
answers to a proposal (issue 14, docs/ideas.md).

An :class:`Idea` belongs to a call in its ``pre-registration`` phase and to one municipality.
``visible_to_others`` false hides it from every other city (the secretariat always sees it).
A :class:`ConsortiumRun` is the secretariat's background computation of consortium proposals;
its ``result`` holds the proposals, and :class:`ConsortiumResponse` the accept/decline of each
member. An accepted proposal becomes a draft application; the ideas keep the link
(``Idea.application_id``). Budgets in euro cents.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.models.calls import Application, Call
from app.models.registry import Municipality, _in, utcnow
from app.models.users import User

#: What an idea seeks (issue 14): a lighthouse to follow, followers to lead, peers, a technology
#: partner.
IDEA_SEEKS = ("lighthouse", "followers", "peers", "technology_partner")
RUN_STATUSES = ("queued", "running", "done", "failed")
RESPONSES = ("accepted", "declined")


class Idea(db.Model):
    """A project idea a municipality files in a call's pre-registration phase."""

    __tablename__ = "idea"
    __table_args__ = (
        CheckConstraint("budget_min_cents IS NULL OR budget_min_cents >= 0", name="budget_min"),
        CheckConstraint("budget_max_cents IS NULL OR budget_min_cents IS NULL "
                        "OR budget_max_cents >= budget_min_cents", name="budget_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    title: Mapped[str] = mapped_column(String(300))
    problem: Mapped[str] = mapped_column(Text, default="")
    solution: Mapped[str] = mapped_column(Text, default="")
    #: Domain codes (matching.registry.DOMAINS), at least one.
    domains: Mapped[list] = mapped_column(JSON, default=list)
    #: What it brings: its own projects and data, in words.
    brings: Mapped[str] = mapped_column(Text, default="")
    #: Values of :data:`IDEA_SEEKS`.
    seeks: Mapped[list] = mapped_column(JSON, default=list)
    preferred_region: Mapped[str | None] = mapped_column(String(200))
    budget_min_cents: Mapped[int | None] = mapped_column(BigInteger)
    budget_max_cents: Mapped[int | None] = mapped_column(BigInteger)
    visible_to_others: Mapped[bool] = mapped_column(Boolean, default=True)
    #: The draft application an accepted consortium proposal made of this idea.
    application_id: Mapped[int | None] = mapped_column(
        ForeignKey("application.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    call: Mapped[Call] = relationship()
    municipality: Mapped[Municipality] = relationship()
    created_by: Mapped[User | None] = relationship()
    application: Mapped[Application | None] = relationship()


class ConsortiumRun(db.Model):
    """A background computation of consortium proposals for the visible ideas of a call."""

    __tablename__ = "consortium_run"
    __table_args__ = (CheckConstraint(_in("status", RUN_STATUSES), name="status"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default="queued")
    #: min_size, max_size, time_limit_s, fixed_pairs, forbidden_pairs.
    params: Mapped[dict] = mapped_column(JSON, default=dict)
    #: elapsed_s, objective, bound, gap while it runs.
    progress: Mapped[dict | None] = mapped_column(JSON)
    #: proposals, alone, objective, bound, gap, status.
    result: Mapped[dict | None] = mapped_column(JSON)
    error: Mapped[str | None] = mapped_column(Text)
    created_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    call: Mapped[Call] = relationship()


class ConsortiumResponse(db.Model):
    """A member's answer to a proposal of a run: accepted or declined (one per idea and run)."""

    __tablename__ = "consortium_response"
    __table_args__ = (
        UniqueConstraint("run_id", "idea_id", name="uq_consortium_response_run_idea"),
        CheckConstraint(_in("response", RESPONSES), name="response"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    run_id: Mapped[int] = mapped_column(ForeignKey("consortium_run.id", ondelete="CASCADE"),
                                        index=True)
    #: Position of the proposal in the run's result.
    proposal: Mapped[int] = mapped_column(Integer)
    idea_id: Mapped[int] = mapped_column(ForeignKey("idea.id", ondelete="CASCADE"))
    response: Mapped[str] = mapped_column(String(10))
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    run: Mapped[ConsortiumRun] = relationship()
    idea: Mapped[Idea] = relationship()
