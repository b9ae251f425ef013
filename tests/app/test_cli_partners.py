"""``flask suggest-partners``: a readable ranked table with Dutch reasons; bad input is one line."""

from __future__ import annotations

import pytest


def test_lighthouse_table_for_lubbeek_in_governance(runner, client):
    r = runner.invoke(args=["suggest-partners", "24066", "governance", "--looking-for", "lighthouse",
                            "--limit", "3"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert lines[0].startswith("lighthouse for Lubbeek (24066) in governance (bestuur), geographic")
    assert lines[1].split()[:4] == ["#", "municipality", "score", "km"]
    rows = lines[2:5]
    assert lines[5].startswith("coverage: ") and " qualified, 3 of 3 shown" in lines[5]
    assert rows[0].split()[:3] == ["1", "Leuven", "(24062)"]
    assert "Leuven leidde 1 project in bestuur sinds 2017; 10 km" in rows[0]
    # The table shows what the API answers, in the same order and with the same scores.
    api = client.get("/api/v1/partner-suggestions?municipality=24066&domain=governance"
                     "&looking_for=lighthouse&limit=3").json["items"]
    for row, item in zip(rows, api, strict=True):
        assert f"({item['municipality']['refnis']})" in row
        assert f"{item['score']:.3f}" in row
        assert item["reasons"]["nl"] in row


def test_similar_mode_distance_limit_and_a_name_instead_of_a_code(runner):
    r = runner.invoke(args=["suggest-partners", "Lubbeek", "mobility", "--looking-for", "peers",
                            "--mode", "similar", "--max-distance-km", "30", "--limit", "5"])
    assert r.exit_code == 0, r.output
    lines = r.output.splitlines()
    assert "similar, within 30 km" in lines[0]
    rows = lines[2:7]
    assert lines[7].startswith("coverage: ")
    assert all("kleine landelijke gemeente" in row for row in rows)
    assert all(int(row.split(")")[1].split()[1]) <= 30 for row in rows)  # the km column


def test_merged_refnis_prints_a_note_and_answers_for_the_successor(runner):
    r = runner.invoke(args=["suggest-partners", "72025", "environment", "--looking-for", "followers",
                            "--limit", "2"])
    assert r.exit_code == 0, r.output
    assert r.output.splitlines()[0] == "note: Neerpelt (72025) merged into Pelt (72043)"
    assert "followers for Pelt (72043)" in r.output


def test_no_candidates_says_why(runner):
    r = runner.invoke(args=["suggest-partners", "24066", "environment", "--looking-for", "followers"])
    assert r.exit_code == 0
    assert "no municipality (within that distance) has less experience" in r.output
    assert "coverage note: 0 of the 10 suggestions asked: only 0 municipalities qualify" in r.output


@pytest.mark.parametrize("args, message", [
    (["99999", "mobility", "--looking-for", "lighthouse"], "unknown municipality '99999'"),
    (["24066", "mobility"], "--looking-for is required: lighthouse, followers, peers"),
    (["Atlantis", "mobility", "--looking-for", "lighthouse"], "unknown municipality 'Atlantis'"),
    (["24066", "space", "--looking-for", "lighthouse"],
     "domain: unknown value 'space'; valid values: mobility, environment, living, people, governance, economy"),
    (["24066", "mobility", "--looking-for", "boss"],
     "--looking-for: unknown value 'boss'; valid values: lighthouse, followers, peers"),
    (["24066", "mobility", "--looking-for", "peers", "--mode", "random"],
     "--mode: unknown value 'random'; valid values: geographic, similar"),
    (["24066", "mobility", "--looking-for", "peers", "--limit", "0"], "--limit: must be an integer from 1 to 100"),
    (["24066", "mobility", "--looking-for", "peers", "--limit", "many"], "--limit: must be an integer"),
    (["24066", "mobility", "--looking-for", "peers", "--max-distance-km", "-5"], "--max-distance-km"),
    (["24066", "mobility", "--looking-for", "peers", "--max-distance-km", "nan"], "--max-distance-km"),
])
def test_bad_input_is_one_line_and_a_non_zero_exit(runner, args, message):
    r = runner.invoke(args=["suggest-partners", *args])
    assert r.exit_code != 0
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1, r.output
    assert message in lines[0]
