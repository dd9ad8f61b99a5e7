"""The shelves through the browser: pages, forms with errors beside fields, htmx fragments, CSV, permissions."""
import csv
import io
import re
from datetime import date, timedelta

import pytest
from sqlalchemy import select

from board.box import service
from board.box.models import Delivery, Gift, Item, RegisterLine, Shelf
from board.extensions import db
from board.models import Card, User
from tests import factories
from tests.pages import errors_beside, value_of

HTMX = {"HX-Request": "true"}


@pytest.fixture
def keeper(community):
    return factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201")


@pytest.fixture
def shelf(community, keeper):
    return factories.shelf(community, name="Medicine box", location="Property office", keepers=(keeper,))


@pytest.fixture
def item(shelf):
    return factories.box_item(shelf, name="Ibuprofen", quantity=5)


@pytest.fixture
def as_resident(make_client, login, resident):
    return login(make_client(), resident)


@pytest.fixture
def as_keeper(make_client, login, keeper):
    return login(make_client(), keeper)


@pytest.fixture
def as_coordinator(make_client, login, coordinator):
    return login(make_client(), coordinator)


def quantity_of(item) -> int:
    return db.session.get(Item, item.id, populate_existing=True).quantity


def page(response) -> str:
    return response.get_data(as_text=True)


def test_visitors_are_sent_to_log_in(client, shelf):
    response = client.get(f"/box/shelves/{shelf.id}")
    assert response.status_code == 302 and "/login" in response.location


def test_the_nav_links_to_the_shelves(as_resident):
    assert 'href="/box/"' in page(as_resident.get("/"))


def test_shelf_list_and_shelf_page_show_stock_with_marks(as_resident, shelf):
    factories.box_item(shelf, name="Ibuprofen", quantity=5)
    factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=1, unit="test", daily_limit=1)
    factories.box_item(shelf, name="Fever syrup", quantity=4, expires_on=date.today() + timedelta(days=7))
    factories.box_item(shelf, name="Cold granules", quantity=3, expires_on=date.today() - timedelta(days=1))
    assert "Medicine box" in page(as_resident.get("/box/"))
    body = page(as_resident.get(f"/box/shelves/{shelf.id}"))
    assert body.count('class="card item"') == 4
    assert "Running low" in body and "Expires soon" in body and "Expired — not handed out" in body
    assert "Up to 1 test per household per day." in body
    granules = re.search(r'<article id="item-card-(\d+)".*?</article>', body[body.index("Cold granules") - 400:], re.S)
    assert "Take</button>" not in granules.group(0)  # no take button on expired stock


def test_search_narrows_the_list_and_htmx_gets_the_list_alone(as_resident, shelf):
    factories.box_item(shelf, name="Ibuprofen", quantity=5)
    factories.box_item(shelf, name="Rice", category="food", quantity=5)
    full = page(as_resident.get(f"/box/shelves/{shelf.id}?q=rice"))
    assert "Rice" in full and "Ibuprofen" not in full and "<html" in full
    fragment = as_resident.get(f"/box/shelves/{shelf.id}?q=rice", headers={**HTMX, "HX-Target": "item-list"})
    body = page(fragment)
    assert body.lstrip().startswith('<section id="item-list"') and "Rice" in body and "Ibuprofen" not in body
    assert "HX-Request" in fragment.headers["Vary"]


def test_page_and_fragment_render_the_same_item(as_resident, item):
    full = page(as_resident.get(f"/box/items/{item.id}"))
    fragment = page(as_resident.get(f"/box/items/{item.id}", headers={**HTMX, "HX-Target": f"item-{item.id}"}))
    assert fragment.strip().startswith(f'<div id="item-{item.id}"')
    assert fragment.strip() in full


def test_the_item_partial_is_the_same_for_every_viewer(app, item, resident, keeper):
    """What the live stream broadcasts must not depend on who looks."""
    from flask import render_template
    from flask_login import login_user

    renders = []
    for who in (resident, keeper):
        with app.test_request_context():
            login_user(who)
            renders.append(render_template("box/_item.html", item=item))
    assert renders[0] == renders[1] and "csrf" not in renders[0]


@pytest.mark.parametrize("url", ["/box/shelves/{shelf}", "/box/items/{item}", "/box/shelves/{shelf}/give",
                                 "/box/items/{item}/deliver", "/box/shelves/{shelf}/register"])
def test_another_communitys_shelf_is_not_found(make_client, login, stranger, shelf, item, url):
    response = login(make_client(), stranger).get(url.format(shelf=shelf.id, item=item.id))
    assert response.status_code == 404


def test_another_community_cannot_take(make_client, login, stranger, item):
    response = login(make_client(), stranger).post(f"/box/items/{item.id}/take", data={"quantity": "1"})
    assert response.status_code == 404 and quantity_of(item) == 5


# Taking.

def test_take_without_javascript_redirects_back_with_a_message(as_resident, item):
    response = as_resident.post(f"/box/items/{item.id}/take", data={"quantity": "2"})
    assert response.status_code == 302 and response.location.endswith(f"/box/shelves/{item.shelf_id}#item-card-{item.id}")
    assert quantity_of(item) == 3
    assert "You took 2 boxes of Ibuprofen" in page(as_resident.get(response.location))


def test_take_with_htmx_answers_with_the_item_card_and_the_message(as_resident, item):
    response = as_resident.post(f"/box/items/{item.id}/take", data={"quantity": "1"}, headers=HTMX)
    body = page(response)
    assert response.status_code == 200
    assert body.lstrip().startswith(f'<article id="item-card-{item.id}"')
    assert "4 boxes available" in body
    assert 'data-hx-swap-oob="true"' in body and "You took 1 box of Ibuprofen" in body


def test_taking_too_many_says_so_beside_the_form_and_keeps_the_number(as_resident, item):
    response = as_resident.post(f"/box/items/{item.id}/take", data={"quantity": "9"}, headers=HTMX)
    body = page(response)
    assert response.status_code == 409
    assert errors_beside(body, "quantity") == ["Not enough left: someone was quicker. Nothing was taken; please look again."]
    assert value_of(body, "quantity") == "9"
    assert quantity_of(item) == 5


def test_the_daily_limit_message_is_beside_the_form_without_javascript(as_resident, shelf):
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=9, unit="box", daily_limit=1)
    as_resident.post(f"/box/items/{tests.id}/take", data={"quantity": "1"})
    response = as_resident.post(f"/box/items/{tests.id}/take", data={"quantity": "1"})
    assert response.status_code == 409
    body = page(response)
    assert "<html" in body
    assert errors_beside(body, "quantity") == [
        "Each household may take 1 box of Antigen tests a day; yours has had 1 today."
    ]
    assert quantity_of(tests) == 8


@pytest.mark.parametrize("typed", ["0", "abc", ""])
def test_a_bad_number_is_refused_beside_the_form(as_resident, item, typed):
    response = as_resident.post(f"/box/items/{item.id}/take", data={"quantity": typed}, headers=HTMX)
    assert response.status_code == 200
    assert errors_beside(page(response), "quantity")
    assert quantity_of(item) == 5


def test_expired_stock_cannot_be_taken_through_the_page(as_resident, shelf):
    old = factories.box_item(shelf, name="Syrup", quantity=3, expires_on=date.today() - timedelta(days=1))
    for headers in ({}, HTMX):
        response = as_resident.post(f"/box/items/{old.id}/take", data={"quantity": "1"}, headers=headers)
        assert response.status_code == 409 and quantity_of(old) == 3
        assert "This has expired and cannot be handed out. The keepers have been told." in page(response)


# Delivery to the door.

def test_asking_for_delivery_reserves_and_opens_a_need(as_resident, resident, item):
    form = as_resident.get(f"/box/items/{item.id}/deliver")
    assert form.status_code == 200 and 'name="urgency"' in page(form)
    response = as_resident.post(f"/box/items/{item.id}/deliver",
                                data={"quantity": "1", "urgency": "urgent", "note": "isolating"})
    delivery = db.session.scalar(select(Delivery))
    assert response.status_code == 302 and response.location.endswith(f"/cards/{delivery.card_id}")
    card = db.session.get(Card, delivery.card_id)
    assert card.author_id == resident.id and card.urgency == "urgent" and card.status == "open"
    assert db.session.get(Item, item.id, populate_existing=True).reserved == 1
    assert "set aside for you" in page(as_resident.get(f"/box/items/{item.id}"))


def test_asking_for_more_than_is_free_keeps_the_form(as_resident, item):
    response = as_resident.post(f"/box/items/{item.id}/deliver", data={"quantity": "6", "urgency": "normal", "note": "x"})
    body = page(response)
    assert response.status_code == 409
    assert errors_beside(body, "quantity") and value_of(body, "note") == "x"
    assert db.session.scalar(select(Delivery)) is None


# Giving and checking in.

def test_give_form_errors_sit_beside_their_fields_and_input_is_kept(as_resident, shelf):
    response = as_resident.post(f"/box/shelves/{shelf.id}/give",
                                data={"name": "Children's fever syrup", "category": "medicine", "quantity": "1"})
    body = page(response)
    assert response.status_code == 200
    assert errors_beside(body, "expires_on") == ["Please give the expiry date printed on the box."]
    assert value_of(body, "name") == "Children's fever syrup"
    assert db.session.scalar(select(Gift)) is None


def test_a_gift_goes_to_the_keepers_queue_and_is_checked_in(as_resident, as_keeper, shelf):
    expiry = (date.today() + timedelta(days=90)).isoformat()
    response = as_resident.post(f"/box/shelves/{shelf.id}/give", data={
        "name": "Cold granules", "category": "medicine", "quantity": "2", "unit": "box", "expires_on": expiry,
        "sealed": "y", "note": "unopened"})
    assert response.status_code == 302
    gift = db.session.scalar(select(Gift))
    assert "Cold granules" not in page(as_resident.get(f"/box/shelves/{shelf.id}"))  # unchecked: not on the shelf
    queue = page(as_keeper.get(f"/box/shelves/{shelf.id}/check-in"))
    assert "Cold granules" in queue and "From Li Na" in queue
    assert as_keeper.post(f"/box/gifts/{gift.id}/accept").status_code == 302
    assert "Cold granules" in page(as_resident.get(f"/box/shelves/{shelf.id}"))


def test_a_reject_without_a_reason_is_asked_again_beside_the_field(as_resident, as_keeper, resident, shelf):
    gift = service.offer_gift(resident, shelf, name="Noodles", category="food", quantity=2)
    response = as_keeper.post(f"/box/gifts/{gift.id}/reject", data={"note": "sorry"})
    body = page(response)
    assert response.status_code == 200
    assert errors_beside(body, "reason") == ["Please choose a reason."]
    assert value_of(body, "note") == "sorry"
    response = as_keeper.post(f"/box/gifts/{gift.id}/reject", data={"reason": "opened", "note": "sorry"})
    assert response.status_code == 302
    assert db.session.get(Gift, gift.id, populate_existing=True).status == "rejected"


def test_residents_cannot_see_the_queue_or_check_in(as_resident, neighbour, shelf):
    gift = service.offer_gift(neighbour, shelf, name="Noodles", category="food", quantity=2)
    assert as_resident.get(f"/box/shelves/{shelf.id}/check-in").status_code == 403
    assert as_resident.post(f"/box/gifts/{gift.id}/accept").status_code == 403
    assert db.session.get(Gift, gift.id, populate_existing=True).status == "pending"


# Keepers' tools.

def test_a_keeper_stocks_a_new_item_with_errors_beside_fields(as_keeper, shelf):
    response = as_keeper.post(f"/box/shelves/{shelf.id}/items/new",
                              data={"name": "Ibuprofen", "category": "medicine", "quantity": "-3"})
    body = page(response)
    assert errors_beside(body, "quantity") and errors_beside(body, "expires_on")
    assert value_of(body, "name") == "Ibuprofen"
    expiry = (date.today() + timedelta(days=300)).isoformat()
    response = as_keeper.post(f"/box/shelves/{shelf.id}/items/new", data={
        "name": "Ibuprofen", "category": "medicine", "quantity": "24", "unit": "box", "expires_on": expiry,
        "daily_limit": "2", "low_at": "3", "note": "bought by the committee"})
    assert response.status_code == 302
    item = db.session.scalar(select(Item))
    assert (item.quantity, item.daily_limit, item.low_at) == (24, 2, 3)


def test_residents_cannot_stock_or_correct(as_resident, item, shelf):
    assert as_resident.get(f"/box/shelves/{shelf.id}/items/new").status_code == 403
    assert as_resident.post(f"/box/items/{item.id}/stock", data={"stock-quantity": "5"}).status_code == 403
    assert as_resident.post(f"/box/items/{item.id}/correct", data={"count-counted": "50", "count-note": "x"}).status_code == 403
    assert quantity_of(item) == 5


def test_a_keeper_adds_stock_and_corrects_the_count(as_keeper, item):
    assert "Correct the count" in page(as_keeper.get(f"/box/items/{item.id}"))
    assert as_keeper.post(f"/box/items/{item.id}/stock", data={"stock-quantity": "3", "stock-note": ""}).status_code == 302
    assert quantity_of(item) == 8
    response = as_keeper.post(f"/box/items/{item.id}/correct", data={"count-counted": "7", "count-note": ""})
    assert errors_beside(page(response), "count-note") == ["Please say why the count changed."]
    assert value_of(page(response), "count-counted") == "7"
    assert as_keeper.post(f"/box/items/{item.id}/correct", data={"count-counted": "7", "count-note": "one damaged"}).status_code == 302
    assert quantity_of(item) == 7
    kinds = [l.kind for l in db.session.scalars(select(RegisterLine).order_by(RegisterLine.id))]
    assert kinds == ["add_stock", "add_stock", "correction"]


def test_coordinator_opens_a_shelf_and_names_keepers(as_coordinator, as_resident, resident):
    assert as_resident.get("/box/shelves/new").status_code == 403
    response = as_coordinator.post("/box/shelves/new", data={"name": "", "location": "Lobby"})
    assert errors_beside(page(response), "name") == ["Please give the shelf a name."]
    assert value_of(page(response), "location") == "Lobby"
    response = as_coordinator.post("/box/shelves/new", data={"name": "Love corner", "location": "Lobby"})
    shelf = db.session.scalar(select(Shelf))
    assert response.location.endswith(f"/box/shelves/{shelf.id}/keepers")
    as_coordinator.post(f"/box/shelves/{shelf.id}/keepers", data={"user": str(resident.id)})
    assert db.session.get(Shelf, shelf.id, populate_existing=True).is_keeper(resident)
    assert as_resident.get(f"/box/shelves/{shelf.id}/check-in").status_code == 200
    as_coordinator.post(f"/box/shelves/{shelf.id}/keepers/{resident.id}/remove")
    assert as_resident.get(f"/box/shelves/{shelf.id}/check-in").status_code == 403


# The register.

@pytest.fixture
def busy_item(item, resident, neighbour, keeper):
    service.take(resident, item.id, 1)
    service.take(neighbour, item.id, 2)
    service.correct(keeper, item.id, 1, note="=HYPERLINK(\"http://evil\")")
    return item


def test_keepers_and_coordinators_read_the_register_residents_do_not(as_keeper, as_coordinator, as_resident, shelf, busy_item):
    for client in (as_keeper, as_coordinator):
        body = page(client.get(f"/box/shelves/{shelf.id}/register"))
        assert body.count('<li id="line-') == 4 and "Dr Chen" in body and "Li Na" in body
    assert as_resident.get(f"/box/shelves/{shelf.id}/register").status_code == 403
    assert as_resident.get(f"/box/shelves/{shelf.id}/register.csv").status_code == 403


def test_a_resident_sees_only_their_own_lines(as_resident, busy_item):
    body = page(as_resident.get("/box/mine"))
    assert body.count('<li id="line-') == 1 and "Li Na" in body and "Dr Chen" not in body


def test_the_register_exports_as_csv_for_excel(as_keeper, shelf, busy_item):
    response = as_keeper.get(f"/box/shelves/{shelf.id}/register.csv")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"].startswith('attachment; filename="register-shelf-')
    raw = response.get_data()
    assert raw.startswith(b"\xef\xbb\xbf")  # the BOM: Excel and WPS then read UTF-8
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    header = rows[0]
    assert header[:6] == ["Line", "Time", "Kind", "What happened", "Item", "Units"]
    assert [row[2] for row in rows[1:]] == ["add_stock", "take", "take", "correction"]  # oldest first
    take = dict(zip(header, rows[2]))
    assert take["What happened"] == "Took" and take["Item"] == "Ibuprofen" and take["Who"] == "Li Na"
    assert (take["Units"], take["Stock change"], take["Stock after"]) == ("1", "-1", "4")
    correction = dict(zip(header, rows[4]))
    assert correction["Note"] == "'=HYPERLINK(\"http://evil\")"  # a note never runs as a formula
    assert correction["Written by"] == "Auntie Zhou"


def test_the_csv_keeps_chinese_names(make_client, login, community, shelf, item):
    grandma = factories.user(community, login="liu", display_name="刘奶奶", unit="101")
    service.take(grandma, item.id, 1)
    coordinator = factories.user(community, login="wang2", display_name="王姐", role="coordinator")
    raw = login(make_client(), coordinator).get(f"/box/shelves/{shelf.id}/register.csv").get_data()
    assert "刘奶奶" in raw.decode("utf-8-sig")


def test_stock_changes_are_events_for_the_live_stream(as_resident, item):
    from board.models import Event

    as_resident.post(f"/box/items/{item.id}/take", data={"quantity": "1"})
    event = db.session.scalar(select(Event).where(Event.kind == "box.take"))
    assert event.data["item_id"] == item.id and event.data["quantity"] == 4 and event.community_id == item.community_id


def test_a_stock_change_reaches_the_live_stream_as_the_items_public_fragment(as_resident, item):
    """The live stream's public part for a box event: the item partial, swapped out of band onto #item-<id>."""
    from board.live import render
    from board.models import Event

    as_resident.post(f"/box/items/{item.id}/take", data={"quantity": "2"})
    event = db.session.scalar(select(Event).where(Event.kind == "box.take"))
    fragment = render.public_fragment(event, "en")
    assert fragment.lstrip().startswith(f'<div id="item-{item.id}"')
    assert 'data-hx-swap-oob="true"' in fragment and "3 boxes available" in fragment
    assert "csrf" not in fragment  # the same text for every viewer
    with_chinese = render.public_fragment(event, "zh_CN")
    assert f'id="item-{item.id}"' in with_chinese


def test_the_demo_community_has_a_stocked_medicine_box_and_love_corner(app, make_client, login):
    from board import demo

    demo.seed()
    wang = db.session.scalar(select(User).where(User.login == "wang"))
    box, corner = db.session.scalars(select(Shelf).order_by(Shelf.id)).all()
    assert box.name.startswith("共享药箱") and corner.name.startswith("爱心角")
    assert sorted(k.login for k in box.keepers) == ["chen", "wang"]
    names = {i.name: i for i in service.items(box)}
    assert len(names) == 4 and names["抗原检测 Antigen tests"].daily_limit == 1
    assert {i.name for i in service.items(corner)} == {"大米 Rice, 5 kg", "食用油 Cooking oil", "挂面 Noodles"}
    assert len(service.pending_gifts(box)) == 1
    client = login(make_client(), wang, password=demo.DEMO_PASSWORD)
    assert "Running low" in page(client.get(f"/box/shelves/{box.id}"))
    assert "Two spare boxes, unopened." in page(client.get(f"/box/shelves/{box.id}/check-in"))
    assert client.get(f"/box/shelves/{box.id}/register.csv").status_code == 200


def test_a_keeper_changes_an_items_limit_with_errors_beside_fields(as_keeper, as_resident, item):
    response = as_keeper.post(f"/box/items/{item.id}/settings",
                              data={"settings-daily_limit": "0", "settings-low_at": "2", "settings-location": "top"})
    body = page(response)
    assert errors_beside(body, "settings-daily_limit") == ["Between 1 and 999, please."]
    assert value_of(body, "settings-location") == "top"
    response = as_keeper.post(f"/box/items/{item.id}/settings",
                              data={"settings-daily_limit": "1", "settings-low_at": "2", "settings-location": "top"})
    assert response.status_code == 302
    assert db.session.get(Item, item.id, populate_existing=True).daily_limit == 1
    assert as_resident.post(f"/box/items/{item.id}/settings",
                            data={"settings-daily_limit": "", "settings-low_at": "2"}).status_code == 403


def test_naming_a_keeper_without_choosing_says_so(as_coordinator, shelf):
    response = as_coordinator.post(f"/box/shelves/{shelf.id}/keepers", data={"user": ""})
    assert errors_beside(page(response), "user") == ["Please choose a resident."]


def test_keepers_are_told_on_the_shelf_page_when_something_expired(as_keeper, as_resident, shelf):
    factories.box_item(shelf, name="Syrup", quantity=2, expires_on=date.today() - timedelta(days=1))
    assert "1 item on this shelf has expired: please remove it." in page(as_keeper.get(f"/box/shelves/{shelf.id}"))
    assert "has expired: please remove" not in page(as_resident.get(f"/box/shelves/{shelf.id}"))


def test_shelf_pages_render_in_chinese(make_client, login, community, shelf, item):
    chinese = factories.user(community, login="mei", display_name="小梅", unit="804", locale="zh_CN")
    client = login(make_client(), chinese)
    for path in (f"/box/shelves/{shelf.id}", f"/box/items/{item.id}", f"/box/shelves/{shelf.id}/give", "/box/mine"):
        response = client.get(path)
        assert response.status_code == 200 and 'lang="zh-CN"' in page(response), path
