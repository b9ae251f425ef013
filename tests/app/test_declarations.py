"""City self-service: a city declares interest, projects and participations of its own
municipality; they enter as `declared` and count at half until the secretariat verifies them,
or rejects them with a motivation. Every review is in the audit trail."""

from __future__ import annotations

import pytest

from tests.app.test_api_bad_input import assert_problem
from tests.conftest import _user_with_token

LUBBEEK, BOECHOUT, LEUVEN = "24066", "11004", "24062"


@pytest.fixture
def lubbeek(app) -> dict:
    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        m_id = db.session.query(Municipality.id).filter_by(refnis=LUBBEEK).scalar()
    token = _user_with_token(app, "ict@lubbeek.be", "city", municipality_id=m_id)
    return {"Authorization": f"Bearer {token}"}


def _domain(client, refnis: str, domain: str) -> dict:
    body = client.get(f"/api/v1/municipalities/{refnis}/profile").json
    return next(d for d in body["domains"] if d["domain"] == domain)


def test_a_city_declares_its_interest_per_domain_and_only_its_own(client, lubbeek):
    resp = client.put(f"/api/v1/municipalities/{LUBBEEK}/interests", headers=lubbeek,
                      json={"interests": {"mobility": "follow", "people": "lead"}})
    assert resp.status_code == 200, resp.json
    assert client.get(f"/api/v1/municipalities/{LUBBEEK}/interests").json["interests"] == {
        "mobility": "follow", "people": "lead"}
    assert_problem(client.put(f"/api/v1/municipalities/{LEUVEN}/interests", headers=lubbeek,
                              json={"interests": {"mobility": "lead"}}), 403)
    assert_problem(client.put(f"/api/v1/municipalities/{LUBBEEK}/interests", headers=lubbeek,
                              json={"interests": {"mobility": "maybe"}}), 400,
                   "interests.mobility.value")


def test_declared_interest_puts_a_peer_first_in_the_co_learning_cluster(client, admin_headers):
    # Herent (24038) says it wants to follow in people; Lubbeek looks for a lighthouse there
    client.put("/api/v1/municipalities/24038/interests", headers=admin_headers,
               json={"interests": {"people": "follow"}})
    body = client.get(f"/api/v1/partner-suggestions?municipality={LUBBEEK}&domain=people"
                      "&looking_for=lighthouse&limit=5").json
    first = body["coverage"]["co_learning"][0]
    assert first["municipality"]["refnis"] == "24038" and first["declared_interest"] is True


def test_a_declared_project_counts_at_half_until_rejected_with_a_motivation(
        client, lubbeek, admin_headers):
    before = _domain(client, LUBBEEK, "people")["score"]
    resp = client.post(f"/api/v1/municipalities/{LUBBEEK}/declared-projects", headers=lubbeek,
                       json={"title": "Digitale buddy's voor senioren", "year": 2025,
                             "domains": ["people"], "grant_cents": 20_000_000,
                             "source_url": "https://www.lubbeek.be/buddy"})
    assert resp.status_code == 201, resp.json
    project = resp.json
    assert project["key"] == f"project-{project['id']}"
    [p] = project["participations"]
    assert (p["refnis"], p["role"], p["evidence_level"], p["review_status"]) == (
        LUBBEEK, "lead", "declared", "pending")
    assert p["source_url"] == "https://www.lubbeek.be/buddy"
    people = _domain(client, LUBBEEK, "people")
    [entry] = [e for e in people["projects"] if e["project_id"] == project["id"]]
    assert entry["evidence"] == "declared" and entry["evidence_weight"] == 0.5
    assert people["score"] == pytest.approx(before + entry["contribution"])

    pending = client.get("/api/v1/declarations", headers=admin_headers).json["items"]
    [declaration] = [d for d in pending if d["project"]["id"] == project["id"]]
    url = f"/api/v1/declarations/{declaration['id']}/review"
    assert_problem(client.post(url, headers=admin_headers, json={"decision": "reject"}), 400,
                   "motivation")
    assert_problem(client.post(url, headers=lubbeek,
                               json={"decision": "verify", "motivation": "eigen project"}), 403)
    resp = client.post(url, headers=admin_headers,
                       json={"decision": "reject", "motivation": "Geen bron die het bevestigt."})
    assert resp.status_code == 200, resp.json
    assert resp.json["review_status"] == "rejected"
    assert resp.json["review_note"] == "Geen bron die het bevestigt."
    assert _domain(client, LUBBEEK, "people")["score"] == pytest.approx(before)
    assert_problem(client.post(url, headers=admin_headers,
                               json={"decision": "verify", "motivation": "toch"}), 409)
    shown = client.get(f"/api/v1/projects/{project['id']}").json["participations"][0]
    assert shown["review_status"] == "rejected" and shown["review_note"]
    audit = client.get("/api/v1/audit?limit=5", headers=admin_headers)
    if audit.status_code == 200:
        actions = [e["action"] for e in audit.json["items"]]
        assert "declaration.rejected" in actions and "declaration.project" in actions


def test_a_declared_participation_becomes_verified_evidence(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import AuditEntry, Municipality, Project

    with app.app_context():
        m_id = db.session.query(Municipality.id).filter_by(refnis=BOECHOUT).scalar()
        edegem = db.session.query(Project.id).filter_by(
            key="cot2017-edegem-slim-beheer-openbaar").scalar()
    token = _user_with_token(app, "ict@boechout.be", "city", municipality_id=m_id)
    boechout = {"Authorization": f"Bearer {token}"}
    resp = client.post(f"/api/v1/municipalities/{BOECHOUT}/declared-participations",
                       headers=boechout, json={"project_id": edegem, "role": "partner"})
    assert resp.status_code == 201, resp.json
    assert resp.json["evidence_level"] == "declared"
    assert_problem(client.post(f"/api/v1/municipalities/{BOECHOUT}/declared-participations",
                               headers=boechout, json={"project_id": edegem, "role": "partner"}),
                   409)
    assert _domain(client, BOECHOUT, "governance")["projects_by_evidence"]["declared"] == 1
    resp = client.post(f"/api/v1/declarations/{resp.json['id']}/review", headers=admin_headers,
                       json={"decision": "verify", "motivation": "Gemeenteraadsbesluit gezien."})
    assert resp.status_code == 200 and resp.json["evidence_level"] == "verified"
    governance = _domain(client, BOECHOUT, "governance")
    assert governance["projects_by_evidence"]["verified"] == 1
    assert governance["projects"][0]["evidence_weight"] == 1.0
    with app.app_context():
        entry = db.session.query(AuditEntry).filter_by(action="declaration.verified").one()
        assert entry.payload["motivation"] == "Gemeenteraadsbesluit gezien."
        assert entry.payload["municipality"] == BOECHOUT


def test_a_plan_starts_from_the_municipalities_that_declared_interest(client, admin_headers):
    declared = {"24062": "lead", "24066": "follow", "24038": "follow", "24009": "follow",
                "24086": "not_now"}
    for refnis, interest in declared.items():
        resp = client.put(f"/api/v1/municipalities/{refnis}/interests", headers=admin_headers,
                          json={"interests": {"mobility": interest}})
        assert resp.status_code == 200
    # the API's default is the page's: the declared municipalities (no participants_from)
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers, json={
        "domains": ["mobility"], "lighthouses": 1, "min_maturity": "none", "time_limit_s": 5})
    assert resp.status_code == 202, resp.json
    assert resp.json["params"]["participants_from"] == "declared"
    assert resp.json["params"]["participants"] == ["24009", "24038", "24062", "24066"]
    assert resp.json["params"]["domain_participants"] == {
        "mobility": ["24009", "24038", "24062", "24066"]}
    assert resp.json["warnings"] == []
    # nobody declared an interest in living: the planner says so instead of planning everyone
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers, json={
        "domains": ["living"], "lighthouses": 1, "participants_from": "declared"})
    assert_problem(resp, 400, "participants_from")
    assert "choose all municipalities explicitly" in resp.json["errors"][0]["message"]
    # all municipalities is an explicit choice, and the answer warns what it means
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers, json={
        "domains": ["living"], "lighthouses": 1, "participants_from": "all",
        "min_maturity": "none", "time_limit_s": 5})
    assert resp.status_code == 202, resp.json
    assert [w["field"] for w in resp.json["warnings"]] == ["participants_from"]
    assert "did not declare an interest" in resp.json["warnings"][0]["message"]
    assert "geen interesse" in resp.json["warnings"][0]["message_nl"]
    shown = client.get(resp.json["url"]).json
    assert shown["warnings"] == resp.json["warnings"]


def test_a_municipality_takes_part_only_in_the_domains_it_declared(client, admin_headers):
    """Declared interest is per domain: Bertem follows in mobility only, so a mobility +
    economy plan puts it in a mobility cluster and in no economy cluster."""
    from tests.app.test_api_plans import finish

    declared = {"24062": {"mobility": "lead", "economy": "follow"},   # Leuven
                "24066": {"mobility": "follow", "economy": "lead"},   # Lubbeek
                "24038": {"mobility": "follow", "economy": "follow"},  # Herent
                "24009": {"mobility": "follow"},                      # Bertem: mobility only
                "24086": {"economy": "follow"}}                       # Oud-Heverlee: economy only
    for refnis, interests in declared.items():
        resp = client.put(f"/api/v1/municipalities/{refnis}/interests", headers=admin_headers,
                          json={"interests": interests})
        assert resp.status_code == 200, resp.json
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers, json={
        "domains": ["mobility", "economy"], "lighthouses": 1, "min_maturity": "none",
        "time_limit_s": 10})
    assert resp.status_code == 202, resp.json
    assert resp.json["params"]["domain_participants"] == {
        "mobility": ["24009", "24038", "24062", "24066"],
        "economy": ["24038", "24062", "24066", "24086"]}
    plan = finish(client, resp.json["id"])
    assert plan["status"] == "done" and plan["result"]["status"] == "optimal", plan
    members = {}
    for c in plan["result"]["clusters"]:
        members.setdefault(c["domain"], set()).update(
            {c["lighthouse"]["refnis"]} | {f["refnis"] for f in c["followers"]})
    assert members == {"mobility": {"24009", "24038", "24062", "24066"},
                       "economy": {"24038", "24062", "24066", "24086"}}
    coverage = {c["domain"]: c["participants"] for c in plan["result"]["coverage"]}
    assert coverage == {"mobility": 4, "economy": 4}
    # a domain nobody declared is refused by name, even when another domain has declarations
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers, json={
        "domains": ["mobility", "living"], "lighthouses": 1, "min_maturity": "none"})
    assert_problem(resp, 400, "participants_from")
    assert [e["message"].split(";")[0] for e in resp.json["errors"]] == [
        "only 0 municipalities declared an interest in living"]
