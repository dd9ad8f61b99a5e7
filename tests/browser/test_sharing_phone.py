"""Sharing from a phone: the share sheet where the browser has one, the text to copy where it has not;
the lobby poster prints on one page in either language."""
import re

import pytest

from tests import factories


def test_the_phones_share_sheet_gets_what_where_and_the_link(console, live_server, browser_login, resident):
    card = factories.card(resident, title="Fever medicine", quantity=1, unit="box")
    page = console()
    # The phone's share sheet, as a browser that has navigator.share offers it.
    page.add_init_script("navigator.share = (data) => { window.shared = data; return Promise.resolve(); };")
    browser_login(page, resident)
    page.goto(f"{live_server}/cards/{card.id}")
    page.click(".share summary")
    page.wait_for_function("window.shared !== undefined")
    shared = page.evaluate("window.shared")
    assert shared["url"] == f"{live_server}/cards/{card.id}"
    assert shared["text"] == "Need: Fever medicine · Building 1 · Doorstep"
    assert page.evaluate("document.querySelector('.share').open") is False, "the sheet, not the fallback"
    assert page.errors == []


def test_without_a_share_sheet_the_ready_text_is_copied(contexts, live_server, browser_login, resident):
    card = factories.card(resident, title="Fever medicine")
    context = contexts(viewport={"width": 360, "height": 780}, permissions=["clipboard-read", "clipboard-write"])
    page = context.new_page()
    browser_login(page, resident)
    page.goto(f"{live_server}/cards/{card.id}")
    assert page.evaluate("navigator.share === undefined")
    page.click(".share summary")
    page.click(".share-copy")
    page.wait_for_selector(".share-copied", state="visible")
    copied = page.evaluate("navigator.clipboard.readText()")
    assert copied == f"Need: Fever medicine · Building 1 · Doorstep\n{live_server}/cards/{card.id}"


@pytest.mark.parametrize("locale", ["en-GB", "zh-CN"])
def test_the_lobby_poster_prints_on_one_page(contexts, live_server, browser_login, coordinator, locale):
    page = contexts(locale=locale).new_page()
    browser_login(page, coordinator)
    page.goto(f"{live_server}/community/invite")
    pdf = page.pdf(format="A4")
    assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) == 1
