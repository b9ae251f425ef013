"""One jury, end to end in headless Chromium, on the demo call: the admin puts two jurors on the
jury and assigns them; both score the same application in the browser (one first types a score
off the scale), disagree, and submit; the chair records the consensus on the disagreement,
computes the funding selection and publishes; the city that leads the application reads its
evaluation summary and finds the PDF.

The other demo applications get their scores straight in the database, so the test spends its
time on the pages, not on typing 34 more scores.
"""

from __future__ import annotations

from tests.app.jury_setup import MOTIVATION, put_scores
from tests.e2e.conftest import create_user, login


def _new_page(browser, base):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    p = context.new_page()
    p.set_default_timeout(15000)
    p.base = base
    p.on("dialog", lambda d: d.accept())
    return p


def test_from_assignment_to_a_published_summary_the_city_reads(page, live_app, browser):
    from app.calls.service_demo import seed_demo
    from app.core.extensions import db
    from app.jury import service as jury
    from app.models import Call

    with live_app.app_context():
        call_id = seed_demo().call_id
        call = db.session.get(Call, call_id)
        reviewed = jury.jury_applications(call)
        target = reviewed[0]
        a, title, lead_mid = target.id, target.title, target.lead_municipality_id
        others = [x.id for x in reviewed[1:]]
        db.session.remove()
    create_user(live_app, "admin@example.org", "admin")
    jurors = {"jurylid1@example.org": ["mobility"], "jurylid2@example.org": ["economy"]}
    for email in jurors:
        create_user(live_app, email, "juror")
    create_user(live_app, "stad@example.org", "city", municipality_id=lead_mid)
    base = page.base
    page.on("dialog", lambda d: d.accept())

    # -- the admin: jurors on the jury, then the assignment (first one that cannot work)
    login(page, "admin@example.org")
    page.goto(f"{base}/oproepen/{call_id}/jury")
    for email, domains in jurors.items():
        page.select_option("#f-email", email)
        for d in domains:
            page.check(f"#add-juror input[name=expertise][value={d}]")
        with page.expect_navigation():  # the old page still shows the last flash
            page.click("#add-juror button[type=submit]")
        page.wait_for_selector(".flash.success")
    assert page.locator("#juror-table tbody tr[data-juror]").count() == 2
    page.fill("#assign-form input[name=reviewers]", "3")
    page.fill("#assign-form input[name=max_load]", "9")
    page.click("#assign")
    assert "maar 2" in page.inner_text("[data-field=assignments]")  # only 2 jurors for 3 places
    page.fill("#assign-form input[name=reviewers]", "2")
    with page.expect_navigation():
        page.click("#assign")
    page.wait_for_selector(".flash.success")
    assert page.locator("#assignment-matrix td.assigned").count() == 2 * len(reviewed)

    # -- two jurors score the same application and disagree on leverage
    for email, (leverage, scalability) in zip(jurors, [(9, 7), (2, 6)], strict=True):
        p = _new_page(browser, base)
        login(p, email)
        p.goto(f"{base}/jury")
        # the declaration on honour comes first: until it is signed no application opens
        assert p.locator(f"tr[data-application='{a}']").count() == 0
        with p.expect_navigation():
            p.click(f"#sign-link-{call_id}")
        assert "op eer" in p.inner_text("#declaration-text")
        with p.expect_navigation():
            p.click("#declaration-sign")  # not ticked: refused, with the reason
        assert "Vink aan" in p.inner_text("#declaration-error")
        p.check("#declaration-accept")
        with p.expect_navigation():
            p.click("#declaration-sign")
        assert "ondertekend" in p.inner_text(".flash.success")
        row = p.locator(f"tr[data-application='{a}']")
        assert row.get_attribute("data-progress") == "none"
        with p.expect_navigation():
            row.locator("a.button").click()
        assert p.inner_text("h1") == title
        # against anchoring: the advisory indicators stay folded until the juror's first draft
        assert p.locator("#indicators-folded").count() == 1
        assert p.locator("figure.indicator").count() == 0
        if leverage == 9:  # nor does the application page show them (or the advisor's points)
            scoring = p.url
            p.goto(f"{base}/aanvragen/{a}")
            assert p.locator("#indicators-folded").count() == 1
            assert p.locator("figure.indicator").count() == 0 and p.locator("#advice").count() == 0
            p.goto(scoring)
        if leverage == 9:  # the first juror types a score off the scale first
            p.fill("#f-leverage-score", "11")
            p.click("#save-draft")
            assert "tussen 0 en 10" in p.inner_text("[data-field='leverage.score']")
        p.fill("#f-leverage-score", str(leverage))
        p.fill("#f-leverage-motivation", MOTIVATION)
        p.fill("#f-scalability-score", str(scalability))
        p.fill("#f-scalability-motivation", "Opschaalbaar naar buurgemeenten met een draaiboek.")
        p.click("#submit-scores")
        p.wait_for_selector("#submitted-note")
        assert p.locator("figure.indicator").count() == 2  # shown once the juror has scored
        if leverage == 2:  # blind no more: the second juror now sees the first one's score
            assert "9" in p.inner_text("[data-criterion=leverage] ul.others")
        p.goto(f"{base}/jury")
        assert p.locator(f"tr[data-application='{a}']").get_attribute("data-progress") == "submitted"
        p.context.close()

    with live_app.app_context():
        from app.models import Assignment

        pairs = [(x.application_id, x.juror_id) for x in db.session.scalars(
            db.select(Assignment).where(Assignment.application_id.in_(others)))]
        db.session.remove()
    put_scores(live_app, [(x, j, c, 5 + (x + j) % 4) for x, j in pairs
                          for c in ("leverage", "scalability")])

    # -- the chair: the disagreement comes first, with its chart; a consensus needs a motivation
    page.goto(f"{base}/oproepen/{call_id}/consensus")
    assert page.locator("figure.distribution").count() == 2
    item = page.locator(f"#disagreements #c-{a}-leverage")
    assert item.count() == 1
    assert item.locator("svg.strip circle").count() == 2
    item.locator("input[name=score]").fill("6")
    item.locator("button[type=submit]").click()
    assert "motivering" in page.inner_text(f"[data-field='{a}.leverage.motivation']").lower()
    item = page.locator(f"#c-{a}-leverage")
    item.locator("input[name=score]").fill("6")
    item.locator("textarea[name=motivation]").fill("Na overleg: sterke hefboom, maar enkel lokaal.")
    with page.expect_navigation():
        item.locator("button[type=submit]").click()
    page.wait_for_selector(".flash.success")
    assert "consensus 6" in page.inner_text(f"#c-{a}-leverage h3")

    # -- ranking and selection: exact beside greedy, then publication
    page.goto(f"{base}/oproepen/{call_id}/rangschikking")
    assert page.locator("#ranking-table tbody tr[data-application]").count() == len(reviewed)
    page.fill("#f-budget_euro", "1.500.000")
    with page.expect_navigation():
        page.click("#compute-selection")
    page.wait_for_selector(".flash.success")
    assert page.locator("#optimal ol.funded li").count() >= 1
    assert page.locator("#greedy ol.funded li").count() >= 1
    assert page.locator("#optimal table.unfunded tbody tr").count() + page.locator(
        "#optimal ol.funded li").count() == len(reviewed)
    page.click("#publish")
    page.wait_for_selector("#published-note")

    # -- the city reads its evaluation summary
    city = _new_page(browser, base)
    login(city, "stad@example.org")
    city.goto(f"{base}/jury")
    with city.expect_navigation():
        city.click(f"#published tr[data-application='{a}'] a.button")
    assert city.inner_text("h1").endswith(title)
    assert city.locator("#decision").get_attribute("data-code") in (
        "funded", "optimal_preferred_others", "budget_exhausted")
    scores = city.inner_text("#criteria-scores")
    assert "Na overleg: sterke hefboom, maar enkel lokaal." in scores and MOTIVATION in scores
    pdf = city.request.get(base + city.get_attribute("#pdf", "href"))
    assert pdf.status == 200 and pdf.headers["content-type"] == "application/pdf"
    assert pdf.body()[:5] == b"%PDF-"
    city.context.close()
