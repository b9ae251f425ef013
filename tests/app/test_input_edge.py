"""Input sanitation at the edge: a NUL byte or a lone surrogate anywhere in the input, JSON nested
too deep and numbers beyond the shared limits are answered 400 naming the field, never 5xx, on
both databases (PostgreSQL refuses NUL in text; the solvers overflow on huge numbers)."""

from __future__ import annotations

import re

import pytest

from tests.app.jury_setup import PASSWORD, add_jurors, assign, demo_call, score_all
from tests.app.test_api_registry import NEW_PROJECT

PROBLEM = "application/problem+json"


def assert_field(resp, status, field):
    assert resp.status_code == status, (resp.status_code, resp.data[:300])
    assert resp.mimetype == PROBLEM
    assert field in [e["field"] for e in resp.json.get("errors", [])], resp.json


@pytest.mark.parametrize("url, field", [
    ("/api/v1/municipalities?q=gent%00", "q"),
    ("/api/v1/projects?q=a%00b", "q"),
    ("/api/v1/projects/similar?text=slimme%00verlichting", "text"),
])
def test_a_nul_byte_in_the_query_is_400_on_the_field(client, url, field):
    assert_field(client.get(url), 400, field)


def test_a_nul_byte_in_a_path_is_400(client):
    resp = client.get("/api/v1/municipalities/44%0021")
    assert 400 <= resp.status_code < 500 and resp.mimetype == PROBLEM


@pytest.mark.parametrize("url", ["/gemeenten?q=%00", "/projecten?q=gent%00", "/gemeenten/44%0021"])
def test_a_nul_byte_on_a_page_is_400(client, url):
    resp = client.get(url)
    assert resp.status_code == 400, resp.status_code
    assert resp.mimetype == "text/html"


@pytest.mark.parametrize("bad", ["\u0000", "\ud800", "a\udfffb"])
def test_nul_and_lone_surrogates_in_json_bodies(client, admin_headers, bad):
    body = {**NEW_PROJECT, "title": f"Slimme {bad} verlichting"}
    assert_field(client.post("/api/v1/projects", json=body, headers=admin_headers), 400, "title")
    nested = {**NEW_PROJECT, "participations": [{"refnis": "44021", "role": f"le{bad}ad"}]}
    assert_field(client.post("/api/v1/projects", json=nested, headers=admin_headers), 400,
                 "participations.0.role")
    resp = client.post("/api/v1/calls", json={"preset": "city-of-things-2022", "name": f"Oproep {bad}"},
                       headers=admin_headers)
    assert_field(resp, 400, "name")
    # a key is text too
    resp = client.post("/api/v1/projects/similar", json={f"te{bad}xt": "x"})
    assert resp.status_code == 400 and resp.mimetype == PROBLEM
    # unauthenticated, no body schema reached yet
    assert_field(client.post("/api/v1/projects/similar", json={"text": f"slim{bad}me", "limit": 3}),
                 400, "text")


def test_the_raw_escape_is_refused_as_well(client, admin_headers):
    raw = '{"text": "slimme \\ud800 verlichting"}'
    resp = client.post("/api/v1/projects/similar", data=raw, content_type="application/json")
    assert_field(resp, 400, "text")


@pytest.mark.parametrize("depth", [100, 1000, 100_000])
def test_json_nested_too_deep_is_400(client, depth):
    resp = client.post("/api/v1/projects/similar", data="[" * depth + "]" * depth,
                       content_type="application/json")
    assert_field(resp, 400, "body")
    resp = client.post("/api/v1/projects/similar", data='{"a":' * depth + "1" + "}" * depth,
                       content_type="application/json")
    assert_field(resp, 400, "body")


def test_json_nesting_within_the_limit_passes_the_edge(client):
    # a string full of brackets is not nesting
    resp = client.post("/api/v1/projects/similar", json={"text": "[[[[{{{{" * 200, "limit": 2})
    assert resp.status_code == 200, resp.json


@pytest.fixture
def ranked(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    score_all(app, j, result, lambda a, juror, code: 5 + (a % 4))
    return j


@pytest.mark.parametrize("budget", ["99999999999999999999999999", "1e400", "9" * 400])
def test_an_absurd_budget_on_the_selection_page_is_400(app, ranked, budget):
    c = app.test_client()
    assert c.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    resp = c.post(f"/oproepen/{ranked.call_id}/selectie",
                  data={"budget_euro": budget, "max_per_domain": "", "max_per_province": ""})
    assert resp.status_code == 400, resp.status_code
    html = resp.get_data(as_text=True)
    assert re.search(r'data-field="budget_euro"', html), html[:2000]


@pytest.mark.parametrize("field, value", [("max_per_domain", "99999999999999999999"),
                                          ("max_per_province", "-99999999999999999999")])
def test_absurd_limits_on_the_selection_page_are_400(app, ranked, field, value):
    c = app.test_client()
    assert c.post("/login", data={"email": "admin@example.org", "password": PASSWORD}).status_code == 302
    form = {"budget_euro": "", "max_per_domain": "", "max_per_province": "", field: value}
    resp = c.post(f"/oproepen/{ranked.call_id}/selectie", data=form)
    assert resp.status_code == 400 and f'data-field="{field}"' in resp.get_data(as_text=True)


def test_an_absurd_budget_through_the_api_is_400(client, admin_headers, ranked):
    resp = client.post(f"/api/v1/calls/{ranked.call_id}/selection",
                       json={"budget_cents": 99999999999999999999999999}, headers=admin_headers)
    assert_field(resp, 400, "budget_cents")
