"""The secretariat's users page (invite a juror, a city user or an admin; send a new link) and
the page of an invitation link, where the invited person chooses a password.

The services are in ``app.accounts.invitations``; the link is mailed when an SMTP server is
configured (``app.core.mail``) and shown on the page otherwise, for the secretariat to pass on.
"""

from __future__ import annotations

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, logout_user
from sqlalchemy import select

from app.accounts import invitations
from app.accounts.forms import AcceptInvitationForm, InviteForm
from app.accounts.service import PasswordRefused
from app.core.auth import start_session
from app.core.extensions import db
from app.core.mail import MailFailed, mail_configured, send_mail
from app.core.problems import Problem
from app.core.web import admin_required, bp, nl
from app.models import Municipality, Organisation, User
from app.models.users import MIN_PASSWORD_LENGTH

ROLE_ORDER = {"admin": 0, "juror": 1, "city": 2}
#: Where an invited user starts after choosing a password: a juror at the applications to score,
#: a city user at the calls it can apply to.
LANDING = {"juror": "web.jury_dashboard", "city": "web.call_list"}


def _choices(form: InviteForm) -> None:
    municipalities = db.session.scalars(select(Municipality).where(
        Municipality.merged_into_id.is_(None)).order_by(Municipality.name_search))
    form.municipality.choices = [("", "—")] + [(m.refnis, f"{m.name_nl} ({m.refnis})")
                                               for m in municipalities]
    form.organisation.choices = [("", "—")] + [
        (str(o.id), o.name) for o in db.session.scalars(select(Organisation).order_by(Organisation.name))]


def _users_page(form: InviteForm, invited: invitations.Invited | None = None,
                mailed: bool = False, mail_error: str | None = None, status: int = 200):
    users = sorted(db.session.scalars(select(User)),
                   key=lambda u: (ROLE_ORDER.get(u.role, 9), (u.name or u.email).lower()))
    return render_template(
        "users.html", form=form, users=users, invited=invited, mailed=mailed,
        mail_error=mail_error, mail_on=mail_configured(),
        days=current_app.config["INVITATION_DAYS"],
        states={u.id: invitations.invitation_state(u) for u in users}), status


def _deliver(invited: invitations.Invited) -> tuple[bool, str | None]:
    """Mail the link when an SMTP server is configured: (mailed, error)."""
    subject = _("Uitnodiging voor Vuurtoren")
    body = _("U bent uitgenodigd voor Vuurtoren als %(role)s. Kies uw wachtwoord via deze link "
             "(geldig tot %(until)s UTC, één keer te gebruiken):\n\n%(link)s\n",
             role=_role_label(invited.user.role),
             until=invited.invitation.expires_at.strftime("%Y-%m-%d %H:%M"), link=invited.link)
    try:
        return send_mail(invited.user.email, subject, body), None
    except MailFailed as exc:
        return False, str(exc)


def _role_label(role: str) -> str:
    from app.core.labels import label

    return str(label("user_role", role))


@bp.route("/beheer/gebruikers", methods=["GET", "POST"])
@admin_required
def users_admin():
    form = InviteForm()
    _choices(form)
    if request.method == "GET":
        role = request.args.get("rol")
        if role in invitations.INVITABLE_ROLES:
            form.role.data = role
        return _users_page(form)
    if not form.validate_on_submit():
        return _users_page(form, status=400)
    municipality = organisation = None
    if form.municipality.data:
        municipality = db.session.scalar(select(Municipality).where(
            Municipality.refnis == form.municipality.data))
        if municipality is None:
            form.municipality.errors.append(_("Kies een gemeente uit de lijst."))
    if form.organisation.data:
        organisation = db.session.get(Organisation, int(form.organisation.data)) \
            if form.organisation.data.isdigit() else None
        if organisation is None:
            form.organisation.errors.append(_("Kies een organisatie uit de lijst."))
    if form.errors:
        return _users_page(form, status=400)
    try:
        invited = invitations.invite_user(form.email.data, form.role.data, form.name.data,
                                          municipality, organisation, current_user._get_current_object())
    except Problem as exc:
        for e in exc.errors:
            getattr(form, e["field"], form.email).errors.append(
                e.get("message_nl") or e["message"] if nl() else e["message"])
        return _users_page(form, status=exc.status)
    mailed, error = _deliver(invited)
    fresh = InviteForm(formdata=None)
    _choices(fresh)
    return _users_page(fresh, invited, mailed, error, 201)


@bp.post("/beheer/gebruikers/<int:user_id>/uitnodigen")
@admin_required
def users_reinvite(user_id: int):
    user = db.session.get(User, user_id)
    if user is None or not user.active:
        abort(404)
    invited = invitations.reinvite(user, current_user._get_current_object())
    mailed, error = _deliver(invited)
    form = InviteForm(formdata=None)
    _choices(form)
    return _users_page(form, invited, mailed, error)


@bp.route("/uitnodiging/<token>", methods=["GET", "POST"])
def accept_invitation(token: str):
    try:
        row = invitations.find_invitation(token)
    except invitations.InvitationInvalid as exc:
        status = 404 if exc.reason == "unknown" else 410
        return render_template("invitation.html", invalid=exc.reason, form=None), status
    form = AcceptInvitationForm()
    if form.validate_on_submit():
        try:
            user = invitations.accept_invitation(token, form.password.data)
        except PasswordRefused:
            form.password.errors.append(_(
                "Kies een langer of minder voorspelbaar wachtwoord: minstens %(n)s tekens, "
                "geen veelgebruikt wachtwoord, herhaling of reeks.", n=MIN_PASSWORD_LENGTH))
        else:
            if current_user.is_authenticated:
                logout_user()
            start_session(user)
            flash(_("Welkom! Uw wachtwoord is ingesteld en u bent aangemeld."), "success")
            return redirect(url_for(LANDING.get(user.role, "web.home")))
    status = 400 if form.errors else 200
    return render_template("invitation.html", invalid=None, form=form, invited=row.user,
                           expires=row.expires_at), status
