"""An errand on three phones (360 × 740): a resident orders, the coordinator assigns, the volunteer delivers with a
photo, the resident confirms; the desk's counts change live on the coordinator's phone, never reloaded."""
import re

import pytest
from PIL import Image

from tests import factories
from tests.browser.test_handoff_phone import fits, phone
from tests.browser.test_live_board import expect, not_reloaded, streaming

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

    coordinator_page = phone(new_page, browser_login, coordinator)
    coordinator_page.goto(errand_url)
    fits(coordinator_page, "the errand for the coordinator")
    coordinator_page.get_by_role("button", name="Auntie Zhou").click()
    coordinator_page.wait_for_url(f"{live_server}/errands/")
    check(count(desk, "waiting")).to_have_text("0")
    check(count(desk, "assigned")).to_have_text("1")

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
