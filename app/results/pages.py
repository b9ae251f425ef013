"""The chair's pages (consensus; ranking and selection; publication), the audit page, and the
evaluation summary a city reads once the results are published."""

from __future__ import annotations

from types import SimpleNamespace
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import login_required
from marshmallow import ValidationError
from sqlalchemy import func, select

from app.calls import service_evaluation as evaluations
from app.calls.pages import _call_or_404
from app.core.audit import verify_audit
from app.core.extensions import db
from app.core.formatting import parse_euro
from app.core.limits import valid_id
from app.core.problems import Problem
from app.core.web import add_errors, admin_required, bp, page_user
from app.jury import service as jury
from app.jury import service_access as access
from app.jury import service_assignments as assignments
from app.jury import service_scores as scores
from app.jury.pages import render
from app.models import Application, AuditEntry, CallJurySettings, Score
from app.results import service as results
from app.results import wording as _wording  # noqa: F401  (template globals)
from app.results.schemas import SelectionInSchema
from evaluation import money

#: Bins of a score distribution chart at most; a finer scale is grouped into this many.
MAX_BINS = 21


def histogram(values: list[float], lo: float, hi: float, step: float) -> list[dict[str, Any]]:
    """Counts of the scores per step of the scale (grouped when the scale has many steps)."""
    n_steps = int(round((hi - lo) / step)) + 1
    width = max(1, -(-n_steps // MAX_BINS))  # steps per bin, rounded up
    bins = []
    for k in range(0, n_steps, width):
        start = lo + k * step
        end = lo + min(k + width - 1, n_steps - 1) * step
        count = sum(1 for v in values if start - 1e-9 <= v <= end + 1e-9)
        bins.append({"start": start, "end": end, "count": count})
    return bins


# --------------------------------------------------------------------------------------------
# Consensus


def _consensus_context(call) -> dict[str, Any]:
    apps = jury.jury_applications(call)
    agg = results.build_aggregation(call, apps)
    titles = {a.id: a.title for a in apps}
    criteria = {c.code: c for c in call.criteria}
    consensus = {(c.application_id, c.criterion.code): c for c in results.consensus_rows(call)}
    pairs = assignments.current_pairs(call)
    motivations: dict[tuple[int, str], list[dict[str, Any]]] = {}
    stmt = select(Score).join(Application, Score.application_id == Application.id).where(
        Application.call_id == call.id, Score.status == "submitted").order_by(Score.juror_id)
    for s in db.session.scalars(stmt):
        if (s.application_id, s.juror_id) in pairs:
            motivations.setdefault((s.application_id, s.criterion.code), []).append(
                {"juror": s.juror_id, "email": s.juror.user.email,
                 "score": scores.number(s.score), "motivation": s.motivation})
    flagged = list(agg.disagreements())
    flagged_keys = {(s.application_id, s.criterion) for s in flagged}
    rest = [s for s in agg.summaries if (s.application_id, s.criterion) not in flagged_keys]
    distributions = []
    for code, c in criteria.items():
        values = [j.score for s in agg.summaries if s.criterion == code for j in s.scores]
        distributions.append({"criterion": c, "bins": histogram(values, c.scale_min, c.scale_max,
                                                                c.scale_step),
                              "n": len(values)})
    agreement = {a.criterion: a for a in agg.agreement}
    scored = {(s.application_id, s.criterion) for s in agg.summaries}
    missing = [SimpleNamespace(application_id=a.id, criterion=c.code, n=0, disagreement=False,
                               spread=0)
               for a in apps for c in call.criteria if (a.id, c.code) not in scored]
    # The chair sees the advisory indicators on each criterion's scale (jurors see them only
    # after a first draft when the call folds them, against anchoring).
    evaluation = evaluations.CallEvaluation(call)
    indicator_on_scale = {(a.id, code): value for a in apps
                          for code, value in evaluation.indicators(a).on_scales(evaluation.criteria).items()}
    return {"call": call, "flagged": flagged, "rest": rest, "titles": titles,
            "indicator_on_scale": indicator_on_scale,
            "criteria": criteria, "consensus": consensus, "motivations": motivations,
            "distributions": distributions, "agreement": agreement,
            "limits": agg.disagreement_spread, "missing": missing,
            "published": jury.is_published(call.id)}


def _consensus_page(call, errors=None, values=None, status=200):
    return render("jury/consensus.html", status, errors=errors or {}, values=values or {},
                  **_consensus_context(call))


@bp.get("/oproepen/<int:call_id>/consensus")
@admin_required
def consensus_page(call_id: int):
    return _consensus_page(_call_or_404(call_id))


@bp.post("/oproepen/<int:call_id>/consensus/<int:application_id>/<string:criterion>")
@admin_required
def consensus_save(call_id: int, application_id: int, criterion: str):
    call = _call_or_404(call_id)
    key = f"{application_id}.{criterion}"
    values = {key: {"score": request.form.get("score", ""),
                    "motivation": request.form.get("motivation", "")}}
    errors: dict[str, list[str]] = {}
    try:
        app = jury.get_call_application(call, application_id)
        crit = scores.get_criterion(app, criterion)
        scores.record_consensus(app, crit, values[key]["score"] or None,
                                values[key]["motivation"], page_user())
        flash(_("Consensus bewaard."), "success")
        return redirect(url_for("web.consensus_page", call_id=call.id) + f"#c-{application_id}-"
                        f"{criterion}")
    except Problem as exc:
        add_errors(errors, exc, prefix=key + ".", default_field="score")
    return _consensus_page(call, errors, values, 400)


# --------------------------------------------------------------------------------------------
# Ranking, selection and publication


def _ranking_page(call, errors=None, values=None, status=200):
    apps = jury.jury_applications(call)
    ranking = results.build_ranking(call, apps)
    settings = db.session.get(CallJurySettings, call.id)
    selection = settings.selection if settings else None
    defaults = {"budget_euro": "", "max_per_domain": "", "max_per_province": ""}
    if selection:
        p = selection["params"]
        defaults = {"budget_euro": money.number_nl(p["budget_cents"] / 100, 2),
                    "max_per_domain": p.get("max_per_domain") or "",
                    "max_per_province": p.get("max_per_province") or ""}
    elif call.total_budget_cents:
        defaults["budget_euro"] = money.number_nl(call.total_budget_cents / 100, 2)
    return render("jury/ranking.html", status, call=call, ranking=ranking,
                  titles={a.id: a.title for a in apps}, selection=selection, settings=settings,
                  errors=errors or {}, values=values or defaults,
                  published=bool(settings and settings.published),
                  criteria=list(call.criteria))


@bp.get("/oproepen/<int:call_id>/rangschikking")
@admin_required
def ranking_page(call_id: int):
    return _ranking_page(_call_or_404(call_id))


@bp.post("/oproepen/<int:call_id>/selectie")
@admin_required
def selection_save(call_id: int):
    call = _call_or_404(call_id)
    values = {k: request.form.get(k, "") for k in ("budget_euro", "max_per_domain",
                                                   "max_per_province")}
    errors: dict[str, list[str]] = {}
    params: dict[str, Any] = {}
    try:
        params["budget_cents"] = parse_euro(values["budget_euro"])
    except ValueError as exc:
        errors["budget_euro"] = [_("mag niet negatief zijn") if "negative" in str(exc) else
                                 _("'%(text)s' is geen bedrag in euro, bv. 199.720,02", text=values["budget_euro"])]
    for key in ("max_per_domain", "max_per_province"):
        text = values[key].strip()
        if text:
            try:
                params[key] = int(text)
            except ValueError:
                errors[key] = [_("Geef een geheel getal.")]
    if not errors:  # the API's schema bounds every number before it reaches the solver
        try:
            params = SelectionInSchema().load(params)
        except ValidationError as exc:
            for field in exc.messages:
                errors["budget_euro" if field == "budget_cents" else field] = [
                    _("Buiten het toegelaten bereik.")]
    if not errors:
        try:
            results.compute_selection(call, page_user(), **params)
            flash(_("Selectie berekend."), "success")
            return redirect(url_for("web.ranking_page", call_id=call.id) + "#selection")
        except Problem as exc:
            add_errors(errors, exc, default_field="selection")
            if "budget_cents" in errors:
                errors["budget_euro"] = errors.pop("budget_cents")
    return _ranking_page(call, errors, values, 400)


@bp.post("/oproepen/<int:call_id>/publiceren")
@admin_required
def publish_results(call_id: int):
    call = _call_or_404(call_id)
    try:
        results.publish(call, page_user())
    except Problem as exc:
        errors: dict[str, list[str]] = {}
        if exc.errors and all(e.get("code") for e in exc.errors):
            titles = {a.id: a.title for a in jury.jury_applications(call)}
            names = {j.id: j.user.name or j.user.email for j in jury.jurors_of(call)}
            errors["publish"] = [_wording.blocker_text(e, titles, list(call.criteria), names)
                                 for e in exc.errors]
        else:
            add_errors(errors, exc, default_field="publish")
            errors = {"publish": [m for k in list(errors) for m in errors.pop(k)]}
        return _ranking_page(call, errors, None, exc.status)
    flash(_("De resultaten zijn gepubliceerd. De indieners kunnen hun evaluatie nu lezen."),
          "success")
    return redirect(url_for("web.ranking_page", call_id=call.id))


# --------------------------------------------------------------------------------------------
# Audit


@bp.get("/audit")
@admin_required
def audit_page():
    page = max(1, request.args.get("page", 1, type=int) or 1)
    action = (request.args.get("action") or "").strip()[:60]
    per_page = 50
    stmt = select(AuditEntry)
    if action:
        stmt = stmt.where(AuditEntry.action == action)
    total = db.session.scalar(select(func.count()).select_from(stmt.subquery()))
    entries = list(db.session.scalars(stmt.order_by(AuditEntry.id.desc())
                                      .offset((page - 1) * per_page).limit(per_page)))
    actions = list(db.session.scalars(select(AuditEntry.action).distinct()
                                      .order_by(AuditEntry.action)))
    return render("jury/audit.html", report=verify_audit(), entries=entries, total=total,
                  page=page, per_page=per_page, action=action, actions=actions)


# --------------------------------------------------------------------------------------------
# Evaluation summary


@bp.get("/aanvragen/<int:application_id>/evaluatie")
@login_required
def summary_page(application_id: int):
    app = db.session.get(Application, application_id) if valid_id(application_id) else None
    if app is None:
        abort(404)
    try:
        access.require_summary(page_user(), app)
    except Problem as exc:
        abort(exc.status)
    return render("jury/summary.html", s=results.application_summary(app), a=app, call=app.call)
