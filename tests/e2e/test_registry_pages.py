"""A newcomer browses the registry; an admin corrects a project, in headless Chromium."""

from __future__ import annotations

from tests.e2e.conftest import create_user, login, map_ready


def test_home_says_what_the_service_does_and_counts_the_registry(page):
    page.goto(page.base + "/")
    assert "vuurtorenmodel" in page.inner_text("main")
    assert page.inner_text("[data-stat=municipalities]") == "304"


def test_search_municipalities_and_open_one_with_its_map_and_projects(page):
    page.goto(page.base + "/gemeenten")
    page.fill("input[name=q]", "lubbeek")
    page.click("form.filters button")
    page.wait_for_url("**q=lubbeek**")
    assert "1 gemeenten" in page.inner_text("#result-count")
    page.click("a:text-is('Lubbeek')")
    assert page.inner_text("h1").startswith("Lubbeek")
    map_ready(page, "municipality-map")
    assert page.locator("#municipality-map path.vt-here").count() == 1
    assert "wegdek" in page.inner_text("#municipality-projects").lower() or page.locator(
        "#municipality-projects li a").count() >= 1


def test_filter_centrumsteden_in_a_province(page):
    page.goto(page.base + "/gemeenten")
    page.select_option("select[name=province]", "limburg")
    page.check("input[name=centrumstad]")
    page.click("form.filters button")
    page.wait_for_url("**centrumstad=true**")
    names = page.locator("table.data tbody td:nth-child(2) a").all_inner_texts()
    assert sorted(names) == ["Genk", "Hasselt"]


def test_language_switch_to_english(page):
    page.goto(page.base + "/gemeenten")
    page.click("header .lang a")
    assert page.locator("header nav").inner_text().startswith("Municipalities")


def test_merged_municipality_page_redirects_to_successor(page, live_app):
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with live_app.app_context():
        old = db.session.scalar(select(Municipality).where(Municipality.name_nl == "Neerpelt"))
        refnis = old.refnis
    page.goto(page.base + f"/gemeenten/{refnis}")
    assert page.inner_text("h1").startswith("Pelt")
    assert "Neerpelt" in page.inner_text(".flash")


def test_admin_adds_a_project_and_sees_errors_beside_the_fields(page, live_app):
    email, password = create_user(live_app, "sro@example.org", "admin")
    login(page, email, password)
    page.goto(page.base + "/projecten/nieuw")
    page.fill("input[name=title]", "Slimme parkeersensoren")
    page.fill("input[name=year]", "2024")
    page.fill("input[name=grant_euro]", "veel geld")
    page.fill("input[name=lead]", "99999")
    page.click("form.grid-form button[type=submit]")
    assert "geen bedrag in euro" in page.inner_text("[data-field=grant_euro]")  # Dutch UI, Dutch message
    page.fill("input[name=grant_euro]", "150.000,00")
    page.fill("input[name=total_budget_euro]", "100.000")
    page.click("form.grid-form button[type=submit]")
    assert "totale budget" in page.inner_text("[data-field=grant_euro]")
    page.fill("input[name=total_budget_euro]", "200.000")
    page.click("form.grid-form button[type=submit]")
    assert "99999" in page.inner_text("[data-field=lead]")
    page.fill("input[name=lead]", "24062")
    page.select_option("select[name=domains]", ["mobility"])
    page.click("form.grid-form button[type=submit]")
    page.wait_for_selector(".flash.success")
    assert page.inner_text("h1") == "Slimme parkeersensoren"
    facts = page.inner_text("dl.facts")
    assert "€150.000" in facts and "Leuven" in facts


def test_login_with_wrong_password_shows_error_beside_field(page, live_app):
    create_user(live_app, "juror@example.org", "juror")
    page.goto(page.base + "/login")
    page.fill("input[name=email]", "juror@example.org")
    page.fill("input[name=password]", "wrong password")
    page.click("form button[type=submit]")
    assert "klopt niet" in page.inner_text("[data-field=password]")
