"""Each junk input the issue found, as a plain test: a friendly 4xx (or the input ignored), never a 500,
and never a change committed behind an error page."""
import re

import pytest
from sqlalchemy import select
from werkzeug.routing import IntegerConverter

from board import create_app
from board.extensions import db
from board.models import Card, Handoff, User
from tests import factories
from tests.conftest import make_test_config as config_for

BIG_IDS = [2**31, 2**63]


def _integer_routes():
    app = create_app(config_for("sqlite://"), instance_path="/tmp/doorstep-bad-input-rules")
    found = []
    for rule in app.url_map.iter_rules():
        if any(isinstance(c, IntegerConverter) for c in rule._converters.values()):
            found += [(rule.rule, method) for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]
    return found


INTEGER_ROUTES = _integer_routes()


def with_ids(rule: str, value: int) -> str:
    rule = re.sub(r"<int:[a-z_]+>", str(value), rule)
    return re.sub(r"<any\(([a-z_]+)[^)]*\):[a-z_]+>", r"\1", rule)


def test_every_integer_route_is_listed():
    assert len(INTEGER_ROUTES) >= 25 and ("/cards/<int:card_id>", "GET") in INTEGER_ROUTES


@pytest.mark.parametrize("big", BIG_IDS)
def test_an_id_too_big_for_the_database_is_a_404_on_every_integer_route(coordinator, login, client, big):
    login(client, coordinator)
    for rule, method in INTEGER_ROUTES:
        response = client.open(with_ids(rule, big), method=method)
        assert response.status_code == 404, f"{method} {rule}: {response.status_code}"
        assert "We could not find that" in response.get_data(as_text=True)


# The live stream and poll: Last-Event-ID and last_id -------------------------------------------------

JUNK_IDS = ["²", str(2**63), "9" * 5000, "-5", "1e3", " 7 ", "", "١٢"]


@pytest.fixture
def app_config():
    return {"LIVE_STREAM_SECONDS": 0, "LIVE_HEARTBEAT_SECONDS": 0.01}


def test_the_stream_takes_any_last_event_id_and_last_id(client, resident, login):
    login(client, resident)
    for value in JUNK_IDS:
        for kwargs in ({"query_string": {"last_id": value}}, {"headers": {"Last-Event-ID": value}}):
            response = client.get("/live/stream", **kwargs)
            assert response.status_code == 200 and "event: hello" in response.get_data(as_text=True), (value, kwargs)


def test_the_poll_takes_any_last_id_and_last_event_id(client, resident, login):
    login(client, resident)
    for value in JUNK_IDS:
        for kwargs in ({"query_string": {"last_id": value}}, {"headers": {"Last-Event-ID": value}}):
            response = client.get("/live/poll", **kwargs)
            assert response.status_code in (200, 204) and int(response.headers["X-Live-Last-Id"]) >= 0, value


# HX-Current-URL ---------------------------------------------------------------------------------------

@pytest.mark.parametrize("header", ["http://[", "http://[::1", "//[x]/", "/" + "a" * 100_000, "https://evil.example/x"])
def test_an_unparsable_hx_current_url_is_ignored(client, resident, login, header):
    login(client, resident)
    card = factories.card(resident)
    for url in (f"/live/cards/{card.id}", f"/cards/{card.id}"):
        response = client.get(url, headers={"HX-Request": "true", "HX-Current-URL": header,
                                            "HX-Target": f"card-{card.id}"})
        assert response.status_code == 200 and f'id="card-{card.id}"' in response.get_data(as_text=True)


# next= ------------------------------------------------------------------------------------------------

BAD_NEXT = ["/cards\r\nSet-Cookie: stolen=1", "/\n", "http://[", "/" + "a" * 100_000, "//evil.example", "/\u200b"]


def assert_went_to(response, path: str):
    assert response.status_code == 302, response.status_code
    assert response.headers["Location"] == path
    assert "stolen" not in response.headers.get("Set-Cookie", "")


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_i_can_help_is_ignored_and_the_help_is_kept(client, resident, neighbour, login, bad):
    card = factories.card(resident)
    login(client, neighbour)
    response = client.post(f"/cards/{card.id}/help", data={"next": bad})
    assert_went_to(response, f"/cards/{card.id}")
    assert db.session.scalar(select(Handoff.giver_id).where(Handoff.card_id == card.id)) == neighbour.id


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_ask_is_ignored_and_the_ask_is_kept(client, resident, neighbour, login, bad):
    card = factories.card(resident, kind="offer", category="food", title="Eggs", quantity=6, unit="egg")
    login(client, neighbour)
    response = client.post(f"/cards/{card.id}/ask", data={"quantity": "2", "next": bad})
    assert_went_to(response, f"/cards/{card.id}")
    assert db.session.scalar(select(Handoff.receiver_id).where(Handoff.card_id == card.id)) == neighbour.id


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_a_handoff_move_is_ignored_and_the_move_is_kept(make_client, resident, neighbour, login, bad):
    card = factories.card(resident)
    helper = login(make_client(), neighbour)
    helper.post(f"/cards/{card.id}/help")
    handoff = db.session.scalar(select(Handoff).where(Handoff.card_id == card.id))
    response = helper.post(f"/handoffs/{handoff.id}/helper_withdraw", data={"next": bad})
    assert_went_to(response, f"/cards/{card.id}")
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "withdrawn"


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_on_the_language_switch_is_ignored_and_the_language_kept(client, resident, login, bad):
    login(client, resident)
    response = client.post("/language", data={"lang": "zh_CN", "next": bad})
    assert_went_to(response, "/")
    assert db.session.get(User, resident.id, populate_existing=True).locale == "zh_CN"


@pytest.mark.parametrize("bad", BAD_NEXT)
def test_a_bad_next_at_log_in_is_ignored_and_the_resident_is_logged_in(client, resident, bad):
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "next": bad})
    assert_went_to(response, "/")
    assert client.get("/cards/new").status_code == 200


def test_a_good_next_is_still_followed(client, resident, login):
    login(client, resident)
    response = client.post("/language", data={"lang": "en", "next": "/box/?q=%E5%8F%91"})
    assert_went_to(response, "/box/?q=%E5%8F%91")


# X-Forwarded-For behind a proxy -----------------------------------------------------------------------

@pytest.mark.parametrize("app_config", [{"PROXY_COUNT": 1}])
def test_any_x_forwarded_for_behind_the_proxy(app, resident):
    for header in ["not-an-address", "1.2.3.4, ², x" * 50, "", "::::::", "1.2.3.4\t5.6.7.8"]:
        response = app.test_client().post("/login", data={"login": "lina", "password": factories.PASSWORD},
                                          headers={"X-Forwarded-For": header})
        assert response.status_code == 302, header


# Text that only looks like text, dates far away --------------------------------------------------------

INVISIBLE = ["\u200b", "\u200b\u200c\u200d\u2060\ufeff", "\u202e\u202d\u2066\u2067\u2068\u2069", " \u200b \u00a0"]


@pytest.mark.parametrize("title", INVISIBLE)
def test_a_title_of_only_invisible_characters_is_no_title(client, resident, login, title):
    login(client, resident)
    response = client.post("/cards/new", data={"kind": "need", "category": "food", "title": title,
                                               "urgency": "normal"})
    assert response.status_code == 200
    assert "Please say in a few words what it is." in response.get_data(as_text=True)
    assert db.session.scalar(select(Card)) is None


@pytest.mark.parametrize("name", INVISIBLE)
def test_a_name_of_only_invisible_characters_is_no_name(client, community, name):
    response = client.post("/register", data={
        "code": "JOIN1234", "display_name": name, "login": "mei", "password": "long-enough-pw",
        "confirm": "long-enough-pw", "building": str(community.buildings[0].id), "unit": "804",
    })
    assert response.status_code == 200 and "Please enter a name." in response.get_data(as_text=True)
    assert db.session.scalar(select(User)) is None


def test_a_profile_name_of_only_invisible_characters_is_refused(client, resident, community, login):
    login(client, resident)
    response = client.post("/profile", data={"display_name": "\u200b\u202e", "building": str(community.buildings[0].id),
                                             "unit": "502", "locale": ""})
    assert response.status_code == 200 and "Please enter a name." in response.get_data(as_text=True)
    assert db.session.get(User, resident.id, populate_existing=True).display_name == "Li Na"


def test_invisible_marks_around_a_title_are_trimmed_and_the_text_kept(client, resident, login):
    login(client, resident)
    client.post("/cards/new", data={"kind": "need", "category": "food", "title": "\u200b Rice \u202c",
                                    "urgency": "normal"})
    assert db.session.scalar(select(Card.title)) == "Rice"


@pytest.mark.parametrize("expiry", ["9999-12-31", "2200-01-01"])
def test_a_medicine_expiry_far_in_the_future_is_refused(client, resident, login, expiry):
    login(client, resident)
    response = client.post("/cards/new", data={"kind": "offer", "category": "medicine", "title": "Ibuprofen",
                                               "urgency": "normal", "quantity": "1", "medicine_expires_on": expiry})
    assert response.status_code == 200
    assert "That date is too far ahead" in response.get_data(as_text=True)
    assert db.session.scalar(select(Card)) is None


def test_a_shelf_item_expiry_far_in_the_future_is_refused(client, community, coordinator, login):
    from board.box.models import Item

    shelf = factories.shelf(community, keepers=(coordinator,))
    login(client, coordinator)
    response = client.post(f"/box/shelves/{shelf.id}/items/new", data={
        "name": "Ibuprofen", "category": "medicine", "quantity": "3", "unit": "box", "expires_on": "9999-12-31",
    })
    assert response.status_code == 200 and "That date is too far ahead" in response.get_data(as_text=True)
    assert db.session.scalar(select(Item)) is None
