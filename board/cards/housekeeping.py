"""Time-based moves: cards past their time leave the board. Run lazily and from `flask sweep`."""
from sqlalchemy import select

from board.cards import transitions
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
    return [f"expired cards: {expire_cards()}"]
