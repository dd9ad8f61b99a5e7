"""A caller's round on a 360 px phone: open the call list, take Grandma Liu, call her (tel:), log "needs medicine"
in one step; what she needs appears live on the dispatch desk the coordinator is watching (its waiting count), and
the coordinator's overdue counts follow the stream."""
from datetime import timedelta

from sqlalchemy import select

from board.errands.models import Errand
from board.extensions import db
from board.models import Card, utcnow
from board.roster.models import CareLine
from board.roster.schedule import to_local, zone
from tests.browser.test_handoff_phone import fits, phone
from tests.browser.test_errands_phone import count
from tests.browser.test_live_board import expect, streaming
from tests.browser.test_phone import axe_violations
from tests.roster_helpers import MEDICINE, make_world


def test_a_callers_round(new_page, axe_page, browser_login, live_server, community, coordinator):
    world = make_world(community, coordinator)
    zhou, record = world["people"]["caller"], world["record"]
    # This round runs on the wall clock: keep it off the quiet hours whatever the hour (with the default 21:00–08:00
    # in Shanghai it found nobody to call when run between 13:00 and 00:00 UTC), and due now.
    local = to_local(utcnow(), zone(None))
    minute = local.hour * 60 + local.minute
    record.quiet_from, record.quiet_to = (minute + 360) % 1440, (minute + 960) % 1440
    record.next_due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    check = expect()

    wang = phone(new_page, browser_login, coordinator)
    wang.goto(f"{live_server}/errands/")  # the coordinator watches the dispatch desk, the roster's counts above it
    streaming(wang)
    wang.wait_for_selector("#roster-counts >> text=overdue: 0")
    check(count(wang, "waiting")).to_have_text("0")

    caller = phone(new_page, browser_login, zhou)
    caller.click(".roster-bar >> text=Calls")
    caller.wait_for_url("**/roster")
    fits(caller, "the call list")
    assert "Grandma Liu" in caller.inner_text("#call-list")
    caller.click(f"#due-{record.id} >> text=Call now")
    caller.wait_for_url(f"**/roster/{record.id}")
    fits(caller, "the care record")
    assert caller.get_attribute("a.tel >> nth=0", "href") == "tel:66881234"
    assert MEDICINE in caller.input_value("textarea[name=needs_details]")  # prefilled: what she usually takes
    caller.check("input[name=outcome][value=reached]")
    caller.check("input[name=wellbeing][value=same]")
    caller.fill("input[name=needs_title]", "Blood-pressure pills, needs medicine")
    caller.check("input[name=needs_route][value=errand]")
    caller.click("form.call-form button[type=submit]")
    caller.wait_for_url("**/roster")
    assert "Call logged, and what they need is sent." in caller.inner_text("#messages")
    assert "Nobody is due just now" in caller.inner_text("#call-list")

    # On the coordinator's phone, without a reload: the errand waits on the desk.
    check(count(wang, "waiting")).to_have_text("1")
    line = db.session.scalar(select(CareLine).where(CareLine.record_id == record.id, CareLine.kind == "call"))
    card = db.session.get(Card, line.card_id)
    assert card.for_person_id == world["liu"].id
    errand = db.session.scalar(select(Errand).where(Errand.card_id == card.id))
    assert errand is not None and errand.source == "check_in" and errand.state == "waiting"
    assert caller.errors == [] and wang.errors == []

    checker = axe_page()
    browser_login(checker, coordinator)
    for path in ("/roster", "/roster/all", f"/roster/{record.id}", f"/roster/households/{record.household_id}",
                 "/roster/digest", f"/roster/{record.id}/openings"):
        checker.goto(f"{live_server}{path}")
        assert axe_violations(checker) == [], path
