"""Login, logout and the account page (password, API tokens)."""

from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, logout_user
from sqlalchemy import select

from app.accounts import service
from app.accounts.forms import LoginForm, PasswordForm, TokenForm
from app.core import login_limit
from app.core.auth import start_session
from app.core.extensions import db
from app.core.security import safe_next
from app.core.web import bp
from app.models import ApiToken, User
from app.models.users import MIN_PASSWORD_LENGTH, authenticate


@bp.route("/login", methods=["GET", "POST"])
def login():
    form = LoginForm()
    status, wait = 200, None
    if form.validate_on_submit():
        email, ip = form.email.data.strip().lower(), request.remote_addr or "-"
        wait = login_limit.retry_after(email, ip)
        if wait:
            form.password.errors.append(
                _("Te veel mislukte pogingen. Probeer opnieuw over %(n)s seconden.", n=wait))
            status = 429
        else:
            user = db.session.scalar(select(User).where(User.email == email))
            if not authenticate(user, form.password.data):  # one hash check, known or not
                login_limit.record_failure(email, ip)
                form.password.errors.append(_("E-mailadres of wachtwoord klopt niet."))
            else:
                login_limit.clear_failures(email, ip)
                start_session(user)
                flash(_("Je bent aangemeld."), "success")
                return redirect(safe_next(request.args.get("next"), url_for("web.home")))
    if form.errors and status == 200:
        status = 400
    headers = {"Retry-After": str(wait)} if status == 429 else {}
    return render_template("login.html", form=form), status, headers


@bp.post("/logout")
@login_required
def logout():
    service.end_sessions(current_user._get_current_object())  # every session of the account
    logout_user()
    flash(_("Je bent afgemeld."), "success")
    return redirect(url_for("web.home"))


def _account_page(password_form=None, token_form=None, new_token=None, status=200):
    user = current_user._get_current_object()
    return render_template("account.html", password_form=password_form or PasswordForm(formdata=None),
                           token_form=token_form or TokenForm(formdata=None), new_token=new_token,
                           tokens=service.tokens_of(user)), status


@bp.get("/account")
@login_required
def account():
    return _account_page()


@bp.post("/account/wachtwoord")
@login_required
def account_password():
    form = PasswordForm()
    user = current_user._get_current_object()
    if form.validate_on_submit():
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(_("Dit is niet uw huidige wachtwoord."))
        else:
            try:
                service.set_password(user, form.new_password.data, user)
            except service.PasswordRefused:
                form.new_password.errors.append(_(
                    "Kies een langer of minder voorspelbaar wachtwoord: minstens %(n)s tekens, "
                    "geen veelgebruikt wachtwoord, herhaling of reeks.", n=MIN_PASSWORD_LENGTH))
            else:
                start_session(user)  # this session goes on with the new version
                flash(_("Uw wachtwoord is gewijzigd; uw andere sessies zijn afgemeld."), "success")
                return redirect(url_for("web.account"))
    return _account_page(password_form=form, status=400)


@bp.post("/account/tokens")
@login_required
def account_token_new():
    form = TokenForm()
    if not form.validate_on_submit():
        return _account_page(token_form=form, status=400)
    user = current_user._get_current_object()
    _token, plain = service.issue_token(user, (form.name.data or "").strip() or None, form.days.data, user)
    return _account_page(new_token=plain)


@bp.post("/account/tokens/<int:token_id>/intrekken")
@login_required
def account_token_revoke(token_id: int):
    user = current_user._get_current_object()
    token = db.session.get(ApiToken, token_id)
    if token is None or token.user_id != user.id:
        abort(404)
    service.revoke_tokens([token], user)
    flash(_("Token ingetrokken."), "success")
    return redirect(url_for("web.account") + "#tokens")
