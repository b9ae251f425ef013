"""What of an application the indicators count, and what they list as "declared, not counted".

A cunning applicant can buy points with declarations nobody checks, so each input counts only
with its evidence (``docs/indicators.md``, "Evidence"):

- a committed follower counts with a letter of intent naming it; beyond the call's follower
  distance of every consortium member, without an earlier project shared with one, it counts
  for ``far_follower_factor`` only and is flagged;
- a prior project counts when a consortium member took part in it and it shares a domain with
  the application;
- a deliverable counts when it links to something checkable; a tick counts nothing;
- co-financing above the call's minimum share counts as far as it is backed (budget annex or
  the secretariat); a bare figure counts up to the minimum share.

Only municipalities of the adoption regions (Flanders) count as members and followers: the 19
Brussels municipalities fall outside Flemish competence (the VGC is the Flemish partner).
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_CEILING, Decimal
from typing import Any

from evaluation.applications import Application, Evidence
from evaluation.indicators.context import IndicatorContext
from evaluation.indicators.weights import KNOWLEDGE_ITEMS, OPENNESS_ITEMS
from matching.registry import Project

#: counted: letter and near (or tied); reduced: letter, far and untied; declared: no letter;
#: outside: not a Flemish municipality (Brussels, unknown).
FOLLOWER_STATUSES: tuple[str, ...] = ("counted", "reduced", "declared", "outside")

#: Why a prior project counts or not.
PRIOR_REASONS: tuple[str, ...] = (
    "counted",
    "not_in_registry",
    "no_consortium_member",
    "no_shared_domain",
)


@dataclass(frozen=True)
class FollowerEvidence:
    """One committed follower: whether and how much it counts (``factor``), and why.

    ``distance_km``: to the nearest consortium member; ``prior_tie``: it took part in a
    registry project with a consortium member; ``would_add``: leverage + scalability points a
    letter of intent would add (for a follower without one; None otherwise).
    """

    refnis: str
    name: str
    status: str
    factor: float
    distance_km: float | None
    prior_tie: bool
    letter: Evidence | None
    would_add: float | None = None

    def to_dict(self) -> dict[str, Any]:
        return {
            "refnis": self.refnis,
            "name": self.name,
            "status": self.status,
            "factor": self.factor,
            "distance_km": None if self.distance_km is None else round(self.distance_km, 1),
            "far": self.status == "reduced",
            "prior_tie": self.prior_tie,
            "letter": None if self.letter is None else self.letter.to_dict(),
            "would_add": None if self.would_add is None else round(self.would_add, 2),
        }


@dataclass(frozen=True)
class PriorProjectEvidence:
    """One prior project the application cites; ``reason`` in :data:`PRIOR_REASONS`."""

    project_id: int
    title: str | None
    reason: str

    @property
    def counted(self) -> bool:
        return self.reason == "counted"

    def to_dict(self) -> dict[str, Any]:
        return {
            "project_id": self.project_id,
            "title": self.title,
            "counted": self.counted,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class DeliverableEvidence:
    """One deliverable: ticked by the applicant, its checkable link, whether it counts."""

    item: str
    ticked: bool
    link: str | None

    @property
    def counted(self) -> bool:
        return self.link is not None

    def to_dict(self) -> dict[str, Any]:
        return {"item": self.item, "ticked": self.ticked, "link": self.link, "counted": self.counted}


@dataclass(frozen=True)
class CofinancingEvidence:
    """Co-financing in cents: declared, backed, the call's minimum (exact, rounded up to the
    cent) and what counts: ``min(declared, max(minimum, backed))``."""

    total_budget_cents: int
    declared_cents: int
    backed_cents: int
    minimum_cents: int
    counted_cents: int

    @property
    def share_above_minimum(self) -> float:
        """Counted co-financing above the minimum, as a share of the total budget (0..1)."""
        if self.total_budget_cents <= 0:
            return 0.0
        return max(0, self.counted_cents - self.minimum_cents) / self.total_budget_cents

    def to_dict(self) -> dict[str, Any]:
        return {
            "total_budget_cents": self.total_budget_cents,
            "declared_cents": self.declared_cents,
            "backed_cents": self.backed_cents,
            "minimum_cents": self.minimum_cents,
            "counted_cents": self.counted_cents,
            "share_above_minimum": round(self.share_above_minimum, 4),
        }


@dataclass(frozen=True)
class EvidenceSummary:
    """Everything the indicators counted for one application, and what they did not."""

    members: tuple[str, ...]
    anchors: tuple[str, ...]
    followers: tuple[FollowerEvidence, ...]
    prior_projects: tuple[PriorProjectEvidence, ...]
    prior_project_references: tuple[str, ...]
    openness: tuple[DeliverableEvidence, ...]
    knowledge: tuple[DeliverableEvidence, ...]
    cofinancing: CofinancingEvidence
    follower_distance_km: float

    def counted_followers(self) -> tuple[FollowerEvidence, ...]:
        return tuple(f for f in self.followers if f.factor > 0)

    def counted_projects(self, ctx: IndicatorContext) -> list[Project]:
        return [ctx.projects[p.project_id] for p in self.prior_projects if p.counted]

    def to_dict(self) -> dict[str, Any]:
        return {
            "members": list(self.members),
            "follower_distance_km": self.follower_distance_km,
            "followers": [f.to_dict() for f in self.followers],
            "prior_projects": [p.to_dict() for p in self.prior_projects],
            "prior_project_references": list(self.prior_project_references),
            "deliverables": [d.to_dict() for d in self.openness + self.knowledge],
            "cofinancing": self.cofinancing.to_dict(),
        }


def minimum_cofinancing_cents(total_budget_cents: int, min_pct: float | None) -> int:
    """The call's minimum co-financing in cents, exact: ``ceil(min_pct / 100 × total)``."""
    if min_pct is None or total_budget_cents <= 0:
        return 0
    exact = Decimal(str(min_pct)) * total_budget_cents / 100
    return int(exact.to_integral_value(rounding=ROUND_CEILING))


def _followers(
    app: Application, ctx: IndicatorContext, anchors: tuple[str, ...]
) -> tuple[FollowerEvidence, ...]:
    w = ctx.weights
    consortium = app.local_governments
    out = []
    for r in app.committed_followers:
        m = ctx.municipalities.get(r)
        name = m.name_nl if m else r
        letter = app.follower_letters.get(r)
        distance = ctx.nearest_km(r, anchors)
        tie = ctx.tied(r, consortium)
        if not ctx.counts(r):
            status, factor = "outside", 0.0
        elif letter is None:
            status, factor = "declared", 0.0
        elif (distance is None or distance > ctx.follower_distance_km) and not tie:
            status, factor = "reduced", w.far_follower_factor
        else:
            status, factor = "counted", 1.0
        out.append(FollowerEvidence(r, name, status, factor, distance, tie, letter))
    return tuple(out)


def _prior(app: Application, ctx: IndicatorContext) -> tuple[PriorProjectEvidence, ...]:
    consortium = set(app.local_governments)
    out = []
    for pid in app.prior_projects:
        project = ctx.projects.get(pid)
        if project is None:
            out.append(PriorProjectEvidence(pid, None, "not_in_registry"))
        elif not consortium & ctx.participants.get(pid, frozenset()):
            out.append(PriorProjectEvidence(pid, project.title, "no_consortium_member"))
        elif not set(project.domains) & set(app.domains):
            out.append(PriorProjectEvidence(pid, project.title, "no_shared_domain"))
        else:
            out.append(PriorProjectEvidence(pid, project.title, "counted"))
    return tuple(out)


def _deliverables(app: Application) -> tuple[tuple[DeliverableEvidence, ...], ...]:
    d = app.deliverables
    specs = d.oslo_specifications
    ticks = {
        "oslo": bool(d.oslo),
        "vloca": d.vloca,
        "open_source": d.open_source,
        "open_data": d.open_data,
        "playbook": d.playbook,
        "model_specification": d.model_specification,
    }
    openness = tuple(
        DeliverableEvidence(
            item,
            ticks[item],
            (specs[0] if specs else None) if item == "oslo" else d.link(item),
        )
        for item in OPENNESS_ITEMS
    )
    knowledge = tuple(
        DeliverableEvidence(item, ticks.get(item, False), d.link(item)) for item in KNOWLEDGE_ITEMS
    )
    return openness, knowledge


def _cofinancing(app: Application, ctx: IndicatorContext) -> CofinancingEvidence:
    total, declared = app.total_budget_cents, app.own_financing_cents
    minimum = minimum_cofinancing_cents(total, ctx.min_cofinancing_pct)
    backed = min(app.cofinancing_backed_cents, declared)
    counted = min(declared, max(minimum, backed))
    return CofinancingEvidence(total, declared, backed, minimum, counted)


def weigh_evidence(app: Application, ctx: IndicatorContext) -> EvidenceSummary:
    """What counts of ``app`` in the call of ``ctx`` (see the module docstring)."""
    members = tuple(r for r in app.local_governments if ctx.counts(r))
    anchors = tuple(r for r in app.local_governments if ctx.counts(r) or r in ctx.stand_ins)
    openness, knowledge = _deliverables(app)
    return EvidenceSummary(
        members=members,
        anchors=anchors,
        followers=_followers(app, ctx, anchors),
        prior_projects=_prior(app, ctx),
        prior_project_references=app.prior_project_references,
        openness=openness,
        knowledge=knowledge,
        cofinancing=_cofinancing(app, ctx),
        follower_distance_km=ctx.follower_distance_km,
    )
