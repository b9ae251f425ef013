"""Cluster plans through the API: a real solve in the background, checked constraint by
constraint; infeasible requests; bad input; cancel; compare; exports; coverage.

The participants are the 20 Flemish municipalities nearest to Leuven (seeded registry), so a
plan solves to proven optimality in about a second.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time

import pytest

from app.models.registry import utcnow
from matching.geo import haversine_km
from matching.optimizer import assignment_cost
from matching.registry import DOMAINS
from tests.app.test_api_bad_input import assert_problem

#: The 20 Flemish municipalities nearest to Leuven (24062), Leuven first.
LEUVEN_AREA = ["24062", "24038", "24009", "24086", "24043", "24011", "24094", "24066", "24016",
               "24055", "24033", "24109", "23038", "24045", "24135", "23081", "24014", "24048",
               "24104", "23103"]
SMALL_PLAN = {"domains": ["mobility"], "lighthouses": 3, "max_followers": 8, "min_followers": 2,
              "max_distance_km": 25, "participants": LEUVEN_AREA, "min_maturity": "none",
              "time_limit_s": 30}


def start(client, headers, **body) -> dict:
    resp = client.post("/api/v1/cluster-plans", json=body, headers=headers)
    assert resp.status_code == 202, resp.json
    return resp.json


def finish(client, plan_id: int, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        plan = client.get(f"/api/v1/cluster-plans/{plan_id}").json
        if plan["status"] not in ("queued", "running"):
            return plan
        assert time.monotonic() < deadline, f"plan {plan_id} still {plan['status']}"
        time.sleep(0.1)


def solved(client, headers, **body) -> dict:
    plan = finish(client, start(client, headers, **body)["id"])
    assert plan["status"] == "done", plan
    return plan


@pytest.fixture
def graph(app):
    from app.registry.service import current_graph

    with app.app_context():
        return current_graph()


def test_a_small_plan_solves_to_optimality_and_keeps_every_constraint(client, admin_headers,
                                                                      graph):
    body = dict(SMALL_PLAN, domains=["mobility", "economy"], excluded=["24066"],
                pinned_lighthouses={"mobility": ["24062"]}, name="Leuven en omgeving")
    resp = client.post("/api/v1/cluster-plans", json=body, headers=admin_headers)
    assert resp.status_code == 202
    assert resp.headers["Location"].endswith(f"/api/v1/cluster-plans/{resp.json['id']}")
    assert resp.json["status"] in ("queued", "running", "done")
    assert resp.json["params"]["participants"] == LEUVEN_AREA
    plan = finish(client, resp.json["id"])
    assert plan["status"] == "done" and plan["name"] == "Leuven en omgeving"
    result = plan["result"]
    assert result["status"] == "optimal" and result["gap"] == 0
    assert result["lower_bound"] == pytest.approx(result["objective"])
    assert plan["progress"]["best_objective"] == result["objective"]

    taking_part = set(LEUVEN_AREA) - {"24066"}
    heads_by_domain = {}
    total = 0.0
    for domain in ("mobility", "economy"):
        clusters = [c for c in result["clusters"] if c["domain"] == domain]
        assert len(clusters) == 3  # exactly k lighthouses
        heads = [c["lighthouse"]["refnis"] for c in clusters]
        members = heads + [f["refnis"] for c in clusters for f in c["followers"]]
        assert sorted(members) == sorted(taking_part)  # everyone exactly once, Lubbeek never
        heads_by_domain[domain] = set(heads)
        for c in clusters:
            head = graph.municipality(c["lighthouse"]["refnis"])
            assert c["lighthouse"]["name"] == head.name_nl
            assert 2 <= len(c["followers"]) <= 8  # min_followers, max_followers
            for f in c["followers"]:
                m = graph.municipality(f["refnis"])
                assert f["name"] == m.name_nl
                km = haversine_km(m.latitude, m.longitude, head.latitude, head.longitude)
                assert f["distance_km"] == pytest.approx(km, abs=0.01)
                assert f["distance_km"] <= 25  # max_distance_km
                experience = graph.experience[DOMAINS.index(domain), graph.index[head.refnis]]
                total += assignment_cost(m, head, km, float(experience)).total
    assert "24062" in heads_by_domain["mobility"]  # pinned
    assert not heads_by_domain["mobility"] & heads_by_domain["economy"]  # one domain each
    # The objective is the documented cost function summed over the assignments.
    assert result["objective"] == pytest.approx(total, abs=0.01 * len(taking_part))


def test_plans_are_listed_most_recent_first_and_filtered_by_status(client, admin_headers):
    first = solved(client, admin_headers, **SMALL_PLAN)
    second = solved(client, admin_headers, **dict(SMALL_PLAN, lighthouses=4))
    items = client.get("/api/v1/cluster-plans").json["items"]
    assert [p["id"] for p in items] == [second["id"], first["id"]]
    assert items[0]["result"]["cluster_count"] == 4 and "clusters" not in items[0]["result"]
    assert items[0]["result"]["objective"] == second["result"]["objective"]
    assert client.get("/api/v1/cluster-plans?status=failed").json["items"] == []
    assert_problem(client.get("/api/v1/cluster-plans?status=lost"), 400, "status")


def test_an_infeasible_request_is_a_done_plan_with_the_plain_reason(client, admin_headers):
    plan = solved(client, admin_headers, **dict(SMALL_PLAN, lighthouses=2, max_followers=3,
                                                min_followers=0))
    result = plan["result"]
    assert result["status"] == "infeasible" and result["clusters"] == []
    assert result["objective"] is None
    assert result["reason"].startswith("total capacity 6 < 18 followers in mobility")
    assert result["reason_nl"].startswith("totale capaciteit 6 < 18 volgers in Slimme mobiliteit")


def test_a_plan_stopped_by_its_time_limit_is_never_labelled_infeasible(client, admin_headers):
    """Six domains over every Flemish municipality in one second: far too little to prove
    anything, so the plan ends by its time limit: the best plan found with its gap, or no plan
    with a reason that says it is not proven infeasible."""
    plan = solved(client, admin_headers, domains=list(DOMAINS), lighthouses=8, max_followers=40,
                  min_maturity="none", time_limit_s=1, participants_from="all")
    result = plan["result"]
    assert result["status"] == "time_limit", result["status"]
    if result["objective"] is None:
        assert result["clusters"] == []
        assert "not proven infeasible" in result["reason"]
        assert "niet bewezen onhaalbaar" in result["reason_nl"]
    else:
        assert result["clusters"] and result["reason"] is None
        assert result["lower_bound"] <= result["objective"]
        assert result["gap"] is not None and 0 < result["gap"] <= 1


BAD = [
    ({"domains": ["space"]}, "domains.0", "unknown domain"),
    ({"domains": []}, "domains", None),
    ({"domains": ["mobility", "mobility"]}, "domains", "listed twice"),
    ({"participants": LEUVEN_AREA + ["99999"]}, "participants", "unknown municipality 99999"),
    ({"participants": LEUVEN_AREA + ["72025"]}, "participants", "merged into Pelt; use 72043"),
    ({"excluded": ["12345"]}, "excluded", "unknown municipality 12345"),
    ({"participants": ["4406"]}, "participants.0", "5-digit REFNIS"),
    ({"lighthouses": 5, "min_maturity": "lighthouse-ready"}, "lighthouses", "candidates"),
    ({"lighthouses": 21}, "lighthouses", "only 20 candidates"),
    ({"max_followers": -1}, "max_followers", "cannot be negative"),
    ({"min_followers": -2}, "min_followers", "cannot be negative"),
    ({"min_followers": 9}, "min_followers", "must not exceed max_followers"),
    ({"lighthouses": None, "min_lighthouses": 4, "max_lighthouses": 2}, "min_lighthouses", None),
    ({"min_lighthouses": 2}, "lighthouses", "not both"),
    ({"max_distance_km": 0}, "max_distance_km", None),
    ({"time_limit_s": 0}, "time_limit_s", None),
    ({"pinned_lighthouses": {"economy": ["24062"]}}, "pinned_lighthouses.economy",
     "not one of the planned domains"),
    ({"pinned_lighthouses": {"mobility": ["24062"]}, "excluded": ["24062"]},
     "pinned_lighthouses", "excluded or not participating"),
    ({"pinned_lighthouses": {"mobility": ["11002"]}}, "pinned_lighthouses",
     "excluded or not participating"),
    ({"domains": ["mobility", "economy"],
      "pinned_lighthouses": {"mobility": ["24062"], "economy": ["24062"]}},
     "pinned_lighthouses", "serves one domain"),
    ({"pinned_lighthouses": {"mobility": ["24062", "24038", "24009", "24086"]}},
     "pinned_lighthouses", "at most 3 lighthouses"),
    ({"forced": [{"domain": "mobility", "follower": "24038", "lighthouse": "99999"}]},
     "forced.0.lighthouse", "unknown municipality 99999"),
    ({"colour": "red"}, "colour", "unknown field"),
]


@pytest.mark.parametrize("change, field, message", BAD)
def test_bad_input_is_a_400_naming_the_parameter_and_stores_nothing(client, admin_headers,
                                                                    change, field, message):
    body = {k: v for k, v in dict(SMALL_PLAN, **change).items() if v is not None}
    resp = client.post("/api/v1/cluster-plans", json=body, headers=admin_headers)
    problem = assert_problem(resp, 400, field)
    if message:
        assert message in json.dumps(problem["errors"]), problem
    assert client.get("/api/v1/cluster-plans").json["items"] == []


def test_only_admins_start_and_cancel_plans(client, admin_headers, city_token):
    city = {"Authorization": f"Bearer {city_token}"}
    assert_problem(client.post("/api/v1/cluster-plans", json=SMALL_PLAN), 401)
    assert_problem(client.post("/api/v1/cluster-plans", json=SMALL_PLAN, headers=city), 403)
    plan = solved(client, admin_headers, **SMALL_PLAN)
    assert_problem(client.delete(f"/api/v1/cluster-plans/{plan['id']}", headers=city), 403)
    assert_problem(client.get("/api/v1/cluster-plans/999999"), 404, "plan_id")
    assert_problem(client.get("/api/v1/cluster-plans/2147483648"), 404, "plan_id")  # > int4
    assert_problem(client.get(f"/api/v1/cluster-plans/{plan['id']}/compare/1099511627775"), 404,
                   "other_id")
    assert_problem(client.delete("/api/v1/cluster-plans/999999", headers=admin_headers), 404)


def test_delete_cancels_a_running_plan(client, admin_headers):
    # All Flemish municipalities as candidates: far too big to prove optimal in a few seconds.
    plan = start(client, admin_headers, domains=["mobility"], lighthouses=10, max_followers=30,
                 min_maturity="none", time_limit_s=40, participants_from="all")
    deadline = time.monotonic() + 30
    while client.get(f"/api/v1/cluster-plans/{plan['id']}").json["status"] == "queued":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    resp = client.delete(f"/api/v1/cluster-plans/{plan['id']}", headers=admin_headers)
    assert resp.status_code == 202 and resp.json["status"] == "running"
    ended = finish(client, plan["id"])
    assert ended["status"] == "cancelled"
    assert ended["progress"]["elapsed_s"] < 40
    again = client.delete(f"/api/v1/cluster-plans/{plan['id']}", headers=admin_headers)
    assert again.status_code == 200 and again.json["status"] == "cancelled"


def _lighthouse_maps(result: dict) -> dict[str, dict[str, str]]:
    out: dict[str, dict[str, str]] = {}
    for c in result["clusters"]:
        head = c["lighthouse"]["refnis"]
        out.setdefault(c["domain"], {})[head] = head
        for f in c["followers"]:
            out[c["domain"]][f["refnis"]] = head
    return out


def test_compare_lists_municipalities_that_changed_lighthouse(client, admin_headers):
    a = solved(client, admin_headers, **SMALL_PLAN)
    b = solved(client, admin_headers, **dict(SMALL_PLAN, lighthouses=4, max_distance_km=None))
    body = client.get(f"/api/v1/cluster-plans/{a['id']}/compare/{b['id']}").json
    assert body["plan"] == a["id"] and body["other"] == b["id"]
    assert body["objective_difference"] == pytest.approx(
        b["result"]["objective"] - a["result"]["objective"], abs=1e-6)
    ma, mb = _lighthouse_maps(a["result"])["mobility"], _lighthouse_maps(b["result"])["mobility"]
    expected = {r for r in LEUVEN_AREA if ma[r] != mb[r]}
    (mobility,) = body["domains"]
    assert {c["refnis"] for c in mobility["changed"]} == expected
    assert body["changed_count"] == len(expected) > 0
    for change in mobility["changed"]:
        assert change["lighthouse"]["refnis"] == ma[change["refnis"]]
        assert change["other_lighthouse"]["refnis"] == mb[change["refnis"]]
    assert {r["refnis"] for r in mobility["lighthouses_only_other"]} == set(mb.values()) - set(ma.values())
    same = client.get(f"/api/v1/cluster-plans/{a['id']}/compare/{a['id']}").json
    assert same["changed_count"] == 0 and same["objective_difference"] == 0
    assert_problem(client.get(f"/api/v1/cluster-plans/{a['id']}/compare/999999"), 404, "other_id")


def test_a_plan_without_result_cannot_be_compared_or_exported(app, client, admin_headers):
    from app.core.extensions import db
    from app.models import ClusterPlan

    a = solved(client, admin_headers, **SMALL_PLAN)
    with app.app_context():
        failed = ClusterPlan(params=SMALL_PLAN, status="failed", error="boom",
                             finished_at=utcnow())
        db.session.add(failed)
        db.session.commit()
        failed_id = failed.id
    assert_problem(client.get(f"/api/v1/cluster-plans/{a['id']}/compare/{failed_id}"), 409,
                   "other_id")
    for suffix in (".csv", ".geojson", "/coverage"):
        assert_problem(client.get(f"/api/v1/cluster-plans/{failed_id}{suffix}"), 409, "plan_id")


def test_exports_parse_as_csv_and_as_geojson(client, admin_headers):
    plan = solved(client, admin_headers, **dict(SMALL_PLAN, domains=["mobility", "living"]))
    result = plan["result"]
    resp = client.get(f"/api/v1/cluster-plans/{plan['id']}.csv")
    assert resp.status_code == 200 and resp.mimetype == "text/csv"
    assert f"cluster-plan-{plan['id']}.csv" in resp.headers["Content-Disposition"]
    rows = list(csv.DictReader(io.StringIO(resp.get_data(as_text=True))))
    assert list(rows[0]) == ["plan_id", "domain", "role", "refnis", "name", "province",
                             "population", "lighthouse_refnis", "lighthouse_name", "distance_km"]
    assert len(rows) == 2 * len(LEUVEN_AREA)
    maps = _lighthouse_maps(result)
    for row in rows:
        assert row["plan_id"] == str(plan["id"])
        assert maps[row["domain"]][row["refnis"]] == row["lighthouse_refnis"]
        assert (row["role"] == "lighthouse") == (row["refnis"] == row["lighthouse_refnis"])
        assert 0 <= float(row["distance_km"]) <= 25 and int(row["population"]) > 0

    resp = client.get(f"/api/v1/cluster-plans/{plan['id']}.geojson")
    assert resp.status_code == 200 and resp.mimetype == "application/geo+json"
    doc = json.loads(resp.get_data(as_text=True))
    assert doc["type"] == "FeatureCollection"
    points = [f for f in doc["features"] if f["geometry"]["type"] == "Point"]
    lines = [f for f in doc["features"] if f["geometry"]["type"] == "LineString"]
    assert len(points) + len(lines) == len(doc["features"])
    assert len(points) == 2 * len(LEUVEN_AREA)
    assert len(lines) == sum(len(c["followers"]) for c in result["clusters"])
    where = {}
    for f in points:
        assert f["type"] == "Feature" and set(f) == {"type", "geometry", "properties"}
        lon, lat = f["geometry"]["coordinates"]
        assert 2.5 < lon < 6.0 and 50.6 < lat < 51.6  # RFC 7946 order: longitude, latitude
        where[f["properties"]["refnis"]] = [lon, lat]
    for f in lines:
        start_, end = f["geometry"]["coordinates"]
        assert start_ == where[f["properties"]["lighthouse_refnis"]]
        assert end == where[f["properties"]["refnis"]]


def _expected_coverage(graph, result: dict, limit: float | None) -> dict:
    """Coverage recomputed from coordinates: province -> (count, covered, small, small
    covered, left-out REFNIS set)."""
    heads = {c["lighthouse"]["refnis"] for c in result["clusters"]}
    members = set(_lighthouse_maps(result).get("mobility", {}))
    out: dict[str, list] = {}
    for m in graph.municipalities:
        if m.region != "flanders":
            continue
        if limit is None:
            covered = m.refnis in members
        else:
            nearest = min(haversine_km(m.latitude, m.longitude, graph.municipality(h).latitude,
                                       graph.municipality(h).longitude) for h in heads)
            covered = nearest <= limit
        small = m.population < 10_000
        row = out.setdefault(m.province, [0, 0, 0, 0, set()])
        row[0] += 1
        row[1] += covered
        row[2] += small
        row[3] += small and covered
        if not covered:
            row[4].add(m.refnis)
    return out


@pytest.mark.parametrize("limit, query", [(25, ""), (10, "?max_distance_km=10")])
def test_coverage_per_province_matches_the_distances(client, admin_headers, graph, limit, query):
    plan = solved(client, admin_headers, **SMALL_PLAN)
    body = client.get(f"/api/v1/cluster-plans/{plan['id']}/coverage{query}").json
    assert body["plan"] == plan["id"] and body["max_distance_km"] == limit
    assert body["small_max_population"] == 10_000
    (mobility,) = body["domains"]
    expected = _expected_coverage(graph, plan["result"], limit)
    got = {p["province"]: [p["municipalities"], p["covered"], p["small"], p["small_covered"],
                           {m["refnis"] for m in p["left_out"]}] for p in mobility["provinces"]}
    assert got == expected
    assert mobility["municipalities"] == 285
    assert mobility["covered"] == sum(row[1] for row in expected.values()) > 0
    assert got["west-vlaanderen"][1] == 0  # nothing near Leuven reaches the coast


def test_coverage_without_a_distance_limit_counts_the_cluster_members(client, admin_headers,
                                                                      graph):
    plan = solved(client, admin_headers, **dict(SMALL_PLAN, max_distance_km=None))
    body = client.get(f"/api/v1/cluster-plans/{plan['id']}/coverage").json
    assert body["max_distance_km"] is None
    expected = _expected_coverage(graph, plan["result"], None)
    (mobility,) = body["domains"]
    assert mobility["covered"] == len(LEUVEN_AREA)
    assert {p["province"]: p["covered"] for p in mobility["provinces"]} == {
        k: v[1] for k, v in expected.items()}
    assert_problem(client.get(f"/api/v1/cluster-plans/{plan['id']}/coverage?max_distance_km=-1"),
                   400, "max_distance_km")


def test_a_cancelled_or_finished_plan_keeps_its_gap_finite_or_null(client, admin_headers):
    plan = solved(client, admin_headers, **SMALL_PLAN)
    for value in (plan["result"]["gap"], plan["progress"]["gap"]):
        assert value is None or math.isfinite(value)


# --- evidence per domain: the planner refuses too few candidates and warns below twice --------

def test_a_domain_with_fewer_candidates_than_lighthouses_is_refused_with_the_reason(
        client, admin_headers):
    # people: only Leuven and Genk have any experience among the Flemish municipalities
    resp = client.post("/api/v1/cluster-plans", headers=admin_headers,
                       json={"domains": ["people"], "lighthouses": 3, "time_limit_s": 5,
                             "participants_from": "all"})
    assert_problem(resp, 400, "lighthouses")
    error = resp.json["errors"][0]
    assert "3 lighthouses asked in people but only 2 candidates" in error["message"]
    assert error["message_nl"]  # the form shows it in Dutch
    assert client.get("/api/v1/cluster-plans").json["items"] == []


def test_every_plan_result_carries_coverage_per_domain(client, admin_headers):
    plan = solved(client, admin_headers, **dict(SMALL_PLAN, domains=["mobility", "economy"],
                                                min_maturity="none"))
    coverage = {c["domain"]: c for c in plan["result"]["coverage"]}
    assert set(coverage) == {"mobility", "economy"}
    mobility = coverage["mobility"]
    assert mobility["participants"] == 20 and mobility["lighthouses_asked"] == 3
    assert mobility["candidates"] == 20  # min_maturity none: everyone is a candidate
    assert mobility["status"] == "ok" and mobility["message"] is None
    assert mobility["municipalities_with_evidence"] == 11


def test_followers_far_from_their_lighthouse_are_offered_co_learning_with_neighbours(
        app, client, admin_headers, graph):
    """Kortrijk pinned as the one mobility lighthouse of the Leuven area (about 90 km away):
    the plan result, like a partner answer, offers the followers that start in mobility
    co-learning clusters of neighbours, in the API and on the plan page before the result."""
    from app.core.extensions import db
    from app.models import User

    plan = solved(client, admin_headers, domains=["mobility"], lighthouses=1,
                  participants=LEUVEN_AREA + ["34022"], pinned_lighthouses={"mobility": ["34022"]},
                  min_maturity="none", time_limit_s=10)
    offer = plan["result"]["coverage"][0]["co_learning"]
    assert offer["far_followers"] == 20 and offer["near_km"] == 30
    assert "20 followers are farther than 30 km from their lighthouse" in offer["message"]["en"]
    assert offer["groups"]
    grouped = [m for g in offer["groups"] for m in g]
    assert len({m["refnis"] for m in grouped}) == len(grouped)  # each in one group
    weights = graph.weights
    for group in offer["groups"]:
        assert 2 <= len(group) <= 1 + weights.co_learning_size
        for m in group:
            assert m["refnis"] in LEUVEN_AREA and m["distance_km"] <= 30
            assert m["experience"] < weights.experienced_min_score  # they start in mobility
    with app.app_context():
        user = User(email="planner2@example.org", role="admin")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    assert client.post("/login", data={"email": "planner2@example.org",
                                       "password": "correct horse battery"}).status_code == 302
    page = client.get(f"/planning/{plan['id']}").get_data(as_text=True)
    assert page.index('id="co-learning-offers"') < page.index('id="result"')
    assert f'data-refnis="{grouped[0]["refnis"]}"' in page


def test_thin_evidence_is_a_warning_on_the_plan_page_before_the_result(app, client,
                                                                        admin_headers):
    from app.core.extensions import db
    from app.models import User

    plan = start(client, admin_headers, **dict(SMALL_PLAN, lighthouses=2, min_maturity="starter",
                                               domains=["mobility"]))
    finish(client, plan["id"])
    with app.app_context():
        user = User(email="planner@example.org", role="admin")
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    assert client.post("/login", data={"email": "planner@example.org",
                                       "password": "correct horse battery"}).status_code == 302
    page = client.get(f"/planning/{plan['id']}").get_data(as_text=True)
    row = page[page.index('<tr data-domain="mobility"'):]
    row = row[:row.index("</tr>")]
    assert 'data-status="thin"' in row  # Leuven, Lubbeek, Herent: 3 candidates for 2
    assert "minder dan het dubbele" in row
    assert page.index('id="evidence"') < page.index('id="result"')
