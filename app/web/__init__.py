"""Server-rendered pages (Dutch first, English via Flask-Babel)."""

from flask import Blueprint

bp = Blueprint("web", __name__)

from app.web import pages, registry_pages, account, partner_pages, call_pages, jury_pages, plan_pages, labels  # noqa: E402,F401
