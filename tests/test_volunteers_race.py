"""On PostgreSQL through the app: ten coordinators decide one sign-up at once, one resident's ten phones sign up at
once: exactly one of each lands, the others are told kindly (409), nothing is half-written."""
import threading

import pytest
from sqlalchemy import func, select

from board.extensions import db
from board.models import Event, MembershipRole
from board.volunteers import service
from board.volunteers.models import VolunteerProfile
from tests import factories
from tests.conftest import log_in

pytestmark = pytest.mark.race

PHONES = 10


@pytest.fixture
def app_config():
    return {"SQLALCHEMY_ENGINE_OPTIONS": {"pool_size": 5, "max_overflow": 5, "pool_timeout": 60, "pool_pre_ping": True},
            "REQUESTS_IN_FLIGHT_LIMIT": 0, "RATELIMIT_ENABLED": False}  # one resident logs in on ten phones


def post_all(clients, url, datas) -> list[int]:
    barrier = threading.Barrier(len(clients))
    statuses, lock = [], threading.Lock()

    def post(client, data):
        barrier.wait()
        response = client.post(url, data=data)
        with lock:
            statuses.append(response.status_code)

    threads = [threading.Thread(target=post, args=(c, d)) for c, d in zip(clients, datas)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    return statuses


def test_ten_coordinators_decide_one_sign_up_at_once(app, community, resident):
    service.ensure_teams(community.id)
    profile_id = service.sign_up(resident).id
    coordinators = [factories.user(community, login=f"coord{n}", unit=f"{n + 700}", role="coordinator")
                    for n in range(PHONES)]
    clients = [log_in(app.test_client(), c) for c in coordinators]
    membership_id = resident.membership.id
    db.session.remove()
    moves = [{"move": "approve" if n % 2 else "decline"} for n in range(PHONES)]

    statuses = post_all(clients, f"/volunteers/{profile_id}/decide", moves)

    assert sorted(statuses) == [302] + [409] * (PHONES - 1)
    profile = db.session.get(VolunteerProfile, profile_id)
    decisions = db.session.scalars(select(Event.kind).where(
        Event.kind.in_(("volunteer.approved", "volunteer.declined")))).all()
    assert len(decisions) == 1
    assert decisions[0] == f"volunteer.{profile.status}"
    held = db.session.scalar(select(func.count()).select_from(MembershipRole).where(
        MembershipRole.membership_id == membership_id, MembershipRole.role == "volunteer"))
    assert held == (1 if profile.status == "approved" else 0)


def test_one_residents_ten_phones_sign_up_at_once(app, community, resident):
    service.ensure_teams(community.id)
    db.session.commit()
    clients = [log_in(app.test_client(), resident) for _ in range(PHONES)]
    db.session.remove()

    statuses = post_all(clients, "/volunteers/sign-up", [{"availability": f"Phone {n}"} for n in range(PHONES)])

    assert 500 not in statuses and set(statuses) <= {302, 409}
    assert db.session.scalar(select(func.count(VolunteerProfile.id))) == 1
    applied = db.session.scalar(select(func.count(Event.id)).where(Event.kind == "volunteer.applied"))
    assert applied == 1
