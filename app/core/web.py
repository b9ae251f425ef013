"""The blueprint of the server-rendered pages (Dutch first, English via Flask-Babel).

Each feature's ``pages`` module registers its routes on ``bp``; ``create_app`` imports them.
"""

from __future__ import annotations

from functools import wraps
from typing import Any

from flask import Blueprint, abort
from flask_login import current_user, login_required

from app.core.problems import Problem

bp = Blueprint("web", __name__)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def nl() -> bool:
    """Whether the page speaks Dutch (the default) rather than English."""
    from flask_babel import get_locale

    return str(get_locale() or "nl") != "en"


def message(error: dict[str, Any]) -> str:
    """A field error in the page's language (``message_nl`` beside the API's English)."""
    return (error.get("message_nl") or error["message"]) if nl() else error["message"]


def page_user() -> Any:
    """The logged-in user, or None."""
    return current_user._get_current_object() if current_user.is_authenticated else None


def add_errors(errors: dict[str, list[str]], exc: Problem, prefix: str = "",
               default_field: str = "form") -> None:
    """A problem's ``errors`` beside their fields (``prefix`` + field); else under ``form``."""
    if not exc.errors:
        errors.setdefault(default_field, []).append(exc.detail)
    for e in exc.errors:
        errors.setdefault(prefix + str(e.get("field") or default_field), []).append(message(e))


def number(value: float | None, decimals: int = 1) -> str:
    """A number the Belgian way in Dutch (12,5), the English way otherwise."""
    from evaluation import money

    if value is None:
        return "—"
    return money.number_nl(value, decimals) if nl() else money.number_en(value, decimals)
