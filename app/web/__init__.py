"""Server-rendered pages (Dutch first, English via Flask-Babel)."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from app.web import account, call_pages, jury_pages, labels, pages, partner_pages, plan_pages, registry_pages  # noqa: E402,F401
