"""The few numbers around a logged-in page, read in one statement per request.

Every page's frame shows the bell's unread count and starts its live stream at the newest event;
the board adds its open counts; the board, a card and My activity also ask whether any match is
overdue or any doorstep waits unconfirmed (the lazy time-outs). Each was one query of its own; as scalar subqueries of one SELECT they
are one round trip, kept in `g` for the rest of the request. Reading the newest event id before the
cards (rather than after, at the end of the page) also means a change committed while the page
renders is replayed by the stream, not missed.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache

from flask import g, has_app_context
from flask_login import current_user
from sqlalchemy import DateTime, bindparam, case, event, func, select
from sqlalchemy.orm import Session

from board.cache import app_cache
from board.cards import handoffs
from board.cards import service as cards
from board.extensions import db
from board.models import Card, CardKind, Event, Membership, utcnow
from board.notifications.models import Notification


@dataclass(frozen=True)
class Numbers:
    unread: int = 0
    last_event_id: int = 0
    counts: dict[str, int] | None = None  # open needs and offers, when the page shows them


def numbers(*, counts: bool = False, lapse: bool = False) -> Numbers:
    """This request's numbers (one SELECT, then from `g`); `lapse`: first send overdue matches back.

    A write on GET, on purpose: a lapse is idempotent (each overdue match lapses once, through the
    transition table) and costs nothing when none is due, since the check rides on this statement.
    On a page (GET) the resident's own statement already read them (`seed`): no statement here, unless
    the page shows the open counts or a time-based move is due.
    """
    if lapse and g.get("frame_due") is False:
        lapse = False  # nothing was due when the resident was read, at the start of this request
    known: Numbers | None = g.get("frame_numbers")
    if known is not None and (known.counts is not None or not counts) and not lapse:
        return known
    if not current_user.is_authenticated or current_user.community_id is None:
        return Numbers(counts={CardKind.NEED.value: 0, CardKind.OFFER.value: 0} if counts else None)
    community_id = current_user.community_id
    now = utcnow()
    kept = _kept_counts(community_id, now) if counts else None
    params = {"user_id": current_user.id, "community_id": community_id, "known_event_id": kept.event_id if kept else -1}
    params.update(handoffs.due_moments(now))
    row = db.session.execute(_statement(counts, lapse), params).one()
    if lapse and row[-1]:
        handoffs.run_due(community_id=community_id)
        g.frame_due = False
        return numbers(counts=counts)  # the lapses changed the counts and the newest event
    last_event_id = row[1] or 0
    open_counts = None
    if counts:
        if row[2] is None:  # nothing happened since: the kept counts hold
            open_counts = kept.counts
        else:
            open_counts = {CardKind.NEED.value: row[2], CardKind.OFFER.value: row[3]}
            _keep_counts(community_id, OpenCounts(last_event_id, row[4] or datetime.max, open_counts))
    found = Numbers(unread=row[0] or 0, last_event_id=last_event_id, counts=open_counts)
    g.frame_numbers = found
    return found


def resident_columns(*, lapse: bool) -> list:
    """The numbers as columns of the statement that reads the resident (board.auth.sessions), for a page:
    the unread count and the newest event, and with `lapse` whether a time-based move is due. Their
    community is the resident's first membership's (User.membership), read in the same statement."""
    community_id = (
        select(Membership.community_id).where(Membership.user_id == bindparam("user_id"))
        .order_by(Membership.id).limit(1).scalar_subquery()
    )
    return _columns(community_id, counts=False, lapse=lapse)


def seed(unread: int | None, newest: int | None, due: bool | None = None) -> None:
    """What the resident's statement read: this request's numbers, and whether a lapse is due (None: not asked)."""
    g.frame_numbers = Numbers(unread=unread or 0, last_event_id=newest or 0)
    if due is not None:
        g.frame_due = bool(due)


@lru_cache(maxsize=4)
def _statement(counts: bool, lapse: bool):
    """The numbers as one SELECT of scalar subqueries, built once per process with bound parameters
    (building it cost more than running it)."""
    return select(*_columns(bindparam("community_id"), counts=counts, lapse=lapse))


def _columns(community_id, *, counts: bool, lapse: bool) -> list:
    now = bindparam("now", type_=DateTime)
    newest = select(func.max(Event.id)).where(Event.community_id == community_id).scalar_subquery()
    columns = [
        select(func.count(Notification.id))
        .where(Notification.user_id == bindparam("user_id"), Notification.read_at.is_(None)).scalar_subquery(),
        newest,
    ]
    if counts:
        # Counted only when something happened since the counts this process keeps (PostgreSQL and
        # SQLite evaluate only the CASE branch they need), and with them the soonest expiry.
        board = cards.board_query(community_id, cards.BoardFilters(), now).order_by(None)
        stale = func.coalesce(newest, 0) != bindparam("known_event_id")
        columns += [
            case((stale, board.with_only_columns(func.count(Card.id)).where(Card.kind == kind.value).scalar_subquery()))
            for kind in (CardKind.NEED, CardKind.OFFER)
        ]
        columns.append(case((stale, board.with_only_columns(func.min(Card.expires_at)).scalar_subquery())))
    if lapse:
        moments = {name: bindparam(name, type_=DateTime) for name in ("now", "remind_before", "close_before")}
        columns.append(handoffs.due_clause(community_id, moments))
    return columns


@dataclass(frozen=True)
class OpenCounts:
    """A community's open needs and offers as of its newest event, true until its soonest card expires.

    Cards come on and off the board only by a move (each appends an event, board.events) or by
    expiring, so the counts cannot change before one or the other; each process keeps its own.
    """
    event_id: int
    valid_until: datetime
    counts: dict[str, int]


def _kept_counts(community_id: int, now: datetime) -> OpenCounts | None:
    kept = app_cache("open_counts", size=1000).get(community_id)
    return kept if kept is not None and now < kept.valid_until else None


def _keep_counts(community_id: int, counts: OpenCounts) -> None:
    app_cache("open_counts", size=1000).put(community_id, counts)


@event.listens_for(Session, "after_commit")
def _forget(_session) -> None:
    """After a write in this request (notifications marked read, a lapse): the next question reads the
    numbers again, whether they came from the resident's statement or this module's."""
    if has_app_context():
        g.pop("frame_numbers", None)
        g.pop("frame_due", None)
