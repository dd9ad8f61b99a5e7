"""The rules of volunteer points: the ledger, earning, the community's rules, gifts, codes, corrections.

Every movement goes through `_move()`: it locks both accounts (in id order, so two movements never wait on
each other crosswise), refuses a balance below zero with a guarded UPDATE (the table's CHECK says the same),
and appends one entry. Nothing here updates or deletes an entry; a correction is a reversing entry.
"""
from __future__ import annotations

import secrets
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, or_, select, update
from sqlalchemy.dialects import postgresql, sqlite

from board import policy
from board.errors import Conflict, DomainError, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.models import Card, CardKind, Event, Handoff, Membership, User, utcnow
from board.points.models import (
    Account,
    AccountKind,
    CodeStatus,
    Entry,
    EntryKind,
    MerchantGift,
    Reason,
    Redemption,
    Settings,
)

COMPLETIONS = ("handoff.confirm_received", "handoff.receive_in_person", "handoff.close_unconfirmed")
CHECK_IN = "roster.call_logged"
SUCCESSFUL_CALLS = ("reached", "visited")
MAX_MINUTES = 180  # one handoff counts at most 3 hours on a volunteer's record
CODE_ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I/L: read aloud at a counter
CODE_LENGTH = 8

NOT_ENOUGH = _l("Not enough points for this gift. Nothing was taken.")
NONE_LEFT = _l("None of this gift is left: someone was quicker. Nothing was taken.")
NOT_OFFERED = _l("This gift is not offered at the moment.")
ALREADY_USED = _l("This code has already been used.")
CODE_EXPIRED = _l("This code has expired; its points went back to the volunteer.")
NO_SUCH_CODE = _l("No code like this for your gifts. Please check the letters.")
ALREADY_REVERSED = _l("This line has already been corrected.")
NOT_REVERSIBLE = _l("Only earned points and additions to the pool can be corrected here.")
SPENT = _l("These points have been spent already, so they cannot be taken back.")
POOL_EMPTY = _l("The pool has fewer points than that.")


class BadRequest(DomainError):
    status = 400


# Time.

def local_now() -> datetime:
    return datetime.now(timezone.utc).astimezone(ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"]))


def start_of_local_day() -> datetime:
    """Midnight today, local time, as naive UTC (the daily cap counts a local day)."""
    midnight = local_now().replace(hour=0, minute=0, second=0, microsecond=0)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


# Rules.

def settings_for(community_id: int) -> Settings:
    """The community's rules (the defaults until a coordinator saves them)."""
    found = db.session.get(Settings, community_id)
    if found is not None:
        return found
    defaults = current_app.config.get("POINTS_DEFAULTS", {})
    fields = {c.name: c.default.arg for c in Settings.__table__.columns if c.default is not None
              and not callable(c.default.arg)}
    fields.update(defaults)
    fields.pop("updated_at", None)
    return Settings(community_id=community_id, **fields)


RULE_FIELDS = ("need_met", "offer_given", "errand_completed", "check_in", "daily_cap", "burst_count", "code_days")


def update_settings(coordinator: User, **values: int) -> Settings:
    """A coordinator sets how many points for what, the daily cap, the flag and how long a code lasts."""
    community_id = coordinator.community_id
    if not policy.may_edit_point_rules(coordinator, community_id):
        raise Forbidden()
    row = db.session.get(Settings, community_id)
    if row is None:
        row = settings_for(community_id)
        db.session.add(row)
    for name in RULE_FIELDS:
        value = int(values[name])
        if value < (1 if name in ("burst_count", "code_days") else 0) or value > 100_000:
            raise BadRequest()
        setattr(row, name, value)
    db.session.flush()
    record("points.rules_changed", community_id=community_id, actor=coordinator,
           **{name: getattr(row, name) for name in RULE_FIELDS})
    db.session.commit()
    return row


# Accounts.

def _owner(kind: AccountKind, user_id: int | None, gift_id: int | None) -> str:
    if kind == AccountKind.VOLUNTEER:
        return f"user:{user_id}"
    if kind == AccountKind.GIFT:
        return f"gift:{gift_id}"
    return kind.value


def account_for(community_id: int, kind: AccountKind, *, user_id: int | None = None,
                gift_id: int | None = None) -> Account:
    """The account, created on first use (two transactions creating it at once make one)."""
    owner = _owner(kind, user_id, gift_id)
    found = db.session.scalar(select(Account).where(Account.community_id == community_id, Account.owner == owner))
    if found is not None:
        return found
    dialect = postgresql if db.engine.dialect.name == "postgresql" else sqlite
    stmt = dialect.insert(Account).values(community_id=community_id, kind=kind.value, owner=owner, user_id=user_id,
                                          gift_id=gift_id, balance=0).on_conflict_do_nothing()
    db.session.execute(stmt)
    return db.session.scalar(select(Account).where(Account.community_id == community_id, Account.owner == owner))


def volunteer_account(user: User | int, community_id: int) -> Account:
    user_id = user if isinstance(user, int) else user.id
    return account_for(community_id, AccountKind.VOLUNTEER, user_id=user_id)


def balance_of(user: User, community_id: int | None = None) -> int:
    community_id = community_id or user.community_id
    value = db.session.scalar(select(Account.balance).where(
        Account.community_id == community_id, Account.owner == f"user:{user.id}"))
    return int(value or 0)


def _lock(*accounts: Account) -> None:
    """Row locks on the accounts, always in id order; their balances re-read."""
    ids = sorted({a.id for a in accounts})
    stmt = select(Account).where(Account.id.in_(ids)).order_by(Account.id).with_for_update()
    db.session.execute(stmt.execution_options(populate_existing=True)).scalars().all()


def _move(kind: EntryKind, payer: Account, target: Account, amount: int, *, reason: str = "",
          actor: User | None = None, **fields) -> Entry:
    """Move `amount` > 0 from one account to the other; Conflict when the source has too few (no rollback)."""
    if amount <= 0 or payer.id == target.id:
        raise BadRequest()
    debit = (
        update(Account)
        .where(Account.id == payer.id, or_(Account.kind == AccountKind.ISSUED.value, Account.balance >= amount))
        .values(balance=Account.balance - amount)
        .execution_options(synchronize_session=False)
    )
    if db.session.execute(debit).rowcount != 1:
        raise Conflict(NOT_ENOUGH)
    credit = update(Account).where(Account.id == target.id).values(balance=Account.balance + amount)
    db.session.execute(credit.execution_options(synchronize_session=False))
    entry = Entry(community_id=payer.community_id, kind=kind.value, from_account_id=payer.id,
                  to_account_id=target.id, amount=amount, reason=reason,
                  created_by_id=actor.id if actor is not None else None, **fields)
    db.session.add(entry)
    db.session.flush()
    db.session.refresh(payer)
    db.session.refresh(target)
    return entry


def refuse_changes(session, _flush_context, _instances) -> None:
    """The ORM's half of append-only: an entry is never updated or deleted (the database refuses too)."""
    for obj in list(session.dirty) + list(session.deleted):
        if isinstance(obj, Entry) and (obj in session.deleted or session.is_modified(obj)):
            raise RuntimeError("points_entries is append-only: write a reversing entry instead")


# The pool.

def fund_pool(coordinator: User, amount: int, *, note: str = "") -> Entry:
    """A coordinator adds points to the community's pool (the budget volunteers earn from)."""
    community_id = coordinator.community_id
    if not policy.may_correct_points(coordinator, community_id):
        raise Forbidden()
    if amount <= 0 or amount > 1_000_000:
        raise BadRequest()
    issued = account_for(community_id, AccountKind.ISSUED)
    pool = account_for(community_id, AccountKind.POOL)
    _lock(issued, pool)
    entry = _move(EntryKind.FUND, issued, pool, amount, actor=coordinator, note=note[:200])
    record("points.funded", community_id=community_id, actor=coordinator, entry_id=entry.id, amount=amount)
    db.session.commit()
    return entry


def pool_balance(community_id: int) -> int:
    value = db.session.scalar(select(Account.balance).where(Account.community_id == community_id,
                                                            Account.owner == AccountKind.POOL.value))
    return int(value or 0)


# Earning.

def _is_errand(card_id: int) -> bool:
    """An errand is a need card with an `errands` row (board/errands); without that package, none is."""
    table = db.metadata.tables.get("errands")
    if table is None or "card_id" not in table.c:
        return False
    return db.session.execute(select(table.c.card_id).where(table.c.card_id == card_id).limit(1)).first() is not None


def on_event(_app, *, event: Event) -> None:
    """Earn when the receiver confirms (or the system closes a doorstep), and for a successful check-in.

    Connected to board.events.event_recorded: the entry commits with the confirmation, or neither does.
    """
    data = event.data or {}
    if event.kind in COMPLETIONS and data.get("handoff_id"):
        handoff = db.session.get(Handoff, int(data["handoff_id"]))
        card = db.session.get(Card, event.card_id) if event.card_id else None
        if handoff is None or card is None:
            return
        if _is_errand(card.id):
            reason = Reason.ERRAND_COMPLETED
        else:
            reason = Reason.NEED_MET if card.kind == CardKind.NEED.value else Reason.OFFER_GIVEN
        until = handoff.left_at or handoff.received_at or utcnow()
        start = handoff.matched_at or handoff.created_at or until
        minutes = max(0, min(MAX_MINUTES, int((until - start).total_seconds() // 60)))
        earn(event, handoff.giver_id, reason, source=f"handoff:{handoff.id}",
             other_household_id=handoff.receiver_household_id, minutes=minutes)
    elif event.kind == CHECK_IN and data.get("outcome") in SUCCESSFUL_CALLS and data.get("caller_id"):
        earn(event, int(data["caller_id"]), Reason.CHECK_IN, source=f"event:{event.id}",
             other_household_id=data.get("household_id"))


def _home_of(user_id: int, community_id: int) -> int | None:
    return db.session.scalar(select(Membership.household_id).where(
        Membership.user_id == user_id, Membership.community_id == community_id))


def earn(event: Event, user_id: int, reason: Reason, *, source: str, other_household_id: int | None = None,
         minutes: int = 0) -> Entry | None:
    """Pay the community's rule for `reason` from the pool, within the daily cap and what the pool holds."""
    community_id = event.community_id
    home = _home_of(user_id, community_id)
    if home is None or (other_household_id is not None and int(other_household_id) == home):
        return None  # not a member, or their own home: nobody earns for that
    if db.session.scalar(select(Entry.id).where(Entry.kind == EntryKind.EARN.value, Entry.source == source)):
        return None  # earned already (a late confirmation after the doorstep closed by itself)
    rules = settings_for(community_id)
    pool = account_for(community_id, AccountKind.POOL)
    mine = volunteer_account(user_id, community_id)
    _lock(pool, mine)  # the volunteer's row lock also serialises the daily cap's count
    earned_today = db.session.scalar(select(func.coalesce(func.sum(Entry.amount), 0)).where(
        Entry.to_account_id == mine.id, Entry.kind == EntryKind.EARN.value,
        Entry.created_at >= start_of_local_day()))
    amount = min(rules.for_reason(reason.value), max(0, rules.daily_cap - int(earned_today)), pool.balance)
    if amount <= 0:
        record("points.not_earned", community_id=community_id, user_id=user_id, reason=reason.value,
               source_event_id=event.id, why="pool_empty" if pool.balance <= 0 else "cap_or_rule")
        return None
    entry = _move(EntryKind.EARN, pool, mine, amount, reason=reason.value, event_id=event.id, source=source,
                  household_id=home,
                  other_household_id=int(other_household_id) if other_household_id is not None else None,
                  minutes=minutes)
    record("points.earned", community_id=community_id, user_id=user_id, amount=amount, reason=reason.value,
           entry_id=entry.id, source_event_id=event.id)
    return entry


# Corrections.

def reverse(coordinator: User, entry_id: int, *, note: str) -> Entry:
    """A coordinator takes back earned points or a pool addition: a reversing entry, the original stays."""
    entry = db.session.get(Entry, entry_id)
    if entry is None or not policy.may_correct_points(coordinator, entry.community_id):
        raise NotFound()
    if entry.kind not in (EntryKind.EARN.value, EntryKind.FUND.value):
        raise Conflict(NOT_REVERSIBLE)
    if db.session.scalar(select(Entry.id).where(Entry.reverses_id == entry.id)) is not None:
        raise Conflict(ALREADY_REVERSED)
    source, target = entry.to_account, entry.from_account
    _lock(source, target)
    try:
        reversal = _move(EntryKind.REVERSAL, source, target, entry.amount, reason=entry.reason, actor=coordinator,
                         reverses_id=entry.id, note=note[:200])
    except Conflict:
        db.session.rollback()
        raise Conflict(SPENT) from None
    record("points.reversed", community_id=entry.community_id, actor=coordinator, entry_id=reversal.id,
           reverses_id=entry.id, amount=entry.amount)
    db.session.commit()
    return reversal


# Gifts.

def gifts(community_id: int, *, offered_only: bool = True) -> list[MerchantGift]:
    stmt = select(MerchantGift).where(MerchantGift.community_id == community_id)
    if offered_only:
        stmt = stmt.where(MerchantGift.active.is_(True))
    return list(db.session.scalars(stmt.order_by(MerchantGift.price, MerchantGift.id)))


def merchant_gifts(merchant: User) -> list[MerchantGift]:
    stmt = select(MerchantGift).where(MerchantGift.community_id == merchant.community_id,
                                      MerchantGift.merchant_id == merchant.id)
    return list(db.session.scalars(stmt.order_by(MerchantGift.id)))


def gift_for(viewer: User, gift_id: int) -> MerchantGift:
    gift = db.session.get(MerchantGift, gift_id)
    if gift is None or gift.community_id != viewer.community_id:
        raise NotFound()
    return gift


def create_gift(merchant: User, *, name: str, details: str = "", price: int, stock: int) -> MerchantGift:
    """A merchant lists a gift with its stock and its price in points."""
    if not policy.may_list_gifts(merchant, merchant.community_id):
        raise Forbidden()
    if price <= 0 or stock < 0:
        raise BadRequest()
    gift = MerchantGift(community_id=merchant.community_id, merchant_id=merchant.id, name=name.strip(),
                details=details.strip(), price=price, stock=stock, active=True)
    db.session.add(gift)
    db.session.flush()
    account_for(gift.community_id, AccountKind.GIFT, gift_id=gift.id)
    record("points.gift_listed", community_id=gift.community_id, actor=merchant, gift_id=gift.id,
           price=price, stock=stock)
    db.session.commit()
    return gift


def _lock_gift(gift_id: int) -> MerchantGift:
    stmt = select(MerchantGift).where(MerchantGift.id == gift_id).with_for_update(of=MerchantGift).execution_options(populate_existing=True)
    gift = db.session.scalar(stmt)
    if gift is None:
        raise NotFound()
    return gift


def update_gift(merchant: User, gift_id: int, *, price: int, stock: int, active: bool) -> MerchantGift:
    """The merchant changes the price, the stock on hand (a count, like a shelf's) or stops offering it."""
    gift = gift_for(merchant, gift_id)
    if not policy.may_keep_gift(merchant, gift):
        raise Forbidden()
    if price <= 0 or stock < 0:
        raise BadRequest()
    gift = _lock_gift(gift.id)
    gift.price, gift.stock, gift.active = price, stock, active
    record("points.gift_changed", community_id=gift.community_id, actor=merchant, gift_id=gift.id,
           price=price, stock=stock, active=active)
    db.session.commit()
    return gift


# Redeeming and using a code.

def new_code() -> str:
    return "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def clean_code(text: str) -> str:
    """What a merchant typed ("abcd-efgh", with spaces): the stored form, or "" when it cannot be one."""
    code = "".join(ch for ch in (text or "")[:40].upper() if ch.isascii() and ch.isalnum())
    return code if len(code) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in code) else ""


def show_code(code: str) -> str:
    return f"{code[:4]}-{code[4:]}"


def redeem(user: User, gift_id: int) -> Redemption:
    """A code for a gift: the stock goes down and the points move in one transaction; a 409 if too late."""
    gift = gift_for(user, gift_id)
    if not policy.may_redeem(user, gift.community_id):
        raise Forbidden()
    try:
        gift = _lock_gift(gift.id)  # first the gift's row: every redemption of it waits here in turn
        if not gift.active:
            raise Conflict(NOT_OFFERED)
        if gift.stock < 1:
            raise Conflict(NONE_LEFT)
        mine = volunteer_account(user, gift.community_id)
        target = account_for(gift.community_id, AccountKind.GIFT, gift_id=gift.id)
        _lock(mine, target)
        if mine.balance < gift.price:
            raise Conflict(NOT_ENOUGH)
        taken = (update(MerchantGift).where(MerchantGift.id == gift.id, MerchantGift.stock >= 1).values(stock=MerchantGift.stock - 1)
                 .execution_options(synchronize_session=False))
        if db.session.execute(taken).rowcount != 1:
            raise Conflict(NONE_LEFT)
        rules = settings_for(gift.community_id)
        redemption = Redemption(community_id=gift.community_id, gift_id=gift.id, user_id=user.id, code=new_code(),
                                price=gift.price, status=CodeStatus.ISSUED.value,
                                expires_at=utcnow() + timedelta(days=rules.code_days))
        db.session.add(redemption)
        db.session.flush()
        entry = _move(EntryKind.REDEEM, mine, target, gift.price, actor=user, redemption_id=redemption.id)
    except Conflict:
        db.session.rollback()
        raise
    record("points.redeemed", community_id=gift.community_id, actor=user, redemption_id=redemption.id,
           gift_id=gift.id, user_id=user.id, amount=gift.price, entry_id=entry.id)
    db.session.commit()
    return redemption


def my_codes(user: User) -> list[Redemption]:
    stmt = select(Redemption).where(Redemption.user_id == user.id, Redemption.community_id == user.community_id)
    return list(db.session.scalars(stmt.order_by(Redemption.id.desc()).limit(50)))


def code_for_owner(viewer: User, redemption_id: int) -> Redemption:
    redemption = db.session.get(Redemption, redemption_id)
    if redemption is None or redemption.user_id != viewer.id or redemption.community_id != viewer.community_id:
        raise NotFound()
    return redemption


def code_at_counter(merchant: User, text: str) -> Redemption:
    """The code as the merchant's counter sees it: only codes for that merchant's own gifts exist there."""
    if not policy.may_list_gifts(merchant, merchant.community_id):
        raise Forbidden()
    code = clean_code(text)
    redemption = db.session.scalar(select(Redemption).where(Redemption.code == code)) if code else None
    if redemption is None or not policy.may_keep_gift(merchant, redemption.gift):
        raise NotFound(NO_SUCH_CODE)
    return redemption


def is_past(redemption: Redemption) -> bool:
    return redemption.status == CodeStatus.ISSUED.value and redemption.expires_at <= utcnow()


def use_code(merchant: User, text: str) -> Redemption:
    """The merchant hands the gift over and marks the code used: once, and only before it expires."""
    redemption = code_at_counter(merchant, text)
    stmt = (select(Redemption).where(Redemption.id == redemption.id).with_for_update(of=Redemption)
            .execution_options(populate_existing=True))
    redemption = db.session.scalar(stmt)
    if redemption.status == CodeStatus.USED.value:
        db.session.rollback()
        raise Conflict(ALREADY_USED)
    if redemption.status == CodeStatus.EXPIRED.value or is_past(redemption):
        db.session.rollback()
        raise Conflict(CODE_EXPIRED)
    redemption.status = CodeStatus.USED.value
    redemption.used_at = redemption.settled_at = utcnow()
    redemption.used_by_id = merchant.id
    record("points.code_used", community_id=redemption.community_id, actor=merchant, redemption_id=redemption.id,
           gift_id=redemption.gift_id, user_id=redemption.user_id)
    db.session.commit()
    return redemption


def expire_codes(community_id: int | None = None, limit: int = 500) -> int:
    """Codes not used in time: the gift goes back into stock and the points back to the volunteer."""
    stmt = select(Redemption.id).where(Redemption.status == CodeStatus.ISSUED.value,
                                       Redemption.expires_at <= utcnow()).order_by(Redemption.id).limit(limit)
    if community_id is not None:
        stmt = stmt.where(Redemption.community_id == community_id)
    count = 0
    for redemption_id in db.session.scalars(stmt).all():
        gift_id = db.session.scalar(select(Redemption.gift_id).where(Redemption.id == redemption_id))
        gift = _lock_gift(gift_id)  # the gift first, as a redemption takes it
        redemption = db.session.scalar(select(Redemption).where(Redemption.id == redemption_id)
                                       .with_for_update(of=Redemption).execution_options(populate_existing=True))
        if redemption.status != CodeStatus.ISSUED.value:
            db.session.rollback()
            continue  # used at the counter meanwhile
        redemption.status = CodeStatus.EXPIRED.value
        redemption.settled_at = utcnow()
        gift.stock += 1
        source = account_for(gift.community_id, AccountKind.GIFT, gift_id=gift.id)
        target = volunteer_account(redemption.user_id, gift.community_id)
        _lock(source, target)
        entry = _move(EntryKind.REFUND, source, target, redemption.price, redemption_id=redemption.id)
        record("points.code_expired", community_id=gift.community_id, redemption_id=redemption.id, gift_id=gift.id,
               user_id=redemption.user_id, amount=redemption.price, entry_id=entry.id)
        db.session.commit()
        count += 1
    return count
