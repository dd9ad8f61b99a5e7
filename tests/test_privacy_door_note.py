"""The note for whoever brings a delivery ("isolating, hang it on the handle, 1203") is shown with the door
only: to the poster, the matched helper while it matters, and coordinators — never on the public card,
the board, the live fragment, or the shelf's register."""
import pytest
from sqlalchemy import select

from board.box.models import Delivery
from board.cards import public, transitions
from board.extensions import db
from board.models import Card
from tests import factories

NOTE = "Isolating in 1203, please hang it on the handle"


@pytest.fixture
def keeper(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201")


@pytest.fixture
def item(community, keeper):
    shelf = factories.shelf(community, name="Medicine box", location="Property office", keepers=(keeper,))
    return factories.box_item(shelf, name="Ibuprofen", quantity=5)


@pytest.fixture
def card(make_client, login, resident, item):
    as_resident = login(make_client(), resident)
    response = as_resident.post(f"/box/items/{item.id}/deliver", data={"quantity": "1", "urgency": "normal", "note": NOTE})
    assert response.status_code == 302
    return db.session.get(Card, db.session.scalar(select(Delivery)).card_id)


def text_for(make_client, login, user, url):
    browser = login(make_client(), user) if user is not None else make_client()
    response = browser.get(url)
    return response, response.get_data(as_text=True)


def test_the_note_is_not_in_the_public_card(app, card):
    assert NOTE not in card.details and card.door_note == NOTE
    with app.test_request_context("/"):
        assert NOTE not in str(public.render(card, full=True)) and NOTE not in str(public.on_board(card))


def test_before_a_match_only_the_poster_and_coordinators_read_it(make_client, login, card, resident, neighbour,
                                                                  coordinator, keeper):
    for viewer, sees in ((resident, True), (coordinator, True), (neighbour, False), (keeper, False)):
        response, body = text_for(make_client, login, viewer, f"/cards/{card.id}")
        assert response.status_code == 200
        assert (NOTE in body) is sees, viewer.login
        if sees:
            assert response.headers["Cache-Control"] == "no-store"
        _, board = text_for(make_client, login, viewer, "/")
        assert NOTE not in board


def test_the_matched_helper_reads_it_with_the_door_until_it_is_done(make_client, login, card, resident, neighbour,
                                                                     community):
    third = factories.user(community, login="third", display_name="Third Neighbour")
    handoff = transitions.start(card, "match", neighbour)
    _, body = text_for(make_client, login, neighbour, f"/cards/{card.id}")
    assert NOTE in body
    _, body = text_for(make_client, login, third, f"/cards/{card.id}")
    assert NOTE not in body
    transitions.apply_handoff(handoff, "leave_at_door", neighbour)
    transitions.apply_handoff(handoff, "confirm_received", resident)
    _, body = text_for(make_client, login, neighbour, f"/cards/{card.id}")
    assert NOTE not in body  # done: the helper no longer needs the door or the note


def test_the_register_does_not_carry_the_note(make_client, login, card, keeper, item):
    for url in (f"/box/shelves/{item.shelf_id}/register", f"/box/shelves/{item.shelf_id}/register.csv"):
        response, body = text_for(make_client, login, keeper, url)
        assert response.status_code == 200 and NOTE not in body
