"""The /api reference page is built from the generated OpenAPI document: a newcomer finds what an
operation takes (parameters, body schema), who may call it and what it can answer."""

from __future__ import annotations


def test_a_newcomer_reads_what_adding_a_project_takes(page):
    page.goto(page.base + "/api")
    section = page.locator("section[id='post-/api/v1/projects']")
    text = section.inner_text()
    assert "ProjectIn" in text and "application/json" in text
    assert "admin" in text  # the role
    assert "401" in text and "403" in text and "409" in text
    section.locator("a[href='#schema-ProjectIn']").click()
    assert page.url.endswith("#schema-ProjectIn")
    schema = page.locator("#schema-ProjectIn")
    schema.locator("summary").click()
    assert "programme" in schema.inner_text() and "verplicht" in schema.inner_text()


def test_path_parameters_are_listed(page):
    page.goto(page.base + "/api")
    section = page.locator("section[id='get-/api/v1/projects/{project_id}']")
    assert "project_id" in section.inner_text()
