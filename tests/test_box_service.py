"""The shelves' rules: stock never below zero, limits, expiry, gifts and check-in, corrections, reservations."""
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import IntegrityError

from board.box import service
from board.box.models import Delivery, Gift, Item, RegisterLine
from board.cards import housekeeping, transitions
from board.errors import Conflict, Forbidden, NotFound
from board import events, registry
from board.events import record
from board.extensions import db
from board.models import Card, Event
from tests import factories


@pytest.fixture(autouse=True)
def _request(app):
    """Messages are read in a language, as they are in a request."""
    with app.test_request_context():
        yield


@pytest.fixture
def keeper(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201")


@pytest.fixture
def shelf(community, keeper):
    return factories.shelf(community, keepers=(keeper,))


@pytest.fixture
def item(shelf):
    return factories.box_item(shelf, name="Ibuprofen", quantity=5)


@pytest.fixture
def housemate(community):
    """Same building and door as `resident`: one household."""
    return factories.user(community, login="lina-mum", display_name="Li Na's mother", unit="502")


def fresh(item: Item) -> Item:
    return db.session.get(Item, item.id, populate_existing=True)


def lines(item: Item, kind: str | None = None) -> list[RegisterLine]:
    stmt = select(RegisterLine).where(RegisterLine.item_id == item.id)
    if kind:
        stmt = stmt.where(RegisterLine.kind == kind)
    return list(db.session.scalars(stmt.order_by(RegisterLine.id)))


def ledger_balance(item: Item) -> int:
    """The register's own account of the stock: the sum of every line's change."""
    return db.session.scalar(select(func.coalesce(func.sum(RegisterLine.delta), 0)).where(RegisterLine.item_id == item.id))


def event_kinds(prefix: str = "box.") -> list[str]:
    return [e.kind for e in db.session.scalars(select(Event).order_by(Event.id)) if e.kind.startswith(prefix)]


# Taking.

def test_take_lowers_stock_and_writes_one_line_and_one_event(resident, item):
    line = service.take(resident, item.id, 2)
    item = fresh(item)
    assert item.quantity == 3
    assert (line.kind, line.units, line.delta, line.balance, line.user_id) == ("take", 2, -2, 3, resident.id)
    assert [l.kind for l in lines(item)] == ["add_stock", "take"]
    assert ledger_balance(item) == item.quantity
    event = db.session.scalar(select(Event).where(Event.kind == "box.take"))
    assert event.data == {"item_id": item.id, "shelf_id": item.shelf_id, "quantity": 3, "available": 3, "units": 2}
    assert event.community_id == item.community_id and event.actor_id == resident.id


def test_taking_more_than_is_left_takes_nothing(resident, item):
    with pytest.raises(Conflict):
        service.take(resident, item.id, 6)
    assert fresh(item).quantity == 5
    assert lines(item, "take") == []
    assert "box.take" not in event_kinds()


def test_taking_the_last_units_leaves_zero_then_refuses(resident, neighbour, item):
    service.take(resident, item.id, 5)
    assert fresh(item).quantity == 0
    with pytest.raises(Conflict):
        service.take(neighbour, item.id, 1)
    assert fresh(item).quantity == 0


@pytest.mark.parametrize("quantity", [0, -1])
def test_taking_less_than_one_is_refused(resident, item, quantity):
    with pytest.raises(service.BadRequest):
        service.take(resident, item.id, quantity)
    assert fresh(item).quantity == 5


def test_expired_medicine_is_never_handed_out_and_is_flagged_to_keepers_once(resident, neighbour, shelf):
    old = factories.box_item(shelf, name="Cold granules", quantity=4, expires_on=date.today() - timedelta(days=2))
    for who in (resident, neighbour):
        with pytest.raises(Conflict) as refused:
            service.take(who, old.id, 1)
        assert "expired" in str(refused.value.message)
    old = fresh(old)
    assert old.quantity == 4 and lines(old, "take") == []
    assert old.expired_flagged_at is not None
    assert event_kinds().count("box.expired_flagged") == 1
    assert [i.id for i in service.expired_items(shelf)] == [old.id]


def test_expired_items_cannot_be_reserved_for_delivery_either(resident, shelf):
    old = factories.box_item(shelf, name="Cold granules", quantity=4, expires_on=date.today() - timedelta(days=1))
    with pytest.raises(Conflict):
        service.request_delivery(resident, old.id, 1)
    assert fresh(old).reserved == 0 and db.session.scalar(select(func.count(Card.id))) == 0


def test_daily_limit_counts_the_household_not_the_person(resident, housemate, neighbour, shelf):
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=10, daily_limit=1)
    service.take(resident, tests.id, 1)
    with pytest.raises(Conflict) as refused:
        service.take(housemate, tests.id, 1)
    assert "Each household may take 1" in str(refused.value.message)
    with pytest.raises(Conflict):
        service.take(resident, tests.id, 1)
    service.take(neighbour, tests.id, 1)  # another door: another household
    assert fresh(tests).quantity == 8


def test_daily_limit_refuses_a_take_that_would_pass_it(resident, shelf):
    rice = factories.box_item(shelf, name="Rice", category="food", quantity=10, daily_limit=2)
    with pytest.raises(Conflict):
        service.take(resident, rice.id, 3)
    service.take(resident, rice.id, 2)
    assert fresh(rice).quantity == 8


def test_daily_limit_starts_again_the_next_day(resident, shelf):
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=10, daily_limit=1)
    line = service.take(resident, tests.id, 1)
    line.created_at = service.start_of_local_day() - timedelta(minutes=1)
    db.session.commit()
    service.take(resident, tests.id, 1)
    assert fresh(tests).quantity == 8


def test_default_daily_limit_comes_from_config(app, resident, item):
    app.config["BOX_DAILY_LIMIT_DEFAULT"] = 2
    service.take(resident, item.id, 2)
    with pytest.raises(Conflict):
        service.take(resident, item.id, 1)


def test_no_limit_by_default(resident, item):
    for _ in range(5):
        service.take(resident, item.id, 1)
    assert fresh(item).quantity == 0


def test_a_delivery_asked_today_counts_towards_the_limit(resident, shelf):
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=10, daily_limit=1)
    service.request_delivery(resident, tests.id, 1)
    with pytest.raises(Conflict):
        service.take(resident, tests.id, 1)


def test_another_communitys_item_does_not_exist(stranger, item):
    with pytest.raises(NotFound):
        service.take(stranger, item.id, 1)
    with pytest.raises(NotFound):
        service.shelf_for(stranger, item.shelf_id)
    assert fresh(item).quantity == 5


# Giving and checking in.

def test_a_gift_waits_for_a_keeper_and_cannot_be_taken_meanwhile(resident, keeper, shelf):
    gift = service.offer_gift(resident, shelf, name="Cold granules", category="medicine", quantity=2, unit="box",
                              expires_on=date.today() + timedelta(days=200), sealed=True, note="unopened")
    assert gift.status == "pending"
    assert service.items(shelf) == []  # nothing unchecked is on the shelf
    offered = db.session.scalar(select(RegisterLine).where(RegisterLine.gift_id == gift.id))
    assert (offered.kind, offered.units, offered.delta, offered.user_id) == ("gift", 2, 0, resident.id)

    item = service.accept_gift(keeper, gift.id)
    assert (item.name, item.quantity, item.sealed, item.category) == ("Cold granules", 2, True, "medicine")
    checkin = lines(item, "gift_checkin")[0]
    assert (checkin.user_id, checkin.actor_id, checkin.delta, checkin.gift_id) == (resident.id, keeper.id, 2, gift.id)
    assert db.session.get(Gift, gift.id).checked_by_id == keeper.id
    assert "box.checkin" in event_kinds()
    with pytest.raises(Conflict):
        service.accept_gift(keeper, gift.id)
    assert fresh(item).quantity == 2


def test_a_gift_of_something_already_on_the_shelf_joins_its_stock(resident, keeper, shelf):
    expiry = date.today() + timedelta(days=100)
    existing = factories.box_item(shelf, name="Ibuprofen", quantity=3, expires_on=expiry)
    gift = service.offer_gift(resident, shelf, name="ibuprofen", category="medicine", quantity=2, unit="box",
                              expires_on=expiry)
    assert service.accept_gift(keeper, gift.id).id == existing.id
    assert fresh(existing).quantity == 5
    other_date = service.offer_gift(resident, shelf, name="Ibuprofen", category="medicine", quantity=1, unit="box",
                                    expires_on=expiry + timedelta(days=30))
    assert service.accept_gift(keeper, other_date.id).id != existing.id  # another expiry date: another item


@pytest.mark.parametrize("reason", ["opened", "expired", "unsuitable"])
def test_a_rejected_gift_never_reaches_the_shelf_and_the_register_says_why(resident, keeper, shelf, reason):
    gift = service.offer_gift(resident, shelf, name="Noodles", category="food", quantity=3, unit="pack")
    service.reject_gift(keeper, gift.id, reason, note="sorry")
    assert db.session.get(Gift, gift.id).status == "rejected"
    assert service.items(shelf) == []
    line = db.session.scalar(select(RegisterLine).where(RegisterLine.kind == "reject"))
    assert (line.reason, line.note, line.user_id, line.actor_id, line.delta) == (reason, "sorry", resident.id, keeper.id, 0)
    with pytest.raises(Conflict):
        service.accept_gift(keeper, gift.id)


def test_a_reject_needs_a_known_reason(resident, keeper, shelf):
    gift = service.offer_gift(resident, shelf, name="Noodles", category="food", quantity=3)
    with pytest.raises(service.BadRequest):
        service.reject_gift(keeper, gift.id, "ugly")
    assert db.session.get(Gift, gift.id).status == "pending"


def test_medicine_cannot_be_given_without_an_expiry_date_or_expired(resident, shelf):
    with pytest.raises(service.BadRequest):
        service.offer_gift(resident, shelf, name="Pills", category="medicine", quantity=1)
    with pytest.raises(service.BadRequest):
        service.offer_gift(resident, shelf, name="Pills", category="medicine", quantity=1,
                           expires_on=date.today() - timedelta(days=1))
    assert db.session.scalar(select(func.count(Gift.id))) == 0


def test_a_gift_that_expired_while_waiting_cannot_be_accepted(resident, keeper, shelf):
    gift = service.offer_gift(resident, shelf, name="Syrup", category="medicine", quantity=1,
                              expires_on=date.today() + timedelta(days=1))
    db.session.get(Gift, gift.id).expires_on = date.today() - timedelta(days=1)
    db.session.commit()
    with pytest.raises(Conflict):
        service.accept_gift(keeper, gift.id)
    service.reject_gift(keeper, gift.id, "expired")


# Keepers' stock, corrections, permissions.

def test_a_keeper_adds_a_purchased_batch_and_more_of_it(keeper, shelf):
    item = service.add_item(keeper, shelf, name="Antigen tests", category="supplies", quantity=20, unit="test",
                            daily_limit=1, note="bought by the owners' committee")
    assert (item.quantity, item.daily_limit) == (20, 1)
    assert [(l.kind, l.delta, l.note) for l in lines(item)] == [("add_stock", 20, "bought by the owners' committee")]
    service.add_stock(keeper, item.id, 5)
    assert fresh(item).quantity == 25 == ledger_balance(item)


def test_medicine_goes_on_the_shelf_only_with_an_expiry_date(keeper, shelf):
    with pytest.raises(service.BadRequest):
        service.add_item(keeper, shelf, name="Ibuprofen", category="medicine", quantity=5)
    assert service.items(shelf) == []


def test_a_correction_is_a_new_line_and_old_lines_stay(keeper, resident, item):
    taken = service.take(resident, item.id, 1)
    service.correct(keeper, item.id, 3, note="one box was damaged")
    item = fresh(item)
    assert item.quantity == 3 == ledger_balance(item)
    assert [(l.kind, l.delta) for l in lines(item)] == [("add_stock", 5), ("take", -1), ("correction", -1)]
    assert db.session.get(RegisterLine, taken.id).delta == -1  # unchanged
    service.correct(keeper, item.id, 7, note="found a carton")
    assert fresh(item).quantity == 7 == ledger_balance(item)


def test_a_correction_needs_a_reason_and_a_real_difference(keeper, item):
    with pytest.raises(service.BadRequest):
        service.correct(keeper, item.id, 3, note=" ")
    with pytest.raises(service.BadRequest):
        service.correct(keeper, item.id, 5, note="counted")
    assert fresh(item).quantity == 5 and lines(item, "correction") == []


def test_a_correction_cannot_count_below_what_is_reserved(keeper, resident, item):
    service.request_delivery(resident, item.id, 2)
    with pytest.raises(Conflict):
        service.correct(keeper, item.id, 1, note="counted")
    assert fresh(item).quantity == 5


def test_keepers_remove_expired_stock_with_a_correction(keeper, shelf):
    old = factories.box_item(shelf, name="Syrup", quantity=2, expires_on=date.today() - timedelta(days=1))
    service.remove_expired(keeper, old.id)
    assert fresh(old).quantity == 0
    assert lines(old, "correction")[0].note == "expired — removed"
    assert service.expired_items(shelf) == []


KEEPER_ACTIONS = {
    "add_stock": lambda user, item: service.add_stock(user, item.id, 1),
    "correct": lambda user, item: service.correct(user, item.id, 1, note="counted"),
    "register": lambda user, item: service.register(user, item.shelf),
    "add_item": lambda user, item: service.add_item(user, item.shelf, name="Rice", category="food", quantity=1),
}


@pytest.mark.parametrize("action", KEEPER_ACTIONS)
def test_residents_who_do_not_keep_the_shelf_are_refused(resident, item, action):
    with pytest.raises(Forbidden):
        KEEPER_ACTIONS[action](resident, item)
    assert fresh(item).quantity == 5


@pytest.mark.parametrize("action", KEEPER_ACTIONS)
@pytest.mark.parametrize("who", ["keeper", "coordinator"])
def test_keepers_and_coordinators_may(request, item, action, who):
    result = KEEPER_ACTIONS[action](request.getfixturevalue(who), item)
    assert KEEPER_EFFECTS[action](item, result)


# What each keeper action visibly did, so that "may" is proven by the change, not by the absence of an error.
KEEPER_EFFECTS = {
    "add_stock": lambda item, _: fresh(item).quantity == 6 and lines(item)[-1].kind == "add_stock",
    "correct": lambda item, _: fresh(item).quantity == 1 and lines(item)[-1].kind == "correction",  # counted: 1
    "register": lambda item, result: {line.id for line in result} == {line.id for line in lines(item)} != set(),
    "add_item": lambda item, result: (result.name, result.quantity, result.shelf_id) == ("Rice", 1, item.shelf_id),
}


def test_keeping_one_shelf_is_not_keeping_another(keeper, community, resident):
    corner = factories.shelf(community, name="Love corner", keepers=(resident,))
    rice = factories.box_item(corner, name="Rice", category="food", quantity=3)
    with pytest.raises(Forbidden):
        service.add_stock(keeper, rice.id, 1)
    service.add_stock(resident, rice.id, 1)


def test_a_resident_cannot_check_in_gifts(resident, neighbour, shelf):
    gift = service.offer_gift(neighbour, shelf, name="Rice", category="food", quantity=1)
    with pytest.raises(Forbidden):
        service.accept_gift(resident, gift.id)
    with pytest.raises(Forbidden):
        service.reject_gift(resident, gift.id, "opened")


def test_other_communities_see_nothing(stranger, item, shelf, resident):
    gift = service.offer_gift(resident, shelf, name="Rice", category="food", quantity=1)
    with pytest.raises(NotFound):
        service.add_stock(stranger, item.id, 1)
    with pytest.raises(NotFound):
        service.accept_gift(stranger, gift.id)
    with pytest.raises(NotFound):
        service.offer_gift(stranger, shelf, name="Rice", category="food", quantity=1)


def test_only_coordinators_open_shelves_and_name_keepers(coordinator, resident, neighbour, stranger):
    with pytest.raises(Forbidden):
        service.create_shelf(resident, name="My shelf")
    shelf = service.create_shelf(coordinator, name="Love corner", location="Lobby of Building 3", keepers=[resident])
    assert shelf.is_keeper(resident)
    with pytest.raises(Forbidden):
        service.add_keeper(resident, shelf, neighbour)
    service.add_keeper(coordinator, shelf, neighbour)
    with pytest.raises(NotFound):
        service.add_keeper(coordinator, shelf, stranger)
    service.remove_keeper(coordinator, shelf, resident)
    assert [k.id for k in shelf.keepers] == [neighbour.id]


def test_the_register_and_my_lines(resident, neighbour, keeper, item):
    service.take(resident, item.id, 1)
    service.take(neighbour, item.id, 2)
    everything = service.register(keeper, item.shelf)
    assert [l.kind for l in everything] == ["take", "take", "add_stock"]  # newest first
    assert [(l.user_id, l.units) for l in service.my_lines(resident)] == [(resident.id, 1)]


# Delivery to the door: reservation, settlement through the card's life, time-out.

@pytest.fixture
def delivery(resident, item) -> Delivery:
    return service.request_delivery(resident, item.id, 2, urgency="urgent", note="isolating, door handle please")


def test_a_delivery_reserves_at_once_and_posts_a_need(resident, item, delivery):
    item = fresh(item)
    assert (item.quantity, item.reserved, item.available) == (5, 2, 3)
    card = db.session.get(Card, delivery.card_id)
    assert (card.kind, card.category, card.urgency, card.author_id, card.quantity) == ("need", "medicine", "urgent", resident.id, 2)
    assert card.title == "Deliver 2 boxes of Ibuprofen from Medicine box to my door"
    # The note may name the door: it goes with the door (card.door_note), not in the public details.
    assert card.door_note == "isolating, door handle please" and "isolating" not in card.details
    assert "Property office" in card.details
    reserve = lines(item, "reserve")[0]
    assert (reserve.delivery_id, reserve.units, reserve.delta) == (delivery.id, 2, 0)
    assert ledger_balance(item) == 5
    assert {"card.posted", "box.reserve"} <= {e.kind for e in Event.query.all()}


def test_reserved_units_cannot_be_taken_by_anyone_else(neighbour, item, delivery):
    with pytest.raises(Conflict):
        service.take(neighbour, item.id, 4)
    service.take(neighbour, item.id, 3)
    with pytest.raises(Conflict):
        service.take(neighbour, item.id, 1)
    assert (fresh(item).quantity, fresh(item).reserved) == (2, 2)


def test_received_delivery_takes_the_units_and_names_the_carrier(resident, neighbour, item, delivery):
    card = db.session.get(Card, delivery.card_id)
    card.status = "received"
    record("handoff.confirm_received", community_id=card.community_id, card=card, actor=resident,
           from_status="left_at_door", to_status="received", handoff_id=1, giver_id=neighbour.id, receiver_id=resident.id)
    db.session.commit()
    item = fresh(item)
    assert (item.quantity, item.reserved) == (3, 0)
    delivered = lines(item, "delivered")[0]
    assert (delivered.user_id, delivered.carried_by_id, delivered.delta, delivered.units) == (resident.id, neighbour.id, -2, 2)
    assert db.session.get(Delivery, delivery.id).status == "delivered"
    assert ledger_balance(item) == item.quantity
    assert "box.delivered" in event_kinds()
    # A later event on the same card (a thank-you) settles nothing twice.
    record("handoff.thank", community_id=card.community_id, card=card, actor=resident, to_status="received",
           giver_id=neighbour.id)
    db.session.commit()
    assert fresh(item).quantity == 3 and len(lines(item, "delivered")) == 1


def test_withdrawing_the_card_puts_the_reservation_back(resident, item, delivery):
    card = db.session.get(Card, delivery.card_id)
    transitions.apply(card, "withdraw", resident)
    item = fresh(item)
    assert (item.quantity, item.reserved) == (5, 0)
    lapsed = lines(item, "reservation_lapsed")[0]
    assert (lapsed.user_id, lapsed.delta, lapsed.note) == (resident.id, 0, "card.withdraw")
    assert db.session.get(Delivery, delivery.id).status == "lapsed"
    assert "box.lapsed" in event_kinds()


def test_a_cancelled_card_puts_the_reservation_back(resident, item, delivery):
    card = db.session.get(Card, delivery.card_id)
    card.status = "cancelled"
    record("handoff.cancel", community_id=card.community_id, card=card, actor=resident, to_status="cancelled")
    db.session.commit()
    assert fresh(item).reserved == 0


def test_a_helper_stepping_back_keeps_the_reservation(resident, item, delivery):
    card = db.session.get(Card, delivery.card_id)
    record("handoff.helper_withdraw", community_id=card.community_id, card=card, actor=resident, to_status="withdrawn")
    db.session.commit()  # the card is open again: the units stay set aside for the next helper
    assert fresh(item).reserved == 2
    assert db.session.get(Delivery, delivery.id).status == "reserved"


def test_a_lapsed_reservation_counts_no_more_towards_the_limit(resident, shelf):
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=10, daily_limit=1)
    delivery = service.request_delivery(resident, tests.id, 1)
    with pytest.raises(Conflict):  # while the reservation stands, it is today's one unit
        service.take(resident, tests.id, 1)
    transitions.apply(db.session.get(Card, delivery.card_id), "withdraw", resident)
    service.take(resident, tests.id, 1)
    assert db.session.get(Delivery, delivery.id).status == "lapsed"
    assert (fresh(tests).quantity, fresh(tests).reserved) == (9, 0)


def test_a_reservation_nobody_matched_times_out(app, resident, item, delivery):
    app.config["BOX_RESERVATION_HOURS"] = 24
    assert service.lapse_overdue_reservations() == 0
    db.session.get(Delivery, delivery.id).created_at -= timedelta(hours=25)
    db.session.commit()
    assert service.lapse_overdue_reservations() == 1
    assert db.session.get(Card, delivery.card_id).status == "expired"
    assert fresh(item).reserved == 0
    assert lines(item, "reservation_lapsed")[0].note == "card.expire"


def test_the_sweep_times_out_reservations_too(resident, item, delivery):
    db.session.get(Delivery, delivery.id).created_at -= timedelta(hours=25)
    db.session.commit()
    assert "lapsed box reservations: 1" in registry.sweep()
    assert fresh(item).reserved == 0


def test_an_expiring_card_lapses_its_reservation(resident, item, delivery):
    db.session.get(Card, delivery.card_id).expires_at -= timedelta(days=30)
    db.session.commit()
    housekeeping.expire_cards()
    assert fresh(item).reserved == 0


needs_handoffs = pytest.mark.skipif(not hasattr(transitions, "apply_handoff"), reason="the handoff flow (issue 4) is not here")


@needs_handoffs
def test_the_whole_doorstep_handoff_delivers_from_the_shelf(resident, neighbour, item, delivery):
    card = db.session.get(Card, delivery.card_id)
    handoff = transitions.start(card, "match", neighbour)
    transitions.apply_handoff(handoff, "leave_at_door", neighbour, note="on the handle")
    transitions.apply_handoff(handoff, "confirm_received", resident)
    item = fresh(item)
    assert (item.quantity, item.reserved) == (3, 0)
    assert lines(item, "delivered")[0].carried_by_id == neighbour.id


@needs_handoffs
def test_a_matched_reservation_does_not_time_out(resident, neighbour, item, delivery):
    transitions.start(db.session.get(Card, delivery.card_id), "match", neighbour)
    db.session.get(Delivery, delivery.id).created_at -= timedelta(hours=25)
    db.session.commit()
    assert service.lapse_overdue_reservations() == 0
    assert fresh(item).reserved == 2


# The database itself refuses what the service never writes.

@pytest.mark.parametrize("assignment", ["quantity = -1", "reserved = -1", "reserved = quantity + 1"])
def test_check_constraints_refuse_impossible_stock(item, assignment):
    with pytest.raises(IntegrityError):
        db.session.execute(text(f"UPDATE box_items SET {assignment} WHERE id = :id"), {"id": item.id})
        db.session.flush()
    db.session.rollback()
    assert fresh(item).quantity == 5


def test_check_constraint_refuses_medicine_without_expiry(shelf):
    db.session.add(Item(shelf_id=shelf.id, community_id=shelf.community_id, name="Pills", category="medicine"))
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()


def test_marks(app, shelf):
    today = date.today()
    low = factories.box_item(shelf, name="Rice", category="food", quantity=2, low_at=2)
    plenty = factories.box_item(shelf, name="Oil", category="food", quantity=9, low_at=2)
    soon = factories.box_item(shelf, name="Syrup", quantity=9, expires_on=today + timedelta(days=10))
    out = factories.box_item(shelf, name="Noodles", category="food", quantity=0)
    gone = factories.box_item(shelf, name="Granules", quantity=9, expires_on=today - timedelta(days=1))
    assert service.marks(low).low and not service.marks(plenty).low
    assert service.marks(soon).expiring_soon and not service.marks(plenty).expiring_soon
    assert service.marks(out).out and not service.marks(out).low
    assert service.marks(gone).expired and not service.marks(gone).expiring_soon
    gone.quantity = 1
    assert service.marks(gone).expired and not service.marks(gone).low  # expired says it all


def test_search_finds_by_name_and_shows_stocked_items_first(shelf):
    factories.box_item(shelf, name="Children's fever syrup", quantity=0)
    factories.box_item(shelf, name="Ibuprofen", quantity=3)
    factories.box_item(shelf, name="Rice", category="food", quantity=3)
    assert [i.name for i in service.items(shelf, "fever")] == ["Children's fever syrup"]
    assert [i.name for i in service.items(shelf)] == ["Ibuprofen", "Rice", "Children's fever syrup"]
    assert [i.name for i in service.items(shelf, "100%")] == []


def test_a_keeper_sets_the_household_limit_later(keeper, resident, housemate, item):
    service.update_item(keeper, item.id, daily_limit=1, low_at=1, location="top shelf")
    assert (fresh(item).daily_limit, fresh(item).low_at, fresh(item).location) == (1, 1, "top shelf")
    assert fresh(item).quantity == 5
    service.take(resident, item.id, 1)
    with pytest.raises(Conflict):
        service.take(housemate, item.id, 1)
    service.update_item(keeper, item.id, daily_limit=None, low_at=2)
    service.take(housemate, item.id, 1)
    assert "box.item_updated" in event_kinds()


def test_residents_cannot_change_an_items_limit(resident, item):
    with pytest.raises(Forbidden):
        service.update_item(resident, item.id, daily_limit=99, low_at=0)
    assert fresh(item).daily_limit is None


def test_box_settings_have_defaults_and_can_be_overridden(app):
    from board import create_app

    assert (app.config["BOX_DAILY_LIMIT_DEFAULT"], app.config["BOX_RESERVATION_HOURS"]) == (None, 24)
    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x", "BOX_RESERVATION_HOURS": 2},
                       instance_path=app.instance_path)
    assert other.config["BOX_RESERVATION_HOURS"] == 2
    # Two apps, each with its own receiver: nothing settles twice.
    for either in (app, other):
        assert list(events.event_recorded.receivers_for(either)).count(service.on_event) == 1
