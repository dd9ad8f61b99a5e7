"""The care roster: records set the household's priority, openings are logged, the call list and its locks,
logging a call (and what they need), the append-only history, the digest, erasure."""
from datetime import date, datetime, timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, update

from board.accounts import service as accounts
from board.cards import service as cards
from board.errors import Conflict, Forbidden
from board.extensions import db
from board.models import PRIORITY_ISOLATING, PRIORITY_OVER_60_ALONE, Card, Event, utcnow
from board.notifications.models import Notification
from board.roster import service
from board.roster.models import AppendOnly, CareLine, CareRecord, Reason, RecordOpening
from tests import factories
from tests.roster_helpers import CONTACT, MEDICINE, NOTE, SECRETS, make_world


@pytest.fixture
def world(community, coordinator):
    return make_world(community, coordinator)


def fresh(record) -> CareRecord:
    return db.session.get(CareRecord, record.id, populate_existing=True)


def test_a_care_record_puts_the_household_first_and_closing_it_takes_that_away(world):
    record, home = world["record"], world["home"]
    assert home.priority == PRIORITY_OVER_60_ALONE
    service.close_record(world["people"]["coordinator"], record)
    assert db.session.get(type(home), home.id).priority == 0


def test_isolating_counts_until_its_date(world, community):
    coordinator = world["people"]["coordinator"]
    home = factories.user(community, login="mei", unit="804").household
    until = date.today() + timedelta(days=5)
    service.save_record(coordinator, home, service.RecordFields(reasons=[Reason.ISOLATING.value],
                                                                isolating_until=until, consent_by="she"))
    assert home.priority == PRIORITY_ISOLATING
    with freeze_time(until + timedelta(days=2)):
        assert service.refresh_priorities() >= 1
    assert db.session.get(type(home), home.id).priority == 0


@pytest.mark.parametrize("who", ["caller", "other volunteer", "resident"])
def test_only_coordinators_keep_the_roster(world, who):
    with pytest.raises(Forbidden):
        service.save_record(world["people"][who], world["home"], service.RecordFields(reasons=["disabled"]))


def test_consent_says_who_recorded_it_and_when(world):
    record = world["record"]
    assert record.consent_by == "she herself" and record.consent_recorded_by_id == world["people"]["coordinator"].id
    assert record.consent_at is not None


def test_every_opening_is_logged_and_coordinators_read_the_log(world, make_client, login):
    record, people = world["record"], world["people"]
    caller = login(make_client(), people["caller"])
    assert caller.get(f"/roster/{record.id}").status_code == 200
    opened = db.session.scalars(select(RecordOpening).where(RecordOpening.record_id == record.id)).all()
    assert [o.user_id for o in opened] == [people["caller"].id]
    assert caller.get(f"/roster/{record.id}/openings").status_code == 403
    coordinator = login(make_client(), people["coordinator"])
    page = coordinator.get(f"/roster/{record.id}/openings")
    assert page.status_code == 200 and "Auntie Zhou" in page.get_data(as_text=True)
    assert page.headers["Cache-Control"] == "no-store"


def test_the_call_list_shows_my_households_due_overdue_first(world, community):
    people, record = world["people"], world["record"]
    coordinator = people["coordinator"]
    other = service.save_record(coordinator, people["resident"].household, service.RecordFields(
        reasons=["disabled"], consent_by="he", callers=(people["caller"].id,)))
    now = datetime(2026, 12, 1, 4, 0)  # 12:00 in Shanghai: nobody's quiet hours
    db.session.execute(update(CareRecord).where(CareRecord.id == record.id).values(next_due_at=now - timedelta(days=2)))
    db.session.execute(update(CareRecord).where(CareRecord.id == other.id).values(next_due_at=now - timedelta(hours=1)))
    db.session.commit()
    due = service.call_list(people["caller"], now=now)
    assert [d.record.id for d in due] == [record.id, other.id] and due[0].overdue and not due[1].overdue
    assert [d.record.id for d in service.call_list(people["second caller"], now=now)] == [record.id]
    assert service.call_list(people["other volunteer"], now=now) == []
    assert [d.record.id for d in service.call_list(people["caller"], now=now - timedelta(hours=2))] == [record.id]
    with pytest.raises(Forbidden):
        service.call_list(people["resident"])


def test_taking_a_household_locks_it_for_half_an_hour(world):
    people, record = world["people"], world["record"]
    service.take(people["caller"], record)
    with pytest.raises(Conflict):
        service.take(people["second caller"], fresh(record))
    with pytest.raises(Conflict):
        service.log_call(people["second caller"], fresh(record), outcome="reached", wellbeing="same")
    with freeze_time(utcnow() + timedelta(minutes=31)):
        service.take(people["second caller"], fresh(record))
    assert fresh(record).locked_by_id == people["second caller"].id


def test_a_second_caller_tapping_call_now_gets_a_friendly_409(world, make_client, login):
    people, record = world["people"], world["record"]
    assert login(make_client(), people["caller"]).post(f"/roster/{record.id}/take").status_code == 302
    response = login(make_client(), people["second caller"]).post(f"/roster/{record.id}/take")
    assert response.status_code == 409 and "Someone else is calling" in response.get_data(as_text=True)


def test_reached_sets_the_next_due_from_now_plus_the_cadence(world):
    people, record = world["people"], world["record"]
    with freeze_time("2026-12-01 03:00"):  # 11:00 in Shanghai
        service.log_call(people["caller"], record, outcome="reached", wellbeing="same")
    record = fresh(record)
    assert record.last_success_at.isoformat() == "2026-12-01T03:00:00"
    assert record.next_due_at.isoformat() == "2026-12-04T03:00:00" and record.step == 0


@pytest.mark.parametrize("outcome", ["no_answer", "message"])
def test_no_answer_is_not_a_check_in(world, outcome):
    people, record = world["people"], world["record"]
    with freeze_time("2026-12-01 03:00"):
        service.log_call(people["caller"], record, outcome=outcome, wellbeing="better")
    record = fresh(record)
    assert record.last_success_at is None and record.step == 1
    assert record.next_due_at.isoformat() == "2026-12-01T05:00:00"  # try again after 120 minutes
    line = db.session.scalars(select(CareLine).where(CareLine.record_id == record.id, CareLine.kind == "call")).one()
    assert line.outcome == outcome and line.wellbeing == ""  # how they are is not known without reaching them


def test_worse_alerts_the_coordinator_at_once(world):
    people, record = world["people"], world["record"]
    service.log_call(people["caller"], record, outcome="reached", wellbeing="worse")
    kinds = db.session.scalars(select(Notification.kind).where(
        Notification.user_id == people["coordinator"].id)).all()
    assert "roster_worse" in kinds


def test_what_they_need_goes_out_in_the_same_step_prefilled(world, make_client, login):
    people, record, liu = world["people"], world["record"], world["liu"]
    caller = login(make_client(), people["caller"])
    page = caller.get(f"/roster/{record.id}").get_data(as_text=True)
    assert MEDICINE in page  # "details for the helper" starts with what she usually takes
    route = "errand" if service.errands_service() is not None else "board"
    response = caller.post(f"/roster/{record.id}/call", data={
        "outcome": "reached", "wellbeing": "same", "needs_title": "Blood-pressure pills", "needs_details": MEDICINE,
        "needs_category": "medicine", "needs_urgency": "normal", "needs_route": route})
    assert response.status_code == 302
    line = db.session.scalars(select(CareLine).where(CareLine.record_id == record.id, CareLine.kind == "call")).one()
    card = db.session.get(Card, line.card_id)
    assert card.for_person_id == liu.id and card.title == "Blood-pressure pills" and card.author_id == people["caller"].id
    if route == "errand":
        from board.errands.models import Errand

        errand = db.session.scalar(select(Errand).where(Errand.card_id == card.id))
        assert errand.source == "check_in"
    else:
        assert card.intake == "phone" and card.status == "open"


def test_a_junk_call_is_a_400_and_writes_nothing(world, make_client, login):
    people, record = world["people"], world["record"]
    caller = login(make_client(), people["caller"])
    before = db.session.scalar(select(db.func.count(CareLine.id)))
    response = caller.post(f"/roster/{record.id}/call", data={"outcome": "maybe", "needs_title": "x" * 500})
    assert response.status_code == 400
    assert db.session.scalar(select(db.func.count(CareLine.id))) == before
    assert response.get_data(as_text=True).count('class="error"') >= 1
    assert caller.get("/roster/99999999999").status_code == 404


def test_a_reached_call_needs_to_say_how_they_are(world, make_client, login):
    caller = login(make_client(), world["people"]["caller"])
    response = caller.post(f"/roster/{world['record'].id}/call", data={"outcome": "reached"})
    assert response.status_code == 400 and "Please say how they are." in response.get_data(as_text=True)


def test_the_history_is_append_only(world):
    people, record = world["people"], world["record"]
    line = service.log_call(people["caller"], record, outcome="reached", wellbeing="same", note=NOTE)
    line.text = "rewritten"
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    line = db.session.get(CareLine, line.id)
    db.session.delete(line)
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(AppendOnly):
        db.session.execute(update(CareLine).values(text="bulk"))
    db.session.rollback()
    correction = service.add_note(people["caller"], fresh(record), "She said better, not same.", corrects_id=line.id)
    assert correction.corrects_id == line.id and correction.kind == "correction"
    assert db.session.get(CareLine, line.id, populate_existing=True).text == NOTE


def test_openings_cannot_be_rewritten(world, make_client, login):
    login(make_client(), world["people"]["caller"]).get(f"/roster/{world['record'].id}")
    opening = db.session.scalars(select(RecordOpening)).first()
    opening.user_id = world["people"]["coordinator"].id
    with pytest.raises(AppendOnly):
        db.session.flush()
    db.session.rollback()


def test_events_carry_no_care_data(world):
    people, record = world["people"], world["record"]
    service.log_call(people["caller"], record, outcome="no_answer", note=NOTE)
    service.add_note(people["caller"], fresh(record), NOTE)
    events = db.session.scalars(select(Event).where(Event.kind.like("roster.%"))).all()
    assert {e.kind for e in events} >= {"roster.record_opened", "roster.call_logged", "roster.retry", "roster.note_added"}
    for e in events:
        assert not any(secret in str(e.data) for secret in SECRETS), e.kind
        assert set(e.data) <= {"record_id", "household_id", "outcome", "wellbeing", "caller_id", "step", "line_id"}
    logged = next(e for e in events if e.kind == "roster.call_logged")
    assert logged.data == {"household_id": record.household_id, "outcome": "no_answer", "wellbeing": "",
                           "caller_id": people["caller"].id, "record_id": record.id}


def test_the_digest_lists_overdue_households_and_quiet_callers(world, make_client, login):
    people, record = world["people"], world["record"]
    service.log_call(people["caller"], record, outcome="no_answer")
    service.log_call(people["caller"], fresh(record), outcome="no_answer")  # the second caller's turn: overdue
    page = login(make_client(), people["coordinator"]).get("/roster/digest").get_data(as_text=True)
    overdue = page[page.index("digest-overdue"):page.index("digest-quiet")]
    quiet = page[page.index("digest-quiet"):]
    assert "Grandma Liu" in overdue
    assert "Wu" in quiet and "Auntie Zhou" not in quiet  # Zhou called this week, Wu has not
    assert login(make_client(), people["caller"]).get("/roster/digest").status_code == 403


def test_erasing_her_erases_her_care_data_and_keeps_the_counts(world):
    people, record, liu = world["people"], world["record"], world["liu"]
    service.log_call(people["caller"], record, outcome="reached", wellbeing="same", note=NOTE)
    service.add_note(people["caller"], fresh(record), NOTE)
    accounts.erase_person(people["coordinator"], liu, password=factories.PASSWORD)
    record = fresh(record)
    assert record.erased_at is not None and not record.active and record.medicines == "" and record.contacts == []
    assert record.reasons == [] and record.language == "" and record.consent_by == ""
    lines = db.session.scalars(select(CareLine).where(CareLine.record_id == record.id)).all()
    assert len(lines) == 2 and all(line.text == "" and line.erased_at for line in lines)
    assert [line.outcome for line in lines if line.kind == "call"] == ["reached"]  # the count stays
    assert db.session.get(type(world["home"]), world["home"].id).priority == 0
    assert not any(CONTACT in str(v) for v in db.session.execute(select(CareRecord.__table__)).all())


def test_erasing_a_callers_account_takes_them_off_the_roster_and_keeps_their_calls(world):
    people, record = world["people"], world["record"]
    service.log_call(people["caller"], record, outcome="reached", wellbeing="same")
    service.take(people["caller"], fresh(record))
    accounts.erase(people["caller"], password=factories.PASSWORD)
    record = fresh(record)
    assert record.caller_ids == [people["second caller"].id] and record.locked_by_id is None
    assert db.session.scalar(select(db.func.count(CareLine.id)).where(CareLine.kind == "call")) == 1


def test_the_demo_puts_two_elders_on_the_roster_with_one_missed_call_at_the_door_knock(app):
    from board import demo

    demo.seed()
    records = db.session.scalars(select(CareRecord).order_by(CareRecord.id)).all()
    names = [[p.name for p in r.household.people] for r in records]
    assert any("刘奶奶 Grandma Liu" in n for n in names) and any("高奶奶 Grandma Gao" in n for n in names)
    assert sorted(r.step for r in records) == [0, 4]
    callers = {u.user.login for r in records for u in r.callers}
    assert callers == {"zhou", "wu"}


def test_an_assigned_caller_sees_the_record_only_while_a_volunteer(world):
    from board import policy

    people, record = world["people"], world["record"]
    assert policy.may_see_care_record(people["caller"], record)
    assert not policy.may_see_care_record(people["other volunteer"], record)
    people["caller"].membership.set_roles(["resident"])
    db.session.commit()
    assert not policy.may_see_care_record(people["caller"], record)


def test_the_board_puts_a_roster_households_needs_first_without_saying_why(world, community):
    coordinator = world["people"]["coordinator"]
    mei = factories.user(community, login="mei", unit="804")
    before = factories.card(mei, title="Rice")
    offer = factories.card(mei, kind="offer", category="food", title="Spare noodles")
    neighbour_need = factories.card(world["people"]["neighbour"], title="Bread")
    assert before.priority == 0
    record = service.save_record(coordinator, mei.household, service.RecordFields(reasons=["pregnant"], consent_by="she"))
    assert db.session.get(Card, before.id, populate_existing=True).priority == 1
    after = factories.card(mei, title="Milk")
    assert after.priority == 1 and after.tags == []  # no tag on the card says why
    assert db.session.get(Card, offer.id, populate_existing=True).priority == 0  # her offers are not moved up
    board = [c.id for c in db.session.scalars(cards.board_query(community.id, cards.BoardFilters()))]
    assert board.index(after.id) < board.index(neighbour_need.id) and board.index(before.id) < board.index(neighbour_need.id)
    service.close_record(coordinator, record)
    assert db.session.get(Card, before.id, populate_existing=True).priority == 0
