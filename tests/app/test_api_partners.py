"""Partner suggestions, experience profiles and related projects over the API, on the real registry.

Expected numbers are computed here by hand from the documented formulas (docs/matching.md) and
from the municipalities' own coordinates, not taken from the matching package.
"""

from __future__ import annotations

import math

import pytest

from app.partners.schemas import (
    MunicipalityProfileSchema,
    PartnerSuggestionPage,
    SimilarProjectPage,
)
from matching.registry import DOMAINS
from matching.similar import DOUBLE_FUNDING_THRESHOLD, MAX_TEXT_LENGTH
from matching.weights import DEFAULT_WEIGHTS
from tests.app.test_api_bad_input import assert_problem

LUBBEEK, LEUVEN, KORTENBERG = "24066", "24062", "24055"
NEERPELT, PELT = "72025", "72043"
SUGGESTIONS = "/api/v1/partner-suggestions"


def suggestions(client, **query) -> dict:
    resp = client.get(SUGGESTIONS, query_string=query)
    assert resp.status_code == 200, resp.json
    assert PartnerSuggestionPage().validate(resp.json) == {}
    return resp.json


def factor(item: dict, name: str) -> dict:
    return next(f for f in item["factors"] if f["name"] == name)


def km_between(a: dict, b: dict) -> float:
    """Great-circle distance from the API's own coordinates (mean Earth radius 6371.0088 km)."""
    la1, lo1, la2, lo2 = map(math.radians, (a["latitude"], a["longitude"],
                                            b["latitude"], b["longitude"]))
    h = (math.sin((la2 - la1) / 2) ** 2
         + math.cos(la1) * math.cos(la2) * math.sin((lo2 - lo1) / 2) ** 2)
    return 2 * 6371.0088 * math.asin(math.sqrt(h))


def project_by_title(client, title: str) -> dict:
    items = client.get("/api/v1/projects", query_string={"q": title}).json["items"]
    return next(p for p in items if p["title"] == title)


# --- partner suggestions ----------------------------------------------------------------------

def test_geographic_lighthouse_search_from_lubbeek_starts_next_door(client):
    body = suggestions(client, municipality=LUBBEEK, domain="governance",
                       looking_for="lighthouse", mode="geographic", limit=10)
    items = body["items"]
    assert items[0]["municipality"] == {"refnis": LEUVEN, "name_nl": "Leuven"}
    distances = [factor(i, "distance_km")["value"] for i in items]
    assert distances[0] == min(distances) and distances[0] < 15
    lubbeek = client.get(f"/api/v1/municipalities/{LUBBEEK}").json
    for item in items:
        other = client.get(f"/api/v1/municipalities/{item['municipality']['refnis']}").json
        assert factor(item, "distance_km")["value"] == pytest.approx(km_between(lubbeek, other),
                                                                     abs=1e-6)
    assert "Leuven leidde 1 project in bestuur sinds 2017" in items[0]["reasons"]["nl"]
    assert items[0]["reasons"]["en"].startswith("Leuven led 1 project in governance since 2017")
    assert body["query"]["municipality"] == {"refnis": LUBBEEK, "name_nl": "Lubbeek"}


def test_geographic_peers_of_lubbeek_are_its_neighbours_nearest_first(client):
    items = suggestions(client, municipality=LUBBEEK, domain="mobility", looking_for="peers",
                        mode="geographic", limit=10)["items"]
    distances = [factor(i, "distance_km")["value"] for i in items]
    assert all(d <= 15 for d in distances[:5]), distances
    assert max(distances) <= 25, distances
    # Ascending up to what similarity and ties can move (at most 0.05 + 0.15 of the score).
    assert sum(a <= b for a, b in zip(distances, distances[1:], strict=False)) >= 6, distances
    assert {"Tielt-Winge", "Holsbeek", "Bierbeek"} <= {i["municipality"]["name_nl"] for i in items}


def test_similar_mode_for_small_rural_lubbeek_is_not_just_neighbours(client):
    similar = suggestions(client, municipality=LUBBEEK, domain="mobility", looking_for="peers",
                          mode="similar", limit=10)["items"]
    geographic = suggestions(client, municipality=LUBBEEK, domain="mobility", looking_for="peers",
                             mode="geographic", limit=10)["items"]
    refs = lambda items: {i["municipality"]["refnis"] for i in items}  # noqa: E731
    assert len(refs(similar) & refs(geographic)) <= 2
    far = [factor(i, "distance_km")["value"] for i in similar if factor(i, "distance_km")["value"] > 30]
    assert len(far) >= 3
    for item in similar:  # all like Lubbeek: at most 50,000 inhabitants and no centrumstad
        m = client.get(f"/api/v1/municipalities/{item['municipality']['refnis']}").json
        assert m["population"] <= 50_000 and not m["is_centrumstad"], m["name_nl"]
        assert "kleine landelijke gemeente" in item["reasons"]["nl"]


@pytest.mark.parametrize("looking_for, mode", [("lighthouse", "geographic"), ("lighthouse", "similar"),
                                               ("followers", "geographic"), ("peers", "similar")])
def test_factors_add_up_to_the_score_and_follow_the_documented_terms(client, looking_for, mode):
    weights = client.get("/api/v1/matching/weights").json[mode]
    municipality = {"lighthouse": LUBBEEK, "followers": LEUVEN, "peers": KORTENBERG}[looking_for]
    body = suggestions(client, municipality=municipality, domain="mobility",
                       looking_for=looking_for, mode=mode, limit=25)
    assert body["items"], body
    assert body["query"]["weights"] == weights
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True)
    for item in body["items"]:
        assert [f["name"] for f in item["factors"]] == ["experience_gap", "distance_km",
                                                        "similarity", "ties", "lighthouse_load"]
        assert item["score"] == sum(f["contribution"] for f in item["factors"])
        km = factor(item, "distance_km")["value"]
        assert factor(item, "distance_km")["contribution"] == pytest.approx(
            weights["proximity"] * 0.5 ** (km / 15))
        gap = factor(item, "experience_gap")["value"]
        expected_gap = 0 if looking_for == "peers" else weights["experience"] * min(1.0, max(0.0, gap))
        assert factor(item, "experience_gap")["contribution"] == pytest.approx(expected_gap)
        if looking_for != "peers":
            assert gap > 0  # a lighthouse knows more, a follower less
        similarity = factor(item, "similarity")["value"]
        assert 0 <= similarity <= 1
        assert factor(item, "similarity")["contribution"] == pytest.approx(weights["similarity"] * similarity)
        assert factor(item, "lighthouse_load") == {"name": "lighthouse_load", "value": None,
                                                   "contribution": 0.0}
        assert item["reasons"]["nl"].startswith(item["municipality"]["name_nl"])


def test_max_distance_and_limit_bound_the_list(client):
    items = suggestions(client, municipality=LUBBEEK, domain="economy", looking_for="peers",
                        mode="similar", limit=7, max_distance_km=20)["items"]
    assert len(items) == 7
    assert all(factor(i, "distance_km")["value"] <= 20 for i in items)
    assert suggestions(client, municipality=LUBBEEK, domain="economy", looking_for="peers",
                       max_distance_km=0)["items"] == []


def test_no_brussels_partner_for_a_flemish_municipality(client):
    brussels = {m["refnis"] for m in
                client.get("/api/v1/municipalities?region=brussels&per_page=100").json["items"]}
    kraainem = "23099"  # borders Brussels: geographically its nearest peers would be Brussels'
    items = suggestions(client, municipality=kraainem, domain="mobility", looking_for="peers",
                        limit=30)["items"]
    assert len(items) == 30 and not brussels & {i["municipality"]["refnis"] for i in items}
    # A Brussels municipality comparing itself with peers sees Brussels ones too.
    elsene = "21009"
    items = suggestions(client, municipality=elsene, domain="mobility", looking_for="peers",
                        limit=10)["items"]
    assert brussels & {i["municipality"]["refnis"] for i in items}


def test_merged_refnis_resolves_to_successor_and_says_so(client):
    body = suggestions(client, municipality=NEERPELT, domain="environment", looking_for="followers")
    assert body["query"]["municipality"] == {"refnis": PELT, "name_nl": "Pelt"}
    assert body["query"]["resolved_from"]["refnis"] == NEERPELT
    assert "Neerpelt" in body["query"]["resolved_from"]["note"]
    assert PELT not in {i["municipality"]["refnis"] for i in body["items"]}
    assert body["items"]  # Pelt led Slim gemeentevuil (2017, as Neerpelt): it has followers


# --- experience profile -----------------------------------------------------------------------

def test_profile_of_leuven_shows_mobility_experience_of_its_2017_project_with_components(client):
    resp = client.get(f"/api/v1/municipalities/{LEUVEN}/profile")
    assert resp.status_code == 200
    body = resp.json
    assert MunicipalityProfileSchema().validate(body) == {}
    assert [d["domain"] for d in body["domains"]] == list(DOMAINS)
    year = body["as_of_year"]
    mobility = body["domains"][0]
    project, pilot = mobility["projects"]
    assert project["title"].startswith("MoDi:2B") and project["year"] == 2017
    assert project["role"] == "lead" and project["grant_cents"] == 19_017_000
    # hln.be states the project's domain (mobility): source-stated, full weight
    assert project["evidence"] == "source-stated" and project["evidence_weight"] == 1.0
    # By hand: lead 1.0 x evidence 1.0 x 0.5^(age/6) x (1 + 0.25 log2(190,170 / 200,000)) x 1.0
    recency = 0.5 ** ((year - 2017) / 6)
    scale = 1 + 0.25 * math.log2(19_017_000 / 20_000_000)
    assert project["recency"] == pytest.approx(recency)
    assert project["scale"] == pytest.approx(scale)
    assert project["adoption"] == 1.0 and project["adopters"] == 0
    assert project["contribution"] == pytest.approx(recency * scale)
    # the Smart Flanders real-time parking pilot: partner, unknown grant, domain stated
    assert pilot["title"].startswith("Smart Flanders datapiloot") and pilot["role"] == "partner"
    assert pilot["contribution"] == pytest.approx(0.6 * recency)
    assert mobility["score"] == pytest.approx(recency * scale + 0.6 * recency)
    assert mobility["projects_by_evidence"] == {"verified": 0, "source-stated": 2,
                                                "source-classified": 0, "declared": 0}
    f = mobility["factors"]
    assert f["role"] == 1.6 and f["evidence"] == 0.0
    assert (f["role"] + f["evidence"] + f["recency"] + f["scale"] + f["adoption"]
            == pytest.approx(mobility["score"]))
    assert mobility["projects_by_role"]["lead"] == 1 and mobility["first_year"] == 2017
    environment = body["domains"][1]
    assert environment == {**environment, "score": 0.0, "maturity": "none", "projects": [],
                           "first_year": None}
    assert body["weights"] == DEFAULT_WEIGHTS.as_dict()


def test_profile_of_a_merged_refnis_is_its_successors(client):
    body = client.get(f"/api/v1/municipalities/{NEERPELT}/profile").json
    assert body["municipality"]["refnis"] == PELT and body["resolved_from"]["refnis"] == NEERPELT
    environment = next(d for d in body["domains"] if d["domain"] == "environment")
    assert [p["title"] for p in environment["projects"]] == ["Slim gemeentevuil"]


def test_profile_as_of_an_earlier_year_leaves_out_later_projects(client):
    hasselt = "71072"
    now = client.get(f"/api/v1/municipalities/{hasselt}/profile").json
    # two mobility leads of 2021, domains classified from the titles (0.7 each)
    assert next(d for d in now["domains"] if d["domain"] == "mobility")["score"] > 0.7
    then = client.get(f"/api/v1/municipalities/{hasselt}/profile?as_of_year=2020").json
    assert then["as_of_year"] == 2020
    mobility = next(d for d in then["domains"] if d["domain"] == "mobility")
    assert mobility["score"] == 0 and mobility["maturity"] == "none"
    # in 2020 only the Smart Flanders programme and open-data charter (2017, 2018) count
    assert {p["year"] for d in then["domains"] for p in d["projects"]} == {2017, 2018}


def test_weights_endpoint_shows_the_one_weights_object(client):
    assert client.get("/api/v1/matching/weights").json == DEFAULT_WEIGHTS.as_dict()


# --- related projects -------------------------------------------------------------------------

def test_a_near_copy_of_a_2017_project_is_flagged_and_an_unrelated_idea_is_not(client):
    original = project_by_title(client, "Wegdekkwaliteitsinspectie")
    near_copy = (f"{original['title']} met sensoren op de vuilniswagens\n"
                 + original["summary"].replace("Lubbeek", "Kortenberg"))
    body = client.get("/api/v1/projects/similar", query_string={"text": near_copy}).json
    assert SimilarProjectPage().validate(body) == {}
    assert body["double_funding_threshold"] == DOUBLE_FUNDING_THRESHOLD
    top = body["items"][0]
    assert top["id"] == original["id"] and top["title"] == "Wegdekkwaliteitsinspectie"
    assert top["score"] >= DOUBLE_FUNDING_THRESHOLD and top["possible_double_funding"] is True
    assert all(i["score"] < DOUBLE_FUNDING_THRESHOLD for i in body["items"][1:])

    unrelated = "Een digitaal loket waar inwoners een renovatiepremie voor hun woning aanvragen."
    body = client.get("/api/v1/projects/similar", query_string={"text": unrelated}).json
    assert all(i["score"] < DOUBLE_FUNDING_THRESHOLD and not i["possible_double_funding"]
               for i in body["items"])


def test_municipality_names_alone_match_nothing(client):
    body = client.get("/api/v1/projects/similar",
                      query_string={"text": "Een project in Roeselare, Kortrijk en Lubbeek"}).json
    assert body["items"] == []


def test_long_text_by_post_and_similar_to_a_project(client):
    original = project_by_title(client, "Parkeerinformatie")
    text = "Parkeerinformatie in real time voor bezoekers van de binnenstad. " * 200
    assert len(text) > 10_000
    body = client.post("/api/v1/projects/similar", json={"text": text, "limit": 3}).json
    assert body["items"][0]["id"] == original["id"] and len(body["items"]) <= 3
    body = client.get(f"/api/v1/projects/{original['id']}/similar?limit=5").json
    assert original["id"] not in [i["id"] for i in body["items"]]
    assert len(body["items"]) <= 5
    scores = [i["score"] for i in body["items"]]
    assert scores == sorted(scores, reverse=True) and all(0 < s <= 1 for s in scores)


# --- bad input --------------------------------------------------------------------------------

OK = {"municipality": LUBBEEK, "domain": "mobility", "looking_for": "lighthouse"}


@pytest.mark.parametrize("change, status, field, contains", [
    ({"municipality": "99999"}, 404, "municipality", "99999"),
    ({"municipality": "2406"}, 400, "municipality", "5-digit"),
    ({"municipality": None}, 400, "municipality", "required"),
    ({"domain": "space"}, 400, "domain", "mobility, environment, living, people, governance, economy"),
    ({"domain": None}, 400, "domain", "required"),
    ({"looking_for": "boss"}, 400, "looking_for", "lighthouse, followers, peers"),
    ({"mode": "random"}, 400, "mode", "geographic, similar"),
    ({"limit": "0"}, 400, "limit", "1 to 100"),
    ({"limit": "101"}, 400, "limit", "1 to 100"),
    ({"limit": "ten"}, 400, "limit", None),
    ({"max_distance_km": "-1"}, 400, "max_distance_km", None),
    ({"max_distance_km": "nan"}, 400, "max_distance_km", None),
    ({"max_distance_km": "inf"}, 400, "max_distance_km", None),
    ({"colour": "red"}, 400, "colour", "unknown field"),
])
def test_bad_partner_queries_are_problems_naming_the_field(client, change, status, field, contains):
    query = {k: v for k, v in {**OK, **change}.items() if v is not None}
    body = assert_problem(client.get(SUGGESTIONS, query_string=query), status, field, contains)
    if field in ("domain", "looking_for", "mode") and "valid values" in body["detail"]:
        error = next(e for e in body["errors"] if e["field"] == field)
        assert error["valid"] == {"domain": list(DOMAINS),
                                  "looking_for": ["lighthouse", "followers", "peers"],
                                  "mode": ["geographic", "similar"]}[field]


def test_bad_profile_requests(client):
    assert_problem(client.get("/api/v1/municipalities/99999/profile"), 404, "refnis", "99999")
    assert_problem(client.get("/api/v1/municipalities/abcde/profile"), 400, "refnis")
    assert_problem(client.get(f"/api/v1/municipalities/{LEUVEN}/profile?as_of_year=1800"),
                   400, "as_of_year")
    assert_problem(client.get(f"/api/v1/municipalities/{LEUVEN}/profile?x=1"), 400, "x")


@pytest.mark.parametrize("text", ["", "   \n\t", "x" * (MAX_TEXT_LENGTH + 1)])
def test_empty_or_huge_text_is_refused(client, text):
    assert_problem(client.get("/api/v1/projects/similar", query_string={"text": text}), 400, "text")
    assert_problem(client.post("/api/v1/projects/similar", json={"text": text}), 400, "text")


def test_bad_similar_requests(client):
    assert_problem(client.get("/api/v1/projects/similar"), 400, "text", "required")
    assert_problem(client.get("/api/v1/projects/similar?text=fiets&limit=0"), 400, "limit")
    assert_problem(client.post("/api/v1/projects/similar", data="text=fiets",
                               content_type="application/x-www-form-urlencoded"), 415)
    assert_problem(client.get("/api/v1/projects/999999/similar"), 404, "project_id", "999999")
    assert_problem(client.get("/api/v1/projects/1/similar?limit=101"), 400, "limit")


# --- the cached graph follows the registry ----------------------------------------------------

def _governance(client, refnis: str) -> dict:
    body = client.get(f"/api/v1/municipalities/{refnis}/profile").json
    return next(d for d in body["domains"] if d["domain"] == "governance")


def test_adding_correcting_and_deleting_a_project_changes_profile_and_suggestions(client, admin_headers):
    assert _governance(client, LUBBEEK)["score"] == 0
    query = {"municipality": KORTENBERG, "domain": "governance", "looking_for": "lighthouse"}
    assert LUBBEEK not in {i["municipality"]["refnis"] for i in suggestions(client, **query)["items"]}

    new = {"title": "Digitaal onthaal voor inwoners", "programme": "other", "year": 2025,
           "grant_cents": 20_000_000, "domains": ["governance"],
           "participations": [{"refnis": LUBBEEK, "role": "lead"}]}
    resp = client.post("/api/v1/projects", json=new, headers=admin_headers)
    assert resp.status_code == 201, resp.json
    project_id = resp.json["id"]
    governance = _governance(client, LUBBEEK)
    assert [p["project_id"] for p in governance["projects"]] == [project_id]
    year = client.get(f"/api/v1/municipalities/{LUBBEEK}/profile").json["as_of_year"]
    assert governance["score"] == pytest.approx(0.5 ** ((year - 2025) / 6))
    items = suggestions(client, **query)["items"]
    # a lighthouse candidate now, among Leuven and Mechelen (Smart Flanders and more)
    assert LUBBEEK in [i["municipality"]["refnis"] for i in items[:3]]

    # Only the domains change: the project row's own columns stay, the graph must still notice.
    resp = client.patch(f"/api/v1/projects/{project_id}", json={"domains": ["economy"]},
                        headers=admin_headers)
    assert resp.status_code == 200, resp.json
    assert _governance(client, LUBBEEK)["score"] == 0
    # Only the participations change.
    resp = client.patch(f"/api/v1/projects/{project_id}", headers=admin_headers,
                        json={"domains": ["governance"],
                              "participations": [{"refnis": KORTENBERG, "role": "lead"}]})
    assert resp.status_code == 200, resp.json
    assert _governance(client, LUBBEEK)["score"] == 0
    assert _governance(client, KORTENBERG)["projects"][0]["project_id"] == project_id

    assert client.delete(f"/api/v1/projects/{project_id}", headers=admin_headers).status_code == 204
    assert _governance(client, KORTENBERG)["score"] == 0


def test_a_change_by_another_worker_shows_within_the_check_interval(app, monkeypatch):
    from sqlalchemy import text

    from app.core.extensions import db
    from app.registry import service as registry_data

    now = [1000.0]
    monkeypatch.setattr(registry_data, "_clock", lambda: now[0])
    with app.app_context():
        before = registry_data.current_graph()
        project_id = next(p.id for p in before.projects.values()
                          if p.title == "Wegdekkwaliteitsinspectie")
        # Another process writes: plain SQL, none of this process's ORM objects flushed.
        db.session.execute(text("UPDATE project SET year = 2019, updated_at = :now WHERE id = :id"),
                           {"now": "2100-01-01 00:00:00", "id": project_id})
        db.session.commit()
        assert registry_data.current_graph() is before  # the version is checked once a second
        now[0] += registry_data.VERSION_CHECK_INTERVAL_S + 0.1
        after = registry_data.current_graph()
        assert after is not before and after.project(project_id).year == 2019


def test_reusable_deliverables_count_as_adoption_evidence(client, admin_headers):
    new = {"title": "Open data over parkeren", "programme": "other", "year": 2024,
           "domains": ["mobility"], "participations": [{"refnis": KORTENBERG, "role": "lead"}],
           "deliverables": {"open_data": True, "oslo": ["OSLO-Mobiliteit"], "playbook": True}}
    assert client.post("/api/v1/projects", json=new, headers=admin_headers).status_code == 201
    body = client.get(f"/api/v1/municipalities/{KORTENBERG}/profile").json
    (project,) = body["domains"][0]["projects"]
    assert project["reusable_deliverables"] == 3  # open data, OSLO, playbook
    assert project["adoption"] == pytest.approx(1 + 0.05 * 3)
    assert project["contribution"] == pytest.approx(
        0.5 ** ((body["as_of_year"] - 2024) / 6) * 1.0 * (1 + 0.05 * 3))  # grant unknown: scale 1


def test_openapi_documents_the_matching_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    for path in ("/api/v1/partner-suggestions", "/api/v1/municipalities/{refnis}/profile",
                 "/api/v1/matching/weights", "/api/v1/projects/similar",
                 "/api/v1/projects/{project_id}/similar"):
        assert "get" in spec["paths"][path], path
    params = {p["name"]: p for p in spec["paths"]["/api/v1/partner-suggestions"]["get"]["parameters"]}
    assert params["domain"]["schema"]["enum"] == list(DOMAINS)
    assert params["looking_for"]["schema"]["enum"] == ["lighthouse", "followers", "peers"]
    assert params["municipality"]["required"] is True
    assert "post" in spec["paths"]["/api/v1/projects/similar"]


def test_lighthouse_load_comes_from_the_newest_finished_plan(app, client):
    """Without a plan the load is unknown; a finished plan makes its lighthouses carry their load
    (the load counts when looking for a lighthouse to follow)."""
    from app.core.extensions import db
    from app.models import ClusterPlan

    url = "/api/v1/partner-suggestions?municipality=24055&domain=mobility&looking_for=lighthouse&limit=100"
    before = client.get(url).json
    assert before["query"]["lighthouse_load_from_plan"] is None
    assert all(f["value"] is None for item in before["items"] for f in item["factors"]
               if f["name"] == "lighthouse_load")
    leuven = "24062"
    with app.app_context():
        plan = ClusterPlan(params={}, status="done", result={"status": "optimal", "clusters": [
            {"domain": "mobility", "lighthouse": {"refnis": leuven, "name": "Leuven"}, "followers": []},
            {"domain": "living", "lighthouse": {"refnis": leuven, "name": "Leuven"}, "followers": []},
        ]})
        db.session.add(plan)
        db.session.commit()
        plan_id = plan.id
    after = client.get(url).json
    assert after["query"]["lighthouse_load_from_plan"] == plan_id
    loads = {item["municipality"]["refnis"]: next(f for f in item["factors"] if f["name"] == "lighthouse_load")
             for item in after["items"]}
    assert loads[leuven]["value"] == 2
    assert all(f["value"] == 0 for r, f in loads.items() if r != leuven)
    for item in after["items"]:
        assert abs(sum(f["contribution"] for f in item["factors"]) - item["score"]) < 1e-9
