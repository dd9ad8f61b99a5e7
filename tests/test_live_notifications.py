"""Notifications: who hears about which event, the bell's count, and the list marking them read."""
import pytest

from board import registry
from board.events import record
from board.extensions import db
from board.notifications import service
from board.notifications.models import Notification
from tests import factories

HANDOFF_KINDS = [
    ("handoff.match", "matched"),
    ("handoff.leave_at_door", "left_at_door"),
    ("handoff.report_not_there", "not_there"),
    ("handoff.confirm_received", "received"),
    ("handoff.receive_in_person", "received"),
    ("handoff.thank", "thanks"),
    ("handoff.helper_withdraw", "cancelled"),
    ("handoff.cancel", "cancelled"),
    ("handoff.release", "released"),
    ("handoff.ask", "asked"),
    ("handoff.accept", "accepted"),
    ("handoff.decline", "declined"),
]


def handoff_event(kind, card, *, actor, giver, receiver):
    event = record(kind, community_id=card.community_id, card=card, actor=actor,
                   giver_id=giver.id, receiver_id=receiver.id, handoff_id=1)
    db.session.commit()
    return event


def notifications_of(user):
    return db.session.scalars(db.select(Notification).where(Notification.user_id == user.id)).all()


@pytest.mark.parametrize(("event_kind", "kind"), HANDOFF_KINDS)
def test_the_other_party_is_notified_never_the_actor(resident, neighbour, event_kind, kind):
    card = factories.card(resident)
    event = handoff_event(event_kind, card, actor=neighbour, giver=neighbour, receiver=resident)
    (mine,) = notifications_of(resident)
    assert (mine.kind, mine.event_id, mine.card_id, mine.actor_id) == (kind, event.id, card.id, neighbour.id)
    assert notifications_of(neighbour) == []


def test_a_time_out_notifies_both_parties(resident, neighbour):
    card = factories.card(resident)
    event = record("handoff.lapse", community_id=card.community_id, card=card, actor=None,
                   giver_id=neighbour.id, receiver_id=resident.id, handoff_id=1)
    db.session.commit()
    assert [n.kind for n in notifications_of(resident)] == ["timeout"]
    assert [n.kind for n in notifications_of(neighbour)] == ["timeout"]
    assert {n.event_id for n in notifications_of(neighbour)} == {event.id}


def test_an_expired_card_notifies_its_author(resident):
    card = factories.card(resident)
    record("card.expire", community_id=card.community_id, card=card, actor=None)
    db.session.commit()
    assert [n.kind for n in notifications_of(resident)] == ["expired"]


@pytest.mark.parametrize("event_kind", ["card.posted", "card.edited", "card.withdraw", "box.take"])
def test_other_events_notify_nobody(resident, event_kind):
    card = factories.card(resident)
    record(event_kind, community_id=card.community_id, card=card, actor=resident)
    db.session.commit()
    assert notifications_of(resident) == []


def test_every_kind_has_a_headline(app):
    domains = registry.current().domains
    assert {"cards", "box"} <= set(domains)
    for domain in domains.values():
        assert set(domain.notifications.values()) <= set(domain.headlines), domain.name
        assert all(kind.startswith(domain.prefixes) for kind in domain.notifications), domain.name


def test_bell_shows_my_unread_count_and_the_list_marks_them_read(client, resident, neighbour, login):
    card = factories.card(resident, title="Antigen tests")
    handoff_event("handoff.match", card, actor=neighbour, giver=neighbour, receiver=resident)
    handoff_event("handoff.leave_at_door", card, actor=neighbour, giver=neighbour, receiver=resident)
    login(client, resident)
    board = client.get("/").get_data(as_text=True)
    assert 'aria-label="Notifications: 2 unread"' in board
    assert '<span class="bell-count" aria-hidden="true">2</span>' in board
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.index("Left on your door handle!") < page.index("A neighbour matched your card")
    assert page.count('class="notification unread') == 2
    assert "Antigen tests" in page and "Dr Chen" in page
    # The page that marks them read draws its bell after that: no count left on it.
    assert 'aria-label="Notifications"' in page and "bell-count" not in page
    assert service.unread_count(resident.id) == 0
    again = client.get("/notifications/").get_data(as_text=True)
    assert 'class="notification unread' not in again
    assert 'aria-label="Notifications"' in again


def test_notifications_never_show_a_door(client, resident, neighbour, login):
    card = factories.card(resident)
    handoff_event("handoff.leave_at_door", card, actor=neighbour, giver=neighbour, receiver=resident)
    login(client, resident)
    page = client.get("/notifications/").get_data(as_text=True)
    assert neighbour.membership.unit not in page and resident.membership.unit not in page


def test_marking_one_read_answers_with_the_bell(client, resident, neighbour, login):
    card = factories.card(resident)
    handoff_event("handoff.match", card, actor=neighbour, giver=neighbour, receiver=resident)
    handoff_event("handoff.leave_at_door", card, actor=neighbour, giver=neighbour, receiver=resident)
    first = notifications_of(resident)[0]
    login(client, resident)
    response = client.post(f"/notifications/{first.id}/read")
    assert '<span class="bell-count" aria-hidden="true">1</span>' in response.get_data(as_text=True)
    assert service.unread_count(resident.id) == 1


def test_nobody_marks_another_s_notification_read(client, resident, neighbour, login):
    card = factories.card(resident)
    handoff_event("handoff.match", card, actor=neighbour, giver=neighbour, receiver=resident)
    (theirs,) = notifications_of(resident)
    login(client, neighbour)
    client.post(f"/notifications/{theirs.id}/read")
    assert service.unread_count(resident.id) == 1


@pytest.mark.parametrize("path", ["/notifications/", "/notifications/bell"])
def test_notifications_need_login(client, path):
    response = client.get(path)
    assert response.status_code == 302 and "/login" in response.location


def test_a_gift_waiting_for_check_in_notifies_the_shelf_s_keepers_with_a_link(client, community, resident, neighbour,
                                                                              coordinator, login):
    from board.box import service as box

    shelf = factories.shelf(community, keepers=(neighbour,))
    box.offer_gift(resident, shelf, quantity=2, name="Ibuprofen", category="supplies", unit="box")
    assert [n.kind for n in notifications_of(neighbour)] == ["gift_waiting"]
    assert notifications_of(resident) == [] and notifications_of(coordinator) == []
    login(client, neighbour)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "A gift is waiting for your check-in" in page and f"/box/shelves/{shelf.id}/check-in" in page


def test_a_shelf_without_keepers_tells_the_coordinators(community, resident, coordinator):
    from board.box import service as box

    shelf = factories.shelf(community)
    box.offer_gift(resident, shelf, quantity=1, name="Rice", category="food", unit="bag")
    assert [n.kind for n in notifications_of(coordinator)] == ["gift_waiting"]


def test_a_try_at_expired_stock_tells_the_keepers_once(community, resident, neighbour):
    from datetime import date, timedelta

    from board.box import service as box
    from board.errors import Conflict

    shelf = factories.shelf(community, keepers=(neighbour,))
    item = factories.box_item(shelf, name="Old syrup", expires_on=date.today() - timedelta(days=1))
    for _ in range(2):
        with pytest.raises(Conflict):
            box.take(resident, item.id, 1)
    assert [n.kind for n in notifications_of(neighbour)] == ["expired_stock"]


@pytest.mark.parametrize("outcome", ["checked_in", "rejected"])
def test_a_giver_hears_when_their_gift_is_checked_in_or_rejected(client, community, resident, neighbour, coordinator,
                                                                  login, outcome):
    from board.box import service as box

    shelf = factories.shelf(community, keepers=(neighbour,))
    gift = box.offer_gift(resident, shelf, quantity=2, name="Rice", category="food", unit="bag")
    if outcome == "checked_in":
        box.accept_gift(neighbour, gift.id)
    else:
        box.reject_gift(neighbour, gift.id, "opened")
    kind = f"gift_{outcome}"
    assert [n.kind for n in notifications_of(resident)] == [kind]
    assert kind not in [n.kind for n in notifications_of(neighbour)] and notifications_of(coordinator) == []
    login(client, resident)
    page = client.get("/notifications/").get_data(as_text=True)
    headline = ("Your gift was checked in: it is on the shelf now. Thank you!" if outcome == "checked_in"
                else "Your gift could not be put on the shelf")
    assert headline in page and "/box/mine" in page and f"/box/shelves/{shelf.id}/check-in" not in page
