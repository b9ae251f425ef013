"""The blueprint of the server-rendered pages (Dutch first, English via Flask-Babel).

Each feature's ``pages`` module registers its routes on ``bp``; ``create_app`` imports them.
"""

from __future__ import annotations

from functools import wraps

from flask import Blueprint, abort
from flask_login import current_user, login_required

bp = Blueprint("web", __name__)


def admin_required(view):
    @wraps(view)
    @login_required
    def wrapped(*args, **kwargs):
        if not current_user.is_admin:
            abort(403)
        return view(*args, **kwargs)

    return wrapped
