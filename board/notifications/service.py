"""Which events notify whom, the unread count, and marking as read."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select, update

from board.extensions import db
from board.households import service as households
from board.models import Card, Event, Handoff, User, utcnow
from board.notifications.models import Notification

# Event kind -> notification kind. The actor is never notified of their own move.
KINDS: dict[str, str] = {
    "handoff.match": "matched",
    "handoff.leave_at_door": "left_at_door",
    "handoff.report_not_there": "not_there",
    "handoff.confirm_received": "received",
    "handoff.receive_in_person": "received",
    "handoff.lapse": "timeout",
    "handoff.thank": "thanks",
    "handoff.remind": "doorstep_reminder",
    "handoff.close_unconfirmed": "closed_unconfirmed",
    "handoff.helper_withdraw": "cancelled",
    "handoff.cancel": "cancelled",
    "handoff.ask": "asked",
    "handoff.accept": "accepted",
    "handoff.decline": "declined",
    "card.expire": "expired",
    "box.gift_offered": "gift_waiting",
    "box.expired_flagged": "expired_stock",
}

HEADLINES = {
    "matched": _l("A neighbour matched your card"),
    "left_at_door": _l("Left on your door handle!"),
    "not_there": _l("Your neighbour did not find it at the door"),
    "received": _l("Received. Thank you for helping!"),
    "timeout": _l("The match timed out; the card is back on the board"),
    "expired": _l("Your card's time on the board is up"),
    "thanks": _l("A neighbour said thank you"),
    "doorstep_reminder": _l("It was left at the door: please confirm it arrived"),
    "closed_unconfirmed": _l("Closed as left at the door, not confirmed"),
    "cancelled": _l("The match was called off"),
    "asked": _l("A neighbour asked for your offer"),
    "accepted": _l("Your request was accepted"),
    "declined": _l("Your request could not be met this time"),
    "gift_waiting": _l("A gift is waiting for your check-in"),
    "expired_stock": _l("Expired stock on your shelf: please remove it"),
}

LIST_SIZE = 50


def recipients(event: Event) -> set[int]:
    """Who hears about this event: the handoff's other party (both on a time-out), or the card's author."""
    data = event.data or {}
    if event.kind == "handoff.decline":  # also when an offer leaves the board: only the asker is told
        parties = {data.get("receiver_id")} - {None}
    elif event.kind == "handoff.remind":  # "please confirm": the receiving side only
        parties = ({data.get("receiver_id")} - {None}) | household_of_someone_else(data.get("handoff_id"))
    elif event.kind.startswith("handoff."):
        parties = {data.get("giver_id"), data.get("receiver_id")} - {None}
        parties |= household_of_someone_else(data.get("handoff_id"))
    elif event.kind.startswith("box.") and data.get("shelf_id") is not None:
        parties = shelf_keepers(int(data["shelf_id"]), event.community_id)
    elif event.card_id is not None:
        card = db.session.get(Card, event.card_id)
        parties = {card.author_id} if card is not None else set()
    else:
        parties = set()
    return {int(p) for p in parties} - {event.actor_id}


def household_of_someone_else(handoff_id) -> set[int]:
    """A handoff for someone without a phone: that household's people with a login hear of it too."""
    handoff = db.session.get(Handoff, handoff_id) if handoff_id is not None else None
    if handoff is None or handoff.receiver_household is None:
        return set()
    if handoff.for_person_id is None and handoff.card.for_person_id is None:
        return set()
    return set(households.account_holders(handoff.receiver_household))


def shelf_keepers(shelf_id: int, community_id: int) -> set[int]:
    """A shelf's keepers; the community's coordinators while it has none, so nothing waits unseen."""
    from board.box.models import Shelf

    shelf = db.session.get(Shelf, shelf_id)
    keepers = {keeper.id for keeper in shelf.keepers} if shelf is not None else set()
    if keepers:
        return keepers
    return households.coordinators(community_id)


def notify_for(event: Event) -> list[Notification]:
    """Create the notifications an event calls for, in the event's own transaction."""
    kind = KINDS.get(event.kind)
    if kind is None:
        return []
    people = recipients(event)
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


def on_event(event: Event) -> None:
    """The board.events listener: every recorded event may notify someone."""
    notify_for(event)
