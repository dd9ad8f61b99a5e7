"""Dates, times and amounts as each language writes them; the demo community in the reader's language."""
import re
from datetime import date, datetime

import pytest
from flask_babel import force_locale
from sqlalchemy import select

from board import demo
from board.box.models import Gift, Item, RegisterLine, Shelf
from board.demo_text import TEXTS
from board.extensions import db
from board.i18n import day, local, when
from board.models import Building, Card, Community, User
from board.units import amount, left
from tests import factories


@pytest.mark.parametrize("locale, expected", [("zh_CN", "12月5日 15:42"), ("en", "5 Dec 15:42")])
def test_a_moment_reads_as_the_language_writes_it_in_the_community_time(app, locale, expected):
    moment = datetime(datetime.now().year, 12, 5, 7, 42)  # UTC; 15:42 in Asia/Shanghai
    with app.test_request_context(), force_locale(locale):
        assert when(moment) == expected


def test_another_year_is_named_and_a_date_has_no_time(app):
    with app.test_request_context():
        with force_locale("zh_CN"):
            assert when(datetime(2020, 3, 1, 2, 5)) == "2020年3月1日 10:05"
            assert day(date(2027, 3, 1)) == "2027年3月1日"
        with force_locale("en"):
            assert when(datetime(2020, 3, 1, 2, 5)) == "1 Mar 2020 10:05"
            assert day(date(2027, 3, 1)) == "1 Mar 2027"


@pytest.mark.parametrize("n, unit, en, zh", [
    (1, "box", "1 box", "1盒"), (3, "box", "3 boxes", "3盒"), (3, "boxes", "3 boxes", "3盒"),
    (2, "盒", "2 boxes", "2盒"), (1, "bag", "1 bag", "1袋"), (3, "Bags", "3 bags", "3袋"),
    (5, "test", "5 tests", "5人份"), (4, "bottle", "4 bottles", "4瓶"), (2, "kg", "2 kg", "2公斤"),
    (2, "", "2 items", "2件"), (2, "jars", "2 jars", "2 jars"),
])
def test_amounts_are_pluralised_in_english_and_counted_with_a_measure_word_in_chinese(app, n, unit, en, zh):
    with app.test_request_context():
        with force_locale("en"):
            assert amount(n, unit) == en
        with force_locale("zh_CN"):
            assert amount(n, unit) == zh


def test_what_is_left_of_an_offer(app):
    with app.test_request_context():
        with force_locale("en"):
            assert left(3, 3, "bag") == "3 bags left"
            assert left(1, 1, "bag") == "1 bag left"
            assert left(1, 3, "bag") == "1 of 3 bags left"
        with force_locale("zh_CN"):
            assert left(3, 3, "bag") == "还剩3袋"
            assert left(1, 3, "bag") == "共3袋，还剩1"


def test_card_and_timeline_show_the_new_formats(client, community, login):
    author = factories.user(community, login="zhou")
    card = factories.card(author, kind="offer", category="food", title="Vegetables", quantity=3, unit="bag")
    login(client, author)
    page = client.get(f"/cards/{card.id}", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "3 bags left" in page and "3 of 3" not in page
    assert not re.search(r"\d+/\d+/\d+", page), "no 12/5/26 dates"
    assert not re.search(r"\d:\d\d\s?[AP]M", page), "24-hour clock"
    assert re.search(r"\b\d{1,2} [A-Z][a-z]{2} \d\d:\d\d", page)


LATIN_WORD = re.compile(r"[A-Za-z]{2,}")
# Latin letters a Chinese text may hold: units and a medicine's strength.
ALLOWED_LATIN = {"kg", "WeChat"}


def test_every_demo_text_has_both_languages(app):
    """Each text the seed stores is listed in board/demo_text.py, Chinese without English and English without Chinese."""
    demo.seed()
    stored = set()
    for column in (Community.name, Building.name, User.display_name, Card.title, Card.details, Shelf.name,
                   Shelf.location, Item.name, Item.location, Gift.name, Gift.note, RegisterLine.note):
        stored |= {text for text in db.session.scalars(select(column)) if text}
    missing = sorted(stored - set(TEXTS))
    assert not missing, "add to board/demo_text.py:\n" + "\n".join(missing)
    for zh, en in TEXTS.values():
        assert not set(LATIN_WORD.findall(zh)) - ALLOWED_LATIN, zh
        assert not re.search(r"[\u3400-\u9fff]", en), en


def visible_text(html: str) -> str:
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return re.sub(r"<[^>]+>", " ", html)


@pytest.mark.parametrize("path, seen", [("/", "锦庭花园"), ("/box/", "共享药箱（物业办公室）"), ("/me/activity", "急需孕妇能用的退烧药")])
def test_a_chinese_reader_meets_no_english_demo_text(app, client, path, seen):
    demo.seed()
    client.post("/login", data={"login": "lina", "password": demo.DEMO_PASSWORD})
    client.post("/language", data={"lang": "zh_CN", "next": "/"})
    text = visible_text(client.get(path).get_data(as_text=True))
    english = {word for word in LATIN_WORD.findall(text)} - ALLOWED_LATIN - {"English"}
    assert not english, f"{path}: {sorted(english)}"
    assert seen in text
    with app.test_request_context(), force_locale("en"):
        assert local("李娜 Li Na") == "Li Na"


@pytest.mark.parametrize("locale, kind, expected", [
    ("zh_CN", "handoff.ask", "高爷爷 申领 2 份"), ("zh_CN", "handoff.accept", "申领 2 份的请求已同意"),
    ("en", "handoff.ask", "高爷爷 asked for 2"), ("en", "handoff.accept", "The ask for 2 was accepted"),
])
def test_a_history_line_of_an_ask_counts_what_was_asked_for_as_the_language_does(app, locale, kind, expected):
    from types import SimpleNamespace

    from board.cards.labels import event_label

    row = SimpleNamespace(kind=kind, actor_name="高爷爷", data={"quantity": 2})
    with app.test_request_context(), force_locale(locale):
        assert event_label(row) == expected
