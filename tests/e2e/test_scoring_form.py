"""The juror's scoring form: 'Indienen' on an empty form shows every field error at once instead
of asking to confirm a submission that cannot succeed; a complete form still asks first."""

from __future__ import annotations

import pytest

from tests.app.jury_setup import MOTIVATION, PASSWORD, add_jurors, assign, demo_call
from tests.e2e.conftest import LiveServer


@pytest.fixture
def server(app):
    live = LiveServer(app)
    yield live
    live.stop()


@pytest.fixture
def scoring(app, client, admin_headers):
    j = demo_call(app)
    juror = add_jurors(app, client, admin_headers, j, 3)[0]
    result = assign(client, admin_headers, j, reviewers=2, max_load=6)
    mine = next(p["application"] for p in result["assignments"] if p["juror"] == j.jurors[juror])
    return juror, mine


def test_submitting_an_empty_scoring_form_shows_all_errors_without_a_question(
        browser, server, scoring):
    juror, application = scoring
    page = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900}).new_page()
    page.set_default_timeout(20000)
    dialogs: list[str] = []

    def answer(dialog):
        dialogs.append(dialog.message)
        dialog.dismiss()

    page.on("dialog", answer)
    page.goto(server.url + "/login")
    page.fill("input[name=email]", juror)
    page.fill("input[name=password]", PASSWORD)
    with page.expect_navigation():
        page.click("main form button[type=submit]")
    page.goto(server.url + f"/aanvragen/{application}/beoordelen")
    fields = page.locator("#score-form input[name$='.score'], #score-form textarea").count()
    with page.expect_navigation():
        page.click("#submit-scores")
    assert dialogs == []
    invalid = page.locator("#score-form [aria-invalid=true]")
    assert invalid.count() == fields  # every score and every motivation, at once
    assert page.locator("#submitted-note").count() == 0

    # Filled in completely, the irreversible step is confirmed first (dismissed: nothing sent).
    for score in page.locator("#score-form input[name$='.score']").all():
        score.fill("7")
    for motivation in page.locator("#score-form textarea").all():
        motivation.fill(MOTIVATION)
    page.click("#submit-scores")
    page.wait_for_timeout(300)
    assert len(dialogs) == 1 and "Indienen?" in dialogs[0]
    assert page.locator("#submitted-note").count() == 0
