"""Onboarding from the web: the secretariat invites a juror or a city user; the link (stored only
as its digest) sets a password once, expires, and a newer link replaces it; every step audited."""

from __future__ import annotations

import re
from datetime import timedelta

from sqlalchemy import select

PASSWORD = "correct horse battery"
NEW_PASSWORD = "lighthouse keeper at dawn"


def admin_client(app, client, admin_token):
    assert client.post("/login", data={"email": "admin@example.org",
                                       "password": PASSWORD}).status_code == 302
    return client


def invite(client, **data):
    form = {"email": "", "name": "", "role": "juror", "municipality": "", "organisation": ""}
    form.update(data)
    return client.post("/beheer/gebruikers", data=form)


def link_of(resp) -> str:
    html = resp.get_data(as_text=True)
    match = re.search(r'id="invitation-link">([^<]+)<', html)
    assert match, html[:2000]
    return match.group(1).split("://", 1)[1].split("/", 1)[1]


def test_a_juror_is_invited_sets_a_password_once_and_is_logged_in(app, client, admin_token):
    admin = admin_client(app, client, admin_token)
    resp = invite(admin, email="Jurylid@Example.org", name="An Jurylid", role="juror")
    assert resp.status_code == 201
    path = "/" + link_of(resp)
    token = path.rsplit("/", 1)[1]

    from app.core.extensions import db
    from app.models import AuditEntry, Invitation, User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "jurylid@example.org"))
        assert user.role == "juror" and user.name == "An Jurylid"
        row = db.session.scalar(select(Invitation).where(Invitation.user_id == user.id))
        assert row.token_hash != token and len(row.token_hash) == 64  # only the digest is stored
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert "account.invited" in actions

    other = app.test_client()
    assert other.get(path).status_code == 200
    bad = other.post(path, data={"password": "short", "repeat": "other"})
    assert bad.status_code == 400
    html = bad.get_data(as_text=True)
    assert "verschillen" in html
    ok = other.post(path, data={"password": NEW_PASSWORD, "repeat": NEW_PASSWORD})
    assert ok.status_code == 302 and ok.headers["Location"].endswith("/jury")
    assert other.get("/jury").status_code == 200
    assert other.get(path).status_code == 410  # used once
    fresh = app.test_client()
    assert fresh.post("/login", data={"email": "jurylid@example.org",
                                      "password": NEW_PASSWORD}).status_code == 302
    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action)))
        assert "account.invitation_accepted" in actions


def test_a_city_user_needs_a_municipality_and_all_errors_show_at_once(app, client, admin_token):
    admin = admin_client(app, client, admin_token)
    resp = invite(admin, email="", role="city")
    assert resp.status_code == 400
    resp = invite(admin, email="stad@example.org", role="city")
    assert resp.status_code == 400 and "hoort bij een gemeente" in resp.get_data(as_text=True)
    resp = invite(admin, email="stad@example.org", role="city", municipality="24062")
    assert resp.status_code == 201
    resp = invite(admin, email="stad@example.org", role="city", municipality="24062")
    assert resp.status_code == 409 and "bestaat al" in resp.get_data(as_text=True)

    from app.core.extensions import db
    from app.models import User

    with app.app_context():
        user = db.session.scalar(select(User).where(User.email == "stad@example.org"))
        assert user.municipality.refnis == "24062"


def test_a_new_link_replaces_the_old_one_and_an_expired_link_is_refused(app, client, admin_token):
    admin = admin_client(app, client, admin_token)
    first = "/" + link_of(invite(admin, email="j2@example.org", role="juror"))

    from app.core.extensions import db
    from app.models import Invitation, User

    with app.app_context():
        uid = db.session.scalar(select(User.id).where(User.email == "j2@example.org"))
    second = "/" + link_of(admin.post(f"/beheer/gebruikers/{uid}/uitnodigen"))
    assert app.test_client().get(first).status_code == 410
    assert app.test_client().get(second).status_code == 200
    with app.app_context():
        row = db.session.scalar(select(Invitation).where(Invitation.user_id == uid,
                                                         Invitation.revoked_at.is_(None)))
        row.expires_at = row.expires_at - timedelta(days=30)
        db.session.commit()
    assert app.test_client().get(second).status_code == 410
    assert app.test_client().get("/uitnodiging/not-a-token").status_code == 404
    page = admin.get("/beheer/gebruikers").get_data(as_text=True)
    assert "vervallen op" in page


def test_the_link_is_mailed_when_an_smtp_server_is_configured(app, client, admin_token, monkeypatch):
    sent = []

    class FakeSMTP:
        def __init__(self, host, port, timeout):
            sent.append(("connect", host, port))

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def starttls(self, context):
            sent.append(("starttls",))

        def send_message(self, message):
            sent.append(("send", message["To"], message.get_content()))

    import smtplib

    monkeypatch.setattr(smtplib, "SMTP", FakeSMTP)
    app.config.update(MAIL_SERVER="smtp.example.org", MAIL_PORT=587)
    admin = admin_client(app, client, admin_token)
    resp = invite(admin, email="j3@example.org", role="juror")
    assert resp.status_code == 201
    html = resp.get_data(as_text=True)
    assert "gemaild naar j3@example.org" in html and 'id="invitation-link"' not in html
    kind, to, body = sent[-1]
    assert kind == "send" and to == "j3@example.org" and "/uitnodiging/" in body


def test_only_the_secretariat_invites(app, client, city_token):
    assert client.post("/login", data={"email": "city@example.org",
                                       "password": PASSWORD}).status_code == 302
    assert client.get("/beheer/gebruikers").status_code == 403
    assert invite(client, email="x@example.org").status_code == 403
