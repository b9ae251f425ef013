"""The cited evidence (seed_data/projects-evidence.csv -> evidence.json): every row accounted
for, partners with their sources, no project twice, every participation with its evidence level.
Plain file checks, no Flask."""

from __future__ import annotations

import csv
import hashlib
import subprocess
import sys
from collections import Counter
from pathlib import Path

import pytest

from matching.registry import EVIDENCE_LEVELS, ROLES
from matching.seedfiles import load_registry_from_seed_files, project_items

SEED = Path(__file__).resolve().parents[2] / "seed_data"
SHARED = Path("/work/shared/data/projects-evidence.csv")


@pytest.fixture(scope="module")
def items():
    return {item["key"]: item for item in project_items(SEED)}


def _names() -> dict[str, str]:
    with (SEED / "municipalities.csv").open(newline="", encoding="utf-8") as handle:
        return {r["refnis"]: r["name_nl"] for r in csv.DictReader(handle)}


def test_the_evidence_file_is_what_the_script_builds():
    done = subprocess.run([sys.executable, str(SEED / "build_evidence.py"), "--check"],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.skipif(not SHARED.exists(), reason="shared data not on this machine")
def test_the_source_file_is_kept_verbatim():
    assert (SEED / "projects-evidence.csv").read_bytes() == SHARED.read_bytes()


def test_every_row_is_accounted_for_and_every_skip_has_a_reason():
    import json

    data = json.loads((SEED / "evidence.json").read_text(encoding="utf-8"))
    assert data["source_sha256"] == hashlib.sha256(
        (SEED / "projects-evidence.csv").read_bytes()).hexdigest()
    with (SEED / "projects-evidence.csv").open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert len(rows) == 42
    assert [r["row"] for r in data["rows"]] == list(range(2, 44))
    outcomes = Counter(r["outcome"] for r in data["rows"])
    assert outcomes == {"enriches": 10, "creates": 26, "adds a source": 3, "skipped": 3}
    assert all(r["reason"] for r in data["rows"] if r["outcome"] in ("skipped", "enriches"))


def test_the_edegem_2017_project_lists_mortsel_and_twelve_more_partners_with_a_source(items):
    names = _names()
    edegem = items["cot2017-edegem-slim-beheer-openbaar"]
    partners = {names[p["refnis"]]: p for p in edegem["participations"] if p["role"] == "partner"}
    assert len(partners) == 13
    assert "Mortsel" in partners and "Borsbeek" in partners  # Borsbeek: now Antwerpen
    assert partners["Mortsel"]["source_url"].startswith("https://www.hln.be/")
    assert partners["Mortsel"]["evidence"] == "source-classified"  # domain from the title
    urls = {s["url"] for s in edegem["sources"]}
    assert partners["Mortsel"]["source_url"] in urls
    assert any(s["citation"].endswith("seed 004 L2037 (Tabel 19); oproep: 004 L2026-2028; "
                                      "status: 000 L155-156") for s in edegem["sources"])


def test_kampenhout_has_four_partners_and_daks_six_small_cities(items):
    names = _names()
    kampenhout = items["cot2017-kampenhout-gemeentelijk-sensornetwerk-voor"]
    assert sorted(names[p["refnis"]] for p in kampenhout["participations"]
                  if p["role"] == "partner") == ["Dilbeek", "Oudenaarde", "Schoten",
                                                 "Sint-Niklaas"]
    daks = items["cot2022-oostkamp"]
    assert daks["title"] == "DAKS 2.0 (Data in Kleine Steden)"
    assert daks["domains"] == ["economy"] and daks["domain_basis"] == "classified"
    assert len([p for p in daks["participations"] if p["role"] == "partner"]) == 6


def test_a_domain_the_source_states_makes_the_participations_source_stated(items):
    puurs = items["cot2017-puurs-mobiliteitsmanagement-bij-anpr"]
    assert puurs["domain_basis"] == "stated"
    assert {p["evidence"] for p in puurs["participations"]} == {"source-stated"}


def test_rows_about_one_project_become_one_project_with_several_sources(items):
    titles = Counter(item["title"] for item in items.values()
                     if not item["title"].startswith("City of Things 2022-project van "))
    assert max(titles.values()) == 1  # (Mechelen and Antwerpen have two untitled 2022 projects)
    assert len(items) == 43 + 26
    vloed = items["ev-vloed-voorspellingen-lokale-ondernemers-en-economie"]
    assert len(vloed["sources"]) == 2
    assert [p["role"] for p in vloed["participations"]] == ["lead", "partner"]


def test_every_participation_has_role_and_evidence_and_every_project_a_source(items):
    for item in items.values():
        assert item["sources"], item["key"]
        for source in item["sources"]:
            assert source["url"] or source["citation"], item["key"]
        for p in item["participations"]:
            assert p["role"] in ROLES
            assert p["evidence"] in EVIDENCE_LEVELS[1:3]  # sources: stated or classified
        if item["domain_basis"] == "classified":
            assert item["domain_reason"], item["key"]


def test_a_lead_the_source_does_not_state_stays_a_partner(items):
    glass = items["ev-sensoren-in-ondergrondse-glascontainers"]
    assert {p["role"] for p in glass["participations"]} == {"partner"}


def test_the_registry_loads_with_the_evidence():
    registry = load_registry_from_seed_files(SEED)
    assert len(registry.projects) == 69
    assert {p.evidence for p in registry.participations} <= set(EVIDENCE_LEVELS)
    # Borsbeek's participation is handed over to Antwerpen (11002)
    edegem = next(p for p in registry.projects if p.title == "Slim beheer openbaar domein")
    members = {p.refnis for p in registry.participations if p.project_id == edegem.id}
    assert "11002" in members and "11029" in members and len(members) == 14
