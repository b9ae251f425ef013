"""The evaluation of a call's applications for the API and the pages: eligibility with reasons,
indicators, the consortium advice and the weight sensitivity (:class:`CallEvaluation`), and the
API form of an application (:func:`application_dict`).

:class:`CallEvaluation` prepares, once per call, what eligibility, indicators, the consortium
advisor and the weight sensitivity need from the registry graph (``app.registry.service``): the
municipalities, experience per (municipality, domain), distances in km, the prior projects and
the TF-IDF index of funded project texts for possible double funding. Reads only: the rows are
written by ``app.calls.service_applications``.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.calls.service import call_from_row, criterion_from_row, invalid_input
from app.calls.service_applications import SIMILAR_LIMIT, application_from_row
from app.core.extensions import db
from app.core.formatting import local_government
from app.core.problems import Problem
from app.models import (
    Application,
    Call,
    User,
)
from app.registry.service import current_graph, current_project_index
from evaluation import applications as ev_apps
from evaluation.advisor import ConsortiumAdvice, advise_followers
from evaluation.calls import VGC_NAME, InvalidInput
from evaluation.eligibility import (
    EligibilityContext,
    EligibilityResult,
    check_eligibility,
)
from evaluation.indicators import IndicatorContext, Indicators, compute_indicators
from evaluation.sensitivity import scores_from_indicators, weight_sensitivity
from evaluation.snapshot import FrozenEligibility, FrozenIndicators, frozen_results
from matching.registry import DOMAINS
from matching.similar import DOUBLE_FUNDING_THRESHOLD, InvalidText

#: How many similar funded projects the double-funding check looks at.


class CallEvaluation:
    """Eligibility, indicators, advice and sensitivity for the applications of one call.

    Built once per request and call from the registry graph; ``submitted`` applications of the
    call are the others a lead's limit counts and the population reach is relative to.

    From the deadline on, eligibility and indicators are read from the call's frozen snapshot
    (app/calls/service_snapshot.py; stored at the first read after the deadline), so they no
    longer move with the registry; ``live=True`` computes them afresh (what the snapshot stores).
    """

    def __init__(self, call_row: Call, rows: Iterable[Application] | None = None, *,
                 live: bool = False):
        from app.calls.service_snapshot import frozen_data  # imports this module

        self.call_row = call_row
        self.snapshot = None if live else frozen_data(call_row)
        self.call = call_from_row(call_row)
        self.criteria = [criterion_from_row(c) for c in call_row.criteria]
        self.graph = current_graph()
        self.index = current_project_index()
        g = self.graph
        self.municipalities = {m.refnis: m for m in g.municipalities}
        self.experience = {
            (m.refnis, d): float(g.experience[di, j])
            for di, d in enumerate(DOMAINS) for j, m in enumerate(g.municipalities)
            if g.experience[di, j] > 0
        }
        if rows is None:
            rows = db.session.scalars(
                select(Application).where(Application.call_id == call_row.id).options(
                    selectinload(Application.partners), selectinload(Application.followers),
                    selectinload(Application.prior_projects)))
        self.rows = list(rows)
        self.pure = {r.id: application_from_row(r) for r in self.rows}
        self.submitted = [self.pure[r.id] for r in self.rows if r.status == "submitted"]
        self._ctx: IndicatorContext | None = None

    def pure_of(self, row: Application) -> ev_apps.Application:
        return self.pure.get(row.id) or application_from_row(row)

    def indicator_context(self) -> IndicatorContext:
        """The call's indicator context (registry, the call's follower distance and minimum
        co-financing), built once: indicators no longer depend on the call's other applications."""
        if self._ctx is None:
            self._ctx = IndicatorContext(
                self.municipalities, distance_km=self.graph.distance_km,
                experience=self.experience, projects=self.graph.projects,
                participants={pid: [r for r, _ in roles]
                              for pid, roles in self.graph.participants.items()},
                follower_distance_km=self.call.follower_distance_km,
                min_cofinancing_pct=self.call.min_cofinancing_pct,
            )
        return self._ctx

    def similar_funded(self, app: ev_apps.Application) -> list[tuple[int, str, float]]:
        text = f"{app.title}\n{app.summary}"
        try:
            hits = self.index.similar_to_text(text, SIMILAR_LIMIT)
        except InvalidText:
            return []
        return [(pid, self.graph.projects[pid].title, score) for pid, score in hits
                if pid in self.graph.projects]

    def _frozen(self, row: Application) -> dict[str, Any] | None:
        """The application's entry in the frozen snapshot (None: evaluated live)."""
        if self.snapshot is None:
            return None
        return self.snapshot["applications"].get(str(row.id))

    def eligibility(self, row: Application) -> EligibilityResult | FrozenEligibility:
        entry = self._frozen(row)
        if entry is not None:
            return frozen_results(entry)[0]
        app = self.pure_of(row)
        others = [a for a in self.submitted if a.lead == app.lead and a.id != app.id]
        when = row.submitted_at.date() if row.submitted_at else date.today()
        ctx = EligibilityContext(
            municipalities=self.municipalities, other_applications_of_lead=others,
            projects=self.graph.projects, similar_funded=self.similar_funded(app),
            double_funding_threshold=DOUBLE_FUNDING_THRESHOLD, submitted_on=when,
        )
        return check_eligibility(self.call, app, ctx)

    def indicators(self, row: Application) -> Indicators | FrozenIndicators:
        entry = self._frozen(row)
        if entry is not None:
            return frozen_results(entry)[1]
        app = self.pure_of(row)
        return compute_indicators(app, self.indicator_context())

    def advice(self, row: Application, *, max_followers: int = 3,
               max_distance_km: float | None = None, include_far: bool = False) -> ConsortiumAdvice:
        """Neighbours first: within the call's follower distance unless ``include_far``."""
        app = self.pure_of(row)
        return advise_followers(app, self.indicator_context(), max_followers=max_followers,
                                max_distance_km=max_distance_km, include_far=include_far)

    def sensitivity(self, top_n: int) -> dict[str, Any]:
        """Weight sensitivity of the ranking by indicators over the submitted applications."""
        indicators = {r.id: self.indicators(r) for r in self.rows if r.status == "submitted"}
        scores, weights = scores_from_indicators(indicators, self.criteria)
        if not weights:
            raise Problem(
                400, "Invalid input", "No criterion of this call is linked to an indicator.",
                errors=[{"field": "criteria", "message": "no criterion linked to an indicator",
                         "message_nl": "geen criterium gekoppeld aan een indicator"}],
            )
        try:
            report = weight_sensitivity(scores, weights, top_n=top_n)
        except InvalidInput as exc:
            raise invalid_input(exc) from None
        out = report.to_dict()
        out["source"] = "indicators"
        out["titles"] = {str(r.id): r.title for r in self.rows if r.status == "submitted"}
        return out

    def summary(self, row: Application, indicators: bool = True) -> dict[str, Any]:
        """Eligibility and indicators of one application as the API shows them; without
        ``indicators`` (folded for a juror who has not scored yet) they are ``None`` and
        ``indicators_folded`` says why."""
        result = self.eligibility(row)
        elig = result.to_dict()
        elig["override"] = override_dict(row)
        elig["final_eligible"] = (row.override_eligible if row.override_eligible is not None
                                  else result.eligible)
        if not indicators:
            return {"eligibility": elig, "indicators": None, "indicators_folded": True}
        return {"eligibility": elig, "indicators": self.indicators(row).to_dict(self.criteria),
                "indicators_folded": False}


def override_dict(row: Application) -> dict[str, Any] | None:
    if row.override_eligible is None:
        return None
    return {
        "eligible": row.override_eligible,
        "motivation": row.override_motivation,
        "by": row.override_by.email if row.override_by else None,
        "at": row.override_at.isoformat() if row.override_at else None,
    }


def application_dict(row: Application, evaluation: CallEvaluation | None = None,
                     viewer: User | None = None) -> dict[str, Any]:
    """The API form of an application; with ``evaluation`` also its eligibility and indicators
    (folded for a ``viewer`` who is a juror without a first draft score on it, see
    :func:`app.jury.service_access.indicators_folded_for`)."""
    from app.calls.service_lifecycle import receipt_of
    from app.jury.service_access import indicators_folded_for

    partners = []
    for p in row.partners:
        government = local_government(p.is_vgc, p.municipality)
        if government is not None:
            partners.append(government)
        else:
            partners.append({"organisation": p.organisation_id, "type": p.organisation_type,
                             "name": p.organisation.name if p.organisation else None,
                             **({"represents": list(p.represents)} if p.represents else {})})
    d: dict[str, Any] = {
        "id": row.id,
        "call_id": row.call_id,
        "lead": row.lead_code,
        "lead_name": VGC_NAME if row.lead_is_vgc else row.lead_municipality.name_nl,
        "partners": partners,
        "domains": list(row.domains or []),
        "title": row.title,
        "summary": row.summary,
        "requested_grant_cents": row.requested_grant_cents,
        "total_budget_cents": row.total_budget_cents,
        "cofinancing_cents": row.cofinancing_cents,
        "deliverables": row.deliverables(),
        "prior_projects": [pp.project_id for pp in row.prior_projects],
        "committed_followers": [f.municipality.refnis for f in row.followers],
        "follower_letters": [f.municipality.refnis for f in row.followers if f.letter],
        "cofinancing_backed_cents": row.cofinancing_backed_cents or 0,
        "knowledge_sharing": list(row.knowledge_sharing or []),
        "prior_project_references": list(row.prior_project_references or []),
        "status": row.status,
        "origin": row.origin,
        "submitted_at": row.submitted_at.isoformat() if row.submitted_at else None,
        "receipt": receipt_of(row),
        "withdrawn_at": row.withdrawn_at.isoformat() if row.withdrawn_at else None,
        "amendments": len(row.amendments),
        "created_at": row.created_at.isoformat() if row.created_at else None,
        "updated_at": row.updated_at.isoformat() if row.updated_at else None,
        "override": override_dict(row),
    }
    if evaluation is not None:
        d.update(evaluation.summary(row, indicators=not indicators_folded_for(viewer, row)))
    return d
