"""The escalation ladder end to end with a frozen clock: no answer → retry → second caller → coordinator →
door knock → ranked contacts, each step on the household's timeline and told to the right people; quiet hours wait;
a successful call ends it."""
from datetime import datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select

from board import registry
from board.extensions import db
from board.models import Card
from board.notifications.models import Notification
from board.roster import ladder, service
from board.roster.models import CareLine, CareRecord
from tests import factories
from tests.roster_helpers import make_world

START = datetime(2026, 12, 1, 2, 0)  # 10:00 in Shanghai


@pytest.fixture
def world(community, coordinator):
    with freeze_time(START - timedelta(days=3)):
        w = make_world(community, coordinator)
    # A volunteer living in Grandma Liu's building, to knock on her door.
    w["knocker"] = factories.user(community, login="mei", display_name="Xiaomei", building=1, unit="804",
                                  role="volunteer")
    return w


def at(minutes: int) -> datetime:
    return START + timedelta(minutes=minutes)


def record_of(world) -> CareRecord:
    return db.session.get(CareRecord, world["record"].id, populate_existing=True)


def heard(user) -> list[str]:
    return db.session.scalars(select(Notification.kind).where(Notification.user_id == user.id)
                              .order_by(Notification.id)).all()


def steps(world) -> list[int]:
    return db.session.scalars(select(CareLine.step).where(CareLine.record_id == world["record"].id,
                                                          CareLine.kind == "step").order_by(CareLine.id)).all()


def test_the_whole_ladder(world):
    people = world["people"]
    with freeze_time(at(0)):
        service.log_call(people["caller"], record_of(world), outcome="no_answer")
    record = record_of(world)
    assert record.step == 1 and record.next_due_at == at(120)  # try again after the retry time (120 min)
    assert heard(people["caller"]) == []  # the caller did it themselves: nobody is told of their own move
    with freeze_time(at(119)):
        assert service.call_list(people["caller"], now=at(119)) == []  # not due before the retry time
        assert ladder.sweep(at(119)) == 0
    with freeze_time(at(120)):
        assert [d.record.id for d in service.call_list(people["caller"], now=at(120))] == [record.id]
        assert ladder.sweep(at(120)) == 0  # the retry is due; nobody is passed on yet
    with freeze_time(at(180)):  # the retry has been due for the step time (60 min) and nobody got through
        assert ladder.sweep(at(180)) == 1
    assert record_of(world).step == 2 and "roster_second_caller" in heard(people["second caller"])
    assert service.is_overdue(record_of(world), at(180))
    with freeze_time(at(240)):
        assert ladder.sweep(at(240)) == 1
    assert record_of(world).step == 3 and heard(people["coordinator"])[-1] == "roster_no_answer"
    with freeze_time(at(300)):
        assert ladder.sweep(at(300)) == 1
    record = record_of(world)
    assert record.step == 4
    assert "roster_door_knock" in heard(world["knocker"])  # a volunteer in the same building
    assert "roster_door_knock" not in heard(people["other volunteer"])  # another building
    knock = db.session.scalars(select(CareLine).where(CareLine.step == 4)).one()
    if service.errands_service() is not None:
        from board.errands.models import Errand

        errand = db.session.scalar(select(Errand).where(Errand.card_id == knock.card_id))
        assert errand.source == "door_knock"
    else:
        assert knock.card_id is None
    with freeze_time(at(360)):
        assert ladder.sweep(at(360)) == 1
    assert record_of(world).step == 5 and "roster_contacts" in heard(people["caller"])
    with freeze_time(at(600)):
        assert ladder.sweep(at(600)) == 0  # the top of the ladder: it stays there until someone gets through
    assert steps(world) == [1, 2, 3, 4, 5]
    # Each step is on the household's timeline page.
    with freeze_time(at(610)):
        service.log_call(people["second caller"], record_of(world), outcome="visited", wellbeing="same")
    record = record_of(world)
    assert record.step == 0 and record.step_due_at is None and record.next_due_at == at(610) + timedelta(days=3)


def _climb_to_the_door_knock(world) -> CareLine:
    with freeze_time(at(0)):
        service.log_call(world["people"]["caller"], record_of(world), outcome="no_answer")
    for minutes in (180, 240, 300):
        with freeze_time(at(minutes)):
            assert ladder.sweep(at(minutes)) == 1
    return db.session.scalars(select(CareLine).where(CareLine.step == 4)).one()


@pytest.mark.parametrize("app_config", [{"BABEL_DEFAULT_LOCALE": "zh_CN"}])
def test_the_sweeps_door_knock_errand_is_titled_in_the_communitys_language(world, app_config):
    """The sweep has no request: the errand it places reads in the community's default language, not English."""
    if service.errands_service() is None:
        pytest.skip("no dispatch desk installed")
    knock = _climb_to_the_door_knock(world)
    card = db.session.get(Card, knock.card_id)
    assert card.title == "请上门敲门：问候电话一直没人接"


def test_the_door_knock_title_is_english_where_english_is_the_default(world):
    if service.errands_service() is None:
        pytest.skip("no dispatch desk installed")
    knock = _climb_to_the_door_knock(world)
    assert db.session.get(Card, knock.card_id).title == "Knock on the door: no answer to the check-in calls"


def test_failed_calls_climb_too(world):
    people = world["people"]
    for minutes in (0, 121):
        with freeze_time(at(minutes)):
            service.log_call(people["caller"], record_of(world), outcome="no_answer")
    assert record_of(world).step == 2 and steps(world) == [1, 2]


def test_the_ladder_waits_for_the_quiet_hours_to_end(world):
    people = world["people"]
    evening = datetime(2026, 12, 1, 12, 0)  # 20:00 in Shanghai
    with freeze_time(evening):
        service.log_call(people["caller"], record_of(world), outcome="no_answer")
    record = record_of(world)
    assert record.next_due_at == datetime(2026, 12, 2, 0, 0)  # 22:00 is quiet: the retry is at 08:00
    night = datetime(2026, 12, 1, 16, 0)  # midnight in Shanghai, past the step time
    with freeze_time(night):
        assert ladder.sweep(night) == 0
    morning = datetime(2026, 12, 2, 0, 5)
    with freeze_time(morning):
        assert ladder.sweep(morning) == 1
    assert record_of(world).step == 2


def test_worse_is_told_to_the_coordinator_with_no_reason_in_the_headline(world, app):
    people = world["people"]
    service.log_call(people["caller"], record_of(world), outcome="reached", wellbeing="worse")
    assert heard(people["coordinator"]) == ["roster_worse"]
    with app.test_request_context("/"):
        headline = str(registry.current().headlines["roster_worse"])
    assert "60" not in headline and "medicine" not in headline.lower()


def test_the_sweep_runs_the_ladder(world, app):
    with freeze_time(at(0)):
        service.log_call(world["people"]["caller"], record_of(world), outcome="no_answer")
    with freeze_time(at(181)):
        lines = registry.sweep()
    assert "roster escalations: 1" in lines


def test_a_coordinator_sets_the_retry_time(world, make_client, login):
    people = world["people"]
    coordinator = login(make_client(), people["coordinator"])
    assert login(make_client(), people["caller"]).get("/roster/settings").status_code == 403
    bad = coordinator.post("/roster/settings", data={"timezone": "Mars/Olympus", "lock_minutes": "30",
                                                     "retry_minutes": "2", "step_minutes": "60"})
    assert bad.status_code == 400 and "Asia/Shanghai" in bad.get_data(as_text=True)
    response = coordinator.post("/roster/settings", data={"timezone": "Asia/Shanghai", "lock_minutes": "15",
                                                          "retry_minutes": "30", "step_minutes": "45"})
    assert response.status_code == 302
    with freeze_time(at(0)):
        service.log_call(people["caller"], record_of(world), outcome="no_answer")
    record = record_of(world)
    assert record.next_due_at == at(30) and record.step_due_at == at(75)
