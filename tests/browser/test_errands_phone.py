"""An errand on three phones (360 × 740): a resident orders, the coordinator assigns, the volunteer delivers with a
photo, the resident confirms; the desk's counts change live on the coordinator's phone, never reloaded."""
import re

import pytest
from PIL import Image

from tests import factories
from tests.errands_helpers import errands_in_each_state
from tests.browser.test_handoff_phone import fits, phone
from tests.browser.test_live_board import expect, not_reloaded, streaming
from tests.browser.test_phone import axe_violations

pytestmark = pytest.mark.browser


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True, "LIVE_HEARTBEAT_SECONDS": 1}


def count(page, key):
    return page.locator(f"#desk-counts [data-count={key}]")


def test_order_assign_deliver_confirm_and_the_desk_counts_live(new_page, browser_login, live_server, community,
                                                               resident, coordinator, tmp_path):
    check = expect()
    volunteer = factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201",
                               role="volunteer")
    desk = phone(new_page, browser_login, coordinator)
    desk.goto(f"{live_server}/errands/")
    streaming(desk)
    check(count(desk, "waiting")).to_have_text("0")

    orderer = phone(new_page, browser_login, resident)
    orderer.goto(f"{live_server}/errands/new")
    orderer.fill("input[name=title]", "降压药 Blood pressure tablets")
    orderer.fill("input[name=from_where]", "Pharmacy on Jinting Road")
    orderer.fill("input[name=budget]", "60")
    fits(orderer, "the errand form")
    orderer.click("button[type=submit].primary")
    orderer.wait_for_url(re.compile(r"/errands/\d+$"))
    errand_url = orderer.url
    check(count(desk, "waiting")).to_have_text("1")  # live, on the coordinator's phone
    check(desk.locator("#desk-queue")).to_contain_text("Blood pressure tablets")  # and its row, fetched as her

    coordinator_page = phone(new_page, browser_login, coordinator)
    coordinator_page.goto(errand_url)
    fits(coordinator_page, "the errand for the coordinator")
    coordinator_page.get_by_role("button", name="Auntie Zhou").click()
    coordinator_page.wait_for_url(f"{live_server}/errands/")
    check(count(desk, "waiting")).to_have_text("0")
    check(count(desk, "assigned")).to_have_text("1")
    check(desk.locator("#desk-queue")).not_to_contain_text("Blood pressure tablets")  # assigned: out of the queue

    runner = phone(new_page, browser_login, volunteer)
    runner.goto(errand_url)
    runner.get_by_role("button", name="Accept").click()
    runner.wait_for_url(errand_url)
    assert "unit 502" in runner.inner_text("main")
    runner.get_by_role("button", name="I'm on my way").click()
    runner.wait_for_url(errand_url)
    check(count(desk, "on_the_way")).to_have_text("1")
    fits(runner, "the volunteer's errand on the way")

    photo = tmp_path / "door.jpg"
    Image.new("RGB", (800, 600), (90, 90, 200)).save(photo, "JPEG")
    runner.get_by_role("link", name="Left at the door").click()
    runner.fill("input[name=note]", "white bag on the handle")
    runner.set_input_files("input[name=photo]", str(photo))
    runner.click("form.form button[type=submit]")
    runner.wait_for_url(errand_url)
    check(count(desk, "delivered_today")).to_have_text("1")
    check(count(desk, "on_the_way")).to_have_text("0")

    orderer.goto(errand_url)
    orderer.get_by_role("button", name="I have it").click()
    orderer.wait_for_url(errand_url)
    check(orderer.locator("#errand-state")).to_have_text("Received")
    assert "502" not in runner.context.new_page().goto(errand_url).text(), "after the run the volunteer sees no door"
    assert not_reloaded(desk), "the desk changed in place"
    assert desk.errors == [] and orderer.errors == [] and runner.errors == []


@pytest.fixture
def errands_world(community, resident, neighbour, coordinator):
    """An errand waiting in the queue (with a team), one the volunteer runs, one on the problems list with money owed."""
    volunteer = factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2,
                                                 unit="201", role="volunteer"))  # the queue: on duty
    return {"volunteer": volunteer, **errands_in_each_state(community, resident, neighbour, volunteer)}


AXE_PATHS = {
    "coordinator": lambda w: ["/errands/", f"/errands/{w['waiting'].id}", f"/errands/{w['problem'].id}",
                              "/errands/new", "/errands/settings"],
    "volunteer": lambda w: ["/errands/", f"/errands/{w['waiting'].id}", f"/errands/{w['running'].id}",
                            "/errands/mine", "/errands/new"],
    "resident": lambda w: ["/errands/mine", f"/errands/{w['waiting'].id}", "/errands/new"],
}


@pytest.mark.parametrize("who", sorted(AXE_PATHS))
def test_the_errand_pages_have_no_axe_violations_at_360_px(request, axe_page, live_server, browser_login,
                                                            errands_world, who):
    """The desk, an errand's page (queue, run, problem), the order form (and refused), the volunteer's list."""
    user = errands_world["volunteer"] if who == "volunteer" else request.getfixturevalue(who)
    page = axe_page()
    browser_login(page, user)
    for path in AXE_PATHS[who](errands_world):
        page.goto(live_server + path)
        assert axe_violations(page) == [], path
    page.goto(live_server + "/errands/new")
    page.select_option("select[name=team]", index=1)
    page.click("button[type=submit].primary")  # no title: the form comes back with its errors
    assert page.locator(".field.has-error").count() >= 1
    assert axe_violations(page) == [], "the refused order form"
