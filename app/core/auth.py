"""Authentication: bearer tokens for the API, Flask-Login sessions for the web."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from flask import g, request
from flask_login import current_user
from sqlalchemy import select

from app.core.extensions import db, login_manager
from app.core.problems import Problem
from app.models import ApiToken, User, hash_token
from app.models.registry import utcnow


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    try:
        return db.session.get(User, int(user_id))
    except (TypeError, ValueError):
        return None


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
        row.last_used_at = utcnow()
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

        return wrapped

    return decorator


require_admin = require_role("admin")
