"""The account forms: login, password change, API token (Flask-WTF, CSRF). Labels are Dutch msgids, translated to English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, IntegerField, PasswordField, StringField
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

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
