"""Access matrix: every role x every jury endpoint (API and page) x (own, other's, conflicted).

Roles: the admin; a juror on the jury (``juror``); a juror of another call's jury
(``outsider``, on no jury of this call); a city user; nobody (anonymous). Objects, per role:

* ``own``: for the juror an application assigned to them; for the city one its municipality
  leads; for the admin and the outsider the juror's own application;
* ``other``: an application that is not theirs (not assigned; another municipality's);
* ``conflicted``: for the juror an application that was assigned to them until they declared a
  conflict of interest; for the city one where its municipality is only a *partner* (still its
  own); for the others the juror's conflicted application.

Requests that would change something are sent with a body that fails validation (or on a pair
that does not exist), so a 400/404/409 shows the request got past the access check and a 401/403
that it did not; nothing changes while the matrix runs. Phase 2 publishes the results and checks
the evaluation summaries again. Every mismatch is listed at once.
"""

from __future__ import annotations

from tests.app.jury_setup import (
    PASSWORD,
    add_jurors,
    assign,
    bearer,
    call_in_phase,
    demo_call,
    jurors_of,
    make_user,
    municipality_id,
    score_all,
)

API = "/api/v1"
ROLES = ("admin", "juror", "outsider", "city", "anon")
OBJECTS = ("own", "other", "conflicted")


CITY = "34022"  # leads demo application 1; the set-up adds one where it is only a partner


def _partner_only_application(client, admin_headers, call_id: int) -> int:
    body = {"lead": "34041", "partners": [{"refnis": CITY}], "domains": ["mobility"],
            "title": "Toegang: slimme fietsenstallingen", "summary": "Stallingen tellen fietsen.",
            "requested_grant_cents": 30_000_000, "total_budget_cents": 50_000_000,
            "deliverables": {"playbook": False, "model_specification": False,
                             "open_source": False, "open_data": False, "oslo": [], "vloca": False},
            "prior_projects": [], "committed_followers": []}
    with call_in_phase(client.application, call_id, "open"):  # the demo call is with the jury
        resp = client.post(f"{API}/calls/{call_id}/applications", json=body, headers=admin_headers)
    assert resp.status_code == 201, resp.json
    a = resp.json["id"]
    resp = client.post(f"{API}/applications/{a}/eligibility-override", headers=admin_headers,
                       json={"eligible": True, "motivation": "Test: ontvankelijk verklaard."})
    assert resp.status_code == 200, resp.json
    return a


def _setup(app, client, admin_headers):
    j = demo_call(app)
    partner_only = _partner_only_application(client, admin_headers, j.call_id)
    j.applications.append(partner_only)
    add_jurors(app, client, admin_headers, j, 5)
    result = assign(client, admin_headers, j)
    email = "juror1@example.org"
    me = j.jurors[email]
    mine = [a for a in j.applications if me in jurors_of(result, a)]
    own, conflicted = mine[0], mine[1]
    other = next(a for a in j.applications if me not in jurors_of(result, a))
    resp = client.post(f"{API}/calls/{j.call_id}/conflicts",
                       json={"application": conflicted, "reason": "Ik adviseerde de indiener."},
                       headers=j.h(email))
    assert resp.status_code == 201 and resp.json["withdrawn"]
    apps = {a["id"]: a for a in client.get(f"{API}/calls/{j.call_id}/applications",
                                           headers=admin_headers).json["items"]}
    refnis = CITY
    city_own = next(a for a in j.applications if apps[a]["lead"] == CITY)
    city_other = next(a for a in j.applications if apps[a]["lead"] != CITY
                      and all(p.get("refnis") != CITY for p in apps[a]["partners"]))
    city_partner = partner_only
    make_user(app, "city@example.org", "city", municipality_id=municipality_id(app, refnis))
    headers = {
        "admin": admin_headers,
        "juror": j.h(email),
        "outsider": bearer(make_user(app, "outsider@example.org", "juror")),
        "city": bearer(make_user(app, "city2@example.org", "city",
                                 municipality_id=municipality_id(app, refnis))),
        "anon": {},
    }
    emails = {"admin": "admin@example.org", "juror": email, "outsider": "outsider@example.org",
              "city": "city@example.org"}
    objects = {
        "admin": {"own": own, "other": other, "conflicted": conflicted},
        "juror": {"own": own, "other": other, "conflicted": conflicted},
        "outsider": {"own": own, "other": other, "conflicted": conflicted},
        "city": {"own": city_own, "other": city_other, "conflicted": city_partner},
        "anon": {"own": own, "other": other, "conflicted": conflicted},
    }
    return j, result, headers, emails, objects


def _web_clients(app, emails):
    clients = {}
    for role, email in emails.items():
        c = app.test_client()
        resp = c.post("/login", data={"email": email, "password": PASSWORD})
        assert resp.status_code == 302, (role, resp.status_code)
        clients[role] = c
    clients["anon"] = app.test_client()
    return clients


def _by_role(admin, juror, outsider, city, anon):
    """Expected status per role: a number, or a dict per object."""
    return {"admin": admin, "juror": juror, "outsider": outsider, "city": city, "anon": anon}


def _per_object(own, other, conflicted):
    return {"own": own, "other": other, "conflicted": conflicted}


# Application endpoints: (name, method, url template, JSON body or None, web?, expected by role).
def application_matrix(published: bool):
    summary_city = _per_object(200, 404, 200) if published else _per_object(403, 404, 403)
    frozen = 409 if published else 400  # past the access check: frozen, or bad input
    return [
        ("GET application", "GET", "{api}/applications/{a}", None, False,
         _by_role(200, _per_object(200, 404, 404), 404, _per_object(200, 404, 200), 401)),
        ("GET scores", "GET", "{api}/applications/{a}/scores", None, False,
         _by_role(200, _per_object(200, 403, 403), 403, 403, 401)),
        ("PUT score", "PUT", "{api}/applications/{a}/scores/leverage",
         {"score": 99, "motivation": "", "version": 0}, False,
         _by_role(403, _per_object(frozen, 403, 403), 403, 403, 401)),
        ("POST submit", "POST", "{api}/applications/{a}/scores/submit", None, False,
         _by_role(403, _per_object(frozen, 403, 403), 403, 403, 401)),
        ("GET summary", "GET", "{api}/applications/{a}/summary", None, False,
         _by_role(200, 404, 404, summary_city, 401)),
        ("GET summary.pdf", "GET", "{api}/applications/{a}/summary.pdf", None, False,
         _by_role(200, 404, 404, summary_city, 401)),
        ("POST consensus", "POST", "{api}/calls/{c}/consensus/{a}/leverage", {"score": 5}, False,
         _by_role(frozen, 403, 403, 403, 401)),
        ("POST conflict", "POST", "{api}/calls/{c}/conflicts", "conflict", False,
         _by_role(400, 400, 403, 403, 401)),
        ("PUT assignment", "PUT", "{api}/calls/{c}/assignments/{a}/999999", None, False,
         _by_role(404, 403, 403, 403, 401)),
        ("DELETE assignment", "DELETE", "{api}/calls/{c}/assignments/{a}/999999", None, False,
         _by_role(404, 403, 403, 403, 401)),
        ("page application", "GET", "/aanvragen/{a}", None, True,
         _by_role(200, _per_object(200, 404, 404), 404, _per_object(200, 404, 200), 302)),
        ("page scoring", "GET", "/aanvragen/{a}/beoordelen", None, True,
         _by_role(404, _per_object(200, 404, 404), 404, 404, 302)),
        ("page summary", "GET", "/aanvragen/{a}/evaluatie", None, True,
         _by_role(200, 404, 404, summary_city, 302)),
    ]


def call_matrix(published: bool):
    admin_only = _by_role(200, 403, 403, 403, 401)
    return [
        ("GET jurors", "GET", "{api}/calls/{c}/jurors", None, False, admin_only),
        ("POST juror", "POST", "{api}/calls/{c}/jurors", {}, False, _by_role(400, 403, 403, 403, 401)),
        ("DELETE juror", "DELETE", "{api}/calls/{c}/jurors/999999", None, False,
         _by_role(404, 403, 403, 403, 401)),
        ("GET conflicts", "GET", "{api}/calls/{c}/conflicts", None, False,
         _by_role(200, 200, 403, 403, 401)),
        ("GET assignments", "GET", "{api}/calls/{c}/assignments", None, False,
         _by_role(200, 200, 403, 403, 401)),
        ("POST assignments", "POST", "{api}/calls/{c}/assignments",
         {"reviewers_per_application": 0}, False,
         _by_role(409 if published else 400, 403, 403, 403, 401)),
        ("GET jury-settings", "GET", "{api}/calls/{c}/jury-settings", None, False,
         _by_role(200, 200, 403, 403, 401)),
        ("PUT jury-settings", "PUT", "{api}/calls/{c}/jury-settings", {"tie_break": ["x"]}, False,
         _by_role(409 if published else 400, 403, 403, 403, 401)),
        ("GET aggregation", "GET", "{api}/calls/{c}/aggregation", None, False, admin_only),
        ("GET ranking", "GET", "{api}/calls/{c}/ranking", None, False, admin_only),
        ("POST selection", "POST", "{api}/calls/{c}/selection", {"budget_cents": 1}, False,
         _by_role(409 if published else 400, 403, 403, 403, 401)),
        ("GET selection", "GET", "{api}/calls/{c}/selection", None, False,
         _by_role(200 if published else 404, 403, 403, 403, 401)),
        ("POST publish", "POST", "{api}/calls/{c}/publish", None, False,
         _by_role(409, 403, 403, 403, 401)),
        ("GET results.csv", "GET", "{api}/calls/{c}/results.csv", None, False, admin_only),
        ("GET results.xlsx", "GET", "{api}/calls/{c}/results.xlsx", None, False, admin_only),
        ("GET audit", "GET", "{api}/audit", None, False, admin_only),
        ("GET audit/verify", "GET", "{api}/audit/verify", None, False, admin_only),
        ("GET applications", "GET", "{api}/calls/{c}/applications", None, False,
         _by_role(200, 200, 200, 200, 401)),
        ("page dashboard", "GET", "/jury", None, True, _by_role(200, 200, 200, 200, 302)),
        ("page jury", "GET", "/oproepen/{c}/jury", None, True, _by_role(200, 403, 403, 403, 302)),
        ("page consensus", "GET", "/oproepen/{c}/consensus", None, True,
         _by_role(200, 403, 403, 403, 302)),
        ("page ranking", "GET", "/oproepen/{c}/rangschikking", None, True,
         _by_role(200, 403, 403, 403, 302)),
        ("page audit", "GET", "/audit", None, True, _by_role(200, 403, 403, 403, 302)),
    ]


def _run(client, clients, headers, j, objects, published, mismatches):
    for name, method, url, body, web, expected in application_matrix(published):
        for role in ROLES:
            for obj in OBJECTS:
                a = objects[role][obj]
                want = expected[role]
                want = want[obj] if isinstance(want, dict) else want
                data = {"application": a, "reason": ""} if body == "conflict" else body
                target = url.format(api=API, c=j.call_id, a=a)
                if web:
                    resp = clients[role].open(target, method=method)
                else:
                    resp = client.open(target, method=method, json=data, headers=headers[role])
                if resp.status_code != want:
                    mismatches.append(f"{name} as {role} on {obj} ({a}): expected {want}, "
                                      f"got {resp.status_code}")
    for name, method, url, body, web, expected in call_matrix(published):
        for role in ROLES:
            target = url.format(api=API, c=j.call_id)
            if web:
                resp = clients[role].open(target, method=method)
            else:
                resp = client.open(target, method=method, json=body, headers=headers[role])
            if resp.status_code != expected[role]:
                mismatches.append(f"{name} as {role}: expected {expected[role]}, "
                                  f"got {resp.status_code}")


def test_every_role_endpoint_and_object(app, client, admin_headers):
    j, result, headers, emails, objects = _setup(app, client, admin_headers)
    clients = _web_clients(app, emails)
    mismatches: list[str] = []
    _run(client, clients, headers, j, objects, False, mismatches)

    # what the lists show: the juror only their own pairs and applications
    me = j.jurors["juror1@example.org"]
    pairs = client.get(f"{API}/calls/{j.call_id}/assignments", headers=headers["juror"]).json
    assert {p["juror"] for p in pairs["assignments"]} == {me}
    listed = {a["id"] for a in client.get(f"{API}/calls/{j.call_id}/applications",
                                          headers=headers["juror"]).json["items"]}
    assert objects["juror"]["own"] in listed
    assert listed.isdisjoint({objects["juror"]["other"], objects["juror"]["conflicted"]})
    assert client.get(f"{API}/calls/{j.call_id}/applications",
                      headers=headers["outsider"]).json["items"] == []
    city_listed = {a["id"] for a in client.get(f"{API}/calls/{j.call_id}/applications",
                                               headers=headers["city"]).json["items"]}
    assert objects["city"]["own"] in city_listed and objects["city"]["other"] not in city_listed
    conflicts = client.get(f"{API}/calls/{j.call_id}/conflicts", headers=headers["juror"]).json
    assert {c["juror"] for c in conflicts["conflicts"]} == {me}
    dashboard = clients["juror"].get("/jury").get_data(as_text=True)
    assert f'data-application="{objects["juror"]["own"]}"' in dashboard
    assert f'data-application="{objects["juror"]["conflicted"]}"' not in dashboard

    # phase 2: every application scored, a selection, publication
    now = client.get(f"{API}/calls/{j.call_id}/assignments", headers=admin_headers).json
    # one score per application (no disagreement left without consensus: publication needs it)
    score_all(app, j, now, lambda a, juror, c: 3 + a % 7)
    assert client.post(f"{API}/calls/{j.call_id}/selection", json={},
                       headers=admin_headers).status_code == 200
    assert client.post(f"{API}/calls/{j.call_id}/publish", headers=admin_headers).status_code == 200
    _run(client, clients, headers, j, objects, True, mismatches)
    assert mismatches == []


def test_a_conflict_that_appears_after_assignment_closes_access_at_once(app, client, admin_headers):
    """The juror's municipality (Voeren, which applies nowhere in the call) joins an application
    assigned to them as a partner: from then on they neither see nor score it, before anyone
    re-runs the assignment."""
    j = demo_call(app)
    token = make_user(app, "voeren@example.org", "juror",
                      municipality_id=municipality_id(app, "73109"))
    add_jurors(app, client, admin_headers, j, 3)
    client.post(f"{API}/calls/{j.call_id}/jurors", json={"email": "voeren@example.org"},
                headers=admin_headers)
    client.post(f"{API}/calls/{j.call_id}/declaration", json={"accept": True},
                headers=bearer(token))
    result = assign(client, admin_headers, j, reviewers=3, max_load=9)
    me = next(p["juror"] for p in result["assignments"]
              if p["juror"] not in j.jurors.values())
    a = next(x for x in j.applications if me in jurors_of(result, x))
    headers = bearer(token)
    assert client.get(f"{API}/applications/{a}", headers=headers).status_code == 200
    partners = client.get(f"{API}/applications/{a}", headers=admin_headers).json["partners"]
    body = {"partners": [{"refnis": p["refnis"]} if "refnis" in p else
                         {"organisation": p["organisation"]} for p in partners]
            + [{"refnis": "73109"}]}
    resp = client.post(f"{API}/applications/{a}/amendments", headers=admin_headers,
                       json={"changes": body, "motivation": "Voeren treedt toe als partner."})
    assert resp.status_code == 201, resp.json
    assert client.get(f"{API}/applications/{a}", headers=headers).status_code == 404
    resp = client.put(f"{API}/applications/{a}/scores/leverage",
                      json={"score": 5, "motivation": "", "version": 0}, headers=headers)
    assert resp.status_code == 403 and "partner" in resp.json["detail"]
    conflicts = client.get(f"{API}/calls/{j.call_id}/conflicts", headers=headers).json["conflicts"]
    assert [c["kind"] for c in conflicts if c["application"] == a] == ["partner_municipality"]
