"""Two languages from day one: every string in the code is translated, and the right one is chosen."""
import re
from pathlib import Path

import pytest
from babel.messages.extract import DEFAULT_KEYWORDS, extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from board.extensions import db

ROOT = Path(__file__).resolve().parent.parent
CATALOGUE = ROOT / "board/translations/zh_Hans_CN/LC_MESSAGES/messages.po"
PLACEHOLDER = re.compile(r"%\((\w+)\)s")


def extracted_messages() -> set[str]:
    """What `make messages` would extract from the code and templates right now."""
    with open(ROOT / "board/translations/babel.cfg", encoding="utf-8") as f:
        method_map, options_map = parse_mapping_cfg(f)
    keywords = {**DEFAULT_KEYWORDS, "_l": None, "lazy_gettext": None}
    found = set()
    for _filename, _lineno, message, _comments, _context in extract_from_dir(
        str(ROOT), method_map, options_map, keywords=keywords
    ):
        found.add(message if isinstance(message, str) else message[0])
    return {m for m in found if m}


def catalogue():
    with open(CATALOGUE, "rb") as f:
        return read_po(f, locale="zh_Hans_CN")


def singular(text) -> str:
    """A message's id or string; for plural messages (a tuple of forms) the first form."""
    return text if isinstance(text, str) else text[0]


def translated(message) -> bool:
    forms = [message.string] if isinstance(message.string, str) else list(message.string)
    return all(forms) and "fuzzy" not in message.flags


def test_every_user_facing_string_has_a_chinese_translation():
    translations = {singular(m.id): m for m in catalogue() if m.id}
    missing = sorted(m for m in extracted_messages() if m not in translations or not translated(translations[m]))
    assert not missing, "untranslated (run `make messages` and translate):\n" + "\n".join(missing)


def test_translations_keep_their_placeholders():
    for message in catalogue():
        if message.id and translated(message):
            expected = set(PLACEHOLDER.findall(singular(message.id)))
            forms = [message.string] if isinstance(message.string, str) else message.string
            for form in forms:
                assert set(PLACEHOLDER.findall(form)) == expected, message.id


def test_browser_language_is_used_for_visitors(client):
    page = client.get("/", headers={"Accept-Language": "zh-CN,zh;q=0.9,en;q=0.5"}).get_data(as_text=True)
    assert "邻里互助" in page and 'lang="zh-CN"' in page
    page = client.get("/", headers={"Accept-Language": "en-GB,en;q=0.9"}).get_data(as_text=True)
    assert "Neighbours helping neighbours" in page and 'lang="en"' in page


def test_profile_language_wins_over_the_browser(client, community, login):
    from tests import factories

    user = factories.user(community, login="grandma", locale="zh_CN")
    login(client, user)
    page = client.get("/", headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "看板" in page


def test_footer_switch_changes_language_and_remembers_it_in_the_profile(client, resident, login):
    login(client, resident)
    response = client.post("/language", data={"lang": "zh_CN", "next": "/cards/new"})
    assert response.status_code == 302 and response.location.endswith("/cards/new")
    assert "发布求助或提供" in client.get("/cards/new", headers={"Accept-Language": "en"}).get_data(as_text=True)
    from board.models import User

    assert db.session.get(User, resident.id).locale == "zh_CN"


def test_footer_switch_refuses_unknown_languages(client):
    assert client.post("/language", data={"lang": "xx"}).status_code == 400


@pytest.mark.parametrize("path", ["/login", "/register"])
def test_visitor_pages_render_in_chinese(client, path):
    page = client.get(path, headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    assert "登录" in page or "邀请码" in page


# Chinese punctuation: a half-width , : ( ) ! ? ; in Chinese text is a typo to a Chinese reader.
# Placeholders (%(name)s), URLs and clock times (19:00) are not text and keep their ASCII.
CJK = re.compile(r"[\u3400-\u9fff\u3000-\u303f\uff00-\uffef]")
NOT_TEXT = re.compile(r"%\(\w+\)[sd]|%[sd]|https?://\S+|\d:\d")
HALF_WIDTH = re.compile(r"[,:()!?;]")


def half_width_marks(text: str) -> list[str]:
    """The half-width marks in a Chinese string, outside placeholders, URLs and times."""
    if not CJK.search(text):
        return []
    return HALF_WIDTH.findall(NOT_TEXT.sub("字", text))


def test_half_width_marks_are_found_and_placeholders_are_not():
    assert half_width_marks("例如:孕妇") == [":"]
    assert half_width_marks("请选择(最大 10 MB)") == ["(", ")"]
    assert half_width_marks("%(name)s，您好！晚上 19:00 见 https://x.cn/a?b=1") == []
    assert half_width_marks("Hello (world)!") == [], "not Chinese text"


def test_chinese_catalogue_uses_full_width_punctuation():
    wrong = []
    for message in catalogue():
        forms = [message.string] if isinstance(message.string, str) else list(message.string)
        wrong += [form for form in forms if message.id and form and half_width_marks(form)]
    assert not wrong, "use ，：（）！？； in Chinese:\n" + "\n".join(wrong)
