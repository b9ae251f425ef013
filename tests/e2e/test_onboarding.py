"""Onboarding without the command line: the secretariat invites a juror and a city user from the
users page (no mail server configured, so the page shows each link to pass on); each follows the
link, chooses a password and starts working: the juror, picked from a list on the call's jury
page and assigned, finds the application to score; the city user finds its municipality's
application on the call."""

from __future__ import annotations

from tests.e2e.conftest import create_user, login

NEW_PASSWORD = "lighthouse keeper at dawn"


def _new_page(browser, base):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15000)
    p.base = base
    return p


def _invite(page, email: str, name: str, role: str, municipality: str | None = None) -> str:
    page.goto(page.base + "/beheer/gebruikers")
    page.fill("#invite-form input[name=email]", email)
    page.fill("#invite-form input[name=name]", name)
    page.select_option("#invite-form select[name=role]", role)
    if municipality:
        page.select_option("#invite-form select[name=municipality]", municipality)
    with page.expect_navigation():
        page.click("#invite-form button[type=submit]")
    assert "Geef deze link zelf door" in page.inner_text("#invitation-result")
    return page.inner_text("#invitation-link").strip()


def _accept(browser, base: str, link: str):
    p = _new_page(browser, base)
    p.goto(link)
    assert "U bent uitgenodigd" in p.inner_text("main")
    p.fill("input[name=password]", "kort")
    p.fill("input[name=repeat]", "anders")
    with p.expect_navigation():
        p.click("main form button[type=submit]")
    assert "verschillen" in p.inner_text(".field.has-error")
    p.fill("input[name=password]", NEW_PASSWORD)
    p.fill("input[name=repeat]", NEW_PASSWORD)
    with p.expect_navigation():
        p.click("main form button[type=submit]")
    p.wait_for_selector(".flash.success")
    return p


def test_a_juror_and_a_city_user_are_invited_and_start_working(page, live_app, browser):
    from app.calls.service_demo import seed_demo
    from app.core.extensions import db
    from app.jury import service as jury
    from app.models import Call

    with live_app.app_context():
        call_id = seed_demo().call_id
        call = db.session.get(Call, call_id)
        target = jury.jury_applications(call)[0]
        title, lead_refnis = target.title, target.lead_municipality.refnis
        db.session.remove()
    create_user(live_app, "admin@example.org", "admin")
    base = page.base
    login(page, "admin@example.org")

    # -- the secretariat invites a juror and a city user
    juror_link = _invite(page, "an.jurylid@example.org", "An Jurylid", "juror")
    city_link = _invite(page, "ict@gemeente.example.org", "Ict Gemeente", "city", lead_refnis)
    rows = page.locator("#user-table tbody tr[data-email='an.jurylid@example.org'] .invitation-state")
    assert "geldig tot" in rows.inner_text()

    # -- the juror chooses a password and is told why the dashboard is empty
    juror = _accept(browser, base, juror_link)
    assert juror.url.endswith("/jury")
    assert "U zit nog in geen enkele jury" in juror.inner_text("#jury-empty")

    # -- the admin picks the juror from the list and assigns the jury
    page.goto(f"{base}/oproepen/{call_id}/jury")
    options = page.locator("#f-email option").all_inner_texts()
    assert any("An Jurylid" in o for o in options)
    page.select_option("#f-email", "an.jurylid@example.org")
    with page.expect_navigation():
        page.click("#add-juror button[type=submit]")
    page.wait_for_selector(".flash.success")
    page.fill("#assign-form input[name=reviewers]", "1")
    page.fill("#assign-form input[name=max_load]", "30")
    with page.expect_navigation():
        page.click("#assign")
    page.wait_for_selector(".flash.success")

    # -- the juror finds the applications to score (after the declaration), also from the call page
    juror.goto(f"{base}/oproepen/{call_id}")
    assert "Onderteken eerst" in juror.inner_text("#applications-empty")
    juror.goto(f"{base}/jury")
    with juror.expect_navigation():
        juror.click(f"#sign-link-{call_id}")
    juror.check("#declaration-accept")
    with juror.expect_navigation():
        juror.click("#declaration-sign")
    assert juror.locator("tr[data-application]").count() >= 1
    juror.goto(f"{base}/oproepen/{call_id}")
    assert "U beoordeelt" in juror.inner_text("#applications-empty")

    # -- the city user lands on the calls and sees its municipality's application
    city = _accept(browser, base, city_link)
    assert city.url.endswith("/oproepen")
    city.goto(f"{base}/oproepen/{call_id}")
    assert title in city.inner_text("#applications")

    # -- the links worked once; the users page says they were accepted
    again = _new_page(browser, base)
    again.goto(juror_link)
    assert "al gebruikt" in again.inner_text("#invitation-invalid")
    page.goto(base + "/beheer/gebruikers")
    assert "aanvaard op" in page.inner_text(
        "#user-table tbody tr[data-email='ict@gemeente.example.org'] .invitation-state")
