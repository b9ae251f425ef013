"""Operator commands: seed is idempotent, users and tokens, one-line errors."""

from __future__ import annotations

from sqlalchemy import func, select


def test_seed_twice_changes_nothing(runner):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert "nothing to change" in result.output


def test_create_user_and_token_then_write_with_it(app, runner, client):
    r = runner.invoke(args=["create-user", "SRO@Example.org", "--role", "admin"])
    assert r.exit_code == 0, r.output
    assert "password (shown once):" in r.output
    r = runner.invoke(args=["create-token", "sro@example.org"])
    assert r.exit_code == 0
    token = r.output.split()[0]  # then its id and expiry
    resp = client.post("/api/v1/projects", headers={"Authorization": f"Bearer {token}"},
                       json={"title": "Via token", "programme": "other", "year": 2023})
    assert resp.status_code == 201, resp.json


def test_create_user_password_from_stdin(app, runner):
    from app.core.extensions import db
    from app.models import User

    r = runner.invoke(args=["create-user", "juror@example.org", "--role", "juror", "--password-stdin"],
                      input="a-long-password\n")
    assert r.exit_code == 0 and "shown once" not in r.output
    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "juror@example.org"))
        assert user.check_password("a-long-password") and user.role == "juror"


def test_cli_errors_are_one_readable_line(runner):
    r = runner.invoke(args=["create-token", "nobody@example.org"])
    assert r.exit_code != 0 and "no user nobody@example.org" in r.output
    r = runner.invoke(args=["create-user", "x@example.org", "--municipality", "99999"])
    assert r.exit_code != 0 and "unknown municipality REFNIS 99999" in r.output
    r = runner.invoke(args=["create-user", "not-an-email"])
    assert r.exit_code != 0 and "not an e-mail address" in r.output


def test_ensure_admin_only_once(app, runner):
    from app.core.extensions import db
    from app.models import User

    r1 = runner.invoke(args=["ensure-admin"])
    r2 = runner.invoke(args=["ensure-admin"])
    assert "shown once" in r1.output and "exists" in r2.output
    with app.app_context():
        assert db.session.scalar(select(func.count()).select_from(User).where(User.role == "admin")) == 1
