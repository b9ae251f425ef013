"""A city looks for cluster partners and reads experience profiles, in headless Chromium."""

from __future__ import annotations

from tests.e2e.conftest import create_user, login, map_ready

LUBBEEK, HASSELT, LEUVEN = "24066", "71072", "24062"


def search(page, municipality: str, domain: str, looking_for: str, mode: str) -> None:
    page.fill("input[name=municipality]", municipality)
    page.select_option("select[name=domain]", domain)
    page.check(f"input[name=looking_for][value={looking_for}]")
    page.check(f"input[name=mode][value={mode}]")
    page.click("#partner-form button[type=submit]")
    page.wait_for_load_state()


def ranked(page) -> list[str]:
    return page.locator("#suggestions tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.refnis)")


def test_city_finds_a_lighthouse_then_similar_peers_and_opens_a_profile(page, live_app):
    email, password = create_user(live_app, "ict@lubbeek.be", "city")
    login(page, email, password)
    page.goto(page.base + "/")
    page.click("#home-partners")
    assert page.inner_text("h1") == "Partners zoeken"

    search(page, "Lubbeek", "mobility", "lighthouse", "geographic")
    assert "Een vuurtoren om te volgen voor Lubbeek" in page.inner_text("#results h2")
    rows = ranked(page)
    assert rows[:2] == [LEUVEN, HASSELT]  # 4 municipalities have more mobility experience
    first = page.locator("#suggestions tbody tr").first
    assert "Leuven leidde 1 project in mobiliteit sinds 2017; 10 km" in first.locator(".reason").inner_text()
    # How thin the evidence is shows before the result, not in a footnote.
    coverage = page.locator("#coverage")
    assert "4 van de 10 gevraagde suggesties: slechts 4 gemeenten komen in aanmerking" in \
        coverage.inner_text()
    assert page.evaluate("document.querySelector('#coverage').compareDocumentPosition("
                         "document.querySelector('#suggestions')) & Node.DOCUMENT_POSITION_FOLLOWING")
    assert first.locator("svg.factor-bar rect[data-factor=distance_km]").count() == 1
    # The map: Lubbeek highlighted, every candidate marked with its rank.
    map_ready(page, "partner-map")
    assert page.locator(f"#partner-map .vt-here-mark[data-refnis='{LUBBEEK}']").count() == 1
    marks = page.locator("#partner-map .vt-mark:not(.vt-here-mark)")
    assert marks.count() == len(rows)
    assert page.locator("#partner-map .vt-mark[data-label='1']").get_attribute("data-refnis") == rows[0]

    # Peers, nearest first, then switch to similar: type and size instead of neighbours.
    search(page, "Lubbeek", "mobility", "peers", "geographic")
    geographic = ranked(page)
    map_ready(page, "partner-map")
    assert len(geographic) == 10 and page.locator("#partner-map .vt-mark:not(.vt-here-mark)").count() == 10
    assert "Tielt-Winge" in page.inner_text("#suggestions")
    page.click("#switch-mode")
    page.wait_for_url("**mode=similar**")
    assert page.locator("input[name=mode][value=similar]").is_checked()
    similar = ranked(page)
    assert len(similar) == 10 and len(set(similar) & set(geographic)) <= 2
    reasons = page.locator("#suggestions .reason").all_inner_texts()
    assert all("kleine landelijke gemeente" in r for r in reasons), reasons

    # Open the profile of the second lighthouse of the first search and read its chart.
    search(page, "Lubbeek", "mobility", "lighthouse", "geographic")
    page.click("#suggestions tbody tr >> nth=1 >> a")
    page.wait_for_url(f"**/gemeenten/{HASSELT}/profiel")
    assert page.inner_text("h1") == "Ervaring van Hasselt"
    chart = page.locator("svg#experience-chart")
    assert chart.locator("g.domain-row").count() == 6
    mobility = chart.locator("g.domain-row[data-domain=mobility]")
    assert mobility.get_attribute("data-maturity") == "experienced"
    assert mobility.locator("rect.bar.maturity-experienced").count() == 1
    # which evidence the number stands on: two titles classified as mobility
    assert "2 × domein afgeleid uit de titel" in page.inner_text("#domain-mobility .evidence-split")
    assert page.locator("#domain-mobility td.evidence[data-evidence=source-classified]").count() == 2
    assert chart.locator("g.domain-row[data-domain=environment] rect.bar").count() == 0
    assert page.locator("#domain-mobility table.components tbody tr").count() == 2
    assert "Mobiliteitskrediet voor burgers" in page.inner_text("#domain-mobility")


def test_bad_input_shows_beside_the_field_and_english_reasons(page):
    page.goto(page.base + "/partners")
    search(page, "Atlantis", "governance", "lighthouse", "geographic")
    assert "Atlantis" in page.inner_text("[data-field=municipality]")
    assert page.locator("#suggestions").count() == 0
    page.fill("input[name=limit]", "500")
    search(page, "Lubbeek", "governance", "lighthouse", "geographic")
    assert page.inner_text("[data-field=limit]")
    page.fill("input[name=limit]", "5")
    search(page, "lubbeek", "governance", "lighthouse", "geographic")
    assert ranked(page)[0] == "24062"  # Leuven, next door
    page.click("header .lang a")
    assert page.locator("#suggestions .reason").first.inner_text().startswith(
        "Leuven led 1 project in governance since 2017")


def test_municipality_page_links_to_its_profile(page):
    page.goto(page.base + "/gemeenten/24062")
    page.click("#profile-link")
    page.wait_for_url("**/gemeenten/24062/profiel")
    assert page.locator("svg#experience-chart g.domain-row[data-domain=mobility]").get_attribute(
        "data-maturity") == "experienced"  # MoDi (stated by hln.be) and the parking pilot
    page.goto(page.base + "/gemeenten/72025/profiel")  # Neerpelt: merged into Pelt
    assert page.inner_text("h1") == "Ervaring van Pelt"
    assert "Neerpelt" in page.inner_text(".flash")


def test_finder_and_profile_show_the_same_experience_score(page):
    """One quantity, one figure: a candidate's 'Ervaring' on the finder is its score on the profile;
    the factor is named as the difference it is."""
    page.goto(page.base + "/partners")
    search(page, "Lubbeek", "mobility", "lighthouse", "geographic")
    row = page.locator(f"#suggestions tbody tr[data-refnis='{HASSELT}']")
    shown = row.locator("td.experience").inner_text().strip()
    assert "ervaringsverschil" in row.locator("li[data-factor=experience_gap]").inner_text()
    assert "dezelfde als op haar profiel" in page.inner_text("#experience-note")
    page.goto(page.base + f"/gemeenten/{HASSELT}/profiel")
    value = page.locator("svg#experience-chart g.domain-row[data-domain=mobility] text.value")
    assert value.text_content().startswith(shown + " ·"), (shown, value.text_content())


def _number(text: str) -> float:
    return float(text.strip().lstrip("=×· ").replace("−", "-").replace(",", "."))


def test_scores_show_their_scale_and_the_profile_arithmetic_adds_up(page):
    """A partner score says its maximum; the profile's breakdown adds signed points to the score,
    and its table multiplies factors to each contribution (the two read consistently)."""
    page.goto(page.base + "/partners")
    search(page, "Lubbeek", "mobility", "lighthouse", "geographic")
    score = page.locator("#suggestions tbody tr td.score").first.inner_text()
    assert score.endswith(" van max 1,00"), score
    page.goto(page.base + f"/gemeenten/{HASSELT}/profiel")
    split = page.inner_text("#domain-mobility .factor-split")
    assert split.startswith("In punten:"), split
    terms, total = split.split("=")
    parts = [_number(t.split()[-1]) for t in terms.split("·")]
    assert abs(sum(parts) - _number(total)) < 0.003, (parts, total)
    assert "vermenigvuldigt" in page.inner_text("#domain-mobility .factor-note")
    for row in page.locator("#domain-mobility table.components tbody tr").all():
        cells = row.locator("td").all_inner_texts()
        role, evidence, recency, scale, adoption, contribution = (
            _number(cells[3]), _number(cells[4].split("×")[-1]), _number(cells[5]),
            _number(cells[7]), _number(cells[8]), _number(cells[9]))
        assert cells[7].startswith("×") and cells[9].startswith("=")
        assert abs(role * evidence * recency * scale * adoption - contribution) < 0.01, cells
