"""The login form (Flask-WTF, CSRF). Labels are Dutch msgids, translated to English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Length


class LoginForm(FlaskForm):
    # No e-mail syntax check here: logging in only looks the address up. A syntax check (WTForms'
    # Email, i.e. email_validator) refuses special-use domains such as the `.local` of the admin
    # that `make run` creates, and an address that is not an account fails like any unknown one.
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Length(max=255)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=200)])
