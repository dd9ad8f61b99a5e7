"""Appending to the event log. Every state change calls record() inside its own transaction."""
from collections.abc import Callable

from board.extensions import db
from board.models import Card, Event, User

# Called with each new event after it is flushed (same transaction); live updates and
# notifications register here instead of every service knowing about them.
listeners: list[Callable[[Event], None]] = []


def record(
    kind: str,
    *,
    community_id: int,
    card: Card | None = None,
    actor: User | None = None,
    from_status: str | None = None,
    to_status: str | None = None,
    **data,
) -> Event:
    """Append one event; the caller commits, so the change and its event land together or not at all."""
    event = Event(
        community_id=community_id,
        card_id=card.id if card is not None else None,
        actor_id=actor.id if actor is not None else None,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        data=data,
    )
    db.session.add(event)
    db.session.flush()
    for listener in listeners:
        listener(event)
    return event
