"""The jury pages answer bad input with the message beside the field (``data-field``), and the
scoring page tells a juror what changed when their form was stale."""

from __future__ import annotations

import pytest

from tests.app.jury_setup import (
    MOTIVATION,
    PASSWORD,
    add_jurors,
    assign,
    demo_call,
    email_of,
    jurors_of,
)


def web(app, email):
    c = app.test_client()
    assert c.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return c


@pytest.fixture
def setup(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    return j, result


def field_error(resp, field: str) -> str:
    from html import unescape

    html = resp.get_data(as_text=True)
    marker = f'data-field="{field}">'
    assert marker in html, (field, resp.status_code)
    return unescape(html.split(marker, 1)[1].split("</p>", 1)[0])


def test_a_stale_scoring_form_says_what_is_stored_now(app, setup):
    j, result = setup
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    tab1, tab2 = web(app, email), web(app, email)
    form = {"leverage.score": "6", "leverage.motivation": MOTIVATION, "leverage.version": "0",
            "scalability.score": "", "scalability.motivation": "", "scalability.version": "0",
            "action": "save"}
    assert tab1.post(f"/aanvragen/{a}/beoordelen", data=form).status_code == 302
    stale = tab2.post(f"/aanvragen/{a}/beoordelen",
                      data={**form, "leverage.score": "8", "leverage.motivation": "Iets anders "
                            "geschreven in een tweede tabblad."})
    assert stale.status_code == 409
    message = field_error(stale, "leverage.version")
    assert "versie 1" in message and "score 6" in message and MOTIVATION in message
    # the form keeps what the juror typed, with the current version: saving again replaces it
    html = stale.get_data(as_text=True)
    assert 'name="leverage.version" value="1"' in html and 'value="8"' in html
    again = tab2.post(f"/aanvragen/{a}/beoordelen",
                      data={**form, "leverage.score": "8", "leverage.version": "1"})
    assert again.status_code == 302
    page = tab1.get(f"/aanvragen/{a}/beoordelen").get_data(as_text=True)
    assert 'name="leverage.score" value="8"' in page


def test_submitting_an_incomplete_form_marks_each_field(app, setup):
    j, result = setup
    a = j.applications[0]
    tab = web(app, email_of(j, jurors_of(result, a)[0]))
    resp = tab.post(f"/aanvragen/{a}/beoordelen", data={
        "leverage.score": "7,5", "leverage.motivation": MOTIVATION, "leverage.version": "0",
        "scalability.score": "6", "scalability.motivation": "kort", "scalability.version": "0",
        "action": "submit"})
    assert resp.status_code == 400
    assert "geheel getal van 0 tot 10" in field_error(resp, "leverage.score")
    resp = tab.post(f"/aanvragen/{a}/beoordelen", data={  # scalability was saved as a draft
        "leverage.score": "7", "leverage.motivation": MOTIVATION, "leverage.version": "0",
        "scalability.score": "6", "scalability.motivation": "kort", "scalability.version": "1",
        "action": "submit"})
    assert resp.status_code == 400
    assert "20 tekens" in field_error(resp, "scalability.motivation")


def test_admin_forms_put_errors_beside_their_fields(app, client, admin_headers, setup):
    j, _result = setup
    admin = web(app, "admin@example.org")
    base = f"/oproepen/{j.call_id}"
    resp = admin.post(f"{base}/jury/juryleden", data={"email": "nobody@example.org"})
    assert resp.status_code == 400 and "nobody@example.org" in field_error(resp, "email")
    resp = admin.post(f"{base}/jury/juryleden", data={"email": "juror1@example.org"})
    assert "zit al in deze jury" in field_error(resp, "email")
    resp = admin.post(f"{base}/jury/toewijzen", data={"reviewers": "6", "max_load": "8"})
    assert resp.status_code == 409 and "maar 5" in field_error(resp, "assignments")
    resp = admin.post(f"{base}/jury/toewijzen", data={"reviewers": "drie", "max_load": "8"})
    assert resp.status_code == 400 and field_error(resp, "reviewers")
    resp = admin.post(f"{base}/jury/instellingen", data={"tie_break": "",
                                                          "disagreement_spread": "-1"})
    assert resp.status_code == 400 and field_error(resp, "disagreement_spread")
    resp = admin.post(f"{base}/jury/instellingen", data={"tie_break": "kleur desc",
                                                          "disagreement_spread": "1"})
    assert resp.status_code == 400 and field_error(resp, "tie_break")
    resp = admin.post(f"{base}/jury/belangenconflict",
                      data={"juror": str(j.jurors["juror1@example.org"]),
                            "application": str(j.applications[0]), "reason": " "})
    assert resp.status_code == 400 and "reden" in field_error(resp, "reason")
    a = j.applications[0]
    resp = admin.post(f"{base}/consensus/{a}/leverage", data={"score": "12", "motivation": ""})
    assert resp.status_code == 400 and "tussen 0 en 10" in field_error(resp, f"{a}.leverage.score")
    resp = admin.post(f"{base}/selectie", data={"budget_euro": "veel"})
    assert resp.status_code == 400 and field_error(resp, "budget_euro")
    resp = admin.post(f"{base}/selectie", data={"budget_euro": "10"})
    assert "kleinste gevraagde steun" in field_error(resp, "budget_euro")
    resp = admin.post(f"{base}/publiceren")
    assert resp.status_code == 409 and field_error(resp, "publish")


def test_a_juror_declares_a_conflict_from_the_scoring_page(app, client, admin_headers, setup):
    j, result = setup
    a = j.applications[0]
    email = email_of(j, jurors_of(result, a)[0])
    tab = web(app, email)
    resp = tab.post(f"/aanvragen/{a}/belangenconflict", data={"reason": ""})
    assert resp.status_code == 400 and field_error(resp, "conflict.reason")
    resp = tab.post(f"/aanvragen/{a}/belangenconflict",
                    data={"reason": "Mijn broer leidt het project."})
    assert resp.status_code == 302 and resp.headers["Location"].endswith("/jury")
    assert tab.get(f"/aanvragen/{a}/beoordelen").status_code == 404
    now = client.get(f"/api/v1/calls/{j.call_id}/assignments", headers=admin_headers).json
    assert len(jurors_of(now, a)) == 3 and j.jurors[email] not in jurors_of(now, a)


def test_indicators_stay_folded_until_a_first_draft_and_the_chair_sees_them(app, setup):
    """Issue 12, against anchoring: no indicator beside the score box before the juror's own
    first draft (default of the call); the consensus page shows them to the chair."""
    j, result = setup
    a = j.applications[0]
    juror = web(app, email_of(j, jurors_of(result, a)[0]))
    before = juror.get(f"/aanvragen/{a}/beoordelen").get_data(as_text=True)
    assert 'id="indicators-folded"' in before and 'id="indicators-shown"' not in before
    assert 'id="indicator-leverage"' not in before and ">indicator:" not in before.replace(" ", "")
    # ... nor does the application page or the API give them away before the first draft
    page = juror.get(f"/aanvragen/{a}").get_data(as_text=True)
    assert 'id="indicators-folded"' in page and 'id="indicator-leverage"' not in page
    assert 'id="advice"' not in page
    api = juror.get(f"/api/v1/applications/{a}").json
    assert api["indicators"] is None and api["indicators_folded"] is True
    assert api["eligibility"]["rules"]  # the rules are not advice to anchor on
    listed = juror.get(f"/api/v1/calls/{j.call_id}/applications?evaluate=true").json["items"]
    assert all(item["indicators"] is None for item in listed if item["id"] == a)
    form = {"leverage.score": "6", "leverage.motivation": MOTIVATION, "leverage.version": "0",
            "scalability.score": "", "scalability.motivation": "", "scalability.version": "0",
            "action": "save"}
    assert juror.post(f"/aanvragen/{a}/beoordelen", data=form).status_code == 302
    after = juror.get(f"/aanvragen/{a}/beoordelen").get_data(as_text=True)
    assert 'id="indicators-shown"' in after and 'id="indicators-folded"' not in after
    api = juror.get(f"/api/v1/applications/{a}").json
    assert api["indicators"]["leverage"]["score"] is not None and not api["indicators_folded"]
    assert 'id="indicator-leverage"' in juror.get(f"/aanvragen/{a}").get_data(as_text=True)
    chair = app.test_client()  # the admin of the admin_headers fixture chairs the jury
    assert chair.post("/login", data={"email": "admin@example.org",
                                      "password": "correct horse battery"}).status_code == 302
    consensus = chair.get(f"/oproepen/{j.call_id}/consensus").get_data(as_text=True)
    assert 'class="indicator-line"' in consensus


def test_a_call_that_does_not_fold_shows_the_indicators_at_once(app, client, admin_headers, setup):
    j, result = setup
    resp = client.patch(f"/api/v1/calls/{j.call_id}", json={"indicators_folded": False},
                        headers=admin_headers)
    assert resp.status_code == 200 and resp.json["indicators_folded"] is False
    a = j.applications[0]
    juror = web(app, email_of(j, jurors_of(result, a)[0]))
    page = juror.get(f"/aanvragen/{a}/beoordelen").get_data(as_text=True)
    assert 'id="indicators-shown"' in page
