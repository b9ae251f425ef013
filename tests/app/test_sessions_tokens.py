"""Sessions and tokens that end. A session cookie captured before logout, a password change or a
deactivation no longer works after it; a session ends after an idle time and after an absolute
lifetime. API tokens expire (90 days by default), have a name and a last-used time, are stored
hashed, and can be revoked with ``flask revoke-token`` and on the account page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from sqlalchemy import select

from tests.app.jury_setup import PASSWORD, bearer, make_user


def login(app, email="admin@example.org"):
    c = app.test_client()
    assert c.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return c


def cookie_of(c) -> str:
    return c.get_cookie("session").value


def replay(app, cookie: str):
    c = app.test_client()
    c.set_cookie("session", cookie)
    return c


def assert_logged_out(c):
    page = c.get("/audit")
    assert page.status_code == 302 and "/login" in page.headers["Location"], page.status_code
    api = c.get("/api/v1/audit/verify")
    assert api.status_code == 401 and api.mimetype == "application/problem+json"


def assert_logged_in(c):
    assert c.get("/audit").status_code == 200
    assert c.get("/api/v1/audit/verify").status_code == 200


def _user(app, email):
    from app.core.extensions import db
    from app.models import User

    return db.session.scalar(select(User).where(User.email == email))


def test_a_cookie_captured_before_logout_is_dead_after_it(app):
    make_user(app, "admin@example.org", "admin")
    tab = login(app)
    captured = cookie_of(tab)
    other_device = login(app)
    assert_logged_in(replay(app, captured))
    assert tab.post("/logout").status_code == 302
    assert_logged_out(replay(app, captured))
    assert_logged_out(other_device)  # logout ends every session of the account
    assert_logged_in(login(app))  # and a new login works


def test_a_password_change_ends_the_other_sessions(app, runner):
    make_user(app, "admin@example.org", "admin")
    old = login(app)
    captured = cookie_of(old)
    tab = login(app)
    page = tab.get("/account").get_data(as_text=True)
    assert 'name="new_password"' in page
    resp = tab.post("/account/wachtwoord", data={"current_password": PASSWORD,
                                                 "new_password": "een nieuw lang wachtwoord"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    assert_logged_in(tab)  # the session that changed it goes on
    assert_logged_out(replay(app, captured))
    assert_logged_out(old)
    c = app.test_client()
    assert c.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 400
    assert c.post("/login", data={"email": "admin@example.org",
                                  "password": "een nieuw lang wachtwoord"}).status_code == 302


def test_a_wrong_current_password_or_a_weak_new_one_is_refused(app):
    make_user(app, "admin@example.org", "admin")
    tab = login(app)
    resp = tab.post("/account/wachtwoord", data={"current_password": "not it at all",
                                                 "new_password": "een nieuw lang wachtwoord"})
    assert resp.status_code == 400 and 'data-field="current_password"' in resp.get_data(as_text=True)
    resp = tab.post("/account/wachtwoord", data={"current_password": PASSWORD,
                                                 "new_password": "aaaaaaaaaaaa"})
    assert resp.status_code == 400 and 'data-field="new_password"' in resp.get_data(as_text=True)


def test_deactivation_ends_sessions_and_tokens(app):
    from app.core.extensions import db

    token = make_user(app, "admin@example.org", "admin")
    tab = login(app)
    with app.app_context():
        _user(app, "admin@example.org").active = False
        db.session.commit()
    assert_logged_out(tab)
    assert app.test_client().get("/api/v1/audit/verify", headers=bearer(token)).status_code == 401


def test_an_idle_session_ends(app):
    make_user(app, "admin@example.org", "admin")
    tab = login(app)
    idle = app.config["SESSION_IDLE_TIMEOUT"]
    assert timedelta(minutes=5) <= idle <= timedelta(hours=2)
    with tab.session_transaction() as s:
        s["seen_at"] = s["seen_at"] - idle.total_seconds() - 5
    assert_logged_out(tab)


def test_an_active_session_ends_after_its_absolute_lifetime(app):
    make_user(app, "admin@example.org", "admin")
    tab = login(app)
    life = app.config["SESSION_ABSOLUTE_TIMEOUT"]
    assert timedelta(hours=1) <= life <= timedelta(hours=24)
    with tab.session_transaction() as s:
        s["login_at"] = s["login_at"] - life.total_seconds() - 5
    assert_logged_out(tab)


def test_tokens_expire_after_90_days_by_default(app, runner):
    from app.core.extensions import db
    from app.models import ApiToken
    from app.models.registry import utcnow

    make_user(app, "juror@example.org", "juror")
    out = runner.invoke(args=["create-token", "juror@example.org", "--name", "laptop"])
    assert out.exit_code == 0, out.output
    plain = out.output.split()[0]
    assert "expires" in out.output
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == "laptop"))
        assert plain not in (row.token_hash,) and len(row.token_hash) == 64  # stored hashed
        lifetime = row.expires_at - row.created_at
        assert timedelta(days=89, hours=23) < lifetime <= timedelta(days=90)
        assert row.last_used_at is None
    c = app.test_client()
    assert c.get("/api/v1/calls", headers=bearer(plain)).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(ApiToken).where(ApiToken.name == "laptop"))
        assert row.last_used_at is not None
        row.expires_at = utcnow() - timedelta(seconds=1)
        db.session.commit()
    resp = c.get("/api/v1/calls", headers=bearer(plain))
    assert resp.status_code == 401 and "expired" in resp.json["detail"]
    out = runner.invoke(args=["create-token", "juror@example.org", "--days", "7"])
    assert out.exit_code == 0
    out = runner.invoke(args=["create-token", "juror@example.org", "--days", "100000"])
    assert out.exit_code != 0


def test_flask_revoke_token(app, runner):
    make_user(app, "juror@example.org", "juror")
    plain = runner.invoke(args=["create-token", "juror@example.org", "--name", "ci"]).output.split()[0]
    listing = runner.invoke(args=["list-tokens", "juror@example.org"])
    assert listing.exit_code == 0 and "ci" in listing.output and plain not in listing.output
    token_id = re.search(r"^\s*(\d+)\s.*\bci\b", listing.output, re.M).group(1)
    out = runner.invoke(args=["revoke-token", token_id])
    assert out.exit_code == 0, out.output
    assert app.test_client().get("/api/v1/calls", headers=bearer(plain)).status_code == 401
    assert runner.invoke(args=["revoke-token", token_id]).exit_code != 0  # already gone
    # every token of an account at once
    runner.invoke(args=["create-token", "juror@example.org"])
    out = runner.invoke(args=["revoke-token", "--all", "juror@example.org"])
    assert out.exit_code == 0 and "revoked" in out.output


def test_the_account_page_lists_and_revokes_only_ones_own_tokens(app):
    from app.core.extensions import db
    from app.models import ApiToken

    other = make_user(app, "other@example.org", "juror")
    make_user(app, "juror@example.org", "juror")
    tab = login(app, "juror@example.org")
    resp = tab.post("/account/tokens", data={"name": "scriptje", "days": "30"})
    assert resp.status_code == 200
    html = resp.get_data(as_text=True)
    plain = re.search(r'id="new-token"[^>]*>\s*(vt_[\w-]+)', html).group(1)  # shown once
    assert tab.get("/api/v1/calls", headers=bearer(plain)).status_code == 200
    page = tab.get("/account").get_data(as_text=True)
    assert "scriptje" in page and plain not in page
    with app.app_context():
        mine = db.session.scalar(select(ApiToken).where(ApiToken.name == "scriptje"))
        theirs = _user(app, "other@example.org").tokens[0].id
        assert 29 <= (mine.expires_at - mine.created_at).days <= 30
        mine_id = mine.id
    assert f'data-token="{theirs}"' not in page
    assert tab.post(f"/account/tokens/{theirs}/intrekken").status_code == 404
    assert app.test_client().get("/api/v1/calls", headers=bearer(other)).status_code == 200
    assert tab.post(f"/account/tokens/{mine_id}/intrekken").status_code == 302
    assert tab.get("/api/v1/calls", headers=bearer(plain)).status_code == 401


@pytest.mark.parametrize("days", ["0", "-1", "1000", "abc"])
def test_a_token_lifetime_out_of_bounds_is_refused_on_the_page(app, days):
    make_user(app, "juror@example.org", "juror")
    tab = login(app, "juror@example.org")
    resp = tab.post("/account/tokens", data={"name": "x", "days": days})
    assert resp.status_code == 400 and 'data-field="days"' in resp.get_data(as_text=True)
