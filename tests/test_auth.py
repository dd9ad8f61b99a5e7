"""Accounts: joining with an invite code, logging in and out, profile, password, limits."""
import pytest

from board.auth.views import safe_next
from board.extensions import db
from board.models import Membership, User
from tests import factories
from tests.pages import errors_beside, value_of


def join_data(**overrides):
    data = {
        "code": "JOIN1234", "display_name": "Xiaomei", "login": "mei", "password": "long-enough-pw",
        "confirm": "long-enough-pw", "building": "2", "unit": "804",
    }
    data.update(overrides)
    return data


# Registration -------------------------------------------------------------------------------

def test_register_asks_for_the_invite_code_first(client, community):
    page = client.get("/register").get_data(as_text=True)
    assert 'name="code"' in page and 'name="password"' not in page


def test_an_unknown_invite_code_is_refused_beside_the_field(client, community):
    page = client.get("/register", query_string={"code": "NOPE"}).get_data(as_text=True)
    assert errors_beside(page, "code") == ["That invite code is not known. Please check it with your coordinator."]
    assert value_of(page, "code") == "NOPE"
    assert 'name="password"' not in page, "no registration form without a valid code"


def test_a_known_code_shows_the_community_and_its_buildings_only(client, community, other_community):
    page = client.get("/register", query_string={"code": "join1234"}).get_data(as_text=True)
    assert "Join Jinting Garden" in page
    assert [b.name for b in community.buildings] == ["Building 1", "Building 2", "Building 3"]
    other_ids = {str(b.id) for b in other_community.buildings}
    assert not any(f'<option value="{i}"' in page for i in other_ids)


def test_register_creates_the_account_and_membership_and_logs_in(client, community):
    response = client.post("/register", data=join_data(login=" Mei "))
    assert response.status_code == 302 and response.location == "/"
    user = User.query.filter_by(login="mei").one()
    assert user.display_name == "Xiaomei"
    assert user.password_hash.startswith("$argon2") and "long-enough-pw" not in user.password_hash
    membership = Membership.query.filter_by(user_id=user.id).one()
    assert (membership.community_id, membership.building.name, membership.unit, membership.roles) == (
        community.id, "Building 2", "804", {"resident"},
    )
    assert "Jinting Garden" in client.get("/").get_data(as_text=True)


def test_registering_a_login_someone_has_answers_as_a_free_one_and_makes_a_separate_account(app, community, resident):
    """Nothing tells whoever has the lobby's code that 'lina' lives here: the same redirect, the same welcome,
    a board of their own; Li Na's account is untouched and each password logs into its own account."""
    free = app.test_client().post("/register", data=join_data(login="nobody-has-this"), follow_redirects=True)
    taken = app.test_client().post("/register", data=join_data(login=" LINA "), follow_redirects=True)
    assert (free.status_code, taken.status_code) == (200, 200)
    assert [r.location for r in free.history] == [r.location for r in taken.history] == ["/"]
    for page in (free.get_data(as_text=True), taken.get_data(as_text=True)):
        assert "Welcome to Jinting Garden, Xiaomei!" in page and "Li Na" not in page and "taken" not in page
    accounts = User.query.filter_by(login="lina").order_by(User.id).all()
    assert [a.display_name for a in accounts] == ["Li Na", "Xiaomei"]
    assert accounts[0].password_hash == resident.password_hash
    from board.auth.service import authenticate
    assert authenticate("lina", factories.PASSWORD) is accounts[0]
    assert authenticate("Lina", "long-enough-pw") is accounts[1]
    assert authenticate("lina", "neither-password") is None


def test_registering_again_with_ones_own_login_and_password_logs_into_the_account_one_has(client, community, resident):
    """Someone who forgot they had registered: their own account, no second one."""
    response = client.post("/register", data=join_data(login="lina", password=factories.PASSWORD,
                                                       confirm=factories.PASSWORD), follow_redirects=True)
    assert response.status_code == 200 and "Welcome to Jinting Garden, Li Na!" in response.get_data(as_text=True)
    assert User.query.filter_by(login="lina").count() == 1


def test_a_login_shared_by_the_most_accounts_allowed_asks_for_another_and_keeps_the_text(app, client, community):
    from board.auth.service import MAX_ACCOUNTS_PER_LOGIN
    for n in range(MAX_ACCOUNTS_PER_LOGIN):
        factories.user(community, login="busy", password=f"password-number-{n}", unit=str(n + 1))
    page = client.post("/register", data=join_data(login="busy")).get_data(as_text=True)
    assert errors_beside(page, "login") == ["Please choose another login name, or ask your coordinator to add you."]
    assert value_of(page, "display_name") == "Xiaomei", "what was typed is kept"
    assert User.query.filter_by(login="busy").count() == MAX_ACCOUNTS_PER_LOGIN


@pytest.mark.parametrize(
    "password, confirm, message",
    [
        ("short", "short", "At least 8 characters, please."),
        ("", "", "Please choose a password."),
        ("x" * 129, "x" * 129, "At least 8 characters, please."),
    ],
)
def test_register_password_rules(client, community, password, confirm, message):
    page = client.post("/register", data=join_data(password=password, confirm=confirm)).get_data(as_text=True)
    assert message in errors_beside(page, "password")
    assert User.query.count() == 0


def test_register_passwords_must_match(client, community):
    page = client.post("/register", data=join_data(confirm="something-else")).get_data(as_text=True)
    assert errors_beside(page, "confirm") == ["The two passwords differ."]
    assert User.query.count() == 0


@pytest.mark.parametrize(
    "field, value, message",
    [
        ("login", "ab", "Between 3 and 80 characters, please."),
        ("login", "mei<script>", "Letters, digits, dots, dashes and + only."),
        ("display_name", "", "Please enter a name."),
        ("unit", "", "Please enter your unit number."),
    ],
)
def test_register_field_rules(client, community, field, value, message):
    page = client.post("/register", data=join_data(**{field: value})).get_data(as_text=True)
    assert message in errors_beside(page, field)
    assert User.query.count() == 0


def test_register_refuses_a_building_of_another_community(client, community, other_community):
    page = client.post("/register", data=join_data(building=str(other_community.buildings[0].id))).get_data(as_text=True)
    assert errors_beside(page, "building") == ["Not a valid choice."]
    assert User.query.count() == 0


def test_register_with_a_phone_number_login(client, community):
    client.post("/register", data=join_data(login="+86 138-0000-1234"))
    assert User.query.one().login == "+8613800001234"
    client.post("/logout")
    assert client.post("/login", data={"login": "+86 1380000 1234", "password": "long-enough-pw"}).status_code == 302


def test_register_a_bad_code_in_the_post_is_refused(client, community):
    page = client.post("/register", data=join_data(code="WRONG")).get_data(as_text=True)
    assert errors_beside(page, "code")
    assert User.query.count() == 0


# Logging in and out ---------------------------------------------------------------------------

def test_login_page_for_visitors(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'name="login"' in page and 'name="password"' in page and 'name="remember"' in page


def test_login_and_out(client, resident):
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert response.status_code == 302 and response.location == "/"
    assert client.get("/cards/new").status_code == 200
    response = client.post("/logout")
    assert response.status_code == 302 and response.location.startswith("/login")
    assert client.get("/cards/new").status_code == 302


def test_login_is_case_insensitive_on_the_login_name(client, resident):
    assert client.post("/login", data={"login": "  LiNa ", "password": factories.PASSWORD}).status_code == 302


@pytest.mark.parametrize("login_name, password", [("lina", "wrong-password"), ("nobody", factories.PASSWORD)])
def test_wrong_login_or_password_says_so_beside_the_password(client, resident, login_name, password):
    response = client.post("/login", data={"login": login_name, "password": password})
    assert response.status_code == 200
    page = response.get_data(as_text=True)
    assert errors_beside(page, "password") == ["That login and password do not match."]
    assert value_of(page, "login") == login_name
    assert value_of(page, "password") in ("", None), "a password is never sent back"
    assert client.get("/cards/new").status_code == 302


def test_empty_login_form_errors(client):
    page = client.post("/login", data={}).get_data(as_text=True)
    assert errors_beside(page, "login") == ["Please enter your login."]
    assert errors_beside(page, "password") == ["Please enter your password."]


def test_remember_me_sets_a_remember_cookie(client, resident):
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"})
    cookie = client.get_cookie("remember_token")
    assert cookie is not None and cookie.http_only


def test_without_remember_me_there_is_no_remember_cookie(client, resident):
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert client.get_cookie("remember_token") is None


def test_remember_cookie_logs_a_resident_back_in_after_the_session_ends(app, resident):
    client = app.test_client()
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"})
    token = client.get_cookie("remember_token").value
    fresh = app.test_client()  # the phone was restarted: no session cookie, only the remember cookie
    fresh.set_cookie("remember_token", token)
    assert fresh.get("/cards/new").status_code == 200


def test_session_is_renewed_at_login(client, resident):
    with client.session_transaction() as s:
        s["planted"] = "by someone else"
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    with client.session_transaction() as s:
        assert "planted" not in s
        assert s["_user_id"].startswith(f"{resident.id}.") and s["_user_id"] != str(resident.id)


def test_language_chosen_before_login_survives_the_session_renewal(client, resident):
    client.post("/language", data={"lang": "zh_CN"})
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    with client.session_transaction() as s:
        assert s["lang"] == "zh_CN"


def test_logout_is_post_only(client, resident, login):
    login(client, resident)
    response = client.get("/logout")
    assert response.status_code == 405
    assert "That action is not possible here" in response.get_data(as_text=True)
    assert client.get("/cards/new").status_code == 200, "still logged in"


def test_logout_forgets_the_remember_cookie(client, resident):
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"})
    client.post("/logout")
    assert client.get_cookie("remember_token") is None
    assert client.get("/cards/new").status_code == 302


def test_logged_in_residents_skip_login_and_register(client, resident, login):
    login(client, resident)
    assert client.get("/login").location == "/"
    assert client.get("/register").location == "/"


# Safe next= -----------------------------------------------------------------------------------

def test_protected_page_sends_to_login_with_next_and_back(client, resident):
    response = client.get("/cards/new")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    page = client.get(response.location).get_data(as_text=True)
    assert value_of(page, "next") == "/cards/new"
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "next": "/cards/new"})
    assert response.location == "/cards/new"


@pytest.mark.parametrize(
    "target",
    [
        "//evil.example", "https://evil.example", "http://evil.example/x", "/\\evil.example", "\\\\evil.example",
        "javascript:alert(1)", "evil.example", "/\t/evil.example", "///evil.example", " //evil.example",
    ],
)
def test_unsafe_next_goes_to_the_board(client, resident, target):
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "next": target})
    assert response.status_code == 302 and response.location == "/"


@pytest.mark.parametrize("target", ["/cards/new", "/cards/12?x=1", "/profile"])
def test_safe_next_keeps_same_site_paths(target):
    assert safe_next(target) == target


# Rate limit -----------------------------------------------------------------------------------

def test_sixth_wrong_attempt_in_a_minute_is_refused_with_a_friendly_429(client, resident):
    for _ in range(5):
        assert client.post("/login", data={"login": "lina", "password": "wrong-password"}).status_code == 200
    response = client.post("/login", data={"login": "lina", "password": factories.PASSWORD})
    assert response.status_code == 429
    page = response.get_data(as_text=True)
    assert "Too many tries" in page and "Please wait a minute before trying again." in page
    assert "Traceback" not in page
    assert client.get("/cards/new").status_code == 302, "the correct password is refused while limited"


def test_rate_limit_counts_per_login_name(client, resident, neighbour):
    for _ in range(6):
        client.post("/login", data={"login": "lina", "password": "wrong-password"})
    assert client.post("/login", data={"login": "chen", "password": factories.PASSWORD}).status_code == 302


def test_viewing_the_login_page_is_not_limited(client):
    for _ in range(8):
        assert client.get("/login").status_code == 200


# Profile and password -------------------------------------------------------------------------

def test_profile_shows_and_saves_name_home_and_language(client, resident, community, login):
    login(client, resident)
    page = client.get("/profile").get_data(as_text=True)
    assert value_of(page, "display_name") == "Li Na" and value_of(page, "unit") == "502"
    assert value_of(page, "building") == str(community.buildings[0].id)
    response = client.post("/profile", data={
        "display_name": "Li Na (B3)", "building": str(community.buildings[2].id), "unit": "1803", "locale": "zh_CN",
    })
    assert response.status_code == 302
    user = db.session.get(User, resident.id)
    assert user.display_name == "Li Na (B3)" and user.locale == "zh_CN"
    assert (user.membership.building_id, user.membership.unit) == (community.buildings[2].id, "1803")


def test_profile_refuses_a_building_of_another_community(client, resident, other_community, login):
    login(client, resident)
    page = client.post("/profile", data={
        "display_name": "Li Na", "building": str(other_community.buildings[0].id), "unit": "502", "locale": "",
    }).get_data(as_text=True)
    assert errors_beside(page, "building") == ["Not a valid choice."]
    assert Membership.query.filter_by(user_id=resident.id).one().building_id != other_community.buildings[0].id


def test_profile_keeps_what_was_typed_on_error(client, resident, community, login):
    login(client, resident)
    page = client.post("/profile", data={
        "display_name": "", "building": str(community.buildings[1].id), "unit": "77-B", "locale": "",
    }).get_data(as_text=True)
    assert errors_beside(page, "display_name") == ["Please enter a name."]
    assert value_of(page, "unit") == "77-B"
    assert value_of(page, "building") == str(community.buildings[1].id)


def test_change_password(client, app, resident, login):
    login(client, resident)
    response = client.post("/password", data={
        "current": factories.PASSWORD, "password": "a-brand-new-one", "confirm": "a-brand-new-one",
    })
    assert response.status_code == 302
    client.post("/logout")
    other = app.test_client()
    assert other.post("/login", data={"login": "lina", "password": factories.PASSWORD}).status_code == 200
    assert other.post("/login", data={"login": "lina", "password": "a-brand-new-one"}).status_code == 302


def test_change_password_with_a_wrong_current_password(client, resident, login):
    login(client, resident)
    page = client.post("/password", data={
        "current": "not-my-password", "password": "a-brand-new-one", "confirm": "a-brand-new-one",
    }).get_data(as_text=True)
    assert errors_beside(page, "current") == ["That is not your current password."]
    assert not errors_beside(page, "password")
    user = db.session.get(User, resident.id)
    from board.auth.service import check_password

    assert check_password(user, factories.PASSWORD)


@pytest.mark.parametrize(
    "password, confirm, field, message",
    [
        ("short", "short", "password", "At least 8 characters, please."),
        ("a-brand-new-one", "another-one-here", "confirm", "The two passwords differ."),
    ],
)
def test_change_password_rules(client, resident, login, password, confirm, field, message):
    login(client, resident)
    page = client.post("/password", data={
        "current": factories.PASSWORD, "password": password, "confirm": confirm,
    }).get_data(as_text=True)
    assert errors_beside(page, field) == [message]


# Invite code for coordinators -------------------------------------------------------------------

def test_coordinator_sees_the_printable_invite_code(client, coordinator, login):
    login(client, coordinator)
    page = client.get("/community/invite").get_data(as_text=True)
    assert "JOIN1234" in page and "/register?code=JOIN1234" in page
    assert "/community/invite" in client.get("/profile").get_data(as_text=True)


def test_residents_do_not_see_the_invite_code(client, resident, login):
    login(client, resident)
    assert client.get("/community/invite").status_code == 403
    assert "JOIN1234" not in client.get("/profile").get_data(as_text=True)
    assert "JOIN1234" not in client.get("/").get_data(as_text=True)


def test_visitors_see_the_welcome_page_not_the_board(client, resident):
    factories.card(resident, title="Private need of a neighbour")
    page = client.get("/").get_data(as_text=True)
    assert "Neighbours helping neighbours" in page
    assert "Private need of a neighbour" not in page
    assert "/login" in page and "/register" in page


def test_remember_me_survives_a_phone_changing_networks(app, resident):
    """Wi-Fi at home, mobile data in the lift: a new address must not log the resident out."""
    client = app.test_client()
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"},
                environ_base={"REMOTE_ADDR": "192.168.1.20"})
    response = client.get("/cards/new", environ_base={"REMOTE_ADDR": "10.64.3.7"})
    assert response.status_code == 200
    assert client.get_cookie("remember_token") is not None


@pytest.mark.parametrize("app_config", [{"SESSION_COOKIE_SECURE": True}])
def test_behind_https_the_remember_cookie_is_secure_too(client, resident):
    """The 30-day remember cookie is a password in all but name: never over plain HTTP."""
    client.post("/login", data={"login": "lina", "password": factories.PASSWORD, "remember": "y"},
                base_url="https://localhost")
    assert client.get_cookie("session").secure
    assert client.get_cookie("remember_token").secure


def test_rate_limit_cannot_be_dodged_by_writing_a_phone_number_differently(client, community):
    factories.user(community, login="+86 138-0000-1234")
    spellings = ["+8613800001234", "+86 13800001234", "+86-138-0000-1234", "+86 138 0000 1234", " +8613800001234",
                 "+86138-00001234"]
    statuses = [client.post("/login", data={"login": s, "password": "wrong-password"}).status_code for s in spellings]
    assert statuses == [200] * 5 + [429]


def test_guessing_invite_codes_is_rate_limited(client, community):
    """The invite code is what keeps strangers off the board: it must not be guessable at full speed."""
    statuses = [client.get("/register", query_string={"code": f"GUESS{i:03d}"}).status_code for i in range(11)]
    assert statuses == [200] * 10 + [429]
    page = client.get("/register", query_string={"code": "JOIN1234"})
    assert page.status_code == 429, "still limited, even with the right code"
    assert "Too many tries" in page.get_data(as_text=True)


def test_looking_up_the_right_invite_code_is_not_limited(client, community):
    for _ in range(15):
        assert client.get("/register", query_string={"code": "JOIN1234"}).status_code == 200
    assert client.get("/register").status_code == 200


@pytest.mark.parametrize("path, expected", [
    ("/login", {"login": "username", "password": "current-password"}),
    ("/register?code=JOIN1234", {"login": "username", "password": "new-password", "confirm": "new-password"}),
    ("/password", {"current": "current-password", "password": "new-password", "confirm": "new-password"}),
])
def test_password_managers_can_fill_the_account_forms(client, resident, login, path, expected):
    """On a phone a password manager fills these in one tap (and WCAG 1.3.5 asks for it)."""
    import re

    if path == "/password":
        login(client, resident)
    page = client.get(path).get_data(as_text=True)
    for name, token in expected.items():
        tag = re.search(rf'<input[^>]*name="{name}"[^>]*>', page).group(0)
        assert f'autocomplete="{token}"' in tag, tag


def test_logging_out_keeps_the_language_the_phone_was_using(client, community, login):
    """Grandma reads Chinese on a phone set to English: after logging out she must not face English."""
    user = factories.user(community, login="grandma", locale="zh_CN")
    login(client, user)
    client.post("/logout")
    page = client.get("/login", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
