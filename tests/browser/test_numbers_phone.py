"""The numbers page in a real browser at 360 px: charts drawn, readable, no script needed, axe clean, both languages."""
import pytest

from board.cards import handoffs
from board.extensions import db
from board.models import Handoff, User
from tests import factories
from tests.browser.test_phone import HEIGHT, WIDTH, assert_phone_friendly, axe_violations

PERIODS = ("week", "month", "all")


@pytest.fixture
def week(community, resident, neighbour, coordinator):
    """Four needs met in Building 1, one in Building 2, an offer given: a bar for one building, "fewer than 3"."""
    b2 = factories.user(community, login="mei", display_name="Xiaomei", building=1, unit="804")
    for author, title in ((resident, "Rice"), (resident, "Eggs"), (coordinator, "Milk"), (coordinator, "Masks"),
                          (b2, "Bread")):
        h = handoffs.offer_help(factories.card(author, title=title, category="food"), neighbour)
        handoffs.move(db.session.get(Handoff, h.id), "receive_in_person", author)
    offer = factories.card(neighbour, kind="offer", title="Dumplings", category="food", quantity=2)
    handoffs.move(handoffs.ask(offer, resident, 1), "receive_in_person", resident)


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_numbers_fit_a_phone_and_draw_their_charts(console, live_server, browser_login, week, resident, locale):
    page = console(width=WIDTH, height=HEIGHT, locale=locale)
    browser_login(page, resident)
    if locale == "zh-CN":
        db.session.get(User, resident.id).locale = "zh_CN"
        db.session.commit()
    for period in PERIODS:
        page.goto(f"{live_server}/numbers/?period={period}")
        assert_phone_friendly(page, period)
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert_phone_friendly(page, period + " (table open)")
        charts = page.locator("svg.chart[role=img]")
        assert charts.count() == 3, period
        for i in range(3):
            chart = charts.nth(i)
            box = chart.bounding_box()
            assert box["width"] >= 300 and box["height"] > 25, (period, box)
            labelled = chart.get_attribute("aria-labelledby").split()
            assert all(page.locator(f"#{id_}").text_content().strip() for id_ in labelled), period
        # Columns for the time chart, a bar for Building 1 only, bars for each category.
        assert page.locator("#chart-time-title ~ rect.need").count() >= 1
        assert page.locator("svg.chart:has(#chart-building-title) rect.bar").count() == 1
        few = "少于3" if locale == "zh-CN" else "fewer than 3"
        assert few in page.locator("ul.building-list").inner_text()
        assert page.locator(".tile .figure").first.inner_text() == "5"  # needs met
    assert page.errors == []  # no CSP violation, no script error


def test_the_numbers_have_no_axe_violations(axe_page, live_server, browser_login, week, resident):
    page = axe_page()
    browser_login(page, resident)
    for period in PERIODS:
        page.goto(f"{live_server}/numbers/?period={period}")
        page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
        assert axe_violations(page) == [], period


def test_the_numbers_work_without_javascript(contexts, live_server, week, resident):
    context = contexts(java_script_enabled=False, viewport={"width": WIDTH, "height": HEIGHT})
    page = context.new_page()
    page.goto(f"{live_server}/login")
    page.fill("input[name=login]", resident.login)
    page.fill("input[name=password]", factories.PASSWORD)
    page.click("button[type=submit].primary")
    page.goto(f"{live_server}/numbers/")
    page.click("nav.periods a:has-text('This month')")
    assert "period=month" in page.url
    assert page.locator("nav.periods a[aria-current=page]").inner_text() == "This month"
    assert page.locator("svg.chart").count() == 3
