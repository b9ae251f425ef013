"""The OpenAPI document keeps every operation the API had before the move into feature packages
(issue 9): the list below is ``GET /api/v1/openapi.json`` as it was on main at 8c8617d."""

from __future__ import annotations

import pytest

OPERATIONS_BEFORE_THE_MOVE = [
    "DELETE /api/v1/applications/{application_id}",
    "DELETE /api/v1/calls/{call_id}/assignments/{application_id}/{juror_id}",
    "DELETE /api/v1/calls/{call_id}/jurors/{juror_id}",
    "DELETE /api/v1/cluster-plans/{plan_id}",
    "DELETE /api/v1/projects/{project_id}",
    "GET /api/v1/applications/{application_id}",
    "GET /api/v1/applications/{application_id}/consortium-advice",
    "GET /api/v1/applications/{application_id}/scores",
    "GET /api/v1/applications/{application_id}/summary",
    "GET /api/v1/applications/{application_id}/summary.pdf",
    "GET /api/v1/audit",
    "GET /api/v1/audit/verify",
    "GET /api/v1/calls",
    "GET /api/v1/calls/{call_id}",
    "GET /api/v1/calls/{call_id}/aggregation",
    "GET /api/v1/calls/{call_id}/applications",
    "GET /api/v1/calls/{call_id}/assignments",
    "GET /api/v1/calls/{call_id}/conflicts",
    "GET /api/v1/calls/{call_id}/criteria",
    "GET /api/v1/calls/{call_id}/jurors",
    "GET /api/v1/calls/{call_id}/jury-settings",
    "GET /api/v1/calls/{call_id}/ranking",
    "GET /api/v1/calls/{call_id}/results.csv",
    "GET /api/v1/calls/{call_id}/results.xlsx",
    "GET /api/v1/calls/{call_id}/selection",
    "GET /api/v1/calls/{call_id}/sensitivity",
    "GET /api/v1/cluster-plans",
    "GET /api/v1/cluster-plans/{plan_id}",
    "GET /api/v1/cluster-plans/{plan_id}.csv",
    "GET /api/v1/cluster-plans/{plan_id}.geojson",
    "GET /api/v1/cluster-plans/{plan_id}/compare/{other_id}",
    "GET /api/v1/cluster-plans/{plan_id}/coverage",
    "GET /api/v1/domains",
    "GET /api/v1/matching/weights",
    "GET /api/v1/municipalities",
    "GET /api/v1/municipalities/{refnis}",
    "GET /api/v1/municipalities/{refnis}/profile",
    "GET /api/v1/partner-suggestions",
    "GET /api/v1/projects",
    "GET /api/v1/projects/similar",
    "GET /api/v1/projects/{project_id}",
    "GET /api/v1/projects/{project_id}/similar",
    "PATCH /api/v1/applications/{application_id}",
    "PATCH /api/v1/calls/{call_id}",
    "PATCH /api/v1/projects/{project_id}",
    "POST /api/v1/applications/{application_id}/eligibility-override",
    "POST /api/v1/applications/{application_id}/scores/submit",
    "POST /api/v1/calls",
    "POST /api/v1/calls/{call_id}/applications",
    "POST /api/v1/calls/{call_id}/applications/import",
    "POST /api/v1/calls/{call_id}/assignments",
    "POST /api/v1/calls/{call_id}/conflicts",
    "POST /api/v1/calls/{call_id}/consensus/{application_id}/{criterion}",
    "POST /api/v1/calls/{call_id}/jurors",
    "POST /api/v1/calls/{call_id}/publish",
    "POST /api/v1/calls/{call_id}/selection",
    "POST /api/v1/cluster-plans",
    "POST /api/v1/projects",
    "POST /api/v1/projects/similar",
    "PUT /api/v1/applications/{application_id}/scores/{criterion}",
    "PUT /api/v1/calls/{call_id}/assignments/{application_id}/{juror_id}",
    "PUT /api/v1/calls/{call_id}/criteria",
    "PUT /api/v1/calls/{call_id}/jury-settings",
]
METHODS = ("get", "post", "put", "patch", "delete")


@pytest.fixture
def spec(client):
    resp = client.get("/api/v1/openapi.json")
    assert resp.status_code == 200
    return resp.get_json()


def test_every_operation_of_before_the_move_is_still_documented(spec):
    ops = {f"{m.upper()} {p}" for p, item in spec["paths"].items() for m in item if m in METHODS}
    missing = sorted(set(OPERATIONS_BEFORE_THE_MOVE) - ops)
    assert not missing, missing
    assert len(OPERATIONS_BEFORE_THE_MOVE) == 63


def test_every_documented_operation_is_served(app, spec):
    served = {(r.rule, m) for r in app.url_map.iter_rules() for m in r.methods or ()}
    import re

    for path, item in spec["paths"].items():
        rule_shape = re.sub(r"{[a-z_]+}", "<>", path)
        for method in item:
            if method not in METHODS:
                continue
            assert any(re.sub(r"<[^>]+>", "<>", rule) == rule_shape and m == method.upper()
                       for rule, m in served), f"{method.upper()} {path} has no route"


def test_the_document_is_valid_openapi(spec):
    from openapi_spec_validator import validate

    validate(spec)


def test_every_operation_declares_its_errors(spec):
    """Every operation declares the edge's answers (400, 401, 414; writes also 403, 413, 415),
    a path parameter a 404, and an operation behind a role 401 and 403 with the problem schema."""
    for path, item in spec["paths"].items():
        for method, op in item.items():
            if method not in METHODS:
                continue
            codes = set(op["responses"])
            expected = {"400", "401", "414"}
            if method != "get":
                expected |= {"403", "413", "415"}
            if "{" in path:
                expected.add("404")
            assert expected <= codes, f"{method.upper()} {path} lacks {sorted(expected - codes)}"


def test_the_reference_page_is_built_from_the_document(client, spec):
    page = client.get("/api").get_data(as_text=True)
    assert "/api/v1/projects/{project_id}" in page
    assert spec["info"]["title"] in page


def test_no_view_carries_a_yaml_docstring(app):
    """The document is generated from the decorators; a view's docstring is prose only."""
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("api."):
            continue
        doc = app.view_functions[rule.endpoint].__doc__ or ""
        assert "\n    ---" not in doc and "responses:" not in doc, rule.endpoint


def test_bodies_and_uploads_are_documented(spec):
    paths = spec["paths"]
    create = paths["/api/v1/projects"]["post"]["requestBody"]["content"]
    assert create["application/json"]["schema"] == {"$ref": "#/components/schemas/ProjectIn"}
    patch = paths["/api/v1/projects/{project_id}"]["patch"]["requestBody"]["content"]
    assert patch["application/json"]["schema"] == {"$ref": "#/components/schemas/ProjectInPartial"}
    imported = paths["/api/v1/calls/{call_id}/applications/import"]["post"]["requestBody"]["content"]
    assert set(imported) == {"application/json", "multipart/form-data"}
    upload = spec["components"]["schemas"]["DocumentUpload"]["properties"]["file"]
    assert upload == {"type": "string", "format": "binary", "description": upload["description"]}
    csv = paths["/api/v1/calls/{call_id}/results.csv"]["get"]["responses"]["200"]["content"]
    assert "text/csv" in csv
    listed = paths["/api/v1/municipalities"]["get"]["parameters"]
    assert {"page", "per_page", "q"} <= {p["name"] for p in listed}


@pytest.mark.parametrize("query", ["page=1&page=2", "per_page=5&per_page=6"])
def test_an_array_for_an_integer_parameter_is_refused(client, query):
    """A repeated query parameter is a list, not its first value (issue 13 item 8)."""
    resp = client.get(f"/api/v1/municipalities?{query}")
    assert resp.status_code == 400
    assert resp.mimetype == "application/problem+json"
    assert resp.json["errors"][0]["field"] == query.split("=")[0]


def test_unknown_query_parameters_and_bad_bodies_answer_as_before(client, admin_headers):
    unknown = client.get("/api/v1/projects?bogus=1")
    assert unknown.status_code == 400 and unknown.json["errors"][0]["field"] == "bogus"
    form = client.post("/api/v1/projects", data="title=x", headers={
        **admin_headers, "Content-Type": "text/plain"})
    assert form.status_code == 415
    broken = client.post("/api/v1/projects", data="{", headers={
        **admin_headers, "Content-Type": "application/json"})
    assert broken.status_code == 400 and broken.json["title"] == "Malformed JSON"
    listed = client.post("/api/v1/projects", json=[1], headers=admin_headers)
    assert listed.status_code == 400 and listed.json["errors"] == [
        {"field": "body", "message": "must be a JSON object"}]
    missing = client.post("/api/v1/projects", json={"title": "Slimme verlichting"},
                          headers=admin_headers)
    assert {e["field"] for e in missing.json["errors"]} == {"programme", "year"}
