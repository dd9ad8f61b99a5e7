"""At 360 px: a resident signs up as a volunteer, the coordinator approves her, she switches herself on duty
(swapped in place by htmx), and the coordinator's list says so; the pages pass axe."""
from board.extensions import db
from board.volunteers import service
from board.volunteers.models import VolunteerProfile
from tests.browser.test_handoff_phone import fits, phone
from tests.browser.test_phone import axe_violations


def test_sign_up_approve_and_go_on_duty_on_phones(new_page, axe_page, browser_login, live_server, community,
                                                  coordinator, resident):
    lina = phone(new_page, browser_login, resident)
    lina.goto(f"{live_server}/profile")
    lina.click("text=Volunteering")
    lina.wait_for_url("**/volunteers/")
    lina.click("text=Sign up as a volunteer")
    lina.wait_for_url("**/volunteers/sign-up")
    fits(lina, "the sign-up form")
    lina.check("label:has-text('Medicine runs') input")
    lina.check("label:has-text('Groceries') input")
    lina.check("label:has-text('Building 1') input")
    lina.fill("input[name=availability]", "Weekday evenings")
    lina.fill("input[name=contact]", "138 0000 1234")
    lina.click("form.form button[type=submit]")
    lina.wait_for_url("**/volunteers/")
    assert "Waiting for a coordinator" in lina.inner_text("main")
    profile = db.session.scalar(db.select(VolunteerProfile).where(VolunteerProfile.user_id == resident.id))
    assert profile.status == "applied"

    wang = phone(new_page, browser_login, coordinator)
    wang.goto(f"{live_server}/volunteers/list")
    card = f"#volunteer-{profile.id}"
    assert "138 0000 1234" in wang.inner_text(card)
    fits(wang, "the volunteer list")
    wang.click(f"{card} >> button:has-text('Approve')")
    wang.wait_for_selector(f"{card} >> text=Approved")
    db.session.refresh(profile)
    assert profile.status == "approved"

    lina.goto(f"{live_server}/volunteers/")
    lina.evaluate("() => { window.stillThePage = 'yes'; }")
    lina.click("#duty-switch button")
    lina.wait_for_selector("#duty-switch >> text=You are on duty now.")
    assert lina.evaluate("() => window.stillThePage") == "yes", "htmx swapped the switch in place"
    assert service.on_duty_ids(community.id) == {resident.id}
    fits(lina, "the on-duty switch")

    wang.goto(f"{live_server}/volunteers/list")
    assert "on duty" in wang.inner_text(card)
    wang.goto(f"{live_server}/volunteers/")
    assert "Li Na" in wang.inner_text("main")
    assert lina.errors == [] and wang.errors == []

    checker = axe_page()
    browser_login(checker, coordinator)
    for path in ("/volunteers/", "/volunteers/list", "/volunteers/teams", "/volunteers/shifts",
                 f"/volunteers/{profile.id}", "/volunteers/sign-up"):
        checker.goto(f"{live_server}{path}")
        assert axe_violations(checker) == [], path
