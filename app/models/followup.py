"""Follow-up of funded projects: the link to the application, milestones, reports, adoptions.

A published call's funded application enters the registry as a :class:`Project`; the
:class:`FundedProject` row links the two (one project per application, so publication can run
again without doubles) and keeps the leverage and scalability indicators as they stood at the
decision, for the ex-post report. The lead reports (progress, final); the secretariat reviews;
followers record whether they took the result up (:class:`Adoption`). Money in euro cents.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, backref, mapped_column, relationship

from app.core.extensions import db
from app.models.calls import Application, Call
from app.models.registry import Municipality, Project, _in, utcnow
from app.models.users import User

ADOPTION_STATUSES = ("planned", "in_progress", "implemented", "dropped")
REPORT_KINDS = ("progress", "final")
REPORT_STATUSES = ("submitted", "approved", "changes")
#: Kinds of a delivered result; each needs a link somebody can check.
RESULT_KINDS = ("repository", "dataset", "oslo_specification", "playbook", "model_specification",
                "other")


class FundedProject(db.Model):
    """A registry project created from a funded application at the call's publication."""

    __tablename__ = "funded_project"

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), unique=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id"), unique=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    #: {"leverage": score, "scalability": score, "followers_counted": n} at the decision.
    indicators_at_decision: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    #: Set when the secretariat approved the final report: VLAIO pays the balance then.
    balance_due_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    project: Mapped[Project] = relationship(backref=backref("funding", uselist=False,
                                                            cascade="all, delete-orphan"))
    application: Mapped[Application] = relationship()
    call: Mapped[Call] = relationship()


class Milestone(db.Model):
    """A promised deliverable of a funded project, with its due date once planned."""

    __tablename__ = "milestone"
    __table_args__ = (UniqueConstraint("project_id", "code", name="uq_milestone_project_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    #: A deliverable (matching.registry.DELIVERABLES) or ``final_report``.
    code: Mapped[str] = mapped_column(String(40))
    due_date: Mapped[date | None] = mapped_column(Date)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    position: Mapped[int] = mapped_column(Integer, default=0)

    project: Mapped[Project] = relationship()


class ProjectReport(db.Model):
    """A progress or final report of the lead, with an optional PDF (document store)."""

    __tablename__ = "project_report"
    __table_args__ = (
        CheckConstraint(_in("kind", REPORT_KINDS), name="kind"),
        CheckConstraint(_in("status", REPORT_STATUSES), name="status"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    text: Mapped[str] = mapped_column(Text, default="")
    #: [{"kind": RESULT_KINDS, "url", "title"}]: the delivered results, each checkable.
    results: Mapped[list | None] = mapped_column(JSON)
    sha256: Mapped[str | None] = mapped_column(String(64))
    size: Mapped[int | None] = mapped_column(BigInteger)
    pages: Mapped[int | None] = mapped_column(Integer)
    filename: Mapped[str | None] = mapped_column(String(255))
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    submitted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    submitted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_motivation: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship()
    submitted_by: Mapped[User | None] = relationship(foreign_keys=[submitted_by_id])
    reviewed_by: Mapped[User | None] = relationship(foreign_keys=[reviewed_by_id])


class Adoption(db.Model):
    """A municipality's take-up of a project's result: one row per (project, municipality),
    its status moved over time (every move audited)."""

    __tablename__ = "adoption"
    __table_args__ = (
        CheckConstraint(_in("status", ADOPTION_STATUSES), name="status"),
        CheckConstraint("status != 'dropped' OR (reason IS NOT NULL AND length(reason) > 0)",
                        name="dropped_has_reason"),
        UniqueConstraint("project_id", "municipality_id", name="uq_adoption_project_municipality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    status: Mapped[str] = mapped_column(String(20))
    evidence_url: Mapped[str | None] = mapped_column(Text)
    reason: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    implemented_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    project: Mapped[Project] = relationship()
    municipality: Mapped[Municipality] = relationship()


CLUSTER_ROLES = ("lighthouse", "follower", "observer")


class OperatingCluster(db.Model):
    """A cluster the secretariat adopted from a stored plan (or set up by hand): it runs, with its
    lighthouse, followers and observers, and records its knowledge-sharing sessions."""

    __tablename__ = "operating_cluster"
    __table_args__ = (
        UniqueConstraint("plan_id", "domain", "lighthouse_refnis", name="uq_operating_cluster_plan"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    plan_id: Mapped[int | None] = mapped_column(ForeignKey("cluster_plan.id", ondelete="SET NULL"),
                                                index=True)
    domain: Mapped[str] = mapped_column(String(20), index=True)
    #: REFNIS of the lighthouse when adopted (the member rows say who takes part now).
    lighthouse_refnis: Mapped[str] = mapped_column(String(5))
    adopted_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    adopted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    members: Mapped[list[ClusterMember]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan", order_by="ClusterMember.id")
    sessions: Mapped[list[KnowledgeSession]] = relationship(
        back_populates="cluster", cascade="all, delete-orphan",
        order_by="KnowledgeSession.held_on")


class ClusterMember(db.Model):
    """A municipality's role in an operating cluster: lighthouse, follower or observer."""

    __tablename__ = "cluster_member"
    __table_args__ = (
        CheckConstraint(_in("role", CLUSTER_ROLES), name="role"),
        UniqueConstraint("cluster_id", "municipality_id", name="uq_cluster_member"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("operating_cluster.id", ondelete="CASCADE"),
                                            index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))

    cluster: Mapped[OperatingCluster] = relationship(back_populates="members")
    municipality: Mapped[Municipality] = relationship()


class KnowledgeSession(db.Model):
    """A knowledge-sharing session of a cluster: date, topic, who attended, the material."""

    __tablename__ = "knowledge_session"

    id: Mapped[int] = mapped_column(primary_key=True)
    cluster_id: Mapped[int] = mapped_column(ForeignKey("operating_cluster.id", ondelete="CASCADE"),
                                            index=True)
    held_on: Mapped[date] = mapped_column(Date)
    topic: Mapped[str] = mapped_column(String(300))
    #: REFNIS codes of the municipalities that attended.
    attendance: Mapped[list | None] = mapped_column(JSON)
    material_url: Mapped[str | None] = mapped_column(Text)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    recorded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    cluster: Mapped[OperatingCluster] = relationship(back_populates="sessions")
