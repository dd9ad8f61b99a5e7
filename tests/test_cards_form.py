"""Posting and editing a card: every rule of the form, errors beside their field, input kept."""
from datetime import date, timedelta

import pytest

from board.extensions import db
from board.models import Card, Event
from tests import factories
from tests.pages import all_errors, errors_beside, is_checked, value_of


def card_data(**overrides):
    data = {
        "kind": "need", "category": "food", "title": "Rice and cooking oil", "details": "A small bag will do.",
        "quantity": "1", "unit": "bag", "urgency": "normal", "days_up": "",
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def poster(client, resident, login):
    login(client, resident)
    return client


def post(client, **overrides):
    return client.post("/cards/new", data=card_data(**overrides))


def test_the_form_offers_every_field_of_the_issue(poster):
    page = poster.get("/cards/new").get_data(as_text=True)
    for name in ("kind", "category", "title", "details", "quantity", "unit", "urgency", "for_pregnant", "for_child",
                 "for_elderly", "sealed", "medicine_expires_on", "days_up"):
        assert f'name="{name}"' in page, name
    for category in ("medicine", "food", "supplies", "errand", "care", "other"):
        assert f'value="{category}"' in page
    assert is_checked(page, "kind", "need") and is_checked(page, "urgency", "normal")


def test_the_kind_can_be_preselected_from_the_address(poster):
    assert is_checked(poster.get("/cards/new?kind=offer").get_data(as_text=True), "kind", "offer")


def test_a_valid_need_is_posted_with_everything_saved(poster, resident):
    response = post(poster, category="medicine", urgency="urgent", for_pregnant="y", sealed="y", quantity="2", unit="box")
    card = Card.query.one()
    assert response.status_code == 302 and response.location == f"/cards/{card.id}"
    assert (card.kind, card.category, card.title, card.details, card.quantity, card.unit, card.urgency) == (
        "need", "medicine", "Rice and cooking oil", "A small bag will do.", 2, "box", "urgent",
    )
    assert card.for_pregnant and card.sealed and not card.for_child and not card.for_elderly
    assert card.author_id == resident.id and card.building_id == resident.membership.building_id
    assert card.status == "open" and card.priority == 3
    assert Event.query.filter_by(card_id=card.id, kind="card.posted").count() == 1


@pytest.mark.parametrize("title", ["", "   "])
def test_title_is_required(poster, title):
    page = post(poster, title=title).get_data(as_text=True)
    assert errors_beside(page, "title") == ["Please say in a few words what it is."]
    assert Card.query.count() == 0


@pytest.mark.parametrize(
    "field, value, limit",
    [("title", "t" * 121, 120), ("details", "d" * 2001, 2000), ("unit", "u" * 21, 20)],
)
def test_lengths_are_limited(poster, field, value, limit):
    page = post(poster, **{field: value}).get_data(as_text=True)
    assert errors_beside(page, field) == [f"Field cannot be longer than {limit} characters."]
    assert Card.query.count() == 0


@pytest.mark.parametrize(
    "field, value", [("title", "t" * 120), ("details", "d" * 2000), ("unit", "u" * 20)],
)
def test_lengths_at_the_limit_are_fine(poster, field, value):
    assert post(poster, **{field: value}).status_code == 302
    assert getattr(Card.query.one(), field) == value


@pytest.mark.parametrize("quantity", ["0", "-3", "10000"])
def test_quantity_range(poster, quantity):
    page = post(poster, quantity=quantity).get_data(as_text=True)
    assert errors_beside(page, "quantity") == ["Between 1 and 9999, please."]
    assert Card.query.count() == 0


def test_quantity_must_be_a_number(poster):
    page = post(poster, quantity="two").get_data(as_text=True)
    assert errors_beside(page, "quantity")
    assert value_of(page, "quantity") == "two", "what was typed is kept"
    assert Card.query.count() == 0


@pytest.mark.parametrize("quantity", ["1", "9999", ""])
def test_quantity_within_range_or_none(poster, quantity):
    assert post(poster, quantity=quantity).status_code == 302
    assert Card.query.one().quantity == (int(quantity) if quantity else None)


def test_offered_medicine_needs_an_expiry_date(poster):
    page = post(poster, kind="offer", category="medicine", medicine_expires_on="").get_data(as_text=True)
    assert errors_beside(page, "medicine_expires_on") == ["Please give the expiry date printed on the box."]
    assert Card.query.count() == 0


def test_expired_medicine_cannot_be_offered(poster):
    yesterday = (date.today() - timedelta(days=1)).isoformat()
    page = post(poster, kind="offer", category="medicine", medicine_expires_on=yesterday).get_data(as_text=True)
    assert errors_beside(page, "medicine_expires_on") == ["This medicine has expired; it cannot be offered."]
    assert value_of(page, "medicine_expires_on") == yesterday
    assert Card.query.count() == 0


def test_medicine_offer_with_a_future_expiry_is_posted(poster):
    when = date.today() + timedelta(days=200)
    assert post(poster, kind="offer", category="medicine", medicine_expires_on=when.isoformat()).status_code == 302
    assert Card.query.one().medicine_expires_on == when


def test_a_medicine_need_needs_no_expiry_date(poster):
    assert post(poster, kind="need", category="medicine").status_code == 302


def test_an_expiry_date_must_be_a_date(poster):
    page = post(poster, kind="offer", category="medicine", medicine_expires_on="soon").get_data(as_text=True)
    assert errors_beside(page, "medicine_expires_on") == ["Not a valid date value."]
    assert Card.query.count() == 0


@pytest.mark.parametrize("days_up", ["0", "31", "-1"])
def test_days_up_range(poster, days_up):
    page = post(poster, days_up=days_up).get_data(as_text=True)
    assert errors_beside(page, "days_up") == ["Between 1 and 30 days, please."]
    assert Card.query.count() == 0


@pytest.mark.parametrize("kind, days", [("need", 3), ("offer", 7)])
def test_days_up_default_by_kind(poster, kind, days):
    post(poster, kind=kind, days_up="")
    card = Card.query.one()
    assert card.expires_at - card.created_at == timedelta(days=days)


def test_days_up_chosen(poster):
    post(poster, days_up="30")
    card = Card.query.one()
    assert card.expires_at - card.created_at == timedelta(days=30)


def test_default_days_come_from_the_configuration(app, poster):
    app.config["NEED_DAYS_UP"] = 5
    post(poster, kind="need")
    card = Card.query.one()
    assert card.expires_at - card.created_at == timedelta(days=5)


@pytest.mark.parametrize("field, value", [("kind", "gift"), ("category", "weapons"), ("urgency", "panic")])
def test_choices_outside_the_list_are_refused(poster, field, value):
    page = post(poster, **{field: value}).get_data(as_text=True)
    assert errors_beside(page, field) == ["Not a valid choice."]
    assert Card.query.count() == 0


def test_on_error_everything_typed_is_kept_and_the_message_sits_beside_its_field(poster):
    page = post(
        poster, kind="offer", category="medicine", title="Children's ibuprofen <suspension>",
        details="Two bottles,\nsealed & unopened.", quantity="10000", unit="bottle", urgency="urgent",
        for_child="y", sealed="y", medicine_expires_on="", days_up="12",
    ).get_data(as_text=True)
    assert errors_beside(page, "quantity") == ["Between 1 and 9999, please."]
    assert errors_beside(page, "medicine_expires_on") == ["Please give the expiry date printed on the box."]
    assert sorted(all_errors(page)) == sorted(["Between 1 and 9999, please.", "Please give the expiry date printed on the box."])
    assert not errors_beside(page, "title")
    assert value_of(page, "title") == "Children's ibuprofen <suspension>"
    assert "&lt;suspension&gt;" in page, "typed text is escaped, never markup"
    assert value_of(page, "details") == "Two bottles,\nsealed & unopened."
    assert value_of(page, "quantity") == "10000" and value_of(page, "unit") == "bottle"
    assert value_of(page, "category") == "medicine" and value_of(page, "days_up") == "12"
    assert is_checked(page, "kind", "offer") and is_checked(page, "urgency", "urgent")
    assert is_checked(page, "for_child") and is_checked(page, "sealed") and not is_checked(page, "for_pregnant")
    assert 'aria-invalid="true"' in page
    assert Card.query.count() == 0


def test_an_error_re_renders_with_status_200(poster):
    response = post(poster, title="")
    assert response.status_code == 200 and "text/html" in response.content_type


# Editing ----------------------------------------------------------------------------------------

def test_edit_form_shows_the_card_as_it_is(client, resident, login):
    card = factories.card(resident, title="Cold granules", details="Two boxes", quantity=2, unit="box", for_elderly=True)
    login(client, resident)
    page = client.get(f"/cards/{card.id}/edit").get_data(as_text=True)
    assert value_of(page, "title") == "Cold granules" and value_of(page, "details") == "Two boxes"
    assert value_of(page, "quantity") == "2" and is_checked(page, "for_elderly")
    assert f'name="version" value="{card.version}"' in page


def test_author_edits_a_card_and_tags_and_priority_follow(client, resident, login):
    card = factories.card(resident, title="Cold granules", for_elderly=True)
    assert card.priority == 1
    login(client, resident)
    response = client.post(f"/cards/{card.id}/edit", data=card_data(
        kind="offer", category="medicine", title="Cold granules, 2 boxes", urgency="urgent", version=str(card.version),
    ))
    assert response.status_code == 302
    card = db.session.get(Card, card.id)
    assert card.title == "Cold granules, 2 boxes" and card.urgency == "urgent"
    assert card.kind == "need", "the kind of a card does not change"
    assert not card.for_elderly, "an unticked box clears the tag"
    assert card.priority == 2
    event = Event.query.filter_by(card_id=card.id, kind="card.edited").one()
    assert "title" in event.data["fields"]


def test_edit_with_an_error_keeps_the_typed_text(client, resident, login):
    card = factories.card(resident, title="Cold granules")
    login(client, resident)
    page = client.post(f"/cards/{card.id}/edit", data=card_data(title="", details="changed my mind", days_up="99")).get_data(as_text=True)
    assert errors_beside(page, "title") == ["Please say in a few words what it is."]
    assert errors_beside(page, "days_up") == ["Between 1 and 30 days, please."]
    assert value_of(page, "details") == "changed my mind"
    assert db.session.get(Card, card.id).title == "Cold granules"


def test_edit_days_up_counts_from_when_the_card_was_posted(client, resident, login):
    card = factories.card(resident)
    login(client, resident)
    client.post(f"/cards/{card.id}/edit", data=card_data(days_up="10", version=str(card.version)))
    card = db.session.get(Card, card.id)
    assert card.expires_at - card.created_at == timedelta(days=10)


def test_edit_with_a_stale_version_is_a_conflict(client, resident, login):
    card = factories.card(resident)
    login(client, resident)
    stale = card.version
    client.post(f"/cards/{card.id}/edit", data=card_data(title="First edit", version=str(stale)))
    response = client.post(f"/cards/{card.id}/edit", data=card_data(title="Second edit", version=str(stale)))
    assert response.status_code == 409
    assert db.session.get(Card, card.id).title == "First edit"


def test_a_withdrawn_card_cannot_be_edited(client, resident, login):
    card = factories.card(resident)
    login(client, resident)
    client.post(f"/cards/{card.id}/withdraw", data={"version": card.version})
    response = client.post(f"/cards/{card.id}/edit", data=card_data(title="Back again"))
    assert response.status_code == 409
    assert db.session.get(Card, card.id).status == "withdrawn"


def test_author_withdraws_a_card_and_it_leaves_the_board(client, resident, login):
    card = factories.card(resident, title="Withdraw me soon")
    login(client, resident)
    assert "Withdraw me soon" in client.get("/").get_data(as_text=True)
    response = client.post(f"/cards/{card.id}/withdraw", data={"version": card.version})
    assert response.status_code == 302
    assert db.session.get(Card, card.id).status == "withdrawn"
    assert Event.query.filter_by(card_id=card.id, kind="card.withdraw").one().to_status == "withdrawn"
    assert "Withdraw me soon" not in client.get("/").get_data(as_text=True)


def test_withdraw_is_post_only(client, resident, login):
    card = factories.card(resident)
    login(client, resident)
    assert client.get(f"/cards/{card.id}/withdraw").status_code == 405
    assert db.session.get(Card, card.id).status == "open"


def test_spaces_around_the_text_are_not_stored_and_blank_is_no_title(client, resident, login):
    from board.models import Card

    login(client, resident)
    blank = client.post("/cards/new", data={"kind": "need", "category": "food", "title": "   ", "urgency": "normal"})
    assert blank.status_code == 200 and "Please say in a few words what it is." in blank.get_data(as_text=True)
    client.post("/cards/new", data={"kind": "need", "category": "food", "title": "  Rice  ", "unit": " bag ", "urgency": "normal"})
    card = Card.query.one()
    assert (card.title, card.unit) == ("Rice", "bag")
