"""A resident's notifications: one row per event that concerns them, read or not."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import DateTime, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models import BigId, Card, Event, User, utcnow


class Notification(db.Model):
    """Something that happened to one of my cards or handoffs; the text is drawn from `kind` when shown."""

    __tablename__ = "notifications"
    __table_args__ = (Index("ix_notifications_user_id_read_at", "user_id", "read_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("events.id", ondelete="CASCADE"), index=True)
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    # matched, left_at_door, not_there, received, timeout, expired, thanks, cancelled, asked, accepted,
    # declined; for keepers: gift_waiting, expired_stock
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(DateTime)

    card: Mapped[Card | None] = relationship(lazy="joined")
    actor: Mapped[User | None] = relationship(foreign_keys=[actor_id], lazy="joined")
    event: Mapped[Event] = relationship()

    @property
    def shelf_id(self) -> int | None:
        """The shelf a keeper's notification (a gift to check in, expired stock) is about."""
        return (self.event.data or {}).get("shelf_id") if self.card_id is None else None
