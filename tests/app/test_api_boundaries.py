"""GET /api/v1/boundaries: the outlines the maps draw, one valid polygon per municipality."""

from __future__ import annotations

import gzip
import json

import pytest
from shapely.geometry import Point, shape


def _names(client, region: str) -> dict[str, str]:
    names = {}
    for page in range(1, 4):
        for m in client.get(f"/api/v1/municipalities?region={region}&per_page=100&page={page}").json["items"]:
            names[m["refnis"]] = m["name_nl"]
    return names


@pytest.mark.parametrize(("region", "count"), [("flanders", 285), ("brussels", 19)])
def test_one_valid_outline_per_municipality_of_the_region(client, region, count):
    response = client.get(f"/api/v1/boundaries?region={region}")
    assert response.status_code == 200
    assert response.mimetype == "application/geo+json"
    body = json.loads(response.data)
    assert body["type"] == "FeatureCollection"
    features = body["features"]
    assert len(features) == count
    # refnis and name of every feature are the registry's, and every municipality has one
    assert {f["properties"]["refnis"]: f["properties"]["name"] for f in features} == _names(client, region)
    for feature in features:
        geometry = shape(feature["geometry"])
        assert geometry.geom_type in {"Polygon", "MultiPolygon"}
        assert geometry.is_valid and geometry.area > 0, feature["properties"]
        assert feature["properties"]["region"] == region


def test_an_outline_holds_its_municipality(client):
    features = {f["properties"]["refnis"]: f for f in
                json.loads(client.get("/api/v1/boundaries?region=flanders").data)["features"]}
    kampenhout = shape(features["23038"]["geometry"])
    assert features["23038"]["properties"]["name"] == "Kampenhout"
    assert kampenhout.contains(Point(4.5510, 50.9421))  # the registry's point of Kampenhout
    assert not shape(features["44021"]["geometry"]).contains(Point(4.5510, 50.9421))  # Gent


def test_without_a_region_both_regions_come_back(client):
    body = json.loads(client.get("/api/v1/boundaries").data)
    assert len(body["features"]) == 304


def test_a_bad_region_is_a_problem_naming_the_field(client):
    response = client.get("/api/v1/boundaries?region=wallonia")
    assert response.status_code == 400
    assert response.mimetype == "application/problem+json"
    assert [e["field"] for e in response.json["errors"]] == ["region"]
    response = client.get("/api/v1/boundaries?colour=red")
    assert response.status_code == 400 and response.json["errors"][0]["field"] == "colour"


def test_the_answer_is_cacheable_and_compressed_on_request(client):
    plain = client.get("/api/v1/boundaries?region=brussels")
    assert plain.headers["Cache-Control"] == "public, max-age=86400"
    again = client.get("/api/v1/boundaries?region=brussels", headers={"If-None-Match": plain.headers["ETag"]})
    assert again.status_code == 304
    packed = client.get("/api/v1/boundaries?region=brussels", headers={"Accept-Encoding": "gzip, deflate"})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert gzip.decompress(packed.data) == plain.data
    assert packed.headers["ETag"] != plain.headers["ETag"]


def test_the_openapi_document_describes_the_endpoint(client):
    spec = client.get("/api/v1/openapi.json").json
    operation = spec["paths"]["/api/v1/boundaries"]["get"]
    assert operation["parameters"][0]["schema"]["enum"] == ["flanders", "brussels"]
    assert "application/geo+json" in operation["responses"]["200"]["content"]
    bad = spec["components"]["responses"][operation["responses"]["400"]["$ref"].rsplit("/", 1)[1]]
    assert bad["content"]["application/problem+json"]["schema"] == {"$ref": "#/components/schemas/Problem"}
