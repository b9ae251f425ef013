"""Jury pages: the dashboard, the admin's jury page of a call and the juror's scoring page.

Forms post plain HTML and go through the same functions as the API (``app.jury.service``,
``app.jury.service_scores``), so the rules and messages are the ones of ``evaluation``; an error lands beside
its field (``data-field``). Access follows ``app.jury.service_access``: an application a juror may not score is
a 404 here (it does not exist for them). The consensus, ranking, audit and summary pages are in
``results_pages``.
"""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import login_required
from sqlalchemy import select

from app.calls import service_applications as apps
from app.calls import service_evaluation as evaluations
from app.calls.pages import _call_or_404, _render
from app.core.extensions import db
from app.core.labels import domain_label
from app.core.limits import MIN_SCORE_MOTIVATION, valid_id
from app.core.problems import Problem, validation_problem
from app.core.schemas import load_form
from app.core.web import add_errors, admin_required, bp, nl, page_user
from app.jury import service as jury
from app.jury import service_access as access
from app.jury import service_assignments as assignments
from app.jury import service_scores as scores
from app.jury.schemas import JurySettingsInSchema
from app.models import Application, Call, CallJuror, CallJurySettings, Organisation, Score, User
from evaluation.scoring import to_decimal
from matching.registry import DOMAINS


class _DomainNames:
    """The domain names of the domain table in the UI language (``app.core.labels.domain_label``),
    the one set every page shows; indexable like the dict the templates expect."""

    def __getitem__(self, code: str) -> str:
        return domain_label(code)

    def get(self, code: str, default: str | None = None) -> str:
        return domain_label(code)


DOMAIN_LABELS = _DomainNames()
PROGRESS_LABELS = {"none": _l("niet begonnen"), "draft": _l("concept"),
                   "submitted": _l("ingediend")}


def render(template: str, status: int = 200, **context: Any):
    context.setdefault("domain_labels", DOMAIN_LABELS)
    context.setdefault("progress_labels", PROGRESS_LABELS)
    return _render(template, status, **context)


def score_text(value: Decimal | None) -> str:
    """A stored score for a form field: 7.5 as "7,5" in Dutch, trailing zeros dropped."""
    if value is None:
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text.replace(".", ",") if nl() else text


def progress_of(rows: list[Score]) -> str:
    if rows and all(r.status == "submitted" for r in rows):
        return "submitted"
    return "draft" if rows else "none"


# --------------------------------------------------------------------------------------------
# Dashboard


@bp.get("/jury")
@login_required
def jury_dashboard():
    """Juror: my applications per call, progress, deadline. Admin: every call's jury.
    City: the evaluation summaries of my applications once published."""
    user = page_user()
    if user.role == "juror":
        calls = []
        for juror in db.session.scalars(select(CallJuror).where(CallJuror.user_id == user.id)
                                        .order_by(CallJuror.call_id)):
            call = juror.call
            settings = db.session.get(CallJurySettings, call.id)
            ids = access.visible_application_ids(user, call.id)
            rows = [db.session.get(Application, i) for i in sorted(ids)]
            items = []
            for a in rows:
                mine = scores.scores_of(a, juror)
                items.append({"application": a, "progress": progress_of(mine)})
            done = sum(1 for i in items if i["progress"] == "submitted")
            from app.calls.service_lifecycle import reconfirmations_dict

            calls.append({"call": call, "juror": juror, "settings": settings, "rows": items,
                          "reconfirmations": reconfirmations_dict(call, juror.id),
                          "done": done})
        return render("jury/dashboard_juror.html", calls=calls)
    if user.role == "admin":
        rows = list(db.session.scalars(select(Call).order_by(Call.year.desc(), Call.id)))
        overview = []
        for call in rows:
            settings = db.session.get(CallJurySettings, call.id)
            overview.append({"call": call, "settings": settings,
                             "jurors": len(jury.jurors_of(call)),
                             "assignments": len(assignments.assignment_rows(call))})
        return render("jury/dashboard_admin.html", overview=overview)
    own = [a for a in db.session.scalars(apps.visible_query(user))]
    published = [a for a in own if jury.is_published(a.call_id)]
    return render("jury/dashboard_city.html", published=published, pending=[
        a for a in own if a not in published and a.status == "submitted"])


# --------------------------------------------------------------------------------------------
# The admin's jury page of a call


def jury_candidates(jurors: list[CallJuror]) -> list[User]:
    """The active users with the role juror who are not yet on this call's jury, by name."""
    taken = {j.user_id for j in jurors}
    users = db.session.scalars(select(User).where(User.role == "juror", User.active.is_(True)))
    return sorted((u for u in users if u.id not in taken),
                  key=lambda u: ((u.name or u.email).lower(), u.email))


def _jury_context(call: Call) -> dict[str, Any]:
    jurors = jury.jurors_of(call)
    all_apps = jury.applications_of(call)
    reviewed = jury.jury_applications(call, all_apps)
    conflicts = jury.call_conflicts(call, jurors, all_apps)
    pairs = {(a.application_id, a.juror_id): a for a in assignments.assignment_rows(call)}
    loads: dict[int, int] = {}
    for _a, j in pairs:
        loads[j] = loads.get(j, 0) + 1
    settings = db.session.get(CallJurySettings, call.id)
    scored = assignments.scored_pairs(call)
    return {
        "call": call, "jurors": jurors, "reviewed": reviewed,
        "not_reviewed": [a for a in all_apps if a not in reviewed],
        "conflicts": conflicts, "pairs": pairs, "loads": loads, "scored": scored,
        "settings": settings, "domains": DOMAINS,
        "organisations": list(db.session.scalars(select(Organisation).order_by(Organisation.name))),
        "candidates": jury_candidates(jurors),
        "published": bool(settings and settings.published),
        "reviewers": settings.reviewers_per_application if settings else 3,
        "max_load": settings.max_load if settings else 8,
    }


def _jury_page(call: Call, errors: dict | None = None, values: dict | None = None,
               status: int = 200, result: dict | None = None):
    return render("jury/call_jury.html", status, errors=errors or {}, values=values or {},
                  result=result, **_jury_context(call))


@bp.get("/oproepen/<int:call_id>/jury")
@admin_required
def call_jury(call_id: int):
    return _jury_page(_call_or_404(call_id))


def _int(text: str | None) -> int | None:
    try:
        return int((text or "").strip())
    except ValueError:
        return None


def affiliations_from_form(refnis: str, organisation: str) -> list[dict[str, Any]] | None:
    """Affiliations from the form: REFNIS codes separated by commas or spaces (VGC allowed) and
    an organisation; None when both are empty (the user's own)."""
    codes = [c.upper() if c.upper() == "VGC" else c
             for c in (refnis or "").replace(",", " ").split()]
    out: list[dict[str, Any]] = [{"refnis": c} for c in codes]
    if (organisation or "").strip():
        out.append({"organisation": _int(organisation) or 0})
    return out or None


@bp.post("/oproepen/<int:call_id>/jury/juryleden")
@admin_required
def call_jury_add(call_id: int):
    call = _call_or_404(call_id)
    form = request.form
    values = {"email": form.get("email", ""), "expertise": form.getlist("expertise"),
              "refnis": form.get("refnis", ""), "organisation": form.get("organisation", "")}
    errors: dict[str, list[str]] = {}
    expertise = [d for d in values["expertise"] if d in DOMAINS]
    affiliations = affiliations_from_form(values["refnis"], values["organisation"])
    if not values["email"].strip():
        errors["email"] = [_("Kies een jurylid uit de lijst.")]
    else:
        try:
            jury.add_juror(call, values["email"], expertise, None, page_user(),
                           affiliations=affiliations)
            flash(_("Jurylid toegevoegd."), "success")
            return redirect(url_for("web.call_jury", call_id=call.id) + "#jurors")
        except Problem as exc:
            add_errors(errors, exc, default_field="email")
            for key in [k for k in errors if k.startswith("affiliation")]:
                errors.setdefault("refnis" if key.endswith("refnis") else "organisation",
                                  []).extend(errors.pop(key))
    return _jury_page(call, errors, values, 400)


@bp.post("/oproepen/<int:call_id>/jury/toewijzen")
@admin_required
def call_jury_assign(call_id: int):
    call = _call_or_404(call_id)
    values = {"reviewers": request.form.get("reviewers", ""),
              "max_load": request.form.get("max_load", "")}
    errors: dict[str, list[str]] = {}
    reviewers, max_load = _int(values["reviewers"]), _int(values["max_load"])
    if reviewers is None:
        errors["reviewers"] = [_("Geef een geheel getal.")]
    if max_load is None:
        errors["max_load"] = [_("Geef een geheel getal.")]
    if not errors:
        try:
            result = assignments.compute_assignments(call, reviewers, max_load, page_user())
            flash(_("Toewijzing berekend: %(n)s beoordelingen, hoogste last %(l)s.",
                    n=len(result["assignments"]), l=result["objective"]["highest_load"]),
                  "success")
            return redirect(url_for("web.call_jury", call_id=call.id) + "#assignments")
        except Problem as exc:
            if exc.status == 409 and "reason" in exc.extra:
                errors["assignments"] = [exc.extra["reason_nl"] if nl() else exc.extra["reason"]]
            else:
                add_errors(errors, exc, default_field="assignments")
                for key, field in (("reviewers_per_application", "reviewers"),
                                   ("max_load", "max_load")):
                    if key in errors and key != field:
                        errors.setdefault(field, []).extend(errors.pop(key))
    return _jury_page(call, errors, values, 409 if "assignments" in errors else 400)


@bp.post("/oproepen/<int:call_id>/jury/toewijzing")
@admin_required
def call_jury_pair(call_id: int):
    """Fix (``op=add``) or withdraw (``op=remove``) one pair by hand."""
    call = _call_or_404(call_id)
    errors: dict[str, list[str]] = {}
    try:
        app = jury.get_call_application(call, _int(request.form.get("application")))
        juror = jury.get_juror(call, _int(request.form.get("juror")))
        if request.form.get("op") == "remove":
            assignments.remove_assignment(call, app, juror, page_user())
            message = _("Toewijzing ingetrokken.")
        else:
            out = assignments.fix_assignment(call, app, juror, page_user())
            message = _("Jurylid vast toegewezen.")
            for w in out["warnings"]:
                flash(message(w), "error")
        flash(message, "success")
        return redirect(url_for("web.call_jury", call_id=call.id) + "#assignments")
    except Problem as exc:
        add_errors(errors, exc, prefix="pair.", default_field="pair")
        errors["pair"] = [m for k in list(errors) for m in errors.pop(k)]
    return _jury_page(call, errors, {}, 409)


@bp.post("/oproepen/<int:call_id>/jury/belangenconflict")
@admin_required
def call_jury_conflict(call_id: int):
    call = _call_or_404(call_id)
    values = {"conflict_juror": request.form.get("juror", ""),
              "conflict_application": request.form.get("application", ""),
              "reason": request.form.get("reason", "")}
    errors: dict[str, list[str]] = {}
    try:
        juror = jury.get_juror(call, _int(values["conflict_juror"]))
        app = jury.get_call_application(call, _int(values["conflict_application"]))
        out = assignments.declare_conflict(call, juror, app, values["reason"], page_user())
        _flash_reassignment(out)
        return redirect(url_for("web.call_jury", call_id=call.id) + "#conflicts")
    except Problem as exc:
        add_errors(errors, exc, default_field="reason")
        for api, form in (("juror", "conflict_juror"), ("application", "conflict_application")):
            if api in errors:
                errors[form] = errors.pop(api)
    return _jury_page(call, errors, values, 400)


def _flash_reassignment(out: dict[str, Any]) -> None:
    flash(_("Belangenconflict geregistreerd."), "success")
    if out["withdrawn"]:
        added = ", ".join(str(p["juror"]) for p in out["added"]) or "—"
        flash(_("De toewijzing werd ingetrokken; nieuw toegewezen jurylid: %(j)s.", j=added),
              "success")
    if out["reassignment_error"]:
        e = out["reassignment_error"]
        flash(_("Geen vervanger gevonden: %(r)s", r=e["reason_nl"] if nl() else e["reason"]),
              "error")


@bp.post("/oproepen/<int:call_id>/jury/instellingen")
@admin_required
def call_jury_settings(call_id: int):
    call = _call_or_404(call_id)
    values = {k: request.form.get(k, "") for k in ("disagreement_spread", "total_threshold",
                                                   "tie_break", "scoring_deadline")}
    data, problems = load_form(JurySettingsInSchema(), request.form)  # as PUT jury-settings
    try:
        if problems:
            raise validation_problem(problems)
        jury.update_settings(call, data, page_user())
    except Problem as exc:
        errors: dict[str, list[str]] = {}
        add_errors(errors, exc, default_field="tie_break")
        return _jury_page(call, errors, values, 400)
    flash(_("Instellingen van de jury bewaard."), "success")
    return redirect(url_for("web.call_jury", call_id=call.id) + "#settings")


# --------------------------------------------------------------------------------------------
# Scoring page


def _scoring_target(application_id: int):
    """(application, juror) for the juror who may score it; 404 for anyone else."""
    user = page_user()
    row = db.session.get(Application, application_id) if valid_id(application_id) else None
    if row is None or user.role != "juror":
        abort(404)
    juror = jury.juror_of(user, row.call_id)
    if juror is not None and juror.declaration_signed_at is None:  # sign first, then score
        abort(redirect(url_for("web.juror_declaration", call_id=row.call_id)))
    try:
        return row, access.require_scoring_juror(user, row)
    except Problem:
        abort(404)


def _stored_values(rows: dict[int, Score], criteria) -> dict[str, dict[str, Any]]:
    out = {}
    for c in criteria:
        r = rows.get(c.id)
        out[c.code] = {"score": score_text(r.score) if r else "",
                       "motivation": r.motivation if r else "",
                       "version": r.version if r else 0}
    return out


def _same_score(text: str, stored: Decimal | None) -> bool:
    if not text.strip():
        return stored is None
    try:
        return stored is not None and to_decimal(text) == stored
    except (TypeError, ValueError):
        return False


def _scoring_page(app: Application, juror: CallJuror, values=None, errors=None, status=200):
    user = page_user()
    criteria = app.call.criteria
    rows = {r.criterion_id: r for r in scores.scores_of(app, juror)}
    submitted = bool(rows) and all(r.status == "submitted" for r in rows.values())
    evaluation = evaluations.CallEvaluation(app.call)
    view = scores.scores_view(user, app, juror)
    others: dict[str, list[dict]] = {}
    for item in view["items"]:
        if item["juror"] != juror.id:
            others.setdefault(item["criterion"], []).append(item)
    settings = db.session.get(CallJurySettings, app.call_id)
    return render("jury/scoring.html", status, a=app, call=app.call, juror=juror,
                  criteria=criteria, values=values or _stored_values(rows, criteria),
                  errors=errors or {}, submitted=submitted, others=others,
                  summary=evaluation.summary(app), details=evaluations.application_dict(app),
                  settings=settings, min_motivation=MIN_SCORE_MOTIVATION,
                  published=bool(settings and settings.published),
                  indicators_folded=access.indicators_folded_for(user, app))


@bp.get("/aanvragen/<int:application_id>/beoordelen")
@login_required
def scoring_page(application_id: int):
    app, juror = _scoring_target(application_id)
    return _scoring_page(app, juror)


@bp.post("/aanvragen/<int:application_id>/beoordelen")
@login_required
def scoring_save(application_id: int):
    """Save every changed criterion as a draft; with ``action=submit`` then submit all."""
    app, juror = _scoring_target(application_id)
    user = page_user()
    rows = {r.criterion_id: r for r in scores.scores_of(app, juror)}
    values: dict[str, dict[str, Any]] = {}
    errors: dict[str, list[str]] = {}
    stale = False
    for c in app.call.criteria:
        text = request.form.get(f"{c.code}.score", "").strip()
        motivation = request.form.get(f"{c.code}.motivation", "")
        version = _int(request.form.get(f"{c.code}.version"))
        values[c.code] = {"score": text, "motivation": motivation, "version": version or 0}
        stored = rows.get(c.id)
        if stored is None and not text and not motivation.strip():
            continue
        if (stored is not None and version == stored.version and _same_score(text, stored.score)
                and motivation.strip() == stored.motivation):
            continue
        try:
            saved = scores.save_score(app, juror, c, text or None, motivation,
                                      -1 if version is None else version, user)
            values[c.code]["version"] = saved.version
        except Problem as exc:
            current = exc.extra.get("current") if exc.status == 409 else None
            if current:
                stale = True
                values[c.code]["version"] = current["version"]
                shown = score_text(Decimal(str(current["score"]))) if current["score"] is not None \
                    else "—"
                errors.setdefault(f"{c.code}.version", []).append(_(
                    "Intussen elders bewaard (versie %(v)s): score %(s)s, motivering “%(m)s”. "
                    "Controleer uw invoer en bewaar opnieuw om ze te vervangen.",
                    v=current["version"], s=shown, m=current["motivation"] or "—"))
            else:
                add_errors(errors, exc, prefix=f"{c.code}.")
    if not errors and request.form.get("action") == "submit":
        try:
            scores.submit_scores(app, juror, user)
            flash(_("Uw scores zijn ingediend. U ziet nu ook de scores van de andere juryleden."),
                  "success")
            return redirect(url_for("web.scoring_page", application_id=app.id))
        except Problem as exc:
            add_errors(errors, exc)
    if not errors:
        flash(_("Concept bewaard."), "success")
        return redirect(url_for("web.scoring_page", application_id=app.id))
    return _scoring_page(app, juror, values, errors, 409 if stale else 400)


@bp.post("/aanvragen/<int:application_id>/belangenconflict")
@login_required
def scoring_conflict(application_id: int):
    """A juror declares a conflict of interest on an application assigned to them."""
    app, juror = _scoring_target(application_id)
    reason = request.form.get("reason", "")
    try:
        out = assignments.declare_conflict(app.call, juror, app, reason, page_user())
    except Problem as exc:
        errors: dict[str, list[str]] = {}
        add_errors(errors, exc, prefix="conflict.", default_field="reason")
        return _scoring_page(app, juror, None, errors, 400)
    _flash_reassignment(out)
    return redirect(url_for("web.jury_dashboard"))

