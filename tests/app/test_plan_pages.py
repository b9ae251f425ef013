"""The planning pages in every state of a plan (server-rendered; the browser test runs a real
plan end to end)."""

from __future__ import annotations

import json
import re

import pytest

from app.core.extensions import db
from app.models import ClusterPlan, User
from app.models.registry import utcnow

PARAMS = {"domains": ["mobility"], "lighthouses": 2, "max_followers": 3, "min_followers": 0,
          "participants": ["24062", "24038", "24009", "24086", "24043"], "excluded": [],
          "pinned_lighthouses": {}, "min_maturity": "none", "one_domain_per_lighthouse": True,
          "time_limit_s": 10}
RESULT = {"status": "optimal", "reason": None, "objective": 9.5, "lower_bound": 9.5, "gap": 0.0,
          "seconds": 0.2, "costs": {}, "clusters": [
              {"domain": "mobility", "lighthouse": {"refnis": "24062", "name": "Leuven"},
               "cost": 4.5, "followers": [{"refnis": "24038", "name": "Herent",
                                           "distance_km": 4.5, "cost": 4.5}]},
              {"domain": "mobility", "lighthouse": {"refnis": "24009", "name": "Bertem"},
               "cost": 5.0, "followers": [{"refnis": "24086", "name": "Oud-Heverlee",
                                           "distance_km": 2.5, "cost": 2.5},
                                          {"refnis": "24043", "name": "Holsbeek",
                                           "distance_km": 2.5, "cost": 2.5}]}]}


def _login(app, client, role: str = "admin") -> None:
    with app.app_context():
        user = User(email=f"{role}@example.org", role=role)
        user.set_password("correct horse battery")
        db.session.add(user)
        db.session.commit()
    resp = client.post("/login", data={"email": f"{role}@example.org",
                                       "password": "correct horse battery"})
    assert resp.status_code == 302


def _plan(app, **values) -> int:
    with app.app_context():
        plan = ClusterPlan(params=PARAMS, **values)
        db.session.add(plan)
        db.session.commit()
        return plan.id


def test_a_queued_plan_shows_an_empty_progress_bar_and_a_cancel_button(app, client):
    _login(app, client)
    plan_id = _plan(app, status="queued", backend="rq")
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert 'id="plan-progress"' in page and 'data-active="true"' in page
    assert 'id="progress-gap">—<' in page
    assert 'id="cancel"' in page and 'id="result"' not in page


def test_a_running_plan_shows_its_progress_in_dutch(app, client):
    _login(app, client)
    plan_id = _plan(app, status="running", backend="rq", heartbeat_at=utcnow(),
                    progress={"elapsed_s": 3.25, "best_objective": 1234.5, "bound": 1200.0,
                              "gap": 0.02794})
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert 'id="progress-elapsed">3,2<' in page or 'id="progress-elapsed">3,3<' in page
    assert 'id="progress-best">1.234,5<' in page
    assert 'id="progress-gap">2,79 %<' in page


def test_cancel_button_cancels_a_queued_plan(app, client):
    _login(app, client)
    plan_id = _plan(app, status="queued", backend="rq")
    resp = client.post(f"/planning/{plan_id}/annuleren")
    assert resp.status_code == 302
    with app.app_context():
        assert db.session.get(ClusterPlan, plan_id).status == "cancelled"


def test_a_done_plan_shows_map_tables_coverage_exports_and_compare(app, client):
    _login(app, client)
    first = _plan(app, status="done", result=RESULT, finished_at=utcnow())
    moved = dict(RESULT, objective=11.0, clusters=[
        RESULT["clusters"][0],
        {"domain": "mobility", "lighthouse": {"refnis": "24086", "name": "Oud-Heverlee"},
         "cost": 6.5, "followers": [{"refnis": "24009", "name": "Bertem", "distance_km": 2.5,
                                     "cost": 2.5},
                                    {"refnis": "24043", "name": "Holsbeek", "distance_km": 4.0,
                                     "cost": 4.0}]}])
    second = _plan(app, status="done", result=moved, finished_at=utcnow())
    page = client.get(f"/planning/{first}?compare={second}").get_data(as_text=True)
    assert 'id="plan-progress"' not in page  # a finished plan shows its result instead
    spec = json.loads(re.search(r'<script type="application/json" id="map-mobility-spec">(.*?)</script>',
                                page, re.S).group(1))
    lighthouses = [m["refnis"] for m in spec["marks"] if "vt-lighthouse" in m["c"]]
    assert len(lighthouses) == 2  # lighthouses marked on the map, each in its cluster's colour
    assert all(spec["areas"][r]["c"] in m["c"] for r, m in zip(lighthouses, spec["marks"], strict=True))
    assert spec["areas"]["24009"]["c"] == "cluster-1" and len(spec["links"]) == 3
    assert 'id="coverage-map-mobility"' in page
    assert page.count('<table class="data small cluster"') == 2
    assert 'data-lighthouse="24009"' in page and "Oud-Heverlee" in page
    assert f"/api/v1/cluster-plans/{first}.csv" in page
    assert f"/api/v1/cluster-plans/{first}.geojson" in page
    assert 'class="data coverage" data-domain="mobility"' in page
    assert 'id="comparison"' in page
    assert "3 gemeenten kregen een andere vuurtoren." in page  # all of the Bertem cluster


def test_an_infeasible_plan_says_why_and_shows_no_coverage(app, client):
    _login(app, client)
    result = {"status": "infeasible", "reason": "total capacity 6 < 18 followers in mobility",
              "objective": None, "lower_bound": None, "gap": None, "seconds": 0.0,
              "clusters": [], "costs": {}}
    plan_id = _plan(app, status="done", result=result, finished_at=utcnow())
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert "total capacity 6 &lt; 18 followers in mobility" in page
    assert 'id="coverage"' not in page and 'id="compare"' not in page


def test_an_infeasible_plan_gives_its_reason_in_dutch_and_in_english(app, client):
    _login(app, client)
    result = {"status": "infeasible", "reason": "total capacity 6 < 18 followers in mobility",
              "reason_nl": "totale capaciteit 6 < 18 volgers in Slimme mobiliteit",
              "objective": None, "lower_bound": None, "gap": None, "seconds": 0.0,
              "clusters": [], "costs": {}}
    plan_id = _plan(app, status="done", result=result, finished_at=utcnow())
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert "totale capaciteit 6 &lt; 18 volgers in Slimme mobiliteit" in page
    assert "onhaalbaar (bewezen)" in page
    page = client.get(f"/planning/{plan_id}?lang=en").get_data(as_text=True)
    assert "total capacity 6 &lt; 18 followers in mobility" in page


def test_a_plan_stopped_by_its_time_limit_is_never_shown_as_infeasible(app, client):
    _login(app, client)
    stopped = dict(RESULT, status="time_limit", objective=12.0, lower_bound=9.0, gap=0.25)
    plan_id = _plan(app, status="done", result=stopped, finished_at=utcnow())
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert "tijdslimiet bereikt (beste plan tot dan, niet bewezen optimaal)" in page
    assert 'id="time-limit-note"' in page and "hoogstens 25 % duurder" in page
    assert "onhaalbaar" not in page and 'id="infeasible-reason"' not in page
    assert 'id="coverage"' in page  # the plan found is shown
    nothing = {"status": "time_limit", "objective": None, "lower_bound": None, "gap": None,
               "seconds": 1.0, "clusters": [], "costs": {},
               "reason": "no plan found within the time limit of 1 s (not proven infeasible; "
                         "allow more time)",
               "reason_nl": "geen plan gevonden binnen de tijdslimiet van 1 s (niet bewezen "
                            "onhaalbaar; geef meer tijd)"}
    plan_id = _plan(app, status="done", result=nothing, finished_at=utcnow())
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert 'id="no-plan-reason"' in page and "niet bewezen onhaalbaar" in page
    assert 'id="infeasible-reason"' not in page and "onhaalbaar (bewezen)" not in page


def test_a_failed_plan_shows_its_error(app, client):
    _login(app, client)
    plan_id = _plan(app, status="failed", error="RuntimeError: boom", finished_at=utcnow())
    page = client.get(f"/planning/{plan_id}").get_data(as_text=True)
    assert 'id="plan-error"' in page and "RuntimeError: boom" in page


@pytest.mark.parametrize("role", ["city", "juror"])
def test_planning_is_for_admins_only(app, client, role):
    _login(app, client, role)
    assert client.get("/planning").status_code == 403
    assert b">Planning<" not in client.get("/").data


def test_anonymous_users_are_sent_to_the_login(client):
    assert client.get("/planning").status_code == 302
    assert client.get("/planning/1").status_code == 302


def test_unknown_plan_page_is_404(app, client):
    _login(app, client)
    assert client.get("/planning/999999").status_code == 404
    assert client.get("/planning/4294967296").status_code == 404


def test_the_optimizers_refusal_reaches_the_form_in_dutch(app, client):
    _login(app, client)
    resp = client.post("/planning", data={
        "domains": ["mobility"], "lighthouses": "21", "min_followers": "0",
        "min_maturity": "none", "one_domain_per_lighthouse": "y", "time_limit_s": "10",
        "participants": "24062\n24038\n24009\n24086\n24043"})
    page = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "21 vuurtorens gevraagd in Slimme mobiliteit, maar er zijn maar 5 kandidaten" in page
    assert "lighthouses asked" not in page
