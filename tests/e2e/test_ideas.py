"""Idea matchmaking in the browser (issue 14): the secretariat opens a call's pre-registration,
cities file ideas through the form and see related ideas with reasons, and an idea marked not
visible never shows to another city."""

from __future__ import annotations

from tests.app.jury_setup import municipality_id
from tests.e2e.conftest import create_user, login

GENT, ANTWERPEN = "44021", "11002"


def _draft_call(live_app) -> int:
    from app.calls.service import create_call
    from app.core.extensions import db

    with live_app.app_context():
        row = create_call({"preset": "city-of-things-2022"})
        db.session.commit()
        call_id = row.id
        db.session.remove()
    return call_id


def _file(page, call_id: int, title: str, domain: str, visible: bool) -> None:
    page.goto(f"{page.base}/oproepen/{call_id}/ideeen")
    page.fill("#idea-title", title)
    page.fill("#idea-problem", "Scholen weten niet hoeveel kinderen met de fiets komen.")
    page.fill("#idea-solution", "Slimme camera's tellen fietsers aan de schoolpoort; open data.")
    page.check(f"#idea-domain-{domain}")
    page.check("#idea-seeks-lighthouse")
    if not visible:
        page.uncheck("#idea-visible")
    with page.expect_navigation():
        page.click("#idea-submit")
    page.wait_for_selector(".flash.success")


def test_cities_file_ideas_and_a_hidden_one_stays_hidden(page, live_app):
    call_id = _draft_call(live_app)
    create_user(live_app, "admin@example.org", "admin")
    create_user(live_app, "stad@gent.be", "city", municipality_id=municipality_id(live_app, GENT))
    create_user(live_app, "stad@antwerpen.be", "city",
                municipality_id=municipality_id(live_app, ANTWERPEN))

    login(page, "admin@example.org")
    page.goto(f"{page.base}/oproepen/{call_id}")
    with page.expect_navigation():
        page.click("#open-pre-registration")
    assert page.get_attribute("#phase", "data-phase") == "pre-registration"

    page.context.clear_cookies()
    login(page, "stad@gent.be")
    _file(page, call_id, "Fietstellingen aan schoolpoorten", "mobility", visible=True)
    assert page.inner_text("#idea-municipality").startswith("Gent")
    _file(page, call_id, "Geheim plan voor slimme parkeerplaatsen", "mobility", visible=False)
    assert "nee" in page.inner_text("#idea-visibility")

    page.context.clear_cookies()
    login(page, "stad@antwerpen.be")
    page.goto(f"{page.base}/oproepen/{call_id}/ideeen")
    listed = page.inner_text("#ideas")
    assert "Fietstellingen aan schoolpoorten" in listed
    assert "Geheim plan" not in listed
    # Antwerpen files its own idea and sees Gent's among the related ones, with the reasons
    _file(page, call_id, "Fietsers tellen aan de schoolpoort", "mobility", visible=True)
    related = page.inner_text("#related-ideas")
    assert "Fietstellingen aan schoolpoorten" in related and "Geheim plan" not in related
    assert "mobiliteit" in page.inner_text("#related-ideas .reasons")
    # English second
    page.goto(f"{page.base}/oproepen/{call_id}/ideeen?lang=en")
    assert page.locator("h1").inner_text().startswith("Ideas")
    page.goto(f"{page.base}/oproepen/{call_id}/ideeen?lang=nl")

    # the secretariat prints the seed-session table plan: the hidden idea has no seat
    page.context.clear_cookies()
    login(page, "admin@example.org")
    page.goto(f"{page.base}/oproepen/{call_id}/ideeen")
    with page.expect_navigation():
        page.click("#seed-link")
    page.fill("#seed-size", "3")
    with page.expect_navigation():
        page.click("#seed-submit")
    tables = page.inner_text(".seed-domain[data-domain=mobility]")
    assert "Fietstellingen aan schoolpoorten" in tables and "Geheim plan" not in tables
    pdf = page.request.get(page.base + page.get_attribute("#seed-pdf", "href"))
    assert pdf.status == 200 and pdf.body().startswith(b"%PDF")


MECHELEN = "12025"
CITIES = {GENT: "stad@gent.be", ANTWERPEN: "stad@antwerpen.be", MECHELEN: "stad@mechelen.be"}


def _as(page, email: str) -> None:
    page.context.clear_cookies()
    login(page, email)


def test_done_when_three_cities_to_the_leads_prefilled_draft(page, live_app):
    """Issue 14, 'Done when': three cities file ideas, each sees related ideas with reasons, the
    secretariat computes proposals, the members accept, the lead opens the prefilled draft."""
    call_id = _draft_call(live_app)
    create_user(live_app, "admin@example.org", "admin")
    for refnis, email in CITIES.items():
        create_user(live_app, email, "city", municipality_id=municipality_id(live_app, refnis))
    login(page, "admin@example.org")
    page.goto(f"{page.base}/oproepen/{call_id}")
    with page.expect_navigation():
        page.click("#open-pre-registration")

    titles = {GENT: "Fietstellingen aan schoolpoorten",
              ANTWERPEN: "Fietsers tellen aan de schoolpoort",
              MECHELEN: "Schoolstraten met slimme fietstellers"}
    ideas: dict[str, int] = {}
    for refnis, email in CITIES.items():
        _as(page, email)
        _file(page, call_id, titles[refnis], "mobility", visible=True)
        ideas[refnis] = int(page.url.rstrip("/").rsplit("/", 1)[1])
    for refnis, email in CITIES.items():  # each sees the two others, with reasons
        _as(page, email)
        page.goto(f"{page.base}/ideeen/{ideas[refnis]}")
        related = page.inner_text("#related-ideas")
        for other, title in titles.items():
            assert (title in related) == (other != refnis)
        assert "mobiliteit" in page.inner_text("#related-ideas .reasons >> nth=0")

    _as(page, "admin@example.org")
    page.goto(f"{page.base}/oproepen/{call_id}/consortia")
    page.fill("#time-limit", "5")
    with page.expect_navigation():
        page.click("#start-proposals")
    for _ in range(60):
        if page.get_attribute("#run", "data-status") == "done":
            break
        page.wait_for_timeout(1000)
        page.goto(f"{page.base}/oproepen/{call_id}/consortia")
    assert page.get_attribute("#run", "data-status") == "done"
    card = page.locator("article.proposal").first
    members = [int(x) for x in card.locator("tr[data-idea]").evaluate_all(
        "rows => rows.map(r => r.dataset.idea)")]
    lead_idea = int(card.locator("tr[data-role=lead]").get_attribute("data-idea"))
    assert len(members) >= 2 and lead_idea in members
    by_idea = {v: k for k, v in ideas.items()}

    for idea_id in sorted(members, key=lambda i: i == lead_idea):  # the lead answers last
        _as(page, CITIES[by_idea[idea_id]])
        page.goto(f"{page.base}/oproepen/{call_id}/consortia")
        with page.expect_navigation():
            page.click(f"tr[data-idea='{idea_id}'] button.accept")
        page.wait_for_selector(".flash.success")
        assert "aanvaard" in page.inner_text(f"tr[data-idea='{idea_id}'] .response")

    lead = by_idea[lead_idea]
    _as(page, CITIES[lead])
    page.goto(f"{page.base}/oproepen/{call_id}/consortia")
    with page.expect_navigation():
        page.click("a.draft-link")
    body = page.inner_text("main") if page.locator("main").count() else page.inner_text("body")
    assert titles[lead] in body
    for idea_id in members:
        if idea_id != lead_idea:
            name = {GENT: "Gent", ANTWERPEN: "Antwerpen", MECHELEN: "Mechelen"}[by_idea[idea_id]]
            assert name in body
