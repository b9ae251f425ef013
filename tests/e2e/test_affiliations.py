"""Conflicts v2 in the browser: the secretariat adds a juror with two municipalities on the
call's jury page, sees the declaration still unsigned, changes the affiliations and sees the
conflicts follow (a representative of an applicant is a competitor of the others)."""

from __future__ import annotations

from tests.app.jury_setup import bearer, demo_call, lead_of, make_user
from tests.e2e.conftest import create_user, login


def test_the_secretariat_gives_a_juror_several_affiliations(page, live_app):
    client = live_app.test_client()
    api_admin = bearer(make_user(live_app, "api-admin@example.org", "admin"))
    j = demo_call(live_app)
    first = j.applications[0]
    lead = lead_of(client, api_admin, first)
    make_user(live_app, "jurylid@example.org", "juror")
    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    page.goto(f"{page.base}/oproepen/{j.call_id}/jury")
    page.select_option("#f-email", "jurylid@example.org")
    page.fill("#f-refnis", "73109, 71053")  # Voeren and a follower of the demo call
    with page.expect_navigation():
        page.click("#add-juror button[type=submit]")
    row = page.locator("#juror-table tr[data-juror]").first
    assert "Voeren" in row.locator("td.affiliations").inner_text()
    assert "nog niet" in row.locator("td.declaration").inner_text()
    assert page.locator("li[data-kind=competitor]").count() == 0
    row.locator(".affiliations-form input[name=refnis]").fill(f"73109, {lead}")
    with page.expect_navigation():
        row.locator(".affiliations-form button").click()
    assert "gewijzigd" in page.inner_text(".flash.success")
    juror = page.locator("#juror-table tr[data-juror]").first.get_attribute("data-juror")
    assert page.locator(f"li[data-juror='{juror}'][data-application='{first}'][data-kind=lead]").count() == 1
    assert page.locator(f"li[data-juror='{juror}'][data-kind=competitor]").count() >= 1
