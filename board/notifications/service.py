"""Notifications for the events that call for them (as each domain registered), the unread count, marking read."""
from __future__ import annotations

from collections import defaultdict

from sqlalchemy import func, select, update
from sqlalchemy.orm import joinedload

from board import registry
from board.extensions import db
from board.models import Event, User, utcnow
from board.notifications.models import Notification

LIST_SIZE = 50


def notify_for(event: Event) -> list[Notification]:
    """Create the notifications an event calls for, in the event's own transaction."""
    domains = registry.current()
    kind = domains.notification_kind(event.kind)
    if kind is None:
        return []
    people = domains.recipients(event)
    if people:  # a deleted account hears nothing more (a doorstep still closing, a household card)
        people = set(db.session.scalars(select(User.id).where(User.id.in_(people), User.erased_at.is_(None))))
    created = [
        Notification(user_id=user_id, event_id=event.id, card_id=event.card_id, actor_id=event.actor_id,
                     kind=kind, created_at=event.created_at or utcnow())
        for user_id in sorted(people)
    ]
    db.session.add_all(created)
    return created


def unread_count(user_id: int) -> int:
    stmt = select(func.count(Notification.id)).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return db.session.scalar(stmt) or 0


def recent(user_id: int, limit: int = LIST_SIZE) -> list[Notification]:
    """The newest notifications first."""
    stmt = (
        select(Notification)
        .where(Notification.user_id == user_id)
        .order_by(Notification.id.desc())
        .limit(limit)
    )
    return list(db.session.scalars(stmt))


def for_event(event_id: int, user_id: int) -> list[Notification]:
    stmt = select(Notification).where(Notification.event_id == event_id, Notification.user_id == user_id)
    return list(db.session.scalars(stmt.order_by(Notification.id)))


def for_events(event_ids: set[int], user_ids: set[int]) -> dict[tuple[int, int], list[Notification]]:
    """for_event for many (event, resident) pairs in one statement, by pair. As an alert shows them: the
    card's title and the actor's name, neither the card's author nor anyone's memberships."""
    stmt = (
        select(Notification)
        .where(Notification.event_id.in_(event_ids), Notification.user_id.in_(user_ids))
        .order_by(Notification.id)
        .options(joinedload(Notification.card).lazyload("*"), joinedload(Notification.actor).lazyload(User.memberships))
    )
    by_pair: dict[tuple[int, int], list[Notification]] = defaultdict(list)
    for notification in db.session.scalars(stmt).unique():
        by_pair[(notification.event_id, notification.user_id)].append(notification)
    return by_pair


def unread_counts(user_ids: set[int]) -> dict[int, int]:
    """unread_count for many residents in one statement (one with none unread is not in it)."""
    stmt = (
        select(Notification.user_id, func.count(Notification.id))
        .where(Notification.user_id.in_(user_ids), Notification.read_at.is_(None))
        .group_by(Notification.user_id)
    )
    return dict(db.session.execute(stmt).all())


def mark_read(user_id: int, ids: list[int] | None = None) -> int:
    """Mark the given (or all) unread notifications of one resident as read; commits."""
    stmt = update(Notification).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    if ids is not None:
        if not ids:
            return 0
        stmt = stmt.where(Notification.id.in_(ids))
    result = db.session.execute(stmt.values(read_at=utcnow()))
    db.session.commit()
    return result.rowcount


def on_event(_app, *, event: Event) -> None:
    """Connected to board.events.event_recorded: every recorded event may notify someone."""
    notify_for(event)
