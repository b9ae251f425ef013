"""Vuurtoren: the Flask application factory (flaskr shape: create_app, blueprints, init_app)."""

from __future__ import annotations

from typing import Any

import click
from flask import Flask, render_template, request, session
from werkzeug.exceptions import HTTPException

from config import ConfigError, load_config


def select_locale() -> str:
    lang = request.args.get("lang")
    if lang in ("nl", "en"):
        session["lang"] = lang
        return lang
    return session.get("lang", "nl")


def create_app(config: dict[str, Any] | None = None) -> Flask:
    """Create the app. ``config`` overrides the environment (tests pass DATABASE_URL, TESTING)."""
    app = Flask(__name__, instance_relative_config=False)
    try:
        app.config.update(load_config(config))
    except ConfigError as err:
        if click.get_current_context(silent=True) is not None:
            # Under the `flask` command: one line that says what to set, not a traceback.
            raise click.ClickException(str(err)) from None
        raise
    app.json.sort_keys = False

    from app import models  # noqa: F401  (register tables)
    from app.core.extensions import babel, csrf, db, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(app.root_path + "/../migrations"))
    login_manager.init_app(app)
    login_manager.login_view = "web.login"
    login_manager.login_message = None
    from app.core.security import init_security

    init_security(app)  # before CSRFProtect: a foreign Origin is refused before the token check
    csrf.init_app(app)
    babel.init_app(app, locale_selector=select_locale)

    from app.core import auth  # noqa: F401  (user loader)
    from app.core.api import bp as api_bp
    from app.core.openapi import init_openapi
    from app.core.web import bp as web_bp

    _import_views()
    csrf.exempt(api_bp)
    init_openapi(app)  # registers the API blueprint and builds its OpenAPI document
    app.register_blueprint(web_bp)

    for cli in _feature_clis():
        cli.register(app)
    _register_error_handlers(app)
    _register_template_helpers(app)
    return app


def _import_views() -> None:
    """Every feature registers its API routes on ``app.core.api.bp`` and its pages on
    ``app.core.web.bp`` when its modules are imported."""
    from app.accounts import api as _accounts_api  # noqa: F401
    from app.accounts import pages as _accounts_pages  # noqa: F401
    from app.accounts import pages_privacy as _accounts_privacy  # noqa: F401
    from app.accounts import pages_users as _accounts_users  # noqa: F401
    from app.calls import api as _calls_api  # noqa: F401
    from app.calls import api_applications as _calls_api_applications  # noqa: F401
    from app.calls import api_documents as _calls_api_documents  # noqa: F401
    from app.calls import api_lifecycle as _calls_api_lifecycle  # noqa: F401
    from app.calls import api_snapshot as _calls_api_snapshot  # noqa: F401
    from app.calls import pages as _calls_pages  # noqa: F401
    from app.calls import pages_applications as _calls_pages_applications  # noqa: F401
    from app.calls import pages_lifecycle as _calls_pages_lifecycle  # noqa: F401
    from app.calls import pages_snapshot as _calls_pages_snapshot  # noqa: F401
    from app.core import labels as _labels  # noqa: F401  (template globals)
    from app.core import openapi as _openapi  # noqa: F401
    from app.core import pages as _core_pages  # noqa: F401
    from app.followup import api as _followup_api  # noqa: F401
    from app.followup import api_clusters as _followup_api_clusters  # noqa: F401
    from app.followup import pages as _followup_pages  # noqa: F401
    from app.followup import pages_clusters as _followup_pages_clusters  # noqa: F401
    from app.ideas import api as _ideas_api  # noqa: F401
    from app.ideas import pages as _ideas_pages  # noqa: F401
    from app.jury import api as _jury_api  # noqa: F401
    from app.jury import api_declarations as _jury_api_declarations  # noqa: F401
    from app.jury import api_scores as _jury_api_scores  # noqa: F401
    from app.jury import pages as _jury_pages  # noqa: F401
    from app.jury import pages_declarations as _jury_pages_declarations  # noqa: F401
    from app.partners import api as _partners_api  # noqa: F401
    from app.partners import pages as _partners_pages  # noqa: F401
    from app.planning import api as _planning_api  # noqa: F401
    from app.planning import pages as _planning_pages  # noqa: F401
    from app.registry import api as _registry_api  # noqa: F401
    from app.registry import api_declarations as _declarations_api  # noqa: F401
    from app.registry import pages as _registry_pages  # noqa: F401
    from app.registry import pages_declarations as _declarations_pages  # noqa: F401
    from app.results import api as _results_api  # noqa: F401
    from app.results import pages as _results_pages  # noqa: F401


def _feature_clis() -> list[Any]:
    from app.accounts import cli as accounts_cli
    from app.followup import cli as followup_cli
    from app.ideas import cli as ideas_cli
    from app.jury import cli as jury_cli
    from app.partners import cli as partners_cli
    from app.planning import cli as planning_cli
    from app.registry import cli as registry_cli

    return [registry_cli, accounts_cli, partners_cli, jury_cli, planning_cli, followup_cli, ideas_cli]


def _register_error_handlers(app: Flask) -> None:
    from app.core.problems import Problem, http_exception_problem, problem_response

    def wants_problem() -> bool:
        return request.path.startswith("/api/")

    @app.errorhandler(Problem)
    def handle_problem(exc: Problem):
        if wants_problem():
            return problem_response(exc)
        from app.core.labels import error_page_text

        title, detail = error_page_text(exc.status, exc.title, exc.detail, exc, exc.errors)
        return render_template("error.html", status=exc.status, title=title, detail=detail), exc.status

    @app.errorhandler(HTTPException)
    def handle_http(exc: HTTPException):
        # Keep the exception's own headers: Allow on a 405 (RFC 9110), Retry-After, ...
        headers = {k: v for k, v in exc.get_headers() if k.lower() != "content-type"}
        if wants_problem():
            resp = problem_response(http_exception_problem(exc))
            resp.headers.update(headers)
            return resp
        from app.core.labels import error_page_text

        title, detail = error_page_text(exc.code or 500, exc.name, exc.description, exc)
        return (
            render_template("error.html", status=exc.code, title=title, detail=detail),
            exc.code or 500,
            headers,
        )

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception):
        from app.core.extensions import db

        db.session.rollback()
        app.logger.exception("unhandled error on %s", request.path)
        if wants_problem():
            return problem_response(Problem(500, "Internal error", "An unexpected error occurred; it has been logged."))
        from app.core.labels import error_page_text

        title, detail = error_page_text(500, "Internal error", "")
        return render_template("error.html", status=500, title=title, detail=detail), 500


def _register_template_helpers(app: Flask) -> None:
    from flask_babel import get_locale

    from app.core import limits
    from app.core.formatting import euro, province_name

    app.jinja_env.globals["limits"] = limits  # the input limits, as the schemas check them

    @app.context_processor
    def inject() -> dict[str, Any]:
        return {"current_locale": str(get_locale()), "euro": euro}

    app.jinja_env.filters["euro"] = euro
    app.jinja_env.filters["province_name"] = province_name
