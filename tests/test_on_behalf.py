"""Posting for someone without a phone, over HTTP: the phone intake, the household's door, who is told, who confirms."""
import pytest

from board.extensions import db
from board.households import service as households
from board.models import Card, Event, Handoff, Household, Person
from board.notifications.models import Notification
from tests import factories

DOOR = "L101Q"  # Grandma Liu's door: a string no page shows by accident


@pytest.fixture
def volunteer(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", unit="201", building=2,
                          role="volunteer")


@pytest.fixture
def wang(make_client, login, coordinator):
    return login(make_client(), coordinator)


@pytest.fixture
def helper(make_client, login, neighbour):
    return login(make_client(), neighbour)


@pytest.fixture
def other(make_client, login, community):
    return login(make_client(), factories.user(community, login="mei", display_name="Xiaomei", unit="804"))


def intake(client, **fields):
    data = {"person": "", "name": "刘奶奶", "building": "", "unit": DOOR, "contact": "knock twice",
            "age_group": "over_80", "language": "Suzhou dialect", "intake": "phone", "caller": "her son",
            "title": "Fever medicine", "details": "38.5 since noon", "category": "medicine", "urgency": "urgent",
            "for_elderly": "y"}
    data.update(fields)
    return client.post("/intake", data=data)


def test_a_coordinator_takes_a_call_and_posts_for_a_new_person(wang, community, coordinator):
    assert wang.get("/intake").status_code == 200
    response = intake(wang, building=community.buildings[1].id)
    assert response.status_code == 302, response.get_data(as_text=True)
    card = db.session.scalar(db.select(Card))
    person = db.session.get(Person, card.for_person_id)
    assert (person.name, person.user_id, person.contact, person.age_group) == ("刘奶奶", None, "knock twice", "over_80")
    assert (card.author_id, card.intake, card.intake_note) == (coordinator.id, "phone", "her son")
    assert card.household_id == person.household_id and card.building_id == community.buildings[1].id
    assert db.session.get(Household, card.household_id).unit == DOOR
    page = wang.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "Posted by Wang for 刘奶奶 (Phone call)" in page and "her son" in page


def test_a_volunteer_may_post_on_behalf_and_a_resident_may_not(make_client, login, volunteer, resident, community):
    resident_client = login(make_client(), resident)
    assert resident_client.get("/intake").status_code == 403
    assert intake(resident_client, building=community.buildings[1].id).status_code == 403
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(Person.user_id.is_(None))) == 0
    volunteer_client = login(make_client(), volunteer)
    assert intake(volunteer_client, building=community.buildings[1].id).status_code == 302


def test_a_bad_intake_is_shown_again_with_the_text_kept_and_nothing_written(wang):
    response = intake(wang, building="", name="")
    page = response.get_data(as_text=True)
    assert response.status_code == 200 and "Fever medicine" in page and "Please choose the building." in page
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 0
    assert db.session.scalar(db.select(db.func.count(Household.id))) == 1  # the coordinator's own home only


def test_the_whole_loop_for_grandma_liu(wang, helper, other, community, coordinator, neighbour):
    intake(wang, building=community.buildings[1].id)
    card = db.session.scalar(db.select(Card))
    # The board shows the building only, and nobody else reads her name.
    board = other.get("/").get_data(as_text=True)
    assert "Fever medicine" in board and "Building 2" in board and "刘奶奶" not in board and DOOR not in board
    before = helper.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "for a neighbour without a phone" in before and "刘奶奶" not in before
    assert helper.post(f"/cards/{card.id}/help", data={"version": card.version}).status_code == 302
    handoff = db.session.scalar(db.select(Handoff))
    assert handoff.receiver_id == coordinator.id and handoff.receiver_household_id == card.household_id
    page = helper.get(f"/cards/{card.id}").get_data(as_text=True)
    assert f"Leave it at: Building 2, unit {DOOR}" in page  # her door, not the poster's
    assert "unit 101" not in page and "You are helping 刘奶奶" in page
    assert {n.user_id for n in Notification.query} == {coordinator.id}  # the poster hears of the match
    assert DOOR not in other.get(f"/cards/{card.id}").get_data(as_text=True)
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "white bag on the handle", "version": handoff.version})
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "left_at_door"
    # Wang calls her, she has it: Wang confirms.
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    response = wang.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version})
    assert response.status_code == 302
    assert db.session.get(Card, card.id, populate_existing=True).status == "received"
    events = [e.kind for e in Event.query.filter_by(card_id=card.id).order_by(Event.id)]
    assert events == ["card.posted", "handoff.match", "handoff.leave_at_door", "handoff.confirm_received"]
    assert {n.user_id for n in Notification.query.filter_by(kind="received")} == {neighbour.id}


def test_another_coordinator_may_confirm_and_a_bystander_may_not(wang, helper, other, community, make_client,
                                                                  login):
    intake(wang, building=community.buildings[1].id)
    card = db.session.scalar(db.select(Card))
    helper.post(f"/cards/{card.id}/help", data={"version": card.version})
    handoff = db.session.scalar(db.select(Handoff))
    helper.post(f"/handoffs/{handoff.id}/leave", data={"note": "", "version": handoff.version})
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert other.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 403
    second = login(make_client(), factories.user(community, login="lead2", unit="9", role="coordinator"))
    assert second.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 302


def test_her_household_members_with_a_login_are_told_and_may_confirm(wang, helper, community, coordinator,
                                                                   make_client, login):
    intake(wang, building=community.buildings[1].id)
    card = db.session.scalar(db.select(Card))
    son = factories.user(community, login="son", display_name="Her son", unit="77", building=0)
    households.link_person(coordinator, db.session.get(Household, card.household_id), son)
    helper.post(f"/cards/{card.id}/help", data={"version": card.version})
    assert {n.user_id for n in Notification.query} == {coordinator.id, son.id}
    son_client = login(make_client(), son)
    page = son_client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "Posted by Wang for 刘奶奶" in page


def test_posting_for_a_known_person_reuses_their_household(wang, community, coordinator):
    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(coordinator, home, name="刘奶奶", contact="knock")
    response = intake(wang, person=liu.id, name="", unit="", building="", contact="new landline 6688")
    assert response.status_code == 302, response.get_data(as_text=True)
    card = db.session.scalar(db.select(Card))
    assert card.for_person_id == liu.id and card.household_id == home.id
    assert db.session.get(Person, liu.id).contact == "new landline 6688"
    assert db.session.scalar(db.select(db.func.count(Person.id)).where(Person.user_id.is_(None))) == 1


def test_an_ask_on_an_offer_for_someone_without_a_phone_goes_to_their_door(community, coordinator, resident,
                                                                          make_client, login):
    from board.cards import handoffs

    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(coordinator, home, name="刘奶奶")
    offer = factories.card(resident, kind="offer", category="food", title="Rice", quantity=2)
    handoff = handoffs.ask(offer, coordinator, 1, for_person=liu)
    assert (handoff.status, handoff.receiver_household_id, handoff.for_person_id) == ("matched", home.id, liu.id)
    giver = login(make_client(), resident)
    page = giver.get(f"/cards/{offer.id}").get_data(as_text=True)
    assert f"Leave it at: Building 2, unit {DOOR}" in page and "for 刘奶奶" in page
    # The coordinator may still ask for themselves: an ask for someone else is not theirs.
    own = handoffs.ask(offer, coordinator, 1)
    assert own.id != handoff.id and own.for_person_id is None


def test_a_box_delivery_for_someone_without_a_phone_counts_against_her_household(wang, community, coordinator,
                                                                                 neighbour):
    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(coordinator, home, name="刘奶奶")
    shelf = factories.shelf(community, keepers=(coordinator,))
    item = factories.box_item(shelf, quantity=10, daily_limit=2)
    page = wang.get(f"/box/items/{item.id}/deliver").get_data(as_text=True)
    assert "刘奶奶" in page and "Myself" in page
    response = wang.post(f"/box/items/{item.id}/deliver", data={"for_person": liu.id, "quantity": 2,
                                                                 "urgency": "normal", "note": ""})
    assert response.status_code == 302, response.get_data(as_text=True)
    card = db.session.scalar(db.select(Card))
    assert (card.for_person_id, card.household_id, card.author_id) == (liu.id, home.id, coordinator.id)
    # Her household has had its 2 today; Wang's own household has not.
    again = wang.post(f"/box/items/{item.id}/deliver", data={"for_person": liu.id, "quantity": 1,
                                                              "urgency": "normal", "note": ""})
    assert again.status_code == 409 and "Each household may take" in again.get_data(as_text=True)
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 1
    mine = wang.post(f"/box/items/{item.id}/deliver", data={"for_person": "", "quantity": 1, "urgency": "normal",
                                                             "note": ""})
    assert mine.status_code == 302


def test_a_resident_cannot_ask_the_box_for_someone_else(make_client, login, resident, community, coordinator):
    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(coordinator, home, name="刘奶奶")
    item = factories.box_item(factories.shelf(community), quantity=10)
    client = login(make_client(), resident)
    assert "刘奶奶" not in client.get(f"/box/items/{item.id}/deliver").get_data(as_text=True)
    response = client.post(f"/box/items/{item.id}/deliver", data={"for_person": liu.id, "quantity": 1,
                                                                   "urgency": "normal", "note": ""})
    assert response.status_code in (200, 403)  # not a choice offered to a resident
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 0


def test_the_offer_page_lets_a_volunteer_ask_for_someone_without_a_phone(make_client, login, volunteer, resident,
                                                                         community, coordinator):
    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(coordinator, home, name="刘奶奶")
    offer = factories.card(resident, kind="offer", category="food", title="Rice", quantity=2)
    client = login(make_client(), volunteer)
    page = client.get(f"/cards/{offer.id}").get_data(as_text=True)
    assert "Ask for someone without a phone" in page
    page = client.get(f"/cards/{offer.id}/ask-for").get_data(as_text=True)
    assert "刘奶奶" in page and DOOR not in page  # a volunteer is not shown her door before they are part of it
    response = client.post(f"/cards/{offer.id}/ask", data={"quantity": 1, "for_person": liu.id})
    assert response.status_code == 302
    handoff = db.session.scalar(db.select(Handoff))
    assert (handoff.for_person_id, handoff.receiver_household_id, handoff.receiver_id) == (liu.id, home.id, volunteer.id)
    neighbour_page = login(make_client(), factories.user(community, login="x1", unit="5")).get(f"/cards/{offer.id}")
    assert "Ask for someone without a phone" not in neighbour_page.get_data(as_text=True)
    assert login(make_client(), factories.user(community, login="x2", unit="6")).get(
        f"/cards/{offer.id}/ask-for").status_code == 403
