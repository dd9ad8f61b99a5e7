"""Volunteer points on phones (360 × 740): earn for a confirmed delivery, redeem a merchant's gift, the merchant
marks the code used at the counter; every points page fits the phone and passes axe."""
from board.points import service
from tests import factories
from tests.browser.test_phone import HEIGHT, WIDTH, assert_phone_friendly, axe_violations
from tests.points_helpers import fund


def phone(new_page, browser_login, user):
    return browser_login(new_page(width=WIDTH, height=HEIGHT), user)


def test_earn_for_a_confirmed_delivery_redeem_a_gift_and_the_merchant_marks_it_used(
        new_page, browser_login, live_server, community, resident, neighbour, coordinator, axe_page):
    fund(coordinator, 500)
    service.update_settings(coordinator, need_met=30, offer_given=5, errand_completed=15, check_in=5, daily_cap=50,
                            burst_count=5, code_days=7)
    shop = factories.user(community, login="shop", display_name="Lao Li", unit="S1", role="merchant")
    need = factories.card(resident, title="A bag of rice, please")

    merchant = phone(new_page, browser_login, shop)
    merchant.goto(f"{live_server}/points/counter")
    assert_phone_friendly(merchant, "the counter")
    merchant.fill("input[name=name]", "A case of bottled water")
    merchant.fill("form[action$='/gifts/new'] input[name=price]", "30")
    merchant.fill("form[action$='/gifts/new'] input[name=stock]", "3")
    merchant.click("text=Offer it")
    merchant.wait_for_selector("text=A case of bottled water is offered for 30 points.")

    helper = phone(new_page, browser_login, neighbour)
    helper.goto(f"{live_server}/cards/{need.id}")
    helper.click("text=I can help")
    helper.wait_for_selector(f"#card-{need.id} >> text=Mark left at door")
    helper.click("text=Mark left at door")
    helper.click("form.form button[type=submit]")
    helper.wait_for_url(f"**/cards/{need.id}")
    helper.goto(f"{live_server}/points/")
    assert helper.inner_text("#balance") == "0", "left at the door: not yet received"

    requester = phone(new_page, browser_login, resident)
    requester.goto(f"{live_server}/me/activity")
    requester.click("text=Confirm received")
    requester.wait_for_selector(f"#card-{need.id} >> text=Send thanks")

    helper.goto(f"{live_server}/points/")
    assert helper.inner_text("#balance") == "30"
    assert_phone_friendly(helper, "my points")
    helper.click("text=Get a code for it")
    helper.wait_for_selector("#gift-code")
    code = helper.inner_text("#gift-code").strip()
    assert len(code) == 9 and helper.locator(".qr svg").count() == 1
    assert_phone_friendly(helper, "the code")

    merchant.goto(f"{live_server}/points/counter")
    merchant.fill("input[name=code]", code.lower())
    merchant.click("text=Look it up")
    merchant.wait_for_selector("#found-code")
    assert neighbour.display_name in merchant.inner_text("#found-code")
    merchant.click("text=Hand it over: mark the code used")
    merchant.wait_for_selector(f"text=Code {code} used")

    helper.reload()
    assert helper.inner_text(".code-status") == "Used"
    helper.goto(f"{live_server}/points/")
    assert helper.inner_text("#balance") == "0"
    for path in ("/points/record", "/points/certificate"):
        helper.goto(live_server + path)
        assert_phone_friendly(helper, path)

    for user, paths in ((neighbour, ("/points/", "/points/record", "/points/certificate")),
                        (shop, ("/points/counter",)), (coordinator, ("/points/community",))):
        page = axe_page()
        browser_login(page, user)
        for path in paths:
            page.goto(live_server + path)
            assert axe_violations(page) == [], path
