"""The volunteers' pages: a volunteer's phone only to coordinators (and themselves); sign-ups waiting only to
coordinators; no door on any of them; never cached; another community reaches none of it."""
import logging

import pytest
from sqlalchemy import select

from board.extensions import db
from board.models import Event
from board.volunteers import service
from tests import factories

PHONE, OTHER_PHONE, WAITING_PHONE = "P13800001111Q", "P13900002222Q", "P13700003333Q"
DOOR, WAITING_NAME = "D1503Q", "Waiting Wen"
SECRETS = (PHONE, OTHER_PHONE, WAITING_PHONE, DOOR)


@pytest.fixture
def world(community, coordinator, resident, stranger, make_client, login):
    volunteer = factories.user(community, login="wu", display_name="Wu", building=2, unit=DOOR)
    other = factories.user(community, login="zhou", display_name="Auntie Zhou", unit="201")
    waiting = factories.user(community, login="wen", display_name=WAITING_NAME, unit="303")
    medicine = service.team_by_key(community.id, "medicine")
    profiles = {}
    for user, phone in ((volunteer, PHONE), (other, OTHER_PHONE), (waiting, WAITING_PHONE)):
        profiles[user.login] = service.sign_up(user, team_ids=[medicine.id], building_ids=[community.buildings[2].id],
                                               contact=phone, availability="Evenings")
    for login_name in ("wu", "zhou"):
        service.decide(coordinator, profiles[login_name], "approve")
    service.set_on_duty(volunteer, profiles["wu"], True)
    people = {"volunteer": volunteer, "other volunteer": other, "waiting": waiting, "coordinator": coordinator,
              "resident": resident, "stranger": stranger}
    clients = {name: login(make_client(), user) for name, user in people.items()}
    clients["anonymous"] = make_client()
    return {"people": people, "clients": clients, "profiles": profiles}


def surfaces(world):
    wu = world["profiles"]["wu"].id
    return {"index": "/volunteers/", "teams": "/volunteers/teams", "list": "/volunteers/list",
            "shifts": "/volunteers/shifts", "wu's page": f"/volunteers/{wu}", "sign-up": "/volunteers/sign-up"}


# viewer -> {surface: (status, secrets shown, the waiting sign-up's name shown)}
OK, NO = 200, 403
EXPECTED = {
    "volunteer": {"index": (OK, set(), False), "teams": (OK, set(), False), "list": (NO, set(), False),
                  "shifts": (NO, set(), False), "wu's page": (OK, {PHONE}, False), "sign-up": (OK, {PHONE}, False)},
    "other volunteer": {"index": (OK, set(), False), "teams": (OK, set(), False), "list": (NO, set(), False),
                        "shifts": (NO, set(), False), "wu's page": (NO, set(), False),
                        "sign-up": (OK, {OTHER_PHONE}, False)},
    "waiting": {"index": (OK, set(), False), "teams": (NO, set(), False), "list": (NO, set(), False),
                "shifts": (NO, set(), False), "wu's page": (NO, set(), False),
                "sign-up": (OK, {WAITING_PHONE}, False)},
    "resident": {"index": (OK, set(), False), "teams": (NO, set(), False), "list": (NO, set(), False),
                 "shifts": (NO, set(), False), "wu's page": (NO, set(), False), "sign-up": (OK, set(), False)},
    "coordinator": {"index": (OK, set(), False), "teams": (OK, set(), False),
                    "list": (OK, {PHONE, OTHER_PHONE, WAITING_PHONE}, True), "shifts": (OK, set(), False),
                    "wu's page": (OK, {PHONE}, False), "sign-up": (OK, set(), False)},
    "stranger": {"index": (OK, set(), False), "teams": (NO, set(), False), "list": (NO, set(), False),
                 "shifts": (NO, set(), False), "wu's page": (404, set(), False), "sign-up": (OK, set(), False)},
}


def test_the_privacy_matrix_of_the_volunteer_pages(world):
    for viewer, expected in EXPECTED.items():
        client = world["clients"][viewer]
        for surface, url in surfaces(world).items():
            status, secrets, waiting_shown = expected[surface]
            response = client.get(url)
            body = response.get_data(as_text=True)
            where = f"{viewer} × {surface}"
            assert response.status_code == status, where
            assert {s for s in SECRETS if s in body} == secrets, where
            assert (WAITING_NAME in body) == waiting_shown or viewer == "waiting", where
            assert response.headers.get("Cache-Control") == "no-store", where


def test_anonymous_visitors_are_sent_to_log_in(world):
    for surface, url in surfaces(world).items():
        response = world["clients"]["anonymous"].get(url)
        assert response.status_code == 302 and "/login" in response.headers["Location"], surface


def test_who_is_on_duty_is_shown_by_name_to_volunteers_never_to_plain_residents(world):
    assert "Wu" in world["clients"]["other volunteer"].get("/volunteers/").get_data(as_text=True)
    body = world["clients"]["resident"].get("/volunteers/").get_data(as_text=True)
    assert "On duty now" not in body and "Sign up as a volunteer" in body


def test_a_stranger_cannot_decide_or_cancel_anything(world):
    client = world["clients"]["stranger"]
    wu = world["profiles"]["wu"]
    assert client.post(f"/volunteers/{wu.id}/decide", data={"move": "pause"}).status_code == 404
    assert db.session.get(type(wu), wu.id).status == "approved"


def test_no_phone_or_door_in_events_or_logs(world, caplog):
    caplog.set_level(logging.DEBUG)
    for client in world["clients"].values():
        client.get("/volunteers/")
    assert not any(secret in caplog.text for secret in SECRETS)
    events = db.session.scalars(select(Event).where(Event.kind.like("volunteer.%"))).all()
    assert len(events) >= 6
    for event in events:
        assert not any(secret in repr(event.data) for secret in SECRETS), event.kind
