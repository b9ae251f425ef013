"""`flask --app app seed --demo`: a marked demo call with a dozen fictitious applications, once."""

from __future__ import annotations


def test_seed_demo_adds_a_marked_call_once(app, runner, client, admin_headers):
    first = runner.invoke(args=["seed", "--demo"])
    assert first.exit_code == 0, first.output
    assert "12 applications added" in first.output
    again = runner.invoke(args=["seed", "--demo"])
    assert again.exit_code == 0 and "0 applications added, 12 already there" in again.output

    calls = client.get("/api/v1/calls").json["items"]
    assert len(calls) == 1
    call = calls[0]
    assert call["is_demo"] is True and call["name"].startswith("DEMO —")
    assert call["preset"] == "city-of-things-2022" and call["max_grant_cents"] == 100_000_000

    items = client.get(f"/api/v1/calls/{call['id']}/applications", headers=admin_headers).json["items"]
    assert len(items) == 12
    assert all(a["title"].startswith("Demo:") and a["origin"] == "demo" for a in items)
    # Something to try for every outcome: eligible, ineligible with its reason, flagged, a draft.
    failed = {r["code"] for a in items for r in a["eligibility"]["rules"] if r["status"] == "failed"}
    assert {"partnership_minimum", "max_grant"} <= failed
    assert any(a["eligibility"]["eligible"] for a in items)
    assert any(a["eligibility"]["flagged"] for a in items)
    assert {a["status"] for a in items} == {"draft", "submitted"}
    assert any(a["committed_followers"] for a in items) and any(a["prior_projects"] for a in items)


def test_plain_seed_adds_no_demo(runner, client):
    result = runner.invoke(args=["seed"])
    assert result.exit_code == 0
    assert client.get("/api/v1/calls").json["items"] == []


def test_advisor_suggests_neighbours_for_every_demo_application(app, runner, client, admin_headers):
    """Issue 12: by default the advisor proposes only municipalities within 30 km of a consortium
    member (on main it proposed Antwerpen, 91 km away, to a Kortrijk school-streets project)."""
    assert runner.invoke(args=["seed", "--demo"]).exit_code == 0
    call = client.get("/api/v1/calls").json["items"][0]
    assert call["follower_distance_km"] == 30
    items = client.get(f"/api/v1/calls/{call['id']}/applications?evaluate=false",
                       headers=admin_headers).json["items"]
    suggested = 0
    for a in items:
        advice = client.get(f"/api/v1/applications/{a['id']}/consortium-advice",
                            headers=admin_headers).json
        assert advice["max_distance_km"] == 30
        for s in advice["suggestions"]:
            assert s["distance_km"] <= 30, (a["title"], s)
            assert s["gain"] > 0 and any(g > 0 for g in s["component_gains"].values())
            suggested += 1
    assert suggested >= len(items)  # neighbours to propose for (nearly) every application
