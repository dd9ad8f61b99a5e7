"""The rough edges a new resident tripped over (issue 13 §6), each held by a test."""
import re

from tests import factories


def test_the_filters_toggle_is_drawn_as_a_button_and_show_labels_one_thing(client, resident, login):
    login(client, resident)
    page = client.get("/").get_data(as_text=True)
    assert '<summary class="button filters-toggle">' in page
    labels = re.findall(r'<label for="kind">(.*?)</label>', page)
    button = re.search(r'<button type="submit" class="filter-apply">(.*?)</button>', page).group(1)
    assert labels == ["Needs or offers"] and button == "Search" and labels[0] != button


def test_the_doorstep_photo_offers_the_camera(client, resident, neighbour, login):
    from board.cards import handoffs

    card = factories.card(resident)
    handoff = handoffs.offer_help(card, neighbour)
    login(client, neighbour)
    page = client.get(f"/handoffs/{handoff.id}/leave").get_data(as_text=True)
    photo = re.search(r'<input[^>]*name="photo"[^>]*>', page).group(0)
    assert 'accept="image/*"' in photo and 'type="file"' in photo


def test_offer_only_fields_sit_in_their_own_block_and_a_need_being_edited_has_none(client, resident, login):
    login(client, resident)
    page = client.get("/cards/new").get_data(as_text=True)
    block = re.search(r'<div class="offer-only">(.*?)</div>\s*\n', page, re.S).group(1)
    assert 'name="first_come"' in block and 'name="medicine_expires_on"' in block
    need = factories.card(resident)
    edit = client.get(f"/cards/{need.id}/edit").get_data(as_text=True)
    assert 'name="first_come"' not in edit and 'name="medicine_expires_on"' not in edit


def test_my_activity_shows_my_own_cards_first_and_no_empty_sections(client, resident, login):
    factories.card(resident, title="My own need")
    login(client, resident)
    page = client.get("/me/activity").get_data(as_text=True)
    headings = re.findall(r'<h2 id="activity-(\w+)-title">', page)
    assert headings == ["needs"]
    assert "You have not posted an offer." not in page and "appears here" not in page


def test_my_activity_with_nothing_says_so_once(client, resident, login):
    login(client, resident)
    page = client.get("/me/activity").get_data(as_text=True)
    assert re.findall(r'<h2 id="activity-', page) == [] and page.count('class="empty"') == 1


# The rough edges of the second walk (issue 13 §6, the rest).

def _badges(page: str) -> list[str]:
    return [re.sub(r"\s+", " ", b).strip() for b in re.findall(r'<span class="badge status">(.*?)</span>', page, re.S)]


def _who(page: str) -> list[str]:
    return [re.sub(r"<[^>]+>|\s+", " ", w).split("  ")[0].strip()
            for w in re.findall(r'<p class="handoff-who">(.*?)</p>', page, re.S)]


def _matched(requester, helper):
    from board.cards import handoffs

    need = factories.card(requester, title="Fever medicine")
    return need, handoffs.offer_help(need, helper)


def test_the_status_badge_shows_once_on_a_matched_need(client, resident, neighbour, login):
    need, _ = _matched(resident, neighbour)
    page = login(client, resident).get(f"/cards/{need.id}").get_data(as_text=True)
    assert _badges(page) == ["Matched"]


def test_this_helper_cant_come_puts_the_need_back_on_the_board_and_the_card_stays(
        client, make_client, community, resident, neighbour, login):
    from board.models import Card, Event, Handoff
    from board.extensions import db

    need, handoff = _matched(resident, neighbour)
    login(client, resident)
    page = client.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "This helper can't come" in page and "I don't need it any more" in page
    response = client.post(f"/handoffs/{handoff.id}/release", data={"version": handoff.version})
    assert response.status_code == 302
    assert db.session.get(Card, need.id, populate_existing=True).status == "open"
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "released"
    assert db.session.scalar(db.select(Event.kind).order_by(Event.id.desc()).limit(1)) == "handoff.release"
    page = client.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "is helping" not in page and "Dr Chen offered to help" in page
    assert _badges(page) == ["Helper could not come"]
    board = login(make_client(), factories.user(community, login="zhou", unit="301")).get("/").get_data(as_text=True)
    assert f'id="card-{need.id}"' in board
    # The helper hears of it through the registry's notifications.
    helper_bell = login(make_client(), neighbour).get("/notifications/").get_data(as_text=True)
    assert "The match was released; the card is back on the board" in helper_bell


def test_i_dont_need_it_any_more_asks_first_then_closes_the_card(client, resident, neighbour, login):
    from board.models import Card, Handoff
    from board.extensions import db

    need, handoff = _matched(resident, neighbour)
    login(client, resident)
    # Without the "yes" nothing changes: the resident is asked first.
    response = client.post(f"/handoffs/{handoff.id}/cancel", data={"version": handoff.version})
    assert response.status_code == 302 and f"/handoffs/{handoff.id}/cancel/confirm" in response.location
    assert db.session.get(Card, need.id, populate_existing=True).status == "matched"
    confirm = client.get(response.location)
    assert confirm.status_code == 200
    body = confirm.get_data(as_text=True)
    assert "Close your request?" in body and 'name="confirmed" value="1"' in body
    response = client.post(f"/handoffs/{handoff.id}/cancel", data={"version": handoff.version, "confirmed": "1"})
    assert response.status_code == 302
    assert db.session.get(Card, need.id, populate_existing=True).status == "cancelled"
    assert db.session.get(Handoff, handoff.id, populate_existing=True).status == "cancelled"
    page = client.get(f"/cards/{need.id}").get_data(as_text=True)
    assert "is helping" not in page and "Dr Chen offered to help" in page
    assert _badges(page) == ["Cancelled"]  # once, and never "Cancelled · Dr Chen is helping"


def test_the_confirm_page_refuses_someone_else_and_a_finished_handoff(make_client, resident, neighbour, login):
    need, handoff = _matched(resident, neighbour)
    assert login(make_client(), neighbour).get(f"/handoffs/{handoff.id}/cancel/confirm").status_code == 403
    mine = login(make_client(), resident)
    mine.post(f"/handoffs/{handoff.id}/cancel", data={"version": handoff.version, "confirmed": "1"})
    assert mine.get(f"/handoffs/{handoff.id}/cancel/confirm").status_code == 409


def test_a_finished_handoff_no_longer_says_is_helping(make_client, resident, neighbour, login):
    from board.cards import transitions

    need, handoff = _matched(resident, neighbour)
    transitions.apply_handoff(handoff, "receive_in_person", resident)
    receiver = login(make_client(), resident).get(f"/cards/{need.id}").get_data(as_text=True)
    giver = login(make_client(), neighbour).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "is helping" not in receiver and "Dr Chen helped" in receiver
    assert "You are helping" not in giver and "You helped Li Na" in giver
    assert _badges(receiver) == ["Received"]


def test_a_coordinator_on_an_unaccepted_ask_does_not_read_leave_it_at(make_client, resident, neighbour, coordinator,
                                                                      login):
    from board.cards import handoffs

    offer = factories.card(neighbour, kind="offer", category="food", title="Rice", quantity=3, first_come=False)
    handoffs.ask(offer, resident, quantity=1)
    page = login(make_client(), coordinator).get(f"/cards/{offer.id}").get_data(as_text=True)
    assert "Leave it at" not in page and "Would go to: Building 1, unit 502" in page


def test_a_refused_second_take_clears_the_first_takes_banner(client, community, resident, login):
    shelf = factories.shelf(community)
    tests = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=9, unit="box", daily_limit=1)
    login(client, resident)
    htmx = {"HX-Request": "true"}
    first = client.post(f"/box/items/{tests.id}/take", data={"quantity": "1"}, headers=htmx).get_data(as_text=True)
    assert "You took 1 box of Antigen tests" in first
    refused = client.post(f"/box/items/{tests.id}/take", data={"quantity": "1"}, headers=htmx)
    assert refused.status_code == 409
    body = refused.get_data(as_text=True)
    assert "Each household may take 1 box" in body
    region = re.search(r'<div id="messages"[^>]*data-hx-swap-oob="true">(.*?)</div>', body, re.S)
    assert region is not None and region.group(1).strip() == ""
