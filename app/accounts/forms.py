"""The account forms: login, password change, API token (Flask-WTF, CSRF). Labels are Dutch msgids, translated to English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, SelectField, StringField
from wtforms.validators import (
    DataRequired,
    EqualTo,
    InputRequired,
    Length,
    NumberRange,
    Optional,
    Regexp,
)

from app.models.users import MAX_TOKEN_DAYS, TOKEN_DAYS


class LoginForm(FlaskForm):
    # No e-mail syntax check here: logging in only looks the address up. A syntax check (WTForms'
    # Email, i.e. email_validator) refuses special-use domains such as the `.local` of the admin
    # that `make run` creates, and an address that is not an account fails like any unknown one.
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=200)])


class PasswordForm(FlaskForm):
    current_password = PasswordField(_l("Huidig wachtwoord"), validators=[DataRequired(), Length(max=200)])
    new_password = PasswordField(_l("Nieuw wachtwoord"), validators=[DataRequired(), Length(max=200)])


class TokenForm(FlaskForm):
    name = StringField(_l("Naam (waarvoor dient het token?)"), validators=[Optional(), Length(max=100)])
    days = IntegerField(_l("Geldig (dagen)"), default=TOKEN_DAYS,
                        validators=[InputRequired(), NumberRange(min=1, max=MAX_TOKEN_DAYS)])


class InviteForm(FlaskForm):
    """The secretariat invites a user; the choices of municipality and organisation are set per
    request (``app.accounts.pages_users``)."""

    email = EmailField(_l("E-mailadres"), validators=[
        DataRequired(_l("Geef het e-mailadres van wie u uitnodigt.")), Length(max=255),
        Regexp(r"^[^@\s]+@[^@\s]+$", message=_l("Dit is geen e-mailadres."))])
    name = StringField(_l("Naam"), validators=[Optional(), Length(max=200)])
    role = SelectField(_l("Rol"), choices=[("juror", _l("jurylid")), ("city", _l("gemeente")),
                                           ("admin", _l("beheerder"))],
                       validators=[DataRequired()])
    municipality = SelectField(_l("Gemeente"), choices=[], validate_choice=False,
                               validators=[Optional()])
    organisation = SelectField(_l("Organisatie (voor een jurylid)"), choices=[],
                               validate_choice=False, validators=[Optional()])


class AcceptInvitationForm(FlaskForm):
    password = PasswordField(_l("Kies een wachtwoord"), validators=[
        DataRequired(_l("Kies een wachtwoord.")), Length(max=200)])
    repeat = PasswordField(_l("Herhaal het wachtwoord"), validators=[
        DataRequired(_l("Herhaal het wachtwoord.")),
        EqualTo("password", message=_l("De twee wachtwoorden verschillen."))])
