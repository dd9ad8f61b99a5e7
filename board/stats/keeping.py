"""Keeping the numbers as events arrive (in the writer's transaction), and rebuilding them from the whole log.

The receiver of `event_recorded` only notes what an event counts for; the counts are written just before the
transaction commits, in one sorted order (who-was-counted rows first, then the counts), so two writers never
wait for each other's count rows in opposite orders (no deadlock), and a rolled-back change counts nothing.
Each fact adds one to its own (building, category) row and to the rows summed over buildings and categories
(`levels`), so the page reads a metric's total, buildings and categories as tens of rows. An erasure takes the
erased account's id (and an emptied home's) out of the who-was-counted rows (`forget`), both here and in the rebuild.
"""
from __future__ import annotations

from collections import Counter
from datetime import date, datetime, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from sqlalchemy import delete, event as sa_event, exists, insert, or_, select
from sqlalchemy.dialects import postgresql, sqlite

from board.extensions import db
from board.models import Card, Event, Household, Membership, Person, User
from board.stats.facts import (
    DISTINCT, ELDER_AGES, ERASURES, HOME_SUBJECTS, USER_SUBJECTS, CardFacts, Fact, HomeFacts, facts, periods,
)
from board.stats.models import ANY_BUILDING, ANY_CATEGORY, StatCount, StatSeen

PENDING = "doorstep.stats.pending"
FORGET = "doorstep.stats.forget"

CountKey = tuple  # (community_id, grain, start, metric, building_id, category, bucket)
SeenKey = tuple  # (community_id, grain, start, metric, subject_id)


def local_day(moment: datetime, tz: str | None = None) -> date:
    """The community's calendar day of a stored (naive UTC) time."""
    zone = ZoneInfo(tz or current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return moment.replace(tzinfo=timezone.utc).astimezone(zone).date()


def levels(fact: Fact) -> list[tuple[int, str]]:
    """The (building, category) rows a fact adds one to: its own, the total over both, and (when it has them)
    its building's over every category and its category's over every building."""
    out = [(fact.building_id, fact.category), (ANY_BUILDING, ANY_CATEGORY)]
    if fact.building_id:
        out.append((fact.building_id, ANY_CATEGORY))
    if fact.category:
        out.append((ANY_BUILDING, fact.category))
    return out


def keys_of(community_id: int, day: date, fact: Fact) -> list[tuple[tuple[CountKey, ...], SeenKey | None]]:
    """The count rows a fact adds one to (per grain, at each level), each grain's with the seen row that must be
    new first."""
    out = []
    for grain, start in periods(day):
        counts = tuple((community_id, grain, start, fact.metric, building_id, category, fact.bucket)
                       for building_id, category in levels(fact))
        seen = (community_id, grain, start, fact.metric, fact.subject) if fact.metric in DISTINCT else None
        out.append((counts, seen))
    return out


def _left_empty(household_id: int) -> bool:
    """Nobody lives in the home any more: no person left unerased, no account that is not erased."""
    person = select(Person.id).where(Person.household_id == household_id, Person.erased_at.is_(None)).limit(1)
    member = (select(Membership.id).join(User, User.id == Membership.user_id)
              .where(Membership.household_id == household_id, User.erased_at.is_(None)).limit(1))
    return db.session.execute(person).first() is None and db.session.execute(member).first() is None


def erased_subjects(event: Event) -> tuple[set[int], set[int]]:
    """The ids an erasure takes out of `stats_seen`: the erased account's, and each of its homes nobody is left in
    (a home others still live in keeps its id: it is theirs, and it can still be served this week)."""
    data = event.data or {}
    if event.kind == "account.erased" and data.get("user_id") is not None:
        user_id = int(data["user_id"])
        homes = set(db.session.scalars(select(Person.household_id).where(Person.user_id == user_id)))
        homes |= set(db.session.scalars(select(Membership.household_id).where(Membership.user_id == user_id)))
        return {user_id}, {h for h in homes if h is not None and _left_empty(h)}
    if event.kind == "household.person_erased" and data.get("household_id") is not None:
        home = int(data["household_id"])
        return set(), ({home} if _left_empty(home) else set())
    return set(), set()


def forgotten(key: SeenKey, users: set[int], homes: set[int]) -> bool:
    metric, subject = key[3], key[4]
    return (metric in USER_SUBJECTS and subject in users) or (metric in HOME_SUBJECTS and subject in homes)


def _errands_table():
    """The errands domain's table when that domain is installed (looked up by name: no import of it)."""
    return db.metadata.tables.get("errands")


def card_facts(card: Card) -> CardFacts:
    return CardFacts(card.kind, card.category, card.building_id, card.household_id, card.created_at)


class DbLook:
    """Look-ups for one event as it arrives: mostly rows already in the writer's session."""

    def card(self, card_id: int) -> CardFacts | None:
        card = db.session.get(Card, card_id)
        return card_facts(card) if card is not None else None

    def is_errand(self, card_id: int) -> bool:
        table = _errands_table()
        if table is None:
            return False
        return db.session.execute(select(table.c.card_id).where(table.c.card_id == card_id)).first() is not None

    def home(self, household_id: int) -> HomeFacts | None:
        elder = exists().where(Person.household_id == Household.id, Person.age_group.in_(ELDER_AGES))
        row = db.session.execute(
            select(Household.building_id, elder).where(Household.id == household_id)
        ).first()
        return HomeFacts(row[0], bool(row[1])) if row is not None else None

    def first_match(self, event: Event) -> bool:
        earlier = select(Event.id).where(
            Event.card_id == event.card_id, Event.kind == "handoff.match", Event.id < event.id
        ).limit(1)
        return db.session.execute(earlier).first() is None


def on_event(sender, event: Event, **_) -> None:
    """Note what the event counts for, or whose ids an erasure takes away; written just before the commit."""
    if event.kind in ERASURES:
        users, homes = erased_subjects(event)
        if users or homes:
            db.session.info.setdefault(FORGET, []).append((users, homes))
        return
    found = facts(event, DbLook())
    if not found:
        return
    day = local_day(event.created_at)
    pending = db.session.info.setdefault(PENDING, [])
    for fact in found:
        pending.extend(keys_of(event.community_id, day, fact))


def _insert(model):
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(model)


def _write_pending(session) -> None:
    """Two statements at most, whatever the events: the new who-was-counted rows, then the counts (sorted); then
    an erasure's ids out of the who-was-counted rows (after: a count in the same transaction still sees them)."""
    pending = session.info.pop(PENDING, None)
    forget = session.info.pop(FORGET, None)
    if pending:
        _write_counts(session, pending)
    for users, homes in forget or ():
        who = []
        if users:
            who.append(StatSeen.metric.in_(USER_SUBJECTS) & StatSeen.subject_id.in_(sorted(users)))
        if homes:
            who.append(StatSeen.metric.in_(HOME_SUBJECTS) & StatSeen.subject_id.in_(sorted(homes)))
        session.execute(delete(StatSeen).where(or_(*who)))


def _write_counts(session, pending) -> None:
    seen_keys = sorted({seen for _, seen in pending if seen is not None})
    new_seen = set()
    if seen_keys:
        names = ("community_id", "grain", "start", "metric", "subject_id")
        stmt = (_insert(StatSeen).values([dict(zip(names, key)) for key in seen_keys]).on_conflict_do_nothing()
                .returning(StatSeen.community_id, StatSeen.grain, StatSeen.start, StatSeen.metric, StatSeen.subject_id))
        new_seen = {tuple(row) for row in session.execute(stmt)}
    counts: Counter = Counter()
    for keys, seen in pending:
        if seen is not None:
            if seen not in new_seen:
                continue
            new_seen.discard(seen)  # the same home twice in one transaction counts once
        for count in keys:
            counts[count] += 1
    if not counts:
        return
    names = ("community_id", "grain", "start", "metric", "building_id", "category", "bucket")
    stmt = _insert(StatCount).values([dict(zip(names, key), n=counts[key]) for key in sorted(counts)])
    stmt = stmt.on_conflict_do_update(index_elements=list(names), set_={"n": StatCount.__table__.c.n + stmt.excluded.n})
    session.execute(stmt)


def _forget_pending(session, *_) -> None:
    session.info.pop(PENDING, None)
    session.info.pop(FORGET, None)


def install() -> None:
    """Hook the writer's session once per process (every app shares the one scoped session)."""
    factory = db.session.session_factory
    if not sa_event.contains(factory, "before_commit", _write_pending):
        sa_event.listen(factory, "before_commit", _write_pending)
        sa_event.listen(factory, "after_rollback", _forget_pending)


class ReplayLook:
    """Look-ups for a rebuild: the community's cards, errands and homes read once, matches followed in order."""

    def __init__(self, community_id: int) -> None:
        rows = db.session.execute(
            select(Card.id, Card.kind, Card.category, Card.building_id, Card.household_id, Card.created_at)
            .where(Card.community_id == community_id)
        )
        self.cards = {r[0]: CardFacts(*r[1:]) for r in rows}
        table = _errands_table()
        self.errands = set() if table is None else set(db.session.scalars(
            select(table.c.card_id).where(table.c.community_id == community_id)))
        elder = exists().where(Person.household_id == Household.id, Person.age_group.in_(ELDER_AGES))
        self.homes = {r[0]: HomeFacts(r[1], bool(r[2])) for r in db.session.execute(
            select(Household.id, Household.building_id, elder).where(Household.community_id == community_id))}
        self.matched: set[int] = set()

    def card(self, card_id: int) -> CardFacts | None:
        return self.cards.get(card_id)

    def is_errand(self, card_id: int) -> bool:
        return card_id in self.errands

    def home(self, household_id: int) -> HomeFacts | None:
        return self.homes.get(household_id)

    def first_match(self, event: Event) -> bool:
        first = event.card_id not in self.matched
        self.matched.add(event.card_id)
        return first


def rebuild(community_id: int, *, commit: bool = True) -> int:
    """Count a community's whole event log again from the start (after a restore, or for old events); returns
    how many events were read. Takes the rows of the community's numbers for the while (the caller commits)."""
    db.session.info.pop(PENDING, None)
    db.session.execute(delete(StatCount).where(StatCount.community_id == community_id))
    db.session.execute(delete(StatSeen).where(StatSeen.community_id == community_id))
    look = ReplayLook(community_id)
    tz = current_app.config["BABEL_DEFAULT_TIMEZONE"]
    counts: Counter = Counter()
    seen: set = set()
    read = 0
    stmt = (select(Event.id, Event.community_id, Event.card_id, Event.actor_id, Event.kind, Event.from_status,
                   Event.data, Event.created_at)
            .where(Event.community_id == community_id).order_by(Event.id).execution_options(yield_per=5000))
    for row in db.session.execute(stmt):
        read += 1
        event = Event(id=row.id, community_id=row.community_id, card_id=row.card_id, actor_id=row.actor_id,
                      kind=row.kind, from_status=row.from_status, data=row.data, created_at=row.created_at)
        if row.kind in ERASURES:  # as the keeper did when it happened: those ids leave the who-was-counted rows
            users, homes = erased_subjects(event)
            if users or homes:
                seen = {key for key in seen if not forgotten(key, users, homes)}
            continue
        found = facts(event, look)
        if not found:
            continue
        day = local_day(row.created_at, tz)
        for fact in found:
            for keys, seen_key in keys_of(community_id, day, fact):
                if seen_key is not None:
                    if seen_key in seen:
                        continue
                    seen.add(seen_key)
                for count in keys:
                    counts[count] += 1
    names = ("community_id", "grain", "start", "metric", "building_id", "category", "bucket")
    if counts:
        db.session.execute(insert(StatCount), [dict(zip(names, key), n=n) for key, n in counts.items()])
    if seen:
        seen_names = ("community_id", "grain", "start", "metric", "subject_id")
        db.session.execute(insert(StatSeen), [dict(zip(seen_names, key)) for key in seen])
    if commit:
        db.session.commit()
    return read
