"""The call pages with the test client: set-up, the application form's errors beside the fields,
edit, override, import report, delete, access and the English reasons."""

from __future__ import annotations

import io
import re
from datetime import date

from tests.e2e.conftest import create_user


def login(client, email: str, password: str = "correct horse battery") -> None:
    resp = client.post("/login", data={"email": email, "password": password})
    assert resp.status_code == 302, resp.data[:300]


def field_errors(resp) -> dict[str, str]:
    html = resp.get_data(as_text=True)
    return {m.group(1): m.group(2) for m in re.finditer(r'data-field="([^"]+)">([^<]*)<', html)}


def new_call(app, preset: str = "city-of-things-2022") -> int:
    from app.calls.service import create_call
    from app.core.extensions import db

    with app.app_context():
        row = create_call({"preset": preset})
        row.deadline, row.phase = date(2099, 6, 30), "open"  # taking applications
        db.session.commit()
        return row.id


def city(app, refnis: str, email: str) -> str:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        mid = db.session.scalar(select(Municipality.id).where(Municipality.refnis == refnis))
    create_user(app, email, "city", municipality_id=mid)
    return email


FORM = {
    "title": "Slimme schoolstraten", "summary": "Tellingen aan schoolpoorten.", "domains": ["mobility"],
    "partners": "Antwerpen", "committed_followers": "Lochristi", "requested_grant_euro": "450.000,00",
    "total_budget_euro": "600.000", "cofinancing_euro": "", "oslo": "OSLO Mobiliteit", "open_data": "1",
    "knowledge_sharing": "Draaiboek delen\nWebinar", "action": "submit",
}


def test_admin_sets_up_a_call_with_errors_beside_the_fields(client, app):
    login(client, create_user(app, "sro@example.org", "admin")[0])
    resp = client.post("/oproepen/nieuw", data={"preset": "city-of-things-2017"})
    assert resp.status_code == 302
    setup = resp.headers["Location"]
    page = client.get(setup).get_data(as_text=True)
    assert 'value="City of Things 2017"' in page and 'value="200.000,00"' in page
    form = {"name": "City of Things 2017", "year": "twintig", "call_type": "experiment",
            "lead_rule": "municipalities_and_vgc", "total_budget_cents": "4.000.000",
            "max_grant_cents": "abc", "max_subsidy_pct": "80", "min_cofinancing_pct": "20",
            "criteria_count": "1", "criteria-0-code": "leverage", "criteria-0-name_nl": "Hefboomeffect",
            "criteria-0-weight": "0", "criteria-0-scale_min": "0", "criteria-0-scale_max": "10",
            "criteria-0-scale_step": "1"}
    resp = client.post(setup, data=form)
    assert resp.status_code == 400
    errors = field_errors(resp)
    assert set(errors) >= {"year", "max_grant_cents"}
    form.update(year="2017", max_grant_cents="200.000")
    resp = client.post(setup, data=form)
    assert resp.status_code == 400 and "criteria" in field_errors(resp)  # weights sum to 0
    form["criteria-0-weight"] = "2,5"
    resp = client.post(setup, data=form)
    assert resp.status_code == 302
    criteria = client.get("/api/v1/calls/1/criteria").json["items"]
    assert [(c["code"], c["weight"]) for c in criteria] == [("leverage", 2.5)]
    assert client.get("/api/v1/calls/1").json["max_grant_cents"] == 20_000_000
    flash = client.post("/oproepen/nieuw", data={"preset": "nope"}, follow_redirects=True)
    assert "onbekende voorinstelling" in flash.get_data(as_text=True)


def test_city_form_errors_beside_the_fields_then_submit_edit_and_delete(client, app):
    call_id = new_call(app)
    login(client, city(app, "44021", "ict@gent.example"))
    url = f"/oproepen/{call_id}/aanvragen/nieuw"
    assert client.get(url).status_code == 200
    bad = dict(FORM, partners="Antwerpen, Nergenshuizen", requested_grant_euro="700.000")
    resp = client.post(url, data=bad)
    assert resp.status_code == 400
    assert field_errors(resp) == {"partners": "onbekende gemeente: Nergenshuizen"}
    bad = dict(FORM, requested_grant_euro="700.000")
    errors = field_errors(client.post(url, data=bad))
    assert errors == {"requested_grant_euro": "de gevraagde steun is hoger dan het totale budget"}
    twice = dict(FORM, partners="Antwerpen, 11002")
    assert "partners" in field_errors(client.post(url, data=twice))
    lead_as_partner = dict(FORM, partners="Gent")
    assert "partners" in field_errors(client.post(url, data=lead_as_partner))
    # the lead is fixed: a posted lead is ignored
    resp = client.post(url, data=dict(FORM, lead="31005", action="draft"))
    assert resp.status_code == 302
    app_url = resp.headers["Location"]
    shown = client.get(f"/api/v1{app_url.replace('/aanvragen', '/applications')}").json
    assert shown["lead"] == "44021" and shown["committed_followers"] == ["44087"]
    assert shown["knowledge_sharing"] == ["Draaiboek delen", "Webinar"]
    assert shown["requested_grant_cents"] == 45_000_000 and shown["cofinancing_cents"] == 15_000_000
    edit = client.get(app_url + "/bewerken").get_data(as_text=True)
    assert 'value="450.000,00"' in edit and 'value="Antwerpen"' in edit
    resp = client.post(app_url + "/bewerken", data=dict(FORM, title="Nieuwe titel", action="draft"))
    assert resp.status_code == 302
    page = client.get(app_url).get_data(as_text=True)
    assert "Nieuwe titel" in page and "concept" in page
    # submitted from the page: the receipt shows and the edit form refuses
    assert client.post(app_url + "/indienen").status_code == 302
    page = client.get(app_url).get_data(as_text=True)
    assert 'id="receipt-sha256"' in page and "vergrendeld" in page
    resp = client.post(app_url + "/bewerken", data=dict(FORM, title="Na indiening", action="draft"),
                       follow_redirects=True)
    assert "vergrendeld" in resp.get_data(as_text=True)
    assert "Na indiening" not in client.get(app_url).get_data(as_text=True)
    assert client.post(app_url + "/intrekken").status_code == 302
    assert "ingetrokken" in client.get(app_url).get_data(as_text=True)
    draft = client.post(url, data=dict(FORM, action="draft")).headers["Location"]
    app_url = draft
    assert client.post(app_url + "/verwijderen").status_code == 302
    assert client.get(app_url).status_code == 404


def test_other_cities_see_nothing_and_anonymous_must_log_in(client, app):
    call_id = new_call(app)
    gent = city(app, "44021", "ict@gent.example")
    city(app, "31005", "ict@brugge.example")
    login(client, gent)
    app_url = client.post(f"/oproepen/{call_id}/aanvragen/nieuw", data=FORM).headers["Location"]
    client.post("/logout")
    login(client, "ict@brugge.example")
    assert client.get(app_url).status_code == 404
    assert client.get(app_url + "/bewerken").status_code == 404
    assert "Slimme schoolstraten" not in client.get(f"/oproepen/{call_id}").get_data(as_text=True)
    client.post("/logout")
    login(client, city(app, "11002", "ict@antwerpen.example"))  # the partner reads, cannot edit
    assert client.get(app_url).status_code == 200
    assert client.get(app_url + "/bewerken").status_code == 403
    client.post("/logout")
    assert client.get(app_url).status_code == 302  # to the login page
    assert "Meld je aan" in client.get(f"/oproepen/{call_id}").get_data(as_text=True)


def test_admin_overrides_imports_and_reads_english(client, app):
    call_id = new_call(app)
    login(client, create_user(app, "sro@example.org", "admin")[0])
    alone = dict(FORM, lead="Gent", partners="", title="Alleen")
    app_url = client.post(f"/oproepen/{call_id}/aanvragen/nieuw", data=alone).headers["Location"]
    page = client.get(app_url).get_data(as_text=True)
    assert 'data-rule="partnership_minimum" data-status="failed"' in page
    short = client.post(app_url + "/beslissing", data={"eligible": "yes", "motivation": "ok"},
                        follow_redirects=True)
    assert "minstens 10 tekens" in short.get_data(as_text=True)
    done = client.post(app_url + "/beslissing", data={"eligible": "yes", "motivation": "Partner bevestigd per brief."},
                       follow_redirects=True).get_data(as_text=True)
    assert "Partner bevestigd per brief." in done and "beslissing secretariaat" in done
    english = client.get(app_url + "?lang=en").get_data(as_text=True)
    assert "At least 2 local governments in the consortium" in english
    client.get(app_url + "?lang=nl")  # ?lang= sticks in the session: back to Dutch

    csv = ("lead;title;domains;requested_grant_cents;total_budget_cents\n"
           "11002;Import goed;living;100000;200000\n"
           "11002;Import fout;living;300000;200000\n")
    upload = {"file": (io.BytesIO(csv.encode()), "rij.csv")}
    resp = client.post(f"/oproepen/{call_id}/import", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 400
    report = resp.get_data(as_text=True)
    assert 'data-row="3"' in report and "requested_grant_cents" in report and "Er is niets" in report
    upload = {"file": (io.BytesIO(csv.encode()), "rij.csv"), "import_valid_rows": "1"}
    resp = client.post(f"/oproepen/{call_id}/import", data=upload, content_type="multipart/form-data")
    assert resp.status_code == 200
    titles = [a["title"] for a in client.get(f"/api/v1/calls/{call_id}/applications?evaluate=false").json["items"]]
    assert titles == ["Alleen", "Import goed"]
    call_page = client.get(f"/oproepen/{call_id}").get_data(as_text=True)
    assert 'id="sensitivity"' in call_page and call_page.count("data-application=") == 2


def test_an_intercommunale_partner_represents_municipalities_from_the_form(client, app):
    """Leuven applies with Interleuven (seeded from the cited evidence) as its partner, which
    represents Lubbeek and Bierbeek in the project: they count toward the partnership minimum,
    as in the API; an unknown name comes back beside the intercommunale's own field."""
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Organisation

    with app.app_context():
        org = db.session.scalar(select(Organisation).where(Organisation.name == "Interleuven"))
        assert org.type == "intercommunale"
        org_id = org.id
    call_id = new_call(app)
    login(client, city(app, "24062", "ict@leuven.example"))
    url = f"/oproepen/{call_id}/aanvragen/nieuw"
    form_page = client.get(url).get_data(as_text=True)
    assert f'name="represents_{org_id}"' in form_page and 'id="represents"' in form_page
    form = dict(FORM, partners="", committed_followers="", organisations=[str(org_id)],
                action="draft")
    resp = client.post(url, data=dict(form, **{f"represents_{org_id}": "Lubbeek, Nergenshuizen"}))
    assert resp.status_code == 400
    assert field_errors(resp) == {f"represents_{org_id}": "onbekende gemeente: Nergenshuizen"}
    resp = client.post(url, data=dict(form, **{f"represents_{org_id}": "Lubbeek, Bierbeek"}))
    assert resp.status_code == 302, field_errors(resp)
    app_url = resp.headers["Location"]
    shown = client.get(f"/api/v1{app_url.replace('/aanvragen', '/applications')}").json
    assert shown["partners"] == [{"organisation": org_id, "type": "intercommunale",
                                  "name": "Interleuven", "represents": ["24066", "24011"]}]
    minimum = next(r for r in shown["eligibility"]["rules"] if r["code"] == "partnership_minimum")
    assert minimum["details"]["members"] == ["24062", "24066", "24011"]
    assert "Vertegenwoordigd door een intercommunale: Lubbeek, Bierbeek" in minimum["reason_nl"]
    edit = client.get(app_url + "/bewerken").get_data(as_text=True)
    assert f'name="represents_{org_id}" type="text" value="Lubbeek, Bierbeek"' in edit
