"""Neighbours tap at once: exactly one wins a need, an offer is never given beyond its quantity.

Each neighbour is a real client of the real app in a thread of its own (so its own database
connection); all start together on a barrier. Run on PostgreSQL: `make test-postgres` or
`BOARD_DATABASE_URL=postgresql+psycopg://postgres@127.0.0.1:5432/test .venv/bin/pytest -m race`.
"""
import threading
from collections import Counter

import pytest

from board.extensions import db
from board.models import Card, Event, Handoff
from tests import factories

pytestmark = pytest.mark.race


@pytest.fixture
def app_config():
    # Room for every neighbour's connection at once, so they really race at the database.
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 55, "max_overflow": 5, "pool_timeout": 60}}


def neighbours(community, make_client, login, n):
    clients = []
    for i in range(n):
        user = factories.user(community, login=f"neighbour{i:02d}", unit=f"{i + 1}01")
        clients.append(login(make_client(), user))
    return clients


def all_at_once(clients, request) -> list[tuple[int, str]]:
    """Every client sends `request(client)` at the same moment; returns (status, body) each."""
    barrier = threading.Barrier(len(clients))
    results: list = [None] * len(clients)

    def run(i, client):
        barrier.wait()
        response = request(client)
        results[i] = (response.status_code, response.get_data(as_text=True))

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(clients)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert all(result is not None for result in results), "a neighbour's request never finished"
    return results


def test_fifty_neighbours_tap_i_can_help_at_once(community, resident, make_client, login):
    need = factories.card(resident, title="Fever medicine a pregnant woman can take", urgency="urgent")
    clients = neighbours(community, make_client, login, 50)
    url, version = f"/cards/{need.id}/help", need.version  # read here: threads have no app context
    results = all_at_once(clients, lambda c: c.post(url, data={"version": version}))
    statuses = Counter(status for status, _ in results)
    assert statuses == {302: 1, 409: 49}, statuses
    assert all("Someone else is already helping" in body for status, body in results if status == 409)
    db.session.expire_all()
    assert Handoff.query.count() == 1
    assert Event.query.filter_by(kind="handoff.match").count() == 1
    assert db.session.get(Card, need.id).status == "matched"


def test_forty_neighbours_ask_for_one_of_ten_at_once(community, resident, make_client, login):
    offer = factories.card(resident, kind="offer", category="supplies", title="Antigen tests", quantity=10,
                           first_come=True)
    clients = neighbours(community, make_client, login, 40)
    url = f"/cards/{offer.id}/ask"
    results = all_at_once(clients, lambda c: c.post(url, data={"quantity": 1}))
    statuses = Counter(status for status, _ in results)
    assert statuses == {302: 10, 409: 30}, statuses
    assert not any(status >= 500 for status, _ in results)
    db.session.expire_all()
    accepted = Handoff.query.filter_by(card_id=offer.id, status="matched").all()
    assert len(accepted) == 10 and sum(h.quantity for h in accepted) == 10
    assert Handoff.query.count() == 10
    assert len({h.receiver_id for h in accepted}) == 10
    card = db.session.get(Card, offer.id)
    assert (card.quantity_left, card.status) == (0, "done")
    assert Event.query.filter_by(kind="handoff.accept").count() == 10


def test_helper_and_requester_race_on_one_handoff(community, resident, neighbour, make_client, login):
    """"Received in person" and "I can no longer help" at the same instant: one wins, one hears 409."""
    need = factories.card(resident)
    helper, requester = login(make_client(), neighbour), login(make_client(), resident)
    helper.post(f"/cards/{need.id}/help", data={})
    handoff = Handoff.query.one()
    handoff_id, version = handoff.id, handoff.version
    urls = {id(helper): f"/handoffs/{handoff_id}/helper_withdraw", id(requester): f"/handoffs/{handoff_id}/receive_in_person"}
    results = all_at_once([helper, requester], lambda c: c.post(urls[id(c)], data={"version": version}))
    assert sorted(status for status, _ in results) == [302, 409]
    db.session.expire_all()
    assert db.session.get(Handoff, handoff_id).status in ("withdrawn", "received")
    assert Event.query.filter(Event.kind.in_(["handoff.helper_withdraw", "handoff.receive_in_person"])).count() == 1
