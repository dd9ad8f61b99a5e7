"""The privacy matrix for a card posted on behalf of Grandma Liu (no phone): her name, her door and how to
reach her, on every surface (board, card page, fragment, the per-viewer card the stream refetches, My
activity, the polled live stream, notifications), for every viewer, while matched and after it is received."""
import pytest

from board.cards.intake import take_call
from board.extensions import db
from board.households import service as households
from board.models import Event, Handoff
from tests import factories

DOOR, NAME, CONTACT, CALLER = "L7101Q", "刘奶奶Q", "knock-knock-Q", "her-son-Q"
SECRETS = {"door": DOOR, "name": NAME, "contact": CONTACT, "caller": CALLER}


@pytest.fixture
def world(community, make_client, login):
    people = {
        "poster": factories.user(community, login="wang", display_name="Wang", unit="C1", role="coordinator"),
        "coordinator": factories.user(community, login="lead2", display_name="Lead", unit="C2", role="coordinator"),
        "helper": factories.user(community, login="chen", display_name="Dr Chen", unit="H1"),
        "volunteer": factories.user(community, login="zhou", display_name="Zhou", unit="V1", role="volunteer"),
        "other resident": factories.user(community, login="mei", display_name="Xiaomei", unit="O1"),
        "son": factories.user(community, login="son", display_name="Her son", unit="S1", building=2),
    }
    home = households.household_at(community.id, community.buildings[1].id, DOOR)
    liu = households.add_person(people["poster"], home, name=NAME, contact=CONTACT)
    households.link_person(people["poster"], home, people["son"])
    card = take_call(people["poster"], person=liu, new_person=None, building=None, unit="", intake="phone",
                     caller=CALLER, card_fields={"category": "medicine", "title": "Fever medicine", "urgency": "normal"})
    clients = {name: login(make_client(), user) for name, user in people.items()}
    clients["anonymous"] = make_client()
    start = db.session.scalar(db.select(db.func.min(Event.id)))
    assert clients["helper"].post(f"/cards/{card.id}/help", data={"version": card.version}).status_code == 302
    handoff = db.session.scalar(db.select(Handoff))
    clients["helper"].post(f"/handoffs/{handoff.id}/leave", data={"note": "on the handle", "version": handoff.version})
    return {"people": people, "clients": clients, "card": card, "start": start - 1}


def surfaces(world):
    card = world["card"]
    return {
        "board": ("/", {}),
        "card page": (f"/cards/{card.id}", {}),
        "card fragment": (f"/cards/{card.id}", {"HX-Request": "true", "HX-Target": f"card-{card.id}"}),
        "stream's card refetch": (f"/live/cards/{card.id}", {"HX-Request": "true"}),
        "my activity": ("/me/activity", {}),
        "live poll": (f"/live/poll?last_id={world['start']}", {}),
        "notifications": ("/notifications", {}),
    }


# What each viewer may read, on the card's own surfaces (page, fragment, refetch), while it is left at the door.
ACTIVE = {
    "anonymous": set(),
    "other resident": set(),
    "volunteer": set(),
    "helper": {"door", "name"},  # where to leave it and for whom; not how to reach her
    "poster": {"door", "name", "contact", "caller"},
    "coordinator": {"door", "name", "contact", "caller"},
    "son": {"door", "name"},  # her household: her door is his second home
}
DONE = dict(ACTIVE, helper=set())  # received: the helper's history shows neither her name nor her door


def check(world, expected):
    card_surfaces = {"card page", "card fragment", "stream's card refetch"}
    for viewer, allowed in expected.items():
        client = world["clients"][viewer]
        for surface, (url, headers) in surfaces(world).items():
            response = client.get(url, headers=headers)
            where = f"{viewer} × {surface}"
            assert response.status_code < 500, where
            body = response.get_data(as_text=True)
            shown = {what for what, secret in SECRETS.items() if secret in body}
            if surface in card_surfaces and viewer != "anonymous":
                assert response.status_code == 200, where
                assert shown == allowed, where
                if "door" in shown:
                    assert response.headers.get("Cache-Control") == "no-store", where
            elif surface == "my activity" and viewer in ("helper", "poster", "son"):
                assert shown <= allowed, where  # their own activity lists the card as the card page shows it
            else:
                assert shown == set(), where  # the board, the shared stream, notifications, strangers: nothing


def test_privacy_while_left_at_the_door(world):
    check(world, ACTIVE)


def test_privacy_after_it_was_received(world):
    handoff = db.session.scalar(db.select(Handoff))
    response = world["clients"]["poster"].post(f"/handoffs/{handoff.id}/confirm_received",
                                               data={"version": handoff.version})
    assert response.status_code == 302
    check(world, DONE)


def test_events_and_notifications_never_carry_her_name_or_door(world):
    for event in Event.query:
        assert not any(secret in repr(event.data) for secret in SECRETS.values()), event.kind
