"""Privacy holes of issue 10: the helper's unit, /profile caching, logins and registrations per address,
the register CSV's cells."""
import pytest

from board.box.views import csv_cell
from tests import factories


def test_the_requester_does_not_see_the_helpers_unit(make_client, login, community):
    requester = factories.user(community, login="lina", unit="R502Q")
    helper = factories.user(community, login="chen", unit="H1201Q")
    coordinator = factories.user(community, login="wang", unit="C101Q", role="coordinator")
    need = factories.card(requester)
    login(make_client(), helper).post(f"/cards/{need.id}/help")
    page = login(make_client(), requester).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "Chen" in page and "H1201Q" not in page
    helper_page = login(make_client(), helper).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "R502Q" in helper_page, "the helper still sees the door they bring it to"
    coordinator_page = login(make_client(), coordinator).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "H1201Q" in coordinator_page and "R502Q" in coordinator_page


def test_the_profile_page_is_never_cached(client, resident, login):
    login(client, resident)
    response = client.get("/profile")
    assert response.status_code == 200 and "502" in response.get_data(as_text=True)
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("app_config", [{"LOGIN_ADDRESS_RATE_LIMIT": "8 per 10 minutes"}])
def test_one_password_on_many_logins_from_one_address_is_limited(client, community, resident):
    for n in range(8):  # a different login each time: the per-login limit never trips
        assert client.post("/login", data={"login": f"guess{n}", "password": "123456"}).status_code == 200
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert response.status_code == 429 and "Too many tries" in response.get_data(as_text=True)
    other = client.post("/login", data={"login": "lina", "password": factories.PASSWORD},
                        environ_base={"REMOTE_ADDR": "10.1.2.3"})
    assert other.status_code == 302, "another address is not affected"


@pytest.mark.parametrize("app_config", [{"LOGIN_ADDRESS_RATE_LIMIT": "3 per 10 minutes"}])
def test_successful_logins_from_one_address_do_not_count(app, community):
    """The lobby Wi-Fi: the whole building logs in from one address."""
    for n in range(6):
        factories.user(community, login=f"neighbour{n}", unit=str(100 + n))
        response = app.test_client().post("/login", data={"login": f"neighbour{n}", "password": factories.PASSWORD})
        assert response.status_code == 302, n


@pytest.mark.parametrize("app_config", [{"REGISTER_RATE_LIMIT": "4 per hour"}])
def test_registrations_are_limited_per_address(client, community, resident):
    building = str(community.buildings[0].id)
    for n in range(4):
        response = client.post("/register", data={
            "code": "JOIN1234", "display_name": "X", "login": f"lina{n}" if n % 2 else "lina", "password": "short",
            "confirm": "short", "building": building, "unit": "1",
        })
        assert response.status_code == 200, n
    response = client.post("/register", data={
        "code": "JOIN1234", "display_name": "Mei", "login": "mei", "password": "long-enough-pw",
        "confirm": "long-enough-pw", "building": building, "unit": "804",
    })
    assert response.status_code == 429 and "Too many tries" in response.get_data(as_text=True)
    assert client.get("/register?code=JOIN1234").status_code == 200, "the form itself is not limited"


@pytest.mark.parametrize("value", ["=1+1", "+86", "-2", "@SUM(A1)", " =HYPERLINK(\"x\")", "\t=1", "＝1+1", "＋1",
                                   "－1", "＠A1", "\u3000=1", "\u2212" + "1", "\n=1"])
def test_register_csv_cells_that_a_spreadsheet_would_run_are_neutralised(value):
    assert csv_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["Ibuprofen", "布洛芬", "0.3 g", "", "a=b"])
def test_ordinary_csv_cells_are_kept(value):
    assert csv_cell(value) == value


def test_registration_answers_the_same_for_a_login_that_exists_and_one_that_does_not(app, community, resident):
    """Walking the phone book with the lobby's code learns nothing: status, redirect and the page's words
    are those of a free login, whichever address asks."""
    building = str(community.buildings[0].id)

    def register(login, address):
        return app.test_client().post("/register", data={
            "code": "JOIN1234", "display_name": "X", "login": login, "password": "long-enough-pw",
            "confirm": "long-enough-pw", "building": building, "unit": "1",
        }, environ_base={"REMOTE_ADDR": address})

    answers = {login: register(login, f"10.0.1.{n}") for n, login in enumerate(["free-one", resident.login])}
    assert {(r.status_code, r.location) for r in answers.values()} == {(302, "/")}
    assert len({r.get_data() for r in answers.values()}) == 1
