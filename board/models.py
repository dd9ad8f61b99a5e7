"""The community, its homes and residents, their cards, and the event log every change appends to."""
from __future__ import annotations

import enum
from datetime import date, datetime, timezone

from flask_login import UserMixin
from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from flask_babel import lazy_gettext as _l
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship
from sqlalchemy.sql.expression import true

from board.extensions import db

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit key for the log.
BigId = BigInteger().with_variant(Integer, "sqlite")


# Shown wherever an erased account's or person's name was (cards, timelines, the register, handoffs).
FORMER_RESIDENT = _l("a former resident")


def utcnow() -> datetime:
    """Naive UTC, the one form every timestamp is stored in on both databases."""
    return datetime.now(timezone.utc).replace(tzinfo=None)


class Role(str, enum.Enum):
    """What a member may do in a community; a membership holds any set of them (shelf keepers are per shelf)."""

    RESIDENT = "resident"
    VOLUNTEER = "volunteer"
    COORDINATOR = "coordinator"  # 网格员: a grid worker or building lead
    MODERATOR = "moderator"
    MERCHANT = "merchant"


class AgeGroup(str, enum.Enum):
    CHILD = "child"
    ADULT = "adult"
    OVER_60 = "over_60"
    OVER_80 = "over_80"


class Intake(str, enum.Enum):
    """How a card posted on someone's behalf reached the poster."""

    PHONE = "phone"
    IN_PERSON = "in_person"
    NEIGHBOUR = "neighbour"


class CardKind(str, enum.Enum):
    NEED = "need"
    OFFER = "offer"


class Category(str, enum.Enum):
    MEDICINE = "medicine"
    FOOD = "food"
    SUPPLIES = "supplies"
    ERRAND = "errand"
    CARE = "care"
    OTHER = "other"


class Urgency(str, enum.Enum):
    NORMAL = "normal"
    URGENT = "urgent"


class CardStatus(str, enum.Enum):
    """Where a card is in its life; the allowed moves between them are in board.cards.transitions."""

    OPEN = "open"
    MATCHED = "matched"
    LEFT_AT_DOOR = "left_at_door"
    RECEIVED = "received"
    UNCONFIRMED = "unconfirmed"  # left at the door, nobody confirmed; closed by the system after its waiting time
    WITHDRAWN = "withdrawn"
    CANCELLED = "cancelled"
    EXPIRED = "expired"
    DONE = "done"  # an offer whose whole quantity has been handed out


class HandoffStatus(str, enum.Enum):
    """Where one handoff (one helper for a need, one ask on an offer) is; moves in board.cards.transitions."""

    ASKED = "asked"  # an ask on an offer whose giver chooses among askers
    MATCHED = "matched"
    LEFT_AT_DOOR = "left_at_door"
    RECEIVED = "received"
    UNCONFIRMED = "unconfirmed"  # left at the door and never confirmed: closed by the system
    DECLINED = "declined"
    WITHDRAWN = "withdrawn"  # the giver stepped back
    CANCELLED = "cancelled"  # the receiver (or a coordinator) called it off
    RELEASED = "released"  # the receiver (or a coordinator) said this helper can't come: the need is open again
    LAPSED = "lapsed"  # not handed off in time


class Community(db.Model):
    __tablename__ = "communities"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    invite_code: Mapped[str] = mapped_column(String(32), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    buildings: Mapped[list[Building]] = relationship(
        back_populates="community", order_by="Building.name", cascade="all, delete-orphan"
    )


class Building(db.Model):
    __tablename__ = "buildings"
    __table_args__ = (UniqueConstraint("community_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(60))

    community: Mapped[Community] = relationship(back_populates="buildings")


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    # A login name or a phone number; not unique: registering must not tell anyone which logins exist, so a
    # login may be shared by a few accounts and the password tells them apart (board/auth/service.py).
    login: Mapped[str] = mapped_column(String(80), index=True)
    # Read through `display_name`, which says "a former resident" once the account is erased.
    _display_name: Mapped[str] = mapped_column("display_name", String(60))
    password_hash: Mapped[str] = mapped_column(String(255))
    locale: Mapped[str | None] = mapped_column(String(10))
    # Care mode (关怀版): 0 off, 1–3 larger text steps (board/care.py); visitors keep it in a cookie.
    care_level: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    # Bumped by a password change or "log out everywhere": every session and remember-me cookie
    # issued before carries the old number and no longer logs anyone in (board/auth/sessions.py).
    session_version: Mapped[int] = mapped_column(Integer, default=0, server_default="0")

    memberships: Mapped[list[Membership]] = relationship(
        back_populates="user", cascade="all, delete-orphan", lazy="selectin", order_by="Membership.id"
    )

    erased_at: Mapped[datetime | None] = mapped_column(DateTime)  # the account was deleted: personal data gone

    @hybrid_property
    def display_name(self) -> str:
        """The name neighbours see; "a former resident" (in the viewer's language) once erased."""
        return str(FORMER_RESIDENT) if self.erased_at is not None else self._display_name

    @display_name.inplace.setter
    def _display_name_setter(self, value: str) -> None:
        self._display_name = value

    @display_name.inplace.expression
    @classmethod
    def _display_name_expression(cls):
        return cls._display_name

    @property
    def membership(self) -> Membership | None:
        """The community this resident is acting in (one for now; the model allows several)."""
        return self.memberships[0] if self.memberships else None

    @property
    def community_id(self) -> int | None:
        return self.membership.community_id if self.membership else None

    @property
    def roles(self) -> frozenset[str]:
        """The roles held in the community this resident is acting in (board.policy asks this)."""
        return self.membership.roles if self.membership else frozenset()

    @property
    def household(self) -> Household | None:
        return self.membership.household if self.membership else None

    # The session's own token (board/auth/sessions.py), set when a session starts or is loaded;
    # Flask-Login stores get_id() in the session and the remember cookie, so neither is the bare id.
    login_token = None
    # The households this resident is one of the people of, read with the resident logged in
    # (board/auth/sessions.py); None for a user loaded any other way (board.policy reads them then).
    linked_households = None

    def get_id(self) -> str | None:
        return self.login_token

    def __eq__(self, other) -> bool:
        return isinstance(other, User) and self.id is not None and self.id == other.id

    def __ne__(self, other) -> bool:
        return not self.__eq__(other)

    __hash__ = object.__hash__


# Household.priority, from the reasons a home needs care (issue text order: the first comes first).
PRIORITY_NONE = 0
PRIORITY_ISOLATING = 1
PRIORITY_SMALL_CHILDREN = 2
PRIORITY_PREGNANT = 3
PRIORITY_DISABLED = 4
PRIORITY_OVER_60_ALONE = 5


class Household(db.Model):
    """One home (一户一档): a door in a building of a community, and the people who live behind it."""

    __tablename__ = "households"
    __table_args__ = (UniqueConstraint("community_id", "building_id", "unit"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"))
    unit: Mapped[str] = mapped_column(String(20))  # the door number: shown to the matched neighbour only
    # How vulnerable the home is, for ordering only (the board, the dispatch desk, the call list put higher
    # first): 0 none … PRIORITY_OVER_60_ALONE highest. Set from the care record; never shown, so nobody learns why.
    priority: Mapped[int] = mapped_column(SmallInteger, default=0, server_default="0")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    building: Mapped[Building] = relationship(lazy="joined")
    people: Mapped[list[Person]] = relationship(
        back_populates="household", order_by="Person.id", foreign_keys="Person.household_id"
    )


class Person(db.Model):
    """Someone who lives in a household, with a login account or without one (no phone, a child)."""

    __tablename__ = "people"
    __table_args__ = (UniqueConstraint("household_id", "user_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    _name: Mapped[str] = mapped_column("name", String(60))  # read through `name` (erased: "a former resident")
    contact: Mapped[str] = mapped_column(String(120), default="")  # "138…", "through the neighbour in 502", "knock"
    age_group: Mapped[str] = mapped_column(String(20), default="")
    language: Mapped[str] = mapped_column(String(40), default="")  # language or dialect: "Shanghainese"
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    household: Mapped[Household] = relationship(back_populates="people", lazy="joined", foreign_keys=[household_id])
    user: Mapped[User | None] = relationship(lazy="joined")

    @hybrid_property
    def name(self) -> str:
        return str(FORMER_RESIDENT) if self.erased_at is not None else self._name

    @name.inplace.setter
    def _name_setter(self, value: str) -> None:
        self._name = value

    @name.inplace.expression
    @classmethod
    def _name_expression(cls):
        return cls._name

    @property
    def has_login(self) -> bool:
        return self.user_id is not None


class MembershipRole(db.Model):
    """One role of one membership: a membership holds any set of them."""

    __tablename__ = "membership_roles"

    membership_id: Mapped[int] = mapped_column(ForeignKey("memberships.id", ondelete="CASCADE"), primary_key=True)
    role: Mapped[str] = mapped_column(String(20), primary_key=True)


class LoginSession(db.Model):
    """One logged-in phone or computer: logging out deletes its row, and its cookies stop working."""

    __tablename__ = "login_sessions"

    # SHA-256 of the secret part of the token: a copied database does not hand out sessions.
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)


class Membership(db.Model):
    """A resident's place in one community: their home (household) and their roles."""

    __tablename__ = "memberships"
    __table_args__ = (UniqueConstraint("user_id", "community_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User] = relationship(back_populates="memberships")
    community: Mapped[Community] = relationship(lazy="joined")
    household: Mapped[Household] = relationship(lazy="joined")
    # Joined into the memberships' own query: a viewer's roles cost no statement of their own.
    role_rows: Mapped[list[MembershipRole]] = relationship(
        lazy="joined", cascade="all, delete-orphan", order_by="MembershipRole.role"
    )

    @property
    def roles(self) -> frozenset[str]:
        return frozenset(row.role for row in self.role_rows)

    def set_roles(self, roles) -> None:
        wanted = {Role(r).value for r in roles}
        self.role_rows = [row for row in self.role_rows if row.role in wanted] + [
            MembershipRole(role=r) for r in sorted(wanted - self.roles)
        ]

    # The home, read through the household: one place holds the door number.
    @property
    def building(self) -> Building:
        return self.household.building

    @property
    def building_id(self) -> int:
        return self.household.building_id

    @property
    def unit(self) -> str:
        return self.household.unit


class Card(db.Model):
    """A need or an offer in one building of one community."""

    __tablename__ = "cards"
    __table_args__ = (
        # The board's one query: open cards of a community, most pressing first, then newest.
        Index("ix_cards_board", "community_id", "status", "priority", "created_at", "id"),
        # The board's counts (board/live): open needs and offers, read from the index alone.
        Index("ix_cards_counts", "community_id", "status", "kind", "expires_at"),
        CheckConstraint("quantity IS NULL OR quantity > 0", name="quantity_positive"),
        CheckConstraint("quantity_left IS NULL OR quantity_left >= 0", name="quantity_left_not_negative"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    building_id: Mapped[int] = mapped_column(ForeignKey("buildings.id"), index=True)
    author_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)  # who posted it
    # The home it is for: the author's own, or the household of the person it was posted for.
    household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    # Posted on behalf of someone without a phone: for whom, and how the request came in.
    for_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"), index=True)
    intake: Mapped[str | None] = mapped_column(String(20))
    intake_note: Mapped[str | None] = mapped_column(String(120))  # who called: private like the person's name
    # For whoever brings it ("I am isolating, hang it on the handle"): people write their unit here, so it
    # is shown with the door only (board/cards/privacy.py), never in the card's public details.
    door_note: Mapped[str | None] = mapped_column(String(500))
    kind: Mapped[str] = mapped_column(String(10))
    category: Mapped[str] = mapped_column(String(20))
    title: Mapped[str] = mapped_column(String(120))
    details: Mapped[str] = mapped_column(Text, default="")
    quantity: Mapped[int | None] = mapped_column(Integer)
    unit: Mapped[str] = mapped_column(String(20), default="")
    urgency: Mapped[str] = mapped_column(String(10), default=Urgency.NORMAL.value)
    for_pregnant: Mapped[bool] = mapped_column(Boolean, default=False)
    for_child: Mapped[bool] = mapped_column(Boolean, default=False)
    for_elderly: Mapped[bool] = mapped_column(Boolean, default=False)
    sealed: Mapped[bool] = mapped_column(Boolean, default=False)
    medicine_expires_on: Mapped[date | None] = mapped_column(Date)
    # Offers: how many are still free to ask for (never below zero), and whether asks are accepted
    # in order (first come) or the giver chooses among askers.
    quantity_left: Mapped[int | None] = mapped_column(Integer)
    first_come: Mapped[bool] = mapped_column(Boolean, default=True, server_default=true())
    expires_at: Mapped[datetime] = mapped_column(DateTime)
    status: Mapped[str] = mapped_column(String(20), default=CardStatus.OPEN.value)
    priority: Mapped[int] = mapped_column(SmallInteger, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    # Bumped on every write: a second, stale write matches no row and becomes a friendly 409.
    version: Mapped[int] = mapped_column(Integer, default=1)

    author: Mapped[User] = relationship(foreign_keys=[author_id], lazy="joined")
    building: Mapped[Building] = relationship(lazy="joined")
    # Loaded when asked for: the board's public card never shows them (only pages for the people involved).
    household: Mapped[Household | None] = relationship()
    for_person: Mapped[Person | None] = relationship()

    __mapper_args__ = {"version_id_col": version}

    @property
    def on_behalf(self) -> bool:
        return self.for_person_id is not None

    TAGS = ("for_pregnant", "for_child", "for_elderly", "sealed")

    @property
    def is_vulnerable(self) -> bool:
        return self.for_pregnant or self.for_child or self.for_elderly

    @property
    def tags(self) -> list[str]:
        return [tag for tag in self.TAGS if getattr(self, tag)]

    def compute_priority(self, household_priority: int = 0) -> int:
        """Urgent before vulnerable before the rest; stored so the board query can use an index.

        A need of a household the care roster marks (households.priority > 0) counts as vulnerable: it comes
        first without a tag that says why."""
        vulnerable = self.is_vulnerable or (household_priority > 0 and self.kind == CardKind.NEED.value)
        return (2 if self.urgency == Urgency.URGENT.value else 0) + (1 if vulnerable else 0)


class Handoff(db.Model):
    """One giver, one receiver, one item (or k of an offer): matched, left at the door, received."""

    __tablename__ = "handoffs"
    __table_args__ = (
        # The lazy time-out check: matched handoffs past their due time.
        Index("ix_handoffs_status_due_at", "status", "due_at"),
        Index("ix_handoffs_status_left_at", "status", "left_at"),  # doorsteps nobody confirmed
        Index("ix_handoffs_giver_id_status", "giver_id", "status"),
        Index("ix_handoffs_receiver_id_status", "receiver_id", "status"),
        CheckConstraint("quantity > 0", name="quantity_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    card_id: Mapped[int] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    giver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    receiver_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    # The door it goes to: the receiving household (a need's household, or the asker's, or the person's asked for).
    receiver_household_id: Mapped[int | None] = mapped_column(ForeignKey("households.id"), index=True)
    for_person_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))  # an ask made on someone's behalf
    quantity: Mapped[int] = mapped_column(Integer, default=1)
    status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(String(200), default="")  # may name the door: private like the unit
    photo_name: Mapped[str | None] = mapped_column(String(80))  # a random file name under instance/photos/
    thanks: Mapped[str] = mapped_column(String(300), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    matched_at: Mapped[datetime | None] = mapped_column(DateTime)
    due_at: Mapped[datetime | None] = mapped_column(DateTime)
    left_at: Mapped[datetime | None] = mapped_column(DateTime)
    reminded_at: Mapped[datetime | None] = mapped_column(DateTime)  # "it is at your door": nobody confirmed yet
    received_at: Mapped[datetime | None] = mapped_column(DateTime)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    version: Mapped[int] = mapped_column(Integer, default=1)

    card: Mapped[Card] = relationship(lazy="joined", innerjoin=True)
    giver: Mapped[User] = relationship(foreign_keys=[giver_id], lazy="joined")
    receiver: Mapped[User] = relationship(foreign_keys=[receiver_id], lazy="joined")
    receiver_household: Mapped[Household | None] = relationship(lazy="joined")
    for_person: Mapped[Person | None] = relationship(lazy="joined")

    __mapper_args__ = {"version_id_col": version}

    ACTIVE = (HandoffStatus.MATCHED.value, HandoffStatus.LEFT_AT_DOOR.value)
    OPEN = (HandoffStatus.ASKED.value, *ACTIVE)

    @property
    def is_active(self) -> bool:
        """Matched or left at the door: the time when the two neighbours see each other's door."""
        return self.status in self.ACTIVE


class Event(db.Model):
    """One line of the append-only log: the audit trail and the live board are both read from it."""

    __tablename__ = "events"
    __table_args__ = (Index("ix_events_community_id_id", "community_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="CASCADE"), index=True)
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    kind: Mapped[str] = mapped_column(String(40))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str | None] = mapped_column(String(20))
    # Ids and short facts only: never a unit number, never HTML.
    data: Mapped[dict] = mapped_column(JSON, default=dict)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    actor: Mapped[User | None] = relationship(lazy="joined")
