"""Sessions that end: a copied session or remember-me cookie stops working after logging out,
a password change or "log out everywhere"; the cookies carry a random token, not the user id."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import LoginSession, User
from tests import factories

PAGE = "/cards/new"  # a page only a logged-in resident gets (visitors are sent to /login)


def logged_in(app, *, remember=False, password=factories.PASSWORD, login="lina"):
    client = app.test_client()
    data = {"login": login, "password": password}
    if remember:
        data["remember"] = "y"
    assert client.post("/login", data=data).status_code == 302
    return client


def copy_of(app, client, *names):
    """Another browser holding copies of these cookies (as a thief or a shared computer would)."""
    thief = app.test_client()
    for name in names:
        thief.set_cookie(name, client.get_cookie(name).value)
    return thief


def is_in(client) -> bool:
    response = client.get(PAGE)
    assert response.status_code in (200, 302)
    return response.status_code == 200


def test_a_copied_session_cookie_stops_working_after_logging_out(app, resident):
    client = logged_in(app)
    thief = copy_of(app, client, "session")
    assert is_in(thief)
    client.post("/logout")
    assert not is_in(thief)
    assert not is_in(client)


def test_a_copied_remember_cookie_stops_working_after_logging_out(app, resident):
    client = logged_in(app, remember=True)
    thief = copy_of(app, client, "remember_token")
    assert is_in(thief)
    client.post("/logout")
    assert not is_in(thief)


def test_logging_out_ends_only_that_session(app, resident):
    phone, computer = logged_in(app), logged_in(app)
    phone.post("/logout")
    assert not is_in(phone)
    assert is_in(computer)


def test_a_password_change_ends_every_other_session_and_remember_cookie(app, resident):
    phone = logged_in(app, remember=True)
    other_session = copy_of(app, logged_in(app), "session")
    other_remember = copy_of(app, phone, "remember_token")
    response = phone.post("/password", data={
        "current": factories.PASSWORD, "password": "a-brand-new-one", "confirm": "a-brand-new-one",
    })
    assert response.status_code == 302
    assert not is_in(other_session)
    assert not is_in(other_remember)
    assert is_in(phone), "the phone that changed the password stays logged in"
    restarted = copy_of(app, phone, "remember_token")  # and its new remember cookie works
    assert is_in(restarted)


def test_log_out_everywhere_ends_every_session_including_this_one(app, resident):
    phone, computer = logged_in(app, remember=True), logged_in(app, remember=True)
    remembered = copy_of(app, computer, "remember_token")
    response = phone.post("/profile/logout-everywhere")
    assert response.status_code == 302 and response.headers["Location"].endswith("/login")
    assert "You are logged out on every phone and computer." in phone.get("/login").get_data(as_text=True)
    assert not is_in(phone) and not is_in(computer) and not is_in(remembered)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 0
    assert is_in(logged_in(app)), "logging in again works"


def test_log_out_everywhere_is_on_the_profile_and_post_only(app, resident):
    client = logged_in(app)
    page = client.get("/profile").get_data(as_text=True)
    assert 'action="/profile/logout-everywhere"' in page and "Log out everywhere" in page
    assert client.get("/profile/logout-everywhere").status_code == 405
    assert is_in(client)


def test_log_out_everywhere_leaves_other_residents_logged_in(app, resident, neighbour):
    lina, chen = logged_in(app), logged_in(app, login="chen")
    lina.post("/profile/logout-everywhere")
    assert is_in(chen)


def test_cookies_carry_a_random_token_not_the_user_id(app, resident):
    first, second = logged_in(app, remember=True), logged_in(app, remember=True)
    with first.session_transaction() as s1, second.session_transaction() as s2:
        assert s1["_user_id"] != str(resident.id)
        assert s1["_user_id"] != s2["_user_id"], "each log-in has a token of its own"
        token = s1["_user_id"]
    assert token.split(".")[0] == str(resident.id) and len(token.split(".")[2]) >= 32
    assert first.get_cookie("remember_token").value.split("|")[0] == token


def test_a_session_holding_the_bare_user_id_is_not_logged_in(app, resident):
    """What Flask-Login stored before sessions could end (and what anyone knowing the id could sign)."""
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = str(resident.id)
        s["_fresh"] = True
    assert not is_in(client)


@pytest.mark.parametrize("token", [
    "", "1", "1.0", "1.0.", "x.0.abc", "1.x.abc", "99999999999999999999.0.abc", "1.99999999999999999999.abc",
    "².0.abc", "1.0." + "a" * 5000, "-1.0.abc", "1.-1.abc", "1.0.abc.def",
])
def test_junk_tokens_log_nobody_in_and_are_no_500(app, resident, token):
    client = app.test_client()
    with client.session_transaction() as s:
        s["_user_id"] = token
    assert not is_in(client)


def test_a_session_older_than_the_remember_duration_has_ended(app, resident):
    client = logged_in(app, remember=True)
    row = db.session.scalar(select(LoginSession))
    row.created_at = row.created_at - app.config["REMEMBER_COOKIE_DURATION"] - timedelta(minutes=1)
    db.session.commit()
    assert not is_in(client)


def test_logging_in_clears_the_residents_ended_sessions(app, resident):
    logged_in(app)
    row = db.session.scalar(select(LoginSession))
    row.created_at = row.created_at - app.config["REMEMBER_COOKIE_DURATION"] * 2
    db.session.commit()
    logged_in(app)
    assert db.session.scalar(select(func.count()).select_from(LoginSession)) == 1


def test_a_password_change_bumps_the_token_version(app, resident):
    client = logged_in(app)
    client.post("/password", data={
        "current": factories.PASSWORD, "password": "a-brand-new-one", "confirm": "a-brand-new-one",
    })
    db.session.expire_all()
    assert db.session.get(User, resident.id).session_version == 1
