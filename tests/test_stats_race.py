"""Thirty neighbours confirm at once: every receipt is counted, once, with no deadlock and no 500 (PostgreSQL).

The counts of one building, category and day are the same rows for all of them: written just before each
transaction commits, in one sorted order, they queue on those rows instead of losing an update or deadlocking.
"""
from collections import Counter

import pytest

from board.cards import handoffs
from board.extensions import db
from board.stats import keeping, service
from tests import factories
from tests.test_race_handoff import all_at_once
from tests.test_stats import snapshot

pytestmark = pytest.mark.race


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 35, "max_overflow": 5, "pool_timeout": 60}}


def test_thirty_receipts_at_once_are_thirty(community, neighbour, coordinator, make_client, login):
    clients, urls = [], []
    for i in range(30):
        # Two buildings and two categories: most of the thirty share their count rows with others.
        user = factories.user(community, login=f"asker{i:02d}", unit=f"{i + 1}02", building=i % 2)
        card = factories.card(user, title=f"Rice {i}", category=("food", "medicine")[i % 3 == 0])
        helper = (neighbour, coordinator)[i % 2]
        h = handoffs.offer_help(card, helper)
        urls.append(f"/handoffs/{h.id}/receive_in_person")
        clients.append(login(make_client(), user))
    pairs = list(zip(clients, urls))
    results = all_at_once([c for c, _ in pairs], lambda c: c.post(dict(pairs)[c], data={}))
    assert Counter(status for status, _ in results) == {302: 30}
    db.session.expire_all()
    week = service.numbers(community.id, "week")
    assert week.totals["needs_met"] == 30 and week.timed["receipt_secs"] == 30
    assert sum(v["needs_met"] for _, v in week.categories) == 30
    kept = snapshot()
    keeping.rebuild(community.id)
    assert snapshot() == kept
