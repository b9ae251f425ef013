"""No cross-site writes: a browser session cannot be used to write through the API without the
CSRF token, a foreign Origin or Referer is refused on every state-changing request, and a POST
without a body accepts no form encoding. Bearer tokens are unaffected."""

from __future__ import annotations

import re

import pytest

from tests.app.jury_setup import PASSWORD, add_jurors, assign, demo_call, email_of, jurors_of

PROBLEM = "application/problem+json"


def web(app, email):
    c = app.test_client()
    assert c.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return c


def csrf_token(c) -> str:
    html = c.get("/").get_data(as_text=True)
    return re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)


@pytest.fixture
def jury(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    return j, a, email_of(j, jurors_of(result, a)[0])


def test_a_juror_session_cannot_submit_scores_cross_site(app, jury):
    j, a, email = jury
    tab = web(app, email)
    url = f"/api/v1/applications/{a}/scores/submit"
    # what another site's form can send: form-encoded, the session cookie, no token
    resp = tab.post(url, data={"x": "1"})
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    assert "CSRF" in resp.json["detail"]
    resp = tab.post(url)  # no body at all, still only the cookie
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    resp = tab.put(f"/api/v1/applications/{a}/scores/leverage", headers={"X-CSRFToken": "forged"},
                   json={"score": 6, "motivation": "Sterke schaalbaarheid naar twaalf gemeenten.",
                         "version": 0})
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    # the page's own token in the header lets the session write (the scores are incomplete: 400)
    token = csrf_token(tab)
    resp = tab.put(f"/api/v1/applications/{a}/scores/leverage", headers={"X-CSRFToken": token},
                   json={"score": 6, "motivation": "Sterke schaalbaarheid naar twaalf gemeenten.",
                         "version": 0})
    assert resp.status_code == 200, resp.json
    assert resp.json["score"] in (6, "6", 6.0)
    # reading with the cookie stays possible without a token
    assert tab.get(f"/api/v1/applications/{a}/scores").status_code == 200


def test_an_admin_session_cannot_reassign_the_jury_cross_site(app, client, admin_headers, jury):
    j, _a, _email = jury
    tab = web(app, "admin@example.org")
    before = client.get(f"/api/v1/calls/{j.call_id}/assignments", headers=admin_headers).json
    resp = tab.post(f"/api/v1/calls/{j.call_id}/assignments",
                    json={"reviewers_per_application": 2, "max_load": 8})
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    after = client.get(f"/api/v1/calls/{j.call_id}/assignments", headers=admin_headers).json
    assert after == before


def test_bearer_tokens_need_no_csrf_token(client, jury):
    j, a, email = jury
    resp = client.put(f"/api/v1/applications/{a}/scores/leverage", headers=j.h(email),
                      json={"score": 6, "motivation": "Sterke schaalbaarheid naar twaalf gemeenten.",
                            "version": 0})
    assert resp.status_code == 200, resp.json


def test_a_body_less_post_refuses_a_form_content_type(client, jury):
    j, a, email = jury
    url = f"/api/v1/applications/{a}/scores/submit"
    for ctype in ("application/x-www-form-urlencoded", "text/plain", "multipart/form-data; boundary=x"):
        resp = client.post(url, data="", headers={**j.h(email), "Content-Type": ctype})
        assert resp.status_code == 415 and resp.mimetype == PROBLEM, (ctype, resp.status_code)
    # JSON or no content type passes the media-type check (incomplete scores: 400)
    assert client.post(url, headers=j.h(email)).status_code == 400
    assert client.post(url, headers=j.h(email), json={}).status_code == 400


@pytest.mark.parametrize("header", [{"Origin": "https://evil.example"},
                                    {"Origin": "null"},
                                    {"Referer": "https://evil.example/phish"}])
def test_a_foreign_origin_is_refused_on_every_write(app, client, admin_headers, jury, header):
    j, a, email = jury
    # API with a bearer token
    resp = client.put(f"/api/v1/applications/{a}/scores/leverage", headers={**j.h(email), **header},
                      json={"score": 6, "motivation": "Sterke schaalbaarheid naar twaalf gemeenten.",
                            "version": 0})
    assert resp.status_code == 403 and resp.mimetype == PROBLEM
    assert "origin" in resp.json["detail"].lower()
    # a page form with a session
    tab = web(app, "admin@example.org")
    resp = tab.post("/logout", headers=header)
    assert resp.status_code == 403
    assert tab.get("/audit").status_code == 200  # still logged in
    # the login form itself
    resp = app.test_client().post("/login", headers=header,
                                  data={"email": "admin@example.org", "password": PASSWORD})
    assert resp.status_code == 403
    # reading is never refused for its origin
    assert client.get(f"/api/v1/applications/{a}", headers={**j.h(email), **header}).status_code == 200


def test_the_own_origin_is_accepted(app, client, jury):
    j, a, email = jury
    for header in ({"Origin": "http://localhost"}, {"Referer": "http://localhost/aanvragen/1"}):
        resp = client.put(f"/api/v1/applications/{a}/scores/leverage",
                          headers={**j.h(email), **header},
                          json={"score": 6, "motivation": "Sterke schaalbaarheid naar twaalf "
                                "gemeenten.", "version": 0 if "Origin" in header else 1})
        assert resp.status_code == 200, resp.json
