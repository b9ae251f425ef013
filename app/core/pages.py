"""Home, API reference page and the language switch."""

from __future__ import annotations

from flask import redirect, render_template, request, session, url_for
from sqlalchemy import func, select

from app.core.extensions import db
from app.core.openapi import build_spec
from app.core.security import safe_next
from app.core.web import bp
from app.models import Domain, Municipality, Project


@bp.get("/")
def home():
    stats = {
        "municipalities": db.session.scalar(
            select(func.count()).select_from(Municipality).where(Municipality.merged_into_id.is_(None))
        ),
        "projects": db.session.scalar(select(func.count()).select_from(Project)),
        "domains": db.session.scalar(select(func.count()).select_from(Domain)),
    }
    return render_template("home.html", stats=stats)


@bp.get("/lang/<code>")
def switch_language(code: str):
    if code in ("nl", "en"):
        session["lang"] = code
    return redirect(safe_next(request.args.get("next"), url_for("web.home")))


@bp.get("/api")
def api_reference():
    spec = build_spec()
    return render_template("api_reference.html", spec=spec, groups=api_groups(spec))


#: HTTP methods the reference lists, in this order within a path.
METHODS = ("get", "post", "put", "patch", "delete")


def api_groups(spec: dict) -> dict[str, list[tuple[str, str, dict, list]]]:
    """The operations per feature (the first path segment after /api/v1: calls, applications,
    projects ...), in the document's order, for the reference page's table of contents."""
    groups: dict[str, list[tuple[str, str, dict, list]]] = {}
    for path, ops in spec.get("paths", {}).items():
        feature = path.removeprefix("/api/v1/").split("/", 1)[0] or "api"
        for method in METHODS:
            if method in ops:
                params = list(ops.get("parameters") or []) + list(ops[method].get("parameters") or [])
                groups.setdefault(feature, []).append((path, method, ops[method], params))
    return groups
