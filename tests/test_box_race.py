"""A hundred residents tap "Take" on the last ten boxes at once: ten get one, ninety are told kindly."""
import threading

import pytest
from sqlalchemy import func, select

from board.box.models import Item, RegisterLine
from board.extensions import db
from tests import factories
from tests.conftest import log_in

pytestmark = pytest.mark.race

RESIDENTS = 100
LAST = 10


@pytest.fixture
def app_config():
    # Ten connections for a hundred threads: requests queue for the pool, then race for the row. (A
    # connection each would pass the server's limit while other suites share it; ten already overlap.)
    # (No limit on requests in flight: here they are meant to queue for the pool.)
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
            "REQUESTS_IN_FLIGHT_LIMIT": 0}


def tap_all(clients, url) -> tuple[list[int], list[str]]:
    """Every client posts at the same moment; the answers' statuses and bodies."""
    barrier = threading.Barrier(len(clients))
    statuses: list[int] = []
    bodies: list[str] = []
    lock = threading.Lock()

    def tap(client):
        barrier.wait()
        response = client.post(url, data={"quantity": "1"}, headers={"HX-Request": "true"})
        with lock:
            statuses.append(response.status_code)
            bodies.append(response.get_data(as_text=True))

    threads = [threading.Thread(target=tap, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses, bodies


def test_hundred_residents_take_the_last_ten(app, community):
    keeper = factories.user(community, login="keeper", unit="1")
    shelf = factories.shelf(community, keepers=(keeper,))
    item_id = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=LAST).id
    clients = []
    for n in range(RESIDENTS):
        # Every resident a household of their own, so the daily limit is not what stops them.
        resident = factories.user(community, login=f"resident{n}", unit=f"{n + 100}", building=n % 3)
        clients.append(log_in(app.test_client(), resident))
    db.session.remove()

    statuses, bodies = tap_all(clients, f"/box/items/{item_id}/take")

    assert len(statuses) == RESIDENTS
    assert statuses.count(200) == LAST
    assert statuses.count(409) == RESIDENTS - LAST
    assert 500 not in statuses
    refused = [body for status, body in zip(statuses, bodies) if status == 409]
    assert all("Not enough left: someone was quicker" in body for body in refused)
    assert db.session.get(Item, item_id).quantity == 0
    takes = db.session.scalar(
        select(func.count(RegisterLine.id)).where(RegisterLine.item_id == item_id, RegisterLine.kind == "take")
    )
    assert takes == LAST
    takers = db.session.scalar(
        select(func.count(func.distinct(RegisterLine.user_id))).where(RegisterLine.kind == "take")
    )
    assert takers == LAST


def test_one_household_tapping_at_once_still_gets_its_daily_limit_only(app, community):
    """Twenty phones behind one door, limit 1 a day: the lock makes each see the others' takes."""
    keeper = factories.user(community, login="keeper", unit="1")
    shelf = factories.shelf(community, keepers=(keeper,))
    item_id = factories.box_item(shelf, name="Antigen tests", category="supplies", quantity=50, daily_limit=1).id
    clients = [log_in(app.test_client(), factories.user(community, login=f"family{n}", unit="1201"))
               for n in range(20)]
    db.session.remove()
    statuses, bodies = tap_all(clients, f"/box/items/{item_id}/take")
    assert sorted(statuses) == [200] + [409] * 19
    assert sum("Each household may take 1" in body for body in bodies) == 19
    assert db.session.get(Item, item_id).quantity == 49
