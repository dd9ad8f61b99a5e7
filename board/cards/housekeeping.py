"""Time-based moves: lapsed matches go back on the board, cards past their time leave it.

Run lazily (pages that show cards) and from `flask --app board sweep` (cron).
"""
from sqlalchemy import select

from board.cards import transitions
from board.cards.handoffs import lapse_overdue, settle_doorsteps
from board.errors import Conflict
from board.extensions import db
from board.models import Card, CardStatus, utcnow


def expire_cards(limit: int = 500) -> int:
    """Mark open cards past their time as expired, one transition (and event) each."""
    stmt = (
        select(Card.id)
        .where(Card.status == CardStatus.OPEN.value, Card.expires_at <= utcnow())
        .limit(limit)
    )
    count = 0
    for card_id in db.session.scalars(stmt).all():
        card = db.session.get(Card, card_id)
        try:
            transitions.apply(card, "expire", None)
        except Conflict:
            continue  # a neighbour acted on it meanwhile; it is no longer open
        count += 1
    return count


def sweep() -> list[str]:
    """Every time-based move, with a line a kind for the log."""
    from board.box.service import lapse_overdue_reservations  # the shelves build on cards, not the reverse

    return [
        f"lapsed matches: {lapse_overdue(limit=5000)}",
        f"unconfirmed doorsteps reminded or closed: {settle_doorsteps(limit=5000)}",
        f"lapsed box reservations: {lapse_overdue_reservations()}",
        f"expired cards: {expire_cards()}",
    ]
