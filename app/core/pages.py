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
    return render_template("api_reference.html", spec=build_spec())
