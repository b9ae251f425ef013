"""``flask plan-clusters``: a plan solved in the foreground, stored, summarised; bad input is
one line. (``flask worker`` is tested with the jobs in test_jobs.py.)"""

from __future__ import annotations

import pytest

from tests.app.test_api_plans import LEUVEN_AREA

AREA = ",".join(LEUVEN_AREA)


def test_the_issue_example_plans_mobility_for_flanders(runner, client):
    r = runner.invoke(args=["plan-clusters", "--domain", "mobility", "--lighthouses", "8",
                            "--max-followers", "40", "--time-limit", "60",
                            "--participants-from", "all"])
    assert r.exit_code == 0, r.output
    # all municipalities is an explicit choice, and the plan says what it means
    assert "warning: planned over all Flemish municipalities" in r.stderr
    lines = r.stdout.splitlines()
    plan_id = int(lines[0].split()[1].rstrip(":"))
    assert lines[0] == f"plan {plan_id}: done"
    plan = client.get(f"/api/v1/cluster-plans/{plan_id}").json
    assert plan["backend"] == "cli" and plan["params"]["min_maturity"] == "starter"
    result = plan["result"]
    assert lines[1].startswith(f"{result['status']}: objective {result['objective']:.2f}")
    assert lines[2].split() == ["domain", "lighthouse", "followers", "max", "km"]
    rows = lines[3:]
    assert len(rows) == 8 == len(result["clusters"])
    for row, cluster in zip(rows, result["clusters"], strict=True):
        assert row.startswith("mobility")
        assert f"({cluster['lighthouse']['refnis']})" in row
        assert int(row.split()[-2]) == len(cluster["followers"]) <= 40
    assert sum(len(c["followers"]) + 1 for c in result["clusters"]) == 285


def test_a_small_plan_over_given_participants_with_a_pin(runner, client):
    r = runner.invoke(args=["plan-clusters", "--domain", "mobility", "--domain", "economy",
                            "--lighthouses", "2", "--max-followers", "12",
                            "--participants", AREA, "--exclude", "24066",
                            "--pin", "economy:24062", "--min-maturity", "none",
                            "--name", "Leuven"])
    assert r.exit_code == 0, r.output
    plan_id = int(r.stdout.split()[1].rstrip(":"))
    plan = client.get(f"/api/v1/cluster-plans/{plan_id}").json
    assert plan["name"] == "Leuven" and plan["params"]["excluded"] == ["24066"]
    heads = {(c["domain"], c["lighthouse"]["refnis"]) for c in plan["result"]["clusters"]}
    assert ("economy", "24062") in heads and len(heads) == 4
    assert "24066" not in r.stdout


def test_without_participants_the_cli_plans_the_declared_municipalities(runner, client):
    """Like the page and the API, the CLI starts from the cities that declared an interest;
    nobody has on the seeded registry, so it says so instead of planning everyone."""
    r = runner.invoke(args=["plan-clusters", "--domain", "mobility", "--lighthouses", "2"])
    assert r.exit_code != 0
    assert ("--participants-from: only 0 municipalities declared an interest in mobility"
            in r.output.strip().splitlines()[-1])
    assert client.get("/api/v1/cluster-plans").json["items"] == []


def test_an_infeasible_plan_prints_its_reason(runner):
    r = runner.invoke(args=["plan-clusters", "--domain", "mobility", "--lighthouses", "2",
                            "--max-followers", "3", "--participants", AREA,
                            "--min-maturity", "none"])
    assert r.exit_code == 0, r.output
    assert "infeasible: total capacity 6 < 18 followers in mobility" in r.stdout


@pytest.mark.parametrize("args, message", [
    (["--domain", "space"], "--domain: unknown domain 'space'"),
    (["--domain", "mobility", "--lighthouses", "21", "--participants", AREA,
      "--min-maturity", "none"], "--lighthouses: 21 lighthouses asked in mobility but only 20"),
    (["--domain", "mobility", "--max-followers", "-1"], "--max-followers: must be an integer"),
    (["--domain", "mobility", "--participants", "24062,99999"],
     "--participants: unknown municipality 99999"),
    (["--domain", "mobility", "--pin", "24062"], "--pin: give DOMAIN:REFNIS"),
    (["--domain", "mobility", "--pin", "economy:24062"],
     "--pin: economy: economy is not one of the planned domains"),
    (["--domain", "mobility", "--min-maturity", "guru"], "--min-maturity: unknown maturity"),
    (["--domain", "mobility", "--time-limit", "0"], "--time-limit: must be from 1 to 3600"),
])
def test_bad_input_is_one_line_and_stores_nothing(runner, client, args, message):
    r = runner.invoke(args=["plan-clusters", *args])
    assert r.exit_code == 1
    lines = [line for line in r.output.splitlines() if line.strip()]
    assert len(lines) == 1 and message in lines[0], r.output
    assert client.get("/api/v1/cluster-plans").json["items"] == []
