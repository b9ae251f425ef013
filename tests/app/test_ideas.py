"""Ideas of a call's pre-registration phase (issue 14, item 1): a city files an idea for its own
municipality, the secretariat for any; an idea marked not visible is never shown to another city,
in the API or on the pages; every change is audited."""

from __future__ import annotations

import pytest

from tests.app.test_api_bad_input import assert_problem
from tests.app.test_api_calls import CALLS, city_headers, make_call
from tests.app.test_call_pages import login

GENT, ANTWERPEN, KORTRIJK = "44021", "11002", "34022"


def pre_registration_call(client, admin_headers) -> int:
    call = make_call(client, admin_headers, open_call=False)
    resp = client.post(f"{CALLS}/{call['id']}/transitions", json={"to": "pre-registration"},
                       headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert resp.json["phase"] == "pre-registration"
    return call["id"]


def idea(**changes) -> dict:
    body = {"title": "Slimme verkeerstellingen aan schoolpoorten",
            "problem": "Ouders en scholen weten niet hoeveel kinderen fietsen.",
            "solution": "Camera's tellen fietsers en voetgangers; open data.",
            "domains": ["mobility"], "seeks": ["lighthouse"],
            "budget_min_cents": 10_000_000, "budget_max_cents": 40_000_000}
    body.update(changes)
    return body


def file_idea(client, headers, call_id, body, status=201) -> dict:
    resp = client.post(f"{CALLS}/{call_id}/ideas", json=body, headers=headers)
    assert resp.status_code == status, resp.json
    return resp.json


@pytest.fixture
def setting(app, client, admin_headers):
    call_id = pre_registration_call(client, admin_headers)
    gent, antwerpen = city_headers(app, GENT), city_headers(app, ANTWERPEN)
    public = file_idea(client, gent, call_id, idea())
    hidden = file_idea(client, gent, call_id, idea(title="Nog geheim idee over parkeren",
                                                   visible_to_others=False))
    return call_id, gent, antwerpen, public, hidden


def test_a_city_files_ideas_for_its_own_municipality(client, admin_headers, setting):
    call_id, gent, _antwerpen, public, hidden = setting
    assert public["refnis"] == GENT and public["visible_to_others"] is True
    assert hidden["visible_to_others"] is False
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(refnis=ANTWERPEN),
                               headers=gent), 403, "refnis")
    # the secretariat files for a municipality it names
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(), headers=admin_headers),
                   400, "refnis")
    by_admin = file_idea(client, admin_headers, call_id, idea(refnis=KORTRIJK))
    assert by_admin["refnis"] == KORTRIJK
    actions = [e["action"] for e in client.get("/api/v1/audit?per_page=100",
                                               headers=admin_headers).json["items"]]
    assert actions.count("idea.create") == 3


def test_a_hidden_idea_is_never_shown_to_another_city(client, admin_headers, setting):
    call_id, gent, antwerpen, public, hidden = setting
    seen = [i["id"] for i in client.get(f"{CALLS}/{call_id}/ideas", headers=antwerpen).json["items"]]
    assert seen == [public["id"]]
    assert_problem(client.get(f"/api/v1/ideas/{hidden['id']}", headers=antwerpen), 404)
    assert_problem(client.patch(f"/api/v1/ideas/{hidden['id']}", json={"title": "Overgenomen"},
                                headers=antwerpen), 404)
    assert_problem(client.delete(f"/api/v1/ideas/{hidden['id']}", headers=antwerpen), 404)
    # the owner and the secretariat see it
    own = [i["id"] for i in client.get(f"{CALLS}/{call_id}/ideas", headers=gent).json["items"]]
    assert own == [public["id"], hidden["id"]]
    assert client.get(f"/api/v1/ideas/{hidden['id']}", headers=admin_headers).status_code == 200


def test_only_the_owner_or_the_secretariat_changes_an_idea(client, admin_headers, setting):
    call_id, gent, antwerpen, public, _hidden = setting
    assert_problem(client.patch(f"/api/v1/ideas/{public['id']}", json={"title": "Van ons"},
                                headers=antwerpen), 403)
    changed = client.patch(f"/api/v1/ideas/{public['id']}", json={"visible_to_others": False},
                           headers=gent)
    assert changed.status_code == 200 and changed.json["visible_to_others"] is False
    assert client.get(f"{CALLS}/{call_id}/ideas", headers=antwerpen).json["items"] == []
    assert client.delete(f"/api/v1/ideas/{public['id']}", headers=admin_headers).status_code == 204
    assert_problem(client.get(f"/api/v1/ideas/{public['id']}", headers=gent), 404)


def test_bad_input_names_the_field(client, setting):
    call_id, gent, *_ = setting
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(domains=["space"]),
                               headers=gent), 400, "domains.0")
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(domains=[]),
                               headers=gent), 400, "domains")
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(seeks=["money"]),
                               headers=gent), 400, "seeks.0")
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(budget_min_cents=5,
                                                                     budget_max_cents=1),
                               headers=gent), 400, "budget_max_cents")
    assert_problem(client.post(f"{CALLS}/{call_id}/ideas", json=idea(colour="blue"),
                               headers=gent), 400, "colour")
    assert_problem(client.post(f"{CALLS}/999999/ideas", json=idea(), headers=gent), 404)


def test_ideas_are_filed_only_in_pre_registration(app, client, admin_headers):
    call = make_call(client, admin_headers)  # straight to open
    assert_problem(client.post(f"{CALLS}/{call['id']}/ideas", json=idea(),
                               headers=city_headers(app, GENT)), 409, "phase")


def test_a_juror_has_no_part_in_pre_registration(app, client, setting):
    from tests.conftest import _user_with_token

    call_id, *_ = setting
    juror = {"Authorization": "Bearer " + _user_with_token(app, "juror@example.org", "juror")}
    assert_problem(client.get(f"{CALLS}/{call_id}/ideas", headers=juror), 403)


def test_the_pages_follow_the_same_visibility(app, client, setting):
    from tests.e2e.conftest import create_user

    call_id, _gent, _antwerpen, public, hidden = setting
    from tests.app.test_api_calls import municipality_id

    create_user(app, "stad@antwerpen.be", "city", municipality_id=municipality_id(app, ANTWERPEN))
    login(client, "stad@antwerpen.be")
    page = client.get(f"/oproepen/{call_id}/ideeen").get_data(as_text=True)
    assert public["title"] in page and hidden["title"] not in page
    assert client.get(f"/ideeen/{hidden['id']}").status_code == 404
    assert client.get(f"/ideeen/{public['id']}").status_code == 200
    assert client.post(f"/ideeen/{public['id']}", data={"title": "Van ons"}).status_code == 403
    # Antwerpen files its own idea through the form
    resp = client.post(f"/oproepen/{call_id}/ideeen", data={
        "title": "Luchtkwaliteit meten met fietsers", "domains": ["environment"],
        "seeks": ["peers"], "visible_to_others": "on", "budget_min": "50.000"})
    assert resp.status_code == 302, resp.get_data(as_text=True)[:2000]
    page = client.get(resp.headers["Location"]).get_data(as_text=True)
    assert "Luchtkwaliteit meten met fietsers" in page and "Antwerpen" in page
    # an empty title is refused beside the form, in Dutch
    bad = client.post(f"/oproepen/{call_id}/ideeen", data={"title": "", "domains": ["mobility"]})
    assert bad.status_code == 400 and "title" in bad.get_data(as_text=True)


def test_related_ideas_add_up_and_never_show_a_hidden_idea(app, client, admin_headers, setting):
    call_id, gent, antwerpen, public, hidden = setting
    mine = file_idea(client, antwerpen, call_id, idea(
        title="Tellingen van fietsers aan schoolpoorten", seeks=["followers"]))
    kortrijk = city_headers(app, KORTRIJK)
    file_idea(client, kortrijk, call_id, idea(title="Zwerfvuil herkennen met camera's",
                                              domains=["environment"], seeks=["peers"]))
    resp = client.get(f"/api/v1/ideas/{mine['id']}/related?limit=5", headers=antwerpen)
    assert resp.status_code == 200, resp.json
    items = resp.json["items"]
    assert items[0]["idea"] == public["id"] and items[0]["refnis"] == GENT
    assert hidden["id"] not in [i["idea"] for i in items]
    for item in items:
        assert [f["name"] for f in item["factors"]] == ["text_similarity", "shared_domains",
                                                        "complementary_roles", "distance_km"]
        assert item["score"] == sum(f["contribution"] for f in item["factors"])
        assert item["reasons"]["nl"] and item["reasons"]["en"]
    assert "mobiliteit" in items[0]["reasons"]["nl"]
    # the secretariat sees the hidden one among Gent's neighbours' related ideas
    admin_items = client.get(f"/api/v1/ideas/{mine['id']}/related", headers=admin_headers).json
    assert hidden["id"] in [i["idea"] for i in admin_items["items"]]
    assert_problem(client.get(f"/api/v1/ideas/{hidden['id']}/related", headers=antwerpen), 404)
    assert_problem(client.get(f"/api/v1/ideas/{mine['id']}/related?limit=0", headers=antwerpen),
                   400, "limit")
    # and the page shows the same
    from tests.app.test_api_calls import municipality_id
    from tests.e2e.conftest import create_user

    create_user(app, "stad@antwerpen.be", "city", municipality_id=municipality_id(app, ANTWERPEN))
    login(client, "stad@antwerpen.be")
    page = client.get(f"/ideeen/{mine['id']}").get_data(as_text=True)
    assert public["title"] in page and hidden["title"] not in page


def wait_done(client, headers, run_id: int, seconds: float = 60) -> dict:
    import time

    end = time.time() + seconds
    while time.time() < end:
        body = client.get(f"/api/v1/consortium-proposals/{run_id}", headers=headers).json
        if body["status"] in ("done", "failed"):
            return body
        time.sleep(0.3)
    raise AssertionError(f"run {run_id} still {body['status']}")


def test_the_secretariat_computes_consortium_proposals(app, client, admin_headers, setting):
    call_id, gent, antwerpen, public, hidden = setting
    mine = file_idea(client, antwerpen, call_id, idea(
        title="Tellingen van fietsers aan schoolpoorten", seeks=["followers"]))
    kortrijk = city_headers(app, KORTRIJK)
    lonely = file_idea(client, kortrijk, call_id, idea(title="Zwerfvuil herkennen met camera's",
                                                       domains=["environment"], seeks=["peers"]))
    url = f"{CALLS}/{call_id}/consortium-proposals"
    assert_problem(client.post(url, json={"min_size": 2}, headers=gent), 403)
    assert_problem(client.post(url, json={"min_size": 1}, headers=admin_headers), 400, "min_size")
    assert_problem(client.post(url, json={"fixed_pairs": [[public["id"], hidden["id"]]]},
                               headers=admin_headers), 400, "fixed_pairs")
    started = client.post(url, json={"min_size": 2, "max_size": 4, "time_limit_s": 5},
                          headers=admin_headers)
    assert started.status_code == 202, started.json
    body = wait_done(client, admin_headers, started.json["id"])
    assert body["status"] == "done", body
    assert body["gap"] == 0 and body["progress"]["bound"] >= body["progress"]["objective"]
    together = [{m["idea"] for m in p["members"]} for p in body["proposals"]]
    assert {public["id"], mine["id"]} in together
    assert lonely["id"] in body["alone"]
    assert all(hidden["id"] not in t for t in together) and hidden["id"] not in body["alone"]
    proposal = next(p for p in body["proposals"] if public["id"] in {m["idea"] for m in p["members"]})
    assert proposal["reasons"]["nl"] and all(m["reasons"] for m in proposal["members"]
                                            if m["role"] == "partner")
    # Kortrijk sees no proposal of others, only its idea left alone
    seen = client.get(f"/api/v1/consortium-proposals/{body['id']}", headers=kortrijk).json
    assert seen["proposals"] == [] and seen["alone"] == [lonely["id"]]
    assert "consortium.start" in [e["action"] for e in client.get(
        "/api/v1/audit?per_page=100", headers=admin_headers).json["items"]]


def test_accepted_proposal_becomes_the_leads_prefilled_draft(app, client, admin_headers, setting):
    call_id, gent, antwerpen, public, hidden = setting
    mine = file_idea(client, antwerpen, call_id, idea(
        title="Tellingen van fietsers aan schoolpoorten", seeks=["lighthouse"],
        budget_min_cents=None, budget_max_cents=30_000_000))
    started = client.post(f"{CALLS}/{call_id}/consortium-proposals",
                          json={"time_limit_s": 5}, headers=admin_headers)
    body = wait_done(client, admin_headers, started.json["id"])
    proposal = next(p for p in body["proposals"] if mine["id"] in {m["idea"] for m in p["members"]})
    lead = proposal["lead"]
    url = f"/api/v1/consortium-proposals/{body['id']}/proposals/{proposal['index']}/responses"
    lead_headers = gent if lead == public["id"] else antwerpen
    partner = mine["id"] if lead == public["id"] else public["id"]
    partner_headers = antwerpen if lead == public["id"] else gent
    # nobody answers for another city's idea
    assert_problem(client.post(url, json={"idea": lead, "response": "accepted"},
                               headers=partner_headers), 403, "idea")
    first = client.post(url, json={"idea": partner, "response": "accepted"}, headers=partner_headers)
    assert first.status_code == 200 and first.json["application"] is None
    assert_problem(client.post(url, json={"idea": partner, "response": "declined"},
                               headers=partner_headers), 409, "idea")
    done = client.post(url, json={"idea": lead, "response": "accepted"}, headers=lead_headers)
    assert done.status_code == 200, done.json
    draft = client.get(f"/api/v1/applications/{done.json['application']}", headers=lead_headers).json
    assert draft["status"] == "draft"
    assert draft["lead"] == (GENT if lead == public["id"] else ANTWERPEN)
    others = [p["refnis"] for p in draft["partners"]] + list(draft.get("committed_followers", []))
    assert (ANTWERPEN if lead == public["id"] else GENT) in str(others)
    assert draft["domains"] == ["mobility"]
    assert "Tellingen van fietsers" in draft["summary"]
    for i in (public["id"], mine["id"]):
        assert client.get(f"/api/v1/ideas/{i}", headers=admin_headers).json["application"] == draft["id"]
    actions = [e["action"] for e in client.get("/api/v1/audit?per_page=100",
                                               headers=admin_headers).json["items"]]
    assert actions.count("consortium.respond") == 2 and "application.create" in actions
    # the idea page links the draft only for who may open it (a committed follower may not)
    for own, headers, refnis in ((public, gent, GENT), (mine, antwerpen, ANTWERPEN)):
        opens = client.get(f"/api/v1/applications/{draft['id']}", headers=headers).status_code
        login(client, f"city-{refnis}@example.org")
        page = client.get(f"/ideeen/{own['id']}").get_data(as_text=True)
        assert ('id="idea-application"' in page) == (opens == 200)
        client.post("/logout")


def test_the_proposals_page_starts_a_run_and_shows_a_city_only_its_own(app, client, setting):
    from tests.app.test_api_calls import municipality_id
    from tests.e2e.conftest import create_user

    call_id, gent, antwerpen, public, hidden = setting
    file_idea(client, antwerpen, call_id, idea(title="Tellingen van fietsers aan schoolpoorten"))
    create_user(app, "sec@vlaio.be", "admin")
    login(client, "sec@vlaio.be")
    bad = client.post(f"/oproepen/{call_id}/consortia", data={"action": "start", "min_size": "1"})
    assert bad.status_code == 400 and "min_size" in bad.get_data(as_text=True)
    ok = client.post(f"/oproepen/{call_id}/consortia", data={"action": "start", "min_size": "2",
                                                             "max_size": "4", "time_limit_s": "5"})
    assert ok.status_code == 302
    import time

    for _ in range(100):
        page = client.get(f"/oproepen/{call_id}/consortia").get_data(as_text=True)
        if 'data-status="done"' in page:
            break
        time.sleep(0.3)
    assert "Tellingen van fietsers" in page and hidden["title"] not in page
    client.post("/logout")
    create_user(app, "stad@kortrijk.be", "city", municipality_id=municipality_id(app, KORTRIJK))
    login(client, "stad@kortrijk.be")
    page = client.get(f"/oproepen/{call_id}/consortia").get_data(as_text=True)
    assert "Tellingen van fietsers" not in page and 'id="no-proposals"' in page


def test_seed_session_plan_as_json_pdf_and_page(app, client, admin_headers, setting):
    call_id, gent, antwerpen, public, hidden = setting
    file_idea(client, antwerpen, call_id, idea(title="Tellingen van fietsers aan schoolpoorten"))
    file_idea(client, city_headers(app, KORTRIJK), call_id,
              idea(title="Zwerfvuil herkennen met camera's", domains=["environment"]))
    url = f"{CALLS}/{call_id}/seed-session"
    assert_problem(client.get(url, headers=gent), 403)
    assert_problem(client.get(url + "?table_size=1", headers=admin_headers), 400, "table_size")
    plan = client.get(url + "?rounds=2&table_size=3", headers=admin_headers).json
    assert [d["domain"] for d in plan["domains"]] == ["mobility", "environment"]
    seated = {i["idea"] for d in plan["domains"] for t in d["rounds"][0]["tables"]
              for i in t["ideas"]}
    assert public["id"] in seated and hidden["id"] not in seated and len(seated) == 3
    pdf = client.get(url + ".pdf", headers=admin_headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    from tests.e2e.conftest import create_user

    create_user(app, "sec@vlaio.be", "admin")
    login(client, "sec@vlaio.be")
    page = client.get(f"/oproepen/{call_id}/seed-sessie?rounds=1&table_size=4")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and public["title"] in html and hidden["title"] not in html
    assert client.get(f"/oproepen/{call_id}/seed-sessie?rounds=9").status_code == 400


def test_the_seed_session_command_prints_and_writes_the_plan(app, client, runner, setting, tmp_path):
    call_id, gent, antwerpen, public, hidden = setting
    file_idea(client, antwerpen, call_id, idea(title="Tellingen van fietsers aan schoolpoorten"))
    out = runner.invoke(args=["seed-session", str(call_id), "--rounds", "1"])
    assert out.exit_code == 0, out.output
    assert public["title"] in out.output and hidden["title"] not in out.output
    target = tmp_path / "tafels.pdf"
    out = runner.invoke(args=["seed-session", str(call_id), "--pdf", str(target)])
    assert out.exit_code == 0 and target.read_bytes().startswith(b"%PDF")
    bad = runner.invoke(args=["seed-session", str(call_id), "--table-size", "1"])
    assert bad.exit_code == 1 and "--table-size" in bad.output
    missing = runner.invoke(args=["seed-session", "999999"])
    assert missing.exit_code == 1


def test_a_run_whose_job_died_is_marked_failed_when_read(app, client, admin_headers, setting):
    from datetime import UTC, datetime, timedelta

    from app.core.extensions import db
    from app.models import ConsortiumRun

    call_id, *_ = setting
    with app.app_context():
        run = ConsortiumRun(call_id=call_id, status="running", params={"time_limit_s": 5},
                            progress={"elapsed_s": 3.0, "at": (datetime.now(UTC) - timedelta(
                                minutes=5)).isoformat()})
        db.session.add(run)
        db.session.commit()
        run_id = run.id
        db.session.remove()
    body = client.get(f"/api/v1/consortium-proposals/{run_id}", headers=admin_headers).json
    assert body["status"] == "failed" and "restarted" in body["error"]
