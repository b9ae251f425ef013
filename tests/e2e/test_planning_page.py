"""An admin plans clusters from the web page: errors beside the fields, live progress with the
gap, then the map of Flanders and the cluster tables, in headless Chromium.

The real optimizer solves the plan in the live server's worker thread. To see the progress
for certain (a fast machine may prove the plan optimal before the page polls once), the solve
is held at its first reported plan (or, failing that, at its end) until the browser has shown
the progress.
"""

from __future__ import annotations

import math
import threading

import pytest

from app.planning import jobs
from tests.e2e.conftest import assert_map_zooms_and_names, create_user, login, map_ready


@pytest.fixture
def held_solve(monkeypatch):
    """The real solve, paused at its first plan until ``release`` is set."""
    import app.planning.service as planning

    real = planning.solve_plan
    reached, release = threading.Event(), threading.Event()

    def hold() -> None:
        if not reached.is_set():
            reached.set()
            release.wait(30)

    def solve(params, on_progress, cancel, **_):
        def progress(elapsed_s, best, bound, gap):
            on_progress(elapsed_s, best, bound, gap)
            if best is not None and gap is not None and math.isfinite(gap):
                hold()

        result = real(params, progress, cancel)
        # A solver that reports only from a helper thread, or proves the plan at once, is held
        # at the end instead, with its final figures as the progress.
        if result["objective"] is not None:
            on_progress(result["seconds"], result["objective"], result["lower_bound"],
                        result["gap"])
        hold()
        return result

    monkeypatch.setattr(planning, "solve_plan", solve)
    monkeypatch.setattr(jobs, "HEARTBEAT_S", 0.3)
    yield reached, release
    release.set()


def test_admin_starts_a_plan_follows_its_progress_and_reads_the_map(page, live_app, held_solve):
    reached, release = held_solve
    email, password = create_user(live_app, "sro@vlaanderen.be", "admin")
    login(page, email, password)
    page.click("nav >> text=Planning")
    page.wait_for_url("**/planning")
    assert page.inner_text("h1") == "Clusterplanning"

    # A negative capacity and an unknown name come back beside their fields.
    page.check("input[name=domains][value=mobility]")
    page.fill("input[name=lighthouses]", "25")
    page.fill("input[name=max_followers]", "-3")
    page.fill("textarea[name=excluded]", "Atlantis")
    page.click("#plan-form button[type=submit]")
    assert "nooit negatief" in page.inner_text(".field.has-error [data-field=max_followers]")
    assert "onbekende gemeente: Atlantis" in page.inner_text("[data-field=excluded]")
    assert page.locator("input[name=domains][value=mobility]").is_checked()

    # All Flemish municipalities, 25 lighthouses in mobility, followers within 20 km.
    page.fill("input[name=max_followers]", "20")
    page.fill("textarea[name=excluded]", "")
    page.fill("input[name=max_distance_km]", "20")
    page.select_option("select[name=min_maturity]", "none")
    page.fill("input[name=time_limit_s]", "120")
    page.fill("input[name=name]", "Mobiliteit, 25 vuurtorens")
    # Plans start from the municipalities that declared an interest, and nobody has yet.
    assert page.locator("input[name=participants_from][value=declared]").is_checked()
    page.click("#plan-form button[type=submit]")
    assert "gaven interesse aan" in page.inner_text("[data-field=participants_from]")
    # "All municipalities" is an explicit choice, with its warning on the page.
    assert "alle Vlaamse gemeenten" in page.inner_text("#all-warning")
    page.check("input[name=participants_from][value=all]")
    page.click("#plan-form button[type=submit]")
    page.wait_for_url("**/planning/*")
    assert "Plan" in page.inner_text(".flash.success")
    # ... and the plan page repeats what that choice means.
    assert "ook wie geen interesse aangaf" in page.inner_text("#plan-warning-participants_from")

    # Live progress: the page polls the plan and shows the first plan's gap while it runs.
    assert reached.wait(60), "the solver found no plan"
    page.wait_for_function("() => (document.getElementById('progress-gap') || {textContent: ''})"
                           ".textContent.includes('%')", timeout=20000)
    assert page.inner_text("#plan-status") == "bezig"
    assert float(page.get_attribute("#plan-progress", "value") or 0) > 0
    assert page.inner_text("#progress-best") != "—"
    release.set()

    # When the plan ends the page reloads with the result on the map and in the tables.
    page.wait_for_selector("#result", timeout=90000)
    assert page.inner_text("#plan-status") == "klaar"
    assert page.inner_text("#result-status") in (
        "optimaal (bewezen)", "tijdslimiet bereikt (beste plan tot dan, niet bewezen optimaal)")
    assert "onhaalbaar" not in page.inner_text("#result")
    cluster_map = map_ready(page, "map-mobility")
    assert cluster_map.locator(".vt-mark.vt-lighthouse").count() == 25
    assert page.locator("#domain-mobility table.cluster").count() == 25
    coloured = cluster_map.locator("path.vt-area[class*='cluster-']").count()
    assert coloured == 285  # every Flemish municipality is in a cluster
    first = page.locator("#domain-mobility table.cluster").first
    head = first.get_attribute("data-lighthouse")
    colour = cluster_map.locator(f".vt-lighthouse[data-refnis='{head}']").get_attribute("class")
    cluster = next(c for c in colour.split() if c.startswith("cluster-"))
    follower = first.locator("tbody tr").first.get_attribute("data-refnis")
    assert cluster in cluster_map.locator(f"path.vt-refnis-{follower}").get_attribute("class")
    assert cluster in cluster_map.locator(f"path.vt-refnis-{head}").get_attribute("class")
    # Pan and zoom, a tooltip naming the lighthouse's municipality, a legend naming it.
    head_name = first.locator("caption strong").inner_text()
    assert head_name in cluster_map.locator(".vt-legend").inner_text()
    assert_map_zooms_and_names(page, "map-mobility", follower,
                               first.locator("tbody tr td").first.inner_text())
    # The coverage map of the domain, with the municipalities left out as text.
    coverage_map = map_ready(page, "coverage-map-mobility")
    assert coverage_map.locator("path.vt-covered, path.vt-covered-small").count() == 285
    assert page.locator("#coverage table.coverage[data-domain=mobility] tbody tr").count() == 5
    assert page.get_attribute("#export-csv", "href").endswith(".csv")
    assert page.locator("#cancel").count() == 0


def test_the_plan_page_offers_far_followers_co_learning_before_the_result(page, live_app):
    """A mobility plan of the Leuven area with Kortrijk (about 90 km) pinned as its only
    lighthouse: before the result, the page says how many followers are far and offers those
    that start in mobility co-learning clusters of neighbours, each name a link."""
    from app.planning.schemas import ClusterPlanInSchema
    from app.planning.service import new_plan
    from tests.app.test_api_plans import LEUVEN_AREA

    with live_app.app_context():
        plan = new_plan(ClusterPlanInSchema().load({
            "domains": ["mobility"], "lighthouses": 1, "participants": LEUVEN_AREA + ["34022"],
            "pinned_lighthouses": {"mobility": ["34022"]}, "min_maturity": "none",
            "time_limit_s": 10}), None)
        plan_id = plan.id
        jobs.run_plan(plan_id)
    email, password = create_user(live_app, "sro@vlaanderen.be", "admin")
    login(page, email, password)
    page.goto(f"{page.base}/planning/{plan_id}")
    offers = page.locator("#co-learning-offers .co-learning[data-domain=mobility]")
    assert offers.get_attribute("data-far") == "20"
    assert "20 volgers liggen verder dan 30 km" in offers.inner_text()
    assert offers.locator("ol.co-learning-groups > li").count() >= 1
    assert offers.locator("a[data-refnis]").count() >= 2
    box = page.locator("#co-learning-offers").bounding_box()
    assert box["y"] < page.locator("#result").bounding_box()["y"]
