"""Card rules: posting, editing, what a viewer may see, and the board's one query."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import lru_cache

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import DateTime, Select, and_, bindparam, or_, select, tuple_
from sqlalchemy.orm import joinedload

from board.errors import Conflict, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board import policy
from board.inputs import MAX_ID
from board.models import Card, CardKind, CardStatus, Intake, Person, User, utcnow

EDITABLE = (
    "category", "title", "details", "quantity", "unit", "urgency",
    "for_pregnant", "for_child", "for_elderly", "sealed", "medicine_expires_on", "first_come",
)



@dataclass(frozen=True)
class BoardFilters:
    kind: str | None = None
    category: str | None = None
    building_id: int | None = None
    urgent_only: bool = False
    text: str = ""


def days_up_default(kind: str) -> int:
    cfg = current_app.config
    return cfg["NEED_DAYS_UP"] if kind == CardKind.NEED.value else cfg["OFFER_DAYS_UP"]


def post_card(author: User, *, kind: str, days_up: int | None = None, commit: bool = True,
              for_person: Person | None = None, intake: str | None = None, **fields) -> Card:
    """Put a new card on the board of the author's community, in the author's building.

    `for_person`: posted on behalf of someone without a phone (by a volunteer or coordinator, who
    took the call): the card is that person's household's, in their building, and `intake` says how
    the request came in. `commit=False` leaves the commit to a caller that writes more in the same transaction.
    """
    membership = author.membership
    if membership is None:
        raise Forbidden()
    household = membership.household
    if for_person is not None:
        if for_person.community_id != membership.community_id or not policy.may_post_on_behalf(
            author, membership.community_id
        ):
            raise Forbidden()
        household = for_person.household
        intake = Intake(intake or Intake.PHONE.value).value
    else:
        intake = fields.pop("intake_note", None) and None
    now = utcnow()
    card = Card(
        community_id=membership.community_id,
        building_id=household.building_id,
        household_id=household.id,
        for_person_id=for_person.id if for_person is not None else None,
        intake=intake,
        intake_note=(fields.pop("intake_note", None) or None) if for_person is not None else None,
        door_note=(fields.pop("door_note", None) or "").strip() or None,
        author_id=author.id,
        kind=kind,
        status=CardStatus.OPEN.value,
        created_at=now,
        expires_at=now + timedelta(days=days_up or days_up_default(kind)),
        **{name: fields.get(name) for name in EDITABLE if name in fields},
    )
    card.details = card.details or ""
    card.unit = card.unit or ""
    card.first_come = True if card.first_come is None else card.first_come
    if kind == CardKind.OFFER.value:
        card.quantity_left = card.quantity or 1  # an offer without a number is one handoff
    card.priority = card.compute_priority(household.priority or 0)
    db.session.add(card)
    db.session.flush()
    record("card.posted", community_id=card.community_id, card=card, actor=author, to_status=card.status,
           **({"for_person_id": card.for_person_id, "intake": intake} if for_person is not None else {}))
    if commit:
        db.session.commit()
    return card


def edit_card(card: Card, editor: User, *, seen_version: int | None = None, days_up: int | None = None, **fields) -> Card:
    """Change an open card's text and tags: board.policy says who (its poster, mostly), only while it is open."""
    if not policy.may_write_card(editor, card):
        raise Forbidden()
    if card.status != CardStatus.OPEN.value or (seen_version is not None and seen_version != card.version):
        raise Conflict()
    changed = sorted(name for name in EDITABLE if name in fields and getattr(card, name) != fields[name])
    if card.kind == CardKind.OFFER.value and "quantity" in changed:
        # What accepted asks already hold stays held; the rest of the new quantity is free.
        held = (card.quantity or 1) - (card.quantity_left or 0)
        if (fields["quantity"] or 1) <= held:
            raise Conflict(_l("Neighbours already have %(n)s of this offer; the quantity cannot go below that.", n=held))
        card.quantity_left = (fields["quantity"] or 1) - held
    for name in changed:
        setattr(card, name, fields[name])
    card.details = card.details or ""
    card.unit = card.unit or ""
    if days_up:
        card.expires_at = card.created_at + timedelta(days=days_up)
    card.priority = card.compute_priority(card.household.priority if card.household is not None else 0)
    record("card.edited", community_id=card.community_id, card=card, actor=editor, fields=changed)
    db.session.commit()
    return card


def card_for(viewer: User, card_id: int) -> Card:
    """The card if it is in the viewer's community; another community's card does not exist for them."""
    if not 0 < card_id <= MAX_ID:
        raise NotFound()  # a mistyped address, not a database error
    # The author's name is shown, their home is not: no second statement for their memberships. A need's
    # errand (board.errands) decides its buttons: joined here rather than asked for while they are drawn.
    card = db.session.scalars(_card_page_statement(), {"card_id": card_id}).first()
    if card is None or card.community_id != viewer.community_id:
        raise NotFound()
    return card


@lru_cache(maxsize=1)
def _card_page_statement():
    """Built once per process (building it, its loader options, cost more than the lookup)."""
    return select(Card).where(Card.id == bindparam("card_id")).options(*in_full())


def in_full() -> tuple:
    """Loader options for a card drawn in full (its page, My activity): the author's name, not their
    home; a need's errand (board.errands), which decides its buttons, joined rather than asked for
    while they are drawn. Card.errand exists once board.errands is imported, so not at import time."""
    return joinedload(Card.author).lazyload(User.memberships), joinedload(Card.errand)


def board_query(community_id: int, filters: BoardFilters, now: datetime | None = None) -> Select:
    """Open, unexpired cards of one community, most pressing first, then newest."""
    now = utcnow() if now is None else now  # a bound parameter has no truth value
    stmt = select(Card).where(
        Card.community_id == community_id,
        Card.status == CardStatus.OPEN.value,
        Card.expires_at > now,
    )
    if filters.kind:
        stmt = stmt.where(Card.kind == filters.kind)
    if filters.category:
        stmt = stmt.where(Card.category == filters.category)
    if filters.building_id:
        stmt = stmt.where(Card.building_id == filters.building_id)
    if filters.urgent_only:
        stmt = stmt.where(Card.urgency == "urgent")
    if filters.text:
        text = filters.text.strip()
        stmt = stmt.where(or_(Card.title.icontains(text, autoescape=True), Card.details.icontains(text, autoescape=True)))
    return stmt.order_by(Card.priority.desc(), Card.created_at.desc(), Card.id.desc())


EPOCH = datetime(1970, 1, 1)


def encode_cursor(card: Card) -> str:
    return f"{card.priority}.{(card.created_at - EPOCH) // timedelta(microseconds=1)}.{card.id}"


def decode_cursor(cursor: str | None) -> tuple[int, datetime, int] | None:
    """The cursor from the address, or None when it is not one we could have made."""
    try:
        priority, micros, card_id = (int(part) for part in (cursor or "").split("."))
        if not (-(2**15) <= priority < 2**15 and 0 < card_id <= MAX_ID):
            return None
        return priority, EPOCH + timedelta(microseconds=micros), card_id
    except (ValueError, OverflowError):
        return None


# What the board needs of each card before drawing it: which card at which version (the key of its
# kept HTML, board/cards/public.py), its building (the key's name), and the two paging keys.
BOARD_ROW = (Card.id, Card.version, Card.building_id, Card.priority, Card.created_at)


@lru_cache(maxsize=256)
def _board_rows(filters: BoardFilters) -> Select:
    """The board's rows for these filters, built once per process (most boards have none) with the
    community and the moment as bound parameters: building the statement cost more than running it."""
    return board_query(bindparam("community_id"), filters, bindparam("now", type_=DateTime)).with_only_columns(*BOARD_ROW)


def board_page(community_id: int, filters: BoardFilters, cursor: str | None = None, size: int | None = None):
    """One page of the board as rows of BOARD_ROW, and the cursor of the next; keyset paging stays fast however deep.

    Rows, not cards: a board whose cards were all drawn before needs nothing else of them, and loading
    50 cards as objects cost more than drawing the page from the cache (public.board_list loads what it
    has to draw).
    """
    size = size or current_app.config["BOARD_PAGE_SIZE"]
    stmt = _board_rows(filters)
    after = decode_cursor(cursor)
    if after is not None:
        priority, created_at, card_id = after
        # Descending on all three keys: strictly "after" the last card shown.
        stmt = stmt.where(
            or_(
                Card.priority < priority,
                and_(Card.priority == priority, tuple_(Card.created_at, Card.id) < tuple_(created_at, card_id)),
            )
        )
    rows = db.session.execute(
        stmt.limit(size + 1), {"community_id": community_id, "now": utcnow()}
    ).all()
    next_cursor = encode_cursor(rows[size - 1]) if len(rows) > size else None
    return rows[:size], next_cursor
