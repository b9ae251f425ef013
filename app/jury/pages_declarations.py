"""Conflicts v2 on the web: the juror's declaration of absence of conflicts for a call (read and
sign before the first application opens) and the secretariat's change of a juror's municipality
affiliations on the call's jury page (organisations through the add form or the API)."""

from __future__ import annotations

from flask import abort, flash, redirect, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.calls.service import get_call
from app.core.problems import Problem
from app.core.web import admin_required, bp
from app.jury import service as jury
from app.jury import service_declarations as declarations
from app.jury.pages import affiliations_from_form, render


def _call(call_id: int):
    try:
        return get_call(call_id)
    except Problem:
        abort(404)


def _message(exc: Problem) -> str:
    return "; ".join(e.get("message_nl") or e.get("message", "") for e in exc.errors) or (
        exc.detail or exc.title)


@bp.route("/oproepen/<int:call_id>/verklaring", methods=["GET", "POST"])
@login_required
def juror_declaration(call_id: int):
    call = _call(call_id)
    user = current_user._get_current_object()
    juror = jury.juror_of(user, call.id) if user.role == "juror" else None
    if juror is None:
        abort(404)
    error = None
    if request.method == "POST":
        if request.form.get("accept") != "1":
            error = _("Vink aan dat u de verklaring op eer aflegt.")
        else:
            try:
                declarations.sign_declaration(call, juror, user)
                flash(_("U hebt de verklaring op eer ondertekend; uw aanvragen zijn nu open."),
                      "success")
                return redirect(url_for("web.jury_dashboard"))
            except Problem as exc:
                error = _message(exc)
    return render("jury/declaration.html", 400 if error else 200, call=call, error=error,
                  declaration=declarations.declaration_dict(call, juror))


@bp.post("/oproepen/<int:call_id>/jury/juryleden/<int:juror_id>/affiliaties")
@admin_required
def call_jury_affiliations(call_id: int, juror_id: int):
    call = _call(call_id)
    try:
        juror = jury.get_juror(call, juror_id)
    except Problem:
        abort(404)
    wanted = affiliations_from_form(request.form.get("refnis", ""), "") or []
    wanted += [{"organisation": a.organisation_id} for a in juror.affiliations if a.organisation_id]
    try:
        out = declarations.set_affiliations(call, juror, wanted, current_user._get_current_object())
        flash(_("Verbonden aan gewijzigd voor jurylid #%(id)s.", id=juror_id), "success")
        if out["withdrawn"]:
            flash(_("%(n)s toewijzing(en) ingetrokken wegens een belangenconflict.",
                    n=len(out["withdrawn"])), "success")
        if out["reassignment_error"]:
            flash(out["reassignment_error"]["reason_nl"], "error")
    except Problem as exc:
        flash(_message(exc), "error")
    return redirect(url_for("web.call_jury", call_id=call.id) + "#jurors")
