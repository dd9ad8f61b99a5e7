"""The teams' numbers, read from the event log: volunteers active, errands completed, elders served, median time
from order to the door — per team and for the community, for a period (this week) or overall.

Names (docs: /work/briefs/contracts.md): an errand is placed by `errand.placed` (its card, its team and household
in the data); it is completed by its card's `handoff.confirm_received`, `handoff.receive_in_person` or
`handoff.close_unconfirmed`, the handoff's giver being the volunteer; it reaches the door with
`handoff.leave_at_door` or `handoff.receive_in_person`. A successful check-in is `roster.call_logged` with outcome
reached or visited (its caller is active, its household served); check-ins belong to no team, so they count for
the community only. An elder is a person over 60 or over 80 in the household (as the household is now).
"""
from __future__ import annotations

import statistics
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import or_, select

from board.extensions import db
from board.models import AgeGroup, Event, Person, utcnow

COMPLETED = ("handoff.confirm_received", "handoff.receive_in_person", "handoff.close_unconfirmed")
AT_THE_DOOR = ("handoff.leave_at_door", "handoff.receive_in_person")
CHECK_IN = "roster.call_logged"
CHECK_IN_OK = ("reached", "visited")
COMMUNITY = None  # the key of the whole community's numbers


@dataclass
class Numbers:
    volunteers_active: int = 0
    errands_completed: int = 0
    elders_served: int = 0
    median_minutes_to_door: float | None = None  # None: no errand reached a door in the period


@dataclass
class _Tally:
    volunteers: set[int] = field(default_factory=set)
    completed: set[int] = field(default_factory=set)  # card ids
    households: set[int] = field(default_factory=set)
    minutes: list[float] = field(default_factory=list)

    def numbers(self, elders: set[int]) -> Numbers:
        return Numbers(
            volunteers_active=len(self.volunteers), errands_completed=len(self.completed),
            elders_served=len(self.households & elders),
            median_minutes_to_door=round(statistics.median(self.minutes), 1) if self.minutes else None,
        )


def _card_of(event: Event) -> int | None:
    card_id = event.card_id if event.card_id is not None else (event.data or {}).get("card_id")
    return int(card_id) if card_id is not None else None


def compute(events: Iterable[Event], elders: set[int], *, since: datetime | None = None,
            until: datetime | None = None) -> dict[int | None, Numbers]:
    """The numbers from events (any order; those of an errand placed before `since` still count when they fall in
    the period), keyed by team id, and COMMUNITY for the whole community. `elders`: households with an elder."""
    events = sorted(events, key=lambda e: (e.created_at, e.id or 0))
    placed: dict[int, tuple[int | None, int | None, datetime]] = {}  # card -> (team, household, placed at)
    reached_door: set[int] = set()
    tallies: dict[int | None, _Tally] = {COMMUNITY: _Tally()}

    def in_period(moment: datetime) -> bool:
        return (since is None or moment >= since) and (until is None or moment < until)

    for event in events:
        data = event.data or {}
        card_id = _card_of(event)
        if event.kind == "errand.placed" and card_id is not None and card_id not in placed:
            team_id = data.get("team_id")
            placed[card_id] = (int(team_id) if team_id is not None else None,
                               int(data["household_id"]) if data.get("household_id") is not None else None,
                               event.created_at)
            if team_id is not None:
                tallies.setdefault(int(team_id), _Tally())
            continue
        if event.kind == CHECK_IN and data.get("outcome") in CHECK_IN_OK and in_period(event.created_at):
            whole = tallies[COMMUNITY]
            if data.get("caller_id") is not None:
                whole.volunteers.add(int(data["caller_id"]))
            if data.get("household_id") is not None:
                whole.households.add(int(data["household_id"]))
            continue
        if card_id not in placed:
            continue
        team_id, household_id, placed_at = placed[card_id]
        targets = [tallies[COMMUNITY]] + ([tallies[team_id]] if team_id is not None else [])
        if event.kind in AT_THE_DOOR and card_id not in reached_door:
            reached_door.add(card_id)
            if in_period(event.created_at):
                minutes = (event.created_at - placed_at).total_seconds() / 60
                for tally in targets:
                    tally.minutes.append(minutes)
        if event.kind in COMPLETED and in_period(event.created_at):
            for tally in targets:
                if card_id in tally.completed:
                    continue
                tally.completed.add(card_id)
                if data.get("giver_id") is not None:
                    tally.volunteers.add(int(data["giver_id"]))
                if household_id is not None:
                    tally.households.add(household_id)
    return {key: tally.numbers(elders) for key, tally in tallies.items()}


def elder_households(community_id: int) -> set[int]:
    stmt = select(Person.household_id).where(
        Person.community_id == community_id, Person.erased_at.is_(None),
        Person.age_group.in_((AgeGroup.OVER_60.value, AgeGroup.OVER_80.value)),
    )
    return set(db.session.scalars(stmt))


def _events(community_id: int, kinds: tuple[str, ...]) -> list[Event]:
    stmt = select(Event).where(Event.community_id == community_id, or_(
        Event.kind.in_(kinds), Event.kind == "errand.placed"))
    return list(db.session.scalars(stmt))


def team_numbers(community_id: int, *, since: datetime | None = None,
                 until: datetime | None = None) -> dict[int | None, Numbers]:
    """The community's numbers per team (and COMMUNITY), for [since, until) or overall."""
    events = _events(community_id, COMPLETED + AT_THE_DOOR + (CHECK_IN,))
    return compute(events, elder_households(community_id), since=since, until=until)


def week_start(now: datetime | None = None) -> datetime:
    """Monday 00:00 of this week in the community's time, in UTC."""
    from board.volunteers.service import local_to_utc, utc_to_local

    local = utc_to_local(now or utcnow())
    monday = (local - timedelta(days=local.weekday())).replace(hour=0, minute=0, second=0, microsecond=0)
    return local_to_utc(monday)


def drops_and_no_shows(community_id: int) -> dict[int, tuple[int, int]]:
    """Per volunteer: (errands given back, assignments that timed out), from `errand.given_back` / `errand.timed_out`."""
    stmt = select(Event.kind, Event.data).where(
        Event.community_id == community_id, Event.kind.in_(("errand.given_back", "errand.timed_out"))
    )
    given_back, timed_out = Counter(), Counter()
    for kind, data in db.session.execute(stmt):
        volunteer_id = (data or {}).get("volunteer_id")
        if volunteer_id is None:
            continue
        (given_back if kind == "errand.given_back" else timed_out)[int(volunteer_id)] += 1
    return {v: (given_back[v], timed_out[v]) for v in set(given_back) | set(timed_out)}
