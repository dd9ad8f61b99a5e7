"""Time-based moves: lapsed matches go back on the board, cards past their time leave it.

Run lazily (pages that show cards) and from `flask --app board sweep` (cron).
"""
from sqlalchemy import select

from board.cards import transitions
from board.cards.handoffs import lapse_overdue, settle_doorsteps
from board.errors import Conflict
from board.extensions import db
from board.models import Card, CardStatus, utcnow
from board.registry import SweepJob


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


# The cards' jobs for the sweep (board.registry.sweep runs every domain's, in order). Cards past
# their time come last: a domain's own time-out (a box reservation's) ends a card with its reason.
SWEEP = (
    SweepJob("lapsed matches", lambda: lapse_overdue(limit=5000), order=10),
    SweepJob("unconfirmed doorsteps reminded or closed", lambda: settle_doorsteps(limit=5000), order=20),
    SweepJob("expired cards", expire_cards, order=90),
)
