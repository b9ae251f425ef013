"""Browser fixtures: the app on a live local server, driven by Playwright in Debian's chromium.

Chromium is ``CHROMIUM_PATH`` when set, else the ``chromium`` found on PATH (Debian's package).
When there is none these tests are skipped with one clear line (``make test`` installs it with
apt-get when it can); with ``REQUIRE_BROWSER=1`` (CI) that is a failure instead.
"""

from __future__ import annotations

import os
import shutil
import threading

import pytest

from tests.conftest import require_service

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or shutil.which("chromium-browser")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--disable-sync", "--no-first-run"]


@pytest.fixture(scope="session")
def browser():
    if not (CHROMIUM and os.path.exists(CHROMIUM)):
        where = f"not at CHROMIUM_PATH={CHROMIUM}" if CHROMIUM else "not on PATH, CHROMIUM_PATH unset"
        require_service("REQUIRE_BROWSER", "browser tests",
                        f"no chromium ({where}; make test installs it with apt-get as root)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield b
        b.close()


class LiveServer:
    def __init__(self, app):
        from werkzeug.serving import make_server

        self.app = app
        self.server = make_server("127.0.0.1", 0, app, threaded=True)
        self.url = f"http://127.0.0.1:{self.server.server_port}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def stop(self):
        self.server.shutdown()
        self.thread.join(5)


@pytest.fixture
def live_app(db_url, tmp_path):
    """The app with CSRF on (as in production) for browser tests."""
    from tests.conftest import make_app

    return make_app(db_url, WTF_CSRF_ENABLED=True, DOCUMENTS_DIR=tmp_path / "documents")


@pytest.fixture
def live_server(live_app):
    server = LiveServer(live_app)
    yield server
    server.stop()
    from app.core.extensions import db

    with live_app.app_context():
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def page(browser, live_server):
    context = browser.new_context(locale="nl-BE", viewport={"width": 1280, "height": 900})
    pg = context.new_page()
    pg.set_default_timeout(15000)
    pg.base = live_server.url
    yield pg
    context.close()


def create_user(app, email: str, role: str, password: str = "correct horse battery", **affiliation):
    from app.core.extensions import db
    from app.models import User

    with app.app_context():
        user = User(email=email, role=role, **affiliation)
        user.set_password(password)
        db.session.add(user)
        db.session.commit()
    return email, password


def login(page, email: str, password: str = "correct horse battery") -> None:
    page.goto(page.base + "/login")
    page.fill("input[name=email]", email)
    page.fill("input[name=password]", password)
    with page.expect_navigation():
        page.click("form button[type=submit]")
    page.wait_for_selector(".flash.success")


def map_ready(page, map_id: str):
    """Wait until the Leaflet map ``map_id`` has drawn its outlines; return its locator."""
    page.wait_for_selector(f"#{map_id}.vt-map-ready", timeout=20000)
    return page.locator(f"#{map_id}")


def assert_map_zooms_and_names(page, map_id: str, refnis: str, name: str) -> None:
    """Pointing at a municipality's outline shows a tooltip with its name, and the map zooms in
    with its + button (real mouse events, as a user would)."""
    element = map_ready(page, map_id)
    element.scroll_into_view_if_needed()
    # A point of the viewport where the outline itself is the topmost element.
    point = page.evaluate(
        """([id, refnis]) => {
             const path = document.querySelector(`#${id} path.vt-refnis-${refnis}`);
             if (!path) return null;
             const box = path.getBoundingClientRect();
             for (const fy of [0.5, 0.35, 0.65, 0.2, 0.8]) {
               for (const fx of [0.5, 0.35, 0.65, 0.2, 0.8]) {
                 const x = box.left + fx * box.width, y = box.top + fy * box.height;
                 if (document.elementFromPoint(x, y) === path) return [x, y];
               }
             }
             return null;
           }""", [map_id, refnis])
    assert point is not None, f"{refnis} is not drawn (or hidden) on #{map_id}"
    page.mouse.move(point[0], point[1])
    tooltip = element.locator(".leaflet-tooltip")
    tooltip.first.wait_for(timeout=5000)
    assert name in tooltip.first.inner_text()

    from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

    before = float(element.get_attribute("data-zoom"))
    # On a loaded machine Leaflet can drop a click that lands while an earlier animation (the
    # tooltip's pan, the first fit) is still running; a user clicks again, and so does the test.
    # Three clicks that all leave the zoom unchanged still fail.
    for attempt in range(3):
        element.locator(".leaflet-control-zoom-in").click()
        try:
            page.wait_for_function(
                "([id, z]) => parseFloat(document.getElementById(id).dataset.zoom) > z",
                arg=[map_id, before], timeout=10000)
            break
        except PlaywrightTimeoutError:
            if attempt == 2:
                raise
