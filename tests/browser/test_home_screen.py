"""On the home screen: Chromium finds nothing that stops the app installing, the offline page shows
with the network off, no page is stored by the service worker, and live updates still arrive."""
import pytest

from tests import factories
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS


@pytest.fixture
def persistent(browser, tmp_path):
    """A normal (not incognito) profile: Chromium refuses to install from an incognito one."""
    context = browser.browser_type.launch_persistent_context(
        str(tmp_path / "profile"), executable_path=CHROMIUM, args=CHROMIUM_ARGS, viewport={"width": 360, "height": 780})
    yield context
    context.close()


def test_the_app_installs_works_offline_and_stays_live(persistent, live_server, community, resident, neighbour):
    page = persistent.pages[0] if persistent.pages else persistent.new_page()
    page.set_default_timeout(10_000)
    errors = []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(live_server + "/login")
    page.fill("input[name=login]", resident.login)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit].primary")
    page.wait_for_url(live_server + "/")
    page.evaluate("navigator.serviceWorker.ready.then(() => true)")
    page.reload()
    page.wait_for_function("navigator.serviceWorker.controller !== null")

    cdp = persistent.new_cdp_session(page)
    assert cdp.send("Page.getInstallabilityErrors")["installabilityErrors"] == []
    manifest = cdp.send("Page.getAppManifest")
    assert manifest["errors"] == [] and '"theme_color": "#9a3412"' in manifest["data"]

    # Live updates pass the worker by: a neighbour's new card arrives on the open board.
    page.wait_for_function("document.querySelector('[data-sse-connect], [sse-connect]') !== null")
    page.wait_for_timeout(500)
    card = factories.card(neighbour, title="Rice for a neighbour")
    page.wait_for_selector(f"#card-{card.id}")

    # What the worker keeps: static files and the offline page, never a page of the board.
    kept = page.evaluate("""async () => {
      const urls = [];
      for (const name of await caches.keys()) for (const r of await (await caches.open(name)).keys()) urls.push(new URL(r.url).pathname);
      return urls; }""")
    assert "/offline" in kept and any(u.startswith("/static/") for u in kept)
    assert all(u == "/offline" or u.startswith("/static/") for u in kept), kept

    persistent.set_offline(True)
    page.goto(live_server + f"/cards/{card.id}")
    assert "No connection" in page.content() and "没有网络" in page.content()
    assert "Rice for a neighbour" not in page.content()
    persistent.set_offline(False)
    page.goto(live_server + "/")
    assert "Rice for a neighbour" in page.content()
    assert [e for e in errors if "ERR_INTERNET_DISCONNECTED" not in e] == []
