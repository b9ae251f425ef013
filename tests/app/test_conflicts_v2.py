"""Conflicts v2: a committed follower is a stake like a partner, a juror can have several
affiliations, a representative of an applicant does not score its rivals (competitor), and no
application opens for a juror before they signed the call's declaration on honour."""

from __future__ import annotations

import pytest

from tests.app.jury_setup import (
    add_jurors,
    assign,
    bearer,
    demo_call,
    jurors_of,
    lead_of,
    make_user,
)
from tests.app.test_api_bad_input import assert_problem
from tests.app.test_call_pages import login

API = "/api/v1"


@pytest.fixture
def j(app, client, admin_headers):
    jury = demo_call(app)
    add_jurors(app, client, admin_headers, jury, 5)
    return jury


def _with_followers(client, admin_headers, j) -> tuple[int, str]:
    """An application and one of its committed followers that applies nowhere in the call."""
    bodies = [client.get(f"{API}/applications/{a}", headers=admin_headers).json
              for a in j.applications + j.other_applications]
    applicants = {b["lead"] for b in bodies} | {p.get("refnis") for b in bodies for p in b["partners"]}
    for body in bodies:
        if body["id"] in j.applications:
            for follower in body["committed_followers"]:
                if follower not in applicants:
                    return body["id"], follower
    raise AssertionError("the demo call has a follower that does not apply itself")


def _conflicts(client, admin_headers, j, juror: int) -> list[dict]:
    items = client.get(f"{API}/calls/{j.call_id}/conflicts", headers=admin_headers).json
    return [c for c in items["conflicts"] if c["juror"] == juror]


def _add(client, admin_headers, j, email: str, body: dict) -> dict:
    make_user(client.application, email, "juror")
    resp = client.post(f"{API}/calls/{j.call_id}/jurors", json={"email": email, **body},
                       headers=admin_headers)
    assert resp.status_code == 201, resp.json
    return resp.json


def test_a_committed_follower_is_a_conflict_like_a_partner(app, client, admin_headers, j):
    application, follower = _with_followers(client, admin_headers, j)
    juror = _add(client, admin_headers, j, "volgstad@example.org",
                 {"affiliation": {"refnis": follower}})
    found = _conflicts(client, admin_headers, j, juror["id"])
    assert {"application": application, "kind": "follower"}.items() <= found[0].items()
    assert not any(c["kind"] == "competitor" for c in found)  # a follower is no applicant
    result = assign(client, admin_headers, j)
    assert juror["id"] not in jurors_of(result, application)


def test_a_juror_with_several_affiliations_and_an_affiliation_change(app, client, admin_headers, j):
    first, second = j.applications[0], j.applications[1]
    leads = [lead_of(client, admin_headers, a) for a in (first, second)]
    make_user(app, "twee@example.org", "juror")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/jurors", json={
        "email": "twee@example.org", "affiliation": {"refnis": leads[0]},
        "affiliations": [{"refnis": leads[1]}]}, headers=admin_headers), 400, "affiliations")
    assert_problem(client.post(f"{API}/calls/{j.call_id}/jurors", json={
        "email": "twee@example.org", "affiliations": [{"refnis": leads[0]}, {"refnis": "99999"}]},
        headers=admin_headers), 404, "affiliations.1.refnis")
    juror = client.post(f"{API}/calls/{j.call_id}/jurors", json={
        "email": "twee@example.org", "affiliations": [{"refnis": leads[0]}, {"refnis": leads[1]}]},
        headers=admin_headers).json
    assert [a["refnis"] for a in juror["affiliations"]] == leads
    assert juror["affiliation"]["refnis"] == leads[0]
    kinds = {(c["application"], c["kind"]) for c in _conflicts(client, admin_headers, j, juror["id"])}
    assert {(first, "lead"), (second, "lead")} <= kinds

    # an ordinary juror is assigned to the first application; then it turns out they work there
    result = assign(client, admin_headers, j)
    other = jurors_of(result, first)[0]
    url = f"{API}/calls/{j.call_id}/jurors/{other}/affiliations"
    assert_problem(client.put(url, json={"affiliations": [{"refnis": "4402"}]},
                              headers=admin_headers), 400, "affiliations.0.refnis")
    changed = client.put(url, json={"affiliations": [{"refnis": leads[0]}]}, headers=admin_headers)
    assert changed.status_code == 200, changed.json
    assert {"application": first, "juror": other} in changed.json["withdrawn"]
    stored = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    assert (first, other) not in {(p["application"], p["juror"]) for p in stored["assignments"]}
    entries = client.get(f"{API}/audit?per_page=200", headers=admin_headers).json["items"]
    entry = next(e for e in entries if e["action"] == "jury.affiliations_changed")
    assert entry["payload"]["after"][0]["refnis"] == leads[0]


def test_no_application_opens_before_the_declaration_on_honour(app, client, admin_headers, j):
    token = make_user(app, "nieuw@example.org", "juror")
    headers = bearer(token)
    juror = client.post(f"{API}/calls/{j.call_id}/jurors", json={"email": "nieuw@example.org"},
                        headers=admin_headers).json
    assert juror["declaration_signed_at"] is None
    a = j.applications[0]
    fixed = client.put(f"{API}/calls/{j.call_id}/assignments/{a}/{juror['id']}",
                       headers=admin_headers)
    assert fixed.status_code in (200, 201), fixed.json
    assert client.get(f"{API}/applications/{a}", headers=headers).status_code == 404
    body = assert_problem(client.put(f"{API}/applications/{a}/scores/leverage",
                                     json={"score": 5, "motivation": "x" * 30, "version": 0},
                                     headers=headers), 403, "declaration")
    assert "declaration" in body["detail"]
    url = f"{API}/calls/{j.call_id}/declaration"
    text = client.get(url, headers=headers).json
    assert text["signed"] is False and "op eer" in text["text_nl"] and "honour" in text["text_en"]
    assert_problem(client.post(url, json={"accept": False}, headers=headers), 400, "accept")
    assert_problem(client.post(url, json={"accept": True}, headers=admin_headers), 403)
    signed = client.post(url, json={"accept": True}, headers=headers)
    assert signed.status_code == 200 and signed.json["signed_at"]
    assert_problem(client.post(url, json={"accept": True}, headers=headers), 409, "declaration")
    assert client.get(f"{API}/applications/{a}", headers=headers).status_code == 200
    jurors = client.get(f"{API}/calls/{j.call_id}/jurors", headers=admin_headers).json["items"]
    assert next(x for x in jurors if x["id"] == juror["id"])["declaration_signed_at"]
    entries = client.get(f"{API}/audit?per_page=200", headers=admin_headers).json["items"]
    entry = next(e for e in entries if e["action"] == "jury.declaration_signed")
    assert entry["payload"]["juror"] == juror["id"] and len(entry["payload"]["sha256"]) == 64


def test_the_juror_signs_on_the_page_before_scoring(app, client, admin_headers, j):
    make_user(app, "pagina@example.org", "juror")
    juror = client.post(f"{API}/calls/{j.call_id}/jurors", json={"email": "pagina@example.org"},
                        headers=admin_headers).json
    a = j.applications[0]
    fixed = client.put(f"{API}/calls/{j.call_id}/assignments/{a}/{juror['id']}",
                       headers=admin_headers)
    assert fixed.status_code in (200, 201), fixed.json
    login(client, "pagina@example.org")
    dashboard = client.get("/jury").get_data(as_text=True)
    assert f'id="declaration-{j.call_id}"' in dashboard
    scoring = client.get(f"/aanvragen/{a}/beoordelen")
    assert scoring.status_code == 302 and scoring.location.endswith(f"/oproepen/{j.call_id}/verklaring")
    assert client.post(f"/oproepen/{j.call_id}/verklaring", data={}).status_code == 400
    done = client.post(f"/oproepen/{j.call_id}/verklaring", data={"accept": "1"})
    assert done.status_code == 302
    assert client.get(f"/aanvragen/{a}/beoordelen").status_code == 200
    assert "Ondertekend op" in client.get(f"/oproepen/{j.call_id}/verklaring").get_data(as_text=True)
