"""Bad input on every registry endpoint gets a 4xx problem+json that names the field."""

from __future__ import annotations

import pytest

from tests.app.test_api_registry import NEW_PROJECT

PROBLEM = "application/problem+json"


def assert_problem(resp, status, field=None, contains=None):
    assert resp.status_code == status, (resp.status_code, resp.data[:300])
    assert resp.mimetype == PROBLEM
    body = resp.json
    assert body["status"] == status and body["title"] and body["detail"]
    if field is not None:
        fields = [e["field"] for e in body.get("errors", [])]
        assert field in fields, body
    if contains is not None:
        assert contains in resp.get_data(as_text=True), body
    return body


@pytest.mark.parametrize(
    "query, field",
    [
        ("per_page=0", "per_page"),
        ("per_page=101", "per_page"),
        ("page=abc", "page"),
        ("region=wallonia", "region"),
        ("province=henegouwen", "province"),
        ("centrumstad=maybe", "centrumstad"),
        ("colour=red", "colour"),
    ],
)
def test_municipality_list_rejects_bad_query(client, query, field):
    assert_problem(client.get(f"/api/v1/municipalities?{query}"), 400, field)


def test_region_error_lists_valid_values(client):
    assert_problem(client.get("/api/v1/municipalities?region=x"), 400, "region", contains="flanders")


def test_unknown_and_malformed_refnis(client):
    assert_problem(client.get("/api/v1/municipalities/99999"), 404, "refnis", contains="99999")
    assert_problem(client.get("/api/v1/municipalities/4402"), 400, "refnis")


@pytest.mark.parametrize("query, field", [("year=1800", "year"), ("domain=space", "domain"),
                                          ("programme=x", "programme"), ("municipality=12", "municipality")])
def test_project_list_rejects_bad_query(client, query, field):
    assert_problem(client.get(f"/api/v1/projects?{query}"), 400, field)


def test_unknown_project_is_404(client):
    assert_problem(client.get("/api/v1/projects/999999"), 404)
    assert_problem(client.get("/api/v1/projects/99999999999999999999"), 404)


def test_writes_need_a_token_of_an_admin(client, city_token):
    assert_problem(client.post("/api/v1/projects", json=NEW_PROJECT), 401, contains="Bearer")
    assert_problem(client.post("/api/v1/projects", json=NEW_PROJECT,
                               headers={"Authorization": "Bearer nope"}), 401)
    assert_problem(client.post("/api/v1/projects", json=NEW_PROJECT,
                               headers={"Authorization": "Basic abc"}), 401)
    assert_problem(client.post("/api/v1/projects", json=NEW_PROJECT,
                               headers={"Authorization": f"Bearer {city_token}"}), 403, contains="admin")
    assert_problem(client.delete("/api/v1/projects/1"), 401)
    assert_problem(client.patch("/api/v1/projects/1", json={"year": 2020}), 401)


def test_malformed_json_and_wrong_media_type(client, admin_headers):
    r = client.post("/api/v1/projects", data="{not json", headers=admin_headers, content_type="application/json")
    assert_problem(r, 400, "body")
    r = client.post("/api/v1/projects", data="title=x", headers=admin_headers,
                    content_type="application/x-www-form-urlencoded")
    assert_problem(r, 415)
    assert_problem(client.post("/api/v1/projects", json=[1, 2], headers=admin_headers), 400, "body")


def test_oversized_body_is_413(client, admin_headers):
    big = {**NEW_PROJECT, "summary": "x" * (1024 * 1024 + 10)}
    assert_problem(client.post("/api/v1/projects", json=big, headers=admin_headers), 413)


@pytest.mark.parametrize(
    "change, field",
    [
        ({"year": "2020"}, "year"),
        ({"year": 1500}, "year"),
        ({"grant_cents": -1}, "grant_cents"),
        ({"grant_cents": 12.5}, "grant_cents"),
        ({"grant_cents": 30_000_00, "total_budget_cents": 10_000_00}, "grant_cents"),
        ({"programme": "lottery"}, "programme"),
        ({"domains": ["space"]}, "domains.0"),
        ({"participations": [{"refnis": "99999", "role": "lead"}]}, "participations.0.refnis"),
        ({"participations": [{"refnis": "44021", "role": "boss"}]}, "participations.0.role"),
        ({"participations": [{"refnis": "44021", "role": "lead"}, {"refnis": "44021", "role": "partner"}]},
         "participations"),
        ({"colour": "red"}, "colour"),
        ({"title": ""}, "title"),
    ],
)
def test_project_create_rejects_bad_fields_and_writes_nothing(client, admin_headers, change, field):
    before = client.get("/api/v1/projects").json["total"]
    assert_problem(client.post("/api/v1/projects", json={**NEW_PROJECT, **change}, headers=admin_headers), 400, field)
    assert client.get("/api/v1/projects").json["total"] == before


def test_missing_required_fields_are_named(client, admin_headers):
    body = assert_problem(client.post("/api/v1/projects", json={}, headers=admin_headers), 400)
    fields = {e["field"] for e in body["errors"]}
    assert {"title", "programme", "year"} <= fields


def test_patch_with_bad_value_leaves_project_unchanged(client, admin_headers):
    item = client.get("/api/v1/projects?per_page=1").json["items"][0]
    r = client.patch(f"/api/v1/projects/{item['id']}", json={"title": "Nieuwe titel", "participations": [
        {"refnis": "00000", "role": "lead"}]}, headers=admin_headers)
    assert_problem(r, 400, "participations.0.refnis")
    assert client.get(f"/api/v1/projects/{item['id']}").json["title"] == item["title"]


def test_unknown_api_path_and_method(client):
    assert_problem(client.get("/api/v1/nothing-here"), 404)
    assert_problem(client.put("/api/v1/municipalities"), 405)
