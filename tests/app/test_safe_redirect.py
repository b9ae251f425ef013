"""Every ``next`` goes through one safe-redirect helper: only a path on this site, whatever a
browser would make of tabs, newlines, backslashes or a second slash."""

from __future__ import annotations

from urllib.parse import quote, urlsplit

import pytest

from tests.app.jury_setup import PASSWORD, make_user

HOSTILE = [
    "/%09/evil.example/phish",
    "/%0a/evil.example",
    "/%0d%0a/evil.example",
    "%0a",
    "//evil.example",
    "///evil.example",
    "/\\evil.example",
    "/%5cevil.example",
    "\\\\evil.example",
    "https://evil.example/",
    "http:/evil.example",
    "javascript:alert(1)",
    " //evil.example",
    "/%E2%80%AE/evil.example",
]


def assert_local(resp):
    assert resp.status_code == 302, resp.status_code
    location = resp.headers["Location"]
    parts = urlsplit(location)
    assert parts.netloc in ("", "localhost"), location
    assert parts.path.startswith("/") and not parts.path.startswith("//"), location
    assert not any(c in location for c in "\t\r\n\\\x00"), location


@pytest.mark.parametrize("target", HOSTILE)
def test_language_switch_stays_on_the_site(client, target):
    assert_local(client.get(f"/lang/nl?next={target}"))


@pytest.mark.parametrize("target", HOSTILE)
def test_login_stays_on_the_site(app, target):
    make_user(app, "juror@example.org", "juror")
    c = app.test_client()
    assert_local(c.post(f"/login?next={target}",
                        data={"email": "juror@example.org", "password": PASSWORD}))


def test_a_nul_byte_in_next_is_refused(client):
    assert client.get("/lang/nl?next=/%00/evil.example").status_code == 400


def test_a_local_next_with_its_query_is_kept(app, client):
    resp = client.get("/lang/en?next=" + quote("/gemeenten?q=gent&page=2", safe=""))
    assert resp.status_code == 302
    assert resp.headers["Location"] in ("/gemeenten?q=gent&page=2", "http://localhost/gemeenten?q=gent&page=2")
    make_user(app, "juror@example.org", "juror")
    resp = app.test_client().post("/login?next=" + quote("/jury", safe=""),
                                  data={"email": "juror@example.org", "password": PASSWORD})
    assert resp.headers["Location"].endswith("/jury") and "//jury" not in resp.headers["Location"]
