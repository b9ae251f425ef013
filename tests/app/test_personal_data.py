"""Personal data: the audit chain names no one (pseudonyms), who a pseudonym is stays known for
the retention period and can be erased without breaking `flask audit-verify`; every user can
download everything the service holds about them; the privacy notice says why and how long."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlalchemy import select, text

from tests.app.test_api_bad_input import assert_problem
from tests.app.test_api_calls import application, city_headers, make_call, post_app
from tests.app.test_call_pages import login

API = "/api/v1"


def _chain_text(app) -> str:
    from app.core.extensions import db

    with app.app_context():
        rows = db.session.execute(text("SELECT actor, payload FROM audit_log")).all()
        db.session.remove()
    return "\n".join(f"{a} {json.dumps(p) if not isinstance(p, str) else p}" for a, p in rows)


def _verify(app) -> str:
    out = app.test_cli_runner().invoke(args=["audit-verify"])
    assert out.exit_code == 0, out.output
    return out.output


def _admin_person(client, admin_headers) -> dict:
    items = client.get(f"{API}/personal-data", headers=admin_headers).json["items"]
    return next(p for p in items if p["email"] == "admin@example.org")


def test_the_chain_stores_pseudonyms_and_the_secretariat_sees_who(app, client, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    post_app(client, gent, call["id"], application())
    chain = _chain_text(app)
    assert "@" not in chain  # no e-mail address anywhere in the chain, actor or payload
    entries = client.get(f"{API}/audit", headers=admin_headers).json["items"]
    submit = next(e for e in entries if e["action"] == "application.submit")
    assert submit["actor"].startswith("person:") and len(submit["actor"]) == len("person:") + 20
    assert submit["person"]["email"] == "city-44021@example.org"
    transition = next(e for e in entries if e["action"] == "call.transition")
    assert transition["person"]["email"] == "admin@example.org"
    assert transition["actor"] != submit["actor"]


def test_erasing_who_a_pseudonym_is_keeps_the_chain_verifying(app, client, admin_headers):
    make_call(client, admin_headers)
    before = _verify(app)
    person = _admin_person(client, admin_headers)
    assert person["retained_until"] is None  # the call it concerns is still open
    url = f"{API}/personal-data/{person['pseudonym']}/erase"
    assert_problem(client.post(url, json={"reason": "whenever"}, headers=admin_headers), 400, "reason")
    assert_problem(client.post(url, headers=city_headers(app, "44021")), 403)
    resp = client.post(url, headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert resp.json["email"] is None and resp.json["erased_reason"] == "request"
    assert_problem(client.post(url, headers=admin_headers), 409, "pseudonym")
    assert_problem(client.post(f"{API}/personal-data/nobody/erase", headers=admin_headers), 404,
                   "pseudonym")
    entries = client.get(f"{API}/audit", headers=admin_headers).json["items"]
    old = [e for e in entries if e["actor"] == f"person:{person['pseudonym']}"]
    assert old and all(e["person"]["erased"] for e in old)
    erased = next(e for e in entries if e["action"] == "personal_data.erased")
    assert erased["payload"] == {"pseudonym": person["pseudonym"], "reason": "request",
                                 "account": False}
    assert erased["actor"] != f"person:{person['pseudonym']}"  # the admin acts under a new one
    after = _verify(app)
    assert "audit chain OK" in before and "audit chain OK" in after


def test_the_retention_period_runs_from_the_close_of_the_last_call(app, client, admin_headers):
    from app.accounts import personal_data
    from app.core.extensions import db
    from app.models import AuditPerson, Call

    call = make_call(client, admin_headers)
    pseudonym = _admin_person(client, admin_headers)["pseudonym"]
    long_ago = datetime.now(UTC) - timedelta(days=8 * 366)
    with app.app_context():
        assert personal_data.purge(dry_run=True) == []  # the call is open: kept
        db.session.get(Call, call["id"]).closed_at = datetime.now(UTC) - timedelta(days=30)
        db.session.get(AuditPerson, pseudonym).created_at = long_ago
        db.session.commit()
        assert personal_data.purge(dry_run=True) == []  # closed a month ago: 7 years to go
        end = personal_data.retention_end(db.session.get(AuditPerson, pseudonym))
        assert end.year == datetime.now(UTC).year + 7
        db.session.get(Call, call["id"]).closed_at = long_ago
        db.session.commit()
        db.session.remove()
    listed = client.get(f"{API}/personal-data", headers=admin_headers).json
    assert listed["retention_years"] == 7
    assert next(p for p in listed["items"] if p["pseudonym"] == pseudonym)["expired"] is True
    out = app.test_cli_runner().invoke(args=["personal-data", "purge"])
    assert out.exit_code == 0 and pseudonym in out.output, out.output
    with app.app_context():
        row = db.session.get(AuditPerson, pseudonym)
        assert row.erased_reason == "retention" and row.email is None and row.user_id is None
        db.session.remove()
    _verify(app)


def test_erasing_a_person_and_their_account_from_the_cli(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import User

    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    post_app(client, gent, call["id"], application())
    runner = app.test_cli_runner()
    out = runner.invoke(args=["personal-data", "erase", "city-44021@example.org", "--account"])
    assert out.exit_code == 0 and "anonymised the account" in out.output, out.output
    assert "city-44021@example.org" not in runner.invoke(args=["personal-data", "list"]).output
    with app.app_context():
        assert db.session.scalar(select(User).where(User.email == "city-44021@example.org")) is None
        db.session.remove()
    assert client.get(f"{API}/account/export", headers=gent).status_code == 401  # token removed
    assert runner.invoke(args=["personal-data", "erase", "nobody@example.org"]).exit_code == 1
    _verify(app)


def test_a_user_downloads_everything_the_service_holds_about_them(app, client, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    created = post_app(client, gent, call["id"], application())
    body = client.get(f"{API}/account/export", headers=gent).json
    assert body["user"]["email"] == "city-44021@example.org" and "password_hash" not in body["user"]
    assert [r["id"] for r in body["records"]["application.created_by_id"]] == [created["id"]]
    assert "token_hash" not in body["records"]["api_token.user_id"][0]
    assert body["audit_identity"]["pseudonym"]
    assert [e["action"] for e in body["audit_entries"]] == ["application.submit"]
    user_id = body["user"]["id"]
    by_admin = client.get(f"{API}/users/{user_id}/export", headers=admin_headers).json
    assert by_admin["records"] == body["records"]
    assert_problem(client.get(f"{API}/users/{user_id}/export", headers=gent), 403)
    assert_problem(client.get(f"{API}/users/999999/export", headers=admin_headers), 404, "user_id")
    out = app.test_cli_runner().invoke(args=["personal-data", "export", "city-44021@example.org"])
    assert json.loads(out.output)["user"]["id"] == user_id


def test_the_privacy_notice_and_the_pages(app, client, admin_headers):
    home = client.get("/")
    assert b'id="footer-privacy"' in home.data
    page = client.get("/privacy")
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    for section in ("purpose", "legal-basis", "retention", "rights", "contact"):
        assert f'id="{section}"' in html
    assert "7 jaar" in html and "privacy@vuurtoren.local" in html and "6, lid 1, e)" in html
    client.get("/lang/en")
    assert "7 years" in client.get("/privacy").get_data(as_text=True)
    client.get("/lang/nl")
    make_call(client, admin_headers)
    login(client, "admin@example.org")
    assert b'id="export-link"' in client.get("/account").data
    download = client.get("/account/gegevens.json")
    assert download.mimetype == "application/json"
    assert json.loads(download.data)["user"]["email"] == "admin@example.org"
    listing = client.get("/beheer/persoonsgegevens").get_data(as_text=True)
    pseudonym = _admin_person(client, admin_headers)["pseudonym"]
    assert pseudonym in listing and "admin@example.org" in listing
    done = client.post(f"/beheer/persoonsgegevens/{pseudonym}/wissen", data={"reason": "request"})
    assert done.status_code == 302
    assert "gewist op" in client.get("/beheer/persoonsgegevens").get_data(as_text=True)
    _verify(app)
