"""The members page: coordinators grant and remove roles (each change an event); households and people."""
import pytest

from board.extensions import db
from board.models import Event, Household, Person
from tests import factories


@pytest.fixture
def wang(make_client, login, coordinator):
    return login(make_client(), coordinator)


def test_only_coordinators_open_the_members_and_households_pages(make_client, login, resident, wang):
    client = login(make_client(), resident)
    for path in ("/members", "/households", "/intake"):
        assert client.get(path).status_code == 403, path
        assert wang.get(path).status_code == 200, path


def test_a_coordinator_grants_and_removes_a_role_and_each_change_is_an_event(wang, resident, coordinator):
    response = wang.post(f"/members/{resident.id}/roles/volunteer", data={"on": "1"})
    assert response.status_code == 302
    db.session.refresh(resident.membership)
    assert resident.membership.roles == {"resident", "volunteer"}
    wang.post(f"/members/{resident.id}/roles/volunteer", data={"on": "1"})  # again: nothing changes
    wang.post(f"/members/{resident.id}/roles/merchant", data={"on": "1"})
    wang.post(f"/members/{resident.id}/roles/volunteer", data={"on": "0"})
    db.session.refresh(resident.membership)
    assert resident.membership.roles == {"resident", "merchant"}
    events = [(e.kind, e.data["role"], e.actor_id, e.data["user_id"])
              for e in Event.query.filter(Event.kind.like("member.%")).order_by(Event.id)]
    assert events == [("member.role_granted", "volunteer", coordinator.id, resident.id),
                      ("member.role_granted", "merchant", coordinator.id, resident.id),
                      ("member.role_removed", "volunteer", coordinator.id, resident.id)]


def test_a_resident_cannot_grant_roles_and_nothing_is_written(make_client, login, resident, neighbour):
    client = login(make_client(), resident)
    assert client.post(f"/members/{neighbour.id}/roles/coordinator", data={"on": "1"}).status_code == 403
    db.session.refresh(neighbour.membership)
    assert neighbour.membership.roles == {"resident"}
    assert Event.query.filter(Event.kind.like("member.%")).count() == 0


def test_a_coordinator_cannot_remove_their_own_coordinator_role(wang, coordinator):
    assert wang.post(f"/members/{coordinator.id}/roles/coordinator", data={"on": "0"}).status_code == 403
    db.session.refresh(coordinator.membership)
    assert "coordinator" in coordinator.membership.roles


def test_another_communitys_member_and_impossible_ids_are_404(wang, stranger):
    assert wang.post(f"/members/{stranger.id}/roles/volunteer", data={"on": "1"}).status_code == 404
    assert wang.post("/members/99999999999/roles/volunteer", data={"on": "1"}).status_code == 404
    assert wang.post(f"/members/{stranger.id}/roles/king", data={"on": "1"}).status_code == 404
    assert wang.get("/households/99999999999").status_code == 404


def test_the_members_page_searches_by_name_building_and_door(wang, resident, neighbour):
    page = wang.get("/members", query_string={"q": "Li Na"}).get_data(as_text=True)
    assert "Li Na" in page and "Dr Chen" not in page
    page = wang.get("/members", query_string={"q": "Building 2"}).get_data(as_text=True)
    assert "Dr Chen" in page and "Li Na" not in page


def test_residents_of_one_door_share_a_household(community, resident):
    mother = factories.user(community, login="mum", display_name="Li Na's mother", unit=" 502 ")
    assert mother.membership.household_id == resident.membership.household_id
    names = {p.name for p in db.session.get(Household, resident.membership.household_id).people}
    assert names == {"Li Na", "Li Na's mother"}


def test_moving_home_moves_the_person_and_past_cards_keep_their_home(make_client, login, resident, community):
    card = factories.card(resident)
    old_home = resident.membership.household_id
    client = login(make_client(), resident)
    response = client.post("/profile", data={"display_name": "Li Na", "building": community.buildings[2].id,
                                             "unit": "1803", "locale": ""})
    assert response.status_code == 302
    db.session.refresh(resident.membership)
    new_home = db.session.get(Household, resident.membership.household_id)
    assert (new_home.id != old_home, new_home.unit, new_home.building_id) == (True, "1803", community.buildings[2].id)
    person = db.session.scalar(db.select(Person).where(Person.user_id == resident.id))
    assert person.household_id == new_home.id
    assert db.session.get(type(card), card.id).household_id == old_home
    assert Event.query.filter_by(kind="household.moved").count() == 1


def test_a_coordinator_records_a_household_where_nobody_has_a_phone(wang, community):
    response = wang.post("/households", data={"building": community.buildings[2].id, "unit": "301"})
    assert response.status_code == 302
    household = db.session.scalar(db.select(Household).where(Household.unit == "301"))
    response = wang.post(f"/households/{household.id}", data={"name": "高奶奶", "contact": "knock",
                                                              "age_group": "over_80", "language": ""})
    assert response.status_code == 302
    page = wang.get(f"/households/{household.id}").get_data(as_text=True)
    assert "高奶奶" in page and "No login" in page and "knock" in page


def test_a_household_record_is_private_to_its_people_and_coordinators(make_client, login, resident, neighbour, wang):
    home = resident.membership.household_id
    assert login(make_client(), neighbour).get(f"/households/{home}").status_code == 403
    assert login(make_client(), resident).get(f"/households/{home}").status_code == 200
    assert wang.get(f"/households/{home}").status_code == 200
