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

from flask import g
from flask_login import current_user
from sqlalchemy import func, select

from board.cards import handoffs
from board.cards import service as cards
from board.extensions import db
from board.models import Card, CardKind, Event, utcnow
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
    """
    known: Numbers | None = g.get("frame_numbers")
    if known is not None and (known.counts is not None or not counts) and not lapse:
        return known
    if not current_user.is_authenticated or current_user.community_id is None:
        return Numbers(counts={CardKind.NEED.value: 0, CardKind.OFFER.value: 0} if counts else None)
    community_id = current_user.community_id
    now = utcnow()
    columns = [
        select(func.count(Notification.id))
        .where(Notification.user_id == current_user.id, Notification.read_at.is_(None)).scalar_subquery(),
        select(func.max(Event.id)).where(Event.community_id == community_id).scalar_subquery(),
    ]
    if counts:
        board = cards.board_query(community_id, cards.BoardFilters(), now).order_by(None)
        columns += [
            board.with_only_columns(func.count(Card.id)).where(Card.kind == kind.value).scalar_subquery()
            for kind in (CardKind.NEED, CardKind.OFFER)
        ]
    if lapse:
        columns.append(handoffs.due_clause(community_id, now))
    row = db.session.execute(select(*columns)).one()
    if lapse and row[-1]:
        handoffs.run_due(community_id=community_id)
        return numbers(counts=counts)  # the lapses changed the counts and the newest event
    found = Numbers(
        unread=row[0] or 0, last_event_id=row[1] or 0,
        counts={CardKind.NEED.value: row[2] or 0, CardKind.OFFER.value: row[3] or 0} if counts else None,
    )
    g.frame_numbers = found
    return found


def forget() -> None:
    """After a write in this request: the next question reads the numbers again."""
    g.pop("frame_numbers", None)
