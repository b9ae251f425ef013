"""Authentication: bearer tokens for the API, Flask-Login sessions for the web.

A session ends (the cookie no longer logs in) when the user's ``session_version`` moved on since
login (logout, password change, deactivation), after ``SESSION_IDLE_TIMEOUT`` without a request
and after ``SESSION_ABSOLUTE_TIMEOUT`` whatever happens. A bearer token ends at its ``expires_at``
or when it is revoked (its row deleted).
"""

from __future__ import annotations

import time
from collections.abc import Callable
from datetime import timedelta
from functools import wraps
from typing import Any

from flask import current_app, g, request, session
from flask_login import current_user, login_user
from sqlalchemy import select

from app.core.api import document_auth
from app.core.extensions import db, login_manager
from app.core.problems import Problem
from app.models import ApiToken, User, hash_token
from app.models.registry import utcnow

#: How often a live session's last-seen time is written (seconds): often enough for the idle
#: timeout, rarely enough not to rewrite the cookie on every request.
SEEN_RESOLUTION_S = 30


def start_session(user: User) -> None:
    """Log ``user`` in on this session, with the version and the times that end it."""
    login_user(user)
    now = time.time()
    session["sv"] = user.session_version or 0
    session["login_at"] = now
    session["seen_at"] = now


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        user = db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None
    if user is None or session.get("sv") != (user.session_version or 0):
        return None
    now = time.time()
    idle: timedelta = current_app.config["SESSION_IDLE_TIMEOUT"]
    absolute: timedelta = current_app.config["SESSION_ABSOLUTE_TIMEOUT"]
    if now - session.get("seen_at", 0) > idle.total_seconds() \
            or now - session.get("login_at", 0) > absolute.total_seconds():
        return None
    if now - session["seen_at"] > SEEN_RESOLUTION_S:
        session["seen_at"] = now
    return user


def api_user() -> User | None:
    """The user of this API request: a valid bearer token, else the web session's user."""
    if "api_user" in g:
        return g.api_user
    user = None
    header = request.headers.get("Authorization", "")
    if header:
        scheme, _, token = header.partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            raise Problem(
                401,
                "Unauthorized",
                "The Authorization header must be 'Bearer <token>'; create a token with "
                "`flask --app app create-token EMAIL`.",
            )
        row = db.session.scalar(select(ApiToken).where(ApiToken.token_hash == hash_token(token.strip())))
        if row is None or not row.user.active:
            raise Problem(401, "Unauthorized", "The bearer token is unknown or revoked.")
        if row.is_expired:
            raise Problem(401, "Unauthorized", "The bearer token has expired; create a new one on "
                          "/account or with `flask --app app create-token EMAIL`.")
        now = utcnow()
        last = row.last_used_at
        if last is not None and last.tzinfo is None:
            last = last.replace(tzinfo=now.tzinfo)
        if last is None or now - last > timedelta(seconds=SEEN_RESOLUTION_S):
            row.last_used_at = now
            db.session.commit()  # its own write: nothing else is pending before the view runs
        user = row.user
    elif current_user.is_authenticated:
        user = current_user._get_current_object()
    g.api_user = user
    return user


def require_role(*roles: str) -> Callable:
    """API decorator: 401 without credentials, 403 with the wrong role."""

    def decorator(view: Callable) -> Callable:
        @wraps(view)
        def wrapped(*args: Any, **kwargs: Any) -> Any:
            user = api_user()
            if user is None:
                raise Problem(
                    401,
                    "Unauthorized",
                    "This endpoint needs 'Authorization: Bearer <token>' of "
                    + " or ".join(roles)
                    + " user.",
                )
            if user.role not in roles:
                raise Problem(
                    403, "Forbidden", f"This endpoint needs role {' or '.join(roles)}; you are {user.role}."
                )
            return view(*args, **kwargs)

        document_auth(wrapped, roles)
        return wrapped

    return decorator


require_admin = require_role("admin")
