"""Login and logout (Flask-Login sessions)."""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required, login_user, logout_user
from sqlalchemy import select

from app.extensions import db
from app.models import User
from app.web import bp
from app.web.forms import LoginForm


def _safe_next(target: str | None) -> str:
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("web.home")


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.email == form.email.data.strip().lower()))
        if user is None or not user.active or not user.check_password(form.password.data):
            form.password.errors.append(_("E-mailadres of wachtwoord klopt niet."))
        else:
            login_user(user)
            flash(_("Je bent aangemeld."), "success")
            return redirect(_safe_next(request.args.get("next")))
    status = 400 if form.errors else 200
    return render_template("login.html", form=form), status


@bp.post("/logout")
@login_required
def logout():
    logout_user()
    flash(_("Je bent afgemeld."), "success")
    return redirect(url_for("web.home"))
