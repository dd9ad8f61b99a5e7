"""Errands (居民点单、志愿者接单): a need card with who runs it, from where, by when, how it is paid, and the money."""
from __future__ import annotations

import enum
from datetime import datetime

from flask import current_app
from sqlalchemy import CheckConstraint, DateTime, ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, foreign, mapped_column, relationship

from board.extensions import db
from board.models import PRIORITY_NONE, PRIORITY_OVER_60_ALONE, Card, Household, Person, User, utcnow
from board.volunteers.models import Team


class ErrandState(str, enum.Enum):
    """Where an errand is; the allowed moves are in board.errands.transitions."""

    WAITING = "waiting"  # in the desk's queue
    ASSIGNED = "assigned"  # a coordinator gave it to a volunteer, who has not accepted yet
    ACCEPTED = "accepted"  # the volunteer took it (claimed, or accepted an assignment): the card is matched
    ON_THE_WAY = "on_the_way"
    DELIVERED = "delivered"  # the card's handoff is left at the door, waiting for "I have it"
    COMPLETED = "completed"  # the card's handoff is received (or closed unconfirmed)
    PROBLEM = "problem"  # a failed outcome, on the problems list until a coordinator deals with it
    CLOSED = "closed"  # closed by a coordinator with a reason


OPEN_STATES = (ErrandState.ASSIGNED.value, ErrandState.ACCEPTED.value, ErrandState.ON_THE_WAY.value)
# A volunteer's open errands, counted against the community's limit.
HELD_STATES = OPEN_STATES


class Payment(str, enum.Enum):
    ON_DELIVERY = "on_delivery"
    REIMBURSED = "reimbursed"
    DONATED = "donated"


class Source(str, enum.Enum):
    RESIDENT = "resident"
    ON_BEHALF = "on_behalf"
    CHECK_IN = "check_in"
    DOOR_KNOCK = "door_knock"


class Outcome(str, enum.Enum):
    """A failed run (the problems list)."""

    NOT_HOME = "not_home"
    COULD_NOT_BUY = "could_not_buy"
    WRONG_ADDRESS = "wrong_address"
    REFUSED = "refused"


class Mode(str, enum.Enum):
    """How a community dispatches."""

    CLAIM = "claim"  # volunteers claim freely
    CLAIM_EXCEPT_VULNERABLE = "claim_except_vulnerable"  # vulnerable households: a coordinator assigns
    ASSIGN = "assign"  # coordinators assign everything


class Errand(db.Model):
    """One errand: it IS a need card (cards.id), run by one volunteer at a time through the card's handoff."""

    __tablename__ = "errands"
    __table_args__ = (
        Index("ix_errands_community_state", "community_id", "state"),
        Index("ix_errands_volunteer_state", "volunteer_id", "state"),
        CheckConstraint("budget IS NULL OR budget >= 0", name="budget_not_negative"),
        CheckConstraint("spent IS NULL OR spent > 0", name="spent_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), unique=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id", ondelete="SET NULL"))
    # Which team should do it (optional, one of the community's teams); a deleted team leaves it team-less.
    team_id: Mapped[int | None] = mapped_column(ForeignKey("teams.id", ondelete="SET NULL"), index=True)
    from_where: Mapped[str] = mapped_column(String(120), default="")
    due_by: Mapped[datetime | None] = mapped_column(DateTime)
    payment: Mapped[str] = mapped_column(String(20), default=Payment.ON_DELIVERY.value)
    budget: Mapped[int | None] = mapped_column(Integer)  # in fen (0.01 yuan)
    source: Mapped[str] = mapped_column(String(20), default=Source.RESIDENT.value)
    state: Mapped[str] = mapped_column(String(20), default=ErrandState.WAITING.value)
    volunteer_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    assigned_at: Mapped[datetime | None] = mapped_column(DateTime)
    accepted_at: Mapped[datetime | None] = mapped_column(DateTime)
    on_the_way_at: Mapped[datetime | None] = mapped_column(DateTime)
    delivered_at: Mapped[datetime | None] = mapped_column(DateTime)  # left at the door or handed over
    # An assignment not accepted, or an accepted errand not under way, by then goes back to the queue.
    respond_by: Mapped[datetime | None] = mapped_column(DateTime)
    outcome: Mapped[str | None] = mapped_column(String(20))  # the failed outcome on the problems list
    problem_note: Mapped[str] = mapped_column(String(200), default="")
    closed_reason: Mapped[str] = mapped_column(String(200), default="")
    spent: Mapped[int | None] = mapped_column(Integer)  # in fen, recorded by the volunteer
    spent_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    receipt_photo: Mapped[str | None] = mapped_column(String(80))  # under instance/photos/, stripped
    paid_back_at: Mapped[datetime | None] = mapped_column(DateTime)
    paid_back_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    card: Mapped[Card] = relationship(lazy="joined", innerjoin=True)
    household: Mapped[Household] = relationship(lazy="joined")
    person: Mapped[Person | None] = relationship()
    volunteer: Mapped[User | None] = relationship(foreign_keys=[volunteer_id])
    team: Mapped[Team | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def is_open(self) -> bool:
        return self.state in OPEN_STATES

    @property
    def owes(self) -> bool:
        """Money spent and not yet paid back (nothing is owed for a donated errand)."""
        return self.spent is not None and self.paid_back_at is None and self.payment != Payment.DONATED.value


# A need's errand, read with the card on its page (cards.service.card_for joins it): one statement
# fewer than asking for it while the buttons are drawn. Read-only: errands are written as Errand.
Card.errand = relationship(
    Errand, primaryjoin=Card.id == foreign(Errand.card_id), uselist=False, viewonly=True, lazy="select"
)


class ErrandSettings(db.Model):
    """A community's dispatch mode and how many open errands one volunteer may hold."""

    __tablename__ = "errand_settings"
    __table_args__ = (CheckConstraint("open_limit > 0", name="open_limit_positive"),)

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    mode: Mapped[str] = mapped_column(String(30), default=Mode.CLAIM.value)
    open_limit: Mapped[int] = mapped_column(Integer, default=3)


def settings_of(community_id: int) -> ErrandSettings:
    """The community's dispatch settings (the app's defaults until a coordinator changes them)."""
    found = db.session.get(ErrandSettings, community_id)
    if found is not None:
        return found
    cfg = current_app.config
    return ErrandSettings(community_id=community_id, mode=cfg["ERRAND_MODE"], open_limit=cfg["ERRAND_OPEN_LIMIT"])


def vulnerability(household: Household) -> int:
    """How far up the desk's queue a household goes: its priority (from the care roster), or over 60 living
    alone read from its people (one person, over 60 or 80). Never shown: it only orders."""
    people = [p for p in household.people if p.erased_at is None]
    alone_elder = len(people) == 1 and people[0].age_group in ("over_60", "over_80")
    return max(household.priority or PRIORITY_NONE, PRIORITY_OVER_60_ALONE if alone_elder else PRIORITY_NONE)
