"""The maps draw the real municipal outlines with Leaflet (no tiles): they zoom, name a
municipality under the pointer, carry a legend and a text alternative, in headless Chromium."""

from __future__ import annotations

from tests.e2e.conftest import assert_map_zooms_and_names, map_ready

LUBBEEK, GENT, KAMPENHOUT = "24066", "44021", "23038"


def test_registry_map_draws_every_municipality_zooms_and_names_them(page):
    page.goto(page.base + "/gemeenten")
    element = map_ready(page, "registry-map")
    assert element.locator("path.vt-area").count() == 304
    legend = element.locator(".vt-legend").inner_text()
    assert "Vlaams-Brabant" in legend and "Brussels Hoofdstedelijk Gewest" in legend
    assert_map_zooms_and_names(page, "registry-map", GENT, "Gent")
    # The text alternative names every municipality with its inhabitants.
    summary = page.locator("#registry-map-text summary")
    summary.click()
    assert "Kampenhout" in page.inner_text("#registry-map-text")
    assert "12.129 inwoners" in page.inner_text("#registry-map-text")


def test_a_filter_lights_up_on_the_registry_map(page):
    page.goto(page.base + "/gemeenten?province=limburg&centrumstad=true")
    element = map_ready(page, "registry-map")
    assert element.locator("path.vt-match").count() == 2  # Genk and Hasselt
    page.locator("#registry-map-text summary").click()
    assert page.locator("#registry-map-text tbody tr").all_inner_texts() == [
        "Genk\tLimburg · 66.447 inwoners", "Hasselt\tLimburg · 87.151 inwoners"]


def test_municipality_page_shows_its_outline_and_clicking_a_partner_opens_it(page):
    page.goto(page.base + f"/gemeenten/{KAMPENHOUT}")
    element = map_ready(page, "municipality-map")
    assert element.locator(f"path.vt-here.vt-refnis-{KAMPENHOUT}").count() == 1
    assert_map_zooms_and_names(page, "municipality-map", KAMPENHOUT, "Kampenhout")
    assert "op 01/01/2020" in page.inner_text("dl.facts")


def test_partner_finder_map_marks_the_suggestions_on_an_experience_choropleth(page):
    page.goto(page.base + f"/partners?municipality={LUBBEEK}&domain=mobility&looking_for=peers"
              "&mode=geographic&limit=5")
    element = map_ready(page, "partner-map")
    assert element.locator(".vt-mark:not(.vt-here-mark)").count() == 5
    assert element.locator(f".vt-here-mark[data-refnis='{LUBBEEK}']").count() == 1
    first = page.locator("#suggestions tbody tr").first.get_attribute("data-refnis")
    assert element.locator(".vt-mark[data-label='1']").get_attribute("data-refnis") == first
    assert "klaar om vuurtoren te zijn" in element.locator(".vt-legend").inner_text()
    # Hasselt has the most mobility experience (two led projects, score 0.79 < 1.0 of
    # lighthouse-ready): it is drawn in the "experienced" class, most others in "none".
    assert element.locator("path.vt-level-2.vt-refnis-71072").count() == 1
    assert element.locator("path.vt-level-0").count() > 250
    assert_map_zooms_and_names(page, "partner-map", LUBBEEK, "Lubbeek")


def test_profile_map_switches_domain(page):
    page.goto(page.base + "/gemeenten/71072/profiel?kaart=mobility")
    map_ready(page, "experience-map-mobility")
    page.click("#experience-map a >> text=Slim bestuur")
    element = map_ready(page, "experience-map-governance")
    assert element.locator("path.vt-area").count() == 304
    assert_map_zooms_and_names(page, "experience-map-governance", "71072", "Hasselt")


def test_the_map_works_offline(page):
    """Nothing is fetched from another host: the outlines, Leaflet and its styles are local."""
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(page.base + "/gemeenten")
    map_ready(page, "registry-map")
    assert hosts == {page.base.split("/")[2]}
