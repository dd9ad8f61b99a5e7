"""The rough edges that are about live behaviour (issue 13 §6), in a real browser at 360 px, no reloads:
the box's check-in page, register and shelf list follow changes; live alerts replace each other."""
import pytest

from board.box import service as box
from board.cards import handoffs, transitions
from tests import factories
from tests.browser.test_live_board import expect, not_reloaded, streaming

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "LIVE_HEARTBEAT_SECONDS": 1}


@pytest.fixture
def keeper(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201")


def test_check_in_register_and_shelf_follow_a_gift_live(console, live_server, browser_login, community, resident,
                                                         keeper):
    check = expect()
    shelf = factories.shelf(community, keepers=(keeper,))
    factories.box_item(shelf, name="Ibuprofen", quantity=3)
    check_in = streaming(browser_login(console(), keeper))
    check_in.goto(f"{live_server}/box/shelves/{shelf.id}/check-in")
    streaming(check_in)
    register = check_in.context.new_page()
    register.goto(f"{live_server}/box/shelves/{shelf.id}/register")
    streaming(register)
    shelf_page = browser_login(console(), resident)
    shelf_page.goto(f"{live_server}/box/shelves/{shelf.id}")
    streaming(shelf_page)

    # A neighbour gives: the keeper's open check-in page and register show it without a reload.
    box.offer_gift(resident, shelf, name="Noodles", category="food", quantity=2, unit="pack")
    check(check_in.locator(f"#gifts-{shelf.id} article.gift")).to_contain_text("Noodles")
    check(register.locator(f"#register-{shelf.id} .line-gift")).to_contain_text("Noodles")
    assert not_reloaded(check_in) and not_reloaded(register)

    # The keeper checks it in (from another tab): the register and the resident's shelf page follow.
    gift = box.pending_gifts(shelf)[0]
    box.accept_gift(keeper, gift.id)
    check(register.locator(f"#register-{shelf.id} .line-gift_checkin")).to_contain_text("Noodles")
    check(shelf_page.locator("#item-list")).to_contain_text("Noodles")
    check(check_in.locator(f"#gifts-{shelf.id} article.gift")).to_have_count(0)
    # …and the giver hears of it.
    check(shelf_page.locator("#messages .live-alert")).to_contain_text("Your gift was checked in")
    assert not_reloaded(shelf_page) and not_reloaded(register) and not_reloaded(check_in)
    assert check_in.errors == [] and shelf_page.errors == []


def test_live_alerts_replace_each_other_instead_of_stacking(console, live_server, browser_login, resident, neighbour):
    check = expect()
    need = factories.card(resident, title="Fever medicine")
    page = browser_login(console(), resident)
    page.goto(f"{live_server}/cards/{need.id}")
    streaming(page)
    handoff = handoffs.offer_help(need, neighbour)
    check(page.locator("#messages .live-alert")).to_contain_text("A neighbour matched your card")
    transitions.apply_handoff(handoff, "leave_at_door", neighbour, note="on the handle")
    check(page.locator("#messages .live-alert")).to_contain_text("Left on your door handle!")
    check(page.locator("#messages .live-alert")).to_have_count(1)
    transitions.apply_handoff(handoff, "report_not_there", resident)  # my own move: no alert of mine
    check(page.locator(f"#card-{need.id} .card-meta .badge.status")).to_have_text("Matched")
    check(page.locator("#messages .live-alert")).to_have_count(1)
    assert not_reloaded(page) and page.errors == []
