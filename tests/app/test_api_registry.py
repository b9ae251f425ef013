"""The registry API serves the real data: counts, lookups, merges, projects and admin writes."""

from __future__ import annotations


def test_flanders_has_285_brussels_19_and_13_centrumsteden(client):
    assert client.get("/api/v1/municipalities?region=flanders").json["total"] == 285
    assert client.get("/api/v1/municipalities?region=brussels").json["total"] == 19
    body = client.get("/api/v1/municipalities?centrumstad=true&per_page=100").json
    assert body["total"] == 13
    names = {m["name_nl"] for m in body["items"]}
    assert names == {"Aalst", "Antwerpen", "Brugge", "Genk", "Gent", "Hasselt", "Kortrijk", "Leuven",
                     "Mechelen", "Oostende", "Roeselare", "Sint-Niklaas", "Turnhout"}


def test_gent_by_refnis_with_sourced_population_and_coordinates(client):
    gent = client.get("/api/v1/municipalities/44021").json
    assert gent["name_nl"] == "Gent"
    assert gent["province"] == "oost-vlaanderen"
    assert gent["is_centrumstad"] is True
    assert gent["population"] > 200_000
    assert gent["population_source"] and gent["coordinates_source"]
    assert 51.0 < gent["latitude"] < 51.1 and 3.6 < gent["longitude"] < 3.8


def test_every_current_municipality_has_coordinates_and_population_with_source(client):
    seen = 0
    for page in range(1, 5):
        body = client.get(f"/api/v1/municipalities?per_page=100&page={page}").json
        for m in body["items"]:
            seen += 1
            assert m["population"] and m["population"] > 0, m["refnis"]
            assert m["population_source"].startswith("Statbel"), m["refnis"]
            assert m["population_date"] == "2020-01-01", m["refnis"]
            assert m["latitude"] is not None and m["longitude"] is not None, m["refnis"]
            assert m["coordinates_source"], m["refnis"]
    assert seen == 304


def test_flanders_and_brussels_sum_to_statbels_2020_totals(client):
    """Statbel's published population of the regions on 1 January 2020, to the inhabitant."""
    for region, total in (("flanders", 6_629_143), ("brussels", 1_218_255)):
        items = []
        for page in range(1, 4):
            items += client.get(f"/api/v1/municipalities?region={region}&per_page=100&page={page}").json["items"]
        assert len(items) == {"flanders": 285, "brussels": 19}[region]
        assert sum(m["population"] for m in items) == total


def test_kampenhout_has_statbels_figure_with_its_reference_date(client):
    body = client.get("/api/v1/municipalities/23038").json
    assert (body["name_nl"], body["population"], body["population_date"]) == ("Kampenhout", 12_129, "2020-01-01")
    assert body["population_source"] == "Statbel, population on 1 January 2020, REFNIS 23038"


def test_old_refnis_answers_with_successor_and_says_so(client):
    body = client.get("/api/v1/municipalities?q=neerpelt&include_merged=true").json
    assert body["total"] == 1
    old = body["items"][0]
    assert old["is_current"] is False and old["merged_into"]["name_nl"] == "Pelt"
    resolved = client.get(f"/api/v1/municipalities/{old['refnis']}").json
    assert resolved["name_nl"] == "Pelt"
    assert resolved["resolved_from"]["refnis"] == old["refnis"]
    assert "Neerpelt" in resolved["resolved_from"]["note"]


def test_name_search_ignores_accents_and_case(client):
    body = client.get("/api/v1/municipalities?q=SINT-NIKLAAS").json
    assert [m["name_nl"] for m in body["items"]] == ["Sint-Niklaas"]
    # Brussels names match in French too, without accents
    body = client.get("/api/v1/municipalities?q=saint-gilles").json
    assert body["total"] == 1 and body["items"][0]["region"] == "brussels"


def test_filters_combine_and_paginate(client):
    body = client.get("/api/v1/municipalities?province=limburg&centrumstad=true").json
    assert {m["name_nl"] for m in body["items"]} == {"Genk", "Hasselt"}
    page1 = client.get("/api/v1/municipalities?region=flanders&per_page=100&page=1").json
    page3 = client.get("/api/v1/municipalities?region=flanders&per_page=100&page=3").json
    assert len(page1["items"]) == 100 and len(page3["items"]) == 85
    assert not {m["refnis"] for m in page1["items"]} & {m["refnis"] for m in page3["items"]}


def test_domains_are_the_six(client):
    codes = [d["code"] for d in client.get("/api/v1/domains").json["items"]]
    assert codes == ["mobility", "environment", "living", "people", "governance", "economy"]


def test_projects_seeded_per_programme_with_2017_grants(client):
    def all_items(programme):
        return client.get(f"/api/v1/projects?programme={programme}&per_page=100").json

    cot17 = all_items("city-of-things-2017")
    assert cot17["total"] == 21
    assert sum(p["grant_cents"] for p in cot17["items"]) == 345_279_920
    assert all_items("city-of-things-2021")["total"] == 10
    assert all_items("city-of-things-2022")["total"] == 12
    assert all(p["domains_curated"] for p in cot17["items"])


def test_2017_project_of_neerpelt_belongs_to_pelt(client):
    pelt = client.get("/api/v1/municipalities?q=pelt&region=flanders").json["items"]
    pelt_refnis = next(m["refnis"] for m in pelt if m["name_nl"] == "Pelt")
    body = client.get(f"/api/v1/projects?municipality={pelt_refnis}").json
    assert body["total"] >= 1
    part = body["items"][0]["participations"][0]
    assert part["name_nl"] == "Pelt" and part["recorded_as"]["name_nl"] == "Neerpelt"


NEW_PROJECT = {
    "title": "Slimme verlichting op fietspaden",
    "summary": "Test project",
    "programme": "other",
    "year": 2024,
    "grant_cents": 10_000_00,
    "total_budget_cents": 25_000_00,
    "domains": ["mobility"],
    "participations": [{"refnis": "44021", "role": "lead"}, {"refnis": "12025", "role": "partner"}],
}


def test_admin_adds_corrects_and_deletes_a_project(client, admin_headers):
    r = client.post("/api/v1/projects", json=NEW_PROJECT, headers=admin_headers)
    assert r.status_code == 201, r.json
    created = r.json
    assert created["title"] == NEW_PROJECT["title"] and created["domains"] == ["mobility"]
    assert [p["name_nl"] for p in created["participations"]] == ["Gent", "Mechelen"]
    assert r.headers["Location"].endswith(f"/api/v1/projects/{created['id']}")

    r = client.patch(f"/api/v1/projects/{created['id']}", json={"grant_cents": 12_000_00}, headers=admin_headers)
    assert r.status_code == 200 and r.json["grant_cents"] == 12_000_00
    assert client.get(f"/api/v1/projects/{created['id']}").json["grant_cents"] == 12_000_00

    assert client.delete(f"/api/v1/projects/{created['id']}", headers=admin_headers).status_code == 204
    assert client.get(f"/api/v1/projects/{created['id']}").status_code == 404


def test_deleted_seed_project_stays_deleted_after_reseed(app, client, admin_headers, runner):
    item = client.get("/api/v1/projects?programme=city-of-things-2017&per_page=1").json["items"][0]
    assert client.delete(f"/api/v1/projects/{item['id']}", headers=admin_headers).status_code == 204
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/projects?programme=city-of-things-2017").json["total"] == 20


def test_openapi_document_lists_the_endpoints(client):
    spec = client.get("/api/v1/openapi.json").json
    assert spec["openapi"].startswith("3.")
    for path in ["/api/v1/municipalities", "/api/v1/municipalities/{refnis}", "/api/v1/domains",
                 "/api/v1/projects", "/api/v1/projects/{project_id}"]:
        assert path in spec["paths"], path
    assert set(spec["paths"]["/api/v1/projects/{project_id}"]) >= {"get", "patch", "delete"}
    assert "ProjectIn" in spec["components"]["schemas"]
