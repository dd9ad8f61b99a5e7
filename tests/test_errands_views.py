"""The errands' pages: placing by form, the desk for each role, one-tap assign, privacy of doors and receipts."""
import pytest

from board.errands import service
from board.errands.models import Errand
from board.extensions import db
from board.households import service as households
from tests import factories
from tests.test_photos import gps_tagged_jpeg


@pytest.fixture
def volunteer(community):
    return factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201",
                                            role="volunteer"))


@pytest.fixture
def volunteer2(community):
    return factories.on_duty(factories.user(community, login="wu", display_name="Wu", building=2, unit="1503",
                                            role="volunteer"))


def as_(make_client, login, user):
    return login(make_client(), user)


def test_a_resident_places_an_errand_by_form(client, login, resident):
    login(client, resident)
    response = client.post("/errands/new", data={
        "person": "", "title": "Rice 5 kg", "from_where": "Supermarket", "payment": "on_delivery", "budget": "45.50",
        "urgency": "normal"})
    assert response.status_code == 302
    errand = Errand.query.one()
    assert (errand.card.title, errand.budget, errand.source) == ("Rice 5 kg", 4550, "resident")


def test_a_bad_budget_rerenders_the_form_and_writes_nothing(client, login, resident):
    login(client, resident)
    response = client.post("/errands/new", data={"title": "Rice", "payment": "on_delivery", "budget": "lots",
                                                 "urgency": "normal"})
    assert response.status_code == 200 and "for example 25" in response.get_data(as_text=True)
    assert Errand.query.count() == 0


def test_the_desk_for_each_role(make_client, login, resident, coordinator, volunteer):
    service.place_errand(resident, household=resident.household, title="Rice")
    desk = as_(make_client, login, coordinator).get("/errands/")
    page = desk.get_data(as_text=True)
    assert desk.status_code == 200 and "Rice" in page and "Problems" in page and "unit 502" in page
    seen = as_(make_client, login, volunteer).get("/errands/")
    text = seen.get_data(as_text=True)
    assert seen.status_code == 200 and "Rice" in text and "I'll take it" in text
    assert "502" not in text and "Building 1" in text  # the building, never the unit
    plain = as_(make_client, login, resident).get("/errands/")
    assert plain.status_code == 302 and plain.location.endswith("/errands/mine")


def test_one_tap_assign_from_the_errand_page(make_client, login, resident, coordinator, volunteer):
    errand = service.place_errand(resident, household=resident.household, title="Rice")
    browser = as_(make_client, login, coordinator)
    page = browser.get(f"/errands/{errand.id}").get_data(as_text=True)
    assert "Auntie Zhou" in page and "0 open errands" in page
    assert browser.post(f"/errands/{errand.id}/assign", data={"volunteer": volunteer.id}).status_code == 302
    assert db.session.get(Errand, errand.id, populate_existing=True).state == "assigned"


def test_the_volunteer_sees_the_door_only_while_the_errand_is_theirs(make_client, login, resident, volunteer, volunteer2):
    errand = service.place_errand(resident, household=resident.household, title="Rice")
    mine, other = as_(make_client, login, volunteer), as_(make_client, login, volunteer2)
    before = mine.get(f"/errands/{errand.id}")
    assert before.status_code == 200 and "502" not in before.get_data(as_text=True)
    assert mine.post(f"/errands/{errand.id}/claim").status_code == 302
    during = mine.get(f"/errands/{errand.id}")
    assert "unit 502" in during.get_data(as_text=True) and during.headers["Cache-Control"] == "no-store"
    assert other.get(f"/errands/{errand.id}").status_code == 404  # taken: not in the queue any more
    service.act(db.session.get(Errand, errand.id), "give_back", volunteer)
    after = mine.get(f"/errands/{errand.id}")
    assert after.status_code == 200 and "502" not in after.get_data(as_text=True)


def test_receipts_only_to_the_volunteer_the_household_and_coordinators(make_client, login, app, resident, neighbour,
                                                                       coordinator, volunteer, volunteer2):
    errand = service.place_errand(resident, household=resident.household, title="Rice", payment="reimbursed")
    runner = as_(make_client, login, volunteer)
    runner.post(f"/errands/{errand.id}/claim")
    import io
    photo = io.BytesIO(gps_tagged_jpeg((400, 300)))
    response = runner.post(f"/errands/{errand.id}/spent", data={"amount": "23.50", "receipt": (photo, "r.jpg")},
                           content_type="multipart/form-data")
    assert response.status_code == 302
    errand = db.session.get(Errand, errand.id, populate_existing=True)
    assert errand.spent == 2350 and errand.receipt_photo
    url = f"/errands/{errand.id}/receipt"
    for who, status in ((volunteer, 200), (resident, 200), (coordinator, 200), (volunteer2, 404), (neighbour, 404)):
        got = as_(make_client, login, who).get(url)
        assert got.status_code == status, who.login
        if status == 200:
            assert got.headers["Cache-Control"] == "no-store"
            from PIL import Image
            assert not Image.open(io.BytesIO(got.data)).getexif()  # stripped like doorstep photos


def test_the_settings_are_for_coordinators(make_client, login, coordinator, volunteer, community):
    assert as_(make_client, login, volunteer).get("/errands/settings").status_code == 403
    browser = as_(make_client, login, coordinator)
    assert browser.post("/errands/settings", data={"mode": "assign", "open_limit": "2"}).status_code == 302
    from board.errands.transitions import settings_of
    assert (settings_of(community.id).mode, settings_of(community.id).open_limit) == ("assign", 2)


def test_a_coordinator_places_for_grandma_liu_by_phone(make_client, login, community, coordinator):
    home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, home, name="刘奶奶", age_group="over_80", contact="knock")
    db.session.commit()
    browser = as_(make_client, login, coordinator)
    assert "刘奶奶" in browser.get("/errands/new").get_data(as_text=True)
    response = browser.post("/errands/new", data={"person": str(liu.id), "title": "Heart tablets",
                                                  "payment": "on_delivery", "urgency": "urgent"})
    assert response.status_code == 302
    errand = Errand.query.one()
    assert (errand.person_id, errand.household_id, errand.source) == (liu.id, home.id, "on_behalf")


def _team(community, key):
    from board.volunteers import service as crew

    team = crew.team_by_key(community.id, key)
    db.session.commit()
    return team


ERRAND = {"person": "", "title": "Blood pressure tablets", "from_where": "Pharmacy on Jinting Road",
          "payment": "on_delivery", "budget": "", "urgency": "normal"}


def test_the_team_picker_offers_the_community_s_teams_in_the_resident_s_language(client, login, community,
                                                                                  other_community):
    chinese = factories.user(community, login="mei", display_name="小梅", unit="804", locale="zh_CN")
    _team(other_community, "medicine")
    elsewhere = _team(other_community, "groceries")
    login(client, chinese)
    page = client.get("/errands/new").get_data(as_text=True)
    medicine = _team(community, "medicine")
    assert "代购药品" in page and "不限小组" in page
    assert f'value="{medicine.id}"' in page and f'value="{elsewhere.id}"' not in page


def test_a_chosen_team_goes_with_the_errand_and_files_its_card(client, login, resident, community):
    medicine = _team(community, "medicine")
    login(client, resident)
    assert client.post("/errands/new", data={**ERRAND, "team": str(medicine.id)}).status_code == 302
    errand = Errand.query.one()
    assert errand.team_id == medicine.id and errand.card.category == "medicine"
    page = client.get(f"/errands/{errand.id}").get_data(as_text=True)
    assert "Medicine runs" in page


def test_no_team_is_any_team(client, login, resident):
    login(client, resident)
    assert client.post("/errands/new", data={**ERRAND, "team": ""}).status_code == 302
    assert Errand.query.one().team_id is None


@pytest.mark.parametrize("junk", ["abc", "0", "-3", "99999", "１", "9" * 40, "elsewhere"])
def test_a_team_of_another_community_or_a_junk_id_rerenders_the_form_with_the_text_kept(
        client, login, resident, community, other_community, junk):
    if junk == "elsewhere":
        junk = str(_team(other_community, "medicine").id)
    _team(community, "medicine")
    login(client, resident)
    response = client.post("/errands/new", data={**ERRAND, "team": junk})
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Please choose one of this community" in page and 'aria-invalid="true"' in page
    assert "Blood pressure tablets" in page and "Pharmacy on Jinting Road" in page
    assert Errand.query.count() == 0


def test_the_service_refuses_another_community_s_team_too(resident, other_community):
    from board.errors import Conflict

    with pytest.raises(Conflict):
        service.place_errand(resident, household=resident.household, title="Rice",
                             team_id=_team(other_community, "groceries").id)
    db.session.rollback()
    assert Errand.query.count() == 0


def test_the_desk_shows_the_team(make_client, login, resident, coordinator, volunteer, community):
    groceries = _team(community, "groceries")
    errand = service.place_errand(resident, household=resident.household, title="Rice", team_id=groceries.id)
    for user in (coordinator, volunteer):
        page = as_(make_client, login, user).get("/errands/").get_data(as_text=True)
        row = page[page.index(f'id="errand-{errand.id}"'):]
        assert "Groceries" in row[:row.index("</li>")]


def test_an_errand_on_the_board_has_no_i_can_help_and_a_volunteer_on_duty_takes_it_there(make_client, login, resident,
                                                                                         neighbour, volunteer):
    """The board and the card's page: the desk's claim for who may claim, a line for everyone else."""
    errand = service.place_errand(resident, household=resident.household, title="Rice 5 kg")
    card_path = f"/cards/{errand.card_id}"
    member = login(make_client(), neighbour)
    board = member.get("/")
    assert board.status_code == 200 and "Rice 5 kg" in board.get_data(as_text=True)
    assert "I can help" not in board.get_data(as_text=True)
    page = member.get(card_path)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "A volunteer will take this errand." in text
    assert "I can help" not in text and "Take this errand" not in text
    refused = member.post(f"{card_path}/help", data={"version": errand.card.version})
    assert refused.status_code == 409 and "dispatch desk" in refused.get_data(as_text=True)

    runner = login(make_client(), volunteer)
    text = runner.get(card_path).get_data(as_text=True)
    assert "Take this errand" in text and f"/errands/{errand.id}/claim" in text and "I can help" not in text
    assert runner.post(f"/errands/{errand.id}/claim").status_code == 302
    errand = db.session.get(Errand, errand.id, populate_existing=True)
    assert errand.state == "accepted" and errand.volunteer_id == volunteer.id
    assert "Take this errand" not in member.get(card_path).get_data(as_text=True)


def test_off_duty_the_errands_card_shows_no_take_button(make_client, login, resident, volunteer, community):
    from board.volunteers import service as crew

    errand = service.place_errand(resident, household=resident.household, title="Rice 5 kg")
    crew.set_on_duty(volunteer, crew.profile_of(volunteer, community.id), False)
    text = login(make_client(), volunteer).get(f"/cards/{errand.card_id}").get_data(as_text=True)
    assert "A volunteer will take this errand." in text and "Take this errand" not in text
