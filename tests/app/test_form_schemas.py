"""A page and the API accept the same values: the jury settings form goes through the schema of
PUT /calls/<id>/jury-settings, so the same bad values get the same field errors on both."""

from __future__ import annotations

import json

import pytest

from tests.app.jury_setup import PASSWORD, demo_call, make_user

BAD = [
    ({"disagreement_spread": 1e300}, {"disagreement_spread": "1e300"}),
    ({"disagreement_spread": float("inf")}, {"disagreement_spread": "1e400"}),
    ({"disagreement_spread": -1}, {"disagreement_spread": "-1"}),
    ({"total_threshold": "veel"}, {"total_threshold": "veel"}),
    ({"scoring_deadline": "morgen"}, {"scoring_deadline": "morgen"}),
]


def _page_errors(html: str) -> dict[str, str]:
    import re
    from html import unescape

    return {m.group(1): unescape(m.group(2)).strip()
            for m in re.finditer(r'data-field="([^"]+)">([^<]*)<', html)}


@pytest.fixture
def admin_page(app):
    make_user(app, "chair@example.org", "admin")
    tab = app.test_client()
    tab.post("/login", data={"email": "chair@example.org", "password": PASSWORD})
    return tab


@pytest.mark.parametrize(("api_body", "form"), BAD)
def test_bad_jury_settings_get_the_same_field_errors_on_the_page_and_in_the_api(
        app, client, admin_headers, admin_page, api_body, form):
    j = demo_call(app)
    before = _settings(app, j.call_id)
    resp = client.put(f"/api/v1/calls/{j.call_id}/jury-settings", headers=admin_headers,
                      data=json.dumps(api_body, allow_nan=True),
                      content_type="application/json")
    assert resp.status_code == 400, resp.json
    api = {e["field"]: e["message"] for e in resp.json["errors"]}
    page = admin_page.post(f"/oproepen/{j.call_id}/jury/instellingen",
                           data={"tie_break": "", **form})
    assert page.status_code == 400
    shown = _page_errors(page.get_data(as_text=True))
    assert set(api) <= set(shown), (api, shown)
    assert _settings(app, j.call_id) == before  # neither stored anything


def _settings(app, call_id: int) -> tuple | None:
    from app.core.extensions import db
    from app.models import CallJurySettings

    with app.app_context():
        row = db.session.get(CallJurySettings, call_id)
        out = None if row is None else (row.disagreement_spread, row.total_threshold,
                                        row.scoring_deadline)
        db.session.remove()
    return out


CALL_FORM = {"name": "City of Things 2017", "year": "2017", "call_type": "experiment",
             "lead_rule": "municipalities_and_vgc", "total_budget_cents": "4.000.000",
             "max_grant_cents": "200.000", "max_subsidy_pct": "80", "min_cofinancing_pct": "20"}
BAD_CALLS = [
    ({"year": 1850}, {"year": "1850"}),
    ({"total_budget_cents": -500}, {"total_budget_cents": "-5,00"}),
    ({"max_grant_cents": 10**15}, {"max_grant_cents": "10.000.000.000.000"}),
    ({"max_subsidy_pct": 1e300}, {"max_subsidy_pct": "1e300"}),
]


@pytest.mark.parametrize(("api_body", "form"), BAD_CALLS)
def test_bad_call_settings_get_the_same_field_errors_on_the_page_and_in_the_api(
        app, client, admin_headers, admin_page, api_body, form):
    call = client.post("/api/v1/calls", json={"preset": "city-of-things-2017"},
                       headers=admin_headers).json
    resp = client.patch(f"/api/v1/calls/{call['id']}", json=api_body, headers=admin_headers)
    assert resp.status_code == 400, resp.json
    api = {e["field"] for e in resp.json["errors"]}
    page = admin_page.post(f"/oproepen/{call['id']}/instellen", data={**CALL_FORM, **form})
    assert page.status_code == 400
    assert api <= set(_page_errors(page.get_data(as_text=True))), (resp.json["errors"],)
    assert client.get(f"/api/v1/calls/{call['id']}").json["year"] == 2017


BAD_APPLICATIONS = [
    ({"requested_grant_cents": -100}, {"requested_grant_euro": "-1,00"}, "requested_grant"),
    ({"total_budget_cents": 10**15}, {"total_budget_euro": "10.000.000.000.000"}, "total_budget"),
    ({"title": "x" * 301}, {"title": "x" * 301}, "title"),
]


@pytest.mark.parametrize(("api_body", "form", "field"), BAD_APPLICATIONS)
def test_bad_applications_are_refused_on_the_same_field_on_the_page_and_in_the_api(
        app, client, admin_headers, admin_page, api_body, form, field):
    from tests.app.test_call_pages import FORM

    call = client.post("/api/v1/calls", json={"preset": "city-of-things-2022"},
                       headers=admin_headers).json
    client.patch(f"/api/v1/calls/{call['id']}", json={"deadline": "2099-01-01"},
                 headers=admin_headers)
    client.post(f"/api/v1/calls/{call['id']}/transitions", json={"to": "open"},
                headers=admin_headers)
    body = {"lead": "44021", "partners": [{"refnis": "11002"}], "domains": ["mobility"],
            "title": "Slimme schoolstraten", "summary": "Tellingen aan schoolpoorten.",
            "requested_grant_cents": 45_000_000, "total_budget_cents": 60_000_000,
            "status": "draft", **api_body}
    resp = client.post(f"/api/v1/calls/{call['id']}/applications", json=body,
                       headers=admin_headers)
    assert resp.status_code == 400, resp.json
    assert any(e["field"].startswith(field) for e in resp.json["errors"]), resp.json
    page = admin_page.post(f"/oproepen/{call['id']}/aanvragen/nieuw",
                           data={**FORM, "lead": "44021", **form})
    assert page.status_code == 400
    assert any(f.startswith(field) for f in _page_errors(page.get_data(as_text=True)))
