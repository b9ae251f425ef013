"""Calls (oproepen), their criteria, and applications with partners, followers and prior projects.

The rules of a call are columns named as in :class:`evaluation.calls.Call`; the app rebuilds the
pure ``Call`` from a row (``app/calls.py``) and lets ``evaluation`` check it. The database repeats
the shape rules it can hold on its own (money >= 0, scale_min < scale_max, step > 0, a grant not
above the budget, one lead), so a bad row cannot get in by another road than the API.
Money in euro cents, percentages 0-100.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
    false,
    true,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.limits import YEAR_MAX, YEAR_MIN
from app.models.registry import Municipality, Organisation, Project, _in, utcnow
from app.models.users import User
from evaluation.applications import ORGANISATION_TYPES as PARTNER_ORGANISATION_TYPES
from evaluation.calls import CALL_TYPES, INDICATOR_NAMES, LEAD_RULES
from evaluation.documents import DOCUMENT_KINDS
from evaluation.publication import SELECTION_RULES

APPLICATION_STATUSES = ("draft", "submitted", "withdrawn")
APPLICATION_ORIGINS = ("web", "api", "import", "demo")


def _money(column: str, nullable: bool = True) -> str:
    return f"{column} IS NULL OR {column} >= 0" if nullable else f"{column} >= 0"


class Call(db.Model):
    """A grant call with the rules the eligibility check applies (see evaluation.calls.Call)."""

    __tablename__ = "call"
    __table_args__ = (
        CheckConstraint(_in("call_type", CALL_TYPES), name="call_type"),
        CheckConstraint(_in("lead_rule", LEAD_RULES), name="lead_rule"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year"),
        CheckConstraint(_money("total_budget_cents"), name="total_budget"),
        CheckConstraint(_money("max_grant_cents"), name="max_grant"),
        CheckConstraint(_money("min_grant_cents"), name="min_grant"),
        CheckConstraint(
            "max_subsidy_pct IS NULL OR (max_subsidy_pct >= 0 AND max_subsidy_pct <= 100)",
            name="max_subsidy_pct",
        ),
        CheckConstraint(
            "min_cofinancing_pct IS NULL OR (min_cofinancing_pct >= 0 AND min_cofinancing_pct <= 100)",
            name="min_cofinancing_pct",
        ),
        CheckConstraint("min_local_governments IS NULL OR min_local_governments >= 1",
                        name="min_local_governments"),
        CheckConstraint("max_applications_per_lead IS NULL OR max_applications_per_lead >= 1",
                        name="max_applications_per_lead"),
        CheckConstraint("extra_applications_when_cooperating >= 0", name="extra_applications"),
        CheckConstraint(_in("selection_rule", SELECTION_RULES), name="selection_rule"),
        CheckConstraint("follower_distance_km > 0 AND follower_distance_km <= 300",
                        name="follower_distance_km"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    year: Mapped[int] = mapped_column(Integer)
    call_type: Mapped[str] = mapped_column(String(20), default="experiment")
    total_budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_grant_cents: Mapped[int | None] = mapped_column(BigInteger)
    min_grant_cents: Mapped[int | None] = mapped_column(BigInteger)
    max_subsidy_pct: Mapped[float | None] = mapped_column(Float)
    min_cofinancing_pct: Mapped[float | None] = mapped_column(Float)
    allowed_domains: Mapped[list | None] = mapped_column(JSON)
    min_local_governments: Mapped[int | None] = mapped_column(Integer)
    lead_rule: Mapped[str] = mapped_column(String(40), default="municipalities_and_vgc")
    max_applications_per_lead: Mapped[int | None] = mapped_column(Integer)
    extra_applications_when_cooperating: Mapped[int] = mapped_column(Integer, default=0)
    oslo_required: Mapped[bool] = mapped_column(Boolean, default=False)
    vloca_required: Mapped[bool] = mapped_column(Boolean, default=False)
    #: km; a follower farther from every consortium member (no shared project) counts reduced.
    follower_distance_km: Mapped[float] = mapped_column(Float, default=30.0, server_default="30")
    #: The scoring page folds the indicators until the juror saved a first draft (anchoring).
    indicators_folded: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    deadline: Mapped[date | None] = mapped_column(Date)
    pre_registration_deadline: Mapped[date | None] = mapped_column(Date)
    preset: Mapped[str | None] = mapped_column(String(40))
    #: [{"field", "source", "note", "interpretation"}] as evaluation.calls.SourceNote.to_dict().
    sources: Mapped[list] = mapped_column(JSON, default=list)
    #: Rules the sources state that are not checked, with the reason (texts).
    not_checked: Mapped[list] = mapped_column(JSON, default=list)
    #: Demo data from ``flask seed --demo``; never a real call.
    is_demo: Mapped[bool] = mapped_column(Boolean, default=False)
    #: One of evaluation.phases.PHASES (no CHECK: the list lives in one place, see 0005).
    phase: Mapped[str] = mapped_column(String(30), default="draft", server_default="draft")
    phase_changed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: When the call moved to ``closed`` (retention of personal data counts from here).
    closed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: Which selection publication uses: ``rank-order`` (default) or ``optimal``.
    selection_rule: Mapped[str] = mapped_column(String(20), default="rank-order",
                                                server_default="rank-order")
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)

    criteria: Mapped[list[Criterion]] = relationship(
        back_populates="call", cascade="all, delete-orphan", order_by="Criterion.position"
    )
    applications: Mapped[list[Application]] = relationship(back_populates="call", order_by="Application.id")


class Criterion(db.Model):
    """A scoring criterion of a call; scores run scale_min..scale_max by scale_step."""

    __tablename__ = "criterion"
    __table_args__ = (
        UniqueConstraint("call_id", "code", name="uq_criterion_call_code"),
        CheckConstraint("weight >= 0", name="weight"),
        CheckConstraint("scale_min < scale_max", name="scale_range"),
        CheckConstraint("scale_step > 0", name="scale_step"),
        CheckConstraint("threshold IS NULL OR (threshold >= scale_min AND threshold <= scale_max)",
                        name="threshold"),
        CheckConstraint("indicator IS NULL OR " + _in("indicator", INDICATOR_NAMES), name="indicator"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(40))
    name_nl: Mapped[str] = mapped_column(String(200))
    name_en: Mapped[str] = mapped_column(String(200))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    weight: Mapped[float] = mapped_column(Float, default=1.0)
    scale_min: Mapped[float] = mapped_column(Float, default=0.0)
    scale_max: Mapped[float] = mapped_column(Float, default=10.0)
    scale_step: Mapped[float] = mapped_column(Float, default=1.0)
    threshold: Mapped[float | None] = mapped_column(Float)
    #: e.g. "content" / "feasibility" (Slim in de Stad); "group" is an SQL keyword.
    group_name: Mapped[str | None] = mapped_column(String(40))
    indicator: Mapped[str | None] = mapped_column(String(20))
    position: Mapped[int] = mapped_column(Integer, default=0)

    call: Mapped[Call] = relationship(back_populates="criteria")


class Application(db.Model):
    """An application to a call. The lead is a municipality or the VGC (``lead_is_vgc``)."""

    __tablename__ = "application"
    __table_args__ = (
        CheckConstraint(_in("status", APPLICATION_STATUSES), name="status"),
        CheckConstraint(_in("origin", APPLICATION_ORIGINS), name="origin"),
        CheckConstraint(
            "(lead_is_vgc AND lead_municipality_id IS NULL) "
            "OR (NOT lead_is_vgc AND lead_municipality_id IS NOT NULL)",
            name="one_lead",
        ),
        CheckConstraint(_money("requested_grant_cents", nullable=False), name="requested_grant"),
        CheckConstraint(_money("total_budget_cents", nullable=False), name="total_budget"),
        CheckConstraint(_money("cofinancing_cents", nullable=False), name="cofinancing"),
        CheckConstraint("requested_grant_cents <= total_budget_cents", name="grant_within_budget"),
        CheckConstraint("requested_grant_cents + cofinancing_cents = total_budget_cents",
                        name="budget_adds_up"),
        CheckConstraint("cofinancing_backed_cents >= 0 AND cofinancing_backed_cents <= cofinancing_cents",
                        name="cofinancing_backed"),
        CheckConstraint(
            "override_eligible IS NULL OR (override_motivation IS NOT NULL "
            "AND length(override_motivation) > 0)",
            name="override_motivated",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("call.id"), index=True)
    lead_municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    lead_is_vgc: Mapped[bool] = mapped_column(Boolean, default=False)
    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    #: Domain codes (matching.registry.DOMAINS), in the order given.
    domains: Mapped[list] = mapped_column(JSON, default=list)
    requested_grant_cents: Mapped[int] = mapped_column(BigInteger)
    total_budget_cents: Mapped[int] = mapped_column(BigInteger)
    cofinancing_cents: Mapped[int] = mapped_column(BigInteger)
    #: Co-financing a budget annex backs or the secretariat confirmed (the indicators count
    #: co-financing above the call's minimum only as far as it is backed).
    cofinancing_backed_cents: Mapped[int] = mapped_column(BigInteger, default=0, server_default="0")
    playbook: Mapped[bool] = mapped_column(Boolean, default=False)
    model_specification: Mapped[bool] = mapped_column(Boolean, default=False)
    open_source: Mapped[bool] = mapped_column(Boolean, default=False)
    open_data: Mapped[bool] = mapped_column(Boolean, default=False)
    oslo_standards: Mapped[list] = mapped_column(JSON, default=list)
    vloca: Mapped[bool] = mapped_column(Boolean, default=False)
    #: {deliverable: link} (evaluation.applications.DELIVERABLE_LINKS): what makes it checkable.
    deliverable_links: Mapped[dict | None] = mapped_column(JSON, default=dict)
    #: Free-text references to earlier projects that are not in the registry (to verify).
    prior_project_references: Mapped[list | None] = mapped_column(JSON, default=list)
    #: Knowledge-sharing commitments, one text each.
    knowledge_sharing: Mapped[list] = mapped_column(JSON, default=list)
    status: Mapped[str] = mapped_column(String(20), default="submitted")
    origin: Mapped[str] = mapped_column(String(20), default="api")
    submitted_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow, onupdate=utcnow)
    #: Admin's override of the automatic eligibility (None = no override), always motivated.
    override_eligible: Mapped[bool | None] = mapped_column(Boolean)
    override_motivation: Mapped[str | None] = mapped_column(Text)
    override_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    override_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    #: SHA-256 of the receipt (evaluation.submission.receipt_hash) and what it covered.
    receipt_sha256: Mapped[str | None] = mapped_column(String(64))
    receipt_content: Mapped[dict | None] = mapped_column(JSON)
    withdrawn_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))

    call: Mapped[Call] = relationship(back_populates="applications")
    lead_municipality: Mapped[Municipality | None] = relationship()
    created_by: Mapped[User | None] = relationship(foreign_keys=[created_by_id])
    override_by: Mapped[User | None] = relationship(foreign_keys=[override_by_id])
    partners: Mapped[list[ApplicationPartner]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationPartner.position"
    )
    followers: Mapped[list[ApplicationFollower]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationFollower.position"
    )
    prior_projects: Mapped[list[ApplicationPriorProject]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationPriorProject.position",
    )
    documents: Mapped[list[ApplicationDocument]] = relationship(
        back_populates="application", cascade="all, delete-orphan", order_by="ApplicationDocument.id",
    )
    amendments: Mapped[list[ApplicationAmendment]] = relationship(
        back_populates="application", cascade="all, delete-orphan",
        order_by="ApplicationAmendment.id",
    )

    @property
    def lead_code(self) -> str:
        """REFNIS of the lead, or ``VGC``."""
        return "VGC" if self.lead_is_vgc else self.lead_municipality.refnis

    def deliverables(self) -> dict:
        return {
            "playbook": self.playbook,
            "model_specification": self.model_specification,
            "open_source": self.open_source,
            "open_data": self.open_data,
            "oslo": list(self.oslo_standards or []),
            "vloca": self.vloca,
            "links": dict(self.deliverable_links or {}),
        }


class ApplicationPartner(db.Model):
    """A consortium partner: a municipality, the VGC or an organisation (exactly one)."""

    __tablename__ = "application_partner"
    __table_args__ = (
        UniqueConstraint("application_id", "municipality_id", name="uq_application_partner_municipality"),
        UniqueConstraint("application_id", "organisation_id", name="uq_application_partner_organisation"),
        CheckConstraint(
            "(CASE WHEN municipality_id IS NULL THEN 0 ELSE 1 END) "
            "+ (CASE WHEN organisation_id IS NULL THEN 0 ELSE 1 END) "
            "+ (CASE WHEN is_vgc THEN 1 ELSE 0 END) = 1",
            name="one_partner",
        ),
        CheckConstraint(
            "organisation_type IS NULL OR " + _in("organisation_type", PARTNER_ORGANISATION_TYPES),
            name="organisation_type",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"))
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisation.id"))
    is_vgc: Mapped[bool] = mapped_column(Boolean, default=False)
    organisation_type: Mapped[str | None] = mapped_column(String(40))
    #: REFNIS of the municipalities an intercommunale declares it represents (None otherwise).
    represents: Mapped[list | None] = mapped_column(JSON)
    position: Mapped[int] = mapped_column(Integer, default=0)

    application: Mapped[Application] = relationship(back_populates="partners")
    municipality: Mapped[Municipality | None] = relationship()
    organisation: Mapped[Organisation | None] = relationship()


class ApplicationFollower(db.Model):
    """A municipality that commits to implement the result (not a consortium member)."""

    __tablename__ = "application_follower"
    __table_args__ = (
        UniqueConstraint("application_id", "municipality_id", name="uq_application_follower_municipality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    #: The secretariat confirmed a letter of intent naming this follower (until the call's
    #: documents hold the letter itself); only then does the follower count in the indicators.
    letter: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    position: Mapped[int] = mapped_column(Integer, default=0)

    application: Mapped[Application] = relationship(back_populates="followers")
    municipality: Mapped[Municipality] = relationship()


class ApplicationPriorProject(db.Model):
    """A prior project the application builds on (evidence for scaling calls, reuse, maturity)."""

    __tablename__ = "application_prior_project"
    __table_args__ = (
        UniqueConstraint("application_id", "project_id", name="uq_application_prior_project"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)

    application: Mapped[Application] = relationship(back_populates="prior_projects")
    project: Mapped[Project] = relationship()


class ApplicationAmendment(db.Model):
    """A change the secretariat recorded after the deadline: the fields (old, new) and why."""

    __tablename__ = "application_amendment"
    __table_args__ = (CheckConstraint("length(motivation) >= 10", name="motivated"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    #: [{"field", "old", "new"}] as evaluation.submission.Change.to_dict().
    changes: Mapped[list] = mapped_column(JSON)
    motivation: Mapped[str] = mapped_column(Text)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="amendments")
    by: Mapped[User | None] = relationship()
    reconfirmations: Mapped[list[ScoreReconfirmation]] = relationship(  # noqa: F821
        back_populates="amendment", cascade="all, delete-orphan", order_by="ScoreReconfirmation.juror_id"
    )


class ApplicationDocument(db.Model):
    """A PDF of an application (proposal, a follower's letter of intent, budget annex).

    The bytes live in the document store under ``sha256`` (app/core/storage.py); the row says what
    they are, who uploaded them and when.
    """

    __tablename__ = "application_document"
    __table_args__ = (
        CheckConstraint(_in("kind", DOCUMENT_KINDS), name="kind"),
        CheckConstraint("size > 0", name="size"),
        CheckConstraint("(kind = 'letter_of_intent') = (refnis IS NOT NULL)", name="letter_names_follower"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    application_id: Mapped[int] = mapped_column(ForeignKey("application.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(30))
    #: The follower a letter of intent comes from (REFNIS); NULL for the other kinds.
    refnis: Mapped[str | None] = mapped_column(String(5))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    size: Mapped[int] = mapped_column(BigInteger)
    pages: Mapped[int] = mapped_column(Integer)
    filename: Mapped[str] = mapped_column(String(255), default="")
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    uploaded_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    application: Mapped[Application] = relationship(back_populates="documents")
    uploaded_by: Mapped[User | None] = relationship()


class DocumentRead(db.Model):
    """A user's first download of a document (the audit records it once per juror)."""

    __tablename__ = "document_read"
    __table_args__ = (UniqueConstraint("document_id", "user_id", name="uq_document_read_document_user"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    document_id: Mapped[int] = mapped_column(ForeignKey("application_document.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"), index=True)
    first_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class EvaluationSnapshot(db.Model):
    """The frozen evaluation of a call (evaluation/snapshot.py): stored at the deadline, read by
    jurors, ranking and summaries, replaced only by the secretariat's audited recomputation.

    ``data`` holds per application the inputs, eligibility and indicators, and the weights and
    registry version they were computed on (``evaluation.snapshot.build_snapshot``).
    """

    __tablename__ = "evaluation_snapshot"

    call_id: Mapped[int] = mapped_column(ForeignKey("call.id", ondelete="CASCADE"), primary_key=True)
    data: Mapped[dict] = mapped_column(JSON)
    #: Why it was stored: ``deadline`` (first read after it), ``closed`` (the phase step) or
    #: ``recomputed`` (the secretariat).
    reason: Mapped[str] = mapped_column(String(20))
    frozen_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))

    call: Mapped[Call] = relationship()
