"""A city fills in an application in headless Chromium; an admin sets up a call from a preset."""

from __future__ import annotations

from datetime import date

from tests.e2e.conftest import create_user, login


def _demo_call(live_app) -> int:
    """A City of Things 2022 call made the way the admin page makes it (preset)."""
    from app.calls.service import create_call
    from app.core.extensions import db

    with live_app.app_context():
        row = create_call({"preset": "city-of-things-2022"})
        row.deadline, row.phase = date(2099, 6, 30), "open"  # taking applications
        db.session.commit()
        return row.id


def _gent(live_app) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with live_app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.refnis == "44021"))


def test_city_fixes_a_bad_amount_submits_and_sees_eligibility_and_indicators(page, live_app):
    call_id = _demo_call(live_app)
    email, password = create_user(live_app, "ict@gent.example", "city", municipality_id=_gent(live_app))
    login(page, email, password)
    page.goto(page.base + "/oproepen")
    page.click("text=City of Things 2022")
    page.click("#new-application")
    # The lead is fixed to the user's municipality.
    assert "Gent" in page.inner_text("#application-form")
    assert page.locator("input[name=lead]").get_attribute("type") == "hidden"
    page.fill("input[name=title]", "Slimme schoolstraten met telcamera's")
    page.fill("textarea[name=summary]", "Camera's tellen fietsers aan schoolpoorten; tellingen als open data.")
    page.check("input[name=domains][value=mobility]")
    page.fill("input[name=partners]", "Antwerpen")
    page.fill("input[name=committed_followers]", "Lochristi, Merelbeke-Melle, 44085")
    page.fill("input[name=requested_grant_euro]", "450.000,00,5")
    page.fill("input[name=total_budget_euro]", "600.000")
    page.check("input[name=open_data]")
    page.fill("input[name=oslo]", "OSLO Mobiliteit")
    page.click("#submit-application")

    page.wait_for_selector(".error[data-field=requested_grant_euro]")
    error = page.locator(".error[data-field=requested_grant_euro]")
    assert "geen bedrag" in error.inner_text()
    assert page.locator(".field.has-error input[name=requested_grant_euro]").count() == 1
    # What was typed is still there.
    assert page.input_value("input[name=title]") == "Slimme schoolstraten met telcamera's"
    assert page.input_value("input[name=committed_followers]").startswith("Lochristi")

    page.fill("input[name=requested_grant_euro]", "450.000,00")
    page.click("#submit-application")
    page.wait_for_selector("#eligibility")
    assert "Aanvraag ingediend." in page.inner_text(".flash.success")
    assert page.inner_text("h1") == "Slimme schoolstraten met telcamera's"
    assert page.locator("#eligibility-summary .badge.ok").inner_text() == "ontvankelijk"
    max_grant = page.locator("#eligibility li[data-rule=max_grant]")
    assert max_grant.get_attribute("data-status") == "passed"
    assert "€1.000.000" in max_grant.inner_text() and "€450.000" in max_grant.inner_text()
    partnership = page.locator("#eligibility li[data-rule=partnership_minimum]")
    assert partnership.get_attribute("data-status") == "passed"
    # Indicator bar charts with one bar per component and a sentence each.
    for code in ("leverage", "scalability"):
        figure = page.locator(f"#indicator-{code}")
        assert figure.locator("rect.fill").count() == 5  # four components and the total
        assert figure.locator("ul.explanations li").count() == 4
        assert float(figure.get_attribute("data-score")) > 0
    assert page.locator("#advice table tr[data-refnis]").count() >= 1

    # The application is in the call's list with its badge; the city sees only its own.
    page.click(f"a[href='/oproepen/{call_id}']")
    page.wait_for_selector("#applications")
    row = page.locator("#applications tbody tr")
    assert row.count() == 1 and row.locator(".badge.ok").inner_text() == "ontvankelijk"


def test_admin_creates_a_call_from_a_preset_and_fixes_a_threshold(page, live_app):
    email, password = create_user(live_app, "sro@example.org", "admin")
    login(page, email, password)
    page.goto(page.base + "/oproepen")
    page.select_option("select[name=preset]", "slim-in-de-stad-2019")
    page.click("#new-call button[type=submit]")
    page.wait_for_selector("#call-form")
    assert page.input_value("input[name=name]") == "Slim in de Stad 2018/2019"
    assert page.input_value("input[name=min_cofinancing_pct]") in ("30", "30.0")
    assert page.input_value("input[name=criteria-0-code]") == "quality_of_life"
    page.fill("input[name=criteria-0-threshold]", "12")
    page.click("#call-form button[type=submit]")
    page.wait_for_selector(".error[data-field='criteria[0].threshold']")
    error = page.locator(".error[data-field='criteria[0].threshold']")
    assert "schaal" in error.inner_text()
    page.fill("input[name=criteria-0-threshold]", "6")
    page.click("#call-form button[type=submit]")
    page.wait_for_selector("#criteria")
    assert "Oproep opgeslagen." in page.inner_text(".flash.success")
    assert "€435.000" in page.inner_text("main")
    first = page.locator("#criteria tbody tr").first.inner_text()
    assert "Verbetering van de levenskwaliteit" in first and "6" in first


def test_city_names_what_its_intercommunale_partner_represents(page, live_app):
    """Leuven has no municipal partner, only Interleuven, which represents Lubbeek and Bierbeek
    in the project: the eligibility reason counts and names them."""
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality, Organisation

    call_id = _demo_call(live_app)
    with live_app.app_context():
        leuven = db.session.scalar(select(Municipality.id).where(Municipality.refnis == "24062"))
        org_id = db.session.scalar(select(Organisation.id).where(Organisation.name == "Interleuven"))
    email, password = create_user(live_app, "ict@leuven.example", "city", municipality_id=leuven)
    login(page, email, password)
    page.goto(f"{page.base}/oproepen/{call_id}/aanvragen/nieuw")
    page.fill("input[name=title]", "Automatische wegdekcontrole")
    page.fill("textarea[name=summary]", "Camera's op vuilniswagens meten de kwaliteit van het wegdek.")
    page.check("input[name=domains][value=mobility]")
    page.select_option("select[name=organisations]", str(org_id))
    assert "Interleuven vertegenwoordigt" in page.inner_text("#represents")
    page.fill(f"input[name=represents_{org_id}]", "Lubbeek, Bierbeek")
    page.fill("input[name=requested_grant_euro]", "150.000")
    page.fill("input[name=total_budget_euro]", "200.000")
    page.click("#submit-application")
    page.wait_for_selector("#eligibility")
    partnership = page.locator("#eligibility li[data-rule=partnership_minimum]")
    assert "Vertegenwoordigd door een intercommunale: Lubbeek, Bierbeek" in partnership.inner_text()
