"""Settings: production refuses a missing SECRET_KEY; plain postgresql:// URLs work."""

from __future__ import annotations

import pytest

from config import ConfigError, load_config, normalise_database_url


def test_production_refuses_to_start_without_a_real_secret_key(monkeypatch):
    monkeypatch.setenv("VUURTOREN_ENV", "production")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    with pytest.raises(ConfigError, match="SECRET_KEY"):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "changeme")
    with pytest.raises(ConfigError):
        load_config()
    monkeypatch.setenv("SECRET_KEY", "a" * 32)
    assert load_config()["SECRET_KEY"] == "a" * 32


def test_development_gets_a_dev_key(monkeypatch):
    monkeypatch.setenv("VUURTOREN_ENV", "development")
    monkeypatch.delenv("SECRET_KEY", raising=False)
    assert load_config()["SECRET_KEY"]


def test_plain_postgresql_url_uses_installed_driver():
    assert normalise_database_url("postgresql://u@h:5432/db") == "postgresql+psycopg://u@h:5432/db"
    assert normalise_database_url("postgres://u@h/db") == "postgresql+psycopg://u@h/db"
    assert normalise_database_url("sqlite:///x.db") == "sqlite:///x.db"
