"""Migrations upgrade, downgrade to nothing and upgrade again, on every backend."""

from __future__ import annotations

import os

import pytest
from sqlalchemy import inspect

from tests.conftest import PG_URL, _pg_exec, _pg_url_for, make_app


@pytest.fixture(params=["sqlite"] + (["postgresql"] if PG_URL else []))
def empty_url(request, tmp_path):
    if request.param == "sqlite":
        yield f"sqlite:///{tmp_path / 'empty.sqlite'}"
    else:
        name = f"vt_mig_{os.getpid()}"
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}"')
        _pg_exec(f'CREATE DATABASE "{name}"')
        yield _pg_url_for(name)
        _pg_exec(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_upgrade_downgrade_upgrade(empty_url):
    from flask_migrate import downgrade, upgrade

    from app.core.extensions import db

    app = make_app(empty_url)
    with app.app_context():
        upgrade()
        tables = set(inspect(db.engine).get_table_names())
        assert {"municipality", "project", "participation", "user_account", "api_token"} <= tables
        assert set(db.metadata.tables) <= tables, "a model table has no migration"
        downgrade(revision="base")
        db.session.remove()
        assert set(inspect(db.engine).get_table_names()) <= {"alembic_version"}
        upgrade()
        assert set(db.metadata.tables) <= set(inspect(db.engine).get_table_names())
        db.engine.dispose()


def test_models_and_migrations_agree(empty_url):
    """Autogenerate finds nothing at all to change: every model change has its revision.

    The WHOLE diff must be empty (tables, columns, types, nullability, server defaults, indexes,
    unique and foreign keys), compared as `flask db check` compares (migrations/env.py).
    """
    from alembic.autogenerate import compare_metadata
    from alembic.migration import MigrationContext
    from flask_migrate import upgrade

    from app.core.extensions import db

    app = make_app(empty_url)
    with app.app_context():
        upgrade()
        with db.engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"compare_type": True, "compare_server_default": True})
            diff = compare_metadata(context, db.metadata)
        db.engine.dispose()
    assert diff == [], "models and migrations differ (add a new revision):\n" + "\n".join(map(repr, diff))


def test_population_year_becomes_population_date_and_back(empty_url):
    """0005 replaces the load year by Statbel's reference date; the downgrade keeps its year."""
    from flask_migrate import downgrade, upgrade
    from sqlalchemy import text

    from app.core.extensions import db

    app = make_app(empty_url)
    with app.app_context():
        upgrade(revision="0004_cluster_plans")
        db.session.execute(text(
            "INSERT INTO municipality (refnis, name_nl, name_search, region, is_centrumstad, "
            "population, population_year) VALUES ('23038', 'Kampenhout', 'kampenhout', "
            "'flanders', false, 1538, 2026)"
        ))
        db.session.commit()
        upgrade(revision="0005_population_date")
        db.session.remove()
        columns = {c["name"] for c in inspect(db.engine).get_columns("municipality")}
        assert "population_date" in columns and "population_year" not in columns
        row = db.session.execute(text(
            "SELECT population, population_date FROM municipality WHERE refnis = '23038'"
        )).one()
        assert row == (1538, None)  # a load year is no reference date: the seed fills it
        db.session.execute(text(
            "UPDATE municipality SET population = 12129, population_date = '2020-01-01'"
        ))
        db.session.commit()
        downgrade(revision="0004_cluster_plans")
        db.session.remove()
        row = db.session.execute(text(
            "SELECT population, population_year FROM municipality WHERE refnis = '23038'"
        )).one()
        assert row == (12129, 2020)
        db.session.remove()
        db.engine.dispose()
