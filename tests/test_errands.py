"""Errands: placing, claiming, assigning, the run to the door through the card's handoff, problems, money, time-outs."""
import os
from datetime import timedelta

import pytest
from freezegun import freeze_time

from board import policy
from board.cards import handoffs, transitions as cards
from board.errands import desk, service, transitions
from board.errands.models import Errand, ErrandSettings
from board.errors import Conflict, Forbidden
from board.extensions import db
from board.households import service as households
from board.models import PRIORITY_DISABLED, Event, Handoff, utcnow
from tests import factories


@pytest.fixture
def volunteer(community):
    return factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2, unit="201",
                                            role="volunteer"))


@pytest.fixture
def volunteer2(community):
    return factories.on_duty(factories.user(community, login="wu", display_name="Wu", building=2, unit="1503",
                                            role="volunteer"))


def place(actor, **fields):
    fields.setdefault("title", "Blood pressure tablets")
    household = fields.pop("household", None) or actor.household
    return service.place_errand(actor, household=household, **fields)


def fresh(errand):
    return db.session.get(Errand, errand.id, populate_existing=True)


def kinds(errand):
    return [e.kind for e in Event.query.filter_by(card_id=errand.card_id).order_by(Event.id)]


def test_a_resident_places_an_errand_it_is_a_need_card_waiting(resident):
    errand = place(resident, from_where="Pharmacy on Jinting Road", payment="reimbursed", budget=5000)
    assert errand.state == "waiting" and errand.card.kind == "need" and errand.card.status == "open"
    assert errand.household_id == resident.household.id and errand.budget == 5000
    event = Event.query.filter_by(kind="errand.placed").one()
    assert event.data == {"errand_id": errand.id, "household_id": errand.household_id, "team_id": None,
                          "source": "resident"}


def test_only_volunteers_and_coordinators_place_for_someone_else(community, resident, neighbour, coordinator):
    with pytest.raises(Forbidden):
        place(neighbour, household=resident.household)
    home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, home, name="刘奶奶", age_group="over_80", contact="knock")
    errand = place(coordinator, household=home, person=liu, source="on_behalf")
    assert errand.card.for_person_id == liu.id and errand.card.household_id == home.id
    assert errand.card.intake == "phone"


def test_claim_takes_the_card_as_its_giver_and_the_door_shows(resident, volunteer):
    errand = place(resident)
    service.claim(errand, volunteer)
    errand = fresh(errand)
    assert errand.state == "accepted" and errand.volunteer_id == volunteer.id
    handoff = transitions.live_handoff(errand)
    assert handoff.giver_id == volunteer.id and handoff.receiver_id == resident.id
    assert errand.card.status == "matched"
    assert kinds(errand)[-2:] == ["errand.claimed", "handoff.match"]


def test_only_a_volunteer_on_duty_claims_by_their_switch_or_a_shift_under_way(resident, coordinator, volunteer,
                                                                             community):
    from board.volunteers import service as crew

    errand = place(resident)
    crew.set_on_duty(volunteer, crew.profile_of(volunteer, community.id), False)
    assert not transitions.allowed(errand, "claim", volunteer)
    with pytest.raises(Forbidden) as refused:
        service.claim(errand, volunteer)
    assert refused.value.message is transitions.MESSAGES["off_duty"]
    assert fresh(errand).state == "waiting" and "errand.claimed" not in kinds(errand)
    now = utcnow()
    crew.plan_shift(coordinator, user_id=volunteer.id, team_id=None, starts_at=now - timedelta(hours=1),
                    ends_at=now + timedelta(hours=2))
    assert transitions.allowed(errand, "claim", volunteer)
    service.claim(errand, volunteer)
    assert fresh(errand).state == "accepted"


def test_a_second_claim_is_told_kindly_and_the_same_volunteer_tapping_twice_is_no_error(resident, volunteer, volunteer2):
    errand = place(resident)
    service.claim(errand, volunteer)
    with pytest.raises(Conflict) as refused:
        service.claim(errand, volunteer2)
    assert refused.value.message is transitions.MESSAGES["claim"]
    service.claim(errand, volunteer)  # a double tap: answered, nothing written twice
    assert kinds(errand).count("errand.claimed") == 1


def test_a_resident_who_is_no_volunteer_cannot_claim_and_nobody_runs_their_own(resident, neighbour, community):
    errand = place(resident)
    with pytest.raises(Forbidden):
        service.claim(errand, neighbour)
    resident.membership.set_roles({"resident", "volunteer"})
    db.session.commit()
    with pytest.raises(Forbidden):
        service.claim(errand, resident)
    assert fresh(errand).state == "waiting"


def test_the_full_run_to_the_door_and_confirmed(resident, coordinator, volunteer):
    errand = place(resident)
    service.assign(errand, coordinator, volunteer)
    assert fresh(errand).state == "assigned" and transitions.live_handoff(errand) is None
    service.act(errand, "accept", volunteer)
    service.act(errand, "on_the_way", volunteer)
    handoff = transitions.live_handoff(fresh(errand))
    handoffs.leave_at_door(handoff, volunteer, note="white bag on the handle")
    errand = fresh(errand)
    assert errand.state == "delivered" and errand.delivered_at is not None
    handoffs.move(db.session.get(Handoff, handoff.id), "confirm_received", resident)
    errand = fresh(errand)
    assert errand.state == "completed" and errand.card.status == "received"
    assert kinds(errand) == ["card.posted", "errand.placed", "errand.assigned", "errand.accepted", "handoff.match",
                             "errand.on_the_way", "handoff.leave_at_door", "errand.delivered",
                             "handoff.confirm_received", "errand.completed"]
    assert desk.counts(errand.community_id)["delivered_today"] == 1


def test_give_back_returns_it_to_the_queue_and_the_card_to_the_board(resident, volunteer):
    errand = place(resident)
    service.claim(errand, volunteer)
    service.act(errand, "give_back", volunteer)
    errand = fresh(errand)
    assert errand.state == "waiting" and errand.volunteer_id is None and errand.card.status == "open"
    assert kinds(errand)[-2:] == ["errand.given_back", "handoff.helper_withdraw"]
    given_back = Event.query.filter_by(kind="errand.given_back").one()
    assert given_back.data["volunteer_id"] == volunteer.id


def test_a_failed_run_lands_on_the_problems_list_and_a_coordinator_works_it(resident, coordinator, volunteer, volunteer2):
    errand = place(resident)
    service.claim(errand, volunteer)
    service.act(errand, "report_problem", volunteer, outcome="not_home", note="knocked twice")
    errand = fresh(errand)
    assert errand.state == "problem" and errand.outcome == "not_home" and errand.card.status == "open"
    assert [e.id for e in desk.problems(errand.community_id)] == [errand.id]
    assert Event.query.filter_by(kind="errand.problem").one().data["outcome"] == "not_home"
    service.act(errand, "call_resident", coordinator, note="back at 18:00")
    service.assign(errand, coordinator, volunteer2)
    assert fresh(errand).state == "assigned" and desk.problems(errand.community_id) == []


def test_a_coordinator_closes_a_problem_with_a_reason(resident, coordinator, volunteer):
    errand = place(resident)
    service.claim(errand, volunteer)
    service.act(errand, "report_problem", volunteer, outcome="refused")
    service.act(errand, "close", coordinator, reason="Her son brought it")
    errand = fresh(errand)
    assert errand.state == "closed" and errand.closed_reason == "Her son brought it"
    assert errand.card.status == "withdrawn"


def test_return_all_of_a_volunteers_errands_in_one_action(resident, neighbour, coordinator, volunteer):
    first, second = place(resident), place(neighbour)
    service.claim(first, volunteer)
    service.assign(second, coordinator, volunteer)
    assert service.return_all(coordinator, volunteer) == 2
    assert {fresh(first).state, fresh(second).state} == {"waiting"}
    assert fresh(first).card.status == "open"
    with pytest.raises(Forbidden):
        service.return_all(volunteer, volunteer)


def test_neighbours_cannot_bypass_the_desk_with_i_can_help(resident, neighbour):
    errand = place(resident)
    with pytest.raises(Conflict):
        cards.start(errand.card, "match", neighbour)
    db.session.rollback()
    assert fresh(errand).card.status == "open" and Handoff.query.count() == 0


def test_the_open_errand_limit(resident, neighbour, coordinator, volunteer, community):
    db.session.add(ErrandSettings(community_id=community.id, mode="claim", open_limit=1))
    db.session.commit()
    first, second = place(resident), place(neighbour)
    service.claim(first, volunteer)
    with pytest.raises(Conflict):
        service.claim(second, volunteer)
    with pytest.raises(Conflict):
        service.assign(second, coordinator, volunteer)
    assert fresh(second).state == "waiting"


@pytest.mark.parametrize("mode,vulnerable,may_claim", [
    ("claim", False, True), ("claim", True, True),
    ("claim_except_vulnerable", False, True), ("claim_except_vulnerable", True, False),
    ("assign", False, False), ("assign", True, False),
])
def test_the_three_modes(mode, vulnerable, may_claim, resident, coordinator, volunteer, community):
    db.session.add(ErrandSettings(community_id=community.id, mode=mode, open_limit=3))
    resident.household.priority = PRIORITY_DISABLED if vulnerable else 0
    db.session.commit()
    errand = place(resident)
    assert transitions.allowed(errand, "claim", volunteer) is may_claim
    if may_claim:
        service.claim(errand, volunteer)
        assert fresh(errand).state == "accepted"
    else:
        with pytest.raises(Forbidden):
            service.claim(errand, volunteer)
        service.assign(errand, coordinator, volunteer)  # a coordinator assigns in every mode
        assert fresh(errand).state == "assigned"


def test_an_assignment_not_accepted_in_time_goes_back_and_the_coordinator_hears(resident, coordinator, volunteer):
    errand = place(resident)
    service.assign(errand, coordinator, volunteer)
    with freeze_time(utcnow() + timedelta(minutes=29)):
        assert service.time_out_due() == 0
    with freeze_time(utcnow() + timedelta(minutes=31)):
        assert service.time_out_due() == 1
    errand = fresh(errand)
    assert errand.state == "waiting" and errand.volunteer_id is None
    event = Event.query.filter_by(kind="errand.timed_out").one()
    assert event.data["reason"] == "not_accepted" and event.data["volunteer_id"] == volunteer.id
    from board.notifications.models import Notification
    assert {n.user_id for n in Notification.query.filter_by(event_id=event.id)} == {coordinator.id}
    assert desk.misses([volunteer.id], volunteer.community_id) == {volunteer.id: (0, 1)}


def test_accepted_but_not_under_way_in_time_goes_back_and_the_card_with_it(resident, volunteer):
    errand = place(resident)
    service.claim(errand, volunteer)
    with freeze_time(utcnow() + timedelta(minutes=61)):
        assert service.time_out_due() == 1
    errand = fresh(errand)
    assert errand.state == "waiting" and errand.card.status == "open"
    assert kinds(errand)[-2:] == ["errand.timed_out", "handoff.return_to_queue"]


def test_under_way_does_not_time_out(resident, volunteer):
    errand = place(resident)
    service.claim(errand, volunteer)
    service.act(errand, "on_the_way", volunteer)
    with freeze_time(utcnow() + timedelta(hours=3)):
        assert service.time_out_due() == 0


def test_money_spent_and_paid_back(resident, coordinator, volunteer):
    errand = place(resident, payment="reimbursed")
    service.claim(errand, volunteer)
    service.record_spent(errand, volunteer, amount=2350, receipt=None)
    errand = fresh(errand)
    assert errand.spent == 2350 and errand.owes
    assert [e.id for e in desk.owed(errand.community_id)] == [errand.id]
    assert Event.query.filter_by(kind="errand.spent").one().data["amount"] == 2350
    with pytest.raises(Forbidden):
        service.act(errand, "pay_back", volunteer)
    service.act(errand, "pay_back", resident)
    assert not fresh(errand).owes and desk.owed(errand.community_id) == []


def test_erasing_the_volunteer_s_account_removes_their_receipt_photo_and_keeps_the_amount(resident, volunteer):
    import io

    from werkzeug.datastructures import FileStorage

    from board import photos
    from board.accounts import service as accounts
    from tests.test_photos import gps_tagged_jpeg

    errand = place(resident, payment="reimbursed")
    service.claim(errand, volunteer)
    receipt = FileStorage(io.BytesIO(gps_tagged_jpeg((800, 600))), filename="receipt.jpg", content_type="image/jpeg")
    service.record_spent(errand, volunteer, amount=2350, receipt=receipt)
    name = fresh(errand).receipt_photo
    assert name and os.path.exists(photos.path_of(name))
    names = accounts.erase(volunteer, password=factories.PASSWORD)
    assert name in names and not os.path.exists(photos.path_of(name))
    errand = fresh(errand)
    assert errand.receipt_photo is None and errand.spent == 2350


def test_the_queue_order_vulnerability_then_urgency_then_time_waiting(community, resident, neighbour, coordinator):
    with freeze_time(utcnow() - timedelta(hours=5)):
        oldest = place(resident, title="oldest")
    with freeze_time(utcnow() - timedelta(hours=2)):
        urgent = place(neighbour, title="urgent", urgency="urgent")
    home = households.household_at(community.id, community.buildings[2].id, "301")
    grandma = households.add_person(coordinator, home, name="高奶奶", age_group="over_80")
    alone = place(coordinator, household=home, person=grandma, title="alone elder")
    rows = desk.queue(community.id)
    assert [r.errand.card.title for r in rows] == ["alone elder", "urgent", "oldest"]
    assert [r.band for r in rows] == ["fresh", "waiting", "long"]


def test_suggestions_prefer_fewest_open_and_who_helped_before(resident, neighbour, coordinator, volunteer, volunteer2):
    busy = place(neighbour)
    service.claim(busy, volunteer)
    errand = place(resident)
    names = [s.volunteer.id for s in desk.suggestions(errand)]
    assert names == [volunteer2.id, volunteer.id]
    assert desk.suggestions(errand)[1].open_errands == 1


def test_suggestions_put_who_is_on_duty_then_who_covers_the_building_first(resident, neighbour, coordinator,
                                                                           volunteer, volunteer2, community):
    """On duty beats covering the building, which beats fewest open errands (board/volunteers)."""
    from board.volunteers import service as crew

    errand = place(resident)
    building = errand.household.building_id
    service.claim(place(neighbour), volunteer2)  # wu has one open errand, zhou none
    for person in (volunteer, volunteer2):
        crew.set_on_duty(person, crew.profile_of(person, community.id), False)
    assert [s.volunteer.id for s in desk.suggestions(errand)] == [volunteer.id, volunteer2.id]
    crew.update_profile(volunteer2, crew.profile_of(volunteer2, community.id), building_ids=[building])
    first = desk.suggestions(errand)[0]
    assert first.volunteer.id == volunteer2.id and first.covers_building and not first.on_duty
    crew.set_on_duty(volunteer, crew.profile_of(volunteer, community.id), True)
    first = desk.suggestions(errand)[0]
    assert first.volunteer.id == volunteer.id and first.on_duty and not first.covers_building


# Who may run an errand they placed (policy.may_run_errand): never one's own household's; one placed on behalf of
# another household, yes (a coordinator who took Grandma Liu's call by phone and is a volunteer too).
RUNS_OWN = [
    # (case, who places, for whom, who would run it, may run)
    ("resident_for_own_household", "resident", "own", "placer", False),
    ("coordinator_volunteer_for_liu", "coordinator+volunteer", "liu", "placer", True),
    ("volunteer_for_liu", "volunteer", "liu", "placer", True),
    ("coordinator_without_volunteer_role_for_liu", "coordinator", "liu", "placer", False),
    ("coordinator_volunteer_for_own_household", "coordinator+volunteer", "own", "placer", False),
    ("volunteer_for_someone_of_own_household", "volunteer", "own_person", "placer", False),
    ("liu_s_son_a_volunteer_of_her_household", "coordinator+volunteer", "liu", "son", False),
    ("another_volunteer", "coordinator+volunteer", "liu", "other", True),
]


@pytest.mark.parametrize("case,placer_roles,for_whom,runner,may_run", RUNS_OWN, ids=[c[0] for c in RUNS_OWN])
def test_who_may_run_an_errand_they_placed(case, placer_roles, for_whom, runner, may_run, community, resident,
                                           coordinator, volunteer2):
    placer = coordinator if "coordinator" in placer_roles else resident
    placer.membership.set_roles({"resident", *placer_roles.split("+")})
    if "volunteer" in placer_roles:
        factories.on_duty(placer)  # a claim is a volunteer's on duty: only who they are for decides here
    dispatcher = factories.user(community, login="desk", display_name="Desk", unit="102", role="coordinator")
    db.session.commit()
    liu_home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(dispatcher, liu_home, name="刘奶奶", age_group="over_80", contact="knock")
    son = factories.on_duty(factories.user(community, login="liuson", display_name="Liu's son", unit="888",
                                           role="volunteer"))
    households.link_person(dispatcher, liu_home, son)  # Liu's son: one of the people of her household
    if for_whom == "liu":
        errand = place(placer, household=liu_home, person=liu, source="on_behalf")
    elif for_whom == "own_person":
        grandpa = households.add_person(dispatcher, placer.household, name="爷爷", age_group="over_80")
        errand = place(placer, household=placer.household, person=grandpa, source="on_behalf")
    else:
        errand = place(placer)
    who = {"placer": placer, "son": son, "other": volunteer2}[runner]

    assert policy.may_run_errand(who, errand) is may_run
    assert (who.id in [s.volunteer.id for s in desk.suggestions(errand)]) is may_run
    assert transitions.allowed(errand, "claim", who) is may_run
    if may_run:
        service.assign(errand, dispatcher, who)
        assert fresh(errand).volunteer_id == who.id
        service.act(errand, "reassign", dispatcher)
        service.claim(errand, who)
        assert fresh(errand).state == "accepted" and fresh(errand).volunteer_id == who.id
    else:
        with pytest.raises(Forbidden):
            service.assign(errand, dispatcher, who)
        with pytest.raises(Forbidden):
            service.claim(errand, who)
        assert fresh(errand).state == "waiting" and fresh(errand).volunteer_id is None


def test_a_coordinator_runs_grandma_liu_s_errand_they_took_by_phone_and_never_confirms_it(community, coordinator):
    """The issue's demo: the coordinator places it for Liu and assigns it to themselves; they bring it to her door,
    but "I have it" is the household's (her son) or another coordinator's, never its runner's."""
    coordinator.membership.set_roles({"resident", "coordinator", "volunteer"})
    db.session.commit()
    liu_home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, liu_home, name="刘奶奶", age_group="over_80", contact="knock")
    son = factories.user(community, login="liuson", display_name="Liu's son", unit="888")
    households.link_person(coordinator, liu_home, son)
    errand = place(coordinator, household=liu_home, person=liu, source="on_behalf")
    service.assign(errand, coordinator, coordinator)
    service.act(errand, "accept", coordinator)
    service.act(errand, "on_the_way", coordinator)
    handoff = transitions.live_handoff(fresh(errand))
    assert handoff.giver_id == coordinator.id and handoff.receiver_household_id == liu_home.id
    handoffs.leave_at_door(handoff, coordinator, note="")
    assert fresh(errand).state == "delivered"
    assert not policy.on_receiving_side(coordinator, handoff)
    with pytest.raises(Forbidden):
        handoffs.move(transitions.live_handoff(fresh(errand)), "confirm_received", coordinator)
    db.session.rollback()
    handoffs.move(transitions.live_handoff(fresh(errand)), "confirm_received", son)
    assert fresh(errand).state == "completed"


def test_suggestions_prefer_the_errand_s_team_after_who_is_on_duty(resident, neighbour, coordinator, volunteer,
                                                                     volunteer2, community):
    from board.volunteers import service as crew

    medicine = crew.team_by_key(community.id, "medicine")
    crew.update_profile(volunteer2, crew.profile_of(volunteer2, community.id), team_ids=[medicine.id])
    service.claim(place(neighbour), volunteer2)  # wu is busier, but of the medicine team
    for person in (volunteer, volunteer2):
        crew.set_on_duty(person, crew.profile_of(person, community.id), False)
    untagged, tagged = place(resident), place(resident, team_id=medicine.id)
    assert [s.volunteer.id for s in desk.suggestions(untagged)] == [volunteer.id, volunteer2.id]
    first = desk.suggestions(tagged)[0]
    assert first.volunteer.id == volunteer2.id and first.in_team
    crew.set_on_duty(volunteer, crew.profile_of(volunteer, community.id), True)
    assert [s.volunteer.id for s in desk.suggestions(tagged)] == [volunteer.id, volunteer2.id]
