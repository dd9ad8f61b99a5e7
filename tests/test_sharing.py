"""Sharing a card to the group chat, a shared link opened logged out, and the lobby poster's QR code."""
import re

import segno

from tests import factories


def share_block(page: str) -> str:
    return re.search(r'<details class="share".*?</details>', page, re.S).group(0)


def test_a_card_offers_a_ready_text_in_the_readers_language_without_a_door_number(client, community, resident, login):
    card = factories.card(resident, title="Fever medicine", details="Ring at 502", quantity=1, unit="box")
    login(client, resident)
    en = share_block(client.get(f"/cards/{card.id}", headers={"Accept-Language": "en"}).get_data(as_text=True))
    assert "Share to the group chat" in en
    assert "Need: Fever medicine · Building 1 · Doorstep" in en and f"http://localhost/cards/{card.id}" in en
    assert resident.membership.unit not in en and "502" not in en
    client.post("/language", data={"lang": "zh_CN"})
    zh = share_block(client.get(f"/cards/{card.id}").get_data(as_text=True))
    assert "分享到业主群" in zh and "1号楼" in zh and "邻里门把手" in zh


def test_a_shared_link_opened_logged_out_shows_nothing_and_leads_to_log_in_or_joining(client, community, resident):
    card = factories.card(resident, title="Fever medicine for Grandma", details="secret details")
    response = client.get(f"/cards/{card.id}")
    assert response.status_code == 302 and response.location.startswith("/login?next=")
    page = client.get(response.location).get_data(as_text=True)
    assert "Fever medicine for Grandma" not in page and "secret details" not in page
    assert 'href="/register"' in page and 'name="password"' in page


def test_the_invite_sheet_draws_the_join_link_as_a_qr_code_and_speaks_both_languages(client, community, coordinator, login):
    login(client, coordinator)
    page = client.get("/community/invite", headers={"Accept-Language": "en"}).get_data(as_text=True)
    svg = re.search(r"<svg role=\"img\".*?</svg>", page, re.S).group(0)
    join = f"http://localhost/register?code={community.invite_code}"
    expected = segno.make(join, error="m").svg_inline(scale=1, border=4, omitsize=True, dark="#000", light="#fff")
    assert re.search(r' d="([^"]+)"', svg).group(1) == re.search(r' d="([^"]+)"', expected).group(1), "the code encodes the join link"
    assert "<title>" in svg and "<script" not in svg and "style=" not in svg
    assert "Scan the code with your phone" in page and "用手机相机扫描二维码" in page
    assert page.index("Scan the code") < page.index("用手机相机扫描二维码"), "the reader's language first"
