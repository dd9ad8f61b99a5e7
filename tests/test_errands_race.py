"""Volunteers and coordinators tap at once on the desk: one volunteer per errand, nobody over the limit.

Each is a real client of the real app in a thread of its own (its own database connection), all
released together on a barrier. PostgreSQL only (`@pytest.mark.race`).
"""
from collections import Counter

import pytest

from board.errands import service
from board.errands.models import Errand, ErrandSettings
from board.extensions import db
from board.models import Event, Handoff
from tests import factories
from tests.test_race_handoff import all_at_once

pytestmark = pytest.mark.race


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 40, "max_overflow": 5, "pool_timeout": 60}}


def people(community, make_client, login, prefix, n, role):
    users = [factories.user(community, login=f"{prefix}{i:02d}", unit=f"{i + 1}0{i % 10}", building=1, role=role)
             for i in range(n)]
    if role == "volunteer":  # volunteers take from the queue while on duty
        users = [factories.on_duty(user) for user in users]
    return users, [login(make_client(), user) for user in users]


def test_thirty_volunteers_claim_one_errand(community, resident, make_client, login):
    errand = service.place_errand(resident, household=resident.household, title="Insulin from the pharmacy")
    _, clients = people(community, make_client, login, "vol", 30, "volunteer")
    url = f"/errands/{errand.id}/claim"
    results = all_at_once(clients, lambda c: c.post(url))
    statuses = Counter(status for status, _ in results)
    assert statuses == {302: 1, 409: 29}, statuses
    assert all("took this errand first" in body for status, body in results if status == 409)
    db.session.expire_all()
    errand = db.session.get(Errand, errand.id)
    assert errand.state == "accepted" and errand.volunteer_id is not None
    assert Event.query.filter_by(kind="errand.claimed").count() == 1
    assert Handoff.query.filter_by(card_id=errand.card_id).count() == 1


def test_twenty_claims_and_ten_assignments_over_ten_errands(community, resident, make_client, login):
    db.session.add(ErrandSettings(community_id=community.id, mode="claim", open_limit=1))
    db.session.commit()
    errands = [service.place_errand(resident, household=resident.household, title=f"Errand {i}") for i in range(10)]
    ids = [e.id for e in errands]
    volunteers, claimers = people(community, make_client, login, "vol", 20, "volunteer")
    _, coordinators = people(community, make_client, login, "coord", 10, "coordinator")
    volunteer_ids = [v.id for v in volunteers]
    requests = {}
    for k, client in enumerate(claimers):
        requests[id(client)] = (f"/errands/{ids[k % 10]}/claim", {})
    for i, client in enumerate(coordinators):
        # Errand i to the volunteer who is also claiming errand i + 1: the limit of one must hold.
        requests[id(client)] = (f"/errands/{ids[i]}/assign", {"volunteer": volunteer_ids[(i + 1) % 10]})
    results = all_at_once(claimers + coordinators, lambda c: c.post(requests[id(c)][0], data=requests[id(c)][1]))
    assert not any(status >= 500 for status, _ in results), Counter(s for s, _ in results)
    db.session.expire_all()
    taken = Event.query.filter(Event.kind.in_(("errand.claimed", "errand.assigned"))).all()
    per_errand = Counter(e.data["errand_id"] for e in taken)
    assert per_errand == dict.fromkeys(ids, 1), per_errand  # every errand exactly one volunteer, once
    held = Counter()
    for errand_id in ids:
        errand = db.session.get(Errand, errand_id)
        assert errand.state in ("accepted", "assigned") and errand.volunteer_id is not None
        held[errand.volunteer_id] += 1
        matched = Handoff.query.filter_by(card_id=errand.card_id, status="matched").all()
        assert [h.giver_id for h in matched] == ([errand.volunteer_id] if errand.state == "accepted" else [])
    assert max(held.values()) == 1, held  # nobody over the community's limit
