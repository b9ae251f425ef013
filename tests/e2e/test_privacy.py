"""Personal data in the browser: anyone finds the privacy notice from the footer, a user downloads
their data from the account page, the secretariat erases who a pseudonym is."""

from __future__ import annotations

import json

from tests.e2e.conftest import create_user, login


def test_privacy_notice_export_and_erasure(page, live_app):
    page.goto(f"{page.base}/")
    with page.expect_navigation():
        page.click("#footer-privacy")
    for section in ("#purpose", "#legal-basis", "#retention", "#rights", "#contact"):
        assert page.locator(section).is_visible()
    assert "7 jaar" in page.inner_text("#retention")
    assert "privacy@vuurtoren.local" in page.inner_text("#privacy-contact")

    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    # an audited action gives the secretariat a pseudonym
    page.goto(f"{page.base}/account")
    page.fill("#token-form input[name=name]", "script")
    with page.expect_navigation():
        page.click("#token-form button[type=submit]")
    with page.expect_download() as download:
        page.click("#export-link")
    data = json.loads(open(download.value.path(), encoding="utf-8").read())
    assert data["user"]["email"] == "sro@example.org"
    assert [e["action"] for e in data["audit_entries"]] == ["token.created"]

    with page.expect_navigation():
        page.click("#personal-data-link")
    row = page.locator("#people tr[data-pseudonym]").first
    assert "sro@example.org" in row.inner_text()
    page.on("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        row.locator("button.erase").click()
    assert "gewist" in page.inner_text(".flash.success")
    assert "gewist op" in page.locator("#people tr[data-pseudonym]").first.inner_text()
