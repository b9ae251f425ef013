"""Cited evidence in the browser: a project lists its partners with their evidence and sources,
the partner finder says how thin the evidence is before its result, and the secretariat imports
an edited export after seeing what would change."""

from __future__ import annotations

import csv
import io

from tests.e2e.conftest import create_user, login


def test_the_edegem_project_lists_mortsel_with_its_evidence_and_source(page, live_app):
    from app.core.extensions import db
    from app.models import Project

    with live_app.app_context():
        project_id = db.session.query(Project.id).filter_by(
            key="cot2017-edegem-slim-beheer-openbaar").scalar()
    page.goto(f"{page.base}/projecten/{project_id}")
    mortsel = page.locator("li[data-refnis='11029']")
    assert mortsel.get_attribute("data-evidence") == "source-classified"
    assert "partner" in mortsel.inner_text()
    assert "domein afgeleid uit de titel" in mortsel.inner_text()
    assert mortsel.locator("a.source-link").get_attribute("href").startswith(
        "https://www.hln.be/regio/edegem/")
    assert page.locator("li[data-evidence]").count() == 14
    assert "monitoring/maintenance of public domain" in page.inner_text("#domain-basis")
    assert page.locator("#sources li").count() == 3  # the seed table and two news pages


def test_gent_reads_that_its_nearest_mobility_lighthouse_is_far(page):
    page.goto(page.base + "/partners?municipality=44021&domain=mobility&looking_for=lighthouse"
                          "&mode=geographic&limit=5")
    message = page.inner_text("#coverage .coverage-message")
    assert "dichtstbijzijnde gemeente met meer ervaring in mobiliteit ligt op 38 km" in message
    assert "geen binnen 30 km" in message
    assert page.locator("#co-learning li").count() == 5  # nearby starters to learn with
    page.click("header .lang a")
    assert "nearest municipality with more mobility experience is 38 km away; none within 30 km" \
        in page.inner_text("#coverage .coverage-message")


def test_the_secretariat_previews_and_imports_an_edited_export(page, live_app):
    email, password = create_user(live_app, "secretariaat@vlaio.be", "admin")
    login(page, email, password)
    page.goto(page.base + "/projecten")
    page.click("#import-projects")
    page.wait_for_url("**/projecten/import")
    text = page.request.get(page.base + "/api/v1/projects/export.csv").text()
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    edegem = next(r for r in rows if r["key"] == "cot2017-edegem-slim-beheer-openbaar")
    edegem["participations"] += "; 11001 partner declared"
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]))
    writer.writeheader()
    writer.writerows(rows)
    page.set_input_files("#file", files=[{"name": "projecten.csv", "mimeType": "text/csv",
                                          "buffer": out.getvalue().encode()}])
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert "0 nieuw, 1 bijgewerkt, 68 ongewijzigd, 0 met fouten" in page.inner_text(
        "#import-summary")
    row = page.locator("#import-rows tr[data-action=update]")
    assert "cot2017-edegem-slim-beheer-openbaar" in row.inner_text()
    assert "participations" in row.inner_text()
    with page.expect_navigation():
        page.click("#commit-form button[type=submit]")
    page.wait_for_url("**/projecten")
    assert "Import uitgevoerd: 0 nieuw, 1 bijgewerkt, 68 ongewijzigd." in page.inner_text(
        ".flash.success")
    # an unreadable file is refused beside the form, nothing written
    page.goto(page.base + "/projecten/import")
    page.set_input_files("#file", files=[{"name": "x.csv", "mimeType": "text/csv",
                                          "buffer": b"title,year\nx,2020\n"}])
    with page.expect_navigation():
        page.click("#upload-form button[type=submit]")
    assert "missing column(s) key, programme" in page.inner_text("#import-error")
