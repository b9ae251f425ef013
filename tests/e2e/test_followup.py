"""The loop of the lighthouse model in the browser (issue 17, "Done when"): the secretariat
publishes a call; its funded application appears as a registry project; the lead files a final
report that the secretariat approves; a follower records an implemented adoption; the follower's
profile shows the experience and the lead's adoption factor rose; the ex-post report shows one
follower promised and one delivered."""

from __future__ import annotations

from tests.app.jury_setup import add_jurors, assign, bearer, demo_call, make_user, put_scores
from tests.e2e.conftest import create_user, login


def _ready_to_publish(live_app) -> int:
    """The demo call made a real one, scored and selected: ready for the publish button."""
    from app.core.extensions import db
    from app.models import Call

    client = live_app.test_client()
    admin = bearer(make_user(live_app, "api-admin@example.org", "admin"))
    j = demo_call(live_app)
    with live_app.app_context():
        db.session.get(Call, j.call_id).is_demo = False
        db.session.commit()
        db.session.remove()
    add_jurors(live_app, client, admin, j, 6)
    result = assign(client, admin, j)
    put_scores(live_app, [(p["application"], p["juror"], c, 6) for p in result["assignments"]
                          for c in j.criteria])
    sel = client.post(f"/api/v1/calls/{j.call_id}/selection", json={"budget_cents": 1_090_000_000},
                      headers=admin)
    assert sel.status_code == 200, sel.json
    return j.call_id


def _one_follower_project(live_app, call_id: int) -> dict:
    body = live_app.test_client().get(f"/api/v1/projects?call={call_id}&per_page=100").json
    for p in body["items"]:
        followers = [x for x in p["participations"] if x["role"] == "follower"]
        if len(followers) == 1:
            lead = next(x["refnis"] for x in p["participations"] if x["role"] == "lead")
            return {"id": p["id"], "lead": lead, "follower": followers[0]["refnis"]}
    raise AssertionError("no funded project with exactly one follower")


def _municipality_id(live_app, refnis: str) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with live_app.app_context():
        return db.session.scalar(select(Municipality.id).where(Municipality.refnis == refnis))


def _adoption_cell(page, refnis: str, project_id: int) -> tuple[str, float]:
    page.goto(f"{page.base}/gemeenten/{refnis}/profiel")
    cell = page.locator(f"tr[data-project='{project_id}'] td.adoption").first
    return cell.get_attribute("title"), _number(cell.inner_text())


def _number(text: str) -> float:
    """A figure of the profile's table: a factor reads "× 1,00", a contribution "= 0,085"."""
    return float(text.replace("×", "").replace("=", "").strip().replace(",", "."))


def _as(browser, base: str, live_app, email: str, refnis: str):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = base
    email, password = create_user(live_app, email, "city",
                                  municipality_id=_municipality_id(live_app, refnis))
    login(pg, email, password)
    return pg


def test_publish_report_adopt_and_the_registry_learns(page, live_app, browser):
    call_id = _ready_to_publish(live_app)
    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    page.goto(f"{page.base}/oproepen/{call_id}/rangschikking")
    page.on("dialog", lambda d: d.accept())
    with page.expect_navigation():
        page.click("#publish")
    assert page.locator("#published-note").count() == 1

    # the funded application is now a registry project
    p = _one_follower_project(live_app, call_id)
    page.goto(f"{page.base}/projecten/{p['id']}")
    assert "Gefinancierd in de oproep" in page.inner_text("#funded-from")
    assert page.locator(f"li[data-refnis='{p['follower']}']").get_attribute("data-evidence") == "verified"
    before_title, before = _adoption_cell(page, p["lead"], p["id"])

    # the secretariat plans the final report; once past due it shows on its dashboard
    page.goto(f"{page.base}/projecten/{p['id']}/opvolging")
    planned = page.locator("#milestones tr[data-code=final_report]")
    planned.locator("input[name=due_date]").fill("2020-01-31")
    with page.expect_navigation():
        planned.locator("button[type=submit]").click()
    assert "te laat" in page.inner_text("#milestones tr[data-code=final_report]")
    page.goto(f"{page.base}/opvolging")
    assert page.locator("#overdue tr[data-milestone]").count() == 1
    assert before_title.startswith("0 overnemers")

    # the lead files the final report
    lead = _as(browser, page.base, live_app, "ict@lead.example", p["lead"])
    lead.goto(f"{lead.base}/projecten/{p['id']}")
    with lead.expect_navigation():
        lead.click("#follow-up-link")
    lead.select_option("#report-form select[name=kind]", "final")
    lead.fill("#report-form textarea[name=text]", "Het platform draait en de code is publiek.")
    lead.select_option("#report-form select[name=result-kind-0]", "repository")
    lead.fill("#report-form input[name=result-url-0]", "https://github.com/example/platform")
    with lead.expect_navigation():
        lead.click("#report-form button[type=submit]")
    assert "Rapport ingediend" in lead.inner_text(".flash.success")

    # the secretariat approves it
    page.goto(f"{page.base}/projecten/{p['id']}/opvolging")
    page.fill(".review-form textarea[name=motivation]", "Code gecontroleerd op GitHub.")
    with page.expect_navigation():
        page.click(".review-form button[value=approved]")
    assert page.locator("#reports li[data-kind=final]").get_attribute("data-status") == "approved"
    assert page.locator("#balance-due").count() == 1
    assert "afgerond" in page.inner_text("#project-status")
    page.goto(f"{page.base}/opvolging")
    assert page.locator("#nothing-overdue").count() == 1

    # the follower records its implemented adoption, for its own municipality only
    follower = _as(browser, page.base, live_app, "ict@follower.example", p["follower"])
    follower.goto(f"{follower.base}/jury")
    row = follower.locator(f"#follow-ups tr[data-project='{p['id']}']")
    assert "volger" in row.inner_text() and "beloofd" in row.inner_text()
    with follower.expect_navigation():
        row.locator("a").click()
    assert follower.input_value("#adoption-form input[name=refnis]") == p["follower"]
    follower.select_option("#adoption-form select[name=status]", "implemented")
    follower.fill("#adoption-form input[name=evidence_url]", "https://example.org/raadsbesluit")
    with follower.expect_navigation():
        follower.click("#adoption-form button[type=submit]")
    assert follower.locator(f"#adoptions tr[data-refnis='{p['follower']}']").get_attribute(
        "data-status") == "implemented"

    # the registry learned: the follower has the experience, the lead's adoption factor rose
    follower.goto(f"{follower.base}/gemeenten/{p['follower']}/profiel")
    row = follower.locator(f"tr[data-project='{p['id']}']").first
    assert "overnemer" in row.inner_text()
    assert _number(row.locator("td.contribution").inner_text()) > 0
    after_title, after = _adoption_cell(page, p["lead"], p["id"])
    assert after_title.startswith("1 overnemers") and after > before

    # promised versus delivered, from the call's page
    page.goto(f"{page.base}/oproepen/{call_id}")
    with page.expect_navigation():
        page.click("#ex-post-link")
    row = page.locator(f"#ex-post tr[data-project='{p['id']}']")
    assert row.locator(".followers .promised").inner_text() == "1"
    assert row.locator(".followers .delivered").inner_text() == "1"


def test_the_secretariat_puts_a_plan_into_operation_and_records_a_session(page, live_app):
    from tests.app.test_followup import _solved_plan

    plan = _solved_plan(live_app)
    admin, password = create_user(live_app, "sro@example.org", "admin")
    login(page, admin, password)
    page.goto(f"{page.base}/clusters")
    page.select_option("#adopt-form select[name=plan_id]", str(plan))
    with page.expect_navigation():
        page.click("#adopt-form button[type=submit]")
    assert "2 cluster(s) in werking gezet." in page.inner_text(".flash.success")
    with page.expect_navigation():
        page.click("#clusters tr >> text=Gent")
    page.fill("#member-form input[name=refnis]", "41002")
    page.select_option("#member-form select[name=role]", "observer")
    with page.expect_navigation():
        page.click("#member-form button[type=submit]")
    assert page.locator("#members li[data-refnis='41002']").get_attribute("data-role") == "observer"
    page.fill("#session-form input[name=held_on]", "2026-10-15")
    page.fill("#session-form input[name=topic]", "Draaiboek parkeersensoren")
    page.check("#session-form input[name=attendance][value='44021']")
    page.check("#session-form input[name=attendance][value='41002']")
    with page.expect_navigation():
        page.click("#session-form button[type=submit]")
    assert "Draaiboek parkeersensoren" in page.inner_text("#sessions")
    page.goto(f"{page.base}/programma")
    mobility = page.locator("#programme tr[data-domain=mobility] td")
    assert mobility.nth(1).inner_text() == "2"
    assert mobility.nth(5).inner_text() == "1"
