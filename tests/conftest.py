"""Shared fixtures: an app on a freshly migrated and seeded database, per backend.

Every test that asks for ``app`` gets its own database copied from a template that was migrated
and seeded once per session: a file copy on SQLite, ``CREATE DATABASE ... TEMPLATE`` on
PostgreSQL. Tests run on SQLite always and on PostgreSQL when ``TEST_DATABASE_URL`` is set; with
``REQUIRE_POSTGRES=1`` (CI) an unreachable PostgreSQL fails the run instead of skipping.

The same holds for the other services the suite uses: Redis (``REQUIRE_REDIS=1``) and Chromium
(``REQUIRE_BROWSER=1``). ``.ci/run`` sets all three; elsewhere a missing service skips its tests
with one line in the summary (see :func:`require_service`).
"""

from __future__ import annotations

import itertools
import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

from config import normalise_database_url

PG_URL = os.environ.get("TEST_DATABASE_URL")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])
_counter = itertools.count()


_SERVICE_SKIP = "=1 to make this a failure)"


def require_service(flag: str, tests: str, missing: str) -> NoReturn:
    """A service these ``tests`` need is ``missing``: fail when ``flag`` is set (CI), else skip.

    However many tests it skips, ``pytest -rs`` shows ONE line per missing service (see
    :func:`pytest_runtest_makereport`).
    """
    if os.environ.get(flag):
        pytest.fail(f"{missing}: {flag}=1 requires it for the {tests}", pytrace=False)
    pytest.skip(f"{tests} skipped: {missing} (set {flag}{_SERVICE_SKIP}")


@pytest.hookimpl(wrapper=True)
def pytest_runtest_makereport(item, call):
    """Report a missing-service skip at one place, so the summary folds them into one line."""
    report = yield
    if report.skipped and isinstance(report.longrepr, tuple) and _SERVICE_SKIP in report.longrepr[2]:
        report.longrepr = ("tests/conftest.py", None, report.longrepr[2])
    return report


def pytest_configure(config):
    if os.environ.get("REQUIRE_POSTGRES") and not PG_URL:
        raise pytest.UsageError("REQUIRE_POSTGRES=1 but TEST_DATABASE_URL is not set")


def _pg_admin_engine():
    from sqlalchemy import create_engine

    return create_engine(normalise_database_url(PG_URL), isolation_level="AUTOCOMMIT")


def _pg_url_for(dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(normalise_database_url(PG_URL)).set(database=dbname).render_as_string(hide_password=False)


def _pg_exec(sql: str) -> None:
    from sqlalchemy import text

    engine = _pg_admin_engine()
    with engine.connect() as conn:
        conn.execute(text(sql))
    engine.dispose()


def make_app(url: str, **extra):
    from app import create_app

    config = {"TESTING": True, "DATABASE_URL": url, "SECRET_KEY": "test-secret-key-0123456789",
              "WTF_CSRF_ENABLED": False}
    config.update(extra)
    return create_app(config)


def migrate_and_seed(url: str) -> None:
    from flask_migrate import upgrade

    from app.core.extensions import db
    from app.registry.seed import seed_all

    app = make_app(url)
    with app.app_context():
        upgrade()
        seed_all()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture(scope="session")
def templates(tmp_path_factory):
    """Migrated + seeded template databases, one per backend."""
    out = {}
    tmp = tmp_path_factory.mktemp("db")
    sqlite_file = tmp / "template.sqlite"
    migrate_and_seed(f"sqlite:///{sqlite_file}")
    out["sqlite"] = sqlite_file
    if PG_URL:
        name = f"vt_tpl_{os.getpid()}"
        try:
            _pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
            _pg_exec(f'CREATE DATABASE "{name}"')
        except Exception as err:  # pragma: no cover - depends on the machine
            if os.environ.get("REQUIRE_POSTGRES"):
                pytest.fail(f"PostgreSQL at TEST_DATABASE_URL is required but unreachable: {err}")
            raise
        migrate_and_seed(_pg_url_for(name))
        out["postgresql"] = name
    yield out
    if PG_URL:
        _pg_exec(f'DROP DATABASE IF EXISTS "{out["postgresql"]}"')


@pytest.fixture(params=BACKENDS)
def db_url(request, templates, tmp_path):
    """URL of a fresh seeded database for this test."""
    if request.param == "sqlite":
        target = tmp_path / "test.sqlite"
        shutil.copy(templates["sqlite"], target)
        yield f"sqlite:///{target}"
    else:
        name = f"vt_{os.getpid()}_{next(_counter)}"
        _pg_exec(f'CREATE DATABASE "{name}" TEMPLATE "{templates["postgresql"]}"')
        yield _pg_url_for(name)
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def app(db_url, tmp_path):
    app = make_app(db_url, DOCUMENTS_DIR=tmp_path / "documents")
    yield app
    from app.core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


def _user_with_token(app, email: str, role: str, **affiliation) -> str:
    from app.core.extensions import db
    from app.models import ApiToken, User

    with app.app_context():
        user = User(email=email, role=role, **affiliation)
        user.set_password("correct horse battery")
        token, plain = ApiToken.issue(user)
        db.session.add_all([user, token])
        db.session.commit()
    return plain


@pytest.fixture
def admin_token(app) -> str:
    return _user_with_token(app, "admin@example.org", "admin")


@pytest.fixture
def admin_headers(admin_token) -> dict:
    return {"Authorization": f"Bearer {admin_token}"}


@pytest.fixture
def city_token(app) -> str:
    return _user_with_token(app, "city@example.org", "city")


def pytest_collection_modifyitems(config, items):
    root = Path(__file__).parent
    for item in items:
        if (root / "e2e") in Path(str(item.fspath)).parents:
            item.add_marker(pytest.mark.e2e)
