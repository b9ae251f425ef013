"""Security headers on every answer (pages, API, errors, static files): a Content-Security-Policy
without inline scripts that forbids framing, nosniff and a Referrer-Policy; in production also
HSTS and Secure/HttpOnly/SameSite=Lax cookies. No template carries an inline script."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.app.jury_setup import PASSWORD, make_user

TEMPLATES = Path(__file__).resolve().parents[2] / "app"


def csp(resp) -> dict[str, list[str]]:
    header = resp.headers.get("Content-Security-Policy", "")
    out = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            out[words[0]] = words[1:]
    return out


@pytest.mark.parametrize("url", ["/", "/gemeenten", "/login", "/api/v1/municipalities",
                                 "/api/v1/openapi.json", "/static/css/app.css",
                                 "/does-not-exist", "/api/v1/does-not-exist"])
def test_every_answer_carries_the_headers(client, url):
    resp = client.get(url)
    policy = csp(resp)
    assert policy, (url, dict(resp.headers))
    scripts = policy.get("script-src") or policy.get("default-src")
    assert scripts and "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts
    assert "*" not in scripts and not any(s.startswith("http") for s in scripts)
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy.get("object-src") == ["'none'"]
    assert policy.get("base-uri") in (["'self'"], ["'none'"])
    assert policy.get("form-action") == ["'self'"]
    assert resp.headers["X-Content-Type-Options"] == "nosniff"
    assert resp.headers["Referrer-Policy"] in ("same-origin", "strict-origin-when-cross-origin", "no-referrer")
    assert resp.headers.get("X-Frame-Options") == "DENY"
    # development and tests run on plain http: no HSTS there
    assert "Strict-Transport-Security" not in resp.headers


def test_the_scoring_and_publish_forms_cannot_be_framed(app):
    make_user(app, "admin@example.org", "admin")
    c = app.test_client()
    assert c.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    resp = c.get("/audit")
    assert resp.status_code == 200 and csp(resp)["frame-ancestors"] == ["'none'"]


def test_no_template_has_an_inline_script_or_handler():
    offenders = []
    for path in TEMPLATES.rglob("*.html"):
        text = path.read_text()
        for m in re.finditer(r"<script\b[^>]*>", text):  # a JSON data block is not a script
            if "src=" not in m.group(0) and 'type="application/json"' not in m.group(0):
                offenders.append(f"{path}: {m.group(0)}")
        for m in re.finditer(r"\son[a-z]+\s*=", text):
            offenders.append(f"{path}: {m.group(0).strip()}")
        if "javascript:" in text:
            offenders.append(f"{path}: javascript: URL")
    assert not offenders, offenders


@pytest.fixture
def production_app(db_url, monkeypatch):
    from app import create_app

    monkeypatch.setenv("VUURTOREN_ENV", "production")
    app = create_app({"DATABASE_URL": db_url, "SECRET_KEY": "a-real-production-secret-0123456789"})
    yield app
    from app.core.extensions import db

    with app.app_context():
        db.session.remove()
        db.engine.dispose()


def test_production_sends_hsts_and_secure_cookies(production_app):
    assert production_app.config["SESSION_COOKIE_SECURE"] is True
    assert production_app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert production_app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert production_app.config["REMEMBER_COOKIE_SECURE"] is True
    make_user(production_app, "admin@example.org", "admin")
    c = production_app.test_client()
    resp = c.get("/login", base_url="https://vuurtoren.example")
    hsts = resp.headers["Strict-Transport-Security"]
    assert re.search(r"max-age=(\d+)", hsts) and int(re.search(r"max-age=(\d+)", hsts).group(1)) >= 31536000
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', resp.get_data(as_text=True)).group(1)
    resp = c.post("/login", base_url="https://vuurtoren.example",
                  headers={"Referer": "https://vuurtoren.example/login"},  # as a browser sends it
                  data={"email": "admin@example.org", "password": PASSWORD, "csrf_token": token})
    assert resp.status_code == 302
    cookie = resp.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    # plain http is sent to https in production
    resp = production_app.test_client().get("/login", base_url="http://vuurtoren.example")
    assert resp.status_code in (301, 302) and resp.headers["Location"].startswith("https://")
