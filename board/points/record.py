"""What the ledger says, read back: a volunteer's record (hours, points, what for) and the coordinators' flags."""
from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from board.extensions import db
from board.models import User, utcnow
from board.points.models import Account, AccountKind, Entry, EntryKind, Reason
from board.volunteers.service import hours_worked


@dataclass
class Record:
    """A volunteer's service: points by what they were for, hours, the lines of the ledger."""

    user: User
    balance: int = 0
    earned: int = 0
    spent: int = 0
    hours: float = 0.0  # the volunteer shifts worked (board.volunteers.service.hours_worked)
    first: datetime | None = None
    last: datetime | None = None
    by_reason: dict[str, list[int]] = field(default_factory=dict)  # reason -> [times, points]
    lines: list[Entry] = field(default_factory=list)
    reversed_ids: set[int] = field(default_factory=set)

    @property
    def times(self) -> int:
        return sum(times for times, _ in self.by_reason.values())


def _account(user: User, community_id: int) -> Account | None:
    return db.session.scalar(select(Account).where(Account.community_id == community_id,
                                                   Account.owner == f"user:{user.id}"))


def record_of(user: User, community_id: int, *, limit: int = 200) -> Record:
    """Every line in or out of the volunteer's account, newest first, and the sums of what was earned.

    Hours are the volunteer shifts they worked in the community (planned by a coordinator, not cancelled; one
    under way counts up to now), the time the volunteers' pages show; being on duty without a shift, a handoff or
    a call counts no hours of its own. Earned points that a coordinator took back count for nothing.
    """
    result = Record(user=user, hours=hours_worked(user.id, community_id))
    account = _account(user, community_id)
    if account is None:
        return result
    result.balance = account.balance
    mine = (Entry.to_account_id == account.id) | (Entry.from_account_id == account.id)
    result.lines = list(db.session.scalars(select(Entry).where(mine).order_by(Entry.id.desc()).limit(limit)))
    result.reversed_ids = set(db.session.scalars(
        select(Entry.reverses_id).where(Entry.kind == EntryKind.REVERSAL.value, Entry.from_account_id == account.id)))
    earned = select(Entry).where(Entry.to_account_id == account.id, Entry.kind == EntryKind.EARN.value)
    for entry in db.session.scalars(earned.order_by(Entry.id)):
        if entry.id in result.reversed_ids:
            continue
        times_points = result.by_reason.setdefault(entry.reason, [0, 0])
        times_points[0] += 1
        times_points[1] += entry.amount
        result.earned += entry.amount
        result.first = result.first or entry.created_at
        result.last = entry.created_at
    result.spent = int(db.session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.from_account_id == account.id, Entry.kind == EntryKind.REDEEM.value)) or 0) - int(
        db.session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(
            Entry.to_account_id == account.id, Entry.kind == EntryKind.REFUND.value)) or 0)
    result.by_reason = {r.value: result.by_reason[r.value] for r in Reason if r.value in result.by_reason}
    return result


def volunteers(community_id: int) -> list[tuple[User, int]]:
    """Everyone with a points account, with their balance, for the coordinators' list."""
    stmt = (select(User, Account.balance).join(Account, Account.user_id == User.id)
            .where(Account.community_id == community_id, Account.kind == AccountKind.VOLUNTEER.value)
            .order_by(Account.balance.desc(), User.id))
    return [(user, balance) for user, balance in db.session.execute(stmt)]


@dataclass(frozen=True)
class PairFlag:
    households: tuple[int, int]
    times: int
    helpers: tuple[int, ...]  # user ids of the helpers on both sides


@dataclass(frozen=True)
class BurstFlag:
    user_id: int
    times: int
    points: int
    start: datetime


def _earnings(community_id: int, since: datetime):
    reversal = aliased(Entry)
    not_reversed = ~select(reversal.id).where(reversal.reverses_id == Entry.id).exists()
    stmt = (select(Entry, Account.user_id).join(Account, Account.id == Entry.to_account_id)
            .where(Entry.community_id == community_id, Entry.kind == EntryKind.EARN.value,
                   Entry.created_at >= since, not_reversed)
            .order_by(Entry.created_at, Entry.id))
    return db.session.execute(stmt).all()


def pair_flags(community_id: int, *, days: int = 90, at_least: int = 4) -> list[PairFlag]:
    """Two households that only ever helped each other (at least `at_least` times between them)."""
    helped: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    helpers: dict[int, set[int]] = defaultdict(set)
    for entry, user_id in _earnings(community_id, utcnow() - timedelta(days=days)):
        if entry.household_id is None or entry.other_household_id is None:
            continue
        helped[entry.household_id][entry.other_household_id] += 1
        helpers[entry.household_id].add(user_id)
    flags = []
    for a, targets in helped.items():
        if len(targets) != 1:
            continue
        (b,) = targets
        back = helped.get(b, {})
        if a < b and set(back) == {a} and targets[b] + back[a] >= at_least:
            flags.append(PairFlag((a, b), targets[b] + back[a], tuple(sorted(helpers[a] | helpers[b]))))
    return flags


def burst_flags(community_id: int, burst_count: int, *, days: int = 7) -> list[BurstFlag]:
    """Volunteers who earned `burst_count` times or more within one hour (the first such hour each)."""
    by_user: dict[int, list[Entry]] = defaultdict(list)
    for entry, user_id in _earnings(community_id, utcnow() - timedelta(days=days)):
        by_user[user_id].append(entry)
    flags = []
    for user_id, entries in by_user.items():
        start = 0
        for end, entry in enumerate(entries):
            while entry.created_at - entries[start].created_at > timedelta(hours=1):
                start += 1
            if end - start + 1 >= burst_count:
                window = entries[start:end + 1]
                flags.append(BurstFlag(user_id, len(window), sum(e.amount for e in window), window[0].created_at))
                break
    return flags


def totals(community_id: int) -> dict[str, int]:
    """The sum over every account of the community (always 0) and the pool, for the coordinators' page."""
    rows = dict(db.session.execute(select(Account.kind, func.sum(Account.balance))
                                   .where(Account.community_id == community_id).group_by(Account.kind)).all())
    return {kind.value: int(rows.get(kind.value) or 0) for kind in AccountKind} | {
        "sum": int(sum(int(v or 0) for v in rows.values()))}
