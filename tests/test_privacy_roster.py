"""Who sees a care record: coordinators and the household's assigned callers, nobody else, on any surface —
the roster's pages and fragments, the board, My activity, the household page, notifications, the live stream and
the accounts export. The record's texts are distinctive strings, so "absent" cannot pass by luck."""
import io
import zipfile

import pytest

from board.extensions import db
from board.roster import service
from tests import factories
from tests.roster_helpers import MEDICINE, NOTE, SECRETS, make_world


@pytest.fixture
def world(community, other_community, coordinator, make_client, login):
    w = make_world(community, coordinator)
    people = w["people"]
    people["stranger coordinator"] = factories.user(other_community, login="far", display_name="Far Away",
                                                    unit="999", role="coordinator")
    record = w["record"]
    service.log_call(people["caller"], record, outcome="reached", wellbeing="worse", note=NOTE,
                     needs=service.Needs(title="Blood-pressure pills", details="", route="board"))
    service.log_call(people["caller"], db.session.get(type(record), record.id), outcome="no_answer", note=NOTE)
    service.add_note(people["second caller"], db.session.get(type(record), record.id), NOTE)
    db.session.commit()
    w["clients"] = {name: login(make_client(), user) for name, user in people.items()}
    w["clients"]["anonymous"] = make_client()
    return w


def care_surfaces(w):
    rid, hid = w["record"].id, w["home"].id
    return {
        "call list": ("/roster", {}),
        "call list fragment": ("/roster", {"HX-Request": "true", "HX-Target": "call-list"}),
        "roster": ("/roster/all", {}),
        "record": (f"/roster/{rid}", {}),
        "record fragment": (f"/roster/{rid}", {"HX-Request": "true"}),
        "record form": (f"/roster/households/{hid}", {}),
        "openings": (f"/roster/{rid}/openings", {}),
        "digest": ("/roster/digest", {}),
        "counts": ("/roster/counts", {"HX-Request": "true"}),
        "settings": ("/roster/settings", {}),
    }


def other_surfaces(w):
    return {
        "board": ("/", {}),
        "my activity": ("/me/activity", {}),
        "household page": (f"/households/{w['home'].id}", {}),
        "notifications": ("/notifications/", {}),
        "live poll": ("/live/poll?last_id=0", {}),
        "my data": ("/me/data", {}),
    }


# Which care surfaces answer 200 for whom (the rest: 403, or 404 for another community, or the log-in page).
OPEN = {
    "coordinator": {"call list", "call list fragment", "roster", "record",
                                                              "record fragment", "record form", "openings", "digest",
                                                              "counts", "settings"},
    "caller": {"call list", "call list fragment", "record", "record fragment"},
    "second caller": {"call list", "call list fragment", "record", "record fragment"},
    "other volunteer": {"call list", "call list fragment"},  # their own (empty) list
    # Their own community's (empty) roster; this community's record and household do not exist for them.
    "stranger coordinator": {"call list", "call list fragment", "roster", "digest", "counts", "settings"},
}
RECORD_TEXTS = set(SECRETS) - {NOTE}  # the form holds the record, not the history
# Who reads the record's texts (medicine, contacts, language, notes): exactly where it is open to them.
HISTORY = {"record": set(SECRETS), "record fragment": set(SECRETS)}
READS = {"coordinator": {**HISTORY, "record form": RECORD_TEXTS}, "caller": HISTORY, "second caller": HISTORY}
VIEWERS = ("anonymous", "resident", "neighbour", "other volunteer", "caller", "second caller", "coordinator",
           "stranger coordinator")


def body(response) -> str:
    if response.mimetype == "application/zip":
        with zipfile.ZipFile(io.BytesIO(response.data)) as archive:
            return "".join(archive.read(name).decode("utf-8", "replace") for name in archive.namelist())
    return response.get_data(as_text=True)


@pytest.mark.parametrize("viewer", VIEWERS)
def test_care_surfaces(world, viewer):
    client = world["clients"][viewer]
    for surface, (url, headers) in care_surfaces(world).items():
        response = client.get(url, headers=headers)
        where = f"{viewer} × {surface}"
        is_open = surface in OPEN.get(viewer, set())
        if surface == "counts":  # a fragment: the counts for coordinators, nothing (204) for anyone else
            assert response.status_code == (200 if is_open else 204), where  # anonymous (htmx): 204 to log in
        elif viewer == "anonymous":  # the log-in page (htmx: 204 with HX-Location)
            assert response.status_code in (302, 204) and "login" in (response.location or response.headers.get(
                "HX-Location", "")), where
        elif is_open:
            assert response.status_code == 200, where
        elif viewer == "stranger coordinator" and surface.startswith(("record", "openings")):
            assert response.status_code == 404, where  # another community's record does not exist for them
        else:
            assert response.status_code == 403, where
        shown = {s for s in SECRETS if s in body(response)}
        assert shown == READS.get(viewer, {}).get(surface, set()), where
        if response.status_code == 200:
            assert response.headers["Cache-Control"] == "no-store", where


@pytest.mark.parametrize("viewer", VIEWERS)
def test_no_care_data_anywhere_else(world, viewer):
    client = world["clients"][viewer]
    for surface, (url, headers) in other_surfaces(world).items():
        response = client.get(url, headers=headers)
        where = f"{viewer} × {surface}"
        if viewer == "anonymous":
            assert response.status_code in (200, 302), where
        else:
            assert response.status_code in (200, 204, 403, 404), where
        assert {s for s in SECRETS if s in body(response)} == set(), where
        assert "Over 60 and living alone" not in body(response), where  # nor why the home needs care


@pytest.mark.parametrize("viewer", [v for v in VIEWERS if v != "anonymous"])
def test_the_accounts_export_holds_no_care_record(world, viewer):
    response = world["clients"][viewer].get("/me/data/export.zip")
    assert response.status_code == 200 and response.mimetype == "application/zip"
    text = body(response)
    assert {s for s in SECRETS if s in text} == set() and "over_60_alone" not in text


def test_the_live_stream_carries_the_same_content_free_nudge_to_everyone(world):
    from board.live import render
    from board.models import Event
    from sqlalchemy import select

    events = db.session.scalars(select(Event).where(Event.kind.like("roster.%"))).all()
    assert events
    for event in events:
        fragments = render.public_fragments(event, {"en", "zh_Hans_CN"})
        for html in fragments.values():
            assert "roster-counts" in html and "call-list" in html
            assert not any(s in html for s in SECRETS) and "Grandma Liu" not in html
            assert f"/roster/{world['record'].id}" not in html


def test_the_caller_and_coordinator_read_the_medicine_in_the_record(world):
    page = world["clients"]["caller"].get(f"/roster/{world['record'].id}").get_data(as_text=True)
    assert MEDICINE in page and 'href="tel:66881234"' in page and 'href="tel:13900007777"' in page
