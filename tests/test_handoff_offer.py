"""The life of an offer: a quantity, asks of k, first-come or chosen, one handoff per accepted ask."""
import pytest
from sqlalchemy import select

from board.cards import transitions
from board.extensions import db
from board.models import Card, Event, Handoff
from board.notifications.models import Notification
from tests import factories


def offer_of(author, quantity=5, first_come=True, **fields):
    return factories.card(author, kind="offer", category="food", title="Antigen tests", quantity=quantity,
                          unit="test", first_come=first_come, **fields)


def fresh(card) -> Card:
    return db.session.get(Card, card.id, populate_existing=True)


def handoffs_of(card):
    return Handoff.query.filter_by(card_id=card.id).order_by(Handoff.id).all()


@pytest.fixture
def giver(make_client, login, resident):
    return login(make_client(), resident)


@pytest.fixture
def asker(make_client, login, neighbour):
    return login(make_client(), neighbour)


@pytest.fixture
def asker2(make_client, login, community):
    return login(make_client(), factories.user(community, login="mei", display_name="Xiaomei", unit="804"))


def test_posting_an_offer_through_the_form_sets_its_quantity_and_mode(giver, resident):
    response = giver.post("/cards/new", data={"kind": "offer", "category": "food", "title": "Vegetables",
                                              "urgency": "normal", "quantity": "3", "first_come": "0"})
    assert response.status_code == 302
    card = Card.query.one()
    assert (card.quantity, card.quantity_left, card.first_come) == (3, 3, False)


def test_first_come_ask_is_accepted_at_once_and_takes_its_share(giver, asker, resident, neighbour):
    card = offer_of(resident, quantity=5)
    assert "Ask for it" in asker.get(f"/cards/{card.id}").get_data(as_text=True)
    assert asker.post(f"/cards/{card.id}/ask", data={"quantity": 2}).status_code == 302
    (handoff,) = handoffs_of(card)
    assert (handoff.status, handoff.quantity, handoff.giver_id, handoff.receiver_id) == ("matched", 2, resident.id, neighbour.id)
    assert (fresh(card).quantity_left, fresh(card).status) == (3, "open")
    assert [e.kind for e in Event.query.filter(Event.kind.startswith("handoff.")).order_by(Event.id)] == [
        "handoff.ask", "handoff.accept"]
    accept = Event.query.filter_by(kind="handoff.accept").one()
    assert accept.actor_id is None and accept.data["quantity"] == 2 and accept.data["quantity_left"] == 3
    # Still on the board with what is left.
    assert "3 of 5 tests left" in giver.get("/").get_data(as_text=True)


def test_each_accepted_ask_is_its_own_handoff_to_received(giver, asker, asker2, resident):
    card = offer_of(resident, quantity=2)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    asker2.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    first, second = handoffs_of(card)
    assert (fresh(card).quantity_left, fresh(card).status) == (0, "done")
    assert "Antigen tests" not in asker.get("/").get_data(as_text=True)  # used up: off the board
    for handoff, client in ((first, asker), (second, asker2)):
        giver.post(f"/handoffs/{handoff.id}/leave", data={"note": "on the handle", "version": handoff.version})
        handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
        assert handoff.status == "left_at_door"
        assert client.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 302
    assert [h.status for h in handoffs_of(card)] == ["received", "received"]
    assert fresh(card).status == "done"


def test_never_given_beyond_its_quantity(asker, asker2, resident):
    card = offer_of(resident, quantity=2)
    assert asker.post(f"/cards/{card.id}/ask", data={"quantity": 3}).status_code == 409
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 2})
    response = asker2.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    assert response.status_code == 409
    assert "no longer open" in response.get_data(as_text=True)
    assert sum(h.quantity for h in handoffs_of(card)) == 2 and fresh(card).quantity_left == 0


def test_ask_for_zero_or_negative_is_refused(asker, resident):
    card = offer_of(resident, quantity=2)
    assert asker.post(f"/cards/{card.id}/ask", data={"quantity": 0}).status_code == 409
    assert asker.post(f"/cards/{card.id}/ask", data={"quantity": -1}).status_code == 409
    assert handoffs_of(card) == [] and fresh(card).quantity_left == 2


def test_author_cannot_ask_for_own_offer(giver, resident):
    card = offer_of(resident)
    assert giver.post(f"/cards/{card.id}/ask", data={"quantity": 1}).status_code == 403


def test_choosing_among_askers(giver, asker, asker2, resident):
    card = offer_of(resident, quantity=1, first_come=False)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    asker2.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    first, second = handoffs_of(card)
    assert (first.status, second.status, fresh(card).quantity_left) == ("asked", "asked", 1)
    page = giver.get(f"/cards/{card.id}").get_data(as_text=True)
    assert page.count(">Accept<") == 2 and "Xiaomei asked for 1" in page
    assert giver.post(f"/handoffs/{second.id}/accept", data={"version": second.version}).status_code == 302
    assert (fresh(card).quantity_left, fresh(card).status) == (0, "done")
    # Nothing is left for the other ask: it is answered at once, and its asker is told.
    assert [h.status for h in handoffs_of(card)] == ["declined", "matched"]
    first = db.session.get(Handoff, first.id, populate_existing=True)
    assert giver.post(f"/handoffs/{first.id}/accept", data={"version": first.version}).status_code == 409
    told = db.session.scalars(select(Notification.kind).where(Notification.user_id == first.receiver_id)).all()
    assert told == ["declined"]


@pytest.mark.parametrize("ending", ["withdraw", "expire"])
def test_an_offer_leaving_the_board_answers_the_asks_still_waiting(giver, asker, resident, ending):
    card = offer_of(resident, quantity=3, first_come=False)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    (ask,) = handoffs_of(card)
    if ending == "withdraw":
        assert giver.post(f"/cards/{card.id}/withdraw", data={"version": fresh(card).version}).status_code == 302
    else:
        transitions.apply(fresh(card), "expire", None)
    assert [h.status for h in handoffs_of(card)] == ["declined"]
    events = db.session.scalars(select(Event).where(Event.card_id == card.id).order_by(Event.id)).all()
    assert [(e.kind, e.actor_id) for e in events][-2:] == [(f"card.{ending}", resident.id if ending == "withdraw" else None),
                                                          ("handoff.decline", None)]
    told = db.session.scalars(select(Notification.user_id).where(Notification.kind == "declined")).all()
    assert told == [ask.receiver_id]


def test_giver_withdrawing_a_handoff_frees_its_share(giver, asker, resident):
    card = offer_of(resident, quantity=1)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    (handoff,) = handoffs_of(card)
    assert fresh(card).status == "done"
    assert giver.post(f"/handoffs/{handoff.id}/helper_withdraw", data={"version": handoff.version}).status_code == 302
    assert (fresh(card).quantity_left, fresh(card).status) == (1, "open")
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "withdrawn"


def test_asker_cancels_and_the_share_returns(asker, resident):
    card = offer_of(resident, quantity=3)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 2})
    (handoff,) = handoffs_of(card)
    assert asker.post(f"/handoffs/{handoff.id}/cancel", data={"version": handoff.version}).status_code == 302
    assert fresh(card).quantity_left == 3


def test_received_in_person_from_an_offer(asker, resident):
    card = offer_of(resident, quantity=3)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    (handoff,) = handoffs_of(card)
    assert asker.post(f"/handoffs/{handoff.id}/receive_in_person", data={"version": handoff.version}).status_code == 302
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "received"
    assert fresh(card).quantity_left == 2  # a received share stays given


def test_repeated_ask_is_idempotent(asker, resident):
    card = offer_of(resident, quantity=5)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    assert len(handoffs_of(card)) == 1 and fresh(card).quantity_left == 4
    assert Event.query.filter_by(kind="handoff.ask").count() == 1


def test_withdrawn_offer_takes_no_asks_but_running_handoffs_finish(giver, asker, asker2, resident):
    card = offer_of(resident, quantity=3)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    assert giver.post(f"/cards/{card.id}/withdraw", data={"version": fresh(card).version}).status_code == 302
    assert asker2.post(f"/cards/{card.id}/ask", data={"quantity": 1}).status_code == 409
    (handoff,) = handoffs_of(card)
    assert asker.post(f"/handoffs/{handoff.id}/receive_in_person", data={"version": handoff.version}).status_code == 302


def test_editing_quantity_keeps_what_is_held(giver, asker, resident):
    card = offer_of(resident, quantity=5)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 2})
    card = fresh(card)
    form = {"category": "food", "title": "Antigen tests", "urgency": "normal", "quantity": "8", "unit": "test",
            "first_come": "1", "version": card.version}
    assert giver.post(f"/cards/{card.id}/edit", data=form).status_code == 302
    assert (fresh(card).quantity, fresh(card).quantity_left) == (8, 6)
    form.update(quantity="2", version=fresh(card).version)
    assert giver.post(f"/cards/{card.id}/edit", data=form).status_code == 409
    assert fresh(card).quantity_left == 6


def test_giver_sees_asker_door_only_once_accepted(giver, asker, resident, neighbour):
    card = offer_of(resident, quantity=1, first_come=False)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 1})
    assert "1201" not in giver.get(f"/cards/{card.id}").get_data(as_text=True)
    (handoff,) = handoffs_of(card)
    giver.post(f"/handoffs/{handoff.id}/accept", data={"version": handoff.version})
    response = giver.get(f"/cards/{card.id}")
    assert "unit 1201" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


def test_an_asker_with_an_ask_under_way_is_not_offered_a_second_one(asker, resident):
    card = offer_of(resident, quantity=5, first_come=False)
    assert ">Ask for it<" in asker.get(f"/cards/{card.id}").get_data(as_text=True)
    asker.post(f"/cards/{card.id}/ask", data={"quantity": 2})
    page = asker.get(f"/cards/{card.id}").get_data(as_text=True)
    assert ">Ask for it<" not in page and "You asked for 2" in page
    (ask,) = handoffs_of(card)
    asker.post(f"/handoffs/{ask.id}/cancel", data={"version": ask.version})
    assert ">Ask for it<" in asker.get(f"/cards/{card.id}").get_data(as_text=True)
