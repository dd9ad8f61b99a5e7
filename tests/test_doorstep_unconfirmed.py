"""Left at the door and never confirmed: a reminder after 12 h, closed by the system 48 h later (frozen clock)."""
from datetime import datetime

import pytest
from freezegun import freeze_time

from board.cards import handoffs, transitions
from board.registry import sweep
from board.extensions import db
from board.households import service as households
from board.models import Card, Event, Handoff
from board.notifications.models import Notification
from tests import factories

LEFT = datetime(2026, 12, 5, 8, 0)  # naive UTC, as stored


@pytest.fixture
def left(resident, neighbour):
    with freeze_time(LEFT):
        card = factories.card(resident)
        handoff = transitions.start(card, "match", neighbour)
        transitions.apply_handoff(handoff, "leave_at_door", neighbour, note="on the handle")
    return db.session.get(Handoff, handoff.id)


def at(moment: str):
    return freeze_time(datetime.fromisoformat(moment))


def state(handoff_id):
    handoff = db.session.get(Handoff, handoff_id, populate_existing=True)
    return handoff.status, db.session.get(Card, handoff.card_id, populate_existing=True).status


def notified(kind):
    return {n.user_id for n in Notification.query.filter_by(kind=kind)}


def test_nothing_happens_before_twelve_hours(left):
    with at("2026-12-05T19:59"):
        assert handoffs.settle_doorsteps() == 0
    assert state(left.id) == ("left_at_door", "left_at_door")


def test_the_receiver_is_reminded_once_after_twelve_hours(left, resident, neighbour):
    with at("2026-12-05T20:01"):
        assert handoffs.settle_doorsteps() == 1
        assert handoffs.settle_doorsteps() == 0  # once
    assert state(left.id) == ("left_at_door", "left_at_door")
    assert notified("doorstep_reminder") == {resident.id}  # not the helper: they did their part
    assert db.session.get(Handoff, left.id).reminded_at == datetime(2026, 12, 5, 20, 1)


def test_closed_as_not_confirmed_48_hours_after_the_reminder(left, resident, neighbour, coordinator, login,
                                                             make_client):
    with at("2026-12-05T20:01"):
        handoffs.settle_doorsteps()
    with at("2026-12-07T20:00"):
        assert handoffs.settle_doorsteps() == 0
    with at("2026-12-07T20:02"):
        assert handoffs.settle_doorsteps() == 1
    assert state(left.id) == ("unconfirmed", "unconfirmed")
    kinds = [e.kind for e in Event.query.filter_by(card_id=left.card_id).order_by(Event.id)]
    assert kinds[-2:] == ["handoff.remind", "handoff.close_unconfirmed"]
    assert notified("closed_unconfirmed") == {resident.id, neighbour.id}
    page = login(make_client(), coordinator).get(f"/cards/{left.card_id}").get_data(as_text=True)
    assert "Closed: left at the door, not confirmed" in page and "Left at the door, not confirmed" in page


def test_a_late_confirmation_still_counts(left, resident):
    with at("2026-12-05T20:01"):
        handoffs.settle_doorsteps()
    with at("2026-12-08T09:00"):
        handoffs.settle_doorsteps()
        assert state(left.id)[0] == "unconfirmed"
        transitions.apply_handoff(db.session.get(Handoff, left.id), "confirm_received", resident)
    assert state(left.id) == ("received", "received")


def test_confirming_in_time_means_no_reminder(left, resident):
    transitions.apply_handoff(left, "confirm_received", resident)
    with at("2026-12-09T00:00"):
        assert handoffs.settle_doorsteps() == 0
    assert notified("doorstep_reminder") == set()


def test_a_page_view_and_the_sweep_both_settle_due_doorsteps(left, resident, login, make_client, app):
    with at("2026-12-05T20:01"):
        # Logged in on the frozen clock too: a session cookie signed later than the clock reads is refused
        # (itsdangerous takes a negative age for a forgery), so a log-in at the real time failed this test
        # once the real date passed the frozen one.
        client = login(make_client(), resident)
        client.get("/")
    assert db.session.get(Handoff, left.id, populate_existing=True).reminded_at is not None
    with at("2026-12-07T20:02"), app.app_context():
        lines = sweep()
    assert any(line.startswith("unconfirmed doorsteps reminded or closed: 1") for line in lines)
    assert state(left.id)[0] == "unconfirmed"


def test_for_someone_without_a_phone_the_poster_and_the_household_are_reminded(community, coordinator, neighbour):
    from board.cards.intake import take_call

    son = factories.user(community, login="son", display_name="Her son", unit="77")
    with freeze_time(LEFT):
        home = households.household_at(community.id, community.buildings[1].id, "101")
        liu = households.add_person(coordinator, home, name="刘奶奶")
        households.link_person(coordinator, home, son)
        card = take_call(coordinator, person=liu, new_person=None, building=None, unit="", intake="phone",
                         card_fields={"category": "medicine", "title": "Fever medicine", "urgency": "normal"})
        handoff = transitions.start(card, "match", neighbour)
        transitions.apply_handoff(handoff, "leave_at_door", neighbour)
    with at("2026-12-05T20:01"):
        handoffs.settle_doorsteps()
    assert notified("doorstep_reminder") == {coordinator.id, son.id}
