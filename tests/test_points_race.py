"""Points under concurrency, through the app on PostgreSQL: the last gifts, one volunteer's ten phones, the daily cap."""
import threading

import pytest
from sqlalchemy import func, select

from board.cards import transitions
from board.extensions import db
from board.models import User
from board.points import service
from board.points.models import Entry, MerchantGift, Redemption
from tests import factories
from tests.conftest import log_in
from tests.points_helpers import balances_match_entries, fund, give_points, ledger_sum, merchant_with_gift

pytestmark = pytest.mark.race


@pytest.fixture
def app_config():
    # Ten connections for fifty threads: requests queue for the pool, then race for the rows.
    # One volunteer logs in on ten phones: more log-ins a minute than the limit per login name allows.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
            "REQUESTS_IN_FLIGHT_LIMIT": 0, "LOGIN_RATE_LIMIT": "100 per minute"}


def post_all(clients, urls) -> tuple[list[int], list[str]]:
    """Every client posts its url at the same moment; the answers' statuses and bodies."""
    barrier = threading.Barrier(len(clients))
    statuses, bodies = [], []
    lock = threading.Lock()

    def tap(client, url):
        barrier.wait()
        response = client.post(url)
        with lock:
            statuses.append(response.status_code)
            bodies.append(response.get_data(as_text=True))

    threads = [threading.Thread(target=tap, args=pair) for pair in zip(clients, urls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, bodies


def test_fifty_volunteers_redeem_the_last_five_gifts(app, community):
    community_id = community.id
    coordinator = factories.user(community, login="wang", unit="1", role="coordinator")
    merchant, gift = merchant_with_gift(community, price=30, stock=5)
    gift_id = gift.id
    clients, ids = [], []
    for n in range(50):
        volunteer = factories.user(community, login=f"volunteer{n}", unit=f"{n + 100}", building=n % 3)
        give_points(coordinator, volunteer, 30)
        ids.append(volunteer.id)
        clients.append(log_in(app.test_client(), volunteer))
    db.session.remove()

    statuses, bodies = post_all(clients, [f"/points/gifts/{gift_id}/redeem"] * 50)

    assert len(statuses) == 50 and 500 not in statuses
    assert statuses.count(302) == 5 and statuses.count(409) == 45
    assert all("someone was quicker" in body for status, body in zip(statuses, bodies) if status == 409)
    assert db.session.get(MerchantGift, gift_id).stock == 0
    assert db.session.scalar(select(func.count(Redemption.id))) == 5
    balances = [service.balance_of(db.session.get(User, uid)) for uid in ids]
    assert sorted(balances) == [0] * 5 + [30] * 45
    assert ledger_sum(community_id) == 0 and balances_match_entries(community_id)


def test_one_volunteer_on_ten_phones_with_points_for_two(app, community):
    community_id = community.id
    coordinator = factories.user(community, login="wang", unit="1", role="coordinator")
    merchant, gift = merchant_with_gift(community, price=30, stock=50)
    gift_id = gift.id
    volunteer = factories.user(community, login="zhou", unit="201")
    volunteer_id = volunteer.id
    give_points(coordinator, volunteer, 60)
    clients = [log_in(app.test_client(), volunteer) for _ in range(10)]
    db.session.remove()

    statuses, bodies = post_all(clients, [f"/points/gifts/{gift_id}/redeem"] * 10)

    assert 500 not in statuses and statuses.count(302) == 2 and statuses.count(409) == 8
    assert all("Not enough points" in body for status, body in zip(statuses, bodies) if status == 409)
    assert service.balance_of(db.session.get(User, volunteer_id)) == 0
    assert db.session.get(MerchantGift, gift_id).stock == 48
    assert db.session.scalar(select(func.count(Redemption.id))) == 2
    assert ledger_sum(community_id) == 0 and balances_match_entries(community_id)


def test_one_volunteer_on_ten_phones_across_two_gifts_still_spends_only_what_they_have(app, community):
    """Two gifts: the gift row's lock does not serialise them, the volunteer's account row does."""
    community_id = community.id
    coordinator = factories.user(community, login="wang", unit="1", role="coordinator")
    _, water = merchant_with_gift(community, price=30, stock=50)
    _, snacks = merchant_with_gift(community, login="bakery", price=30, stock=50, name="Buns")
    volunteer = factories.user(community, login="zhou", unit="201")
    volunteer_id = volunteer.id
    give_points(coordinator, volunteer, 60)
    urls = [f"/points/gifts/{(water if n % 2 else snacks).id}/redeem" for n in range(10)]
    clients = [log_in(app.test_client(), volunteer) for _ in range(10)]
    db.session.remove()

    statuses, _ = post_all(clients, urls)

    assert 500 not in statuses and statuses.count(302) == 2 and statuses.count(409) == 8
    assert service.balance_of(db.session.get(User, volunteer_id)) == 0
    assert db.session.scalar(select(func.count(Redemption.id))) == 2
    assert ledger_sum(community_id) == 0 and balances_match_entries(community_id)


def test_ten_neighbours_confirming_at_once_pay_the_helper_no_more_than_the_daily_cap(app, community):
    community_id = community.id
    coordinator = factories.user(community, login="wang", unit="1", role="coordinator")
    fund(coordinator, 1000)
    service.update_settings(coordinator, need_met=10, offer_given=5, errand_completed=15, check_in=5, daily_cap=30,
                            burst_count=50, code_days=7)
    helper = factories.user(community, login="wu", unit="1503")
    helper_id = helper.id
    clients, urls = [], []
    for n in range(10):
        neighbour = factories.user(community, login=f"neighbour{n}", unit=f"{n + 300}", building=n % 3)
        handoff = transitions.start(factories.card(neighbour, title=f"Need {n}"), "match", helper)
        transitions.apply_handoff(handoff, "leave_at_door", helper)
        clients.append(log_in(app.test_client(), neighbour))
        urls.append(f"/handoffs/{handoff.id}/confirm_received")
    db.session.remove()

    statuses, _ = post_all(clients, urls)

    assert 500 not in statuses and all(status in (200, 302, 303) for status in statuses), statuses
    assert service.balance_of(db.session.get(User, helper_id)) == 30
    earned = db.session.scalar(select(func.count(Entry.id)).where(Entry.kind == "earn"))
    assert earned == 3
    assert ledger_sum(community_id) == 0 and balances_match_entries(community_id)
