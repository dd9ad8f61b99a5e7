"""Errands' privacy matrix: the door to its volunteer only while the errand is theirs (not before, not after); the
queue shows buildings, never units, to volunteers not assigned; receipts only to the volunteer, the household and
coordinators; no door, note or name in events, notifications or the live stream's desk counts.

Unit numbers are distinctive strings, so "absent" cannot pass by luck and "present" cannot be a coincidence.
"""
import io

import pytest
from PIL import Image

from board.errands import live, service
from board.errands.models import Errand
from board.extensions import db
from board.models import Event
from board.notifications.models import Notification
from tests import factories

HOME, RUNNER_HOME, OTHER_HOME, COORD_HOME, MEMBER_HOME = "R502Q", "V201Q", "W1503Q", "C101Q", "M804Q"
NOTE = f"white bag on the handle of {HOME}"
VIEWERS = ("household", "runner", "other volunteer", "coordinator", "member", "anonymous", "stranger")


def jpeg() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(community, other_community, make_client, login):
    people = {
        "household": factories.user(community, login="lina", display_name="Li Na", unit=HOME),
        "runner": factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=1,
                                                   unit=RUNNER_HOME, role="volunteer")),
        "other volunteer": factories.on_duty(factories.user(community, login="wu", display_name="Wu", building=2,
                                                            unit=OTHER_HOME, role="volunteer")),
        "coordinator": factories.user(community, login="wang", display_name="Wang", unit=COORD_HOME,
                                      role="coordinator"),
        "member": factories.user(community, login="mei", display_name="Xiaomei", unit=MEMBER_HOME),
        "stranger": factories.user(other_community, login="stranger", display_name="Stranger", unit="S999Q",
                                   role="volunteer"),
    }
    clients = {name: login(make_client(), user) for name, user in people.items()}
    clients["anonymous"] = make_client()
    household = people["household"]
    errand = service.place_errand(household, household=household.household, title="Blood pressure tablets",
                                  payment="reimbursed")
    return {"people": people, "clients": clients, "errand_id": errand.id}


def page(world, viewer, path):
    return world["clients"][viewer].get(path)


def door_shown(world, viewer, path) -> bool:
    response = page(world, viewer, path)
    shown = HOME in response.get_data(as_text=True)
    if shown:
        assert response.headers.get("Cache-Control") == "no-store", (viewer, path)
    return shown


def run(world, *, spent=True):
    errand = db.session.get(Errand, world["errand_id"])
    runner = world["clients"]["runner"]
    assert runner.post(f"/errands/{errand.id}/claim").status_code == 302
    if spent:
        response = runner.post(f"/errands/{errand.id}/spent", data={"amount": "12", "receipt": (io.BytesIO(jpeg()),
                                                                                              "r.jpg")},
                               content_type="multipart/form-data")
        assert response.status_code == 302


def deliver_and_confirm(world):
    from board.cards import transitions as cards
    from board.errands import transitions

    errand = db.session.get(Errand, world["errand_id"], populate_existing=True)
    handoff = transitions.live_handoff(errand)
    response = world["clients"]["runner"].post(f"/handoffs/{handoff.id}/leave", data={
        "note": NOTE, "version": handoff.version, "photo": (io.BytesIO(jpeg()), "door.jpg")},
        content_type="multipart/form-data")
    assert response.status_code == 302
    handoff = db.session.get(type(handoff), handoff.id, populate_existing=True)
    assert world["clients"]["household"].post(f"/handoffs/{handoff.id}/confirm_received",
                                               data={"version": handoff.version}).status_code == 302
    assert cards  # the card's own moves end the errand


WAITING_DOOR = {"household", "coordinator"}
RUNNING_DOOR = {"household", "coordinator", "runner"}


def test_before_anyone_takes_it(world):
    errand_path = f"/errands/{world['errand_id']}"
    assert {v for v in VIEWERS if door_shown(world, v, errand_path)} == WAITING_DOOR
    for viewer in ("runner", "other volunteer"):
        desk = page(world, viewer, "/errands/")
        text = desk.get_data(as_text=True)
        assert desk.status_code == 200 and "Blood pressure tablets" in text and "Building 1" in text
        assert HOME not in text, viewer  # the queue: buildings, never units
    assert page(world, "member", errand_path).status_code == 404
    assert page(world, "stranger", errand_path).status_code == 404
    assert page(world, "anonymous", errand_path).status_code == 302  # to the log-in


def test_while_the_errand_is_the_runners(world):
    run(world)
    errand_path = f"/errands/{world['errand_id']}"
    assert {v for v in VIEWERS if door_shown(world, v, errand_path)} == RUNNING_DOOR
    assert HOME not in page(world, "other volunteer", "/errands/").get_data(as_text=True)
    receipt = f"{errand_path}/receipt"
    seen = {v for v in VIEWERS if page(world, v, receipt).status_code == 200}
    assert seen == {"household", "runner", "coordinator"}
    for viewer in ("household", "runner", "coordinator"):
        assert page(world, viewer, receipt).headers["Cache-Control"] == "no-store"


def test_after_it_was_received(world):
    run(world)
    deliver_and_confirm(world)
    errand_path = f"/errands/{world['errand_id']}"
    assert db.session.get(Errand, world["errand_id"], populate_existing=True).state == "completed"
    assert {v for v in VIEWERS if door_shown(world, v, errand_path)} == WAITING_DOOR  # the runner no longer
    assert HOME not in page(world, "runner", "/errands/").get_data(as_text=True)
    seen = {v for v in VIEWERS if page(world, v, f"{errand_path}/receipt").status_code == 200}
    assert seen == {"household", "runner", "coordinator"}  # the receipt stays with who paid and who owes


def test_after_it_was_given_back(world):
    run(world, spent=False)
    assert world["clients"]["runner"].post(f"/errands/{world['errand_id']}/give-back",
                                           data={"reason": "my knee"}).status_code == 302
    errand_path = f"/errands/{world['errand_id']}"
    assert not door_shown(world, "runner", errand_path)


def test_no_door_note_or_name_in_events_notifications_or_the_desk_counts(world, app):
    run(world)
    deliver_and_confirm(world)
    events = Event.query.filter(Event.kind.like("errand.%")).all()
    assert events
    for event in events:
        blob = repr(event.data)
        assert HOME not in blob and "white bag" not in blob and "Li Na" not in blob, event.kind
    for notification in Notification.query.all():
        assert HOME not in repr(vars(notification)), notification
    fragments = live.public_fragments(events[-1], {"en", "zh_CN"})
    for html in fragments.values():
        assert 'id="desk-counts"' in html and HOME not in html and "Blood pressure" not in html


def test_a_volunteer_off_duty_sees_no_queue_and_cannot_claim_until_they_switch_on(world, community):
    """Off duty: a kind page with the switch, no row, no building of a waiting errand, the errand itself not found."""
    from board.volunteers import service as crew

    runner, client = world["people"]["runner"], world["clients"]["runner"]
    crew.set_on_duty(runner, crew.profile_of(runner, community.id), False)
    errand_path = f"/errands/{world['errand_id']}"
    desk = client.get("/errands/")
    text = desk.get_data(as_text=True)
    assert desk.status_code == 200 and "switch on duty to see the queue" in text and 'id="duty-switch"' in text
    assert 'id="desk-queue"' not in text and "Blood pressure tablets" not in text and "Building 1" not in text
    assert client.get(errand_path).status_code == 404
    refused = client.post(f"{errand_path}/claim")
    assert refused.status_code == 403 and "Switch on duty to take errands" in refused.get_data(as_text=True)
    assert db.session.get(Errand, world["errand_id"], populate_existing=True).state == "waiting"

    switched = client.post("/volunteers/duty", data={"on": "1", "back": "desk"})
    assert switched.status_code == 302 and switched.location.endswith("/errands/")
    text = client.get("/errands/").get_data(as_text=True)
    assert "Blood pressure tablets" in text and "Building 1" in text and HOME not in text
    assert client.post(f"{errand_path}/claim").status_code == 302
    assert db.session.get(Errand, world["errand_id"], populate_existing=True).volunteer_id == runner.id


def test_the_off_duty_page_in_chinese(world, community):
    from board.volunteers import service as crew

    runner, client = world["people"]["runner"], world["clients"]["runner"]
    crew.set_on_duty(runner, crew.profile_of(runner, community.id), False)
    text = client.get("/errands/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "您现在不在值班" in text and "Blood pressure tablets" not in text


QUEUE_MOVES = ("errand.placed", "errand.claimed", "errand.given_back", "errand.assigned", "errand.reassigned",
               "errand.closed")


def test_each_move_into_or_out_of_the_queue_nudges_the_desks_with_nothing_in_it(world):
    """The nudge names no errand, building or unit; moves that leave the queue alone send none."""
    run(world, spent=False)  # placed, then claimed
    clients, errand_id = world["clients"], world["errand_id"]
    assert clients["runner"].post(f"/errands/{errand_id}/on_the_way").status_code == 302
    assert clients["runner"].post(f"/errands/{errand_id}/give-back", data={"reason": "knee"}).status_code == 302
    coordinator = world["people"]["coordinator"]
    assert clients["coordinator"].post(f"/errands/{errand_id}/assign",
                                       data={"volunteer": world["people"]["runner"].id}).status_code == 302
    assert clients["coordinator"].post(f"/errands/{errand_id}/reassign").status_code == 302
    assert clients["coordinator"].post(f"/errands/{errand_id}/close", data={"reason": "done elsewhere"}).status_code \
        == 302
    assert coordinator
    nudged = set()
    for event in Event.query.filter(Event.kind.like("errand.%")).order_by(Event.id):
        for html in live.public_fragments(event, {"en", "zh_CN"}).values():
            assert HOME not in html and "Blood pressure" not in html and "Building" not in html, event.kind
            if 'id="desk-queue-nudge"' in html:
                nudged.add(event.kind)
    assert nudged == set(QUEUE_MOVES)  # not "errand.on_the_way"


def test_the_queue_fragment_is_the_viewers_own(world, community):
    """What the nudge fetches: buildings for a volunteer on duty, the unit for a coordinator, nothing off duty."""
    from board.volunteers import service as crew

    coordinator = page(world, "coordinator", "/errands/queue")
    assert coordinator.status_code == 200 and HOME in coordinator.get_data(as_text=True)
    assert coordinator.headers["Cache-Control"] == "no-store"
    volunteer = page(world, "other volunteer", "/errands/queue").get_data(as_text=True)
    assert 'id="desk-queue"' in volunteer and "Building 1" in volunteer and HOME not in volunteer
    other = world["people"]["other volunteer"]
    crew.set_on_duty(other, crew.profile_of(other, community.id), False)
    off = page(world, "other volunteer", "/errands/queue")
    assert off.status_code == 204 and off.get_data(as_text=True) == ""
    for viewer in ("household", "member", "stranger"):
        assert page(world, viewer, "/errands/queue").status_code == 204
