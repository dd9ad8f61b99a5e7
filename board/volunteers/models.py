"""Volunteers: the community's teams, each volunteer's profile (status, teams, buildings, on duty), planned shifts."""
from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Column,
    ColumnElement,
    DateTime,
    ForeignKey,
    Index,
    String,
    Table,
    UniqueConstraint,
    and_,
    exists,
    or_,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from board.extensions import db
from board.models import Building, User, utcnow


class ProfileStatus(str, enum.Enum):
    """Where a volunteer's sign-up is; the moves between them are in board.volunteers.transitions."""

    APPLIED = "applied"
    APPROVED = "approved"
    PAUSED = "paused"
    DECLINED = "declined"


# The teams every community starts with (bilingual labels in board/volunteers/labels.py); coordinators add more.
DEFAULT_TEAMS = ("medicine", "groceries", "parcels_garbage", "calls_company", "doctor", "gate")


class Team(db.Model):
    """A team by speciality in one community: medicine runs, groceries, a doctor's questions, gate shifts…"""

    __tablename__ = "teams"
    __table_args__ = (UniqueConstraint("community_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    key: Mapped[str] = mapped_column(String(40))  # a default team's key ("medicine"), or "custom-<n>"
    # Empty: the default team's label in the reader's language; a coordinator's rename or new team: as typed.
    name: Mapped[str] = mapped_column(String(60), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


volunteer_teams = Table(
    "volunteer_teams",
    db.metadata,
    Column("profile_id", ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("team_id", ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True, index=True),
)

volunteer_buildings = Table(
    "volunteer_buildings",
    db.metadata,
    Column("profile_id", ForeignKey("volunteer_profiles.id", ondelete="CASCADE"), primary_key=True),
    Column("building_id", ForeignKey("buildings.id", ondelete="CASCADE"), primary_key=True, index=True),
)


class VolunteerProfile(db.Model):
    """A resident's sign-up as a volunteer in one community, and what a coordinator decided."""

    __tablename__ = "volunteer_profiles"
    __table_args__ = (
        UniqueConstraint("community_id", "user_id"),
        Index("ix_volunteer_profiles_community_status", "community_id", "status", "on_duty"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    status: Mapped[str] = mapped_column(String(20), default=ProfileStatus.APPLIED.value)
    on_duty: Mapped[bool] = mapped_column(Boolean, default=False, server_default="0")
    availability: Mapped[str] = mapped_column(String(300), default="")  # "weekday evenings", "mornings before 9"
    contact: Mapped[str] = mapped_column(String(120), default="")  # a phone number: coordinators only
    applied_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    decided_at: Mapped[datetime | None] = mapped_column(DateTime)
    decided_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    on_duty_since: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    teams: Mapped[list[Team]] = relationship(secondary=volunteer_teams, lazy="selectin", order_by="Team.id")
    buildings: Mapped[list[Building]] = relationship(
        secondary=volunteer_buildings, lazy="selectin", order_by="Building.name"
    )

    @property
    def is_approved(self) -> bool:
        return self.status == ProfileStatus.APPROVED.value


class Shift(db.Model):
    """A planned turn: one volunteer, for one team (or any), from start to end (stored in UTC, shown local)."""

    __tablename__ = "volunteer_shifts"
    __table_args__ = (
        Index("ix_volunteer_shifts_community_times", "community_id", "starts_at", "ends_at"),
        Index("ix_volunteer_shifts_user_starts", "user_id", "starts_at"),
        CheckConstraint("ends_at > starts_at", name="ends_after_start"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"))
    starts_at: Mapped[datetime] = mapped_column(DateTime)
    ends_at: Mapped[datetime] = mapped_column(DateTime)
    planned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime)

    user: Mapped[User] = relationship(foreign_keys=[user_id], lazy="joined", innerjoin=True)
    team: Mapped[Team | None] = relationship(lazy="joined")

    @property
    def hours(self) -> float:
        return (self.ends_at - self.starts_at).total_seconds() / 3600


def on_duty_clause(community_id: int, at: datetime | None = None) -> ColumnElement[bool]:
    """A profile that is approved and on duty: its switch is on (now only), or `at` (default now, UTC) is inside
    one of its shifts. The one definition of "on duty" (who is on duty now, who may take from the desk's queue)."""
    moment = at or utcnow()
    in_shift = exists().where(
        Shift.user_id == VolunteerProfile.user_id, Shift.community_id == community_id,
        Shift.cancelled_at.is_(None), Shift.starts_at <= moment, Shift.ends_at > moment,
    )
    on = or_(VolunteerProfile.on_duty.is_(True), in_shift) if at is None else in_shift
    return and_(VolunteerProfile.community_id == community_id,
                VolunteerProfile.status == ProfileStatus.APPROVED.value, on)
