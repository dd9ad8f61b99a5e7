"""The volunteers' pages: sign up, approve, on duty, the list, teams and shifts; who may open what."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import utcnow
from board.volunteers import service
from board.volunteers.models import Shift, Team, VolunteerProfile
from tests import factories


@pytest.fixture
def volunteer(community, coordinator, neighbour):
    medicine = service.team_by_key(community.id, "medicine")
    profile = service.sign_up(neighbour, team_ids=[medicine.id], building_ids=[community.buildings[1].id],
                              availability="Evenings", contact="138 1234 5678")
    service.decide(coordinator, profile, "approve")
    return profile


def page(client, url, status=200):
    response = client.get(url)
    assert response.status_code == status, response.get_data(as_text=True)[:500]
    return response.get_data(as_text=True)


def test_a_resident_signs_up_and_the_coordinator_approves(community, resident, coordinator, make_client, login):
    me = login(make_client(), resident)
    assert "Sign up as a volunteer" in page(me, "/volunteers/")
    form = page(me, "/volunteers/sign-up")
    groceries = service.team_by_key(community.id, "groceries")
    assert "Groceries" in form and "Building 2" in form
    response = me.post("/volunteers/sign-up", data={"teams": [groceries.id], "buildings": [community.buildings[0].id],
                                                    "availability": "Mornings", "contact": "139 0000 1111"})
    assert response.status_code == 302
    profile = service.profile_of(resident, community.id)
    assert profile.status == "applied"
    assert "Waiting for a coordinator" in page(me, "/volunteers/")
    boss = login(make_client(), coordinator)
    listing = page(boss, "/volunteers/list")
    assert "Li Na" in listing and "139 0000 1111" in listing and "Waiting for a coordinator" in listing
    response = boss.post(f"/volunteers/{profile.id}/decide", data={"move": "approve", "back": "list"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/volunteers/list")
    assert db.session.get(VolunteerProfile, profile.id).status == "approved"
    assert "I am on duty now" in page(me, "/volunteers/")


def test_the_switch_turns_on_in_place_with_htmx_and_without_it(community, neighbour, volunteer, make_client, login):
    me = login(make_client(), neighbour)
    response = me.post("/volunteers/duty", data={"on": "1"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.get_data(as_text=True)
    assert 'id="duty-switch"' in html and "You are on duty now." in html and "<html" not in html
    assert service.on_duty_ids(community.id) == {neighbour.id}
    response = me.post("/volunteers/duty", data={"on": "0"})
    assert response.status_code == 302
    assert service.on_duty_ids(community.id) == set()


def test_someone_not_approved_cannot_go_on_duty(community, resident, make_client, login):
    me = login(make_client(), resident)
    assert me.post("/volunteers/duty", data={"on": "1"}).status_code == 403  # no sign-up at all
    service.sign_up(resident)
    assert me.post("/volunteers/duty", data={"on": "1"}).status_code == 409
    assert service.on_duty_ids(community.id) == set()


def test_who_opens_which_page(community, resident, neighbour, coordinator, stranger, volunteer, make_client, login):
    plain, vol, boss, other = (login(make_client(), u) for u in (resident, neighbour, coordinator, stranger))
    for url in ("/volunteers/list", "/volunteers/shifts", "/volunteers/teams", f"/volunteers/{volunteer.id}"):
        page(plain, url, 403)
    for url in ("/volunteers/list", "/volunteers/shifts"):
        page(vol, url, 403)
    page(vol, "/volunteers/teams")
    own = page(vol, f"/volunteers/{volunteer.id}")
    assert "138 1234 5678" in own and "Hours" in own
    coordinator_view = page(boss, f"/volunteers/{volunteer.id}")
    assert "138 1234 5678" in coordinator_view and "Pause" in coordinator_view
    page(other, f"/volunteers/{volunteer.id}", 404)
    assert plain.post(f"/volunteers/{volunteer.id}/decide", data={"move": "pause"}).status_code == 403
    assert db.session.get(VolunteerProfile, volunteer.id).status == "approved"
    anonymous = make_client().get("/volunteers/")
    assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]


def test_a_volunteers_phone_is_not_on_pages_other_volunteers_see(community, resident, coordinator, volunteer,
                                                                 make_client, login):
    other = service.sign_up(resident, contact="137 9999 0000")
    service.decide(coordinator, other, "approve")
    service.set_on_duty(factories_user(volunteer), volunteer, True)
    me = login(make_client(), resident)
    for url in ("/volunteers/", "/volunteers/teams"):
        html = page(me, url)
        assert "138 1234 5678" not in html
    assert "Dr Chen" in page(me, "/volunteers/")  # on duty now, by name


def factories_user(profile):
    return profile.user


def test_a_coordinator_adds_and_renames_a_team(community, coordinator, neighbour, volunteer, make_client, login):
    boss = login(make_client(), coordinator)
    assert boss.post("/volunteers/teams", data={"name": "Dog walking"}).status_code == 302
    team = db.session.scalar(select(Team).where(Team.name == "Dog walking"))
    assert "Dog walking" in page(boss, "/volunteers/teams")
    assert boss.post(f"/volunteers/teams/{team.id}/rename", data={"name": "遛狗"}).status_code == 302
    assert db.session.get(Team, team.id).name == "遛狗"
    html = boss.post(f"/volunteers/teams/{team.id}/rename", data={"name": ""}).get_data(as_text=True)
    assert "Please give the team a name." in html and db.session.get(Team, team.id).name == "遛狗"
    vol = login(make_client(), neighbour)
    assert vol.post("/volunteers/teams", data={"name": "Mine"}).status_code == 403
    assert db.session.scalar(select(func.count(Team.id)).where(Team.name == "Mine")) == 0


def test_a_coordinator_plans_a_day_in_turns_and_cancels_one(community, coordinator, resident, volunteer,
                                                            make_client, login):
    other = service.sign_up(resident)
    service.decide(coordinator, other, "approve")
    boss = login(make_client(), coordinator)
    day = (service.local_today() + timedelta(days=1)).isoformat()
    gate = service.team_by_key(community.id, "gate")
    response = boss.post("/volunteers/shifts", data={
        "volunteers": [volunteer.user_id, resident.id], "team": gate.id, "day": day, "start": "06:00",
        "end": "21:00", "turn_hours": 5})
    assert response.status_code == 302, response.get_data(as_text=True)
    shifts = db.session.scalars(select(Shift).order_by(Shift.starts_at)).all()
    assert [(s.user_id, service.utc_to_local(s.starts_at).hour) for s in shifts] == [
        (volunteer.user_id, 6), (resident.id, 11), (volunteer.user_id, 16)]
    html = page(boss, "/volunteers/shifts")
    assert "06:00–11:00" in html and "Gate shifts" in html
    assert boss.post(f"/volunteers/shifts/{shifts[0].id}/cancel").status_code == 302
    assert db.session.get(Shift, shifts[0].id).cancelled_at is not None


def test_shift_form_errors_are_shown_beside_the_fields(community, coordinator, volunteer, make_client, login):
    boss = login(make_client(), coordinator)
    day = (service.local_today() + timedelta(days=1)).isoformat()
    cases = [
        ({"volunteers": [volunteer.user_id], "day": day, "start": "21:00", "end": "06:00", "turn_hours": 4},
         "The end comes after the start"),
        ({"day": day, "start": "06:00", "end": "09:00", "turn_hours": 4}, "Please choose at least one volunteer."),
        ({"volunteers": [999999], "day": day, "start": "06:00", "end": "09:00", "turn_hours": 4}, "Not a valid choice"),
        ({"volunteers": [volunteer.user_id], "day": day, "start": "06:00", "end": "09:00", "turn_hours": 40},
         "Between 1 and 12 hours"),
        ({"volunteers": [volunteer.user_id], "day": "2099-01-01", "start": "06:00", "end": "09:00", "turn_hours": 4},
         "cannot be planned"),
    ]
    for data, message in cases:
        response = boss.post("/volunteers/shifts", data=data)
        assert response.status_code == 200 and message in response.get_data(as_text=True), message
    assert db.session.scalar(select(func.count(Shift.id))) == 0


def test_junk_is_a_friendly_answer(community, coordinator, resident, volunteer, make_client, login):
    boss = login(make_client(), coordinator)
    assert boss.post(f"/volunteers/{volunteer.id}/decide", data={"move": "explode"}).status_code == 403
    assert boss.post(f"/volunteers/{volunteer.id}/decide", data={"move": "approve"}).status_code == 409
    assert boss.get("/volunteers/99999999999").status_code == 404
    assert boss.post("/volunteers/shifts/424242/cancel").status_code == 404
    me = login(make_client(), resident)
    response = me.post("/volunteers/sign-up", data={"teams": ["abc", "999999"], "buildings": ["1e9"]})
    assert response.status_code == 200 and "Not a valid choice" in response.get_data(as_text=True)
    assert service.profile_of(resident, community.id) is None


def test_my_volunteer_page_shows_hours_from_shifts_worked(community, coordinator, neighbour, volunteer,
                                                          make_client, login):
    now = utcnow()
    service.plan_shift(coordinator, user_id=neighbour.id, team_id=None, starts_at=now - timedelta(hours=3),
                       ends_at=now - timedelta(hours=1))
    me = login(make_client(), neighbour)
    assert me.get("/volunteers/me").headers["Location"].endswith(f"/volunteers/{volunteer.id}")
    html = page(me, f"/volunteers/{volunteer.id}")
    assert "Overall: 2.0 h" in html
    assert "Offered to volunteer" in html  # what I did, from the event log
