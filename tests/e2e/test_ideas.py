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
