"""The login form (Flask-WTF, CSRF). Labels are Dutch msgids, translated to English."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, Length


class LoginForm(FlaskForm):
    email = EmailField(_l("E-mailadres"), validators=[DataRequired(), Email(), Length(max=255)])
    password = PasswordField(_l("Wachtwoord"), validators=[DataRequired(), Length(max=200)])
