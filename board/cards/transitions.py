"""The life of a card: one table of allowed moves, one function that makes them.

Every status change of a card goes through `apply()`: it locks the row, checks the move against
MOVES (from which states, by whom), writes the change and appends the event in one transaction.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from board.errors import Conflict, Forbidden
from board.events import record
from board.extensions import db
from board.models import Card, CardStatus, Event, User

S = CardStatus


class Party(str, enum.Enum):
    """Who is acting, relative to the card."""

    AUTHOR = "author"
    MEMBER = "member"  # any other resident of the same community
    COORDINATOR = "coordinator"
    SYSTEM = "system"  # time-outs and expiry


@dataclass(frozen=True)
class Move:
    sources: frozenset[S]
    target: S
    parties: frozenset[Party]


def move(sources, target, *parties) -> Move:
    return Move(frozenset(sources), target, frozenset(parties))


MOVES: dict[str, Move] = {
    "withdraw": move({S.OPEN}, S.WITHDRAWN, Party.AUTHOR, Party.COORDINATOR),
    "expire": move({S.OPEN}, S.EXPIRED, Party.SYSTEM),
}

CONFLICT_MESSAGE = _l("This card changed while you were looking at it. Nothing was changed.")


def parties_of(card: Card, actor: User | None) -> set[Party]:
    """Every capacity in which `actor` may act on `card` (an author can also be a coordinator)."""
    if actor is None:
        return {Party.SYSTEM}
    parties = set()
    if actor.community_id != card.community_id:
        return parties
    parties.add(Party.MEMBER)
    if card.author_id == actor.id:
        parties.add(Party.AUTHOR)
    if actor.is_coordinator:
        parties.add(Party.COORDINATOR)
    return parties


def allowed(card: Card, name: str, actor: User | None) -> bool:
    """Whether the move is possible now for this actor: what the buttons on a card are drawn from."""
    rule = MOVES[name]
    return S(card.status) in rule.sources and bool(rule.parties & parties_of(card, actor))


def lock(card_id: int) -> Card:
    """Re-read the card under a row lock, so two taps at once are decided one after the other."""
    stmt = select(Card).where(Card.id == card_id).with_for_update().execution_options(populate_existing=True)
    return db.session.execute(stmt).scalar_one()


def apply(card: Card, name: str, actor: User | None, *, seen_version: int | None = None, **data) -> Event:
    """Make move `name` on `card` as `actor`, append its event and commit; Conflict/Forbidden if not."""
    rule = MOVES[name]
    card = lock(card.id)
    if seen_version is not None and seen_version != card.version:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE)
    if not rule.parties & parties_of(card, actor):
        db.session.rollback()
        raise Forbidden()
    if S(card.status) not in rule.sources:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE)
    before = card.status
    card.status = rule.target.value
    event = record(
        f"card.{name}",
        community_id=card.community_id,
        card=card,
        actor=actor,
        from_status=before,
        to_status=card.status,
        **data,
    )
    try:
        db.session.commit()
    except StaleDataError:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from None
    return event
