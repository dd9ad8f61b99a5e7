"""Handoffs: helping with a need, asking for an offer, the doorstep, time-outs and my activity.

The rules of each move live in board.cards.transitions; this module prepares what a move needs
(a stored photo, the rows to look at) and answers the questions pages ask.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta
from functools import lru_cache

from flask import current_app
from sqlalchemy import and_, bindparam, exists, func, or_, select
from sqlalchemy.orm import aliased, joinedload, lazyload
from werkzeug.datastructures import FileStorage

from board import photos, policy
from board.cards import transitions
from board.cards.service import in_full
from board.cards.labels import EVENT_LABELS
from board.cards.privacy import Door, Doors
from board.errors import Conflict, DomainError, NotFound
from board.extensions import db
from board.models import (
    Building, Card, CardKind, Event, Handoff, HandoffStatus, Household, Membership, Person, User, utcnow,
)

H = HandoffStatus


def handoff_for(viewer: User, handoff_id: int) -> Handoff:
    """The handoff if it is in the viewer's community; another community's does not exist for them."""
    handoff = db.session.get(Handoff, handoff_id)
    if handoff is None or handoff.community_id != viewer.community_id:
        raise NotFound()
    return handoff


def offer_help(card: Card, helper: User, *, seen_version: int | None = None) -> Handoff:
    """"I can help" on a need: the first tap wins, later taps hear that someone is already helping."""
    return transitions.start(card, "match", helper, seen_version=seen_version)


def ask(card: Card, asker: User, quantity: int, *, for_person=None) -> Handoff:
    """Ask for `quantity` of an offer (for oneself, or for `for_person` without a phone); first-come accepts at once."""
    return transitions.start(card, "ask", asker, quantity=quantity, for_person=for_person)


def move(
    handoff: Handoff, name: str, actor: User, *, seen_version: int | None = None, thanks: str | None = None
) -> Event | None:
    """Any handoff move but leaving at the door (which brings a note and a photo)."""
    return transitions.apply_handoff(handoff, name, actor, seen_version=seen_version, thanks=thanks)


def leave_at_door(
    handoff: Handoff, giver: User, *, note: str, photo: FileStorage | None = None, seen_version: int | None = None
) -> Event | None:
    """Mark the item left on the door handle, with a note and an optional photo (stored clean)."""
    db.session.refresh(handoff)
    if not transitions.handoff_allowed(handoff, "leave_at_door", giver):
        # Refused or a repeated tap: let the one move function say which, before any photo is stored.
        return transitions.apply_handoff(handoff, "leave_at_door", giver, seen_version=seen_version, note=note.strip())
    photo_name = photos.save(photo) if photo is not None and photo.filename else None
    try:
        return transitions.apply_handoff(
            handoff, "leave_at_door", giver, seen_version=seen_version, note=note.strip(), photo_name=photo_name
        )
    except DomainError:
        photos.delete(photo_name)
        raise


def lapse_overdue(*, community_id: int | None = None, limit: int = 200) -> int:
    """Send matches not handed off in time back to the board (one `lapse` each); cheap when none are due."""
    stmt = select(Handoff.id).where(Handoff.status == H.MATCHED.value, Handoff.due_at <= utcnow())
    if community_id is not None:
        stmt = stmt.where(Handoff.community_id == community_id)
    count = 0
    for handoff_id in db.session.scalars(stmt.order_by(Handoff.due_at).limit(limit)).all():
        handoff = db.session.get(Handoff, handoff_id)
        try:
            transitions.apply_handoff(handoff, "lapse", None)
        except Conflict:
            continue  # handed off (or withdrawn) in the same moment: nothing to lapse
        count += 1
    return count


def due_moments(now) -> dict:
    """The moments the time-based moves compare with: now, and how long ago a doorstep is reminded or closed."""
    cfg = current_app.config
    return {
        "now": now,
        "remind_before": now - timedelta(hours=cfg["DOORSTEP_REMIND_HOURS"]),
        "close_before": now - timedelta(hours=cfg["DOORSTEP_CLOSE_HOURS"]),
    }


def _doorsteps_due(moments: dict, community_id):
    """Doorsteps nobody confirmed that are due a reminder, or (reminded long enough ago) closing; `moments`
    holds values, or bound parameters of due_moments' names (board.frame builds its statement once)."""
    stmt = select(Handoff.id, Handoff.reminded_at).where(
        Handoff.status == H.LEFT_AT_DOOR.value,
        or_(
            and_(Handoff.reminded_at.is_(None), Handoff.left_at <= moments["remind_before"]),
            Handoff.reminded_at <= moments["close_before"],
        ),
    )
    return stmt.where(Handoff.community_id == community_id) if community_id is not None else stmt


def settle_doorsteps(*, community_id: int | None = None, limit: int = 200) -> int:
    """Doorsteps nobody confirmed: remind the receiving side once, then close them unconfirmed.

    Run lazily by pages that show cards (idempotent, and one indexed query when nothing is due) and
    by `flask --app board sweep`.
    """
    count = 0
    for handoff_id, reminded_at in db.session.execute(_doorsteps_due(due_moments(utcnow()), community_id).limit(limit)).all():
        name = "remind" if reminded_at is None else "close_unconfirmed"
        try:
            transitions.apply_handoff(db.session.get(Handoff, handoff_id), name, None)
        except Conflict:
            continue  # confirmed (or reported missing) in the same moment
        count += 1
    return count


def due_clause(community_id, moments: dict):
    """True when any time-based handoff move is due in the community (a lapse, a doorstep to remind or
    close): one EXISTS that board.frame folds into the page's one statement of numbers. `moments`: as
    due_moments makes them, or bound parameters of those names."""
    lapsing = exists().where(
        Handoff.community_id == community_id, Handoff.status == H.MATCHED.value, Handoff.due_at <= moments["now"]
    )
    return or_(lapsing, exists(_doorsteps_due(moments, community_id)))


def run_due(*, community_id: int | None = None) -> None:
    """Every time-based handoff move pages run lazily (a write on GET: idempotent, each through the table)."""
    lapse_overdue(community_id=community_id)
    settle_doorsteps(community_id=community_id)


def lapse_counts(user_ids) -> dict[int, int]:
    """How many matches each of these helpers let lapse: for coordinators, on the helper's name."""
    ids = {i for i in user_ids if i is not None}
    if not ids:
        return {}
    stmt = (
        select(Handoff.giver_id, func.count(Handoff.id))
        .where(Handoff.giver_id.in_(ids), Handoff.status == H.LAPSED.value)
        .group_by(Handoff.giver_id)
    )
    return dict(db.session.execute(stmt).all())


def handoffs_of(card: Card) -> list[Handoff]:
    return card_handoffs(card).handoffs


@dataclass
class CardHandoffs:
    handoffs: list[Handoff]
    lapses: dict[int, int]  # giver id -> matches that giver let lapse (asked for by coordinators' pages)


def card_handoffs(card: Card, *, with_lapses: bool = False) -> CardHandoffs:
    """A card's handoffs with both people's names and the two doors (a door may be shown), in one statement.

    Each door comes as two columns, its building's name and its unit, kept on the handoff as
    `handoff.doors` (board.cards.privacy shows them only to whoever may see them), rather than as each
    person's memberships, household and building loaded as objects: those were most of a card page's
    cost in this statement.
    """
    rows = db.session.execute(_handoffs_statement(with_lapses), {"card_id": card.id})
    return _collected(rows, [card.id])[card.id]


def cards_handoffs(card_ids: list[int], *, with_lapses: bool = False) -> dict[int, CardHandoffs]:
    """card_handoffs for many cards drawn in full on one page (My activity), in one statement for all."""
    if not card_ids:
        return {}
    rows = db.session.execute(_handoffs_statement(with_lapses, many=True), {"card_ids": list(card_ids)})
    return _collected(rows, card_ids)


def _collected(rows, card_ids) -> dict[int, CardHandoffs]:
    found = {card_id: CardHandoffs([], {}) for card_id in card_ids}
    for handoff, giver_building, giver_unit, receiver_building, receiver_unit, *lapsed in rows:
        handoff.doors = Doors(
            giver=Door(giver_building, giver_unit) if giver_unit is not None else None,
            receiver=Door(receiver_building, receiver_unit) if receiver_unit is not None else None,
        )
        mine = found[handoff.card_id]
        mine.handoffs.append(handoff)
        if lapsed:
            mine.lapses[handoff.giver_id] = lapsed[0]
    return found


@lru_cache(maxsize=4)
def _handoffs_statement(with_lapses: bool, many: bool = False):
    """Built once per process: building its loader options cost more than running it."""
    # The receiving door: the household it was asked for (someone without a phone), else the receiver's home.
    giver_home, receiver_home = aliased(Membership), aliased(Membership)
    giver_household, receiver_household = aliased(Household), aliased(Household)
    giver_building, receiver_building = aliased(Building), aliased(Building)
    which = (Handoff.card_id.in_(bindparam("card_ids", expanding=True)) if many
             else Handoff.card_id == bindparam("card_id"))
    stmt = (
        select(Handoff, giver_building.name, giver_household.unit, receiver_building.name, receiver_household.unit)
        .outerjoin(giver_home, and_(giver_home.user_id == Handoff.giver_id,
                                    giver_home.community_id == Handoff.community_id))
        .outerjoin(giver_household, giver_household.id == giver_home.household_id)
        .outerjoin(giver_building, giver_building.id == giver_household.building_id)
        .outerjoin(receiver_home, and_(receiver_home.user_id == Handoff.receiver_id,
                                       receiver_home.community_id == Handoff.community_id))
        .outerjoin(receiver_household, receiver_household.id == func.coalesce(
            Handoff.receiver_household_id, receiver_home.household_id))
        .outerjoin(receiver_building, receiver_building.id == receiver_household.building_id)
        .where(which).order_by(Handoff.id)
        # The card is already loaded: a many-to-one by key is found in the session, not joined again.
        # Of the two people their names, not their memberships (the doors are columns above).
        .options(
            lazyload(Handoff.card), lazyload(Handoff.receiver_household),
            joinedload(Handoff.giver).lazyload(User.memberships),
            joinedload(Handoff.receiver).lazyload(User.memberships),
            joinedload(Handoff.for_person).options(lazyload(Person.user), lazyload(Person.household)),
        )
    )
    if not with_lapses:
        return stmt
    lapsed = aliased(Handoff)
    count = (
        select(func.count(lapsed.id))
        .where(lapsed.giver_id == Handoff.giver_id, lapsed.status == H.LAPSED.value)
        .correlate(Handoff).scalar_subquery()
    )
    return stmt.add_columns(count)


def visible_handoffs(card: Card, viewer: User, handoffs: list[Handoff] | None = None) -> list[Handoff]:
    """The handoffs of a card this viewer takes part in; all of them for the giver of an offer and coordinators."""
    if not viewer.is_authenticated or viewer.community_id != card.community_id:
        return []
    everything = policy.may_see_all_handoffs(viewer, card)
    handoffs = handoffs_of(card) if handoffs is None else handoffs
    return [h for h in handoffs
            if everything or policy.on_giving_side(viewer, h) or policy.on_receiving_side(viewer, h)]


def timeline_rows(card: Card) -> list:
    """The card's history as rows (its kind, moment, data, actor's id and name), oldest first; who may
    read it is board.cards.history's question."""
    return db.session.execute(_timeline_statement(), {"card_id": card.id}).all()


@lru_cache(maxsize=1)
def _timeline_statement():
    """Only moves the timeline can put into words (labels.EVENT_LABELS), never a raw code; and of each only
    what a line says (rows, not events: their kind, moment, quantity and the actor's name, not their home)."""
    return (
        select(Event.kind, Event.created_at, Event.data, Event.actor_id, User.display_name.label("actor_name"))
        .outerjoin(User, User.id == Event.actor_id)
        .where(Event.card_id == bindparam("card_id"), Event.kind.in_(list(EVENT_LABELS))).order_by(Event.id)
    )


@dataclass
class Activity:
    needs: list[Card] = field(default_factory=list)
    offers: list[Card] = field(default_factory=list)
    helping: list[Card] = field(default_factory=list)
    asked: list[Card] = field(default_factory=list)

    @property
    def cards(self) -> list[Card]:
        return [*self.helping, *self.asked, *self.needs, *self.offers]


def activity(user: User, *, limit: int = 50) -> Activity:
    """My needs, my offers, what I am helping with and what I asked for, newest first; each card as
    its own page reads it (cards.service.in_full), so that drawing fifty asks nothing per card."""
    mine = (select(Card).where(Card.author_id == user.id).order_by(Card.created_at.desc(), Card.id.desc())
            .limit(limit).options(*in_full()))
    result = Activity()
    for card in db.session.scalars(mine):
        (result.needs if card.kind == CardKind.NEED.value else result.offers).append(card)
    latest = (
        select(Handoff.card_id, func.max(Handoff.id).label("last"))
        .where(
            or_(Handoff.giver_id == user.id, Handoff.receiver_id == user.id),
            Handoff.status != H.DECLINED.value,
        )
        .group_by(Handoff.card_id)
        .subquery()
    )
    taking_part = (
        select(Card).join(latest, latest.c.card_id == Card.id).where(Card.author_id != user.id)
        .order_by(latest.c.last.desc()).limit(limit).options(*in_full())
    )
    for card in db.session.scalars(taking_part):
        (result.helping if card.kind == CardKind.NEED.value else result.asked).append(card)
    return result
