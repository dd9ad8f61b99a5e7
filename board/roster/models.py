"""The care roster: care records, their callers and contacts, the append-only call log, who opened what."""
from __future__ import annotations

import enum
from datetime import date, datetime

from sqlalchemy import (
    JSON,
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
    event,
)
from sqlalchemy.orm import Mapped, Session, mapped_column, relationship

from board.extensions import db
from board.models import (
    PRIORITY_DISABLED,
    PRIORITY_ISOLATING,
    PRIORITY_NONE,
    PRIORITY_OVER_60_ALONE,
    PRIORITY_PREGNANT,
    PRIORITY_SMALL_CHILDREN,
    BigId,
    Household,
    User,
    utcnow,
)


class Reason(str, enum.Enum):
    """Why a household needs care (the issue's order)."""

    OVER_60_ALONE = "over_60_alone"
    CHILDREN_ELSEWHERE = "children_elsewhere"
    DISABLED = "disabled"
    PREGNANT = "pregnant"
    SMALL_CHILDREN = "small_children"
    ISOLATING = "isolating"
    CHRONIC_MEDICINE = "chronic_medicine"


# households.priority from the reasons (the highest wins); chronic medicine alone orders nothing.
REASON_PRIORITY = {
    Reason.OVER_60_ALONE.value: PRIORITY_OVER_60_ALONE,
    Reason.CHILDREN_ELSEWHERE.value: PRIORITY_OVER_60_ALONE,
    Reason.DISABLED.value: PRIORITY_DISABLED,
    Reason.PREGNANT.value: PRIORITY_PREGNANT,
    Reason.SMALL_CHILDREN.value: PRIORITY_SMALL_CHILDREN,
    Reason.ISOLATING.value: PRIORITY_ISOLATING,
    Reason.CHRONIC_MEDICINE.value: PRIORITY_NONE,
}


class Outcome(str, enum.Enum):
    REACHED = "reached"
    NO_ANSWER = "no_answer"
    MESSAGE = "message"
    VISITED = "visited"


SUCCESS = frozenset({Outcome.REACHED.value, Outcome.VISITED.value})


class Wellbeing(str, enum.Enum):
    BETTER = "better"
    SAME = "same"
    WORSE = "worse"


class LineKind(str, enum.Enum):
    CALL = "call"  # a check-in attempt: outcome, wellbeing
    NOTE = "note"  # a care note
    CORRECTION = "correction"  # corrects an earlier line (corrects_id): the earlier line stays
    STEP = "step"  # an escalation step (step), written by the system or a caller


class Step(enum.IntEnum):
    """The escalation ladder: each failed call, or each interval without a successful one, climbs one rung."""

    NONE = 0
    RETRY = 1  # try again after the community's retry time
    SECOND_CALLER = 2
    COORDINATOR = 3
    DOOR_KNOCK = 4  # an errand for a volunteer in the same building
    CONTACTS = 5  # the ranked contacts


class RosterSettings(db.Model):
    """The roster's settings per community (defaults from the app config when there is no row)."""

    __tablename__ = "roster_settings"

    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), primary_key=True)
    timezone: Mapped[str] = mapped_column(String(60), default="Asia/Shanghai")
    lock_minutes: Mapped[int] = mapped_column(Integer, default=30)
    retry_minutes: Mapped[int] = mapped_column(Integer, default=120)  # no answer: try again after this long
    step_minutes: Mapped[int] = mapped_column(Integer, default=60)  # each further rung after this long


class CareRecord(db.Model):
    """Why a household needs care and how to reach it, with its call schedule. Coordinators and its callers only."""

    __tablename__ = "roster_records"
    __table_args__ = (
        Index("ix_roster_records_due", "community_id", "active", "next_due_at"),
        CheckConstraint("cadence_days >= 1 AND cadence_days <= 60", name="cadence_range"),
        CheckConstraint("quiet_from >= 0 AND quiet_from < 1440 AND quiet_to >= 0 AND quiet_to < 1440",
                        name="quiet_range"),
        CheckConstraint("step >= 0 AND step <= 5", name="step_range"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"), unique=True)
    reasons: Mapped[list] = mapped_column(JSON, default=list)
    isolating_until: Mapped[date | None] = mapped_column(Date)
    medicines: Mapped[str] = mapped_column(String(300), default="")  # chronic medicine by name
    language: Mapped[str] = mapped_column(String(60), default="")  # language or dialect
    consent_by: Mapped[str] = mapped_column(String(120), default="")  # who agreed: "she herself", "her son"
    consent_recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    consent_at: Mapped[datetime | None] = mapped_column(DateTime)
    # The schedule, in the community's local time: every `cadence_days` from the last successful contact,
    # never inside the quiet hours (minutes after local midnight; from == to: none).
    cadence_days: Mapped[int] = mapped_column(SmallInteger, default=3)
    quiet_from: Mapped[int] = mapped_column(SmallInteger, default=21 * 60)
    quiet_to: Mapped[int] = mapped_column(SmallInteger, default=8 * 60)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    last_success_at: Mapped[datetime | None] = mapped_column(DateTime)
    next_due_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)  # UTC, kept for the list's order
    step: Mapped[int] = mapped_column(SmallInteger, default=0)  # where on the escalation ladder (Step)
    step_due_at: Mapped[datetime | None] = mapped_column(DateTime)  # the next rung, if nobody gets through
    # The call list's lock: one caller at a time until it runs out.
    locked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    locked_until: Mapped[datetime | None] = mapped_column(DateTime)
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow, onupdate=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    household: Mapped[Household] = relationship(lazy="joined")
    consent_recorded_by: Mapped[User | None] = relationship(foreign_keys=[consent_recorded_by_id])
    locked_by: Mapped[User | None] = relationship(foreign_keys=[locked_by_id])
    callers: Mapped[list[RosterCaller]] = relationship(
        back_populates="record", order_by="RosterCaller.rank", cascade="all, delete-orphan", lazy="selectin")
    contacts: Mapped[list[CareContact]] = relationship(
        back_populates="record", order_by="CareContact.rank", cascade="all, delete-orphan", lazy="selectin")

    @property
    def caller_ids(self) -> list[int]:
        return [c.user_id for c in self.callers]

    def is_caller(self, user: User | None) -> bool:
        return user is not None and user.id in self.caller_ids

    def priority(self, today: date) -> int:
        """households.priority from this record: its highest reason; isolating counts until its date."""
        if not self.active:
            return PRIORITY_NONE
        reasons = [r for r in (self.reasons or [])
                   if r != Reason.ISOLATING.value or self.isolating_until is None or self.isolating_until >= today]
        return max((REASON_PRIORITY.get(r, PRIORITY_NONE) for r in reasons), default=PRIORITY_NONE)


class RosterCaller(db.Model):
    """A caller assigned to a household: rank 1 calls first, rank 2 is the second caller of the ladder."""

    __tablename__ = "roster_callers"

    record_id: Mapped[int] = mapped_column(ForeignKey("roster_records.id", ondelete="CASCADE"), primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True)
    rank: Mapped[int] = mapped_column(SmallInteger, default=1)

    record: Mapped[CareRecord] = relationship(back_populates="callers")
    user: Mapped[User] = relationship(lazy="joined")


class CareContact(db.Model):
    """Someone to call when the household cannot be reached: a son in another city, a neighbour."""

    __tablename__ = "roster_contacts"

    id: Mapped[int] = mapped_column(primary_key=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("roster_records.id", ondelete="CASCADE"), index=True)
    rank: Mapped[int] = mapped_column(SmallInteger, default=1)
    name: Mapped[str] = mapped_column(String(60))
    relation: Mapped[str] = mapped_column(String(60), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")

    record: Mapped[CareRecord] = relationship(back_populates="contacts")


class CareLine(db.Model):
    """One line of a household's care history: a call, a note, a correction, an escalation step. Append-only."""

    __tablename__ = "roster_lines"
    __table_args__ = (Index("ix_roster_lines_record_id_id", "record_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("roster_records.id", ondelete="CASCADE"))
    household_id: Mapped[int] = mapped_column(ForeignKey("households.id"))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    outcome: Mapped[str] = mapped_column(String(20), default="")
    wellbeing: Mapped[str] = mapped_column(String(10), default="")
    step: Mapped[int] = mapped_column(SmallInteger, default=0)
    text: Mapped[str] = mapped_column(Text, default="")
    corrects_id: Mapped[int | None] = mapped_column(ForeignKey("roster_lines.id"))
    card_id: Mapped[int | None] = mapped_column(ForeignKey("cards.id", ondelete="SET NULL"))  # the need or errand
    created_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)
    erased_at: Mapped[datetime | None] = mapped_column(DateTime)

    author: Mapped[User | None] = relationship(lazy="joined")


class RecordOpening(db.Model):
    """Who opened a care record, and when: coordinators read this log. Append-only."""

    __tablename__ = "roster_openings"
    __table_args__ = (Index("ix_roster_openings_record_id_id", "record_id", "id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    community_id: Mapped[int] = mapped_column(ForeignKey("communities.id", ondelete="CASCADE"), index=True)
    record_id: Mapped[int] = mapped_column(ForeignKey("roster_records.id", ondelete="CASCADE"))
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    opened_at: Mapped[datetime] = mapped_column(DateTime, default=utcnow)

    user: Mapped[User | None] = relationship(lazy="joined")


class AppendOnly(Exception):
    """A line of the care history or of the openings log was to be changed or deleted."""


# Erasing a person blanks a line's text and marks it erased: the one change a line ever takes.
_ERASABLE = {"text", "erased_at", "author_id"}


@event.listens_for(Session, "before_flush")
def _append_only(session: Session, flush_context, instances) -> None:
    """The care history and the openings log only grow: an update (other than erasure) or a delete is refused."""
    for obj in session.deleted:
        if isinstance(obj, (CareLine, RecordOpening)):
            raise AppendOnly(f"{type(obj).__name__} rows are never deleted")
    for obj in session.dirty:
        if isinstance(obj, RecordOpening) and session.is_modified(obj):
            raise AppendOnly("roster_openings rows are never changed")
        if isinstance(obj, CareLine) and session.is_modified(obj):
            state = db.inspect(obj)
            changed = {attr.key for attr in state.attrs if attr.history.has_changes()}
            if not changed <= _ERASABLE or obj.erased_at is None:
                raise AppendOnly("roster_lines rows are never changed: a correction is a new line")


@event.listens_for(Session, "do_orm_execute")
def _no_bulk_rewrite(state) -> None:
    """Nor through an ORM bulk UPDATE or DELETE, unless it is erasure (execution option `roster_erasure`).

    Plain table statements (the tests emptying every table, a cascade from a deleted community) are not ORM
    statements and pass."""
    if not (state.is_update or state.is_delete) or state.execution_options.get("roster_erasure"):
        return
    mapper = state.bind_mapper
    if mapper is not None and mapper.class_ in (CareLine, RecordOpening):
        raise AppendOnly(f"{mapper.local_table.name} rows are never changed or deleted")
