"""The medicine box on a phone (360 × 740): take with one tap, see others' takes live, give, check in."""
from datetime import date, timedelta

import pytest

from board.box import service
from tests import factories
from tests.browser.test_phone import HEIGHT, WIDTH, assert_phone_friendly, axe_violations


@pytest.fixture
def keeper(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201")


@pytest.fixture
def shelf(community, keeper):
    shelf = factories.shelf(community, name="共享药箱 Medicine box — property office", keepers=(keeper,))
    factories.box_item(shelf, name="布洛芬 Ibuprofen 0.3 g × 24", quantity=3, sealed=True)
    factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=10, unit="test", daily_limit=1)
    factories.box_item(shelf, name="Children's fever syrup", quantity=1, unit="bottle", for_child=True,
                       expires_on=date.today() + timedelta(days=9))
    factories.box_item(shelf, name="Cold granules", quantity=2, expires_on=date.today() - timedelta(days=1))
    return shelf


def test_shelf_pages_fit_a_phone(console, live_server, browser_login, shelf, resident, keeper):
    item = service.items(shelf)[0]
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    for path in ("/box/", f"/box/shelves/{shelf.id}", f"/box/items/{item.id}", f"/box/shelves/{shelf.id}/give",
                 f"/box/items/{item.id}/deliver", "/box/mine"):
        page.goto(live_server + path)
        assert_phone_friendly(page, path)
    assert page.errors == []
    keeper_page = console(width=WIDTH, height=HEIGHT)
    browser_login(keeper_page, keeper)
    service.offer_gift(resident, shelf, name="Noodles", category="food", quantity=2, unit="pack")
    for path in (f"/box/items/{item.id}", f"/box/shelves/{shelf.id}/check-in", f"/box/shelves/{shelf.id}/register"):
        keeper_page.goto(live_server + path)
        assert_phone_friendly(keeper_page, path)
    assert keeper_page.errors == []


def test_one_tap_takes_and_the_count_changes_in_place(console, live_server, browser_login, shelf, resident):
    item = service.items(shelf, "Antigen")[0]
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, resident)
    page.goto(live_server + f"/box/shelves/{shelf.id}")
    page.wait_for_function("() => window.htmx !== undefined")
    page.evaluate("() => { window.stillThePage = 'yes'; }")
    page.click(f"#item-card-{item.id} button:has-text('Take')")
    # The count may arrive first over the live stream; the answer to the tap brings the message.
    page.wait_for_function("() => document.getElementById('messages').textContent.includes('You took 1 test')")
    assert page.locator(f"#item-{item.id} .item-count").get_attribute("data-available") == "9"
    # The household limit answers beside the button, still without a reload.
    page.click(f"#item-card-{item.id} button:has-text('Take')")
    page.wait_for_selector(f"#item-card-{item.id} p.error")
    assert "Each household may take 1" in page.locator(f"#item-card-{item.id} p.error").inner_text()
    assert page.evaluate("() => window.stillThePage") == "yes"
    assert [e for e in page.errors if "status of 409" not in e] == []  # the refusal is a 409, by design


def test_a_neighbours_take_shows_live_on_an_open_shelf_page(console, live_server, browser_login, shelf, resident,
                                                            neighbour):
    item = service.items(shelf, "Ibuprofen")[0]
    watcher = console(width=WIDTH, height=HEIGHT)
    browser_login(watcher, neighbour)
    watcher.goto(live_server + f"/box/shelves/{shelf.id}")
    watcher.wait_for_function("() => document.getElementById('live') && document.getElementById('live').getAttribute('data-live-mode')")
    taker = console(width=WIDTH, height=HEIGHT)
    browser_login(taker, resident)
    taker.goto(live_server + f"/box/shelves/{shelf.id}")
    taker.click(f"#item-card-{item.id} button:has-text('Take')")
    watcher.wait_for_function(f"() => document.querySelector('#item-{item.id} .item-count').dataset.available === '2'")
    assert watcher.errors == [] and taker.errors == []


def test_give_then_a_keeper_checks_it_in_from_a_phone(console, live_server, browser_login, shelf, resident, keeper):
    giver = console(width=WIDTH, height=HEIGHT)
    browser_login(giver, resident)
    giver.goto(live_server + f"/box/shelves/{shelf.id}/give")
    giver.fill("input[name=name]", "挂面 Noodles")
    giver.select_option("select[name=category]", "food")
    giver.fill("input[name=quantity]", "3")
    giver.fill("input[name=unit]", "pack")
    giver.click("form.form button[type=submit]")
    giver.wait_for_url(f"**/box/shelves/{shelf.id}")
    assert "a keeper will check it in" in giver.locator("#messages").inner_text()
    page = console(width=WIDTH, height=HEIGHT)
    browser_login(page, keeper)
    page.goto(live_server + f"/box/shelves/{shelf.id}/check-in")
    page.click("article.gift button:has-text('Accept')")
    page.wait_for_url(f"**/box/shelves/{shelf.id}/check-in")
    page.goto(live_server + f"/box/shelves/{shelf.id}?q=Noodles")
    assert "3" == page.locator("#item-list .item-count").first.get_attribute("data-available")
    assert giver.errors == [] and page.errors == []


@pytest.mark.parametrize("who", ["resident", "keeper"])
def test_shelf_pages_have_no_axe_violations(request, axe_page, live_server, browser_login, shelf, who):
    item = service.items(shelf)[0]
    page = axe_page()
    browser_login(page, request.getfixturevalue(who))
    paths = [f"/box/shelves/{shelf.id}", f"/box/items/{item.id}", f"/box/shelves/{shelf.id}/give"]
    if who == "keeper":
        paths += [f"/box/shelves/{shelf.id}/check-in", f"/box/shelves/{shelf.id}/register"]
    for path in paths:
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
