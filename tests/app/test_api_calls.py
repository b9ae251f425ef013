"""Calls and applications through the API: presets, eligibility with reasons, indicators, advice,
import, access per municipality, and every bad input of issue 5 as problem+json naming the field."""

from __future__ import annotations

import io

import pytest

from tests.app.test_api_bad_input import assert_problem
from tests.conftest import _user_with_token

CALLS = "/api/v1/calls"


def municipality_id(app, refnis: str) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.refnis == refnis))


def city_headers(app, refnis: str, email: str | None = None) -> dict:
    token = _user_with_token(app, email or f"city-{refnis}@example.org", "city",
                             municipality_id=municipality_id(app, refnis))
    return {"Authorization": f"Bearer {token}"}


def make_call(client, headers, preset="city-of-things-2022", open_call=True, **extra) -> dict:
    """A call from a preset; ``open_call`` gives it a deadline far ahead (when it has none) and
    opens it, so applications can be submitted."""
    resp = client.post(CALLS, json={"preset": preset, **extra}, headers=headers)
    assert resp.status_code == 201, resp.json
    if not open_call:
        return resp.json
    if resp.json["deadline"] is None or resp.json["deadline"] < "2099":
        changed = client.patch(f"{CALLS}/{resp.json['id']}", json={"deadline": "2099-06-30"},
                               headers=headers)
        assert changed.status_code == 200, changed.json
    opened = client.post(f"{CALLS}/{resp.json['id']}/transitions", json={"to": "open"},
                         headers=headers)
    assert opened.status_code == 200, opened.json
    return client.get(f"{CALLS}/{resp.json['id']}").json


def application(**changes) -> dict:
    """Gent with Antwerpen, mobility, €500,000 of €800,000: eligible under the CoT 2022 preset."""
    body = {
        "lead": "44021",
        "partners": [{"refnis": "11002"}],
        "domains": ["mobility"],
        "title": "Verkeerstellingen met slimme camera's aan schoolpoorten",
        "summary": "Camera's tellen fietsers en voetgangers aan schoolpoorten; de tellingen worden "
                   "open data.",
        "requested_grant_cents": 50_000_000,
        "total_budget_cents": 80_000_000,
        "deliverables": {"playbook": False, "model_specification": False, "open_source": False,
                         "open_data": False, "oslo": [], "vloca": False},
        "prior_projects": [],
        "committed_followers": [],
    }
    body.update(changes)
    return body


def post_app(client, headers, call_id, body, status=201):
    resp = client.post(f"{CALLS}/{call_id}/applications", json=body, headers=headers)
    assert resp.status_code == status, resp.json
    return resp.json


def rule(app_json, code):
    return next(r for r in app_json["eligibility"]["rules"] if r["code"] == code)


def count_rows(app, model_name: str) -> int:
    from sqlalchemy import func, select

    import app.models as models
    from app.core.extensions import db

    with app.app_context():
        return db.session.scalar(select(func.count()).select_from(getattr(models, model_name)))


# --------------------------------------------------------------------------------------------
# Calls and presets


@pytest.mark.parametrize("preset, expected", [
    ("city-of-things-2017", {"year": 2017, "total_budget_cents": 400_000_000, "max_grant_cents": 20_000_000,
                             "max_subsidy_pct": 80, "min_cofinancing_pct": 20, "call_type": "experiment",
                             "min_local_governments": None}),
    ("city-of-things-2022", {"year": 2022, "total_budget_cents": 1_090_000_000, "max_grant_cents": 100_000_000,
                             "min_local_governments": 2, "max_subsidy_pct": None}),
    ("city-of-things-2023", {"year": 2023, "total_budget_cents": 800_000_000, "call_type": "scaling",
                             "oslo_required": True, "vloca_required": True, "deadline": "2023-06-30",
                             "pre_registration_deadline": "2023-03-31", "min_local_governments": 2}),
    ("slim-in-de-stad-2019", {"year": 2018, "total_budget_cents": 43_500_000, "min_grant_cents": 14_500_000,
                              "min_cofinancing_pct": 30, "lead_rule": "centrumsteden_and_vgc",
                              "max_applications_per_lead": 1, "extra_applications_when_cooperating": 1}),
])
def test_presets_keep_their_source_figures(client, admin_headers, preset, expected):
    call = make_call(client, admin_headers, preset, open_call=False)
    assert call["phase"] == "draft" and call["selection_rule"] == "rank-order"
    for key, value in expected.items():
        assert call[key] == value, key
    assert call["preset"] == preset and call["sources"]
    again = client.get(f"{CALLS}/{call['id']}").json
    assert {k: again[k] for k in expected} == expected
    assert [c["id"] for c in client.get(CALLS).json["items"]] == [call["id"]]


def test_criteria_listing_has_the_issue_fields(client, admin_headers):
    call = make_call(client, admin_headers, "slim-in-de-stad-2019")
    items = client.get(f"{CALLS}/{call['id']}/criteria").json["items"]
    assert len(items) == 9
    for item in items:
        assert {"code", "name", "weight", "scale_min", "scale_max", "scale_step", "threshold",
                "name_nl", "name_en"} <= set(item)
    example = next(i for i in items if i["code"] == "example_value")
    assert example["name"] == "Voorbeeld voor andere steden" and example["name_en"] == "Example for other cities"
    assert example["indicator"] == "scalability"


def test_full_call_and_criteria_edit(client, admin_headers):
    body = {"name": "Eigen oproep", "year": 2025, "max_grant_cents": 30_000_000,
            "criteria": [{"code": "impact", "name": "Impact", "weight": 2, "scale_min": 1, "scale_max": 5,
                          "scale_step": 1, "threshold": 3}]}
    call = client.post(CALLS, json=body, headers=admin_headers).json
    assert call["criteria"][0]["threshold"] == 3 and call["criteria"][0]["name_en"] == "Impact"
    put = client.put(f"{CALLS}/{call['id']}/criteria", headers=admin_headers, json={"criteria": [
        {"code": "impact", "name": "Impact", "weight": 1},
        {"code": "reach", "name_nl": "Bereik", "name_en": "Reach", "weight": 3, "indicator": "leverage"}]})
    assert put.status_code == 200, put.json
    assert [(c["code"], c["weight"]) for c in put.json["items"]] == [("impact", 1.0), ("reach", 3.0)]
    patched = client.patch(f"{CALLS}/{call['id']}", json={"max_grant_cents": None, "min_local_governments": 3},
                           headers=admin_headers).json
    assert patched["max_grant_cents"] is None and patched["min_local_governments"] == 3
    assert [c["code"] for c in patched["criteria"]] == ["impact", "reach"]


def test_criteria_freeze_once_scores_exist(client, admin_headers, monkeypatch):
    call = make_call(client, admin_headers)
    import app.calls.service

    monkeypatch.setattr(app.calls.service, "call_has_scores", lambda call_id: True)
    resp = client.put(f"{CALLS}/{call['id']}/criteria", headers=admin_headers,
                      json={"criteria": [{"code": "x", "name": "X"}]})
    assert_problem(resp, 409, "criteria")


# --------------------------------------------------------------------------------------------
# Applications: eligibility and indicators


def test_application_answers_with_eligibility_and_indicators(client, admin_headers):
    call = make_call(client, admin_headers)
    created = post_app(client, admin_headers, call["id"], application())
    shown = client.get(f"/api/v1/applications/{created['id']}", headers=admin_headers).json
    assert shown["lead"] == "44021" and shown["partners"] == [{"refnis": "11002", "name": "Antwerpen"}]
    assert shown["cofinancing_cents"] == 30_000_000
    elig = shown["eligibility"]
    assert elig["eligible"] is True and elig["final_eligible"] is True
    assert [r["code"] for r in elig["rules"]][:3] == ["deadline", "lead_allowed", "partnership_minimum"]
    assert rule(shown, "partnership_minimum")["passed"] is True
    assert rule(shown, "max_subsidy_pct")["status"] == "not_applicable"  # no 2022 figure
    for name in ("leverage", "scalability"):
        ind = shown["indicators"][name]
        assert 0 <= ind["score"] <= 100
        assert ind["score"] == pytest.approx(sum(c["contribution"] for c in ind["components"]), abs=0.011)
        for c in ind["components"]:
            assert {"name", "value", "contribution", "explanation"} <= set(c) and c["explanation"]
    assert [c["name"] for c in shown["indicators"]["scalability"]["components"]] == [
        "adoption", "openness", "maturity", "cluster"]
    assert [c["name"] for c in shown["indicators"]["leverage"]["components"]] == [
        "multiplier", "reach", "cofinancing", "knowledge_sharing"]
    assert set(shown["indicators"]["on_scale"]) == {"leverage", "scalability"}
    # Co-financing counts above the call's minimum (none in 2022) only as far as it is backed.
    cofinancing = shown["indicators"]["leverage"]["components"][2]
    assert cofinancing["name"] == "cofinancing" and cofinancing["value"] == 0
    draft = post_app(client, admin_headers, call["id"], application(status="draft"))
    backed = client.patch(f"/api/v1/applications/{draft['id']}", headers=admin_headers,
                          json={"cofinancing_backed_cents": 30_000_000}).json
    assert backed["cofinancing_backed_cents"] == 30_000_000
    # By hand: €300,000 / €800,000 = 0.375 above a minimum of 0; full marks at 0.30 -> 1.
    assert backed["indicators"]["leverage"]["components"][2]["value"] == pytest.approx(1.0)
    assert backed["indicators"]["evidence"]["cofinancing"]["counted_cents"] == 30_000_000


def test_ineligible_application_says_why_in_belgian_figures(client, admin_headers):
    call = make_call(client, admin_headers)
    body = application(partners=[], requested_grant_cents=125_000_000, total_budget_cents=150_000_000)
    created = post_app(client, admin_headers, call["id"], body)
    assert created["eligibility"]["eligible"] is False
    assert rule(created, "max_grant")["reason"] == "Maximum steun €1.000.000, gevraagd €1.250.000."
    assert rule(created, "max_grant")["reason_en"] == "Maximum grant €1,000,000, requested €1,250,000."
    assert "Gent" in rule(created, "partnership_minimum")["reason"]
    assert rule(created, "partnership_minimum")["passed"] is False


OSLO_SPEC = "https://data.vlaanderen.be/doc/applicatieprofiel/mobiliteit-trips-en-aanbod/"


def test_followers_with_letters_and_a_named_oslo_spec_raise_scalability(client, admin_headers):
    call = make_call(client, admin_headers, "city-of-things-2017")  # no partnership minimum
    single = post_app(client, admin_headers, call["id"], application(partners=[], title="Alleen"))
    # Three small neighbours (< 50,000 inhabitants) commit to follow, declared without letters
    # and with a bare OSLO name: nothing counts.
    small = ["44087", "44088", "44085"]
    declared = post_app(client, admin_headers, call["id"], application(
        partners=[], title="Verklaard", committed_followers=small,
        deliverables={"oslo": ["OSLO Mobiliteit"]}))
    assert declared["indicators"]["scalability"]["score"] == single["indicators"]["scalability"]["score"]
    statuses = {f["refnis"]: f["status"] for f in declared["indicators"]["evidence"]["followers"]}
    assert statuses == dict.fromkeys(small, "declared")
    assert all(f["would_add"] > 0 for f in declared["indicators"]["evidence"]["followers"])
    # The secretariat confirms their letters; the OSLO specification is named by its link.
    richer = post_app(client, admin_headers, call["id"], application(
        partners=[], title="Met volgers",
        committed_followers=[{"refnis": r, "letter": True} for r in small],
        deliverables={"oslo": [OSLO_SPEC]}))
    assert richer["follower_letters"] == small
    a = single["indicators"]["scalability"]
    b = richer["indicators"]["scalability"]
    assert b["score"] > a["score"]
    comp = {c["name"]: c["contribution"] for c in b["components"]}
    base = {c["name"]: c["contribution"] for c in a["components"]}
    assert comp["openness"] > base["openness"] and comp["adoption"] > base["adoption"]
    assert richer["indicators"]["leverage"]["score"] > single["indicators"]["leverage"]["score"]


def test_only_the_secretariat_records_letters_and_backed_cofinancing(app, client, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    resp = client.post(f"{CALLS}/{call['id']}/applications", headers=gent, json=application(
        committed_followers=[{"refnis": "44087", "letter": True}]))
    assert_problem(resp, 403, "committed_followers")
    resp = client.post(f"{CALLS}/{call['id']}/applications", headers=gent,
                       json=application(cofinancing_backed_cents=1))
    assert_problem(resp, 403, "cofinancing_backed_cents")
    created = post_app(client, gent, call["id"], application(committed_followers=["44087"],
                                                             status="draft"))
    url = f"/api/v1/applications/{created['id']}"
    confirmed = client.patch(url, headers=admin_headers, json={
        "committed_followers": [{"refnis": "44087", "letter": True}]}).json
    assert confirmed["follower_letters"] == ["44087"]
    # The city edits its summary: the secretariat's letter stays.
    edited = client.patch(url, headers=gent, json={"summary": "Nieuwe samenvatting"})
    assert edited.status_code == 200 and edited.json["follower_letters"] == ["44087"]


def test_consortium_advice_proposes_neighbours_first(client, admin_headers):
    call = make_call(client, admin_headers, "city-of-things-2017", follower_distance_km=20)
    assert call["follower_distance_km"] == 20
    created = post_app(client, admin_headers, call["id"], application(partners=[]))
    url = f"/api/v1/applications/{created['id']}/consortium-advice"
    near = client.get(url, headers=admin_headers).json
    assert near["max_distance_km"] == 20 and near["suggestions"]
    assert all(s["distance_km"] <= 20 for s in near["suggestions"])
    assert all(s["gain"] > 0 and s["component_gains"] for s in near["suggestions"])
    far = client.get(url + "?include_far=true", headers=admin_headers).json
    assert far["max_distance_km"] is None and far["suggestions"]  # greedy over all of Flanders


def test_scaling_call_flags_an_unknown_prior_project_for_verification(client, admin_headers):
    call = make_call(client, admin_headers, "city-of-things-2023")
    created = post_app(client, admin_headers, call["id"], application(
        prior_project_references=["Slimme verlichting, EFRO 2019"]))
    prior = rule(created, "prior_project")
    assert prior["status"] == "to_verify" and "Slimme verlichting" in prior["reason"]
    assert created["eligibility"]["to_verify"] is True
    assert created["prior_project_references"] == ["Slimme verlichting, EFRO 2019"]


def test_an_intercommunale_counts_for_the_municipalities_it_represents(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import Organisation

    with app.app_context():  # a fictitious intercommunale (the seed holds real ones, see the form test)
        org = Organisation(name="Testintercommunale (verzonnen)", type="intercommunale")
        db.session.add(org)
        db.session.commit()
        org_id = org.id
    call = make_call(client, admin_headers)
    body = application(partners=[{"organisation": org_id, "type": "intercommunale",
                                  "represents": ["44087", "44088"]}])
    created = post_app(client, admin_headers, call["id"], body)
    minimum = rule(created, "partnership_minimum")
    assert minimum["passed"] is True and minimum["details"]["members"] == ["44021", "44087", "44088"]
    assert created["partners"][0]["represents"] == ["44087", "44088"]


def test_double_funding_flagged_for_a_near_copy_of_a_2017_project(client, admin_headers):
    projects = client.get("/api/v1/projects?programme=city-of-things-2017&per_page=100").json["items"]
    original = next(p for p in projects if p["title"] == "Parkeerinformatie")
    call = make_call(client, admin_headers)
    copy = post_app(client, admin_headers, call["id"], application(
        title=original["title"] + " in de binnenstad", summary=original["summary"]))
    flag = rule(copy, "double_funding")
    assert flag["status"] == "flagged" and copy["eligibility"]["flagged"] is True
    assert flag["details"]["matches"][0]["project_id"] == original["id"]
    assert copy["eligibility"]["eligible"] is True  # a flag asks for a check, it does not exclude
    unrelated = post_app(client, admin_headers, call["id"], application(
        title="Zwemlessen voor volwassenen", summary="Een cursus crawl en schoolslag in het stedelijk "
                                                     "zwembad voor wie het nooit leerde."))
    assert rule(unrelated, "double_funding")["status"] == "passed"


def test_patch_checks_the_whole_application_again(client, admin_headers):
    call = make_call(client, admin_headers)
    created = post_app(client, admin_headers, call["id"], application(status="draft"))
    url = f"/api/v1/applications/{created['id']}"
    resp = client.patch(url, json={"total_budget_cents": 40_000_000}, headers=admin_headers)
    assert_problem(resp, 400, "requested_grant_cents")
    ok = client.patch(url, json={"committed_followers": ["44087"], "status": "draft"}, headers=admin_headers)
    assert ok.status_code == 200 and ok.json["committed_followers"] == ["44087"]
    assert ok.json["status"] == "draft" and ok.json["total_budget_cents"] == 80_000_000
    assert client.delete(url, headers=admin_headers).status_code == 204
    assert client.get(url, headers=admin_headers).status_code == 404


def test_override_needs_a_motivation_and_shows(client, admin_headers):
    call = make_call(client, admin_headers)
    created = post_app(client, admin_headers, call["id"], application(partners=[]))
    url = f"/api/v1/applications/{created['id']}/eligibility-override"
    assert_problem(client.post(url, json={"eligible": True}, headers=admin_headers), 400, "motivation")
    assert_problem(client.post(url, json={"eligible": True, "motivation": "   kort    "},
                               headers=admin_headers), 400, "motivation")
    done = client.post(url, json={"eligible": True, "motivation": "Antwerpen bevestigde schriftelijk."},
                       headers=admin_headers)
    assert done.status_code == 200
    elig = done.json["eligibility"]
    assert elig["eligible"] is False and elig["final_eligible"] is True
    assert elig["override"]["motivation"] == "Antwerpen bevestigde schriftelijk."
    assert elig["override"]["by"] == "admin@example.org"
    city = city_headers(client.application, "44021")
    assert client.post(url, json={"eligible": True, "motivation": "Wij vinden van wel."},
                       headers=city).status_code == 403


# --------------------------------------------------------------------------------------------
# Consortium advice and sensitivity


def test_consortium_advice_gains_are_what_adding_the_follower_gives(client, admin_headers):
    call = make_call(client, admin_headers)
    created = post_app(client, admin_headers, call["id"], application(status="draft"))
    advice = client.get(f"/api/v1/applications/{created['id']}/consortium-advice?max_distance_km=30",
                        headers=admin_headers).json
    # dozens of low-experience municipalities lie within 30 km: all three default places are filled
    assert len(advice["suggestions"]) == 3
    assert len({s["refnis"] for s in advice["suggestions"]}) == 3
    shown = created["indicators"]
    total = shown["leverage"]["score"] + shown["scalability"]["score"]
    assert advice["base_score"] == pytest.approx(total, abs=0.021)
    first = advice["suggestions"][0]
    assert first["gain"] > 0 and first["distance_km"] <= 30
    # Independent check: add the first suggestion as a follower with a letter and read back.
    url = f"/api/v1/applications/{created['id']}"
    after = client.patch(url, json={"committed_followers": [{"refnis": first["refnis"], "letter": True}]},
                         headers=admin_headers).json["indicators"]
    after_total = after["leverage"]["score"] + after["scalability"]["score"]
    assert after_total == pytest.approx(first["score_after"], abs=0.03)
    bad = client.get(f"{url}/consortium-advice?max_followers=4", headers=admin_headers)
    assert_problem(bad, 400, "max_followers")


def test_sensitivity_lists_the_stable_top(client, admin_headers):
    call = make_call(client, admin_headers)
    for i, followers in enumerate([[], ["44087"], ["44087", "44088", "44085"]]):
        post_app(client, admin_headers, call["id"], application(title=f"Aanvraag {i}",
                                                                committed_followers=followers))
    report = client.get(f"{CALLS}/{call['id']}/sensitivity?top_n=1", headers=admin_headers).json
    assert report["top_n"] == 1 and len(report["baseline"]) == 3
    assert len(report["scenarios"]) == 4  # two criteria, -20 % and +20 %
    assert set(report["stable_top_n"]) | set(report["unstable_top_n"]) == {report["baseline"][0]["application_id"]}
    assert_problem(client.get(f"{CALLS}/{call['id']}/sensitivity?top_n=0", headers=admin_headers), 400, "top_n")


# --------------------------------------------------------------------------------------------
# Import


def test_import_nothing_on_error_unless_asked(client, admin_headers):
    call = make_call(client, admin_headers)
    good = application(title="Goede rij")
    bad = application(title="Slechte rij", requested_grant_cents=-5)
    url = f"{CALLS}/{call['id']}/applications/import"
    vgc = application(title="Met de VGC als volger", committed_followers=["VGC"])
    resp = client.post(url, json={"applications": [good, bad, vgc]}, headers=admin_headers)
    body = assert_problem(resp, 400, "rows[2].requested_grant_cents")
    assert "rows[3].committed_followers[0]" in [e["field"] for e in body["errors"]]
    assert body["report"]["valid"] == 1 and body["report"]["imported"] == 0
    assert count_rows(client.application, "Application") == 0
    resp = client.post(url, json={"applications": [good, bad, vgc], "import_valid_rows": True},
                       headers=admin_headers)
    assert resp.status_code == 201 and resp.json["imported"] == 1 and len(resp.json["created"]) == 1
    listed = client.get(f"{CALLS}/{call['id']}/applications?evaluate=false", headers=admin_headers).json
    assert [a["title"] for a in listed["items"]] == ["Goede rij"] and listed["items"][0]["origin"] == "import"


def test_import_csv_file(client, admin_headers):
    call = make_call(client, admin_headers)
    csv = ("lead;title;domains;requested_grant_cents;total_budget_cents;partners;committed_followers;oslo\n"
           "44021;Slimme verlichting;environment;40000000;60000000;11002;44087;OSLO Adres\n"
           "99999;Onbekende stad;mobility;100;200;;;\n")
    url = f"{CALLS}/{call['id']}/applications/import"
    data = {"file": (io.BytesIO(csv.encode()), "aanvragen.csv"), "import_valid_rows": "true"}
    resp = client.post(url, data=data, headers=admin_headers, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    rows = {r["row"]: r for r in resp.json["rows"]}
    assert rows[2]["ok"] and not rows[3]["ok"]
    assert rows[3]["errors"][0]["field"] == "lead"
    shown = client.get(f"/api/v1/applications/{resp.json['created'][0]}", headers=admin_headers).json
    assert shown["committed_followers"] == ["44087"] and shown["deliverables"]["oslo"] == ["OSLO Adres"]
    missing = client.post(url, data={}, headers=admin_headers, content_type="multipart/form-data")
    assert_problem(missing, 400, "file")
    garbage = {"file": (io.BytesIO(b"no;columns\n1;2\n"), "x.csv")}
    assert_problem(client.post(url, data=garbage, headers=admin_headers,
                               content_type="multipart/form-data"), 400, "file")


# --------------------------------------------------------------------------------------------
# Access


def test_city_users_see_and_change_only_their_own(client, app, admin_headers):
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    antwerpen = city_headers(app, "11002")
    brugge = city_headers(app, "31005")
    mine = post_app(client, gent, call["id"], application(status="draft"))
    assert mine["lead"] == "44021"
    # a city applies only with itself as lead
    resp = client.post(f"{CALLS}/{call['id']}/applications", json=application(lead="31005", partners=[]),
                       headers=gent)
    assert_problem(resp, 403, "lead")
    url = f"/api/v1/applications/{mine['id']}"
    assert client.get(url, headers=antwerpen).status_code == 200  # partner reads
    assert_problem(client.patch(url, json={"title": "Van Antwerpen"}, headers=antwerpen), 403)
    assert_problem(client.get(url, headers=brugge), 404)
    listed = client.get(f"{CALLS}/{call['id']}/applications", headers=brugge).json
    assert listed["items"] == []
    assert [a["id"] for a in client.get(f"{CALLS}/{call['id']}/applications", headers=gent).json["items"]] == [mine["id"]]
    assert client.patch(url, json={"title": "Nieuwe titel"}, headers=gent).json["title"] == "Nieuwe titel"
    juror = {"Authorization": "Bearer " + _user_with_token(app, "juror@example.org", "juror")}
    assert client.get(url, headers=juror).status_code in (403, 404)  # not assigned: no access
    assert_problem(client.get(url), 401)
    assert_problem(client.post(CALLS, json={"preset": "city-of-things-2022"}, headers=gent), 403)
    assert client.get(f"{CALLS}/{call['id']}/criteria").status_code == 200  # the rules are public


# --------------------------------------------------------------------------------------------
# Bad input (issue 5): 400 naming the field, nothing written


BAD_APPLICATIONS = [
    ({"requested_grant_cents": -1}, "requested_grant_cents"),
    ({"total_budget_cents": -80_000_000}, "total_budget_cents"),
    ({"requested_grant_cents": 1.5}, "requested_grant_cents"),
    ({"requested_grant_cents": "50000000"}, "requested_grant_cents"),
    ({"requested_grant_cents": 90_000_000}, "requested_grant_cents"),  # above the total budget
    ({"cofinancing_cents": 10_000_000}, "cofinancing_cents"),  # 50 + 10 != 80
    ({"lead": "99999"}, "lead"),
    ({"partners": [{"refnis": "12345"}]}, "partners[0].refnis"),
    ({"committed_followers": ["00000"]}, "committed_followers[0]"),
    ({"partners": [{"refnis": "11002"}, {"refnis": "11002"}]}, "partners[1]"),
    ({"partners": [{"refnis": "44021"}]}, "partners[0].refnis"),  # the lead as partner
    ({"partners": [{"organisation": 99999}]}, "partners[0].organisation"),
    ({"domains": []}, "domains"),
    ({"domains": ["space"]}, "domains[0]"),
    ({"prior_projects": [999999]}, "prior_projects[0]"),
    ({"title": ""}, "title"),
    ({"colour": "red"}, "colour"),
    ({"deliverables": {"open_data": "yes"}}, "deliverables.open_data"),
    ({"committed_followers": ["VGC"]}, "committed_followers[0]"),
    ({"title": "x" * 301}, "title"),
    ({"requested_grant_cents": 10**14, "total_budget_cents": 10**14}, "requested_grant_cents"),
]


def test_bad_application_input_names_the_field(client, app, admin_headers):
    call = make_call(client, admin_headers)
    for changes, field in BAD_APPLICATIONS:
        resp = client.post(f"{CALLS}/{call['id']}/applications", json=application(**changes),
                           headers=admin_headers)
        assert_problem(resp, 400, field)
    assert count_rows(app, "Application") == 0
    assert count_rows(app, "ApplicationPartner") == 0


BAD_CRITERIA = [
    ([{"code": "a", "name": "A", "weight": 0}, {"code": "b", "name": "B", "weight": 0}], "criteria"),
    ([{"code": "a", "name": "A", "weight": -1}], "criteria[0].weight"),
    ([{"code": "a", "name": "A", "threshold": 11}], "criteria[0].threshold"),
    ([{"code": "a", "name": "A", "scale_min": 5, "scale_max": 5}], "criteria[0].scale_max"),
    ([{"code": "a", "name": "A", "scale_step": 0}], "criteria[0].scale_step"),
    ([{"code": "a", "name": "A"}, {"code": "a", "name": "B"}], "criteria[1].code"),
    ([{"code": "a", "name": "A", "weight": "zwaar"}], "criteria[0].weight"),
    ([{"code": "a", "name": "A", "scale_min": -1e6, "scale_max": 1e6, "scale_step": 1e-300}],
     "criteria[0].scale_step"),
]


def test_bad_criteria_name_the_field_and_change_nothing(client, admin_headers):
    call = make_call(client, admin_headers)
    for criteria, field in BAD_CRITERIA:
        resp = client.put(f"{CALLS}/{call['id']}/criteria", json={"criteria": criteria},
                          headers=admin_headers)
        assert_problem(resp, 400, field)
        after = client.get(f"{CALLS}/{call['id']}/criteria").json["items"]
        assert [c["code"] for c in after] == ["leverage", "scalability"]
        full = {"name": "X", "year": 2025, "criteria": criteria}
        assert_problem(client.post(CALLS, json=full, headers=admin_headers), 400, field)
    assert [c["id"] for c in client.get(CALLS).json["items"]] == [call["id"]]


BAD_CALLS = [
    ({"preset": "city-of-things-1999"}, "preset"),
    ({"name": "Zonder jaar", "criteria": [{"code": "a", "name": "A"}]}, "year"),
    ({"preset": "city-of-things-2022", "max_grant_cents": -1}, "max_grant_cents"),
    ({"preset": "city-of-things-2022", "max_subsidy_pct": 120}, "max_subsidy_pct"),
    ({"preset": "city-of-things-2022", "total_budget_cents": 100}, "max_grant_cents"),  # cap above budget
    ({"preset": "city-of-things-2022", "deadline": "30/06/2023"}, "deadline"),
]


def test_bad_call_input_names_the_field(client, app, admin_headers):
    for body, field in BAD_CALLS:
        assert_problem(client.post(CALLS, json=body, headers=admin_headers), 400, field)
    assert count_rows(app, "Call") == 0 and count_rows(app, "Criterion") == 0


def test_unknown_ids_are_404(client, admin_headers):
    assert_problem(client.get(f"{CALLS}/999"), 404, "id")
    assert_problem(client.get("/api/v1/applications/999", headers=admin_headers), 404, "id")
    assert_problem(client.post(f"{CALLS}/999/applications", json=application(), headers=admin_headers), 404)
