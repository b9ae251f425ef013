"""The jury's results of a call: aggregation, ranking, funding selection, publication, summaries.

Thin glue between the tables and the pure modules (``evaluation.aggregation``, ``.ranking``,
``.selection``). What counts:

* only **submitted** scores of a juror who is *currently* assigned to the application and has no
  conflict with it (a withdrawn juror's scores stay on record but no longer count);
* the chair's **consensus** where recorded, else the mean of those scores (provisional);
* only the applications the jury reviews (:func:`app.jury.service.jury_applications`).

The last funding selection is stored with its parameters; publishing checks that it still
matches the scores (else 409: compute it again) and freezes the jury's work.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from sqlalchemy import select

from app.calls.service import criterion_from_row
from app.core.audit import record_audit
from app.core.extensions import db
from app.core.problems import Problem, validation_problem
from app.core.transaction import transactional
from app.jury.service import (
    applications_of,
    call_conflicts,
    ensure_not_published,
    get_settings,
    jury_applications,
)
from app.jury.service_assignments import current_pairs
from app.models import Application, Call, CallJuror, CallJurySettings, Consensus, Criterion, Score
from app.models.registry import utcnow
from evaluation import scoring
from evaluation.aggregation import Aggregation, SubmittedScore, aggregate
from evaluation.calls import VGC_NAME
from evaluation.publication import Blocker, publication_blockers
from evaluation.ranking import (
    Candidate,
    InvalidTieBreak,
    Ranking,
    parse_tie_break,
    rank_applications,
)
from evaluation.scoring import InvalidCriterion
from evaluation.selection import InvalidSelection, select_funding
from evaluation.selection_result import Selection

#: Default disagreement threshold when the call sets none: this fraction of each criterion's
#: scale range (0-10 scale: a spread above 3 points). Our own choice, not from the sources: a
#: third of the scale is where two jurors read the application differently, not just strictly.
DEFAULT_DISAGREEMENT_FRACTION = 0.3


def pure_criteria(call: Call) -> list[scoring.Criterion]:
    return [criterion_from_row(c).for_scoring() for c in call.criteria]


def spread_limits(call: Call, settings: CallJurySettings | None = None) -> dict[str, float]:
    """The disagreement threshold per criterion code, in score points."""
    settings = settings or db.session.get(CallJurySettings, call.id)
    if settings is not None and settings.disagreement_spread is not None:
        return {c.code: float(settings.disagreement_spread) for c in call.criteria}
    return {c.code: round(DEFAULT_DISAGREEMENT_FRACTION * (c.scale_max - c.scale_min), 6)
            for c in call.criteria}


def counted_scores(call: Call, apps: list[Application]) -> list[SubmittedScore]:
    """Submitted scores of currently assigned, unconflicted pairs on the jury's applications."""
    app_ids = {a.id for a in apps}
    pairs = current_pairs(call)
    conflicts = call_conflicts(call, applications=applications_of(call))
    stmt = (
        select(Score.application_id, Score.juror_id, Criterion.code, Score.score)
        .join(Criterion, Score.criterion_id == Criterion.id)
        .join(CallJuror, Score.juror_id == CallJuror.id)
        .where(CallJuror.call_id == call.id, Score.status == "submitted")
    )
    out = []
    for a, j, code, value in db.session.execute(stmt):
        if a in app_ids and (a, j) in pairs and (a, j) not in conflicts:
            out.append(SubmittedScore(a, j, code, float(value)))
    return out


def consensus_rows(call: Call) -> list[Consensus]:
    stmt = (
        select(Consensus)
        .join(Application, Consensus.application_id == Application.id)
        .where(Application.call_id == call.id)
        .order_by(Consensus.application_id, Consensus.criterion_id)
    )
    return list(db.session.scalars(stmt))


def consensus_map(call: Call) -> dict[tuple[int, str], Decimal]:
    return {(c.application_id, c.criterion.code): c.score for c in consensus_rows(call)}


def build_aggregation(call: Call, apps: list[Application] | None = None) -> Aggregation:
    apps = jury_applications(call) if apps is None else apps
    return aggregate(counted_scores(call, apps), pure_criteria(call),
                     disagreement_spread=spread_limits(call))


def candidate_of(app: Application) -> Candidate:
    province = app.lead_municipality.province if app.lead_municipality is not None else None
    return Candidate(app.id, app.requested_grant_cents, tuple(app.domains or ()), province)


def build_ranking(call: Call, apps: list[Application] | None = None) -> Ranking:
    """The ranking by consensus (else provisional means), with the call's thresholds and rules."""
    apps = jury_applications(call) if apps is None else apps
    settings = db.session.get(CallJurySettings, call.id)
    try:
        return rank_applications(
            [candidate_of(a) for a in apps], pure_criteria(call),
            submitted=counted_scores(call, apps), consensus=consensus_map(call),
            total_threshold=settings.total_threshold if settings else None,
            tie_break=settings.tie_break if settings and settings.tie_break else (),
        )
    except (InvalidTieBreak, InvalidCriterion) as exc:
        raise validation_problem([exc.to_dict()]) from None


def ranking_dict(call: Call, ranking: Ranking, apps: list[Application]) -> dict[str, Any]:
    titles = {a.id: a.title for a in apps}
    out = ranking.to_dict()
    for item in out["items"]:
        item["title"] = titles.get(item["application"])
    return out


def check_tie_break(call: Call, rules: list[str]) -> list[str]:
    try:
        return [str(r) for r in parse_tie_break(rules, pure_criteria(call))]
    except InvalidTieBreak as exc:
        raise validation_problem([exc.to_dict()]) from None


# --------------------------------------------------------------------------------------------
# Selection and publication


def _select(call: Call, ranking: Ranking, params: dict[str, Any]) -> Selection:
    try:
        return select_funding(ranking, budget_cents=params["budget_cents"],
                              max_grant_cents=call.max_grant_cents,
                              max_per_domain=params.get("max_per_domain"),
                              max_per_province=params.get("max_per_province"))
    except InvalidSelection as exc:
        raise validation_problem([exc.to_dict()]) from None


def selection_params(call: Call, budget_cents: int | None, max_per_domain: int | None,
                     max_per_province: int | None) -> dict[str, Any]:
    budget = budget_cents if budget_cents is not None else call.total_budget_cents
    if budget is None:
        raise validation_problem([{
            "field": "budget_cents", "message": "the call has no budget: give budget_cents",
            "message_nl": "de oproep heeft geen budget: geef budget_cents op"}])
    return {"budget_cents": budget, "max_per_domain": max_per_domain,
            "max_per_province": max_per_province}


def selection_dict(sel: Selection, apps: list[Application]) -> dict[str, Any]:
    out = sel.to_dict()
    out["titles"] = {str(a.id): a.title for a in apps}
    return out


@transactional("selection.computed")
def compute_selection(call: Call, actor: Any, *, budget_cents: int | None = None,
                      max_per_domain: int | None = None,
                      max_per_province: int | None = None) -> dict[str, Any]:
    """Exact selection beside the greedy one; stored as the call's current selection and
    audited."""
    ensure_not_published(call)
    params = selection_params(call, budget_cents, max_per_domain, max_per_province)
    apps = jury_applications(call)
    ranking = build_ranking(call, apps)
    if not ranking.items:
        raise Problem(409, "Conflict", "No application of this call is reviewed by the jury yet.",
                      errors=[{"field": "call", "message": "no applications to select",
                               "message_nl": "geen aanvragen om te selecteren"}])
    out = selection_dict(_select(call, ranking, params), apps)
    out["params"] = params
    out["provisional"] = [it.application_id for it in ranking.items if it.provisional]
    out["published"] = published_selection(out, call.selection_rule)
    settings = get_settings(call)
    settings.selection, settings.selection_at = out, utcnow()
    record_audit(actor, "selection.computed", {
        "call": call.id, "params": params, "funded": out["funded"],
        "total_score": out["total_score"], "greedy_funded": out["greedy"]["funded"],
        "provisional": out["provisional"]})
    return out


def published_selection(selection: dict[str, Any], rule: str) -> dict[str, Any]:
    """The part of a stored selection the call publishes under its rule (evaluation.publication):
    the greedy baseline for ``rank-order``, the optimum for ``optimal``."""
    chosen = selection["greedy"] if rule == "rank-order" else selection
    return {"rule": rule, "funded": list(chosen["funded"]), "unfunded": chosen["unfunded"],
            "spent_cents": chosen["spent_cents"], "total_score": chosen["total_score"]}


#: The API field each publication blocker is reported on.
BLOCKER_FIELDS = {"missing_score": "scores", "open_disagreement": "consensus",
                  "unreconfirmed_amendment": "amendments"}


def blockers_of(call: Call, apps: list[Application]) -> tuple[Blocker, ...]:
    """What keeps the call from publication (evaluation.publication.publication_blockers)."""
    from app.calls.service_lifecycle import pending_reconfirmations

    aggregation = build_aggregation(call, apps)
    return publication_blockers(
        applications=[a.id for a in apps],
        criteria=[c.code for c in call.criteria],
        assignments=current_pairs(call),
        submitted=[(s.application_id, s.juror_id, s.criterion) for s in counted_scores(call, apps)],
        disagreements=[(s.application_id, s.criterion) for s in aggregation.disagreements()],
        consensus=list(consensus_map(call)),
        unreconfirmed=pending_reconfirmations(call.id),
    )


def _blocked(blockers: tuple[Blocker, ...]) -> Problem:
    by_code: dict[str, list[int]] = {}
    for b in blockers:
        ids = by_code.setdefault(b.code, [])
        if b.application_id not in ids:
            ids.append(b.application_id)
    what = {"missing_score": ("submitted scores missing on applications", "ontbrekende scores op aanvragen"),
            "open_disagreement": ("disagreements without consensus on applications",
                                  "onenigheid zonder consensus op aanvragen"),
            "unreconfirmed_amendment": ("amended, scores not reconfirmed: applications",
                                        "gewijzigd, scores niet herbevestigd: aanvragen")}
    parts = [f"{what[c][0]} {', '.join(map(str, ids))}" for c, ids in by_code.items()]
    shown = blockers[:50]
    more = f"; and {len(blockers) - len(shown)} more" if len(blockers) > len(shown) else ""
    detail = ("The results cannot be published yet: " + "; ".join(parts) + ". "
              + "; ".join(b.message for b in shown) + more + ".")
    errors = [{"field": BLOCKER_FIELDS[b.code], "code": b.code, "application": b.application_id,
               "juror": b.juror_id, "criterion": b.criterion, "message": b.message,
               "message_nl": b.message_nl} for b in blockers]
    return Problem(409, "Conflict", detail, errors=errors)


@transactional("call.published")
def publish(call: Call, actor: Any) -> dict[str, Any]:
    """Publish the results (409 listing what is missing): every score, consensus and
    reconfirmation in, the stored selection up to date, the call in ``jury`` or ``decided``.

    From ``jury`` the decision is taken in the same action (two audited transitions); the call's
    selection rule says which selection is published.
    """
    from app.calls.service_lifecycle import ensure_decidable, mark_published

    ensure_not_published(call)
    settings = get_settings(call)
    if not settings.selection:
        raise Problem(409, "Conflict", "Compute the funding selection before publishing.",
                      errors=[{"field": "selection", "message": "no selection yet",
                               "message_nl": "nog geen selectie"}])
    apps = jury_applications(call)
    blockers = blockers_of(call, apps)
    if blockers:
        raise _blocked(blockers)
    ranking = build_ranking(call, apps)
    fresh = _select(call, ranking, settings.selection["params"])
    if list(fresh.funded) != list(settings.selection["funded"]) or \
            list(fresh.greedy.funded) != list(settings.selection["greedy"]["funded"]):
        raise Problem(409, "Conflict", "Scores changed since the selection was computed; compute "
                      "the selection again and check it before publishing.",
                      errors=[{"field": "selection", "message": "out of date",
                               "message_nl": "verouderd"}])
    chosen = published_selection(settings.selection, call.selection_rule)
    settings.selection = {**settings.selection, "published": chosen}
    ensure_decidable(call, actor)
    settings.published, settings.published_at = True, utcnow()
    settings.published_by_id = getattr(actor, "id", None)
    mark_published(call, actor)
    record_audit(actor, "call.published", {
        "call": call.id, "rule": chosen["rule"], "funded": chosen["funded"],
        "params": settings.selection["params"],
        "ranking": [{"application": it.application_id, "rank": it.rank, "total": it.total}
                    for it in ranking.items]})
    from app.followup.service import create_funded_projects  # the registry learns (issue 17)

    projects = create_funded_projects(call, actor)
    return {"call": call.id, "published": True, "published_at": settings.published_at.isoformat(),
            "rule": chosen["rule"], "funded": chosen["funded"],
            "projects": [f.project_id for f in projects]}


# --------------------------------------------------------------------------------------------
# Evaluation summary of one application and the call's results table


def _decision(app: Application, settings: CallJurySettings | None, evaluated: bool,
              eligibility: dict[str, Any]) -> dict[str, Any]:
    if not evaluated:
        if app.status != "submitted":
            return {"funded": False, "code": "not_submitted", "reason": "not submitted",
                    "reason_nl": "niet ingediend"}
        if app.override_eligible is False:
            return {"funded": False, "code": "not_eligible",
                    "reason": f"not eligible (secretariat's decision): {app.override_motivation}",
                    "reason_nl": "niet ontvankelijk (beslissing van het secretariaat): "
                                 f"{app.override_motivation}"}
        failed = [r for r in eligibility.get("rules", []) if r.get("status") == "failed"]
        return {"funded": False, "code": "not_eligible",
                "reason": "not eligible: " + "; ".join(r["reason_en"] for r in failed)
                if failed else "not eligible",
                "reason_nl": "niet ontvankelijk: " + "; ".join(r["reason_nl"] for r in failed)
                if failed else "niet ontvankelijk"}
    sel = settings.selection if settings else None
    if not sel:
        return {"funded": None, "code": "pending", "reason": "no funding selection yet",
                "reason_nl": "nog geen selectie"}
    chosen = sel.get("published") or published_selection(sel, app.call.selection_rule)
    if app.id in chosen["funded"]:
        return {"funded": True, "code": "funded", "reason": "funded", "reason_nl": "gefinancierd"}
    for u in chosen["unfunded"]:
        if u["application"] == app.id:
            return {"funded": False, "code": u["code"], "reason": u["reason"],
                    "reason_nl": u["reason_nl"]}
    return {"funded": False, "code": "unknown", "reason": "", "reason_nl": ""}


def application_summary(app: Application) -> dict[str, Any]:
    """Scores per criterion, consensus motivations, indicators, eligibility, decision, reason."""
    from app.calls.service_evaluation import CallEvaluation  # the calls layer; imported late (no cycle)

    call = app.call
    settings = db.session.get(CallJurySettings, call.id)
    evaluation = CallEvaluation(call)
    checked = evaluation.summary(app)
    apps = jury_applications(call)
    evaluated = any(a.id == app.id for a in apps)
    item = None
    motivations: dict[str, list[str]] = {}
    if evaluated:
        ranking = build_ranking(call, apps)
        item = ranking.item(app.id)
        pairs = current_pairs(call)
        for s in db.session.scalars(select(Score).where(Score.application_id == app.id,
                                                        Score.status == "submitted")
                                    .order_by(Score.juror_id)):
            if (app.id, s.juror_id) in pairs:
                motivations.setdefault(s.criterion.code, []).append(s.motivation)
    consensus = {c.criterion.code: c for c in consensus_rows(call) if c.application_id == app.id}
    scores = {s.criterion: s for s in item.scores} if item else {}
    criteria = []
    for c in call.criteria:
        s = scores.get(c.code)
        cons = consensus.get(c.code)
        criteria.append({
            "code": c.code, "name_nl": c.name_nl, "name_en": c.name_en, "weight": c.weight,
            "scale_min": c.scale_min, "scale_max": c.scale_max, "threshold": c.threshold,
            "score": s.score if s else None, "source": s.source if s else None,
            "weighted": s.weighted if s else None,
            "consensus_motivation": cons.motivation if cons else None,
            "juror_motivations": motivations.get(c.code, []),
        })
    lead_name = (VGC_NAME if app.lead_is_vgc
                 else app.lead_municipality.name_nl)
    return {
        "application": {"id": app.id, "title": app.title, "lead": app.lead_code,
                        "lead_name": lead_name, "domains": list(app.domains or []),
                        "requested_grant_cents": app.requested_grant_cents},
        "call": {"id": call.id, "name": call.name, "year": call.year},
        "published": bool(settings and settings.published),
        "published_at": settings.published_at.isoformat()
        if settings and settings.published_at else None,
        "evaluated": evaluated,
        "rank": item.rank if item else None,
        "of": len(apps) if evaluated else None,
        "total": item.total if item else None,
        "fundable": item.fundable if item else False,
        "provisional": item.provisional if item else False,
        "reasons": [r.to_dict() for r in item.reasons] if item else [],
        "criteria": criteria,
        "eligibility": checked["eligibility"],
        "indicators": checked["indicators"],
        "decision": _decision(app, settings, evaluated, checked["eligibility"]),
    }


def results_table(call: Call) -> tuple[list[str], list[dict[str, Any]]]:
    """One row per submitted application: rank, scores, total, decision and its reason."""
    settings = db.session.get(CallJurySettings, call.id)
    apps = jury_applications(call)
    ranking = build_ranking(call, apps)
    by_id = {a.id: a for a in applications_of(call)}
    codes = [c.code for c in call.criteria]
    columns = (["rank", "application", "title", "lead", "requested_grant_cents"]
               + [f"score_{c}" for c in codes]
               + ["total", "provisional", "fundable", "funded", "decision", "reason_nl", "reason"])
    rows = []
    for it in ranking.items:
        a = by_id[it.application_id]
        d = _decision(a, settings, True, {})
        row = {"rank": it.rank, "application": a.id, "title": a.title, "lead": a.lead_code,
               "requested_grant_cents": a.requested_grant_cents}
        for s in it.scores:
            row[f"score_{s.criterion}"] = s.score
        row.update(total=it.total, provisional=it.provisional, fundable=it.fundable,
                   funded=d["funded"], decision=d["code"], reason_nl=d["reason_nl"],
                   reason=d["reason"])
        rows.append(row)
    ranked = {it.application_id for it in ranking.items}
    evaluation = None
    for a in by_id.values():
        if a.id in ranked or a.status != "submitted":
            continue
        from app.calls.service_evaluation import CallEvaluation  # the calls layer; imported late (no cycle)

        evaluation = evaluation or CallEvaluation(call)
        d = _decision(a, settings, False, evaluation.eligibility(a).to_dict())
        rows.append({"rank": None, "application": a.id, "title": a.title, "lead": a.lead_code,
                     "requested_grant_cents": a.requested_grant_cents, "total": None,
                     "provisional": False, "fundable": False, "funded": False,
                     "decision": d["code"], "reason_nl": d["reason_nl"], "reason": d["reason"]})
    return columns, rows

