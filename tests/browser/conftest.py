"""Real-browser fixtures: the app served from a thread, Debian's chromium driven by Playwright."""
import os
import shutil
import threading
import time

import pytest
from werkzeug.serving import make_server

CHROMIUM = os.environ.get("BOARD_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
    "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
]


def pytest_collection_modifyitems(config, items):
    here = os.path.dirname(__file__)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser():
    if not (os.path.exists(CHROMIUM) or shutil.which(CHROMIUM)):
        pytest.skip(f"no chromium at {CHROMIUM} (apt-get install chromium; .ci/run does)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def app_config():
    # The browser sends real forms: CSRF stays on, exactly as in production.
    return {"WTF_CSRF_ENABLED": True}


@pytest.fixture
def live_server(app):
    """Serve the test app on a free port in a thread; yields its base URL."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=5)
    # A request the browser sent last may still be running: the tables are emptied next, and a
    # TRUNCATE beside a request reading them deadlocks on PostgreSQL. Open streams may outlive
    # this wait; empty_all_tables retries for them.
    deadline = time.monotonic() + 5
    for request_thread in list(getattr(server, "_threads", None) or ()):
        request_thread.join(timeout=max(0.0, deadline - time.monotonic()))


@pytest.fixture
def contexts(browser):
    """contexts(**options): a fresh browser context (own cookies), all closed after the test."""
    made = []

    def make(**options):
        context = browser.new_context(**options)
        made.append(context)
        return context

    yield make
    for context in made:
        context.close()


def fresh_page(context):
    page = context.new_page()
    page.set_default_timeout(10_000)
    return page


@pytest.fixture
def new_page(contexts, live_server):
    """new_page(width=360): a page in a context of its own, at a phone's size."""

    def make(width: int = 360, height: int = 740, locale: str = "en-GB"):
        return fresh_page(contexts(viewport={"width": width, "height": height}, locale=locale))

    return make


@pytest.fixture
def console(new_page):
    """console(): a new page that records console errors (CSP violations and htmx errors land there)
    and uncaught exceptions in `page.errors`."""

    def make(**kwargs):
        page = new_page(**kwargs)
        page.errors = []
        page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
        page.on("pageerror", lambda exc: page.errors.append(str(exc)))
        return page

    return make


@pytest.fixture
def axe_page(contexts):
    """axe is injected as an inline script, which our own CSP rightly refuses: this context bypasses it."""
    return lambda: fresh_page(contexts(bypass_csp=True, viewport={"width": 360, "height": 740}))


@pytest.fixture
def browser_login(live_server):
    """browser_login(page, user): log a page in through the real form."""
    from tests.factories import PASSWORD

    def log_in(page, user, password=PASSWORD):
        page.goto(f"{live_server}/login")
        page.fill("input[name=login]", user.login)
        page.fill("input[name=password]", password)
        page.click("button[type=submit].primary")
        page.wait_for_url(f"{live_server}/")
        return page

    return log_in
