"""WCAG 2.1 AA in the browser: axe-core (axe-playwright-python) checks the main page states of an
anonymous visitor, the secretariat, a juror and a city user against the wcag2a, wcag2aa, wcag21a
and wcag21aa rules and fails on any violation; and at 320 CSS px (WCAG 1.4.10 reflow, 1280 px at
400 % zoom) no page scrolls sideways: a wide table scrolls in its own region instead.
"""

from __future__ import annotations

import pytest

from tests.app.jury_setup import PASSWORD, add_jurors, assign, demo_call, make_user
from tests.e2e.conftest import LiveServer

#: The axe rule sets of WCAG 2.0 and 2.1, levels A and AA.
WCAG_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]

PUBLIC = ["/", "/gemeenten", "/gemeenten/44021", "/gemeenten/44021/profiel", "/projecten",
          "/projecten/{project}", "/partners", "/partners?municipality=44021&domain=mobility",
          "/partners?municipality=&domain=nope", "/oproepen", "/login", "/privacy", "/api"]
ADMIN = ["/oproepen", "/oproepen/{call}", "/oproepen/{call}/instellen",
         "/oproepen/{call}/aanvragen/nieuw", "/aanvragen/{application}", "/oproepen/{call}/jury",
         "/oproepen/{call}/consensus", "/oproepen/{call}/rangschikking", "/jury", "/audit",
         "/planning", "/planning/{plan}", "/projecten/nieuw", "/projecten/import",
         "/beheer/gebruikers", "/account", "/verificatie", "/oproepen/{call}/bevroren-beoordeling",
         "/beheer/persoonsgegevens"]
JUROR = ["/jury", "/oproepen/{call}", "/aanvragen/{application}/beoordelen",
         "/oproepen/{call}/verklaring"]
CITY = ["/jury", "/oproepen/{call}", "/aanvragen/{application}"]


def axe_violations(page) -> list[str]:
    """The WCAG A/AA violations axe finds on the page as it is now, one line per rule."""
    from axe_playwright_python.sync_playwright import Axe

    results = Axe().run(page, options={"runOnly": {"type": "tag", "values": WCAG_TAGS},
                                       "resultTypes": ["violations"]})
    out = []
    for v in results.response["violations"]:
        targets = ", ".join(" ".join(n["target"]) for n in v["nodes"][:4])
        out.append(f"{page.url}: {v['id']} ({v['impact']}, {len(v['nodes'])}x) {targets}")
    return out


def horizontal_overflow(page) -> int:
    """CSS px by which the page is wider than the viewport (0: nothing scrolls sideways)."""
    return page.evaluate("document.documentElement.scrollWidth - document.documentElement.clientWidth")


#: The elements that stick out of the viewport themselves (not only through a child), outside a
#: table's own scroll region: what to fix when a page scrolls sideways.
CULPRITS = """() => {
  const width = document.documentElement.clientWidth, out = [];
  for (const el of document.body.querySelectorAll('*')) {
    if (el.closest('.table-scroll') || el.closest('.leaflet-container')) continue;
    const r = el.getBoundingClientRect();
    if (r.right <= width + 1 || r.width === 0) continue;
    const kids = [...el.children].some(c => c.getBoundingClientRect().right > width + 1);
    if (!kids) out.push(el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') +
      ' (' + Math.round(r.right - width) + ' px)');
  }
  return out.slice(0, 5);
}"""


@pytest.fixture
def server(app):
    live = LiveServer(app)
    yield live
    live.stop()


@pytest.fixture
def states(app, client, runner, admin_headers):
    """The demo call with a jury, a juror's assignment, a plan and the users of each role."""
    from tests.e2e.test_language import first_project, small_plan

    j = demo_call(app)
    juror = add_jurors(app, client, admin_headers, j, 3)[0]
    result = assign(client, admin_headers, j, reviewers=2, max_load=6)
    mine = next(p["application"] for p in result["assignments"] if p["juror"] == j.jurors[juror])
    make_user(app, "sro@example.org", "admin")
    lead = client.get(f"/api/v1/applications/{mine}", headers=admin_headers).json["lead"]
    from tests.app.jury_setup import municipality_id

    make_user(app, "stad@example.org", "city", municipality_id=municipality_id(app, lead))
    ids = {"call": j.call_id, "application": mine, "plan": small_plan(runner),
           "project": first_project(app)}
    return ids, {"sro@example.org": ADMIN, juror: JUROR, "stad@example.org": CITY}


def _visit_all(browser, server, states, width: int, check) -> list[str]:
    ids, signed_in = states
    problems: list[str] = []
    for email, urls in [(None, PUBLIC), *signed_in.items()]:
        context = browser.new_context(locale="nl-BE", viewport={"width": width, "height": 900})
        page = context.new_page()
        page.set_default_timeout(20000)
        if email:
            page.goto(server.url + "/login")
            page.fill("input[name=email]", email)
            page.fill("input[name=password]", PASSWORD)
            with page.expect_navigation():
                page.click("main form button[type=submit]")
        for url in urls:
            page.goto(server.url + url.format(**ids))
            problems += check(page)
        context.close()
    return problems


def test_every_main_page_state_passes_axe_wcag21_aa(browser, server, states):
    problems = _visit_all(browser, server, states, 1280, axe_violations)
    assert not problems, "\n".join(problems)


def test_no_page_scrolls_sideways_at_320_css_px(browser, server, states):
    """Reflow, and axe again at this width: a table that scrolls in its region must be reachable
    by keyboard (scrollable-region-focusable)."""
    def check(page):
        over = horizontal_overflow(page)
        problems = axe_violations(page)
        if over > 1:
            problems.append(f"{page.url}: {over} px wider than the 320 px viewport: "
                            + ", ".join(page.evaluate(CULPRITS)))
        return problems

    problems = _visit_all(browser, server, states, 320, check)
    assert not problems, "\n".join(problems)


def test_the_checks_axe_cannot_make(browser, server, states):
    """Skip link, aria-current, fieldsets, autocomplete, unique button names, and a scoring form
    whose errors are linked to their fields with the focus on the first one."""
    ids, signed_in = states
    juror = next(e for e, urls in signed_in.items() if urls is JUROR)
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20000)
    base = server.url

    page.goto(base + "/login")
    assert page.get_attribute("input[name=email]", "autocomplete") == "username"
    assert page.get_attribute("input[name=password]", "autocomplete") == "current-password"
    page.keyboard.press("Tab")  # the first stop is the skip link, and it leads to the content
    assert page.evaluate("document.activeElement.className") == "skip-link"
    assert page.get_attribute(".skip-link", "href") == "#main"

    page.goto(base + "/partners")
    assert page.get_attribute("nav a[aria-current=page]", "href") == "/partners"
    legends = page.locator("#partner-form fieldset > legend").all_inner_texts()
    assert "U zoekt" in legends and "Zoekwijze" in legends

    page.goto(base + "/login")
    page.fill("input[name=email]", juror)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(base + f"/aanvragen/{ids['application']}/beoordelen")
    first = page.locator("form input[name$='.score']").first
    name = first.get_attribute("name")
    first.fill("99")
    with page.expect_navigation():
        page.click("#save-draft")
    field = page.locator(f"input[name='{name}']")
    assert field.get_attribute("aria-invalid") == "true"
    described = field.get_attribute("aria-describedby")
    assert described and page.locator(f"#{described}").inner_text().strip()
    assert page.evaluate("document.activeElement.name") == name
    context.close()

    admin = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900}).new_page()
    admin.goto(base + "/login")
    admin.fill("input[name=email]", "sro@example.org")
    admin.fill("input[name=password]", PASSWORD)
    with admin.expect_navigation():
        admin.click("main form button[type=submit]")
    admin.goto(base + f"/oproepen/{ids['call']}/jury")
    names = admin.locator("#assignment-matrix button").evaluate_all(
        "els => els.map(e => e.getAttribute('aria-label'))")
    assert names and len(set(names)) == len(names)  # 'Intrekken' once per pair, with whom and what
