"""The privacy notice (public), a user's own data as JSON, and the secretariat's page of the audit
chain's pseudonyms with their retention and erasure (docs/privacy.md)."""

from __future__ import annotations

import json

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from app.accounts import personal_data
from app.core.problems import Problem
from app.core.web import admin_required, bp


@bp.get("/privacy")
def privacy():
    return render_template("privacy.html", contact=current_app.config["PRIVACY_CONTACT"],
                           years=current_app.config["PERSONAL_DATA_RETENTION_YEARS"])


@bp.get("/account/gegevens.json")
@login_required
def account_export():
    user = current_user._get_current_object()
    body = json.dumps(personal_data.export_user(user), indent=2, ensure_ascii=False)
    return Response(body, mimetype="application/json", headers={
        "Content-Disposition": f'attachment; filename="vuurtoren-gegevens-{user.id}.json"'})


@bp.get("/beheer/persoonsgegevens")
@admin_required
def personal_data_admin():
    return render_template("personal_data.html",
                           people=[personal_data.person_dict(p) for p in personal_data.people()],
                           years=current_app.config["PERSONAL_DATA_RETENTION_YEARS"])


@bp.post("/beheer/persoonsgegevens/<pseudonym>/wissen")
@admin_required
def personal_data_erase(pseudonym: str):
    try:
        person = personal_data.get_person(pseudonym)
    except Problem:
        abort(404)
    try:
        personal_data.erase(person, current_user._get_current_object(),
                            request.form.get("reason", "request"),
                            account=request.form.get("account") == "1")
        flash(_("De koppeling van pseudoniem %(p)s is gewist; de audit trail blijft kloppen.",
                p=pseudonym), "success")
    except Problem as exc:
        flash(exc.detail or exc.title, "error")
    return redirect(url_for("web.personal_data_admin"))
