"""A call the jury can defend: phases step by step, applications locked at submission with a
receipt, withdrawal before the deadline, amendments after it, nothing changed after publication."""

from __future__ import annotations

import hashlib
import io
from datetime import date

from pypdf import PdfReader

from tests.app.jury_setup import (
    MOTIVATION,
    add_jurors,
    assign,
    demo_call,
    jurors_of,
    put_scores,
)
from tests.app.test_api_bad_input import assert_problem
from tests.app.test_api_calls import CALLS, application, city_headers, make_call, post_app

API = "/api/v1"


def set_deadline(app, call_id: int, day: date) -> None:
    """Move the deadline (as if the calendar moved on); the API refuses a past deadline."""
    from app.core.extensions import db
    from app.models import Call

    with app.app_context():
        db.session.get(Call, call_id).deadline = day
        db.session.commit()
        db.session.remove()


def actions(client, admin_headers) -> list[str]:
    return [e["action"] for e in client.get(f"{API}/audit", headers=admin_headers).json["items"]]


def test_a_call_moves_one_audited_step_at_a_time(app, client, admin_headers):
    call = make_call(client, admin_headers, open_call=False)
    assert call["phase"] == "draft" and call["deadline"] is None
    steps = f"{CALLS}/{call['id']}/transitions"
    body = assert_problem(client.post(steps, json={"to": "jury"}, headers=admin_headers), 409, "to")
    assert "next step is open" in body["detail"]
    assert_problem(client.post(steps, json={"to": "open"}, headers=admin_headers), 409, "deadline")
    assert_problem(client.post(steps, json={}, headers=admin_headers), 400, "to")
    city = city_headers(app, "44021")
    assert_problem(client.post(steps, json={"to": "open"}, headers=city), 403)
    client.patch(f"{CALLS}/{call['id']}", json={"deadline": "2099-06-30"}, headers=admin_headers)
    resp = client.post(steps, json={"to": "open"}, headers=admin_headers)
    assert resp.status_code == 200, resp.json
    shown = client.get(f"{CALLS}/{call['id']}").json
    assert shown["phase"] == "open" and shown["next_phase"] == "closed"
    assert shown["deadline"] == "2099-06-30"
    assert shown["deadline_at"] == "2099-06-30T21:59:59+00:00"  # 23:59:59 Brussels summer time
    body = assert_problem(client.post(steps, json={"to": "closed"}, headers=admin_headers), 409, "to")
    assert "has not passed" in body["detail"]
    set_deadline(app, call["id"], date(2020, 1, 31))
    assert client.post(steps, json={"to": "closed"}, headers=admin_headers).status_code == 200
    assert actions(client, admin_headers).count("call.transition") == 2


def test_submission_gives_a_receipt_and_locks_the_application(app, client, admin_headers):
    from evaluation.submission import receipt_hash

    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    draft = post_app(client, gent, call["id"], application(status="draft"))
    assert draft["status"] == "draft" and draft["receipt"] is None
    changed = client.patch(f"{API}/applications/{draft['id']}", json={"title": "Tellingen 2.0"},
                           headers=gent)
    assert changed.status_code == 200 and changed.json["title"] == "Tellingen 2.0"
    resp = client.post(f"{API}/applications/{draft['id']}/submit", headers=gent)
    assert resp.status_code == 200, resp.json
    receipt = resp.json["receipt"]
    assert len(receipt["sha256"]) == 64 and receipt["submitted_at"]
    with app.app_context():  # anyone with the content recomputes the hash
        from app.calls.service_applications import application_content, get_application

        assert receipt_hash(application_content(get_application(draft["id"])), []) == \
            receipt["sha256"]
    pdf = client.get(receipt["pdf"], headers=gent)
    assert pdf.status_code == 200 and pdf.mimetype == "application/pdf" and pdf.data[:5] == b"%PDF-"
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.data)).pages)
    assert receipt["sha256"] in text.replace("\n", "")
    # locked: the lead's PATCH, a status change, the admin's PATCH and a second submission
    url = f"{API}/applications/{draft['id']}"
    body = assert_problem(client.patch(url, json={"requested_grant_cents": 40_000_000,
                                                   "total_budget_cents": 80_000_000},
                                       headers=gent), 409, "status")
    assert "submitted and locked" in body["detail"]
    assert_problem(client.patch(url, json={"status": "draft"}, headers=gent), 409, "status")
    assert_problem(client.patch(url, json={"title": "x" * 20}, headers=admin_headers), 409, "status")
    assert_problem(client.post(f"{url}/submit", headers=gent), 409, "status")
    assert client.get(url, headers=gent).json["title"] == "Tellingen 2.0"
    assert "application.submit" in actions(client, admin_headers)


def test_creating_submitted_gives_the_receipt_at_once_and_only_while_open(app, client, admin_headers):
    call = make_call(client, admin_headers)
    created = post_app(client, admin_headers, call["id"], application())
    assert created["status"] == "submitted" and len(created["receipt"]["sha256"]) == 64
    closed_call = make_call(client, admin_headers, open_call=False)
    assert_problem(client.post(f"{CALLS}/{closed_call['id']}/applications", json=application(),
                               headers=admin_headers), 409, "phase")
    set_deadline(app, call["id"], date(2020, 1, 31))
    assert_problem(client.post(f"{CALLS}/{call['id']}/applications", json=application(),
                               headers=city_headers(app, "44021")), 409, "deadline")


def test_withdrawal_before_the_deadline_only(app, client, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    first = post_app(client, gent, call["id"], application())
    second = post_app(client, gent, call["id"], application(title="Tweede aanvraag, ook in Gent"))
    antwerp = city_headers(app, "11002", "antwerpen@example.org")  # a partner, not the lead
    assert_problem(client.post(f"{API}/applications/{first['id']}/withdraw", headers=antwerp), 403)
    resp = client.post(f"{API}/applications/{first['id']}/withdraw", json={"reason": "dubbel"},
                       headers=gent)
    assert resp.status_code == 200 and resp.json["status"] == "withdrawn"
    assert_problem(client.post(f"{API}/applications/{first['id']}/withdraw", headers=gent), 409,
                   "status")
    set_deadline(app, call["id"], date(2020, 1, 31))
    body = assert_problem(client.post(f"{API}/applications/{second['id']}/withdraw", headers=gent),
                          409, "deadline")
    assert "deadline" in body["errors"][0]["message_nl"]
    assert "application.withdraw" in actions(client, admin_headers)


def test_after_the_deadline_only_a_motivated_amendment_changes_it(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    url = f"{API}/applications/{a}"
    lead = client.get(url, headers=admin_headers).json
    city = city_headers(app, lead["lead"])
    assert_problem(client.patch(url, json={"title": "Nieuwe titel na de deadline"}, headers=city),
                   409, "status")
    amend = f"{url}/amendments"
    new_grant = lead["requested_grant_cents"] - 1_000_000
    change = {"requested_grant_cents": new_grant, "cofinancing_cents": lead["cofinancing_cents"]
              + 1_000_000}
    assert_problem(client.post(amend, json={"changes": change, "motivation": MOTIVATION},
                               headers=city), 403)
    assert_problem(client.post(amend, json={"changes": change, "motivation": "kort"},
                               headers=admin_headers), 400, "motivation")
    assert_problem(client.post(amend, json={"changes": {"status": "draft"},
                                            "motivation": MOTIVATION}, headers=admin_headers),
                   400, "changes.status")
    resp = client.post(amend, json={"changes": change, "motivation": MOTIVATION},
                       headers=admin_headers)
    assert resp.status_code == 201, resp.json
    fields = {c["field"]: (c["old"], c["new"]) for c in resp.json["changes"]}
    assert fields["requested_grant_cents"] == (lead["requested_grant_cents"], new_grant)
    assert sorted(r["juror"] for r in resp.json["reconfirmations"]) == sorted(jurors_of(result, a))
    assert client.get(url, headers=admin_headers).json["requested_grant_cents"] == new_grant
    listed = client.get(amend, headers=admin_headers).json["items"]
    assert [x["id"] for x in listed] == [resp.json["id"]]
    assert "application.amendment" in actions(client, admin_headers)
    # the juror sees it and reconfirms
    juror = jurors_of(result, a)[0]
    email = next(e for e, i in j.jurors.items() if i == juror)
    mine = client.get(f"{API}/calls/{j.call_id}/reconfirmations", headers=j.h(email)).json
    assert [x["application"] for x in mine["items"]] == [a]
    ok = client.post(f"{url}/reconfirm", headers=j.h(email))
    assert ok.status_code == 200 and ok.json["reconfirmed"] == 1
    assert_problem(client.post(f"{url}/reconfirm", headers=j.h(email)), 409)


def _scored_and_selected(app, client, admin_headers, j):
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    put_scores(app, [(p["application"], p["juror"], c, 6) for p in result["assignments"]
                     for c in j.criteria])
    sel = client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 100_000_000},
                      headers=admin_headers)
    assert sel.status_code == 200, sel.json
    return result


def test_publication_waits_for_reconfirmation_then_nothing_changes(app, client, admin_headers):
    j = demo_call(app)
    result = _scored_and_selected(app, client, admin_headers, j)
    a = j.applications[0]
    url = f"{API}/applications/{a}"
    title = client.get(url, headers=admin_headers).json["title"]
    client.post(f"{url}/amendments", json={"changes": {"title": title + " (gecorrigeerd)"},
                                           "motivation": MOTIVATION}, headers=admin_headers)
    publish = f"{CALLS}/{j.call_id}/publish"
    body = assert_problem(client.post(publish, headers=admin_headers), 409, "amendments")
    assert f"application {a}" in body["detail"]
    for juror in jurors_of(result, a):
        email = next(e for e, i in j.jurors.items() if i == juror)
        assert client.post(f"{url}/reconfirm", headers=j.h(email)).status_code == 200
    resp = client.post(publish, headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert client.get(f"{CALLS}/{j.call_id}").json["phase"] == "published"
    for call_ in (
        client.patch(url, json={"title": "Na publicatie gewijzigd"}, headers=admin_headers),
        client.post(f"{url}/amendments", json={"changes": {"title": "Na publicatie"},
                                               "motivation": MOTIVATION}, headers=admin_headers),
        client.post(f"{url}/eligibility-override", json={"eligible": False,
                                                         "motivation": MOTIVATION},
                    headers=admin_headers),
    ):
        body = assert_problem(call_, 409, "phase")
        assert "published" in body["detail"]
    assert client.get(url, headers=admin_headers).json["title"].endswith("(gecorrigeerd)")


def test_publish_names_the_missing_scores_and_the_open_disagreements(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    a, b = j.applications[0], j.applications[1]
    spread = {}
    for p in result["assignments"]:
        for c in j.criteria:
            if p["application"] == b and c == "scalability" and p["juror"] == jurors_of(result, b)[0]:
                continue  # one missing score on b
            value = 6
            if p["application"] == a and c == "leverage":
                value = 1 if p["juror"] == jurors_of(result, a)[0] else 9  # a disagreement on a
            spread[(p["application"], p["juror"], c)] = value
    put_scores(app, [(x, y, c, v) for (x, y, c), v in spread.items()])
    client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 100_000_000},
                headers=admin_headers)
    body = assert_problem(client.post(f"{CALLS}/{j.call_id}/publish", headers=admin_headers), 409)
    codes = {(e["field"], e.get("application"), e.get("criterion")) for e in body["errors"]}
    assert ("scores", b, "scalability") in codes
    assert ("consensus", a, "leverage") in codes
    assert f"juror {jurors_of(result, b)[0]}" in body["detail"]


def test_receipt_hash_covers_documents_too():
    from evaluation.submission import DocumentRef, receipt_hash

    doc = DocumentRef("proposal", hashlib.sha256(b"%PDF-1.7").hexdigest())
    assert receipt_hash({"title": "x"}, [doc]) != receipt_hash({"title": "x"}, [])
