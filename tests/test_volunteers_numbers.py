"""board.volunteers.numbers on a hand-built event log: per team and for the community, this week and overall."""
from datetime import datetime, timedelta

from board.extensions import db
from board.models import Event
from board.volunteers import numbers
from board.volunteers.numbers import COMMUNITY

T0 = datetime(2026, 11, 30, 1, 0)  # a Monday, 09:00 in Shanghai


class Log:
    """Events written straight into the table, as the errands, the doorstep and the roster would write them."""

    def __init__(self, community_id: int):
        self.community_id = community_id

    def add(self, kind: str, minutes: float, *, card=None, **data) -> None:
        db.session.add(Event(community_id=self.community_id, card_id=card, kind=kind, data=data,
                             created_at=T0 + timedelta(minutes=minutes)))


def cards(author, n):
    from tests import factories

    return [factories.card(author, title=f"Errand {i}").id for i in range(n)]


def test_numbers_per_team_and_for_the_community(community, resident, neighbour, coordinator):
    from board.households import service as households

    elder_home = households.household_at(community.id, community.buildings[1].id, "101")
    households.add_person(coordinator, elder_home, name="刘奶奶", contact="knock", age_group="over_80")
    young_home = resident.household
    db.session.commit()
    a, b, c, d, e = cards(resident, 5)
    medicine, groceries = 11, 12
    zhou, wu, caller = neighbour.id, coordinator.id, resident.id
    log = Log(community.id)
    # a: medicine for the elder's home, left at the door after 30 min, confirmed: completed by Zhou.
    log.add("errand.placed", 0, card=a, errand_id=1, household_id=elder_home.id, team_id=medicine)
    log.add("handoff.leave_at_door", 30, card=a, giver_id=zhou)
    log.add("handoff.confirm_received", 40, card=a, giver_id=zhou, receiver_id=caller)
    # b: groceries for the young home, handed over in person after 90 min by Wu (door and completion at once).
    log.add("errand.placed", 10, card=b, errand_id=2, household_id=young_home.id, team_id=groceries)
    log.add("handoff.receive_in_person", 100, card=b, giver_id=wu)
    # c: medicine for the elder's home, left at the door after 60 min, never confirmed: closed unconfirmed.
    log.add("errand.placed", 20, card=c, errand_id=3, household_id=elder_home.id, team_id=medicine)
    log.add("handoff.leave_at_door", 80, card=c, giver_id=wu)
    log.add("handoff.close_unconfirmed", 3000, card=c, giver_id=wu)
    # d: placed and given back, never completed.
    log.add("errand.placed", 30, card=d, errand_id=4, household_id=young_home.id, team_id=medicine)
    log.add("errand.given_back", 40, card=d, errand_id=4, volunteer_id=zhou, team_id=medicine)
    # e: an ordinary need (no errand) received: not an errand completed.
    log.add("handoff.confirm_received", 50, card=e, giver_id=zhou)
    # A successful check-in of the elder by the caller; a failed one counts for nothing.
    log.add("roster.call_logged", 60, household_id=elder_home.id, outcome="reached", wellbeing="same",
            caller_id=caller)
    log.add("roster.call_logged", 70, household_id=young_home.id, outcome="no_answer", wellbeing="", caller_id=zhou)
    db.session.commit()

    overall = numbers.team_numbers(community.id)
    assert overall[COMMUNITY] == numbers.Numbers(volunteers_active=3, errands_completed=3, elders_served=1,
                                                 median_minutes_to_door=60.0)
    assert overall[medicine] == numbers.Numbers(volunteers_active=2, errands_completed=2, elders_served=1,
                                                median_minutes_to_door=45.0)
    assert overall[groceries] == numbers.Numbers(volunteers_active=1, errands_completed=1, elders_served=0,
                                                 median_minutes_to_door=90.0)
    # From an hour in: a's door and completion fall before; c's door (80) and b's (100) within.
    later = numbers.team_numbers(community.id, since=T0 + timedelta(minutes=60))
    assert later[COMMUNITY] == numbers.Numbers(volunteers_active=2, errands_completed=2, elders_served=1,
                                               median_minutes_to_door=75.0)
    assert later[medicine].errands_completed == 1 and later[medicine].median_minutes_to_door == 60.0
    # Before anything reached a door: nothing, and no median.
    early = numbers.team_numbers(community.id, until=T0 + timedelta(minutes=25))
    assert early[COMMUNITY] == numbers.Numbers()
    assert numbers.drops_and_no_shows(community.id) == {zhou: (1, 0)}


def test_a_completion_counted_once_and_other_communities_apart(community, other_community, resident, stranger):
    (a,) = cards(resident, 1)
    log = Log(community.id)
    log.add("errand.placed", 0, card=a, errand_id=1, household_id=resident.household.id, team_id=None)
    log.add("handoff.leave_at_door", 10, card=a, giver_id=resident.id)
    log.add("handoff.report_not_there", 20, card=a, giver_id=resident.id)
    log.add("handoff.leave_at_door", 30, card=a, giver_id=resident.id)
    log.add("handoff.confirm_received", 40, card=a, giver_id=resident.id)
    log.add("handoff.close_unconfirmed", 50, card=a, giver_id=resident.id)
    Log(other_community.id).add("errand.timed_out", 5, errand_id=9, volunteer_id=stranger.id)
    db.session.commit()
    result = numbers.team_numbers(community.id)
    assert result == {COMMUNITY: numbers.Numbers(volunteers_active=1, errands_completed=1, elders_served=0,
                                                 median_minutes_to_door=10.0)}
    assert numbers.team_numbers(other_community.id) == {COMMUNITY: numbers.Numbers()}
    assert numbers.drops_and_no_shows(community.id) == {}
    assert numbers.drops_and_no_shows(other_community.id) == {stranger.id: (0, 1)}


def test_this_week_starts_on_monday_in_the_communitys_time(app):
    sunday_night = datetime(2026, 12, 6, 15, 30)  # Sunday 23:30 in Shanghai
    monday_morning = datetime(2026, 12, 6, 16, 30)  # Monday 00:30 in Shanghai
    assert numbers.week_start(sunday_night) == datetime(2026, 11, 29, 16, 0)
    assert numbers.week_start(monday_morning) == datetime(2026, 12, 6, 16, 0)
