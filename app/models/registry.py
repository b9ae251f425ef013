"""Registry tables: municipalities, domains, organisations, prior projects and participations."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Integer,
    String,
    Table,
    Text,
    UniqueConstraint,
    false,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.core.extensions import db
from app.core.limits import YEAR_MAX, YEAR_MIN

REGIONS = ("flanders", "brussels")
PROVINCES = ("antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen")
PROGRAMMES = (
    "city-of-things-2017",
    "city-of-things-2019",
    "city-of-things-2020",
    "city-of-things-2021",
    "city-of-things-2022",
    "city-of-things-2023",
    "slim-in-de-stad",
    "smart-flanders",
    "efro",
    "horizon-2020",
    "other",
    "interreg",
    "urban-renewal-2020",
    "municipal-initiative",
    "not-stated",
)
PROJECT_STATUSES = ("planned", "running", "completed", "stopped", "unknown")
PARTICIPATION_ROLES = ("lead", "partner", "follower", "adopter")
#: Evidence levels, strongest first (matching.registry.EVIDENCE_LEVELS; docs/matching.md).
EVIDENCE_LEVELS = ("verified", "source-stated", "source-classified", "declared")
#: Review of a declared participation by the secretariat.
REVIEW_STATUSES = ("pending", "verified", "rejected")
DOMAIN_BASES = ("stated", "classified")
#: A municipality's interest in a domain (city self-service).
INTERESTS = ("lead", "follow", "not_now")
ORGANISATION_TYPES = (
    "intercommunale",
    "province",
    "knowledge_institution",
    "company",
    "vvsg",
    "flemish_government",
)


def utcnow() -> datetime:
    return datetime.now(UTC)


def _in(column: str, values: tuple[str, ...]) -> str:
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


class Municipality(db.Model):
    """A municipality by REFNIS code; merged-away ones keep their code and point to a successor."""

    __tablename__ = "municipality"
    __table_args__ = (
        CheckConstraint("length(refnis) = 5", name="refnis_length"),
        CheckConstraint(_in("region", REGIONS), name="region"),
        CheckConstraint("population IS NULL OR population >= 0", name="population"),
        CheckConstraint("latitude IS NULL OR (latitude BETWEEN -90 AND 90)", name="latitude"),
        CheckConstraint("longitude IS NULL OR (longitude BETWEEN -180 AND 180)", name="longitude"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    refnis: Mapped[str] = mapped_column(String(5), unique=True)
    name_nl: Mapped[str] = mapped_column(String(120))
    name_fr: Mapped[str | None] = mapped_column(String(120))
    name_search: Mapped[str] = mapped_column(String(255), index=True)
    province: Mapped[str | None] = mapped_column(String(40), index=True)
    province_refnis: Mapped[str | None] = mapped_column(String(5))
    region: Mapped[str] = mapped_column(String(20), index=True)
    is_centrumstad: Mapped[bool] = mapped_column(Boolean, default=False)
    population: Mapped[int | None] = mapped_column(Integer)
    population_source: Mapped[str | None] = mapped_column(Text)
    population_date: Mapped[date | None] = mapped_column(Date)
    """Reference date of ``population`` (Statbel: 2020-01-01)."""
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    coordinates_source: Mapped[str | None] = mapped_column(Text)
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("municipality.id"), index=True)
    merged_on: Mapped[date | None] = mapped_column(Date)

    merged_into: Mapped[Municipality | None] = relationship(
        remote_side="Municipality.id", back_populates="predecessors"
    )
    predecessors: Mapped[list[Municipality]] = relationship(back_populates="merged_into")
    participations: Mapped[list[Participation]] = relationship(back_populates="municipality")

    @property
    def is_current(self) -> bool:
        return self.merged_into_id is None

    def current(self) -> Municipality:
        """Follow ``merged_into`` to today's municipality."""
        m = self
        seen = set()
        while m.merged_into is not None and m.id not in seen:
            seen.add(m.id)
            m = m.merged_into
        return m


class Domain(db.Model):
    """One of the six smart-city focus domains."""

    __tablename__ = "domain"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(20), unique=True)
    name_nl: Mapped[str] = mapped_column(String(80))
    name_en: Mapped[str] = mapped_column(String(80))
    description_nl: Mapped[str] = mapped_column(Text, default="")
    description_en: Mapped[str] = mapped_column(Text, default="")
    position: Mapped[int] = mapped_column(Integer, default=0)
    source_ref: Mapped[str | None] = mapped_column(Text)


class Organisation(db.Model):
    """A non-municipal partner (intercommunale, province, knowledge institution, ...)."""

    __tablename__ = "organisation"
    __table_args__ = (CheckConstraint(_in("type", ORGANISATION_TYPES), name="type"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    type: Mapped[str] = mapped_column(String(40))
    source_ref: Mapped[str | None] = mapped_column(Text)


project_domain = Table(
    "project_domain",
    db.metadata,
    Column("project_id", ForeignKey("project.id", ondelete="CASCADE"), primary_key=True),
    Column("domain_id", ForeignKey("domain.id", ondelete="RESTRICT"), primary_key=True),
)


class Project(db.Model):
    """A prior smart-city project. Money in euro cents."""

    __tablename__ = "project"
    __table_args__ = (
        CheckConstraint(_in("programme", PROGRAMMES), name="programme"),
        CheckConstraint(_in("status", PROJECT_STATUSES), name="status"),
        CheckConstraint(f"year BETWEEN {YEAR_MIN} AND {YEAR_MAX}", name="year"),
        CheckConstraint("grant_cents IS NULL OR grant_cents >= 0", name="grant"),
        CheckConstraint("total_budget_cents IS NULL OR total_budget_cents >= 0", name="budget"),
        CheckConstraint("domain_basis IS NULL OR " + _in("domain_basis", DOMAIN_BASES),
                        name="domain_basis"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str | None] = mapped_column(String(120), unique=True)
    title: Mapped[str] = mapped_column(String(300))
    title_en: Mapped[str | None] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    programme: Mapped[str] = mapped_column(String(40), index=True)
    programme_note: Mapped[str | None] = mapped_column(Text)
    """The programme as the source words it (kept when the source is unsure of it)."""
    year: Mapped[int] = mapped_column(Integer, index=True)
    grant_cents: Mapped[int | None] = mapped_column(BigInteger)
    total_budget_cents: Mapped[int | None] = mapped_column(BigInteger)
    status: Mapped[str] = mapped_column(String(20), default="unknown")
    playbook: Mapped[bool] = mapped_column(Boolean, default=False)
    model_specification: Mapped[bool] = mapped_column(Boolean, default=False)
    open_source: Mapped[bool] = mapped_column(Boolean, default=False)
    open_data: Mapped[bool] = mapped_column(Boolean, default=False)
    oslo_standards: Mapped[list] = mapped_column(JSON, default=list)
    vloca: Mapped[bool] = mapped_column(Boolean, default=False)
    source_ref: Mapped[str | None] = mapped_column(Text)
    curated: Mapped[bool] = mapped_column(Boolean, default=False)
    domains_curated: Mapped[bool] = mapped_column(Boolean, default=False)
    domain_basis: Mapped[str | None] = mapped_column(String(20))
    """``stated`` (a source states the domain) or ``classified`` (inferred from the title)."""
    domain_reason: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # Indexed: the registry version (app/registry_data.py) asks for max(updated_at) often.
    updated_at: Mapped[datetime] = mapped_column(
        DateTime(timezone=True), default=utcnow, onupdate=utcnow, index=True
    )

    domains: Mapped[list[Domain]] = relationship(secondary=project_domain, order_by=Domain.position)
    participations: Mapped[list[Participation]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="Participation.id"
    )
    sources: Mapped[list[ProjectSource]] = relationship(
        back_populates="project", cascade="all, delete-orphan", order_by="ProjectSource.position"
    )

    def deliverables(self) -> dict:
        return {
            "playbook": self.playbook,
            "model_specification": self.model_specification,
            "open_source": self.open_source,
            "open_data": self.open_data,
            "oslo": list(self.oslo_standards or []),
            "vloca": self.vloca,
        }


class ProjectSource(db.Model):
    """A public source of a project: a page (url) or a citation (seed lines), with its date."""

    __tablename__ = "project_source"
    __table_args__ = (CheckConstraint("url IS NOT NULL OR citation IS NOT NULL", name="cited"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str | None] = mapped_column(Text)
    citation: Mapped[str | None] = mapped_column(Text)
    source_date: Mapped[str | None] = mapped_column(String(10))
    """ISO date, possibly partial ("2022-04", "2023"), as precise as the source."""
    note: Mapped[str | None] = mapped_column(Text)

    project: Mapped[Project] = relationship(back_populates="sources")


class Participation(db.Model):
    """A municipality's role in a project, as recorded (possibly a merged-away municipality),
    with its evidence level and, for a city's declaration, the secretariat's review."""

    __tablename__ = "participation"
    __table_args__ = (
        CheckConstraint(_in("role", PARTICIPATION_ROLES), name="role"),
        CheckConstraint(_in("evidence_level", EVIDENCE_LEVELS), name="evidence_level"),
        CheckConstraint("review_status IS NULL OR " + _in("review_status", REVIEW_STATUSES),
                        name="review_status"),
        UniqueConstraint("project_id", "municipality_id", name="uq_participation_project_municipality"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    project_id: Mapped[int] = mapped_column(ForeignKey("project.id", ondelete="CASCADE"), index=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"), index=True)
    role: Mapped[str] = mapped_column(String(20))
    evidence_level: Mapped[str] = mapped_column(String(20), default="verified",
                                                server_default="verified")
    source_id: Mapped[int | None] = mapped_column(
        ForeignKey("project_source.id", ondelete="SET NULL"))
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    review_status: Mapped[str | None] = mapped_column(String(20), index=True)
    """None (not a declaration), ``pending``, ``verified`` or ``rejected``."""
    reviewed_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    review_note: Mapped[str | None] = mapped_column(Text)
    """The secretariat's motivation of a verification or rejection."""
    promised: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())
    """A follower committed in a funded application that has not implemented the result yet
    (app/followup): listed with the project, not counted in experience, because a promise is no
    evidence of adoption. An implemented adoption turns it into an ``adopter``."""

    project: Mapped[Project] = relationship(back_populates="participations")
    municipality: Mapped[Municipality] = relationship(back_populates="participations")
    source: Mapped[ProjectSource | None] = relationship()


class DomainInterest(db.Model):
    """A municipality's declared interest in a domain: wants to lead, to follow, or not now."""

    __tablename__ = "domain_interest"
    __table_args__ = (
        CheckConstraint(_in("interest", INTERESTS), name="interest"),
        UniqueConstraint("municipality_id", "domain_id",
                         name="uq_domain_interest_municipality_domain"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    municipality_id: Mapped[int] = mapped_column(ForeignKey("municipality.id"))
    domain_id: Mapped[int] = mapped_column(ForeignKey("domain.id"))
    interest: Mapped[str] = mapped_column(String(20))
    declared_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"))
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow,
                                                 onupdate=utcnow)

    municipality: Mapped[Municipality] = relationship()
    domain: Mapped[Domain] = relationship()


class SeedTombstone(db.Model):
    """Key of a seeded project an admin deleted, so a re-seed does not bring it back."""

    __tablename__ = "seed_tombstone"

    key: Mapped[str] = mapped_column(String(120), primary_key=True)
    deleted_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
