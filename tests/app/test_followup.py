"""The cluster at work (issue 17): a published call's funded applications become registry
projects; followers adopt; the lead reports and the secretariat reviews; the ex-post report sets
promised against delivered."""

from __future__ import annotations

import io

from tests.app.jury_setup import add_jurors, assign, city_user, demo_call, put_scores
from tests.app.test_api_bad_input import assert_problem

API = "/api/v1"


def _pdf() -> bytes:
    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def published_call(app, client, admin_headers) -> tuple[int, list[int]]:
    """The demo call made a real one (demo calls feed nothing into the registry), scored,
    selected and published; returns the call and its funded applications."""
    from app.core.extensions import db
    from app.models import Call

    j = demo_call(app)
    with app.app_context():
        db.session.get(Call, j.call_id).is_demo = False
        db.session.commit()
        db.session.remove()
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    put_scores(app, [(p["application"], p["juror"], c, 6) for p in result["assignments"]
                     for c in j.criteria])
    sel = client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 100_000_000},
                      headers=admin_headers)
    assert sel.status_code == 200, sel.json
    resp = client.post(f"{API}/calls/{j.call_id}/publish", headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert len(resp.json["projects"]) == len(resp.json["funded"])
    return j.call_id, resp.json["funded"]


def with_follower(client, admin_headers, call_id: int) -> dict:
    """A project of the call whose application named at least one follower."""
    projects = client.get(f"{API}/projects?call={call_id}&per_page=100").json["items"]
    for p in projects:
        if any(x["role"] == "follower" for x in p["participations"]):
            return p
    raise AssertionError("no funded application with a follower in the demo call")


def actions(client, admin_headers) -> list[str]:
    return [e["action"] for e in client.get(f"{API}/audit?per_page=100",
                                            headers=admin_headers).json["items"]]


def experience(client, refnis: str, project_id: int) -> dict | None:
    body = client.get(f"{API}/municipalities/{refnis}/profile").json
    for d in body["domains"]:
        for p in d["projects"]:
            if p["project_id"] == project_id:
                return p
    return None


def test_publication_puts_the_funded_applications_in_the_registry_once(app, client, admin_headers):
    call_id, funded = published_call(app, client, admin_headers)
    body = client.get(f"{API}/projects?call={call_id}&per_page=100").json
    assert body["total"] == len(funded)
    assert sorted(p["application"] for p in body["items"]) == sorted(funded)
    p = with_follower(client, admin_headers, call_id)
    assert p["evidence"] == "verified" and p["call"] == call_id and p["status"] == "running"
    assert all(x["evidence_level"] == "verified" for x in p["participations"])
    roles = {x["role"] for x in p["participations"]}
    assert "lead" in roles and "follower" in roles
    assert all(x["promised"] for x in p["participations"] if x["role"] == "follower")
    application = client.get(f"{API}/applications/{p['application']}", headers=admin_headers).json
    assert p["title"] == application["title"]
    assert "project.created_from_application" in actions(client, admin_headers)
    # running it again creates nothing
    again = client.post(f"{API}/calls/{call_id}/funded-projects", headers=admin_headers)
    assert again.status_code == 200 and again.json["created"] == []
    assert client.get(f"{API}/projects?call={call_id}").json["total"] == len(funded)
    follow = client.get(f"{API}/projects/{p['id']}/follow-up", headers=admin_headers).json
    assert follow["application"] == p["application"]
    assert follow["milestones"][-1]["code"] == "final_report"
    assert_problem(client.get(f"{API}/projects?call=abc"), 400, "call")


def test_a_demo_call_feeds_nothing_into_the_registry(app, client, admin_headers):
    from app.core.extensions import db
    from app.followup.service import create_funded_projects
    from app.models import Call

    j = demo_call(app)
    with app.app_context():
        assert create_funded_projects(db.session.get(Call, j.call_id), None) == []
    assert client.get(f"{API}/projects?call={j.call_id}").json["total"] == 0
    assert_problem(client.post(f"{API}/calls/{j.call_id}/funded-projects", headers=admin_headers),
                   409, "phase")


def test_the_loop_report_review_adoption_ex_post(app, client, admin_headers):
    call_id, _ = published_call(app, client, admin_headers)
    p = with_follower(client, admin_headers, call_id)
    pid = p["id"]
    lead = next(x["refnis"] for x in p["participations"] if x["role"] == "lead")
    follower = next(x["refnis"] for x in p["participations"] if x["role"] == "follower")
    lead_h, follower_h = city_user(app, lead), city_user(app, follower)
    before_lead = experience(client, lead, pid)
    assert experience(client, follower, pid) is None  # a promise counts for nothing yet
    # only the lead reports
    report = {"kind": "final", "text": "Het platform draait in drie gemeenten.",
              "results": [{"kind": "repository", "url": "https://github.com/example/platform",
                           "title": "platform"}]}
    assert_problem(client.post(f"{API}/projects/{pid}/reports", json=report, headers=follower_h), 403)
    assert_problem(client.post(f"{API}/projects/{pid}/reports",
                               json={**report, "results": [{"kind": "dataset"}]}, headers=lead_h),
                   400, "results.0.url")
    for kind, url in (("repository", "https://github.com"),
                      ("oslo_specification", "https://example.org/oslo/mobiliteit")):
        assert_problem(client.post(f"{API}/projects/{pid}/reports", headers=lead_h, json={
            **report, "results": [{"kind": kind, "url": url}]}), 400, "results.0.url")
    resp = client.post(f"{API}/projects/{pid}/reports", data={
        "kind": "final", "text": report["text"], "results": '[{"kind": "repository", '
        '"url": "https://github.com/example/platform"}]', "file": (io.BytesIO(_pdf()), "r.pdf")},
        headers=lead_h, content_type="multipart/form-data")
    assert resp.status_code == 201, resp.json
    rid = resp.json["id"]
    assert resp.json["document"]["pages"] == 1
    pdf = client.get(resp.json["document"]["url"], headers=admin_headers)
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    assert_problem(client.post(f"{API}/projects/{pid}/reports", json=report, headers=lead_h),
                   409, "kind")
    # the secretariat reviews
    assert_problem(client.post(f"{API}/reports/{rid}/review",
                               json={"decision": "approved", "motivation": "ok"}, headers=lead_h), 403)
    ok = client.post(f"{API}/reports/{rid}/review",
                     json={"decision": "approved", "motivation": "Resultaten gecontroleerd."},
                     headers=admin_headers)
    assert ok.status_code == 200 and ok.json["status"] == "approved", ok.json
    follow = client.get(f"{API}/projects/{pid}/follow-up", headers=admin_headers).json
    assert follow["balance_due_at"] and follow["status"] == "completed"
    assert any(m["code"] == "final_report" and m["delivered_at"] for m in follow["milestones"])
    assert client.get(f"{API}/projects/{pid}").json["deliverables"]["open_source"] is True
    assert_problem(client.post(f"{API}/reports/{rid}/review",
                               json={"decision": "changes", "motivation": "nee"},
                               headers=admin_headers), 409, "decision")
    # adoption: a city records only its own
    body = {"refnis": follower, "status": "implemented",
            "evidence_url": "https://example.org/raadsbesluit"}
    assert_problem(client.post(f"{API}/projects/{pid}/adoptions", json=body, headers=lead_h),
                   403, "refnis")
    assert_problem(client.post(f"{API}/projects/{pid}/adoptions",
                               json={"refnis": follower, "status": "dropped"}, headers=follower_h),
                   400, "reason")
    resp = client.post(f"{API}/projects/{pid}/adoptions", json=body, headers=follower_h)
    assert resp.status_code == 201, resp.json
    assert resp.json["committed"] is True
    listed = client.get(f"{API}/projects/{pid}/adoptions").json["items"]
    assert [(a["refnis"], a["status"]) for a in listed] == [(follower, "implemented")]
    roles = {x["refnis"]: x for x in client.get(f"{API}/projects/{pid}").json["participations"]}
    assert roles[follower]["role"] == "adopter" and not roles[follower]["promised"]
    gained = experience(client, follower, pid)
    assert gained is not None and gained["role"] == "adopter" and gained["contribution"] > 0
    after_lead = experience(client, lead, pid)
    assert after_lead["adopters"] == before_lead["adopters"] + 1
    assert after_lead["adoption"] > before_lead["adoption"]
    # the city's own word waits in the secretariat's verification queue; verified it counts fully
    [pending] = [d for d in client.get(f"{API}/declarations", headers=admin_headers).json["items"]
                 if d["project"]["id"] == pid]
    assert (pending["role"], pending["evidence_level"]) == ("adopter", "declared")
    ok = client.post(f"{API}/declarations/{pending['id']}/review",
                     json={"decision": "verify", "motivation": "Raadsbesluit gezien."},
                     headers=admin_headers)
    assert ok.status_code == 200, ok.json
    assert experience(client, follower, pid)["evidence"] == "verified"
    # ex-post
    ex = client.get(f"{API}/calls/{call_id}/ex-post").json
    row = next(r for r in ex["items"] if r["project"] == pid)
    assert len(row["followers_promised"]) >= 1 and row["followers_adopted"] == [follower]
    assert row["final_report_approved"] and row["at_decision"]["leverage"] is not None
    assert row["happened"]["leverage"] is not None and row["happened"]["scalability"] is not None
    assert ex["totals"]["followers_adopted"] == 1
    csv = client.get(f"{API}/calls/{call_id}/ex-post?format=csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    assert str(pid) in csv.get_data(as_text=True)
    assert_problem(client.get(f"{API}/calls/{call_id}/ex-post?format=xml"), 400, "format")
    xlsx = client.get(f"{API}/calls/{call_id}/ex-post?format=xlsx")
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.data)).active
    assert sheet.cell(1, 1).value == "project" and sheet.max_row == len(ex["items"]) + 1
    done = actions(client, admin_headers)
    for action in ("report.submitted", "report.reviewed", "adoption.recorded"):
        assert action in done
    # published results are open data; the programme counts the adoption
    item = next(i for i in client.get(f"{API}/open-data/projects").json["items"]
                if i["project"] == pid)
    assert [r["kind"] for r in item["results"]] == ["repository"]
    domain = client.get(f"{API}/projects/{pid}").json["domains"][0]
    prog = next(d for d in client.get(f"{API}/programme").json["domains"] if d["domain"] == domain)
    assert prog["followers_adopted"] >= 1 and prog["knowledge_items"] >= 1
    # an adoption the secretariat rejects does not count as delivered
    other_h = city_user(app, "11002")
    body = {"refnis": "11002", "status": "implemented", "evidence_url": "https://example.org/a/b"}
    assert client.post(f"{API}/projects/{pid}/adoptions", json=body,
                       headers=other_h).status_code == 201
    [claim] = [d for d in client.get(f"{API}/declarations", headers=admin_headers).json["items"]
               if d["project"]["id"] == pid and d["municipality"]["refnis"] == "11002"]
    assert client.post(f"{API}/declarations/{claim['id']}/review",
                       json={"decision": "reject", "motivation": "Geen bewijs van invoering."},
                       headers=admin_headers).status_code == 200
    row = next(r for r in client.get(f"{API}/calls/{call_id}/ex-post").json["items"]
               if r["project"] == pid)
    assert "11002" not in row["other_adopters"]
    listed = {a["refnis"]: a for a in client.get(f"{API}/projects/{pid}/adoptions").json["items"]}
    assert listed["11002"]["counts"] is False and listed[follower]["counts"] is True
    # moving back takes the credit back: the follower is a promise again
    resp = client.post(f"{API}/projects/{pid}/adoptions",
                       json={"refnis": follower, "status": "dropped", "reason": "Budget geschrapt"},
                       headers=follower_h)
    assert resp.status_code == 201
    assert experience(client, follower, pid) is None


def test_overdue_milestones_show_on_the_secretariats_list(app, client, admin_headers):
    call_id, _ = published_call(app, client, admin_headers)
    p = with_follower(client, admin_headers, call_id)
    follow = client.get(f"{API}/projects/{p['id']}/follow-up", headers=admin_headers).json
    mid = follow["milestones"][0]["id"]
    resp = client.patch(f"{API}/milestones/{mid}", json={"due_date": "2020-01-31"},
                        headers=admin_headers)
    assert resp.status_code == 200 and resp.json["overdue"] is True
    assert_problem(client.patch(f"{API}/milestones/{mid}", json={"due_date": "morgen"},
                                headers=admin_headers), 400, "due_date")
    overdue = client.get(f"{API}/milestones/overdue", headers=admin_headers).json["items"]
    assert [m["id"] for m in overdue] == [mid]
    page = client.get("/opvolging")
    assert page.status_code in (302, 401)
    assert "milestone.planned" in actions(client, admin_headers)


def test_the_pages_show_follow_up_dashboard_and_ex_post_in_dutch(app, client, admin_headers):
    from tests.app.test_call_pages import login

    call_id, _ = published_call(app, client, admin_headers)
    p = with_follower(client, admin_headers, call_id)
    login(client, "admin@example.org")
    page = client.get(f"/projecten/{p['id']}/opvolging")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "Mijlpalen" in text and "eindrapport" in text and "Overname bewaren" in text
    assert "Opvolging" in client.get(f"/projecten/{p['id']}").get_data(as_text=True)
    assert "Gefinancierde projecten" in client.get("/opvolging").get_data(as_text=True)
    ex = client.get(f"/oproepen/{call_id}/ex-post")
    assert ex.status_code == 200 and "Beloofd en geleverd" in ex.get_data(as_text=True)
    assert client.get(f"/oproepen/{call_id}/ex-post?format=csv").mimetype == "text/csv"
    assert client.get(f"/oproepen/{call_id}/ex-post?format=xlsx").data[:2] == b"PK"
    resp = client.post(f"/projecten/{p['id']}/opvolging", data={
        "action": "report", "kind": "progress", "text": "kort"})
    assert resp.status_code == 400 and "text" in resp.get_data(as_text=True)
    # a report with its PDF through the page (up to the pages' 1 MB body limit)
    resp = client.post(f"/projecten/{p['id']}/opvolging", data={
        "action": "report", "kind": "progress", "text": "Tussentijds rapport met bijlage.",
        "file": (io.BytesIO(_pdf()), "rapport.pdf")}, content_type="multipart/form-data")
    assert resp.status_code == 302, resp.get_data(as_text=True)[:500]
    assert client.get(f"{API}/projects/{p['id']}/reports").json["items"][-1]["document"]["pages"] == 1


def _solved_plan(app) -> int:
    """A stored plan with two mobility clusters (written straight in: not about the optimizer)."""
    from app.core.extensions import db
    from app.models import ClusterPlan

    result = {"status": "optimal", "clusters": [
        {"domain": "mobility", "lighthouse": {"refnis": "44021", "name": "Gent"}, "cost": 1.0,
         "followers": [{"refnis": "44083", "name": "Sint-Martens-Latem", "distance_km": 9.0,
                        "cost": 1.0}, {"refnis": "44020", "name": "Evergem",
                                       "distance_km": 10.0, "cost": 1.0}]},
        {"domain": "mobility", "lighthouse": {"refnis": "11002", "name": "Antwerpen"}, "cost": 1.0,
         "followers": [{"refnis": "11008", "name": "Brasschaat", "distance_km": 8.0,
                        "cost": 1.0}]}]}
    with app.app_context():
        plan = ClusterPlan(name="test", params={}, status="done", result=result)
        db.session.add(plan)
        db.session.commit()
        pid = plan.id
        db.session.remove()
    return pid


def test_clusters_in_operation_with_observers_sessions_and_the_programme(app, client, admin_headers):
    plan = _solved_plan(app)
    url = f"{API}/cluster-plans/{plan}/adopt"
    assert_problem(client.post(url, json={"clusters": [5]}, headers=admin_headers), 400, "clusters")
    resp = client.post(url, json={"clusters": [0]}, headers=admin_headers)
    assert resp.status_code == 201, resp.json
    [cluster] = resp.json["items"]
    assert cluster["lighthouse"] == "44021"
    assert {m["refnis"]: m["role"] for m in cluster["members"]} == {
        "44021": "lighthouse", "44083": "follower", "44020": "follower"}
    again = client.post(url, headers=admin_headers)  # the rest; the first is left alone
    assert [c["lighthouse"] for c in again.json["items"]] == ["11002"]
    assert len(client.get(f"{API}/clusters?domain=mobility").json["items"]) == 2
    cid = cluster["id"]
    # observers (the concept note's third role)
    assert_problem(client.post(f"{API}/clusters/{cid}/members",
                               json={"refnis": "44021", "role": "observer"},
                               headers=admin_headers), 409, "refnis")
    ok = client.post(f"{API}/clusters/{cid}/members", json={"refnis": "41002", "role": "observer"},
                     headers=admin_headers)
    assert ok.status_code == 200 and ok.json["role"] == "observer"
    # sessions: the lighthouse's city user or the admin; attendance only of members
    gent, latem = city_user(app, "44021"), city_user(app, "44083")
    session = {"held_on": "2026-10-15", "topic": "Draaiboek parkeersensoren",
               "attendance": ["44021", "44083", "41002"],
               "material_url": "https://example.org/slides.pdf"}
    assert_problem(client.post(f"{API}/clusters/{cid}/sessions", json=session, headers=latem), 403)
    assert_problem(client.post(f"{API}/clusters/{cid}/sessions",
                               json={**session, "attendance": ["11002"]}, headers=gent),
                   400, "attendance")
    resp = client.post(f"{API}/clusters/{cid}/sessions", json=session, headers=gent)
    assert resp.status_code == 201, resp.json
    shown = client.get(f"{API}/clusters/{cid}").json
    assert [s["topic"] for s in shown["sessions"]] == ["Draaiboek parkeersensoren"]
    assert shown["adoptions"] == []
    done = actions(client, admin_headers)
    for action in ("cluster.adopted", "cluster.member", "cluster.session"):
        assert action in done
    # the programme dashboard and the open data
    prog = client.get(f"{API}/programme").json
    mobility = next(d for d in prog["domains"] if d["domain"] == "mobility")
    assert mobility["clusters"] == 2 and mobility["sessions"] == 1
    assert prog["small_population"] == 10_000
    data = client.get(f"{API}/open-data/projects").json
    assert data["licence"].startswith("CC BY 4.0") and data["items"] == []
    csv = client.get(f"{API}/open-data/projects?format=csv").get_data(as_text=True)
    assert csv.startswith("# licence: CC BY 4.0")
    assert_problem(client.get(f"{API}/open-data/projects?format=pdf"), 400, "format")


def test_cluster_and_programme_pages(app, client, admin_headers):
    from tests.app.test_call_pages import login

    plan = _solved_plan(app)
    login(client, "admin@example.org")
    resp = client.post("/clusters", data={"plan_id": str(plan)})
    assert resp.status_code == 302
    page = client.get("/clusters").get_data(as_text=True)
    assert "Clusters in werking" in page and "Gent" in page
    cid = client.get(f"{API}/clusters").json["items"][0]["id"]
    resp = client.post(f"/clusters/{cid}", data={"action": "member", "refnis": "41002",
                                                  "role": "observer"})
    assert resp.status_code == 302
    resp = client.post(f"/clusters/{cid}", data={"action": "session", "held_on": "2026-10-15",
                                                  "topic": "Parkeersensoren",
                                                  "attendance": ["44021", "41002"]})
    assert resp.status_code == 302
    page = client.get(f"/clusters/{cid}").get_data(as_text=True)
    assert "waarnemer" in page and "Parkeersensoren" in page and "2 / 4" in page
    bad = client.post(f"/clusters/{cid}", data={"action": "session", "held_on": "",
                                                 "topic": "x"})
    assert bad.status_code == 400
    prog = client.get("/programma")
    assert prog.status_code == 200 and "Kleine gemeenten bereikt" in prog.get_data(as_text=True)
    assert client.get("/programma?export=csv").get_data(as_text=True).startswith("# licence")
    assert client.get("/programma?export=json").json["licence"]


def test_the_operator_scripts_it(app, client, admin_headers, runner):
    call_id, funded = published_call(app, client, admin_headers)
    again = runner.invoke(args=["funded-projects", str(call_id)])
    assert again.exit_code == 0 and "0 project(s) created" in again.output
    out = runner.invoke(args=["ex-post", str(call_id)])
    assert out.exit_code == 0 and out.output.startswith("project,application,title")
    assert len(out.output.strip().splitlines()) == len(funded) + 1
    data = runner.invoke(args=["open-data", "--format", "json"])
    assert data.exit_code == 0 and '"licence"' in data.output
    missing = runner.invoke(args=["ex-post", "99999"])
    assert missing.exit_code == 1 and "99999" in missing.output
