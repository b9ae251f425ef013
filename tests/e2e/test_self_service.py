"""A city keeps its own profile and the secretariat verifies it, in headless Chromium."""

from __future__ import annotations

from tests.e2e.conftest import create_user, login

LUBBEEK = "24066"


def test_a_city_declares_and_the_secretariat_verifies_or_rejects(page, browser, live_app):
    from app.core.extensions import db
    from app.models import Municipality

    with live_app.app_context():
        lubbeek_id = db.session.query(Municipality.id).filter_by(refnis=LUBBEEK).scalar()
    email, password = create_user(live_app, "ict@lubbeek.be", "city", municipality_id=lubbeek_id)
    login(page, email, password)
    page.click("#nav-own")
    page.wait_for_url(f"**/gemeenten/{LUBBEEK}/eigen-gegevens")

    # interest per domain
    page.check("tr[data-domain=mobility] input[value=follow]")
    page.check("tr[data-domain=people] input[value=lead]")
    with page.expect_navigation():
        page.click("#interest-form button[type=submit]")
    assert "Interesse per domein bewaard." in page.inner_text(".flash.success")
    assert page.locator("tr[data-domain=mobility] input[value=follow]").is_checked()

    # a project of its own, and a participation in an existing one
    page.fill("#title", "Digitale buddy's voor senioren")
    page.fill("#year", "2025")
    page.check("#project-form input[name=domains][value=people]")
    with page.expect_navigation():
        page.click("#project-form button[type=submit]")
    assert "Project aangegeven" in page.inner_text(".flash.success")
    page.select_option("#project_id", label="2017 — Slim beheer openbaar domein")
    with page.expect_navigation():
        page.click("#participation-form button[type=submit]")
    assert page.locator("#my-declarations tr[data-status=pending]").count() == 2
    # another municipality's page is not this city's to edit
    assert page.goto(page.base + "/gemeenten/24062/eigen-gegevens").status == 403

    # the secretariat verifies one and rejects the other, with a motivation
    admin = browser.new_context(locale="nl-BE").new_page()
    admin.base = page.base
    create_user(live_app, "secretariaat@vlaio.be", "admin")
    login(admin, "secretariaat@vlaio.be")
    admin.click("#nav-review")
    admin.wait_for_url("**/verificatie")
    rows = admin.locator("#pending tr[data-declaration]")
    assert rows.count() == 2
    first = rows.nth(0)
    with admin.expect_navigation():
        first.locator("button[value=reject]").click()  # no motivation: refused
    assert "motivation" in admin.inner_text("#pending .error")
    first = admin.locator("#pending tr[data-declaration]").nth(0)
    first.locator("textarea").fill("Geen bron die dit bevestigt.")
    with admin.expect_navigation():
        first.locator("button[value=reject]").click()
    second = admin.locator("#pending tr[data-declaration]").nth(0)
    second.locator("textarea").fill("Partnerschap bevestigd door Edegem.")
    with admin.expect_navigation():
        second.locator("button[value=verify]").click()
    assert admin.locator("#nothing-pending").count() == 1
    assert admin.locator("#reviewed li").count() == 2

    # the city sees both outcomes, with the secretariat's motivation
    page.goto(f"{page.base}/gemeenten/{LUBBEEK}/eigen-gegevens")
    rejected = page.locator("#my-declarations tr[data-status=rejected]")
    assert "Geen bron die dit bevestigt." in rejected.inner_text()
    assert page.locator("#my-declarations tr[data-status=verified]").count() == 1
    admin.context.close()
