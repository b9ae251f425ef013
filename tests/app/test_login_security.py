"""Login: the same work whatever the address (no account enumeration by timing), a password
policy per ASVS 2.1 (at least 12 characters, common passwords refused, no composition rules),
and a lockout keyed on account and client address also behind the configured reverse proxies."""

from __future__ import annotations

import time

import pytest

from tests.app.jury_setup import PASSWORD, make_user
from tests.conftest import make_app


def _login(client, email, password, **kw):
    return client.post("/login", data={"email": email, "password": password}, **kw)


def test_unknown_and_known_addresses_cost_one_password_check_each(app, client, monkeypatch):
    import werkzeug.security

    make_user(app, "juror@example.org", "juror")
    calls: list[str] = []
    real = werkzeug.security.check_password_hash

    def spy(pwhash, password):
        calls.append(pwhash)
        return real(pwhash, password)

    import app.models.users as users

    monkeypatch.setattr(users, "check_password_hash", spy)
    for email in ("juror@example.org", "nobody@example.org"):
        calls.clear()
        assert _login(client, email, "wrong password here").status_code == 400
        assert len(calls) == 1, (email, calls)
        method = calls[0].split("$", 1)[0]
        assert method.startswith(("scrypt", "pbkdf2")), method


def test_unknown_and_known_addresses_answer_in_about_the_same_time(app, client):
    make_user(app, "juror@example.org", "juror")

    def fastest(email: str) -> float:
        best = 10.0
        for i in range(3):
            t = time.perf_counter()
            _login(client, email, f"wrong password {i}", environ_base={"REMOTE_ADDR": f"10.1.{i}.1"})
            best = min(best, time.perf_counter() - t)
        return best

    known, unknown = fastest("juror@example.org"), fastest("nobody@example.org")
    assert unknown > 0.5 * known, (known, unknown)


@pytest.mark.parametrize("password, ok", [
    ("aaaaaaaaaa", False),            # too short
    ("kort wacht", False),            # too short
    ("aaaaaaaaaaaa", False),          # 12, but a repeat
    ("qwerty123456", False),          # on the common-password list
    ("1qaz2wsx3edc", False),          # on the common-password list
    ("passwordpassword", False),
    ("x" * 129, False),               # longer than we hash
    ("correct horse battery", True),  # no composition rules: lower case and spaces are fine
    ("vuurtoren aan zee", True),
    ("Lange zin zonder cijfers", True),
])
def test_the_password_policy(app, runner, password, ok):
    out = runner.invoke(args=["create-user", "new@example.org", "--role", "juror", "--password-stdin"],
                        input=password + "\n")
    assert (out.exit_code == 0) is ok, out.output
    if not ok:
        assert "password" in out.output


def test_the_policy_function_explains(app):
    from app.models.users import password_problems

    assert password_problems("correct horse battery") == []
    assert any("12" in p for p in password_problems("kort"))
    assert password_problems("qwerty123456")


def test_the_generated_admin_password_satisfies_the_policy_and_logs_in(app, runner):
    from app.models.users import password_problems

    out = runner.invoke(args=["ensure-admin", "--email", "boss@example.org"])
    assert out.exit_code == 0, out.output
    password = out.output.rsplit(":", 1)[1].strip()
    assert password_problems(password) == []
    assert _login(app.test_client(), "boss@example.org", password).status_code == 302
    out = runner.invoke(args=["create-user", "gen@example.org", "--role", "city"])
    generated = out.output.rsplit(":", 1)[1].strip()
    assert password_problems(generated) == []
    assert _login(app.test_client(), "gen@example.org", generated).status_code == 302


def test_behind_one_trusted_proxy_the_lockout_is_per_client(db_url):
    app = make_app(db_url, TRUSTED_PROXIES=1)
    make_user(app, "juror@example.org", "juror")
    client = app.test_client()

    def via_proxy(client_ip, password):
        return _login(client, "juror@example.org", password,
                      environ_base={"REMOTE_ADDR": "10.0.0.1"},
                      headers={"X-Forwarded-For": client_ip, "X-Forwarded-Proto": "https"})

    for _ in range(5):
        assert via_proxy("203.0.113.5", "wrong password").status_code == 400
    assert via_proxy("203.0.113.5", PASSWORD).status_code == 429
    assert via_proxy("203.0.113.6", PASSWORD).status_code == 302  # another client is not locked out
    with app.app_context():
        from app.core.extensions import db
        from app.models import LoginFailure

        assert {f.ip for f in db.session.query(LoginFailure)} == {"203.0.113.5"}
        db.session.remove()
        db.engine.dispose()


def test_without_trusted_proxies_a_forwarded_header_is_ignored(app, client):
    make_user(app, "juror@example.org", "juror")
    for i in range(5):
        _login(client, "juror@example.org", "wrong password", environ_base={"REMOTE_ADDR": "198.51.100.7"},
               headers={"X-Forwarded-For": f"203.0.113.{i}"})
    resp = _login(client, "juror@example.org", PASSWORD, environ_base={"REMOTE_ADDR": "198.51.100.7"},
                  headers={"X-Forwarded-For": "203.0.113.99"})
    assert resp.status_code == 429
