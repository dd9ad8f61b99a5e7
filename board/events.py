"""Appending to the event log. Every state change calls record() inside its own transaction."""
from blinker import Namespace
from flask import current_app

from board.extensions import db
from board.models import Card, Event, User

signals = Namespace()

# Sent with each new event once it is flushed, inside the writer's transaction, with the app as
# sender: live updates, notifications and the box connect to it in their own init_app
# (`event_recorded.connect(receiver, sender=app)`), so no service needs to know who listens, and a
# second app in the same process (the tests make many) never calls a receiver twice.
event_recorded = signals.signal("event-recorded")


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
    event_recorded.send(current_app._get_current_object(), event=event)
    return event
