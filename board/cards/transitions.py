"""The life of a card and of its handoffs: one table of allowed moves, one place that makes them.

Every status change goes through this module. A move is checked against MOVES (on the card) or
HANDOFF_MOVES (on one handoff: a helper on a need, or one ask on an offer): from which states, by
whom, on which kind of card. The rows are locked (card first, then handoff), the change is written
and its event appended, and the transaction commits: both land or neither does.

On a need the card follows its one live handoff (matched → left at the door → received; back to
open when the helper withdraws or the match lapses). On an offer the card stays open while some of
its quantity is left; each accepted ask takes its share of `quantity_left`, which never goes below
zero, and gives it back if the handoff does not happen.
"""
from __future__ import annotations

import enum
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm.exc import StaleDataError

from board import policy
from board.errors import Conflict, Forbidden
from board.events import record
from board.extensions import db
from board.models import Card, CardKind, CardStatus, Event, Handoff, HandoffStatus, Person, User, Urgency, utcnow

S = CardStatus
H = HandoffStatus
NEED = CardKind.NEED.value
OFFER = CardKind.OFFER.value


class Party(str, enum.Enum):
    """Who is acting, relative to the card or the handoff."""

    AUTHOR = "author"
    MEMBER = "member"  # any other resident of the same community (not the author)
    COORDINATOR = "coordinator"
    SYSTEM = "system"  # time-outs, expiry, first-come acceptance
    GIVER = "giver"  # of a handoff: the helper on a need, the author of an offer
    RECEIVER = "receiver"  # of a handoff: the author of a need, the asker on an offer


@dataclass(frozen=True)
class Move:
    sources: frozenset  # card statuses (MOVES) or handoff statuses (HANDOFF_MOVES); None: a new handoff
    target: S | H
    parties: frozenset[Party]
    kinds: frozenset[str] = frozenset({NEED, OFFER})


def move(sources, target, *parties, kinds=(NEED, OFFER)) -> Move:
    return Move(frozenset(sources), target, frozenset(parties), frozenset(kinds))


MOVES: dict[str, Move] = {
    "withdraw": move({S.OPEN}, S.WITHDRAWN, Party.AUTHOR, Party.COORDINATOR),
    "expire": move({S.OPEN}, S.EXPIRED, Party.SYSTEM),
}

HANDOFF_MOVES: dict[str, Move] = {
    # "I can help": a neighbour takes an open need; the card leaves the board.
    "match": move({None}, H.MATCHED, Party.MEMBER, kinds=(NEED,)),
    # A neighbour asks for k of an offer; first-come offers accept at once (SYSTEM "accept").
    "ask": move({None}, H.ASKED, Party.MEMBER, kinds=(OFFER,)),
    "accept": move({H.ASKED}, H.MATCHED, Party.GIVER, Party.SYSTEM, kinds=(OFFER,)),
    # SYSTEM: an offer that leaves the board (withdrawn, expired, all given) answers its waiting asks.
    "decline": move({H.ASKED}, H.DECLINED, Party.GIVER, Party.SYSTEM, kinds=(OFFER,)),
    "leave_at_door": move({H.MATCHED}, H.LEFT_AT_DOOR, Party.GIVER),
    # A late "I have it" still counts after the system closed the doorstep unconfirmed.
    "confirm_received": move({H.LEFT_AT_DOOR, H.UNCONFIRMED}, H.RECEIVED, Party.RECEIVER),
    "receive_in_person": move({H.MATCHED}, H.RECEIVED, Party.RECEIVER),
    "report_not_there": move({H.LEFT_AT_DOOR}, H.MATCHED, Party.RECEIVER),
    "helper_withdraw": move({H.MATCHED}, H.WITHDRAWN, Party.GIVER),
    # On a matched need the receiving side chooses between two endings: "this helper can't come" (`release`:
    # back on the board, the card stays) and "I don't need it any more" (`cancel`: the card closes, confirmed first).
    "release": move({H.MATCHED}, H.RELEASED, Party.RECEIVER, Party.COORDINATOR, kinds=(NEED,)),
    "cancel": move({H.ASKED, H.MATCHED}, H.CANCELLED, Party.RECEIVER, Party.COORDINATOR),
    "lapse": move({H.MATCHED}, H.LAPSED, Party.SYSTEM),
    # An errand's run taken back from its volunteer (board/errands): by a coordinator, or its time-out.
    "return_to_queue": move({H.MATCHED}, H.WITHDRAWN, Party.COORDINATOR, Party.SYSTEM, kinds=(NEED,)),
    "thank": move({H.RECEIVED}, H.RECEIVED, Party.RECEIVER),
    # Left at the door and nobody confirmed: remind the receiving side, then close it (board/cards/handoffs.py).
    "remind": move({H.LEFT_AT_DOOR}, H.LEFT_AT_DOOR, Party.SYSTEM),
    "close_unconfirmed": move({H.LEFT_AT_DOOR}, H.UNCONFIRMED, Party.SYSTEM),
}

# What a need's card shows while its handoff is in each state.
NEED_CARD_STATUS = {
    H.MATCHED: S.MATCHED,
    H.LEFT_AT_DOOR: S.LEFT_AT_DOOR,
    H.RECEIVED: S.RECEIVED,
    H.UNCONFIRMED: S.UNCONFIRMED,
    H.WITHDRAWN: S.OPEN,
    H.LAPSED: S.OPEN,
    H.RELEASED: S.OPEN,
    H.CANCELLED: S.CANCELLED,
}

# Moves that end more than they seem to: asked "are you sure?" on a page of their own before they are made.
CONFIRM_FIRST = {("cancel", NEED)}


def needs_confirmation(handoff: Handoff, name: str) -> bool:
    """Whether this move on this handoff is made only after the resident confirmed it (cancelling a need)."""
    return (name, handoff.card.kind) in CONFIRM_FIRST

# Handoff states that hold a share of an offer's quantity.
HOLDS_QUANTITY = frozenset({H.MATCHED, H.LEFT_AT_DOOR, H.RECEIVED, H.UNCONFIRMED})

CONFLICT_MESSAGE = _l("This card changed while you were looking at it. Nothing was changed.")
MESSAGES = {
    "match": _l("Someone else is already helping — thank you!"),
    "ask": _l("This offer is no longer open. Thank you for asking!"),
    "not_enough": _l("Not that many are left. Please ask for fewer."),
    "accept": _l("This ask was already answered."),
    "thank": _l("You have already said thank you."),
}


def parties_of(card: Card, actor: User | None) -> set[Party]:
    """Every capacity in which `actor` may act on `card` (an author can also be a coordinator)."""
    if actor is None:
        return {Party.SYSTEM}
    parties = set()
    if actor.community_id != card.community_id:
        return parties
    parties.add(Party.AUTHOR if card.author_id == actor.id else Party.MEMBER)
    if policy.may_help_with_own_card(actor, card):  # posted for another household: its poster may bring it
        parties.add(Party.MEMBER)
    if policy.is_coordinator(actor, card.community_id):
        parties.add(Party.COORDINATOR)
    return parties


def handoff_parties(handoff: Handoff, actor: User | None) -> set[Party]:
    """Capacities on one handoff: giver, receiver, coordinator of its community, or the system."""
    if actor is None:
        return {Party.SYSTEM}
    parties = set()
    if actor.community_id != handoff.community_id:
        return parties
    if policy.on_giving_side(actor, handoff):
        parties.add(Party.GIVER)
    if policy.on_receiving_side(actor, handoff):
        parties.add(Party.RECEIVER)
    if policy.is_coordinator(actor, handoff.community_id):
        parties.add(Party.COORDINATOR)
    return parties


def allowed(card: Card, name: str, actor: User | None, *, handoffs: list[Handoff] | None = None) -> bool:
    """Whether a card move (or starting a handoff: match, ask) is possible now for this actor.
    `handoffs`: all of the card's, when the caller has read them already (else asked when needed)."""
    if name in HANDOFF_MOVES:
        return can_start(card, name, actor, handoffs=handoffs)
    rule = MOVES[name]
    return card.kind in rule.kinds and S(card.status) in rule.sources and bool(rule.parties & parties_of(card, actor))


def can_start(card: Card, name: str, actor: User | None, *, handoffs: list[Handoff] | None = None) -> bool:
    rule = HANDOFF_MOVES[name]
    return (
        None in rule.sources
        and card.kind in rule.kinds
        and card.status == S.OPEN.value
        and bool(rule.parties & parties_of(card, actor))
        and (card.kind != OFFER or (card.quantity_left or 0) > 0)
        and not (name == "ask" and has_open_ask(card, actor, handoffs))
    )


def can_ask_for_someone(card: Card, actor: User | None) -> bool:
    """Whether `actor` may ask for some of this offer on behalf of someone without a phone now."""
    rule = HANDOFF_MOVES["ask"]
    return (
        actor is not None and card.kind in rule.kinds and card.status == S.OPEN.value
        and bool(rule.parties & parties_of(card, actor)) and (card.quantity_left or 0) > 0
        and policy.may_post_on_behalf(actor, card.community_id)
    )


def has_open_ask(card: Card, asker: User, handoffs: list[Handoff] | None = None) -> bool:
    """An asker whose ask is still under way is not offered a second one (asking again returns it)."""
    if handoffs is not None:
        return any(h.receiver_id == asker.id and h.for_person_id is None and h.status in Handoff.OPEN
                   for h in handoffs)
    stmt = select(Handoff.id).where(
        Handoff.card_id == card.id, Handoff.receiver_id == asker.id, Handoff.for_person_id.is_(None),
        Handoff.status.in_(Handoff.OPEN),
    )
    return db.session.scalar(stmt.limit(1)) is not None


def handoff_allowed(handoff: Handoff, name: str, actor: User | None) -> bool:
    """Whether a move on this handoff is possible now for this actor: what its buttons are drawn from."""
    return _handoff_rule_allows(handoff, name, handoff_parties(handoff, actor))


def handoff_moves(handoff: Handoff, actor: User | None) -> frozenset[str]:
    """Every move on this handoff the actor may make now (a handoff's buttons), its parties worked out once."""
    parties = handoff_parties(handoff, actor)
    return frozenset(name for name in HANDOFF_MOVES if _handoff_rule_allows(handoff, name, parties))


def _handoff_rule_allows(handoff: Handoff, name: str, parties: set[Party]) -> bool:
    rule = HANDOFF_MOVES[name]
    if None in rule.sources or handoff.card.kind not in rule.kinds:
        return False
    if H(handoff.status) not in rule.sources or not rule.parties & parties:
        return False
    if name == "accept":
        return handoff.card.status == S.OPEN.value and (handoff.card.quantity_left or 0) >= handoff.quantity
    if name == "thank":
        return not handoff.thanks
    return True


def lock(card_id: int) -> Card:
    """Re-read the card under a row lock, so two taps at once are decided one after the other."""
    stmt = (
        select(Card).where(Card.id == card_id)
        .with_for_update(of=Card).execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one()


def lock_handoff(handoff_id: int) -> Handoff:
    stmt = (
        select(Handoff).where(Handoff.id == handoff_id)
        .with_for_update(of=Handoff).execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one()


def refuse(error: type[Conflict] | type[Forbidden], message=None) -> NoReturn:
    """Say no, having changed nothing."""
    db.session.rollback()
    raise error(message)


@contextmanager
def stale_is_conflict():
    """A write that lost to another (SQLite has no row locks; the version column notices) is a 409."""
    try:
        yield
    except StaleDataError:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from None


def commit() -> None:
    with stale_is_conflict():
        db.session.commit()


_commit = commit  # under another name where a `commit` flag shadows it


def apply(card: Card, name: str, actor: User | None, *, seen_version: int | None = None, commit: bool = True,
          **data) -> Event:
    """Make card move `name` on `card` as `actor`, append its event and commit; Conflict/Forbidden if not.

    `commit=False`: the move is one part of a larger change (erasing an account) that commits it.
    """
    rule = MOVES[name]
    card = lock(card.id)
    if not rule.parties & parties_of(card, actor) or card.kind not in rule.kinds:
        refuse(Forbidden)
    if S(card.status) not in rule.sources or (seen_version is not None and seen_version != card.version):
        refuse(Conflict, CONFLICT_MESSAGE)
    before = card.status
    card.status = rule.target.value
    with stale_is_conflict():
        event = record(
            f"card.{name}", community_id=card.community_id, card=card, actor=actor,
            from_status=before, to_status=card.status, **data,
        )
        decline_waiting_asks(card)
    if commit:
        _commit()
    return event


def decline_waiting_asks(card: Card) -> None:
    """An offer no longer open answers the asks still waiting on it: no asker waits for nothing."""
    if card.kind != OFFER or card.status == S.OPEN.value:
        return
    waiting = select(Handoff).where(Handoff.card_id == card.id, Handoff.status == H.ASKED.value)
    for handoff in db.session.scalars(waiting.order_by(Handoff.id).with_for_update(of=Handoff)).all():
        _move(handoff, "decline", None)


def due_after(card: Card, moment: datetime) -> datetime:
    """When a match made at `moment` lapses: sooner for urgent cards."""
    cfg = current_app.config
    hours = cfg["MATCH_TIMEOUT_URGENT_HOURS"] if card.urgency == Urgency.URGENT.value else cfg["MATCH_TIMEOUT_HOURS"]
    return moment + timedelta(hours=hours)


def _handoff_event(name: str, handoff: Handoff, actor: User | None, before: str | None, card_before: str, **data) -> Event:
    """The event of a handoff move: ids and short facts only (never a unit, a note or a photo)."""
    card = handoff.card
    return record(
        f"handoff.{name}", community_id=handoff.community_id, card=card, actor=actor,
        from_status=before, to_status=handoff.status,
        handoff_id=handoff.id, giver_id=handoff.giver_id, receiver_id=handoff.receiver_id,
        quantity=handoff.quantity, card_from=card_before, card_to=card.status,
        **({"quantity_left": card.quantity_left} if card.kind == OFFER else {}), **data,
    )


def start(card: Card, name: str, actor: User, *, quantity: int = 1, seen_version: int | None = None,
          for_person: Person | None = None) -> Handoff:
    """"I can help" on a need (`match`) or an ask for `quantity` of an offer (`ask`); commits.

    A repeated tap by someone whose earlier tap succeeded answers with that handoff, unchanged.
    `for_person`: an ask made by a volunteer or coordinator for someone without a phone; it goes to their door.
    """
    rule = HANDOFF_MOVES[name]
    card = lock(card.id)
    if card.kind not in rule.kinds or not rule.parties & parties_of(card, actor):
        refuse(Forbidden)
    if for_person is not None and (name != "ask" or for_person.community_id != card.community_id
                                   or not policy.may_post_on_behalf(actor, card.community_id)):
        refuse(Forbidden)
    mine = db.session.scalar(
        select(Handoff).where(
            Handoff.card_id == card.id, Handoff.receiver_id == actor.id if name == "ask" else Handoff.giver_id == actor.id,
            Handoff.for_person_id == for_person.id if for_person is not None else Handoff.for_person_id.is_(None),
            Handoff.status.in_(Handoff.OPEN),
        )
    )
    if mine is not None:
        db.session.rollback()
        return mine
    if card.status != S.OPEN.value:
        refuse(Conflict, MESSAGES.get(name, CONFLICT_MESSAGE))
    if name == "match" and seen_version is not None and seen_version != card.version:
        refuse(Conflict, CONFLICT_MESSAGE)
    now = utcnow()
    if name == "match":
        handoff = Handoff(
            card=card, community_id=card.community_id, giver_id=actor.id, receiver_id=card.author_id,
            receiver_household_id=card.household_id, quantity=card.quantity or 1, status=rule.target.value, matched_at=now, due_at=due_after(card, now),
        )
    else:
        if quantity < 1 or quantity > (card.quantity_left or 0):
            refuse(Conflict, MESSAGES["not_enough"] if card.quantity_left else MESSAGES["ask"])
        home = for_person.household if for_person is not None else actor.household
        handoff = Handoff(
            card=card, community_id=card.community_id, giver_id=card.author_id, receiver_id=actor.id,
            receiver_household_id=home.id if home is not None else None,
            for_person_id=for_person.id if for_person is not None else None, quantity=quantity, status=rule.target.value,
        )
    db.session.add(handoff)
    card_before = card.status
    if card.kind == NEED:
        card.status = NEED_CARD_STATUS[rule.target].value
    with stale_is_conflict():
        db.session.flush()
        _handoff_event(name, handoff, actor, None, card_before)
        if name == "ask" and card.first_come:
            _move(handoff, "accept", None)
    commit()
    return handoff


def _move(handoff: Handoff, name: str, actor: User | None, **data) -> Event:
    """Write one handoff move (rows already locked and the move already checked) and its event."""
    rule = HANDOFF_MOVES[name]
    card = handoff.card
    before, card_before = handoff.status, card.status
    now = utcnow()
    target = rule.target
    if name == "accept":
        if card.status != S.OPEN.value or (card.quantity_left or 0) < handoff.quantity:
            refuse(Conflict, MESSAGES["not_enough"])
        card.quantity_left -= handoff.quantity
        if card.quantity_left == 0:
            card.status = S.DONE.value
    if target == H.MATCHED:
        handoff.matched_at = handoff.matched_at or now
        handoff.due_at = due_after(card, now)
    elif name == "leave_at_door":
        handoff.left_at = now
        handoff.reminded_at = None  # a new doorstep (after "it is not there") waits afresh
    elif name == "remind":
        handoff.reminded_at = now
    elif target == H.RECEIVED and handoff.received_at is None:
        handoff.received_at = now
    if card.kind == OFFER and H(before) in HOLDS_QUANTITY and target not in HOLDS_QUANTITY:
        card.quantity_left += handoff.quantity  # this share was not handed over: free it again
        if card.status == S.DONE.value:
            card.status = S.OPEN.value if card.expires_at > now else S.EXPIRED.value
    if card.kind == NEED:
        card.status = NEED_CARD_STATUS[target].value
    handoff.status = target.value
    event = _handoff_event(name, handoff, actor, before, card_before, **data)
    if name == "accept":
        decline_waiting_asks(card)  # the last of the offer is given: the other asks hear so now
    return event


def apply_handoff(
    handoff: Handoff, name: str, actor: User | None, *, seen_version: int | None = None,
    note: str | None = None, photo_name: str | None = None, thanks: str | None = None, commit: bool = True,
) -> Event | None:
    """Make move `name` on one handoff as `actor`, append its event and commit; Conflict/Forbidden if not.

    Returns None when the same person repeats a move that already succeeded (a double tap or a
    resubmitted form): nothing is written twice.
    """
    rule = HANDOFF_MOVES[name]
    if None in rule.sources:
        raise ValueError(f"{name} starts a handoff: use start()")
    lock(handoff.card_id)
    handoff = lock_handoff(handoff.id)
    if handoff.card.kind not in rule.kinds or not rule.parties & handoff_parties(handoff, actor):
        refuse(Forbidden)
    repeated = name == "thank" and bool(handoff.thanks)
    stale = H(handoff.status) not in rule.sources or (seen_version is not None and seen_version != handoff.version)
    if repeated or stale:
        if actor is not None and _already_done(handoff, name, actor):
            db.session.rollback()
            return None
        refuse(Conflict, MESSAGES.get(name, CONFLICT_MESSAGE))
    if name == "thank":
        handoff.thanks = thanks or ""
    if name == "leave_at_door":
        handoff.note = note or ""
        handoff.photo_name = photo_name
    with stale_is_conflict():
        event = _move(handoff, name, actor)
    if commit:
        _commit()
    return event


def _already_done(handoff: Handoff, name: str, actor: User) -> bool:
    """Whether the handoff stands where this person's own latest move of this name left it."""
    if handoff.status != HANDOFF_MOVES[name].target.value:
        return False
    last = db.session.scalar(
        select(Event).where(
            Event.card_id == handoff.card_id, Event.actor_id == actor.id, Event.kind == f"handoff.{name}"
        ).order_by(Event.id.desc()).limit(1)
    )
    return last is not None and last.data.get("handoff_id") == handoff.id
