"""Ten callers tap "Call now" on the same household at once: one gets it, nine are told kindly."""
import threading

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import Event
from board.roster import service
from board.roster.models import CareRecord, Reason
from board.households import service as households
from tests import factories
from tests.conftest import log_in

pytestmark = pytest.mark.race

CALLERS = 10


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
            "REQUESTS_IN_FLIGHT_LIMIT": 0}


def test_ten_callers_take_the_same_household_at_once(app, community, coordinator):
    callers = [factories.user(community, login=f"caller{n}", unit=f"{n + 200}", role="volunteer")
               for n in range(CALLERS)]
    home = households.household_at(community.id, community.buildings[1].id, "101")
    households.add_person(coordinator, home, name="Grandma Liu", contact="6688 1234")
    record_id = service.save_record(coordinator, home, service.RecordFields(
        reasons=[Reason.OVER_60_ALONE.value], consent_by="she", callers=tuple(c.id for c in callers))).id
    clients = [log_in(app.test_client(), c) for c in callers]
    caller_ids = {c.id for c in callers}
    db.session.remove()
    barrier = threading.Barrier(CALLERS)
    statuses, bodies, lock = [], [], threading.Lock()

    def tap(client):
        barrier.wait()
        response = client.post(f"/roster/{record_id}/take")
        with lock:
            statuses.append(response.status_code)
            bodies.append(response.get_data(as_text=True))

    threads = [threading.Thread(target=tap, args=(c,)) for c in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)

    assert sorted(statuses) == [302] + [409] * (CALLERS - 1)
    refused = [b for s, b in zip(statuses, bodies) if s == 409]
    assert all("Someone else is calling this household" in b for b in refused)
    record = db.session.get(CareRecord, record_id)
    assert record.locked_by_id in caller_ids and record.locked_until is not None
    taken = db.session.scalar(select(func.count(Event.id)).where(Event.kind == "roster.taken"))
    assert taken == 1
