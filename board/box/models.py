"""Shared stock: shelves and their keepers, items, gifts awaiting check-in, deliveries, the register."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    Text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models import BigId, User, utcnow


class LineKind(str, enum.Enum):
    """What one register line records; `delta` is the change to the units on the shelf."""

    TAKE = "take"
    GIFT = "gift"  # offered, not yet checked: no change to stock
    GIFT_CHECKIN = "gift_checkin"
    REJECT = "reject"
    ADD_STOCK = "add_stock"
    CORRECTION = "correction"
    RESERVE = "reserve"
    DELIVERED = "delivered"
    RESERVATION_LAPSED = "reservation_lapsed"


class GiftStatus(str, enum.Enum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    REJECTED = "rejected"


class DeliveryStatus(str, enum.Enum):
    RESERVED = "reserved"
    DELIVERED = "delivered"
    LAPSED = "lapsed"


class RejectReason(str, enum.Enum):
    OPENED = "opened"
    EXPIRED = "expired"
    UNSUITABLE = "unsuitable"


shelf_keepers = Table(
    "box_shelf_keepers",
    db.metadata,
    Column("shelf_id", ForeignKey("box_shelves.id", ondelete="CASCADE"), primary_key=True),
    Column("user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class Shelf(db.Model):
    """A place residents take from and give to: a medicine box, a love corner."""

    __tablename__ = "box_shelves"

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    location: Mapped[str] = mapped_column(String(120), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    keepers: Mapped[list[User]] = relationship(secondary=shelf_keepers, lazy="selectin", order_by="User.display_name")

    def is_keeper(self, user: User) -> bool:
        return any(keeper.id == user.id for keeper in self.keepers)


class Item(db.Model):
    """One kind of thing on a shelf; medicine with another expiry date is another item."""

    __tablename__ = "box_items"
    __table_args__ = (
        CheckConstraint("quantity >= 0", name="quantity_not_negative"),
        CheckConstraint("reserved >= 0", name="reserved_not_negative"),
        CheckConstraint("reserved <= quantity", name="reserved_within_quantity"),
        CheckConstraint("category <> 'medicine' OR expires_on IS NOT NULL", name="medicine_expiry"),
        CheckConstraint("daily_limit IS NULL OR daily_limit > 0", name="daily_limit_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("box_shelves.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer, default=0)  # units on the shelf, reserved ones included
    reserved: Mapped[int] = mapped_column(Integer, default=0)  # waiting for a neighbour to carry them
    unit: Mapped[str] = mapped_column(String(20), default="")
    location: Mapped[str] = mapped_column(String(120), default="")  # where on the shelf
    for_pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    for_child: Mapped[bool] = mapped_column(Boolean, default=False)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_on: Mapped[date | None] = mapped_column(Date)
    daily_limit: Mapped[int | None] = mapped_column(Integer)  # per household per day; None: no limit
    low_at: Mapped[int] = mapped_column(Integer, default=2)  # "running low" at or below this many
    expired_flagged_at: Mapped[datetime | None] = mapped_column(DateTime)  # when keepers were first told
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    shelf: Mapped[Shelf] = relationship(lazy="joined")

    TAGS = ("for_pregnant", "for_child", "sealed")

    @property
    def available(self) -> int:
        return self.quantity - self.reserved

    @property
    def tags(self) -> list[str]:
        return [tag for tag in self.TAGS if getattr(self, tag)]


class Gift(db.Model):
    """Something a resident offers to a shelf; a keeper checks it in before anyone can take it."""

    __tablename__ = "box_gifts"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    shelf_id: Mapped[int] = mapped_column(ForeignKey("box_shelves.id", ondelete="CASCADE"), index=True)
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(120))
    category: Mapped[str] = mapped_column(String(20))
    quantity: Mapped[int] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20), default="")
    for_pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    for_child: Mapped[bool] = mapped_column(Boolean, default=False)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    expires_on: Mapped[date | None] = mapped_column(Date)
    note: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[str] = mapped_column(String(20), default=GiftStatus.PENDING.value)
    reason: Mapped[str | None] = mapped_column(String(20))
    checked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    checked_at: Mapped[datetime | None] = mapped_column(DateTime)
    item_id: Mapped[int | None] = mapped_column(ForeignKey("box_items.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    shelf: Mapped[Shelf] = relationship(lazy="joined")
    giver: Mapped[User] = relationship(foreign_keys=[giver_id], lazy="joined")

    TAGS = Item.TAGS

    @property
    def tags(self) -> list[str]:
        return [tag for tag in self.TAGS if getattr(self, tag)]


class Delivery(db.Model):
    """Units reserved for a resident who cannot come, carried to their door through a need card."""

    __tablename__ = "box_deliveries"
    __table_args__ = (CheckConstraint("quantity > 0", name="quantity_positive"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    item_id: Mapped[int] = mapped_column(ForeignKey("box_items.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), unique=True)
    requester_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    quantity: Mapped[int] = mapped_column(Integer)
    status: Mapped[str] = mapped_column(String(20), default=DeliveryStatus.RESERVED.value)
    carried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    settled_at: Mapped[datetime | None] = mapped_column(DateTime)

    item: Mapped[Item] = relationship(lazy="joined")
    requester: Mapped[User] = relationship(foreign_keys=[requester_id], lazy="joined")


class RegisterLine(db.Model):
    """One line of a shelf's register (登记本): appended, never edited; a miscount is a new line."""

    __tablename__ = "box_register"
    __table_args__ = (
        Index("ix_box_register_shelf_id_id", "shelf_id", "id"),
        Index("ix_box_register_user_id_created_at", "user_id", "created_at"),
        Index("ix_box_register_item_id_created_at", "item_id", "created_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    shelf_id: Mapped[int] = mapped_column(ForeignKey("box_shelves.id", ondelete="CASCADE"))
    item_id: Mapped[int | None] = mapped_column(ForeignKey("box_items.id", ondelete="SET NULL"))
    gift_id: Mapped[int | None] = mapped_column(ForeignKey("box_gifts.id", ondelete="SET NULL"))
    delivery_id: Mapped[int | None] = mapped_column(ForeignKey("box_deliveries.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(20))
    item_name: Mapped[str] = mapped_column(String(120))  # as it was called then
    unit: Mapped[str] = mapped_column(String(20), default="")
    units: Mapped[int] = mapped_column(Integer)  # how many units the line is about
    delta: Mapped[int] = mapped_column(Integer, default=0)  # change to the units on the shelf
    balance: Mapped[int | None] = mapped_column(Integer)  # units on the shelf after this line
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who took, gave, checked
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))  # who wrote the line
    carried_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    reason: Mapped[str | None] = mapped_column(String(20))  # why a gift was rejected
    note: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship(foreign_keys=[user_id], lazy="joined")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    carried_by: Mapped[User | None] = relationship(foreign_keys=[carried_by_id], lazy="joined")
