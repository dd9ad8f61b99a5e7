"""A coordinator takes Grandma Liu's phone call on a 360 px phone, posts her need, a neighbour helps, the
coordinator confirms after calling her back: the whole loop in a real browser, under a minute of form filling."""
import time

from board.extensions import db
from board.models import Card, Handoff
from tests import factories
from tests.browser.test_handoff_phone import fits, phone
from tests.browser.test_phone import axe_violations


def test_a_phone_call_for_grandma_liu_end_to_end(new_page, axe_page, browser_login, live_server, community,
                                                  coordinator, neighbour):
    wang = phone(new_page, browser_login, coordinator)
    wang.goto(f"{live_server}/profile")
    wang.click("text=Post for someone without a phone")
    wang.wait_for_url("**/intake")
    fits(wang, "the intake form")
    started = time.monotonic()
    wang.fill("input[name=name]", "刘奶奶")
    wang.select_option("select[name=building]", label="Building 2")
    wang.fill("input[name=unit]", "101")
    wang.fill("input[name=contact]", "Landline 6688 1234, or knock")
    wang.fill("input[name=title]", "退烧药 Fever medicine")
    wang.check("input[name=urgency][value=urgent]")
    wang.click("form.intake button[type=submit]")
    wang.wait_for_url("**/cards/*")
    filled_in = time.monotonic() - started
    assert filled_in < 60, f"the intake took {filled_in:.0f} s of typing and tapping"
    assert "Posted by Wang for 刘奶奶 (Phone call)" in wang.inner_text("main")
    assert wang.errors == []
    card = db.session.scalar(db.select(Card).where(Card.for_person_id.is_not(None)))

    helper = phone(new_page, browser_login, neighbour)
    helper.goto(f"{live_server}/")
    assert "退烧药 Fever medicine" in helper.inner_text("main") and "刘奶奶" not in helper.inner_text("main")
    helper.goto(f"{live_server}/cards/{card.id}")
    helper.click("text=I can help")
    helper.wait_for_selector(f"#card-{card.id} >> text=Mark left at door")
    text = helper.inner_text(f"#card-{card.id}")
    assert "Leave it at: Building 2, unit 101" in text and "You are helping 刘奶奶" in text
    helper.click("text=Mark left at door")
    helper.fill("input[name=note]", "white bag on the handle")
    helper.click("form.form button[type=submit]")
    helper.wait_for_url(f"**/cards/{card.id}")

    # Wang phones her: she has it. Wang confirms from the card, swapped in place by htmx.
    wang.goto(f"{live_server}/cards/{card.id}")
    wang.click(f"#card-{card.id} >> text=Confirm received")
    wang.wait_for_selector(f"#card-{card.id} >> text=Send thanks")
    handoff = db.session.scalar(db.select(Handoff).where(Handoff.card_id == card.id))
    db.session.refresh(handoff)
    assert handoff.status == "received"
    fits(wang, "the confirmed card")
    assert wang.errors == [] and helper.errors == []

    checker = axe_page()
    browser_login(checker, coordinator)
    for path in ("/intake", "/members", "/households", f"/households/{card.household_id}", "/household"):
        checker.goto(f"{live_server}{path}")
        assert axe_violations(checker) == [], path
