"""Both loops on two phones (360 × 740), in a real browser: htmx swaps the card, no reload, clean console."""
import json

from PIL import Image

from tests import factories
from tests.browser.test_phone import PHONE_PROBLEMS, axe_violations

WIDTH, HEIGHT = 360, 740


def phone(new_page, browser_login, user):
    page = new_page(width=WIDTH, height=HEIGHT)
    page.errors = []
    page.on("console", lambda msg: page.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: page.errors.append(str(exc)))
    browser_login(page, user)
    page.wait_for_function("() => window.htmx !== undefined")
    return page


def fits(page, what):
    problems = page.evaluate(PHONE_PROBLEMS)
    assert problems == [], f"{what}:\n" + "\n".join(problems)


def test_need_loop_on_two_phones(new_page, browser_login, live_server, resident, neighbour, tmp_path):
    need = factories.card(resident, title="小孩子退烧药有吗 Children's fever medicine?", urgency="urgent")
    requester = phone(new_page, browser_login, resident)
    helper = phone(new_page, browser_login, neighbour)

    helper.goto(f"{live_server}/cards/{need.id}")
    helper.evaluate("() => { window.stillThePage = 'yes'; }")
    helper.click("text=I can help")
    helper.wait_for_selector(f"#card-{need.id} >> text=Mark left at door")
    assert helper.evaluate("() => window.stillThePage") == "yes", "htmx swapped the card in place"
    assert "unit 502" in helper.inner_text(f"#card-{need.id}")
    fits(helper, "helper's matched card")

    photo = tmp_path / "door.jpg"
    Image.new("RGB", (800, 600), (90, 90, 200)).save(photo, "JPEG")
    helper.click("text=Mark left at door")
    helper.fill("input[name=note]", "white bag on the handle of 502")
    helper.set_input_files("input[name=photo]", str(photo))
    fits(helper, "leave-at-door form")
    helper.click("form.form button[type=submit]")
    helper.wait_for_url(f"**/cards/{need.id}")

    requester.goto(f"{live_server}/me/activity")
    assert "white bag on the handle of 502" in requester.inner_text("main")
    requester.wait_for_function("() => { const img = document.querySelector('img.doorstep-photo'); return img && img.complete && img.naturalWidth > 0; }")
    fits(requester, "requester's activity")
    requester.click("text=Confirm received")
    requester.wait_for_selector(f"#card-{need.id} >> text=Send thanks")
    requester.fill(f"#card-{need.id} input[name=thanks]", "感谢好心邻居们")
    requester.click(f"#card-{need.id} >> text=Send thanks")
    requester.wait_for_selector(f"#card-{need.id} blockquote.thanks")

    helper.goto(f"{live_server}/me/activity")
    assert "感谢好心邻居们" in helper.inner_text("main")
    assert "502" not in helper.inner_text("main"), "after completion the helper's history shows no door"
    assert requester.errors == [] and helper.errors == []


def test_offer_loop_on_two_phones(new_page, browser_login, live_server, resident, neighbour):
    offer = factories.card(resident, kind="offer", category="supplies", title="Antigen tests", quantity=5,
                           unit="test", first_come=False)
    giver = phone(new_page, browser_login, resident)
    asker = phone(new_page, browser_login, neighbour)

    asker.goto(f"{live_server}/cards/{offer.id}")
    asker.fill(f"#ask-{offer.id}", "2")
    asker.click(f"#card-{offer.id} >> text=Ask for it")
    asker.wait_for_selector("#messages >> text=Asked. Li Na will choose")
    asker.goto(f"{live_server}/cards/{offer.id}")
    assert "You asked for 2" in asker.inner_text(f"#card-{offer.id}")
    fits(asker, "asker's card")

    giver.goto(f"{live_server}/me/activity")
    giver.click(f"#card-{offer.id} >> text=Accept")
    giver.wait_for_selector(f"#card-{offer.id} >> text=Mark left at door")
    assert "unit 1201" in giver.inner_text(f"#card-{offer.id}")
    assert "3 of 5 tests left" in giver.inner_text(f"#card-{offer.id}")
    giver.click(f"#card-{offer.id} >> text=Mark left at door")
    giver.fill("input[name=note]", "on the handle")
    giver.click("form.form button[type=submit]")
    giver.wait_for_url("**/me/activity")

    asker.goto(f"{live_server}/cards/{offer.id}")
    asker.click("text=Confirm received")
    asker.wait_for_selector(f"#card-{offer.id} >> text=Send thanks")
    assert giver.errors == [] and asker.errors == []


def test_handoff_pages_have_no_axe_violations(axe_page, live_server, browser_login, resident, neighbour):
    """A card with a handoff as each side sees it, the doorstep form and My activity."""
    need = factories.card(resident, title="Rice and cooking oil")
    offer = factories.card(neighbour, kind="offer", category="food", title="Eggs", quantity=6, first_come=False)
    for user, other_card in ((neighbour, None), (resident, offer)):
        page = axe_page()
        browser_login(page, user)
        if other_card is not None:
            page.goto(f"{live_server}/cards/{other_card.id}")
            page.click("text=Ask for it")
            page.wait_for_selector("#messages >> text=Asked")
        else:
            page.goto(f"{live_server}/cards/{need.id}")
            page.click("text=I can help")
            page.wait_for_selector("text=Mark left at door")
        for path in (f"/cards/{need.id}", f"/cards/{offer.id}", "/me/activity"):
            page.goto(live_server + path)
            page.evaluate("document.querySelectorAll('details').forEach((d) => { d.open = true; })")
            violations = axe_violations(page)
            assert violations == [], f"{user.login} {path}\n" + json.dumps(violations, indent=1)
        if other_card is None:
            page.goto(f"{live_server}/cards/{need.id}")
            page.click("text=Mark left at door")
            assert axe_violations(page) == []
