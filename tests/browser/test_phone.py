"""Phones first, in a real browser at 360 × 740: no sideways scroll, 44 px targets, 16 px text,
htmx filters that also work without JavaScript, a clean console under the CSP, and no axe violations."""
import json
import os

import pytest

from tests import factories

AXE = os.path.join(os.path.dirname(__file__), "vendor", "axe-4.14.1.min.js")
WIDTH, HEIGHT = 360, 740

# Run in the page: what a thumb or an eye would trip over.
PHONE_PROBLEMS = """
() => {
  const problems = [];
  const visible = (el) => {
    const r = el.getBoundingClientRect();
    const s = getComputedStyle(el);
    return r.width > 0 && r.height > 0 && s.visibility !== 'hidden' && s.display !== 'none'
      && r.right > 0 && r.bottom > 0 && r.left < window.innerWidth;   // the off-screen skip link is not a target until focused
  };
  const name = (el) => el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') + (el.className && typeof el.className === 'string' ? '.' + el.className.trim().split(/\\s+/).join('.') : '') + ' "' + (el.textContent || el.value || '').trim().slice(0, 30) + '"';
  for (const el of document.querySelectorAll('a[href], button, input:not([type=hidden]), select, textarea, summary')) {
    if (!visible(el)) continue;
    let target = el;
    if (el.matches('input[type=checkbox], input[type=radio]')) target = el.closest('label') || el;
    const h = target.getBoundingClientRect().height;
    if (h < 44) problems.push(`tap target ${Math.round(h)}px high: ${name(el)}`);
  }
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const seen = new Set();
  while (walker.nextNode()) {
    const node = walker.currentNode;
    const el = node.parentElement;
    if (!node.textContent.trim() || seen.has(el) || !visible(el)) continue;
    seen.add(el);
    const size = parseFloat(getComputedStyle(el).fontSize);
    if (size < 16) problems.push(`text ${size}px: ${name(el)}`);
  }
  const width = document.documentElement.scrollWidth;
  if (width > window.innerWidth) problems.push(`page is ${width}px wide: scrolls sideways`);
  return problems;
}
"""


@pytest.fixture
def neighbourhood(app, community, resident, neighbour):
    """A board with a bit of everything: kinds, categories, tags, a long unbroken word."""
    factories.card(resident, title="急需孕妇能用的退烧药 Fever medicine a pregnant woman can take", urgency="urgent",
                   for_pregnant=True, details="38.5 °C since this morning.", quantity=1, unit="box")
    factories.card(neighbour, kind="offer", title="Antigen-tests-for-the-whole-building-sealed-and-unopened",
                   category="supplies", sealed=True, quantity=5, unit="test")
    factories.card(neighbour, kind="offer", title="Going to the pharmacy at 15:00", category="errand")
    factories.card(resident, title="Someone to call me in the evening", category="care", for_elderly=True)
    return community


def resident_pages(live_server, card_id):
    return {"board": "/", "card page": f"/cards/{card_id}", "post form": "/cards/new", "profile": "/profile"}


def assert_phone_friendly(page, what):
    problems = page.evaluate(PHONE_PROBLEMS)
    assert problems == [], f"{what}:\n" + "\n".join(problems)


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/register?code=JOIN1234", "/no-such-page"])
def test_visitor_pages_fit_a_phone(console, live_server, neighbourhood, path):
    page = console(width=WIDTH, height=HEIGHT)
    response = page.goto(live_server + path)
    assert_phone_friendly(page, path)
    if response.status == 404:  # chromium logs the page's own 404 status; nothing else may be logged
        page.errors = [e for e in page.errors if "status of 404" not in e]
    assert page.errors == []


def test_resident_pages_fit_a_phone(console, live_server, browser_login, neighbourhood, resident):
    card_id = factories.card(resident, title="A card of my own").id
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    for what, path in resident_pages(live_server, card_id).items():
        page.goto(live_server + path)
        assert_phone_friendly(page, what)
        # The filters and the form's details stay usable when opened.
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert_phone_friendly(page, what + " (opened)")
    assert page.errors == []


def test_a_form_with_errors_fits_a_phone(console, live_server, browser_login, resident):
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.goto(live_server + "/cards/new")
    page.fill("input[name=title]", "")
    page.fill("input[name=quantity]", "100000")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("p.error")
    assert_phone_friendly(page, "form with errors")
    assert page.errors == []


def test_changing_the_kind_filter_swaps_the_list_without_a_reload(console, live_server, browser_login, neighbourhood, resident):
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.stillThePage = 'yes'; }")
    assert page.locator("#card-list article").count() == 4
    if not page.locator("#kind").is_visible():
        page.locator("details > summary").first.click()
    page.select_option("#kind", "offer")
    page.wait_for_url("**/?*kind=offer*")
    page.wait_for_function("() => document.querySelectorAll('#card-list article').length === 2")
    assert page.evaluate("() => window.stillThePage") == "yes", "the page was reloaded"
    assert page.locator("#card-list article.kind-need").count() == 0
    # The URL is bookmarkable: opening it shows the same filtered board.
    bookmarked = page.url
    page.goto(bookmarked)
    assert page.locator("#card-list article").count() == 2
    assert page.locator("#kind").input_value() == "offer"
    assert page.errors == []


def test_search_swaps_the_list_as_you_type(console, live_server, browser_login, neighbourhood, resident):
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.stillThePage = 'yes'; }")
    page.fill("#q", "pharmacy")
    page.wait_for_function("() => document.querySelectorAll('#card-list article').length === 1")
    page.wait_for_url("**q=pharmacy*")
    assert page.evaluate("() => window.stillThePage") == "yes"
    assert page.errors == []


def test_the_filter_form_works_without_javascript(browser, live_server, neighbourhood, resident):
    context = browser.new_context(java_script_enabled=False, viewport={"width": WIDTH, "height": HEIGHT})
    try:
        page = context.new_page()
        page.set_default_timeout(10_000)
        page.goto(live_server + "/login")
        page.fill("input[name=login]", resident.login)
        page.fill("input[name=password]", factories.PASSWORD)
        page.click("form.form button[type=submit]")
        page.wait_for_url(live_server + "/")
        assert page.locator("#card-list article").count() == 4
        if not page.locator("#kind").is_visible():
            page.locator("details > summary").first.click()
        page.select_option("#kind", "offer")
        page.click("#filters button[type=submit]")
        page.wait_for_url("**kind=offer*")
        assert page.locator("#card-list article").count() == 2
        assert page.locator("#card-list article.kind-need").count() == 0
    finally:
        context.close()


def test_show_more_appends_the_next_page(app, console, live_server, browser_login, resident):
    app.config["BOARD_PAGE_SIZE"] = 3
    for i in range(7):
        factories.card(resident, title=f"Card number {i}")
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.stillThePage = 'yes'; }")
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('#card-list article').length === 6")
    page.click("#more")
    page.wait_for_function("() => document.querySelectorAll('#card-list article').length === 7")
    assert page.locator("#more").count() == 0
    assert page.evaluate("() => window.stillThePage") == "yes"
    assert page.errors == []


def axe_violations(page) -> list:
    page.add_script_tag(path=AXE)
    result = page.evaluate(
        "async () => await axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21aa', 'wcag22aa']}})"
    )
    return [
        {"id": v["id"], "help": v["help"], "nodes": [n["target"] for n in v["nodes"]][:5]}
        for v in result["violations"]
    ]


@pytest.mark.parametrize("path", ["/", "/login", "/register", "/register?code=JOIN1234"])
def test_visitor_pages_have_no_axe_violations(axe_page, live_server, neighbourhood, path):
    page = axe_page()
    page.goto(live_server + path)
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


def test_resident_pages_have_no_axe_violations(axe_page, live_server, browser_login, neighbourhood, resident):
    card_id = factories.card(resident, title="A card of my own", kind="offer", category="food").id
    page = axe_page()
    browser_login(page, resident)
    for what, path in resident_pages(live_server, card_id).items():
        page.goto(live_server + path)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        violations = axe_violations(page)
        assert violations == [], what + "\n" + json.dumps(violations, indent=1)


def test_a_form_with_errors_has_no_axe_violations(axe_page, live_server, browser_login, resident):
    page = axe_page()
    browser_login(page, resident)
    page.goto(live_server + "/cards/new")
    page.click("form.form button[type=submit]")
    page.wait_for_selector("p.error")
    violations = axe_violations(page)
    assert violations == [], json.dumps(violations, indent=1)


@pytest.fixture
def failing_view(app):
    """A view on this test app only that fails, for the htmx error path."""

    @app.route("/test-only/boom")
    def boom():
        raise RuntimeError("boom")

    return "/test-only/boom"


@pytest.mark.parametrize("path, message", [
    ("/cards/99999", "We could not find that"),
    ("/test-only/boom", "Something went wrong on our side"),
])
def test_an_htmx_request_that_fails_shows_the_message(new_page, live_server, browser_login, neighbourhood, resident,
                                                     failing_view, path, message):
    page = new_page(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate(f"() => htmx.ajax('GET', '{path}', {{target: '#card-list', swap: 'outerHTML'}})")
    page.wait_for_selector("#messages [role=alert]", timeout=5_000)
    assert message in page.inner_text("#messages")
    assert page.locator("#card-list article").count() == 4, "the list stays as it was"
