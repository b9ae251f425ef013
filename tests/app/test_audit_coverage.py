"""Every write is audited: each unsafe-method route of the API and the web forms is classified,
and each one driven here adds its audit entry when it succeeds.

The url_map is enumerated, so a new write route fails this test until it is classified: driven
below (the first test: at least one entry; ``DRIVEN_WITH_ACTION``, in the tests after the web
forms: exactly the named actions, in order), allowed without an entry with the reason
(``NOT_A_STATE_CHANGE``), or still to be driven (``NOT_YET_DRIVEN``, now empty; it may only shrink).
The web forms (``web.*``) post to the same services; the second test drives nine of them (call new
and set-up, application new, decision and delete, jury settings, token, logout), the others are not
driven yet.
"""

from __future__ import annotations

from sqlalchemy import func, select

from tests.app.jury_setup import add_jurors, assign, call_in_phase, demo_call, jurors_of
from tests.app.test_api_registry import NEW_PROJECT

API = "/api/v1"
UNSAFE = {"POST", "PUT", "PATCH", "DELETE"}

NOT_A_STATE_CHANGE = {
    "web.login": "authentication of the caller; failures are throttled in login_failure",
    "api.post_similar_projects_to_text": "a search with a text body; reads only",
}

# endpoint -> the audit action its successful request writes (or the actions, in order, where the
# service writes more than one by design), per test that drives it
LIFECYCLE_WRITES = {
    "api.call_transition": "call.transition",
    "api.submit_application": "application.submit",
    "api.withdraw_application": "application.withdraw",
    "api.override_eligibility": "application.eligibility_override",
    "api.create_idea": "idea.create",
    "api.update_idea": "idea.update",
    "api.delete_idea": "idea.delete",
}
JURY_WRITES = {
    "api.remove_juror": "jury.juror_removed",
    "api.save_score": "score.saved",
    "api.submit_scores": "score.submitted",
    "api.record_consensus": "consensus.recorded",
    "api.compute_selection": "selection.computed",
    # the amendment changes the application through update_application (audited itself)
    "api.amend_application": ["application.update", "application.amendment"],
    "api.reconfirm_scores": "score.reconfirm",
    # from the jury phase the decision is taken in the same action: two audited transitions
    "api.publish": ["call.transition", "call.transition", "call.published"],
}
INTAKE_WRITES = {
    "api.set_interests": "interest.set",
    "api.declare_project": "declaration.project",
    "api.declare_participation": "declaration.participation",
    "api.review_declaration": "declaration.rejected",
    "api.import_projects": "projects.import",
    # an imported row is submitted: its receipt is audited as every submission's is
    "api.import_applications": ["application.submit", "applications.import"],
    "api.upload_document": "document.upload",
}
FOLLOW_UP_WRITES = {
    "api.recompute_snapshot": "call.evaluation_recomputed",
    "api.create_funded_projects": "project.created_from_application",  # one per project
    "api.submit_report": "report.submitted",
    "api.review_report": "report.reviewed",
    "api.record_adoption": "adoption.recorded",
    "api.plan_milestone": "milestone.planned",
    "api.adopt_plan": "cluster.adopted",
    "api.add_cluster_member": "cluster.member",
    "api.record_session": "cluster.session",
}
JOB_WRITES = {
    "api.start_cluster_plan": "plan.create",
    "api.cancel_cluster_plan": "plan.cancel",
    "api.retry_cluster_plan": "plan.retry",
    "api.start_consortium_proposals": "consortium.start",
    "api.respond_to_proposal": "consortium.respond",
}
DRIVEN_WITH_ACTION = {**LIFECYCLE_WRITES, **JURY_WRITES, **INTAKE_WRITES, **FOLLOW_UP_WRITES,
                      **JOB_WRITES}

NOT_YET_DRIVEN: set[str] = set()


def _audit_entries(app) -> int:
    from app.core.extensions import db
    from app.models import AuditEntry

    with app.app_context():
        n = db.session.scalar(select(func.count()).select_from(AuditEntry)) or 0
        db.session.remove()
    return n


def _audit_actions(app) -> list[str]:
    from app.core.extensions import db
    from app.models import AuditEntry

    with app.app_context():
        actions = list(db.session.scalars(select(AuditEntry.action).order_by(AuditEntry.id)))
        db.session.remove()
    return actions


def _project_id(app, key: str) -> int:
    from app.core.extensions import db
    from app.models import Project

    with app.app_context():
        found = db.session.scalar(select(Project.id).where(Project.key == key))
        db.session.remove()
    return found


def _unsafe_endpoints(app) -> set[str]:
    return {r.endpoint for r in app.url_map.iter_rules() if (r.methods or set()) & UNSAFE}


def test_every_write_route_is_classified_and_each_driven_write_is_audited(
        app, client, admin_headers):
    driven: dict[str, int] = {}

    def write(endpoint: str, method: str, url: str, expect: int, **kwargs):
        before = _audit_entries(app)
        resp = client.open(url, method=method, headers=admin_headers, **kwargs)
        assert resp.status_code == expect, (endpoint, resp.status_code, resp.get_json())
        driven[endpoint] = _audit_entries(app) - before
        return resp

    # calls
    call = write("api.create_call", "POST", f"{API}/calls", 201,
                 json={"preset": "city-of-things-2022", "name": "Audit: een oproep"}).json
    write("api.update_call", "PATCH", f"{API}/calls/{call['id']}", 200,
          json={"name": "Audit: een andere naam"})
    criteria = [{k: v for k, v in c.items() if k not in ("id", "position")}
                for c in client.get(f"{API}/calls/{call['id']}/criteria").json["items"]]
    write("api.replace_criteria", "PUT", f"{API}/calls/{call['id']}/criteria", 200,
          json={"criteria": criteria})
    # projects
    project = write("api.create_project", "POST", f"{API}/projects", 201, json=NEW_PROJECT).json
    write("api.update_project", "PATCH", f"{API}/projects/{project['id']}", 200,
          json={"grant_cents": 12_000_00})
    write("api.delete_project", "DELETE", f"{API}/projects/{project['id']}", 204)
    # applications and the jury on the demo call
    j = demo_call(app)
    body = client.get(f"{API}/applications/{j.applications[0]}", headers=admin_headers).json
    draft = {k: body[k] for k in ("lead", "domains", "title", "summary", "requested_grant_cents",
                                  "total_budget_cents", "deliverables")}
    draft.update(title="Audit: een ontwerp", status="draft", partners=[], prior_projects=[],
                 committed_followers=[])
    with call_in_phase(app, j.call_id, "open"):
        made = write("api.create_application", "POST", f"{API}/calls/{j.call_id}/applications",
                     201, json=draft).json
        write("api.update_application", "PATCH", f"{API}/applications/{made['id']}", 200,
              json={"title": "Audit: een beter ontwerp"})
        write("api.delete_application", "DELETE", f"{API}/applications/{made['id']}", 204)
    add_jurors(app, client, admin_headers, j, 5)
    driven["api.add_juror"] = 1  # five entries, asserted in test_audit.py
    driven["api.sign_declaration"] = 1  # each juror signs in add_jurors (test_audit.py too)
    result = write("api.compute_assignments", "POST", f"{API}/calls/{j.call_id}/assignments", 200,
                   json={"reviewers_per_application": 3, "max_load": 8}).json
    a = j.applications[0]
    juror = jurors_of(result, a)[0]
    other = next(i for i in j.jurors.values() if i not in jurors_of(result, a))
    write("api.fix_assignment", "PUT", f"{API}/calls/{j.call_id}/assignments/{a}/{other}", 200)
    write("api.remove_assignment", "DELETE", f"{API}/calls/{j.call_id}/assignments/{a}/{other}",
          204)
    write("api.declare_conflict", "POST", f"{API}/calls/{j.call_id}/conflicts", 201,
          json={"juror": juror, "application": a, "reason": "Audit: adviseerde de indiener."})
    write("api.set_juror_affiliations", "PUT", f"{API}/calls/{j.call_id}/jurors/{other}/affiliations",
          200, json={"affiliations": [{"refnis": "73109"}]})
    write("api.update_jury_settings", "PUT", f"{API}/calls/{j.call_id}/jury-settings", 200,
          json={"disagreement_spread": 2.5})
    assign(client, admin_headers, j)
    people = client.get(f"{API}/personal-data", headers=admin_headers).json["items"]
    person = next(p for p in people if p["erased_at"] is None)  # the last write: links only
    write("api.erase_pseudonym", "POST", f"{API}/personal-data/{person['pseudonym']}/erase",
          200, json={"reason": "request"})

    silent = sorted(e for e, n in driven.items() if n < 1)
    assert not silent, f"successful writes without an audit entry: {silent}"
    unsafe = _unsafe_endpoints(app)
    web_forms = {e for e in unsafe if e.startswith("web.")} - set(NOT_A_STATE_CHANGE)
    unclassified = (unsafe - set(driven) - set(DRIVEN_WITH_ACTION) - set(NOT_A_STATE_CHANGE)
                    - NOT_YET_DRIVEN - web_forms)
    assert not unclassified, f"write routes nobody classified: {sorted(unclassified)}"
    assert not ((set(driven) | set(DRIVEN_WITH_ACTION)) & NOT_YET_DRIVEN), \
        "driven now: take it off NOT_YET_DRIVEN"
    stale = (NOT_YET_DRIVEN | set(NOT_A_STATE_CHANGE)) - unsafe
    assert not stale, f"no such write route: {sorted(stale)}"


def test_the_web_forms_write_through_audited_services(app, client, admin_headers):
    from tests.app.jury_setup import PASSWORD, make_user
    from tests.app.test_call_pages import FORM
    from tests.app.test_form_schemas import CALL_FORM

    make_user(app, "secretariaat@example.org", "admin")
    tab = app.test_client()
    assert tab.post("/login", data={"email": "secretariaat@example.org",
                                    "password": PASSWORD}).status_code == 302
    driven: dict[str, int] = {}

    def post(endpoint: str, url: str, data: dict):
        before = _audit_entries(app)
        resp = tab.post(url, data=data)
        assert resp.status_code in (200, 302), (endpoint, resp.status_code)
        driven[endpoint] = _audit_entries(app) - before
        return resp

    resp = post("web.call_new", "/oproepen/nieuw", {"preset": "city-of-things-2017"})
    setup = resp.headers["Location"]
    call_id = int(setup.rstrip("/").split("/")[-2])
    post("web.call_setup", setup, {
        **CALL_FORM, "deadline": "2099-01-01", "criteria_count": "1", "criteria-0-code": "leverage",
        "criteria-0-name_nl": "Hefboomeffect", "criteria-0-weight": "2,5",
        "criteria-0-scale_min": "0", "criteria-0-scale_max": "10", "criteria-0-scale_step": "1"})
    client.post(f"{API}/calls/{call_id}/transitions", json={"to": "open"}, headers=admin_headers)
    resp = post("web.application_new", f"/oproepen/{call_id}/aanvragen/nieuw",
                {**FORM, "lead": "44021", "action": "draft"})
    application_id = int(resp.headers["Location"].rstrip("/").split("/")[-1])
    post("web.application_override", f"/aanvragen/{application_id}/beslissing",
         {"eligible": "yes", "motivation": "Ontvankelijk na nazicht van de bijlagen."})
    post("web.application_delete", f"/aanvragen/{application_id}/verwijderen", {})
    j = demo_call(app)
    post("web.call_jury_settings", f"/oproepen/{j.call_id}/jury/instellingen",
         {"disagreement_spread": "2,5", "tie_break": "", "total_threshold": "",
          "scoring_deadline": ""})
    post("web.account_token_new", "/account/tokens", {"name": "audit", "days": "30"})
    post("web.logout", "/logout", {})

    silent = sorted(e for e, n in driven.items() if n < 1)
    assert not silent, f"successful form posts without an audit entry: {silent}"
    assert set(driven) <= _unsafe_endpoints(app)


def _writer(app, client, admin_headers, driven: dict[str, list[str]]):
    """``write(endpoint, method, url, expect, headers=None, **kwargs)``: the request, whose
    status must be ``expect``; records the audit actions it added under ``endpoint``."""

    def write(endpoint: str, method: str, url: str, expect: int, headers=None, **kwargs):
        before = len(_audit_actions(app))
        resp = client.open(url, method=method, headers=headers or admin_headers, **kwargs)
        assert resp.status_code == expect, (endpoint, resp.status_code, resp.get_json())
        driven[endpoint] = _audit_actions(app)[before:]
        return resp

    return write


def _assert_one_entry_each(driven: dict[str, list[str]], expected: dict) -> None:
    assert set(driven) == set(expected)
    wrong = {e: got for e, got in driven.items()
             if got != ([expected[e]] if isinstance(expected[e], str) else expected[e])}
    assert not wrong, f"writes with other audit entries than the one expected: {wrong}"


def test_the_lifecycle_and_idea_writes_each_write_their_one_audit_entry(app, client, admin_headers):
    from tests.app.test_api_calls import application, city_headers, make_call, post_app
    from tests.app.test_ideas import idea

    driven: dict[str, list[str]] = {}
    write = _writer(app, client, admin_headers, driven)

    gent = city_headers(app, "44021")
    # the call's phases
    call = make_call(client, admin_headers, open_call=False, deadline="2099-06-30")
    write("api.call_transition", "POST", f"{API}/calls/{call['id']}/transitions", 200,
          json={"to": "open"})
    # submission, withdrawal and the secretariat's eligibility decision
    draft = post_app(client, gent, call["id"], application(status="draft"))
    write("api.submit_application", "POST", f"{API}/applications/{draft['id']}/submit", 200,
          headers=gent)
    other = post_app(client, gent, call["id"], application(title="Tweede aanvraag, ook in Gent"))
    write("api.withdraw_application", "POST", f"{API}/applications/{other['id']}/withdraw", 200,
          headers=gent, json={"reason": "dubbel ingediend"})
    write("api.override_eligibility", "POST",
          f"{API}/applications/{draft['id']}/eligibility-override", 200,
          json={"eligible": True, "motivation": "Antwerpen bevestigde schriftelijk."})
    # ideas of a call in pre-registration
    early = make_call(client, admin_headers, open_call=False)
    client.post(f"{API}/calls/{early['id']}/transitions", json={"to": "pre-registration"},
                headers=admin_headers)
    made = write("api.create_idea", "POST", f"{API}/calls/{early['id']}/ideas", 201,
                 headers=gent, json=idea()).json
    write("api.update_idea", "PATCH", f"{API}/ideas/{made['id']}", 200, headers=gent,
          json={"title": "Slimme tellingen aan alle schoolpoorten"})
    write("api.delete_idea", "DELETE", f"{API}/ideas/{made['id']}", 204, headers=gent)

    _assert_one_entry_each(driven, LIFECYCLE_WRITES)


def test_the_jury_and_result_writes_each_write_their_one_audit_entry(app, client, admin_headers):
    from tests.app.jury_setup import MOTIVATION, email_of, put_scores

    driven: dict[str, list[str]] = {}
    write = _writer(app, client, admin_headers, driven)
    j = demo_call(app)
    spare = add_jurors(app, client, admin_headers, j, 1, prefix="reserve")[0]
    write("api.remove_juror", "DELETE", f"{API}/calls/{j.call_id}/jurors/{j.jurors.pop(spare)}",
          204)
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    a = j.applications[0]
    first = jurors_of(result, a)[0]
    email = email_of(j, first)
    for code in j.criteria:  # the juror scores through the API, everyone else straight in the table
        write("api.save_score", "PUT", f"{API}/applications/{a}/scores/{code}", 200,
              headers=j.h(email), json={"score": 6, "motivation": MOTIVATION, "version": 0})
    write("api.submit_scores", "POST", f"{API}/applications/{a}/scores/submit", 200,
          headers=j.h(email))
    put_scores(app, [(p["application"], p["juror"], c, 6) for p in result["assignments"]
                     for c in j.criteria if (p["application"], p["juror"]) != (a, first)])
    write("api.record_consensus", "POST", f"{API}/calls/{j.call_id}/consensus/{a}/leverage", 200,
          json={"score": 7, "motivation": "Na overleg: de hefboom is groot."})
    write("api.compute_selection", "POST", f"{API}/calls/{j.call_id}/selection", 200,
          json={"budget_cents": 100_000_000})
    title = client.get(f"{API}/applications/{a}", headers=admin_headers).json["title"]
    write("api.amend_application", "POST", f"{API}/applications/{a}/amendments", 201,
          json={"changes": {"title": title + " (gecorrigeerd)"}, "motivation": MOTIVATION})
    for juror in jurors_of(result, a):
        write("api.reconfirm_scores", "POST", f"{API}/applications/{a}/reconfirm", 200,
              headers=j.h(email_of(j, juror)))
    write("api.publish", "POST", f"{API}/calls/{j.call_id}/publish", 200)

    _assert_one_entry_each(driven, JURY_WRITES)


def test_the_registry_and_intake_writes_each_write_their_one_audit_entry(
        app, client, admin_headers):
    from tests.app.jury_setup import city_user
    from tests.app.test_api_calls import application, city_headers, make_call, post_app
    from tests.app.test_documents import pdf_bytes, upload
    from tests.app.test_project_transfer import _csv, _export, _import, _rows

    driven: dict[str, list[str]] = {}
    write = _writer(app, client, admin_headers, driven)
    lubbeek = city_user(app, "24066")
    write("api.set_interests", "PUT", f"{API}/municipalities/24066/interests", 200,
          headers=lubbeek, json={"interests": {"mobility": "follow", "people": "lead"}})
    project = write("api.declare_project", "POST", f"{API}/municipalities/24066/declared-projects",
                    201, headers=lubbeek,
                    json={"title": "Digitale buddy's voor senioren", "year": 2025,
                          "domains": ["people"], "grant_cents": 20_000_000,
                          "source_url": "https://www.lubbeek.be/buddy"}).json
    pending = client.get(f"{API}/declarations", headers=admin_headers).json["items"]
    [declaration] = [d for d in pending if d["project"]["id"] == project["id"]]
    write("api.review_declaration", "POST", f"{API}/declarations/{declaration['id']}/review", 200,
          json={"decision": "reject", "motivation": "Geen bron die het bevestigt."})
    edegem = _project_id(app, "cot2017-edegem-slim-beheer-openbaar")
    write("api.declare_participation", "POST",
          f"{API}/municipalities/11004/declared-participations", 201,
          headers=city_user(app, "11004"), json={"project_id": edegem, "role": "partner"})
    # the registry's CSV with one title changed
    text = _export(client, admin_headers)
    rows = _rows(text)
    rows[0]["title"] += " (bijgewerkt)"
    before = len(_audit_actions(app))
    done = _import(client, admin_headers, _csv(rows, list(rows[0])), dry_run=False)
    assert done.status_code == 200 and done.json["summary"]["update"] == 1, done.json
    driven["api.import_projects"] = _audit_actions(app)[before:]
    # the intake of a call: an import and a document
    call = make_call(client, admin_headers)
    write("api.import_applications", "POST", f"{API}/calls/{call['id']}/applications/import",
          201, json={"applications": [application(title="Ingevoerde aanvraag")]})
    gent = city_headers(app, "44021")
    draft = post_app(client, gent, call["id"],
                     application(status="draft", committed_followers=["44084"]))
    before = len(_audit_actions(app))
    assert upload(client, gent, draft["id"], pdf_bytes()).status_code == 201
    driven["api.upload_document"] = _audit_actions(app)[before:]

    _assert_one_entry_each(driven, INTAKE_WRITES)


def test_the_follow_up_writes_each_write_their_one_audit_entry(app, client, admin_headers):
    from datetime import date

    from app.core.extensions import db
    from app.models import Call
    from tests.app.jury_setup import city_user, put_scores
    from tests.app.test_api_calls import application, city_headers, make_call, post_app
    from tests.app.test_call_lifecycle import set_deadline
    from tests.app.test_followup import _solved_plan, with_follower

    driven: dict[str, list[str]] = {}
    write = _writer(app, client, admin_headers, driven)
    # the evaluation frozen at the deadline, recomputed
    call = make_call(client, admin_headers)
    gent = city_headers(app, "44021")
    post_app(client, gent, call["id"],
             application(committed_followers=["44019", "44084"]))
    set_deadline(app, call["id"], date(2020, 1, 31))
    client.post(f"{API}/calls/{call['id']}/transitions", json={"to": "closed"},
                headers=admin_headers)
    write("api.recompute_snapshot", "POST", f"{API}/calls/{call['id']}/snapshot/recompute", 200,
          json={"motivation": "Statbel publiceerde nieuwe cijfers"})
    # a call published while it was a demo (nothing in the registry), then made a real one: the
    # secretariat creates its funded projects
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 6)
    result = assign(client, admin_headers, j)
    put_scores(app, [(p["application"], p["juror"], c, 6) for p in result["assignments"]
                     for c in j.criteria])
    client.post(f"{API}/calls/{j.call_id}/selection", json={"budget_cents": 100_000_000},
                headers=admin_headers)
    assert client.post(f"{API}/calls/{j.call_id}/publish", headers=admin_headers).status_code \
        == 200
    with app.app_context():
        db.session.get(Call, j.call_id).is_demo = False
        db.session.commit()
        db.session.remove()
    created = write("api.create_funded_projects", "POST",
                    f"{API}/calls/{j.call_id}/funded-projects", 200).json["created"]
    assert created and len(driven["api.create_funded_projects"]) == len(created)
    driven["api.create_funded_projects"] = sorted(set(driven["api.create_funded_projects"]))
    # the project's report, its review, an adoption and a milestone
    p = with_follower(client, admin_headers, j.call_id)
    lead = next(x["refnis"] for x in p["participations"] if x["role"] == "lead")
    follower = next(x["refnis"] for x in p["participations"] if x["role"] == "follower")
    report = write("api.submit_report", "POST", f"{API}/projects/{p['id']}/reports", 201,
                   headers=city_user(app, lead, f"lead-{lead}@example.org"),
                   json={"kind": "final", "text": "Het platform draait in drie gemeenten.",
                         "results": [{"kind": "repository",
                                      "url": "https://github.com/example/platform"}]}).json
    write("api.review_report", "POST", f"{API}/reports/{report['id']}/review", 200,
          json={"decision": "approved", "motivation": "Resultaten gecontroleerd."})
    write("api.record_adoption", "POST", f"{API}/projects/{p['id']}/adoptions", 201,
          headers=city_user(app, follower, f"follower-{follower}@example.org"),
          json={"refnis": follower, "status": "implemented",
                "evidence_url": "https://example.org/raadsbesluit"})
    follow = client.get(f"{API}/projects/{p['id']}/follow-up", headers=admin_headers).json
    write("api.plan_milestone", "PATCH", f"{API}/milestones/{follow['milestones'][0]['id']}", 200,
          json={"due_date": "2027-01-31"})
    # clusters in operation
    plan = _solved_plan(app)
    [cluster] = write("api.adopt_plan", "POST", f"{API}/cluster-plans/{plan}/adopt", 201,
                      json={"clusters": [0]}).json["items"]
    write("api.add_cluster_member", "POST", f"{API}/clusters/{cluster['id']}/members", 200,
          json={"refnis": "41002", "role": "observer"})
    write("api.record_session", "POST", f"{API}/clusters/{cluster['id']}/sessions", 201,
          headers=gent, json={"held_on": "2026-10-15", "topic": "Draaiboek parkeersensoren",
                              "attendance": ["44021", "44083", "41002"]})

    _assert_one_entry_each(driven, FOLLOW_UP_WRITES)


def test_the_job_writes_each_write_their_one_audit_entry(app, client, admin_headers, monkeypatch):
    from tests.app.test_api_calls import city_headers
    from tests.app.test_api_plans import SMALL_PLAN
    from tests.app.test_ideas import file_idea, idea, pre_registration_call, wait_done
    from tests.app.test_jobs import _finished, _plan, _wait
    from tests.app.test_plan_checkpoint import BEST

    monkeypatch.setattr("app.planning.service.solve_plan",  # not about the optimizer
                        lambda params, on_progress, cancel, **_: {**BEST, "status": "optimal"})
    driven: dict[str, list[str]] = {}
    write = _writer(app, client, admin_headers, driven)
    # cluster plans: started, a queued one cancelled, then retried
    plan = write("api.start_cluster_plan", "POST", f"{API}/cluster-plans", 202,
                 json=SMALL_PLAN).json
    _wait(app, plan["id"], _finished)
    queued = _plan(app, status="queued", backend="thread")
    write("api.cancel_cluster_plan", "DELETE", f"{API}/cluster-plans/{queued}", 200)
    again = write("api.retry_cluster_plan", "POST", f"{API}/cluster-plans/{queued}/retry",
                  202).json
    _wait(app, again["id"], _finished)
    # consortium proposals of a pre-registration's ideas, and a partner's answer
    call_id = pre_registration_call(client, admin_headers)
    gent, antwerpen = city_headers(app, "44021"), city_headers(app, "11002")
    public = file_idea(client, gent, call_id, idea())
    mine = file_idea(client, antwerpen, call_id, idea(
        title="Tellingen van fietsers aan schoolpoorten", seeks=["lighthouse"],
        budget_min_cents=None, budget_max_cents=30_000_000))
    started = write("api.start_consortium_proposals", "POST",
                    f"{API}/calls/{call_id}/consortium-proposals", 202,
                    json={"time_limit_s": 5}).json
    body = wait_done(client, admin_headers, started["id"])
    proposal = next(p for p in body["proposals"] if mine["id"] in {m["idea"] for m in p["members"]})
    partner, headers = ((mine["id"], antwerpen) if proposal["lead"] == public["id"]
                        else (public["id"], gent))
    write("api.respond_to_proposal", "POST",
          f"{API}/consortium-proposals/{body['id']}/proposals/{proposal['index']}/responses", 200,
          headers=headers, json={"idea": partner, "response": "accepted"})

    _assert_one_entry_each(driven, JOB_WRITES)
