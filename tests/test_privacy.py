"""Who sees a door: the matched counterpart while the match is active, and coordinators; nobody else.

Unit numbers here are distinctive strings, so that "absent" cannot pass by luck and "present"
cannot be a coincidence of some token or timestamp.
"""
import io
import logging

import pytest
from PIL import Image

from board import policy
from board.cards import privacy
from board.extensions import db
from board.models import Handoff
from tests import factories

REQUESTER_UNIT, HELPER_UNIT, FORMER_UNIT, COORD_UNIT, OTHER_UNIT = "R502Q", "H1201Q", "F201Q", "C101Q", "O804Q"
UNITS = (REQUESTER_UNIT, HELPER_UNIT, FORMER_UNIT, OTHER_UNIT)
NOTE = f"white bag on the handle of {REQUESTER_UNIT}"


def jpeg_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 40, 40)).save(buffer, "JPEG")
    return buffer.getvalue()


@pytest.fixture
def world(community, make_client, login):
    """A need whose first helper stepped back; a second helper left it at the door with a note and a photo."""
    people = {
        "requester": factories.user(community, login="lina", display_name="Li Na", unit=REQUESTER_UNIT),
        "helper": factories.user(community, login="chen", display_name="Dr Chen", building=1, unit=HELPER_UNIT),
        "former helper": factories.user(community, login="zhou", display_name="Auntie Zhou", unit=FORMER_UNIT),
        "coordinator": factories.user(community, login="wang", display_name="Wang", unit=COORD_UNIT,
                                      role="coordinator"),
        "other resident": factories.user(community, login="mei", display_name="Xiaomei", unit=OTHER_UNIT),
    }
    clients = {name: login(make_client(), user) for name, user in people.items()}
    clients["anonymous"] = make_client()
    need = factories.card(people["requester"], title="Children's fever medicine")
    # An open offer by the helper, so the board has a card of theirs on it.
    factories.card(people["helper"], kind="offer", category="food", title="Spare rice", quantity=2)
    clients["former helper"].post(f"/cards/{need.id}/help", data={})
    first = Handoff.query.filter_by(card_id=need.id).one()
    clients["former helper"].post(f"/handoffs/{first.id}/helper_withdraw", data={"version": first.version})
    clients["helper"].post(f"/cards/{need.id}/help", data={})
    handoff = Handoff.query.filter_by(card_id=need.id, status="matched").one()
    response = clients["helper"].post(
        f"/handoffs/{handoff.id}/leave",
        data={"note": NOTE, "version": handoff.version, "photo": (io.BytesIO(jpeg_bytes()), "door.jpg")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 302, response.get_data(as_text=True)
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert handoff.status == "left_at_door" and handoff.photo_name
    return {"people": people, "clients": clients, "need": need, "handoff": handoff}


def surfaces(world):
    need, handoff = world["need"], world["handoff"]
    return {
        "board": ("/", {}),
        "card page": (f"/cards/{need.id}", {}),
        "card fragment": (f"/cards/{need.id}", {"HX-Request": "true", "HX-Target": f"card-{need.id}"}),
        "my activity": ("/me/activity", {}),
        "photo": (f"/handoffs/{handoff.id}/photo", {}),
        "numbers": ("/numbers/", {}),  # totals only: no door, note or photo for anyone
    }


# While the handoff is active (left at the door): which other residents' units each viewer sees on the
# card page, fragment and activity page, and whether the doorstep note and photo are shown.
ACTIVE = {
    "anonymous": (set(), False),
    "other resident": (set(), False),
    "former helper": (set(), False),
    "requester": (set(), True),  # the helper's own door is not needed to be helped: coordinators only
    "helper": ({REQUESTER_UNIT}, True),
    # Coordinators see every handoff's doors, the former helper's too (the registration form says so).
    "coordinator": ({REQUESTER_UNIT, HELPER_UNIT, FORMER_UNIT}, True),
}
# After the requester confirmed: the helper's history no longer shows the door.
DONE = {
    "anonymous": (set(), False),
    "other resident": (set(), False),
    "former helper": (set(), False),
    "requester": (set(), True),  # the requester's own doorstep photo and note stay theirs
    "helper": (set(), False),
    "coordinator": ({REQUESTER_UNIT, HELPER_UNIT, FORMER_UNIT}, True),
}


def check(world, expected):
    for viewer, (units, photo) in expected.items():
        client = world["clients"][viewer]
        for surface, (url, headers) in surfaces(world).items():
            response = client.get(url, headers=headers)
            where = f"{viewer} × {surface}"
            body = response.get_data(as_text=True) if surface != "photo" else ""
            if viewer == "anonymous":
                assert response.status_code in (200, 204, 302), where
            if surface == "photo":
                assert response.status_code == (200 if photo else 404 if viewer != "anonymous" else 302), where
                if photo:
                    assert response.mimetype == "image/jpeg" and response.headers["Cache-Control"] == "no-store", where
                continue
            # One's own door (in the note on one's own doorstep) is no secret from oneself.
            own = {"requester": REQUESTER_UNIT, "helper": HELPER_UNIT, "former helper": FORMER_UNIT,
                   "other resident": OTHER_UNIT}.get(viewer)
            shown = {unit for unit in UNITS if unit in body} - {own}
            if surface in ("board", "numbers") or viewer == "anonymous":
                assert shown == set(), where
                continue
            if surface == "my activity" and viewer == "coordinator":
                assert shown == set(), where  # not part of it: nothing of it on their own activity page
                continue
            if surface == "my activity" and viewer in ("other resident", "former helper"):
                assert shown == set(), where
                continue
            assert shown == units, where
            assert (NOTE in body) == (photo and viewer != "anonymous"), where
            if units or NOTE in body:
                assert response.headers.get("Cache-Control") == "no-store", where


def test_privacy_matrix_while_active(world):
    check(world, ACTIVE)


def test_privacy_matrix_after_completion(world):
    handoff = world["handoff"]
    response = world["clients"]["requester"].post(f"/handoffs/{handoff.id}/confirm_received",
                                                  data={"version": handoff.version})
    assert response.status_code == 302
    check(world, DONE)


def test_pages_without_a_door_may_be_cached(world):
    response = world["clients"]["other resident"].get(f"/cards/{world['need'].id}")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_other_community_cannot_reach_the_handoff(world, stranger, make_client, login):
    client = login(make_client(), stranger)
    handoff = world["handoff"]
    assert client.get(f"/handoffs/{handoff.id}/photo").status_code == 404
    assert client.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 404


def test_no_door_in_logs_or_events(world, caplog):
    from board.models import Event

    caplog.set_level(logging.DEBUG)
    handoff = world["handoff"]
    world["clients"]["requester"].post(f"/handoffs/{handoff.id}/report_not_there", data={"version": handoff.version})
    for viewer in ("requester", "helper", "coordinator"):
        world["clients"][viewer].get(f"/cards/{world['need'].id}")
    assert not any(unit in caplog.text for unit in UNITS)
    for event in Event.query.all():
        assert not any(unit in repr(event.data) for unit in UNITS), event.kind
        assert "photo" not in repr(event.data) and NOTE not in repr(event.data)


def test_may_see_door_rule(world):
    people, handoff = world["people"], world["handoff"]
    for rule in (policy.may_see_receiver_door, policy.may_see_giver_door):
        assert rule(people["coordinator"], handoff)
        assert not rule(people["former helper"], handoff)
        assert not rule(people["other resident"], handoff)
        assert not rule(None, handoff)
    assert policy.may_see_receiver_door(people["helper"], handoff)  # where to leave it
    assert policy.may_see_receiver_door(people["requester"], handoff)  # their own door
    assert not policy.may_see_giver_door(people["requester"], handoff)  # the helper's door is not needed


def test_the_close_request_page_and_the_box_s_live_regions_show_no_door_and_only_to_whom_they_concern(
        community, make_client, login):
    """New surfaces of issue 13: "Close your request?" (receiver and coordinators only, no door on it) and the
    check-in and register regions the live stream fetches again (keepers and coordinators only)."""
    from board.cards import handoffs

    people = {
        "requester": factories.user(community, login="lina", display_name="Li Na", unit=REQUESTER_UNIT),
        "helper": factories.user(community, login="chen", display_name="Dr Chen", building=1, unit=HELPER_UNIT),
        "coordinator": factories.user(community, login="wang", display_name="Wang", unit=COORD_UNIT,
                                      role="coordinator"),
        "other resident": factories.user(community, login="mei", display_name="Xiaomei", unit=OTHER_UNIT),
    }
    need = factories.card(people["requester"], title="Children's fever medicine")
    handoff = handoffs.offer_help(need, people["helper"])
    shelf = factories.shelf(community, keepers=(people["helper"],))
    from board.box import service as box

    box.offer_gift(people["other resident"], shelf, name="Rice", category="food", quantity=1, unit="bag")
    confirm = {"requester": 200, "coordinator": 200, "helper": 403, "other resident": 403}
    regions = {"helper": 200, "coordinator": 200, "requester": 403, "other resident": 403}
    for viewer, user in people.items():
        client = login(make_client(), user)
        response = client.get(f"/handoffs/{handoff.id}/cancel/confirm")
        body = response.get_data(as_text=True)
        assert response.status_code == confirm[viewer], viewer
        assert not any(unit in body for unit in (REQUESTER_UNIT, HELPER_UNIT, OTHER_UNIT)), viewer
        for url, target in ((f"/box/shelves/{shelf.id}/check-in", f"gifts-{shelf.id}"),
                            (f"/box/shelves/{shelf.id}/register", f"register-{shelf.id}")):
            response = client.get(url, headers={"HX-Request": "true", "HX-Target": target})
            assert response.status_code == regions[viewer], (viewer, url)
            if response.status_code == 200:
                assert f'id="{target}"' in response.get_data(as_text=True)
    anonymous = make_client().get(f"/handoffs/{handoff.id}/cancel/confirm")
    assert anonymous.status_code == 302 and "/login" in anonymous.location
