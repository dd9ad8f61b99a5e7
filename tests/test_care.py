"""Care mode (关怀版): switched from any page, kept on the profile or, for visitors, in a cookie."""
import pytest

from board.extensions import db
from board.models import User


def test_a_visitor_turns_care_mode_on_and_the_cookie_keeps_it(client):
    assert 'class="care care' not in client.get("/").get_data(as_text=True)
    response = client.post("/care", data={"level": "1", "back": "/login"})
    assert response.status_code == 302 and response.location == "/login"
    assert client.get_cookie("care").value == "1"
    page = client.get("/login").get_data(as_text=True)
    assert '<html lang="en" class="care care-1">' in page
    client.post("/care", data={"level": "0", "back": "/"})
    assert 'class="care care' not in client.get("/").get_data(as_text=True)


def test_a_resident_keeps_it_on_the_profile_on_every_phone(client, make_client, resident, login):
    login(client, resident)
    client.post("/care", data={"level": "3", "back": "/"})
    assert db.session.get(User, resident.id).care_level == 3
    other_phone = make_client()
    login(other_phone, resident)
    assert 'class="care care-3"' in other_phone.get("/").get_data(as_text=True)


@pytest.mark.parametrize("level", ["4", "-1", "big", ""])
def test_unknown_levels_are_refused(client, level):
    assert client.post("/care", data={"level": level}).status_code == 400


def test_a_bad_cookie_is_ignored(client):
    client.set_cookie("care", "zzz")
    assert client.get("/").status_code == 200


def test_the_switch_stands_out_on_the_welcome_page_and_sits_in_every_header(client, resident, login):
    welcome = client.get("/").get_data(as_text=True)
    assert welcome.count('action="/care"') == 2, "the header's switch and the welcome page's large one"
    assert 'class="care-on primary"' in welcome
    login(client, resident)
    for path in ("/", "/cards/new", "/me/activity", "/box/", "/profile"):
        assert 'action="/care"' in client.get(path).get_data(as_text=True), path


def test_care_mode_says_less_and_offers_fewer_choices(client, resident, login):
    client.post("/care", data={"level": "1"})
    welcome = client.get("/").get_data(as_text=True)
    assert "Ask for help. A neighbour leaves it at your door." in welcome
    assert "Nobody has to meet" not in welcome
    login(client, resident)
    client.post("/care", data={"level": "1"})
    page = client.get("/").get_data(as_text=True)
    assert ">Mine<" in page and ">My activity<" not in page
