"""The rules of shared stock: who keeps a shelf, give and check in, take, deliver, correct, the register.

Every change to an item's stock locks its row, changes it with a guarded UPDATE (stock never below
zero; the database's CHECK constraints say the same), appends a register line and an event, and
commits — all in one transaction.
"""
from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app, has_request_context
from flask_babel import force_locale, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import Select, func, or_, select, update

from board import policy
from board.box.models import (
    Delivery,
    DeliveryStatus,
    Gift,
    GiftStatus,
    Item,
    LineKind,
    RegisterLine,
    RejectReason,
    Shelf,
)
from board.cards import transitions
from board.cards.service import post_card
from board.errors import Conflict, DomainError, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.i18n import local
from board.units import amount
from board.models import Card, CardStatus, Category, Event, Membership, Person, User, utcnow

ITEM_FIELDS = ("name", "category", "unit", "location", "for_pregnant", "for_child", "sealed", "expires_on")
GIFT_FIELDS = ("name", "category", "unit", "for_pregnant", "for_child", "sealed", "expires_on", "note")

NOT_A_KEEPER = _l("Only this shelf's keepers or a coordinator can do this.")
NOT_A_COORDINATOR = _l("Only a coordinator can do this.")
OUT_OF_STOCK = _l("Not enough left: someone was quicker. Nothing was taken; please look again.")
EXPIRED = _l("This has expired and cannot be handed out. The keepers have been told.")


class BadRequest(DomainError):
    """A request the form should have stopped (a negative count, a missing note)."""

    status = 400


@dataclass(frozen=True)
class Marks:
    """What the shelf page flags on an item."""

    out: bool
    low: bool
    expired: bool
    expiring_soon: bool


def local_now() -> datetime:
    """Now in the community's time zone (the day a daily limit counts is a local day)."""
    tz = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(timezone.utc).astimezone(tz)


def local_today() -> date:
    return local_now().date()


def start_of_local_day() -> datetime:
    """Midnight today, local time, as naive UTC like every stored timestamp."""
    midnight = local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


def is_expired(item: Item | Gift, today: date | None = None) -> bool:
    return item.expires_on is not None and item.expires_on < (today or local_today())


def marks(item: Item, today: date | None = None) -> Marks:
    today = today or local_today()
    soon = timedelta(days=current_app.config["BOX_EXPIRING_DAYS"])
    expired = is_expired(item, today)
    return Marks(
        out=item.available <= 0,
        low=not expired and 0 < item.available <= item.low_at,
        expired=expired,
        expiring_soon=not expired and item.expires_on is not None and item.expires_on <= today + soon,
    )


# Who may see and do what.

def shelf_for(viewer: User, shelf_id: int) -> Shelf:
    """The shelf if it is in the viewer's community; another community's shelf does not exist for them."""
    shelf = db.session.get(Shelf, shelf_id)
    if shelf is None or shelf.community_id != viewer.community_id:
        raise NotFound()
    return shelf


def item_for(viewer: User, item_id: int) -> Item:
    item = db.session.get(Item, item_id)
    if item is None or item.community_id != viewer.community_id:
        raise NotFound()
    return item


def gift_for(viewer: User, gift_id: int) -> Gift:
    gift = db.session.get(Gift, gift_id)
    if gift is None or gift.shelf.community_id != viewer.community_id:
        raise NotFound()
    return gift


def can_keep(user: User, shelf: Shelf) -> bool:
    """Keepers of this shelf and the community's coordinators check in, stock, correct, read the register."""
    return policy.may_keep_shelf(user, shelf)


def require_keeper(user: User, shelf: Shelf) -> None:
    if not can_keep(user, shelf):
        raise Forbidden(NOT_A_KEEPER)


def require_coordinator(user: User) -> None:
    if not policy.may_open_shelf(user, user.community_id):
        raise Forbidden(NOT_A_COORDINATOR)


# Shelves and keepers (coordinators).

def shelves(community_id: int) -> list[Shelf]:
    return list(db.session.scalars(select(Shelf).where(Shelf.community_id == community_id).order_by(Shelf.id)))


def create_shelf(coordinator: User, *, name: str, location: str = "", keepers: Iterable[User] = ()) -> Shelf:
    """A new shelf in the coordinator's community, with its keepers."""
    require_coordinator(coordinator)
    shelf = Shelf(community_id=coordinator.community_id, name=name.strip(), location=(location or "").strip())
    for keeper in keepers:
        _check_member(keeper, shelf.community_id)
        shelf.keepers.append(keeper)
    db.session.add(shelf)
    db.session.flush()
    record("box.shelf_created", community_id=shelf.community_id, actor=coordinator, shelf_id=shelf.id)
    db.session.commit()
    return shelf


def _check_member(user: User, community_id: int) -> None:
    if user.community_id != community_id:
        raise NotFound()


def add_keeper(coordinator: User, shelf: Shelf, keeper: User) -> None:
    require_coordinator(coordinator)
    _check_member(keeper, shelf.community_id)
    if shelf.community_id != coordinator.community_id:
        raise NotFound()
    if not shelf.is_keeper(keeper):
        shelf.keepers.append(keeper)
        record("box.keeper_added", community_id=shelf.community_id, actor=coordinator, shelf_id=shelf.id,
               user_id=keeper.id)
    db.session.commit()


def remove_keeper(coordinator: User, shelf: Shelf, keeper: User) -> None:
    require_coordinator(coordinator)
    if shelf.community_id != coordinator.community_id:
        raise NotFound()
    if shelf.is_keeper(keeper):
        shelf.keepers.remove(keeper)
        record("box.keeper_removed", community_id=shelf.community_id, actor=coordinator, shelf_id=shelf.id,
               user_id=keeper.id)
    db.session.commit()


def members(community_id: int) -> list[User]:
    """Residents who could be named keepers (a deleted account is nobody's keeper)."""
    stmt = select(User).join(Membership).where(
        Membership.community_id == community_id, User.erased_at.is_(None)
    ).order_by(User.display_name)
    return list(db.session.scalars(stmt))


# Reading the shelf.

def items_query(shelf: Shelf, text: str = "") -> Select:
    """The shelf's items with anything on it first, then by name; `text` searches name, place and unit."""
    stmt = select(Item).where(Item.shelf_id == shelf.id)
    text = (text or "").strip()
    if text:
        stmt = stmt.where(or_(Item.name.icontains(text, autoescape=True),
                              Item.location.icontains(text, autoescape=True),
                              Item.category.icontains(text, autoescape=True)))
    return stmt.order_by((Item.quantity - Item.reserved > 0).desc(), Item.name, Item.id)


def items(shelf: Shelf, text: str = "") -> list[Item]:
    return list(db.session.scalars(items_query(shelf, text)))


def pending_gifts(shelf: Shelf) -> list[Gift]:
    stmt = select(Gift).where(Gift.shelf_id == shelf.id, Gift.status == GiftStatus.PENDING.value).order_by(Gift.id)
    return list(db.session.scalars(stmt))


def expired_items(shelf: Shelf) -> list[Item]:
    """Expired items still on the shelf: the keepers' "remove" list."""
    stmt = select(Item).where(Item.shelf_id == shelf.id, Item.quantity > 0, Item.expires_on < local_today())
    return list(db.session.scalars(stmt.order_by(Item.expires_on, Item.id)))


def household_units_today(household_id: int, item: Item) -> int:
    """Units of `item` this household has taken or asked to be brought today: what its residents took
    at the shelf, and every delivery to its door (asked by a resident or on someone's behalf)."""
    residents = select(Membership.user_id).where(
        Membership.community_id == item.community_id, Membership.household_id == household_id
    )
    since = start_of_local_day()
    taken = db.session.scalar(
        select(func.coalesce(func.sum(RegisterLine.units), 0)).where(
            RegisterLine.item_id == item.id,
            RegisterLine.kind == LineKind.TAKE.value,
            RegisterLine.user_id.in_(residents),
            RegisterLine.created_at >= since,
        )
    )
    asked = db.session.scalar(
        select(func.coalesce(func.sum(Delivery.quantity), 0)).join(Card, Card.id == Delivery.card_id).where(
            Delivery.item_id == item.id,
            Card.household_id == household_id,
            Delivery.status != DeliveryStatus.LAPSED.value,
            Delivery.created_at >= since,
        )
    )
    return int(taken) + int(asked)


def daily_limit(item: Item) -> int | None:
    """The item's own limit, else the configured default (None: no limit)."""
    return item.daily_limit or current_app.config["BOX_DAILY_LIMIT_DEFAULT"]


# Writing stock: every function below commits once, with its register line and event.

def _lock_item(item_id: int) -> Item:
    """Re-read the item under a row lock, so that two takes at once are decided one after the other."""
    stmt = (
        select(Item).where(Item.id == item_id)
        .with_for_update(of=Item)
        .execution_options(populate_existing=True)
    )
    item = db.session.execute(stmt).scalar_one_or_none()
    if item is None:
        raise NotFound()
    return item


def _change_stock(item: Item, *, quantity: int = 0, reserved: int = 0) -> None:
    """Apply a change only if stock stays whole; Conflict (and rollback) when someone was quicker.

    The guards are the table's CHECK constraints asked in advance: nothing below zero, and no more
    reserved than is on the shelf. Taking k therefore needs k units that are neither taken nor promised.
    """
    stmt = (
        update(Item)
        .where(
            Item.id == item.id,
            Item.quantity + quantity >= 0,
            Item.reserved + reserved >= 0,
            Item.reserved + reserved <= Item.quantity + quantity,
        )
        .values(quantity=Item.quantity + quantity, reserved=Item.reserved + reserved, updated_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(stmt).rowcount != 1:
        db.session.rollback()
        raise Conflict(OUT_OF_STOCK)
    db.session.refresh(item)


def _line(kind: LineKind, item: Item | None, *, shelf: Shelf, units: int, delta: int = 0, user: User | None = None,
          actor: User | None = None, name: str | None = None, unit: str | None = None, note: str = "",
          gift: Gift | None = None, delivery: Delivery | None = None, carried_by_id: int | None = None) -> RegisterLine:
    line = RegisterLine(
        community_id=shelf.community_id,
        shelf_id=shelf.id,
        item_id=item.id if item is not None else None,
        gift_id=gift.id if gift is not None else None,
        delivery_id=delivery.id if delivery is not None else None,
        kind=kind.value,
        item_name=name if name is not None else item.name,
        unit=unit if unit is not None else item.unit,
        units=units,
        delta=delta,
        balance=item.quantity if item is not None else None,
        user_id=user.id if user is not None else None,
        actor_id=actor.id if actor is not None else None,
        carried_by_id=carried_by_id,
        note=note or "",
        created_at=utcnow(),
    )
    db.session.add(line)
    return line


def _stock_event(kind: str, item: Item, actor: User | None, **data) -> Event:
    """The event the live stream pushes: ids and counts only, the same for every viewer."""
    return record(
        f"box.{kind}", community_id=item.community_id, actor=actor,
        item_id=item.id, shelf_id=item.shelf_id, quantity=item.quantity, available=item.available, **data,
    )


def _check_quantity(quantity: int) -> None:
    if quantity is None or quantity < 1:
        raise BadRequest(_l("Please give a number of at least 1."))


def _refuse_expired(user: User, item: Item) -> None:
    """Expired stock is never handed out; the first attempt flags it to the keepers."""
    if not is_expired(item):
        return
    item_id = item.id
    db.session.rollback()
    locked = _lock_item(item_id)
    if locked.expired_flagged_at is None:
        locked.expired_flagged_at = utcnow()
        _stock_event("expired_flagged", locked, user)
    db.session.commit()
    raise Conflict(EXPIRED)


def _check_limit(household_id: int, item: Item, quantity: int) -> None:
    limit = daily_limit(item)
    if limit is None:
        return
    already = household_units_today(household_id, item)
    if already + quantity > limit:
        db.session.rollback()
        raise Conflict(
            _l("Each household may take %(limit)s of %(name)s a day; yours has had %(already)s today.",
              limit=amount(limit, item.unit), name=local(item.name), already=already)
        )


def take(user: User, item_id: int, quantity: int = 1) -> RegisterLine:
    """Take units from the shelf: stock down and a register line, together, or nothing at all."""
    _check_quantity(quantity)
    item = item_for(user, item_id)
    item = _lock_item(item.id)
    _refuse_expired(user, item)
    _check_limit(user.membership.household_id, item, quantity)
    _change_stock(item, quantity=-quantity)
    line = _line(LineKind.TAKE, item, shelf=item.shelf, units=quantity, delta=-quantity, user=user, actor=user)
    _stock_event("take", item, user, units=quantity)
    db.session.commit()
    return line


def add_item(keeper: User, shelf: Shelf, *, quantity: int = 0, daily_limit: int | None = None, low_at: int | None = None,
             note: str = "", **fields) -> Item:
    """A keeper puts a new kind of thing on the shelf (a purchased batch): the item and its first stock."""
    require_keeper(keeper, shelf)
    _check_item_fields(fields)
    if quantity is None or quantity < 0:
        raise BadRequest(_l("Please give a number of at least 0."))
    item = Item(shelf_id=shelf.id, community_id=shelf.community_id, quantity=0, reserved=0,
                daily_limit=daily_limit or None, low_at=low_at if low_at is not None else 2,
                **{name: fields.get(name) for name in ITEM_FIELDS if name in fields})
    item.unit = item.unit or ""
    item.location = item.location or ""
    db.session.add(item)
    db.session.flush()
    if quantity:
        _change_stock(item, quantity=quantity)
        _line(LineKind.ADD_STOCK, item, shelf=shelf, units=quantity, delta=quantity, user=keeper, actor=keeper, note=note)
    _stock_event("add_stock", item, keeper, units=quantity)
    db.session.commit()
    return item


def _check_item_fields(fields: dict) -> None:
    if fields.get("category") == Category.MEDICINE.value and not fields.get("expires_on"):
        raise BadRequest(_l("Medicine needs the expiry date printed on the box."))
    if fields.get("expires_on") and fields["expires_on"] < local_today():
        raise BadRequest(_l("This has expired; it cannot go on the shelf."))


def add_stock(keeper: User, item_id: int, quantity: int, *, note: str = "") -> RegisterLine:
    """More of an item the keepers bought or were given directly."""
    _check_quantity(quantity)
    item = item_for(keeper, item_id)
    require_keeper(keeper, item.shelf)
    item = _lock_item(item.id)
    if is_expired(item):
        db.session.rollback()
        raise Conflict(_l("This item has expired; put the new batch on the shelf as a new item."))
    _change_stock(item, quantity=quantity)
    line = _line(LineKind.ADD_STOCK, item, shelf=item.shelf, units=quantity, delta=quantity, user=keeper, actor=keeper,
                 note=note)
    _stock_event("add_stock", item, keeper, units=quantity)
    db.session.commit()
    return line


def correct(keeper: User, item_id: int, counted: int, *, note: str) -> RegisterLine:
    """A keeper counted the shelf: a correction line for the difference, never an edit of old lines."""
    if counted is None or counted < 0:
        raise BadRequest(_l("Please give a number of at least 0."))
    if not (note or "").strip():
        raise BadRequest(_l("Please say why the count changed."))
    item = item_for(keeper, item_id)
    require_keeper(keeper, item.shelf)
    item = _lock_item(item.id)
    if counted < item.reserved:
        db.session.rollback()
        raise Conflict(_l("%(n)s are reserved for deliveries; the count cannot be lower than that.", n=item.reserved))
    delta = counted - item.quantity
    if delta == 0:
        db.session.rollback()
        raise BadRequest(_l("That is what the register says already; nothing to correct."))
    _change_stock(item, quantity=delta)
    line = _line(LineKind.CORRECTION, item, shelf=item.shelf, units=abs(delta), delta=delta, user=keeper, actor=keeper,
                 note=note.strip())
    _stock_event("correction", item, keeper, units=delta)
    db.session.commit()
    return line


def update_item(keeper: User, item_id: int, *, daily_limit: int | None, low_at: int, location: str = "") -> Item:
    """A keeper sets an item's household limit, its "running low" mark and its place; stock is untouched."""
    if (daily_limit is not None and daily_limit < 1) or low_at is None or low_at < 0:
        raise BadRequest(_l("Please give a number of at least 1."))
    item = item_for(keeper, item_id)
    require_keeper(keeper, item.shelf)
    item = _lock_item(item.id)
    item.daily_limit = daily_limit or None
    item.low_at = low_at
    item.location = (location or "").strip()
    _stock_event("item_updated", item, keeper, daily_limit=item.daily_limit, low_at=item.low_at)
    db.session.commit()
    return item


def remove_expired(keeper: User, item_id: int) -> RegisterLine:
    """Take expired stock off the shelf: a correction to zero, with the reason."""
    item = item_for(keeper, item_id)
    if not is_expired(item):
        raise Conflict(_l("This has not expired."))
    return correct(keeper, item_id, 0, note=_l("expired — removed"))


# Gifts: offered by anyone, checked in by a keeper before anyone can take them.

def offer_gift(giver: User, shelf: Shelf, *, quantity: int, **fields) -> Gift:
    """A resident offers things to a shelf; they wait for a keeper's check."""
    if shelf.community_id != giver.community_id:
        raise NotFound()
    _check_quantity(quantity)
    _check_item_fields(fields)
    gift = Gift(shelf_id=shelf.id, giver_id=giver.id, quantity=quantity, status=GiftStatus.PENDING.value,
                **{name: fields.get(name) for name in GIFT_FIELDS if name in fields})
    gift.unit = gift.unit or ""
    gift.note = gift.note or ""
    db.session.add(gift)
    db.session.flush()
    _line(LineKind.GIFT, None, shelf=shelf, units=quantity, user=giver, actor=giver, name=gift.name, unit=gift.unit,
          gift=gift, note=gift.note)
    record("box.gift_offered", community_id=shelf.community_id, actor=giver, shelf_id=shelf.id, gift_id=gift.id)
    db.session.commit()
    return gift


def _lock_gift(keeper: User, gift_id: int) -> Gift:
    gift = gift_for(keeper, gift_id)
    require_keeper(keeper, gift.shelf)
    stmt = select(Gift).where(Gift.id == gift.id).with_for_update(of=Gift).execution_options(populate_existing=True)
    gift = db.session.execute(stmt).scalar_one()
    if gift.status != GiftStatus.PENDING.value:
        db.session.rollback()
        raise Conflict(_l("Another keeper has already checked this in."))
    return gift


def _matching_item(gift: Gift) -> Item | None:
    """The same thing already on the shelf (same name, unit, expiry and tags): the gift joins its stock."""
    stmt = select(Item).where(
        Item.shelf_id == gift.shelf_id,
        func.lower(Item.name) == gift.name.strip().lower(),
        Item.category == gift.category,
        Item.unit == gift.unit,
        Item.expires_on.is_(None) if gift.expires_on is None else Item.expires_on == gift.expires_on,
        *[getattr(Item, tag) == getattr(gift, tag) for tag in Item.TAGS],
    )
    return db.session.scalars(stmt.order_by(Item.id)).first()


def accept_gift(keeper: User, gift_id: int) -> Item:
    """Check a gift in: it joins the stock, and the register names the giver and the keeper."""
    gift = _lock_gift(keeper, gift_id)
    if is_expired(gift):
        db.session.rollback()
        raise Conflict(_l("This has expired; reject it with the reason \u201cexpired\u201d."))
    if gift.category == Category.MEDICINE.value and gift.expires_on is None:
        db.session.rollback()
        raise Conflict(_l("Medicine without an expiry date cannot be handed out; reject it."))
    item = _matching_item(gift)
    if item is None:
        item = Item(shelf_id=gift.shelf_id, community_id=gift.shelf.community_id, quantity=0, reserved=0,
                    location="", **{name: getattr(gift, name) for name in ITEM_FIELDS if name != "location"})
        db.session.add(item)
        db.session.flush()
    else:
        item = _lock_item(item.id)
    _change_stock(item, quantity=gift.quantity)
    gift.status = GiftStatus.ACCEPTED.value
    gift.checked_by_id = keeper.id
    gift.checked_at = utcnow()
    gift.item_id = item.id
    _line(LineKind.GIFT_CHECKIN, item, shelf=item.shelf, units=gift.quantity, delta=gift.quantity, user=gift.giver,
          actor=keeper, gift=gift)
    _stock_event("checkin", item, keeper, units=gift.quantity, gift_id=gift.id, giver_id=gift.giver_id)
    db.session.commit()
    return item


REASONS = {reason.value for reason in RejectReason}


def reject_gift(keeper: User, gift_id: int, reason: str, *, note: str = "") -> Gift:
    """Refuse a gift (opened, expired, unsuitable): it never reaches the shelf; the register says why."""
    if reason not in REASONS:
        raise BadRequest(_l("Please choose a reason."))
    gift = _lock_gift(keeper, gift_id)
    gift.status = GiftStatus.REJECTED.value
    gift.reason = reason
    gift.checked_by_id = keeper.id
    gift.checked_at = utcnow()
    _line(LineKind.REJECT, None, shelf=gift.shelf, units=gift.quantity, user=gift.giver, actor=keeper, name=gift.name,
          unit=gift.unit, gift=gift, note=(note or "").strip()).reason = reason
    record("box.gift_rejected", community_id=gift.shelf.community_id, actor=keeper, shelf_id=gift.shelf_id,
           gift_id=gift.id, giver_id=gift.giver_id, reason=reason)
    db.session.commit()
    return gift


# Delivery to the door: units reserved at once, carried through the doorstep handoff of a need card.

CARD_CATEGORY = {Category.MEDICINE.value: Category.MEDICINE.value, Category.FOOD.value: Category.FOOD.value}


def _delivery_text(item: Item, shelf: Shelf, quantity: int) -> tuple[str, str]:
    """The need card's title and public details, in the language of whoever will read them first.

    The requester's note for whoever brings it is not among them: it goes to the card's door_note,
    shown with the door only.
    """
    title = _("Deliver %(amount)s of %(name)s from %(shelf)s to my door",
              amount=amount(quantity, item.unit), name=local(item.name), shelf=local(shelf.name))
    details = "\n".join((
        _("Collect it at: %(place)s", place=" · ".join(local(p) for p in (shelf.name, shelf.location, item.location) if p)),
        _("It is already set aside for me in the register."),
    ))
    return title, details


def request_delivery(user: User, item_id: int, quantity: int = 1, *, urgency: str = "normal", note: str = "",
                     for_person: Person | None = None) -> Delivery:
    """Reserve units for a resident who cannot come and post the need a neighbour fulfils.

    `for_person`: a volunteer or coordinator asks for someone without a phone; it goes to their door
    and counts against their household's daily limit.
    """
    _check_quantity(quantity)
    item = item_for(user, item_id)
    if for_person is not None and not (policy.may_post_on_behalf(user, item.community_id)
                                       and for_person.community_id == item.community_id):
        raise Forbidden()
    item = _lock_item(item.id)
    _refuse_expired(user, item)
    household_id = for_person.household_id if for_person is not None else user.membership.household_id
    _check_limit(household_id, item, quantity)
    _change_stock(item, reserved=quantity)
    shelf = item.shelf
    reader = user.locale or (str(get_locale()) if has_request_context() else current_app.config["BABEL_DEFAULT_LOCALE"])
    with force_locale(reader):
        title, details = _delivery_text(item, shelf, quantity)
    card = post_card(
        user, kind="need", commit=False, category=CARD_CATEGORY.get(item.category, Category.SUPPLIES.value),
        title=title[:120], details=details, quantity=quantity, unit=item.unit, urgency=urgency,
        for_pregnant=item.for_pregnant, for_child=item.for_child, sealed=item.sealed,
        medicine_expires_on=item.expires_on, for_person=for_person, intake="phone" if for_person else None,
        door_note=note,
    )
    delivery = Delivery(item_id=item.id, card_id=card.id, requester_id=user.id, quantity=quantity,
                        status=DeliveryStatus.RESERVED.value, created_at=utcnow())
    db.session.add(delivery)
    db.session.flush()
    # Not the note: keepers read the register, and the note may name the door.
    _line(LineKind.RESERVE, item, shelf=shelf, units=quantity, user=user, actor=user, delivery=delivery)
    _stock_event("reserve", item, user, units=quantity, card_id=card.id)
    db.session.commit()
    return delivery


def deliveries_for(user: User, item: Item) -> list[Delivery]:
    stmt = select(Delivery).where(Delivery.item_id == item.id, Delivery.requester_id == user.id,
                                  Delivery.status == DeliveryStatus.RESERVED.value)
    return list(db.session.scalars(stmt.order_by(Delivery.id)))


DELIVERED_KINDS = {"handoff.confirm_received", "handoff.receive_in_person"}
LAPSE_KINDS = {"card.withdraw", "card.cancel", "card.expire"}
LAPSE_STATUSES = {CardStatus.WITHDRAWN.value, CardStatus.CANCELLED.value, CardStatus.EXPIRED.value}


def on_event(_app, *, event: Event) -> None:
    """Settle a reservation when its card is received (stock leaves) or ends unfulfilled (back to stock).

    Connected to board.events.event_recorded: runs inside the card's own transaction, so the card's
    move and the shelf's register line commit together.
    """
    if event.card_id is None or event.kind.startswith("box."):
        return
    delivery = db.session.scalar(
        select(Delivery).where(Delivery.card_id == event.card_id, Delivery.status == DeliveryStatus.RESERVED.value)
    )
    if delivery is None:
        return
    card = db.session.get(Card, event.card_id)
    if card.status == CardStatus.RECEIVED.value or event.kind in DELIVERED_KINDS or event.to_status == "received":
        _settle_delivered(delivery, event)
    elif card.status in LAPSE_STATUSES or event.kind in LAPSE_KINDS:
        _settle_lapsed(delivery, event)


def _settle_delivered(delivery: Delivery, event: Event) -> None:
    item = _lock_item(delivery.item_id)
    _change_stock(item, quantity=-delivery.quantity, reserved=-delivery.quantity)
    delivery.status = DeliveryStatus.DELIVERED.value
    delivery.settled_at = utcnow()
    carrier = (event.data or {}).get("giver_id")
    if carrier is None and event.actor_id not in (None, delivery.requester_id):
        carrier = event.actor_id
    delivery.carried_by_id = carrier
    _line(LineKind.DELIVERED, item, shelf=item.shelf, units=delivery.quantity, delta=-delivery.quantity,
          user=delivery.requester, actor=event.actor, delivery=delivery, carried_by_id=carrier)
    _stock_event("delivered", item, event.actor, units=delivery.quantity, card_id=delivery.card_id)


def _settle_lapsed(delivery: Delivery, event: Event) -> None:
    item = _lock_item(delivery.item_id)
    _change_stock(item, reserved=-delivery.quantity)
    delivery.status = DeliveryStatus.LAPSED.value
    delivery.settled_at = utcnow()
    _line(LineKind.RESERVATION_LAPSED, item, shelf=item.shelf, units=delivery.quantity, user=delivery.requester,
          actor=event.actor, delivery=delivery, note=event.kind)
    _stock_event("lapsed", item, event.actor, units=delivery.quantity, card_id=delivery.card_id)


def lapse_overdue_reservations(community_id: int | None = None, limit: int = 200) -> int:
    """Reservations nobody matched in time: their cards expire, and the listener puts the units back."""
    cutoff = utcnow() - timedelta(hours=current_app.config["BOX_RESERVATION_HOURS"])
    stmt = (
        select(Card.id)
        .join(Delivery, Delivery.card_id == Card.id)
        .where(Delivery.status == DeliveryStatus.RESERVED.value, Delivery.created_at <= cutoff,
               Card.status == CardStatus.OPEN.value)
        .limit(limit)
    )
    if community_id is not None:
        stmt = stmt.where(Card.community_id == community_id)
    count = 0
    for card_id in db.session.scalars(stmt).all():
        card = db.session.get(Card, card_id)
        try:
            transitions.apply(card, "expire", None, reason="box_reservation_timeout")
        except Conflict:
            continue  # a neighbour matched it meanwhile: the delivery goes ahead
        count += 1
    return count


# The register.

def register_query(shelf: Shelf | None = None, *, user: User | None = None) -> Select:
    stmt = select(RegisterLine)
    if shelf is not None:
        stmt = stmt.where(RegisterLine.shelf_id == shelf.id)
    if user is not None:
        stmt = stmt.where(RegisterLine.community_id == user.community_id,
                          or_(RegisterLine.user_id == user.id, RegisterLine.carried_by_id == user.id))
    return stmt.order_by(RegisterLine.id.desc())


def register(viewer: User, shelf: Shelf, limit: int | None = None) -> list[RegisterLine]:
    """The shelf's full register, newest first: keepers and coordinators only."""
    require_keeper(viewer, shelf)
    stmt = register_query(shelf)
    if limit:
        stmt = stmt.limit(limit)
    return list(db.session.scalars(stmt))


def my_lines(user: User, limit: int = 200) -> list[RegisterLine]:
    """A resident's own lines on every shelf of their community: what they took, gave, carried."""
    return list(db.session.scalars(register_query(user=user).limit(limit)))
