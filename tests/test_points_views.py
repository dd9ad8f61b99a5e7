"""Points pages: mine, redeeming, the code and its QR, the counter, the record and certificate, the rules; who sees what."""
from datetime import timedelta

import pytest
from sqlalchemy import select

from board.extensions import db
from board.points import record as points_record
from board.points import service
from board.models import utcnow
from board.points.models import MerchantGift, Redemption
from board.volunteers.models import Shift
from tests import factories
from tests.points_helpers import confirmed_need, fund, give_points, merchant_with_gift


@pytest.fixture
def shop(community):
    return merchant_with_gift(community, price=30, stock=2)


def test_mine_shows_the_balance_and_the_gifts(client, login, community, coordinator, neighbour, resident, shop):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    page = login(client, neighbour).get("/points/").get_data(as_text=True)
    assert '<strong id="balance">10</strong>' in page and "Bottled water" in page and "You need 20 more points." in page


def test_a_volunteer_redeems_and_sees_the_code_with_its_qr(client, login, community, coordinator, neighbour, shop):
    merchant, gift = shop
    give_points(coordinator, neighbour, 40)
    login(client, neighbour)
    response = client.post(f"/points/gifts/{gift.id}/redeem")
    assert response.status_code == 302
    redemption = db.session.scalar(select(Redemption))
    assert response.location.endswith(f"/points/codes/{redemption.id}")
    page = client.get(response.location)
    html = page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"
    assert service.show_code(redemption.code) in html and '<svg role="img"' in html and "qr-code" in html
    assert db.session.get(MerchantGift, gift.id).stock == 1 and service.balance_of(neighbour) == 10


def test_too_few_points_is_a_friendly_409_beside_the_gift(client, login, community, coordinator, neighbour, shop):
    merchant, gift = shop
    give_points(coordinator, neighbour, 5)
    response = login(client, neighbour).post(f"/points/gifts/{gift.id}/redeem")
    assert response.status_code == 409 and "Not enough points for this gift" in response.get_data(as_text=True)
    assert db.session.get(MerchantGift, gift.id).stock == 2 and db.session.scalar(select(Redemption)) is None


def test_the_merchant_types_or_scans_the_code_and_marks_it_used(make_client, login, community, coordinator,
                                                                neighbour, shop):
    merchant, gift = shop
    give_points(coordinator, neighbour, 30)
    redemption = service.redeem(neighbour, gift.id)
    counter = login(make_client(), merchant)
    shown = service.show_code(redemption.code)
    page = counter.get("/points/counter", query_string={"code": shown.lower()})  # typed, in small letters
    assert page.status_code == 200 and "Hand it over: mark the code used" in page.get_data(as_text=True)
    response = counter.post("/points/counter/use", data={"code": redemption.code})
    assert response.status_code == 302
    assert db.session.get(Redemption, redemption.id).status == "used"
    again = counter.post("/points/counter/use", data={"code": redemption.code})
    assert again.status_code == 409 and "already been used" in again.get_data(as_text=True)


def test_the_certificate_is_in_both_languages(client, login, community, coordinator, neighbour, resident):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    now = utcnow()  # a 06:00–13:00 shift worked yesterday: the hours on the record and the certificate
    db.session.add(Shift(community_id=community.id, user_id=neighbour.id, starts_at=now - timedelta(hours=30),
                         ends_at=now - timedelta(hours=23)))
    db.session.commit()
    login(client, neighbour)
    record_page = client.get("/points/record").get_data(as_text=True)
    assert '<dd id="record-hours">7.0</dd>' in record_page and "volunteer shifts worked" in record_page
    page = client.get("/points/certificate").get_data(as_text=True)
    assert "Certificate of volunteer service" in page and "志愿服务证明" in page
    assert 'lang="zh-CN"' in page and 'lang="en"' in page
    assert "Helped 1 times, served 7.0 hours in volunteer shifts, and earned 10 volunteer points." in page
    assert "共帮忙1次，志愿值班7.0小时，获得志愿积分10分。" in page


def test_a_coordinator_sets_the_rules_funds_the_pool_and_takes_points_back(client, login, community, coordinator,
                                                                           neighbour, resident):
    login(client, coordinator)
    rules = {"need_met": "12", "offer_given": "4", "errand_completed": "15", "check_in": "3", "daily_cap": "40",
             "burst_count": "5", "code_days": "3"}
    assert client.post("/points/rules", data=rules).status_code == 302
    assert service.settings_for(community.id).need_met == 12
    bad = client.post("/points/rules", data=rules | {"daily_cap": "-1"})
    assert bad.status_code == 400 and "between 0 and 10000" in bad.get_data(as_text=True)
    assert service.settings_for(community.id).daily_cap == 40
    assert client.post("/points/fund", data={"amount": "500", "note": "committee"}).status_code == 302
    assert service.pool_balance(community.id) == 500
    confirmed_need(resident, neighbour)
    assert service.balance_of(neighbour) == 12
    entry_id = db.session.scalar(select(service.Entry.id).where(service.Entry.kind == "earn"))
    assert client.post(f"/points/entries/{entry_id}/reverse", data={"note": ""}).status_code == 400
    assert client.post(f"/points/entries/{entry_id}/reverse", data={"note": "posted twice"}).status_code == 302
    assert service.balance_of(neighbour) == 0
    page = client.get("/points/community").get_data(as_text=True)
    assert "Nothing unusual." in page and "500" in page and "pool-empty" not in page


def test_the_coordinator_is_told_when_the_pool_is_empty(client, login, coordinator):
    page = login(client, coordinator).get("/points/community").get_data(as_text=True)
    assert "The pool is empty: volunteers earn nothing until you add points." in page


def test_a_merchant_lists_and_changes_a_gift(client, login, community):
    merchant = factories.user(community, login="shop", unit="S1", role="merchant")
    login(client, merchant)
    assert client.post("/points/gifts/new", data={"name": "Snacks", "details": "", "price": "0",
                                                  "stock": "3"}).status_code == 200
    assert db.session.scalar(select(MerchantGift)) is None
    assert client.post("/points/gifts/new", data={"name": "Snacks", "details": "", "price": "20",
                                                  "stock": "3"}).status_code == 302
    gift = db.session.scalar(select(MerchantGift))
    assert client.post(f"/points/gifts/{gift.id}", data={"price": "25", "stock": "1"}).status_code == 302
    db.session.refresh(gift)
    assert (gift.price, gift.stock, gift.active) == (25, 1, False)
    assert "Snacks" in client.get("/points/counter").get_data(as_text=True)


def test_the_demo_has_a_shop_with_gifts_and_earned_points(app):
    from board import demo
    from board.models import User

    demo.seed()
    wu = db.session.scalar(select(User).where(User.login == "wu"))
    zhou = db.session.scalar(select(User).where(User.login == "zhou"))
    # Two deliveries (10 each), then the roster's demo check-ins (board/roster/demo.py), then a bag of snacks (20).
    earned = points_record.record_of(wu, wu.community_id).earned
    assert earned > 20
    assert service.balance_of(wu) == earned - 20
    zhou_earned = points_record.record_of(zhou, zhou.community_id).earned
    assert zhou_earned >= 10 and service.balance_of(zhou) == zhou_earned  # a delivery, and her check-in calls
    assert len(service.gifts(wu.community_id)) == 3
    assert db.session.scalar(select(Redemption).where(Redemption.user_id == wu.id)) is not None


def test_the_volunteer_hears_of_points_earned_and_the_receiver_does_not(make_client, login, community, coordinator,
                                                                        neighbour, resident):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    page = login(make_client(), neighbour).get("/notifications/")
    assert page.status_code == 200 and "You earned volunteer points: thank you" in page.get_data(as_text=True)
    other = login(make_client(), resident).get("/notifications/").get_data(as_text=True)
    assert "You earned volunteer points" not in other
