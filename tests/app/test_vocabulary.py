"""One vocabulary: the pages say the ranking's reasons and rules with the criteria's names, the
audit trail's actions in words, the planning form's errors and conflict reasons in the page's
language, and the domains by the domain table's names; never the codes behind them."""

from __future__ import annotations

import re

from tests.app.jury_setup import PASSWORD, add_jurors, assign, demo_call, make_user


def _text(resp) -> str:
    html = re.sub(r"<(script|style)[^>]*>.*?</\1>", "", resp.get_data(as_text=True), flags=re.S)
    html = re.sub(r"<code>.*?</code>", "", html, flags=re.S)  # codes shown as codes, beside words
    html = re.sub(r'(data-[a-z-]+|value|name|id|class|href|for)="[^"]*"', "", html)
    from html import unescape

    return unescape(re.sub(r"<[^>]+>", " ", html))


def _client(app, email: str, lang: str):
    c = app.test_client()
    c.get(f"/?lang={lang}")
    assert c.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
    return c


def test_ranking_audit_and_jury_pages_name_things_in_words(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 3)
    assign(client, admin_headers, j, reviewers=2, max_load=8)
    make_user(app, "sro@example.org", "admin")
    for lang in ("nl", "en"):
        c = _client(app, "sro@example.org", lang)
        ranking = _text(c.get(f"/oproepen/{j.call_id}/rangschikking"))
        assert "leverage" not in ranking and "scalability" not in ranking, lang
        assert ("Hefboomeffect" if lang == "nl" else "Leverage") in ranking
        audit = _text(c.get("/audit"))
        assert not re.search(r"\b(application|score|jury)\.[a-z_]+\b", audit), lang
        assert ("aanvraag ingediend" if lang == "nl" else "application submitted") in audit
        call_page = _text(c.get(f"/oproepen/{j.call_id}"))
        assert call_page.count("/ 100") >= 2 * len(j.applications), lang  # indicators' scale
        jury_page = _text(c.get(f"/oproepen/{j.call_id}/jury"))
        for dutch_only in ("Omgeving", "Wonen", "Mensen"):
            assert not re.search(rf"\b{dutch_only}\b", jury_page), (lang, dutch_only)
        if lang == "en":
            assert "het jurylid" not in jury_page


def test_planning_errors_speak_the_page_language(app):
    make_user(app, "sro@example.org", "admin")
    for lang, expected, foreign in (("nl", "geef een geheel getal van 1 tot", "must be an integer"),
                                    ("en", "must be an integer from 1 to", "geef een geheel getal")):
        c = _client(app, "sro@example.org", lang)
        resp = c.post("/planning", data={"domains": "mobility", "lighthouses": "301",
                                         "participants_from": "declared", "time_limit_s": "10"})
        text = _text(resp)
        assert resp.status_code == 400
        assert expected in text and foreign not in text, (lang, text[:3000])


def test_the_selection_page_answers_a_huge_budget_with_a_field_error(app, client, admin_headers):
    j = demo_call(app)
    make_user(app, "sro@example.org", "admin")
    c = _client(app, "sro@example.org", "nl")
    resp = c.post(f"/oproepen/{j.call_id}/selectie",
                  data={"budget_euro": "99999999999999999999999999"})
    assert resp.status_code == 400
    assert 'data-field="budget_euro"' in resp.get_data(as_text=True)


def test_the_consensus_page_reads_alpha_in_words(app, client, admin_headers):
    from tests.app.jury_setup import score_all

    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 3)
    result = assign(client, admin_headers, j, reviewers=2, max_load=8)
    score_all(app, j, result, lambda a, juror, code: (3 * a + 5 * juror) % 11)
    make_user(app, "sro@example.org", "admin")
    for lang, words in (("nl", "De juryleden zijn het"), ("en", "The jurors")):
        page = _text(_client(app, "sro@example.org", lang).get(f"/oproepen/{j.call_id}/consensus"))
        assert words in page and "Krippendorff (2004)" in page, lang


def test_what_blocks_publication_is_named_by_title_criterion_and_juror(app, client, admin_headers):
    j = demo_call(app)
    add_jurors(app, client, admin_headers, j, 3)
    assign(client, admin_headers, j, reviewers=2, max_load=8)
    make_user(app, "sro@example.org", "admin")
    title = client.get(f"/api/v1/applications/{j.applications[0]}", headers=admin_headers).json["title"]
    selection = client.post(f"/api/v1/calls/{j.call_id}/selection",
                            json={"budget_cents": 420_000_000}, headers=admin_headers)
    assert selection.status_code == 200, selection.json
    for lang, words in (("nl", "heeft nog geen score ingediend op Hefboomeffect"),
                        ("en", "has not submitted a score on Leverage yet")):
        resp = _client(app, "sro@example.org", lang).post(f"/oproepen/{j.call_id}/publiceren")
        assert resp.status_code == 409
        page = _text(resp)
        assert words in page and title in page, lang
        assert not re.search(r"\b(aanvraag|application) \d+\b", page), lang


def test_the_api_reference_has_a_table_of_contents_per_feature(client):
    html = client.get("/api").get_data(as_text=True)
    toc = html.split('id="api-toc"', 1)[1].split("</nav>", 1)[0]
    for feature in ("calls", "applications", "projects", "municipalities"):
        assert f'href="#feature-{feature}"' in toc and f'id="feature-{feature}"' in html
    assert html.count('class="endpoint"') > 50
