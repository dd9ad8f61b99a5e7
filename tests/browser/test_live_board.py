"""Live board in a real browser: two residents, two browser contexts, no reloads."""
import re

import pytest

from board.extensions import db
from tests import factories

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    # Real forms (CSRF on, as in production); short heartbeats so closed streams end quickly.
    return {"WTF_CSRF_ENABLED": True, "LIVE_HEARTBEAT_SECONDS": 1}


def expect():
    from playwright.sync_api import expect as _expect

    _expect.set_options(timeout=15_000)
    return _expect


def streaming(page):
    """Wait until the page's stream said hello (so it is subscribed), and mark the page to catch reloads."""
    expect()(page.locator("#live")).to_have_attribute("data-live-mode", "stream")
    page.evaluate("window.__sameDocument = true")
    return page


def not_reloaded(page) -> bool:
    return page.evaluate("window.__sameDocument === true")


def test_post_match_leave_and_confirm_reach_the_other_resident_live(new_page, browser_login, live_server, resident, neighbour):
    check = expect()
    a = browser_login(new_page(), resident)
    b_board = streaming(browser_login(new_page(), neighbour))

    # A posts a need; it appears on B's board without a reload, and the counts follow.
    a.goto(f"{live_server}/cards/new")
    a.fill("input[name=title]", "Fever medicine a pregnant woman can take")
    a.click("button[type=submit].primary")
    a.wait_for_url(re.compile(r"/cards/\d+$"))
    card_id = a.url.rsplit("/", 1)[1]
    card_on_b = b_board.locator(f"#card-list > #card-{card_id}")
    check(card_on_b).to_contain_text("Fever medicine a pregnant woman can take")
    check(b_board.locator("#board-counts")).to_contain_text("1 open need")
    streaming(a)

    # B opens it (another tab of B's) and matches: A's card page changes, A's bell rings.
    b = b_board.context.new_page()
    b.goto(f"{live_server}/cards/{card_id}")
    streaming(b)
    b.get_by_role("button", name="I can help").click()
    check(a.locator(f"#card-{card_id} .card-meta .badge.status")).to_have_text("Matched")
    check(a.locator("#bell .bell-count")).to_have_text("1")
    check(a.locator("#messages .live-alert")).to_contain_text("A neighbour matched your card")
    # …and the card leaves B's board, which was never reloaded.
    check(card_on_b).to_have_count(0)
    check(b_board.locator("#board-counts")).to_contain_text("0 open needs")

    a_activity = a.context.new_page()
    a_activity.goto(f"{live_server}/me/activity")
    streaming(a_activity)

    # B leaves it on the door handle: A sees it at once, highlighted, with A's own button to confirm.
    b.get_by_role("link", name="Mark left at door").click()
    b.fill("textarea[name=note], input[name=note]", "On the handle, in a red bag")
    b.get_by_role("button", name="Mark left at door").click()
    b.wait_for_url(re.compile(rf"/cards/{card_id}"))
    streaming(b)
    check(a.locator("#messages .live-alert.kind-left_at_door")).to_contain_text("Left on your door handle!")
    check(a.locator(f"#card-{card_id}")).to_have_class(re.compile(r"\blive-arrived\b"))
    check(a.locator(f"#card-{card_id} .card-meta .badge.status")).to_have_text("Left at the door")
    confirm = a.get_by_role("button", name="Confirm received")
    check(confirm).to_be_visible()
    check(a.locator("#bell .bell-count")).to_have_text("2")
    # My activity, open in another tab, follows too: the card's state and A's button on it.
    activity_card = a_activity.locator(f"#activity-needs #card-{card_id}")
    check(activity_card.locator(".card-meta .badge.status")).to_have_text("Left at the door")
    check(activity_card.get_by_role("button", name="Confirm received")).to_be_visible()
    check(a_activity.locator("#bell .bell-count")).to_have_text("2")

    # A confirms: B's card page shows it received, and B's board still does not show it.
    confirm.click()
    check(b.locator(f"#card-{card_id} .card-meta .badge.status")).to_have_text("Received")
    check(b.get_by_role("button", name="I can help")).to_have_count(0)
    check(card_on_b).to_have_count(0)
    assert not_reloaded(a) and not_reloaded(b_board)


def test_board_catches_up_after_the_stream_is_cut(app, new_page, browser_login, resident, neighbour):
    check = expect()
    old = factories.card(neighbour, title="Rice, 5 kg")
    a = streaming(browser_login(new_page(), resident))
    check(a.locator(f"#card-{old.id}")).to_be_visible()

    # Cut: the browser goes offline and the server ends A's stream.
    a.context.set_offline(True)
    broker = app.extensions["live"]
    for subscriber in broker.subscribers(resident.community_id):
        if subscriber.user_id == resident.id:
            broker.drop(subscriber)
    check(a.locator("#live")).not_to_have_attribute("data-live-mode", "stream")

    # Meanwhile: two new cards, one withdrawn.
    factories.card(neighbour, title="Antigen tests")
    factories.card(neighbour, kind="offer", category="food", title="Vegetables from my balcony")
    from board.cards import transitions

    transitions.apply(db.session.get(type(old), old.id), "withdraw", neighbour)

    # Restored: the board catches up with all of it, without a reload.
    a.context.set_offline(False)
    check(a.locator("#card-list")).to_contain_text("Antigen tests")
    check(a.locator("#card-list")).to_contain_text("Vegetables from my balcony")
    check(a.locator(f"#card-{old.id}")).to_have_count(0)
    check(a.locator("#board-counts")).to_contain_text("1 open need · 1 open offer")
    assert not_reloaded(a)


def test_page_falls_back_to_polling_when_the_stream_cannot_be_held(new_page, browser_login, live_server, resident, neighbour):
    check = expect()
    page = new_page()
    # A proxy that answers the stream but never passes an event on: the page must poll instead.
    page.route(re.compile(r".*/live/stream.*"), lambda route: route.fulfill(
        status=200, headers={"Content-Type": "text/event-stream"}, body=": buffered\n\n"))
    browser_login(page, resident)
    check(page.locator("#live")).to_have_attribute("data-live-mode", "polling")
    page.evaluate("window.__sameDocument = true")
    factories.card(neighbour, title="Bread for an elderly neighbour")
    check(page.locator("#card-list")).to_contain_text("Bread for an elderly neighbour")
    assert not_reloaded(page)


def offer_another_neighbour_will_ask_for(giver, community):
    """A first-come offer of 5, and a call that makes a third neighbour ask for 1 of it (a live change)."""
    from board.cards import handoffs
    from board.models import Card

    offer = factories.card(giver, kind="offer", category="food", title="Rice", quantity=5, unit="bag", first_come=True)
    third = factories.user(community, login="third", unit="303")
    return offer, lambda: handoffs.ask(db.session.get(Card, offer.id), third, 1)


def test_a_card_being_filled_in_is_not_redrawn_under_the_residents_fingers(
    new_page, browser_login, live_server, resident, neighbour, community
):
    """A live change to a card waits while its form holds typed text; the resident's submit redraws it."""
    check = expect()
    offer, neighbour_asks = offer_another_neighbour_will_ask_for(neighbour, community)
    a = browser_login(new_page(), resident)
    a.goto(f"{live_server}/cards/{offer.id}")
    streaming(a)
    how_many = a.locator(f"#card-{offer.id} input[name=quantity]")
    how_many.fill("3")

    neighbour_asks()  # meanwhile

    check(a.locator(f"#card-{offer.id}")).to_have_attribute("data-live-stale", re.compile(r"/live/cards/"))
    check(how_many).to_have_value("3")
    assert not_reloaded(a)
    a.get_by_role("button", name="Ask for it").click()
    check(a.locator(f"#card-{offer.id}")).to_contain_text("You asked for 3")


def test_a_refresh_already_on_its_way_does_not_wipe_what_the_resident_typed_meanwhile(
    new_page, browser_login, live_server, resident, neighbour, community
):
    """The card's refresh left before the resident began typing; its answer arrives after: it waits."""
    check = expect()
    offer, neighbour_asks = offer_another_neighbour_will_ask_for(neighbour, community)
    a = browser_login(new_page(), resident)
    held = []
    a.route("**/live/cards/**", lambda route: held.append(route))  # the refresh answer is held back
    a.goto(f"{live_server}/cards/{offer.id}")
    streaming(a)

    neighbour_asks()  # meanwhile
    for _ in range(100):  # Playwright hands the held request over while the page waits
        if held:
            break
        a.wait_for_timeout(100)
    assert held, "the card asked for its refresh"
    how_many = a.locator(f"#card-{offer.id} input[name=quantity]")
    how_many.fill("3")  # typed while the refresh was on its way
    for route in held:
        route.continue_()
    check(a.locator(f"#card-{offer.id}")).to_have_attribute("data-live-stale", re.compile(r"/live/cards/"))
    check(how_many).to_have_value("3")
