"""Under the Content-Security-Policy (no inline scripts) the pages still work in a browser: the
confirmation before deleting a project asks, and cancelling it keeps the project; the print link
prints; and the browser reports no policy violation on the pages an admin works in."""

from __future__ import annotations

from tests.e2e.conftest import create_user, login


def test_the_confirmations_work_under_the_policy(page, live_app):
    from app.core.extensions import db
    from app.models import Project

    with live_app.app_context():
        project_id = db.session.query(Project.id).order_by(Project.id).first()[0]
        db.session.remove()
    create_user(live_app, "admin@example.org", "admin")
    violations: list[str] = []
    page.on("console", lambda m: violations.append(m.text)
            if "Content Security Policy" in m.text or "Content-Security-Policy" in m.text else None)
    login(page, "admin@example.org")
    resp = page.goto(f"{page.base}/projecten/{project_id}")
    assert "frame-ancestors 'none'" in resp.headers["content-security-policy"]
    asked: list[str] = []

    def dismiss(dialog):
        asked.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", dismiss)
    page.click("form[action$='/verwijderen'] button[type=submit]")
    page.wait_for_timeout(300)
    assert asked and "verwijderen" in asked[0]
    assert page.url.endswith(f"/projecten/{project_id}")  # cancelled: still here

    page.once("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("form[action$='/verwijderen'] button[type=submit]")
    assert page.goto(f"{page.base}/projecten/{project_id}").status == 404

    for path in ("/", "/gemeenten", "/partners", "/oproepen", "/planning", "/audit", "/api"):
        page.goto(page.base + path)
    assert not violations, violations
