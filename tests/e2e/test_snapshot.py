"""The frozen evaluation in the browser: after the deadline the secretariat follows the link on
the call page, sees what a recomputation would change and recomputes with a motivation."""

from __future__ import annotations

from datetime import date

from tests.e2e.conftest import create_user, login


def _closed_call_with_an_application(live_app) -> int:
    from sqlalchemy import select

    from app.calls import service_applications as apps
    from app.calls.service import create_call
    from app.calls.service_lifecycle import submit
    from app.calls.service_snapshot import ensure_frozen
    from app.core.extensions import db
    from app.models import Application, Municipality
    from tests.app.test_api_calls import application

    with live_app.app_context():
        call = create_call({"preset": "city-of-things-2022"})
        call.deadline, call.phase = date(2099, 6, 30), "open"
        db.session.flush()
        row = Application(call_id=call.id)
        pure = apps.parse_application(application(committed_followers=["44019", "44084"]))
        apps.write_application(row, pure, status="draft", user=None, origin="api")
        db.session.add(row)
        db.session.flush()
        submit(row, None)
        call.deadline = date(2020, 1, 31)  # the calendar moved on
        db.session.commit()
        ensure_frozen(call)  # the first read after the deadline; then Statbel's new figures
        for m in db.session.scalars(select(Municipality).where(
                Municipality.refnis.in_(["44021", "11002", "44019", "44084"]))):
            m.population = m.population // 2
        call_id = call.id
        db.session.commit()
        return call_id


def test_the_secretariat_sees_the_differences_and_recomputes(page, live_app):
    call_id = _closed_call_with_an_application(live_app)
    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    page.goto(f"{page.base}/oproepen/{call_id}")
    assert "bevroren" in page.inner_text("#frozen-note")
    with page.expect_navigation():
        page.click("#snapshot-link")
    assert "Ontvankelijkheid en indicatoren zijn bevroren" in page.inner_text("#snapshot-state")
    assert int(page.inner_text("#difference-count")) > 0
    assert "indicators.leverage" in page.inner_text("#differences")
    page.fill("#motivation", "Controle na de deadline")
    with page.expect_navigation():
        page.click("#recompute-button")
    assert "herberekend" in page.inner_text(".flash.success")
    assert "herberekend door het secretariaat" in page.inner_text("#snapshot-facts")
    assert "Toegepaste verschillen" in page.inner_text("#differences")
    page.goto(f"{page.base}/oproepen/{call_id}/bevroren-beoordeling")
    assert page.inner_text("#difference-count") == "0"
