"""CSRF on every POST: refused without the token, accepted with the form's token or htmx's header."""
import re

import pytest

from board.extensions import db
from board.models import Card, User
from tests import factories


@pytest.fixture
def app_config():
    return {"WTF_CSRF_ENABLED": True}


def form_token(page: str) -> str:
    return re.search(r'name="csrf_token"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="csrf_token"', page).group(1)


def header_token(page: str) -> str:
    return re.search(r"data-hx-headers='\{\"X-CSRFToken\": \"([^\"]+)\"\}'", page).group(1)


def log_in(client, user):
    token = form_token(client.get("/login").get_data(as_text=True))
    response = client.post("/login", data={"login": user.login, "password": factories.PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    return client


CARD = {"kind": "need", "category": "food", "title": "Rice please", "urgency": "normal"}


def test_a_post_without_a_token_is_a_friendly_400(client, resident):
    log_in(client, resident)
    response = client.post("/cards/new", data=CARD)
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "This form had expired. Please reload the page and try again." in page
    assert "<html" in page and "Traceback" not in page
    assert Card.query.count() == 0


def test_a_post_with_the_forms_token_works(client, resident):
    log_in(client, resident)
    token = form_token(client.get("/cards/new").get_data(as_text=True).split('action="/cards/new"', 1)[1])
    assert client.post("/cards/new", data={**CARD, "csrf_token": token}).status_code == 302
    assert Card.query.count() == 1


def test_a_wrong_token_is_refused(client, resident):
    log_in(client, resident)
    assert client.post("/cards/new", data={**CARD, "csrf_token": "forged"}).status_code == 400


def test_another_sessions_token_is_refused(app, client, resident, neighbour):
    log_in(client, resident)
    other = log_in(app.test_client(), neighbour)
    stolen = form_token(other.get("/cards/new").get_data(as_text=True))
    assert client.post("/cards/new", data={**CARD, "csrf_token": stolen}).status_code == 400
    assert Card.query.count() == 0


def test_htmx_sends_the_token_in_the_x_csrftoken_header(client, resident):
    log_in(client, resident)
    card = factories.card(resident)
    token = header_token(client.get("/").get_data(as_text=True))
    response = client.post(
        f"/cards/{card.id}/withdraw", data={"version": card.version},
        headers={"X-CSRFToken": token, "HX-Request": "true"},
    )
    assert response.status_code == 204 and "HX-Location" in response.headers
    assert db.session.get(Card, card.id).status == "withdrawn"


def test_an_htmx_post_without_the_header_gets_the_message_fragment(client, resident):
    log_in(client, resident)
    card = factories.card(resident)
    response = client.post(f"/cards/{card.id}/withdraw", data={"version": card.version}, headers={"HX-Request": "true"})
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#messages"
    body = response.get_data(as_text=True)
    assert "<html" not in body and "This form had expired" in body
    assert db.session.get(Card, card.id).status == "open"


@pytest.mark.parametrize(
    "path, data",
    [
        ("/login", {"login": "lina", "password": factories.PASSWORD}),
        ("/register", {"code": "JOIN1234", "display_name": "X", "login": "xyz", "password": "long-enough",
                       "confirm": "long-enough", "building": "1", "unit": "1"}),
        ("/language", {"lang": "zh_CN"}),
    ],
)
def test_visitor_forms_need_the_token_too(client, resident, path, data):
    assert client.post(path, data=data).status_code == 400
    assert User.query.count() == 1


@pytest.mark.parametrize("path", ["/logout", "/profile", "/password"])
def test_account_forms_need_the_token(client, resident, path):
    log_in(client, resident)
    assert client.post(path, data={"display_name": "Changed", "current": factories.PASSWORD,
                                   "password": "x" * 10, "confirm": "x" * 10}).status_code == 400
    assert client.get("/cards/new").status_code == 200, "still logged in"
    assert db.session.get(User, resident.id).display_name == "Li Na"


def test_every_post_form_on_the_pages_carries_a_token(client, resident, coordinator):
    card = factories.card(resident)
    log_in(client, resident)
    for path in ("/", f"/cards/{card.id}", f"/cards/{card.id}/edit", "/cards/new", "/profile", "/password"):
        page = client.get(path).get_data(as_text=True)
        for form in re.findall(r"<form\b[^>]*>.*?</form>", page, re.S):
            if 'method="post"' in form:
                assert 'name="csrf_token"' in form, (path, form[:200])
