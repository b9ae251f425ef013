"""Every main page speaks one language.

In English a page carries none of a small fixed list of Dutch navigation and heading words, and
no text node that is a Dutch msgid of the catalog (so an untranslated or unwrapped string shows);
in Dutch it carries those words and no text node that is only the English of a msgid. WTForms'
own messages and the error pages switch too. The Flask test client is enough here: nothing on
these pages is drawn by script.
"""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from tests.app.jury_setup import PASSWORD, add_jurors, assign, demo_call, make_user

#: Navigation words on every page (anonymous visitor), with their English.
NAV = {"Gemeenten": "Municipalities", "Projecten": "Projects", "Oproepen": "Calls",
       "Partners zoeken": "Find partners", "Aanmelden": "Log in"}
NAV_SIGNED_IN = {"Gemeenten": "Municipalities", "Projecten": "Projects", "Oproepen": "Calls",
                 "Afmelden": "Log out"}

#: Anonymous pages and Dutch heading/label words each one shows (absent from its English version).
PUBLIC_PAGES = {
    "/": ["Voor steden en gemeenten", "In het register"],
    "/gemeenten": ["Zoeken", "Provincie", "Inwoners"],
    "/gemeenten/44021": ["Eerdere projecten", "Ligging"],
    "/gemeenten/44021/profiel": ["Opbouw per domein", "Rolgewicht"],
    "/projecten": ["Eerdere projecten", "Programma", "Zoeken"],
    "/projecten/{project}": ["Programma", "Deelnemers"],
    "/partners": ["Uw gemeente", "Zoekwijze"],
    "/partners?municipality=44021&domain=mobility": ["Opbouw van de score"],
    "/oproepen": ["Er zijn nog geen oproepen"],
    "/login": ["Wachtwoord"],
    "/api": ["Machineleesbaar", "Antwoorden"],
}
#: Pages of the admin, a juror and a city user on the demo call.
ADMIN_PAGES = {
    "/oproepen": ["Maximumsteun", "Nieuwe oproep"],
    "/oproepen/{call}": ["Regels", "Aanvragen importeren"],
    "/oproepen/{call}/instellen": ["Oproep instellen", "Toegelaten domeinen"],
    "/oproepen/{call}/aanvragen/nieuw": ["Nieuwe aanvraag", "Partnerorganisaties"],
    "/aanvragen/{application}": ["Ontvankelijkheid", "Advies voor het consortium"],
    "/aanvragen/{draft}/bewerken": ["Aanvraag bewerken", "Gevraagde steun"],
    "/oproepen/{call}/jury": ["Juryleden", "Belangenconflicten"],
    "/oproepen/{call}/consensus": ["Onenigheden"],
    "/oproepen/{call}/rangschikking": ["Rangschikking", "Selectie voor financiering"],
    "/jury": ["Jury per oproep", "Toewijzingen"],
    "/audit": ["Auditlog", "Tijdstip"],
    "/planning": ["Clusterplanning", "Plan starten"],
    "/planning/{plan}": ["Vuurtorens per domein", "Dekking", "Niet gedekt"],
    "/projecten/nieuw": ["Project toevoegen", "Titel (Engels)"],
    "/beheer/gebruikers": ["Iemand uitnodigen", "Alle gebruikers"],
}
JUROR_PAGES = {
    "/jury": ["Mijn jurywerk", "Voortgang"],
    "/aanvragen/{application}/beoordelen": ["Uw beoordeling", "Belangenconflict melden"],
}
CITY_PAGES = {
    "/jury": ["Mijn evaluaties"],
    "/aanvragen/{application}": ["Ontvankelijkheid"],
}

#: Pages that list the API's English schema and field names (codes, not UI text).
CODE_PAGES = {"/api"}
CHROME_TAGS = {"header", "title", "h1", "h2", "h3", "th", "label", "button", "legend", "caption", "dt"}
CATALOG = Path(__file__).parents[2] / "app" / "translations" / "en" / "LC_MESSAGES" / "messages.po"


class _Text(HTMLParser):
    """Visible text nodes (and placeholder/title/aria-label values), plus those of the page chrome."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.nodes: list[str] = []
        self.chrome: list[str] = []
        self._skip = 0
        self._open: list[str] = []

    def handle_starttag(self, tag, attrs):
        if tag in ("script", "style"):
            self._skip += 1
        if tag in CHROME_TAGS:
            self._open.append(tag)
        for key, value in attrs:
            if key in ("placeholder", "title", "aria-label") and value:
                self.nodes.append(" ".join(value.split()))

    def handle_endtag(self, tag):
        if tag in ("script", "style"):
            self._skip -= 1
        if tag in CHROME_TAGS and tag in self._open:
            self._open.remove(tag)

    def handle_data(self, data):
        text = " ".join(data.split())
        if self._skip or not text:
            return
        self.nodes.append(text)
        if self._open:
            self.chrome.append(text)


def parse(html: str) -> _Text:
    parser = _Text()
    parser.feed(html)
    return parser


def has_word(text: str, word: str) -> bool:
    return re.search(rf"(?<![\w-]){re.escape(word)}(?![\w-])", text) is not None


@pytest.fixture(scope="module")
def catalog() -> tuple[set[str], set[str]]:
    """(Dutch msgids, English msgstrs) that differ between the languages; short and formatted ones
    left out (a word like "Type" or a template with placeholders is no evidence)."""
    from babel.messages.pofile import read_po

    with CATALOG.open("rb") as fh:
        messages = [m for m in read_po(fh, locale="en") if m.id and isinstance(m.id, str) and m.string]
    pairs = [(m.id, m.string) for m in messages if m.id != m.string and "%" not in m.id and len(m.id) >= 4]
    dutch = {nl for nl, _ in pairs}
    english = {en for _, en in pairs} - {m.id for m in messages}
    return dutch, english


def municipality_names(app) -> set[str]:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Municipality

    with app.app_context():
        names = set(db.session.scalars(select(Municipality.name_nl)))
        db.session.remove()
    return names


def first_project(app) -> int:
    from sqlalchemy import select

    from app.core.extensions import db
    from app.models import Project

    with app.app_context():
        pid = db.session.scalar(select(Project.id).order_by(Project.id))
        db.session.remove()
    return pid


def check_pages(app, pages: dict[str, list[str]], nav: dict[str, str], catalog, email: str | None,
                **ids) -> list[str]:
    """Fetch every page in Dutch and in English (one session each); return what is wrong."""
    dutch_msgids, english_msgstrs = catalog
    names = municipality_names(app)
    problems: list[str] = []
    for lang in ("nl", "en"):
        client = app.test_client()
        client.get(f"/?lang={lang}")
        if email:
            assert client.post("/login", data={"email": email, "password": PASSWORD}).status_code == 302
        for pattern, words in pages.items():
            url = pattern.format(**ids)
            resp = client.get(url)
            assert resp.status_code == 200, (lang, url, resp.status_code)
            page = parse(resp.get_data(as_text=True))
            chrome, text = " | ".join(page.chrome), " | ".join(page.nodes)
            for nl_word, en_word in nav.items():
                if lang == "nl" and not has_word(chrome, nl_word):
                    problems.append(f"nl {url}: navigation word {nl_word!r} missing")
                if lang == "en" and has_word(chrome, nl_word):
                    problems.append(f"en {url}: Dutch navigation word {nl_word!r}")
                if lang == "en" and not has_word(chrome, en_word):
                    problems.append(f"en {url}: English navigation word {en_word!r} missing")
            for word in words:
                if (lang == "nl") != has_word(text, word):
                    problems.append(f"{lang} {url}: Dutch word {word!r} " + ("missing" if lang == "nl" else "shown"))
            for node in page.nodes:
                if node in names:
                    continue
                if lang == "en" and node in dutch_msgids:
                    problems.append(f"en {url}: untranslated {node!r}")
                if lang == "nl" and node in english_msgstrs and url not in CODE_PAGES:
                    problems.append(f"nl {url}: English {node!r}")
    return problems


def test_public_pages_speak_one_language(app, catalog):
    pages = {url.format(project=first_project(app)): words for url, words in PUBLIC_PAGES.items()}
    problems = check_pages(app, pages, NAV, catalog, None)
    assert not problems, "\n".join(problems)


def small_plan(runner) -> int:
    """A solved mobility plan over eight municipalities (fast); returns its id."""
    from sqlalchemy import func, select

    from app.core.extensions import db
    from app.models import ClusterPlan

    out = runner.invoke(args=["plan-clusters", "--domain", "mobility", "--lighthouses", "2",
                              "--participants", "44021,24062,11002,31005,34022,71072,12025,23088",
                              "--time-limit", "5"])
    assert out.exit_code == 0, out.output
    with runner.app.app_context():
        plan = db.session.scalar(select(func.max(ClusterPlan.id)))
        db.session.remove()
    return plan


def test_admin_juror_and_city_pages_speak_one_language(app, client, runner, admin_headers, catalog):
    j = demo_call(app)
    juror = add_jurors(app, client, admin_headers, j, 3)[0]
    result = assign(client, admin_headers, j, reviewers=2, max_load=6)
    mine = next(p["application"] for p in result["assignments"] if p["juror"] == j.jurors[juror])
    make_user(app, "sro@example.org", "admin")
    lead = client.get(f"/api/v1/applications/{mine}", headers=admin_headers).json["lead"]
    from tests.app.jury_setup import municipality_id

    make_user(app, "stad@example.org", "city", municipality_id=municipality_id(app, lead))
    from tests.app.test_api_calls import application, make_call, post_app

    # a draft in an open call: the demo call's applications are locked (it is with the jury)
    draft = post_app(client, admin_headers, make_call(client, admin_headers)["id"],
                     application(status="draft"))["id"]
    ids = {"call": j.call_id, "application": mine, "plan": small_plan(runner), "draft": draft}
    problems = check_pages(app, ADMIN_PAGES, NAV_SIGNED_IN, catalog, "sro@example.org", **ids)
    problems += check_pages(app, JUROR_PAGES, NAV_SIGNED_IN, catalog, juror, **ids)
    problems += check_pages(app, CITY_PAGES, NAV_SIGNED_IN, catalog, "stad@example.org", **ids)
    assert not problems, "\n".join(problems)


def test_form_messages_and_error_pages_switch(client):
    bad = "/partners?municipality=&domain=nope&limit=abc"
    client.get("/?lang=nl")
    dutch = client.get(bad).get_data(as_text=True)
    missing = client.get("/bestaat-niet")
    assert missing.status_code == 404
    assert "Dit veld is vereist." in dutch and "This field is required." not in dutch
    assert "Niet gevonden" in missing.get_data(as_text=True)
    assert "Not Found" not in missing.get_data(as_text=True)
    client.get("/?lang=en")
    english = client.get(bad).get_data(as_text=True)
    assert "This field is required." in english and "Dit veld is vereist." not in english
    page = client.get("/bestaat-niet").get_data(as_text=True)
    assert "Not found" in page and "Niet gevonden" not in page
