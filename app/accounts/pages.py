"""Login and logout (Flask-Login sessions)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from app.accounts.forms import LoginForm
from app.core import login_limit
from app.core.extensions import db
from app.core.web import bp
from app.models import User


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, wait = 200, None
    if form.validate_on_submit():
        email, ip = form.email.data.strip().lower(), request.remote_addr or "-"
        wait = login_limit.retry_after(email, ip)
        user = None if wait else db.session.scalar(select(User).where(User.email == email))
        if wait:
            form.password.errors.append(
                _("Te veel mislukte pogingen. Probeer opnieuw over %(n)s seconden.", n=wait))
            status = 429
        elif user is None or not user.active or not user.check_password(form.password.data):
            login_limit.record_failure(email, ip)
            form.password.errors.append(_("E-mailadres of wachtwoord klopt niet."))
        else:
            login_limit.clear_failures(email, ip)
            login_user(user)
            flash(_("Je bent aangemeld."), "success")
            return redirect(_safe_next(request.args.get("next")))
    if form.errors and status == 200:
        status = 400
    headers = {"Retry-After": str(wait)} if status == 429 else {}
    return render_template("login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("Je bent afgemeld."), "success")
    return redirect(url_for("web.home"))
