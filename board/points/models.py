"""Volunteer points (志愿积分): accounts, the append-only double-entry ledger, the community's rules,
merchants' gifts and the codes issued when a volunteer redeems one."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    CheckConstraint,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    UniqueConstraint,
    event,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models import BigId, User, utcnow


class AccountKind(str, enum.Enum):
    """Whose points an account holds. `issued` is the community's source: its balance is minus every point
    ever put into the pool, so the sum over all accounts is always zero; it is the one account below zero."""

    ISSUED = "issued"
    POOL = "pool"  # the community's budget: points are earned from it
    VOLUNTEER = "volunteer"
    GIFT = "gift"  # a merchant's gift: what volunteers paid for it


class EntryKind(str, enum.Enum):
    FUND = "fund"  # issued → pool: a coordinator adds to the budget
    EARN = "earn"  # pool → volunteer: a confirmed handoff, errand or a check-in
    REDEEM = "redeem"  # volunteer → gift: a code issued
    REFUND = "refund"  # gift → volunteer: the code expired unused
    REVERSAL = "reversal"  # the opposite of an earlier entry: a coordinator's correction


class Reason(str, enum.Enum):
    """What points are earned for (the community's rules say how many)."""

    NEED_MET = "need_met"
    OFFER_GIVEN = "offer_given"
    ERRAND_COMPLETED = "errand_completed"
    CHECK_IN = "check_in"


class CodeStatus(str, enum.Enum):
    ISSUED = "issued"
    USED = "used"
    EXPIRED = "expired"


class Account(db.Model):
    __tablename__ = "points_accounts"
    __table_args__ = (
        UniqueConstraint("community_id", "owner", name="uq_points_accounts_owner"),
        # No balance below zero, asked of the database too; only the community's source is negative.
        CheckConstraint("kind = 'issued' OR balance >= 0", name="balance_not_negative"),
        CheckConstraint("kind <> 'issued' OR balance <= 0", name="issued_not_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(12))
    owner: Mapped[str] = mapped_column(String(30))  # "pool", "issued", "user:5", "gift:7": one account each
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("points_gifts.id", ondelete="CASCADE"), index=True)
    # Kept equal to the sum of the entries (in minus out) by the one function that writes entries.
    balance: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class Entry(db.Model):
    """One movement of points from one account to another. Never changed, never deleted: a mistake is
    put right by a reversing entry (`reverses_id`)."""

    __tablename__ = "points_entries"
    __table_args__ = (
        CheckConstraint("amount > 0", name="amount_positive"),
        CheckConstraint("from_account_id <> to_account_id", name="two_accounts"),
        # A handoff or a check-in earns once: a late "I have it" after the doorstep closed pays nothing more.
        UniqueConstraint("kind", "source", name="uq_points_entries_kind_source"),
        Index("ix_points_entries_to_created", "to_account_id", "created_at"),
        Index("ix_points_entries_from_created", "from_account_id", "created_at"),
        Index("ix_points_entries_community_kind_created", "community_id", "kind", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    kind: Mapped[str] = mapped_column(String(12))
    from_account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id", ondelete="CASCADE"))
    to_account_id: Mapped[int] = mapped_column(ForeignKey("points_accounts.id", ondelete="CASCADE"))
    amount: Mapped[int] = mapped_column(Integer)
    reason: Mapped[str] = mapped_column(String(20), default="")
    source: Mapped[str | None] = mapped_column(String(40))  # what earned it: "handoff:12", "event:345"
    # The event that earned it (a confirmation, a check-in), the code it paid for, the entry it reverses.
    event_id: Mapped[int | None] = mapped_column(ForeignKey("events.id", ondelete="SET NULL"), index=True)
    redemption_id: Mapped[int | None] = mapped_column(ForeignKey("points_redemptions.id", ondelete="SET NULL"),
                                                      index=True)
    reverses_id: Mapped[int | None] = mapped_column(ForeignKey("points_entries.id"), unique=True)
    # For the coordinators' flags: the helper's household and the household helped.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    other_household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id", ondelete="SET NULL"))
    # Hours a volunteer's record counts for it: from a shift, or the time from the match to the door.
    minutes: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    note: Mapped[str] = mapped_column(String(200), default="")
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    from_account: Mapped[Account] = relationship(foreign_keys=[from_account_id], lazy="joined")
    to_account: Mapped[Account] = relationship(foreign_keys=[to_account_id], lazy="joined")


# The ledger is append-only in the database as well as in the code: a direct UPDATE or DELETE of an entry
# fails. Only a whole community or account removed (the demo's reseed; ON DELETE CASCADE, a nested trigger
# on PostgreSQL, a change to no amount or account on SQLite) takes its lines with it.
APPEND_ONLY_PG = (
    """CREATE OR REPLACE FUNCTION points_entries_append_only() RETURNS trigger AS $$
BEGIN
  IF pg_trigger_depth() > 1 THEN
    IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
    RETURN NEW;
  END IF;
  RAISE EXCEPTION 'points_entries is append-only';
END; $$ LANGUAGE plpgsql""",
    """CREATE TRIGGER points_entries_append_only BEFORE UPDATE OR DELETE ON points_entries
FOR EACH ROW EXECUTE FUNCTION points_entries_append_only()""",
)
APPEND_ONLY_SQLITE = (
    """CREATE TRIGGER points_entries_append_only BEFORE UPDATE OF kind, from_account_id, to_account_id, amount,
reason, source, reverses_id, redemption_id ON points_entries BEGIN SELECT RAISE(ABORT, 'points_entries is append-only'); END""",
)
DROP_APPEND_ONLY_PG = ("DROP TRIGGER IF EXISTS points_entries_append_only ON points_entries",
                       "DROP FUNCTION IF EXISTS points_entries_append_only()")
DROP_APPEND_ONLY_SQLITE = ("DROP TRIGGER IF EXISTS points_entries_append_only",)
for _sql in APPEND_ONLY_PG:
    event.listen(Entry.__table__, "after_create", DDL(_sql).execute_if(dialect="postgresql"))
for _sql in APPEND_ONLY_SQLITE:
    event.listen(Entry.__table__, "after_create", DDL(_sql).execute_if(dialect="sqlite"))


class Settings(db.Model):
    """A community's rules: how many points for what, the daily cap, when to flag, how long a code lasts."""

    __tablename__ = "points_settings"
    __table_args__ = (
        CheckConstraint("need_met >= 0 AND offer_given >= 0 AND errand_completed >= 0 AND check_in >= 0",
                        name="rules_not_negative"),
        CheckConstraint("daily_cap >= 0 AND burst_count > 0 AND code_days > 0", name="limits_sane"),
    )

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    need_met: Mapped[int] = mapped_column(Integer, default=10)
    offer_given: Mapped[int] = mapped_column(Integer, default=5)
    errand_completed: Mapped[int] = mapped_column(Integer, default=15)
    check_in: Mapped[int] = mapped_column(Integer, default=5)
    daily_cap: Mapped[int] = mapped_column(Integer, default=50)
    burst_count: Mapped[int] = mapped_column(Integer, default=5)  # this many earnings within an hour: a flag
    code_days: Mapped[int] = mapped_column(Integer, default=7)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    def for_reason(self, reason: str) -> int:
        return int(getattr(self, Reason(reason).value))


class MerchantGift(db.Model):
    """Something a merchant gives for points: bottled water and snacks, a voucher."""

    __tablename__ = "points_gifts"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        CheckConstraint("stock >= 0", name="stock_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    merchant_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(String(300), default="")
    price: Mapped[int] = mapped_column(Integer)
    stock: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    merchant: Mapped[User] = relationship(lazy="joined")


class Redemption(db.Model):
    """A code issued for a gift: shown at the merchant's counter (typed or scanned), used once, or expired."""

    __tablename__ = "points_redemptions"
    __table_args__ = (
        CheckConstraint("price > 0", name="price_positive"),
        Index("ix_points_redemptions_status_expires", "status", "expires_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    gift_id: Mapped[int] = mapped_column(ForeignKey("points_gifts.id", ondelete="CASCADE"), index=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)
    price: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(10), default=CodeStatus.ISSUED.value)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    used_at: Mapped[datetime | None] = mapped_column(DateTime)
    used_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)  # used or expired

    gift: Mapped[MerchantGift] = relationship(lazy="joined")
    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined")
