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
