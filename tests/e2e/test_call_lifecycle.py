"""The life of a call in the browser: the secretariat opens the call from its page, a city saves
a draft, submits it and gets the receipt; the submitted application can no longer be edited."""

from __future__ import annotations

import re
from datetime import date

from tests.e2e.conftest import create_user, login


def _draft_call(live_app) -> int:
    from app.calls.service import create_call
    from app.core.extensions import db

    with live_app.app_context():
        row = create_call({"preset": "city-of-things-2022"})
        row.deadline = date(2099, 6, 30)
        db.session.commit()
        return row.id


def _pdf(padding: int = 0) -> bytes:
    import io
    import os

    from pypdf import PdfWriter

    writer = PdfWriter()
    writer.add_blank_page(width=595, height=842)
    if padding:  # an embedded annex that does not compress, as scanned pages would
        writer.add_attachment("bijlage.bin", os.urandom(padding))
    out = io.BytesIO()
    writer.write(out)
    return out.getvalue()


def _gent(live_app) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with live_app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.refnis == "44021"))


def test_the_secretariat_opens_the_call_and_a_city_submits_with_a_receipt(page, live_app, browser):
    call_id = _draft_call(live_app)
    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    page.goto(f"{page.base}/oproepen/{call_id}")
    phase = page.locator("#phase")
    assert phase.get_attribute("data-phase") == "draft"
    assert "ontwerp" in page.inner_text("#phase-name")
    assert "2099-06-30 23:59" in page.inner_text("#deadline-local")
    assert "rangorde" in page.inner_text("#selection-rule")
    with page.expect_navigation():
        page.click("#next-phase")
    assert "De oproep is nu in de fase: open." in page.inner_text(".flash.success")
    assert page.locator("#phase").get_attribute("data-phase") == "open"
    assert page.locator("#phase li[aria-current=step]").inner_text() == "open"

    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    city = context.new_page()
    city.set_default_timeout(15000)
    city.base = page.base
    email, password = create_user(live_app, "ict@gent.example", "city", municipality_id=_gent(live_app))
    login(city, email, password)
    city.goto(f"{city.base}/oproepen/{call_id}/aanvragen/nieuw")
    city.fill("input[name=title]", "Slimme schoolstraten met telcamera's")
    city.fill("textarea[name=summary]", "Camera's tellen fietsers aan schoolpoorten; open data.")
    city.check("input[name=domains][value=mobility]")
    city.fill("input[name=partners]", "Antwerpen")
    city.fill("input[name=requested_grant_euro]", "450.000,00")
    city.fill("input[name=total_budget_euro]", "600.000")
    with city.expect_navigation():
        city.click("button[name=action][value=draft]")
    assert city.inner_text("#application-status") == "concept"
    assert city.locator("#receipt").count() == 0
    # the proposal itself, as a PDF (checked by content)
    city.select_option("#document-form select[name=kind]", "proposal")
    # a real proposal runs to megabytes: above the 1 MB body limit of the other forms
    city.set_input_files("#document-form input[name=file]", files=[
        {"name": "voorstel.pdf", "mimeType": "application/pdf", "buffer": _pdf(3_000_000)}])
    with city.expect_navigation():
        city.click("#document-form button[type=submit]")
    assert "Document opgeladen." in city.inner_text(".flash.success")
    assert city.locator("#documents tr[data-document]").count() == 1
    city.set_input_files("#document-form input[name=file]", files=[
        {"name": "voorstel.pdf", "mimeType": "application/pdf", "buffer": b"no pdf at all"}])
    with city.expect_navigation():
        city.click("#document-form button[type=submit]")
    assert "geen PDF" in city.inner_text(".flash.error")
    # a budget annex is read for the declared amounts; the page says what it found
    from tests.evaluation.test_documents import text_pdf

    city.select_option("#document-form select[name=kind]", "budget")
    city.set_input_files("#document-form input[name=file]", files=[
        {"name": "budget.pdf", "mimeType": "application/pdf",
         "buffer": text_pdf("Budget", "Totaal 600.000 euro", "Eigen bijdrage 150.000 euro")}])
    with city.expect_navigation():
        city.click("#document-form button[type=submit]")
    reading = city.locator("#documents tr[data-document]").nth(1).locator("td.reading")
    assert reading.locator("[data-states=total_budget]").get_attribute("data-found") == "true"
    assert reading.locator("[data-states=cofinancing]").get_attribute("data-found") == "true"
    assert reading.locator("[data-states=requested_grant]").get_attribute("data-found") == "false"
    with city.expect_navigation():
        city.click("#submission #submit-application")
    assert "Aanvraag ingediend" in city.inner_text(".flash.success")
    assert city.inner_text("#application-status") == "ingediend"
    assert re.fullmatch(r"[0-9a-f]{64}", city.inner_text("#receipt-sha256"))
    pdf = city.request.get(city.base + city.locator("#receipt-pdf").get_attribute("href"))
    assert pdf.status == 200 and pdf.body()[:5] == b"%PDF-"
    # locked: no edit button, the reason instead, and withdrawal still possible before the deadline
    assert city.locator("text=Bewerken").count() == 0
    assert "vergrendeld" in city.inner_text("#lock-reason")
    assert city.locator("#withdraw-application").count() == 1
    assert city.locator("#document-form").count() == 0  # documents lock with the application
    # English
    city.goto(city.url.split("#")[0] + "?lang=en")
    assert city.inner_text("#application-status") == "submitted"
    assert "locked" in city.inner_text("#lock-reason")
    context.close()
