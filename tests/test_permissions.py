"""Who may do what: visitors log in first, only the author edits, other communities do not exist,
and a resident's door number is never shown to another resident."""
import pytest

from board.cards import transitions
from board.extensions import db
from board.models import Card, CardStatus
from tests import factories

PRIVATE_UNIT = "9X-4417"  # nothing else on a page could contain this by chance


@pytest.fixture
def card(resident):
    return factories.card(resident, title="Fever medicine a pregnant woman can take", details="38.5 since morning",
                          urgency="urgent", for_pregnant=True)


# Visitors ---------------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/cards/new"),
        ("post", "/cards/new"),
        ("get", "/cards/{id}"),
        ("get", "/cards/{id}/edit"),
        ("post", "/cards/{id}/edit"),
        ("post", "/cards/{id}/withdraw"),
        ("get", "/profile"),
        ("post", "/profile"),
        ("get", "/password"),
        ("post", "/password"),
        ("get", "/community/invite"),
        ("post", "/logout"),
    ],
)
def test_visitors_are_sent_to_log_in(client, card, method, path):
    response = getattr(client, method)(path.format(id=card.id))
    assert response.status_code == 302
    assert response.location.startswith("/login?next=")
    assert db.session.get(Card, card.id).status == "open"


def test_visitors_see_no_card_content(client, card):
    for path in ("/", f"/cards/{card.id}", "/login", "/register"):
        assert "Fever medicine" not in client.get(path, follow_redirects=True).get_data(as_text=True)


# The author ------------------------------------------------------------------------------------

def test_a_neighbour_cannot_edit_someone_elses_card(client, card, neighbour, login):
    login(client, neighbour)
    assert client.get(f"/cards/{card.id}/edit").status_code == 403
    response = client.post(f"/cards/{card.id}/edit", data={"category": "food", "title": "Hijacked", "urgency": "normal"})
    assert response.status_code == 403
    assert db.session.get(Card, card.id).title == "Fever medicine a pregnant woman can take"


def test_a_neighbour_cannot_withdraw_someone_elses_card(client, card, neighbour, login):
    login(client, neighbour)
    assert client.post(f"/cards/{card.id}/withdraw", data={"version": card.version}).status_code == 403
    assert db.session.get(Card, card.id).status == "open"


def test_a_neighbour_sees_the_card_but_no_edit_or_withdraw_button(client, card, neighbour, login):
    login(client, neighbour)
    page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert "Fever medicine" in page
    assert f"/cards/{card.id}/edit" not in page and f"/cards/{card.id}/withdraw" not in page


def test_the_author_sees_edit_and_withdraw(client, card, resident, login):
    login(client, resident)
    page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert f"/cards/{card.id}/edit" in page and f"/cards/{card.id}/withdraw" in page


def test_a_coordinator_may_withdraw_but_not_edit_a_residents_card(client, card, coordinator, login):
    assert transitions.Party.COORDINATOR in transitions.MOVES["withdraw"].parties
    login(client, coordinator)
    page = client.get(f"/cards/{card.id}").get_data(as_text=True)
    assert f"/cards/{card.id}/withdraw" in page and f"/cards/{card.id}/edit" not in page
    assert client.get(f"/cards/{card.id}/edit").status_code == 403
    assert client.post(f"/cards/{card.id}/withdraw", data={"version": card.version}).status_code == 302
    assert db.session.get(Card, card.id).status == CardStatus.WITHDRAWN.value


def test_withdraw_moves_follow_the_table(card, resident, neighbour, coordinator, stranger):
    rule = transitions.MOVES["withdraw"]
    assert rule.target == CardStatus.WITHDRAWN and CardStatus.OPEN in rule.sources
    assert transitions.allowed(card, "withdraw", resident)
    assert transitions.allowed(card, "withdraw", coordinator)
    assert not transitions.allowed(card, "withdraw", neighbour)
    assert not transitions.allowed(card, "withdraw", stranger)
    assert not transitions.allowed(card, "withdraw", None), "the system expires cards, it does not withdraw them"


# Other communities --------------------------------------------------------------------------------

@pytest.mark.parametrize(
    "method, path",
    [("get", "/cards/{id}"), ("get", "/cards/{id}/edit"), ("post", "/cards/{id}/edit"), ("post", "/cards/{id}/withdraw")],
)
def test_another_communitys_card_is_a_404(client, card, stranger, login, method, path):
    login(client, stranger)
    response = getattr(client, method)(path.format(id=card.id), data={"title": "x", "version": card.version})
    assert response.status_code == 404
    assert "Fever medicine" not in response.get_data(as_text=True)
    assert db.session.get(Card, card.id).status == "open"


def test_another_communitys_card_is_a_404_even_for_its_coordinator(client, card, other_community, login):
    boss = factories.user(other_community, login="otherboss", role="coordinator")
    login(client, boss)
    assert client.get(f"/cards/{card.id}").status_code == 404
    assert client.post(f"/cards/{card.id}/withdraw", data={"version": card.version}).status_code == 404
    assert db.session.get(Card, card.id).status == "open"


def test_another_communitys_card_and_a_missing_card_look_the_same(client, card, stranger, login):
    login(client, stranger)
    other = client.get(f"/cards/{card.id}")
    missing = client.get(f"/cards/{card.id + 1000}")
    assert other.status_code == missing.status_code == 404
    def main(response):
        return response.get_data(as_text=True).split("<main", 1)[1].split("</main>", 1)[0]

    assert main(other) == main(missing)


def test_another_communitys_card_is_404_through_htmx_too(client, card, stranger, login):
    login(client, stranger)
    response = client.get(f"/cards/{card.id}", headers={"HX-Request": "true", "HX-Target": f"card-{card.id}"})
    assert response.status_code == 404 and "Fever medicine" not in response.get_data(as_text=True)


# Privacy: the door number ------------------------------------------------------------------------------

@pytest.fixture
def author(community):
    return factories.user(community, login="gao", display_name="Grandpa Gao", building=2, unit=PRIVATE_UNIT)


@pytest.fixture
def authored(app, author):
    app.config["BOARD_PAGE_SIZE"] = 2
    cards = [factories.card(author, title=f"Need number {i}", details=f"details {i}", kind=kind, quantity=2, unit="box")
             for i, kind in enumerate(["need", "offer", "need"])]
    return cards


def pages_seen_by(client, cards):
    """Every page and fragment in which another resident can meet these cards."""
    first = client.get("/")
    more = first.get_data(as_text=True).split('<a id="more"', 1)[1].split('href="', 1)[1].split('"', 1)[0]
    more = more.replace("&amp;", "&")
    yield "board", first
    yield "board fragment", client.get("/", headers={"HX-Request": "true", "HX-Target": "card-list"})
    yield "more fragment", client.get(more, headers={"HX-Request": "true", "HX-Target": "more"})
    yield "more page", client.get(more)
    yield "filtered board", client.get("/?kind=need&building=" + str(cards[0].building_id))
    for card in cards:
        yield f"card {card.id}", client.get(f"/cards/{card.id}")
        yield f"card {card.id} fragment", client.get(
            f"/cards/{card.id}", headers={"HX-Request": "true", "HX-Target": f"card-{card.id}"}
        )


def test_no_page_or_fragment_shows_a_residents_unit_to_another_resident(client, authored, neighbour, login):
    login(client, neighbour)
    seen = 0
    for name, response in pages_seen_by(client, authored):
        assert response.status_code == 200, name
        body = response.get_data(as_text=True)
        assert PRIVATE_UNIT not in body, f"the unit number shows in the {name}"
        seen += "Need number" in body
    assert seen >= 10, "the pages checked really show the cards"


def test_searching_for_a_unit_finds_no_card(client, authored, neighbour, login):
    login(client, neighbour)
    page = client.get("/", query_string={"q": PRIVATE_UNIT}).get_data(as_text=True)
    assert "Need number" not in page


def test_the_unit_does_not_leak_through_headers_either(client, authored, neighbour, login):
    login(client, neighbour)
    for name, response in pages_seen_by(client, authored):
        assert PRIVATE_UNIT not in str(response.headers), name


def test_the_author_sees_their_own_unit_in_their_profile_only(client, author, login):
    login(client, author)
    assert PRIVATE_UNIT in client.get("/profile").get_data(as_text=True)


@pytest.mark.parametrize("method, path", [
    ("get", "/cards/99999999999999999999"), ("get", "/cards/99999999999999999999/edit"),
    ("post", "/cards/99999999999999999999/withdraw"), ("get", "/cards/2147483648"),
])
def test_an_impossible_card_number_is_a_404_not_a_server_error(client, resident, login, method, path):
    login(client, resident)
    assert getattr(client, method)(path).status_code == 404
