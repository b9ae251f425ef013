"""Idea pages: a call's ideas with the form to file one (/oproepen/<id>/ideeen) and one idea with
its related ideas (/ideeen/<id>). The same rules as the API (app.ideas.service): an idea the user
may not see is a 404 page, and is never listed."""

from __future__ import annotations

from typing import Any

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required
from marshmallow import ValidationError

from app.calls.service import get_call
from app.calls.service_applications import can_see, get_application
from app.core.problems import Problem, flatten_marshmallow
from app.core.web import admin_required, bp
from app.ideas import jobs, proposals
from app.ideas import service as ideas
from app.ideas.related import related_ideas
from app.ideas.schemas import IdeaInSchema, IdeaPatchSchema, ProposalArgs, SeedSessionArgs
from app.ideas.seed_session import seed_session
from app.models import IDEA_SEEKS
from matching.registry import DOMAINS

FACTOR_LABELS = {"text_similarity": _l("tekstgelijkenis"), "shared_domains": _l("gedeelde domeinen"),
                 "complementary_roles": _l("aanvullende rollen"), "distance_km": _l("nabijheid")}
SEEKS_LABELS = {"lighthouse": _l("een vuurtorenstad om te volgen"),
                "followers": _l("volgsteden om te leiden"),
                "peers": _l("gelijkaardige besturen"),
                "technology_partner": _l("een technologiepartner")}


def _cents(text: str | None) -> int | str | None:
    """Euro as typed (``12.500``, ``12500,50``) to cents; the text itself when it is no amount
    (the schema then names the field)."""
    raw = (text or "").strip().replace(" ", "").replace("€", "")
    if not raw:
        return None
    if "," in raw:
        raw = raw.replace(".", "").replace(",", ".")
    elif raw.count(".") >= 1 and len(raw.rsplit(".", 1)[1]) == 3:
        raw = raw.replace(".", "")
    try:
        return round(float(raw) * 100)
    except ValueError:
        return text


def _form_data(form, with_refnis: bool) -> dict[str, Any]:
    data: dict[str, Any] = {
        "title": form.get("title", "").strip(),
        "problem": form.get("problem", "").strip(),
        "solution": form.get("solution", "").strip(),
        "domains": form.getlist("domains"),
        "brings": form.get("brings", "").strip(),
        "seeks": form.getlist("seeks"),
        "preferred_region": form.get("preferred_region", "").strip() or None,
        "budget_min_cents": _cents(form.get("budget_min")),
        "budget_max_cents": _cents(form.get("budget_max")),
        "visible_to_others": form.get("visible_to_others") == "on",
    }
    if with_refnis and form.get("refnis", "").strip():
        data["refnis"] = form["refnis"].strip()
    return data


def _errors(exc: ValidationError | Problem) -> list[str]:
    if isinstance(exc, ValidationError):
        return [f"{e['field']}: {e['message']}" for e in flatten_marshmallow(exc.messages)]
    found = exc.errors or []
    return [f"{e['field']}: {e.get('message_nl') or e['message']}" for e in found] or [exc.detail]


def _context() -> dict[str, Any]:
    return {"domains": DOMAINS, "seeks_options": IDEA_SEEKS, "seeks_labels": SEEKS_LABELS}


@bp.route("/oproepen/<int:call_id>/ideeen", methods=["GET", "POST"])
@login_required
def call_ideas(call_id: int):
    try:
        call = get_call(call_id)
    except Problem:
        abort(404)
    if not (current_user.is_admin or ideas.own_municipality(current_user) is not None):
        abort(403)
    errors: list[str] = []
    form: dict[str, Any] = {}
    if request.method == "POST":
        form = request.form
        try:
            data = IdeaInSchema().load(_form_data(request.form, current_user.is_admin))
            row = ideas.create_idea(call, data, current_user)
            flash(_("Idee ingediend."), "success")
            return redirect(url_for("web.idea_page", idea_id=row.id))
        except (ValidationError, Problem) as exc:
            errors = _errors(exc)
    return render_template("ideas/list.html", call=call, items=ideas.visible_ideas(call, current_user),
                           own=ideas.own_municipality(current_user), errors=errors, form=form,
                           **_context()), (400 if errors else 200)


@bp.route("/ideeen/<int:idea_id>", methods=["GET", "POST"])
@login_required
def idea_page(idea_id: int):
    try:
        row = ideas.get_idea(idea_id, current_user)
    except Problem:
        abort(404)
    errors: list[str] = []
    if request.method == "POST":
        if not ideas.may_change(current_user, row):
            abort(403)
        try:
            if request.form.get("action") == "delete":
                call_id = row.call_id
                ideas.delete_idea(row, current_user)
                flash(_("Idee ingetrokken."), "success")
                return redirect(url_for("web.call_ideas", call_id=call_id))
            data = IdeaPatchSchema().load(_form_data(request.form, False))
            ideas.update_idea(row, data, current_user)
            flash(_("Idee bijgewerkt."), "success")
            return redirect(url_for("web.idea_page", idea_id=row.id))
        except (ValidationError, Problem) as exc:
            errors = _errors(exc)
    return render_template("ideas/idea.html", idea=row, call=row.call, errors=errors,
                           may_change=ideas.may_change(current_user, row),
                           application_visible=row.application is not None
                           and can_see(current_user, row.application),
                           related=related_ideas(row, current_user, 10),
                           factor_labels=FACTOR_LABELS,
                           **_context()), (400 if errors else 200)


STATUS_LABELS = {"queued": _l("in de wachtrij"), "running": _l("bezig"), "done": _l("klaar"),
                 "failed": _l("mislukt")}
RESPONSE_LABELS = {"accepted": _l("aanvaard"), "declined": _l("geweigerd")}


def _number(form, name: str, default: float) -> float | str:
    raw = (form.get(name) or "").strip().replace(",", ".")
    if not raw:
        return default
    try:
        value = float(raw)
    except ValueError:
        return raw
    return int(value) if value.is_integer() and name != "time_limit_s" else value


@bp.route("/oproepen/<int:call_id>/consortia", methods=["GET", "POST"])
@login_required
def call_proposals(call_id: int):
    try:
        call = get_call(call_id)
    except Problem:
        abort(404)
    own = ideas.own_municipality(current_user)
    if not (current_user.is_admin or own is not None):
        abort(403)
    errors: list[str] = []
    if request.method == "POST":
        try:
            if request.form.get("action") == "start":
                if not current_user.is_admin:
                    abort(403)
                data = ProposalArgs().load({k: _number(request.form, k, d) for k, d in
                                            (("min_size", 2), ("max_size", 8),
                                             ("time_limit_s", 10.0))})
                run = proposals.start_run(call, data, current_user)
                jobs.submit(run.id)
                flash(_("De berekening loopt; deze pagina ververst vanzelf."), "success")
            else:
                run = proposals.latest_run(call)
                idea_id = request.form.get("idea", "")
                index = request.form.get("proposal", "")
                if run is None or not idea_id.isdigit() or not index.isdigit():
                    abort(404)
                idea = ideas.get_idea(int(idea_id), current_user)
                application = proposals.respond(run, int(index), idea,
                                                request.form.get("response", ""), current_user,
                                                origin="web")
                flash(_("Uw antwoord is bewaard.") if application is None else
                      _("Uw antwoord is bewaard; de trekker heeft nu een ontwerpaanvraag."), "success")
            return redirect(url_for("web.call_proposals", call_id=call.id))
        except (ValidationError, Problem) as exc:
            errors = _errors(exc)
    run = proposals.latest_run(call)
    shown = proposals.run_dict(run, current_user) if run else None
    # a draft link only for who may open it (a committed follower may not: docs/ideas.md)
    visible_drafts = {p["application"] for p in (shown or {}).get("proposals", [])
                      if p.get("application")
                      and can_see(current_user, get_application(p["application"]))}
    own_ideas: set[int] = set()
    if own is not None:
        own_ideas = {i.id for i in ideas.visible_ideas(call, current_user)
                     if i.municipality_id == own.id}
    return render_template("ideas/proposals.html", call=call,
                           run=shown, visible_drafts=visible_drafts, own_ideas=own_ideas,
                           errors=errors, status_labels=STATUS_LABELS,
                           response_labels=RESPONSE_LABELS), (400 if errors else 200)


@bp.get("/oproepen/<int:call_id>/seed-sessie")
@admin_required
def seed_session_page(call_id: int):
    try:
        call = get_call(call_id)
    except Problem:
        abort(404)
    errors: list[str] = []
    plan = None
    rounds, table_size = request.args.get("rounds", "2"), request.args.get("table_size", "4")
    try:
        args = SeedSessionArgs().load({"rounds": rounds, "table_size": table_size})
        rounds, table_size = args["rounds"], args["table_size"]
        plan = seed_session(call, rounds, table_size)
    except (ValidationError, Problem) as exc:
        errors = _errors(exc)
    return render_template("ideas/seed_session.html", call=call, plan=plan, rounds=rounds,
                           table_size=table_size, errors=errors), (400 if errors else 200)
