"""The care roster's rules: records and schedules, the call list and its locks, logging a call, the history."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import case, func, literal, or_, select, update

from board import policy
from board.cards.intake import take_call
from board.errors import Conflict, Forbidden, NotFound
from board.events import record as record_event
from board.extensions import db
from board.inputs import MAX_ID
from board.models import (
    Card,
    CardKind,
    CardStatus,
    Household,
    Membership,
    MembershipRole,
    Person,
    Role,
    Urgency,
    User,
    utcnow,
)
from board.roster import ladder, schedule
from board.roster.settings import errands_service, local_today, settings_for, zone_of
from board.roster.models import (
    SUCCESS,
    CareContact,
    CareLine,
    CareRecord,
    LineKind,
    Outcome,
    Reason,
    RecordOpening,
    RosterCaller,
    RosterSettings,
    Step,
    Wellbeing,
)


def save_settings(actor: User, *, timezone: str, lock_minutes: int, retry_minutes: int, step_minutes: int) -> None:
    """A coordinator sets the roster's times for the community; commits."""
    if not policy.may_keep_roster(actor, actor.community_id):
        raise Forbidden()
    found = db.session.get(RosterSettings, actor.community_id)
    if found is None:
        found = RosterSettings(community_id=actor.community_id)
        db.session.add(found)
    found.timezone, found.lock_minutes = timezone, lock_minutes
    found.retry_minutes, found.step_minutes = retry_minutes, step_minutes
    record_event("roster.settings_saved", community_id=actor.community_id, actor=actor)
    db.session.commit()


# Records.

def _valid_id(value: int) -> int:
    if not isinstance(value, int) or not 0 < value <= MAX_ID:
        raise NotFound()
    return value


def record_for(viewer: User, record_id: int, *, opened: bool = False) -> CareRecord:
    """A care record the viewer may see (another community's does not exist); `opened` logs the opening."""
    record = db.session.get(CareRecord, _valid_id(record_id))
    if record is None or record.community_id != viewer.community_id:
        raise NotFound()
    if not policy.may_see_care_record(viewer, record):
        raise Forbidden()
    if opened:
        db.session.add(RecordOpening(community_id=record.community_id, record_id=record.id, user_id=viewer.id))
    return record


def record_of_household(household_id: int) -> CareRecord | None:
    return db.session.scalar(select(CareRecord).where(CareRecord.household_id == household_id))


def eligible_callers(community_id: int) -> list[User]:
    """Who may be assigned to call: the community's volunteers and coordinators, by name."""
    stmt = (select(User).join(Membership, Membership.user_id == User.id).join(MembershipRole)
            .where(Membership.community_id == community_id, User.erased_at.is_(None),
                   MembershipRole.role.in_((Role.VOLUNTEER.value, Role.COORDINATOR.value)))
            .order_by(User.display_name, User.id).distinct())
    return list(db.session.scalars(stmt))


@dataclass
class RecordFields:
    """What a coordinator writes on a care record and its schedule."""

    reasons: list[str]
    isolating_until: date | None = None
    medicines: str = ""
    language: str = ""
    consent_by: str = ""
    cadence_days: int = 3
    quiet_from: int = 21 * 60
    quiet_to: int = 8 * 60
    callers: tuple[int, ...] = ()  # user ids, first the first caller, then the second
    contacts: tuple[tuple[str, str, str], ...] = ()  # (name, relation, phone), ranked


def save_record(actor: User, household: Household, fields: RecordFields, *, commit: bool = True) -> CareRecord:
    """Put a household on the roster or change its record; sets households.priority; one transaction."""
    if household.community_id != actor.community_id:
        raise NotFound()
    if not policy.may_keep_roster(actor, household.community_id):
        raise Forbidden()
    allowed = {u.id for u in eligible_callers(household.community_id)}
    callers = [uid for uid in dict.fromkeys(fields.callers) if uid in allowed]
    record = record_of_household(household.id)
    now = utcnow()
    created = record is None
    if created:
        record = CareRecord(community_id=household.community_id, household=household, next_due_at=now)
        db.session.add(record)
    record.reasons = [r.value for r in Reason if r.value in set(fields.reasons)]
    record.isolating_until = fields.isolating_until if Reason.ISOLATING.value in record.reasons else None
    record.medicines = fields.medicines.strip()
    record.language = fields.language.strip()
    if fields.consent_by.strip() != (record.consent_by or ""):
        record.consent_by = fields.consent_by.strip()
        record.consent_recorded_by_id = actor.id if record.consent_by else None
        record.consent_at = now if record.consent_by else None
    record.cadence_days = fields.cadence_days
    record.quiet_from, record.quiet_to = fields.quiet_from, fields.quiet_to
    record.active = True
    record.erased_at = None
    record.callers = [RosterCaller(user_id=uid, rank=rank) for rank, uid in enumerate(callers, start=1)]
    record.contacts = [CareContact(rank=rank, name=name.strip(), relation=relation.strip(), phone=phone.strip())
                       for rank, (name, relation, phone) in enumerate(fields.contacts, start=1) if name.strip()]
    db.session.flush()
    reschedule(record, now)
    set_priority(household, record.priority(local_today(household.community_id, now)))
    record_event("roster.record_saved" if not created else "roster.record_opened", community_id=record.community_id,
                 actor=actor, record_id=record.id, household_id=household.id)
    if commit:
        db.session.commit()
    return record


def close_record(actor: User, record: CareRecord) -> None:
    """Take a household off the roster (the history stays); its priority goes back to 0."""
    if not policy.may_keep_roster(actor, record.community_id):
        raise Forbidden()
    record.active = False
    record.locked_by_id = record.locked_until = None
    set_priority(record.household, record.priority(local_today(record.community_id)))
    record_event("roster.record_closed", community_id=record.community_id, actor=actor, record_id=record.id,
                 household_id=record.household_id)
    db.session.commit()


def reschedule(record: CareRecord, now: datetime) -> None:
    """next_due_at from the last successful contact, the cadence and the quiet hours (in local time)."""
    tz = zone_of(record.community_id)
    if record.step >= Step.RETRY and record.next_due_at is not None:
        return  # on the escalation ladder, which says when it is due (board/roster/ladder.py)
    record.next_due_at = schedule.next_due(record.last_success_at, record.cadence_days, record.quiet_from,
                                           record.quiet_to, tz, now=now)


def _reorder_open_needs(household: Household) -> None:
    """The household's open needs move up (or back) on the board: the stored board order, not their version."""
    vulnerable = or_(Card.for_pregnant, Card.for_child, Card.for_elderly, literal(household.priority > 0))
    db.session.execute(
        update(Card.__table__)
        .where(Card.household_id == household.id, Card.status == CardStatus.OPEN.value, Card.kind == CardKind.NEED.value)
        .values(priority=case((Card.urgency == Urgency.URGENT.value, 2), else_=0) + case((vulnerable, 1), else_=0))
    )


def set_priority(household: Household, priority: int) -> None:
    """households.priority from the care record, and the board order of the household's open needs with it."""
    if household.priority != priority:
        household.priority = priority
        db.session.flush()
        _reorder_open_needs(household)


def refresh_priorities(community_id: int | None = None, now: datetime | None = None) -> int:
    """Isolating ends on its date: households' priorities follow their records (the sweep runs this daily)."""
    stmt = select(CareRecord).where(CareRecord.erased_at.is_(None))
    if community_id is not None:
        stmt = stmt.where(CareRecord.community_id == community_id)
    changed = 0
    for record in db.session.scalars(stmt).all():
        wanted = record.priority(local_today(record.community_id, now))
        if record.household.priority != wanted:
            set_priority(record.household, wanted)
            changed += 1
    db.session.commit()
    return changed


# The call list.

@dataclass
class Due:
    record: CareRecord
    overdue: bool
    quiet: bool  # inside its quiet hours now: not to be called until they end
    locked_by_other: bool
    mine: bool  # taken by this viewer


def _overdue_before(now: datetime) -> datetime:
    return now - timedelta(hours=current_app.config.get("ROSTER_OVERDUE_HOURS", 12))


def is_overdue(record: CareRecord, now: datetime) -> bool:
    return record.active and (record.next_due_at <= _overdue_before(now) or record.step >= Step.SECOND_CALLER)


def _visible(viewer: User, stmt):
    if policy.may_keep_roster(viewer, viewer.community_id):
        return stmt
    mine = select(RosterCaller.record_id).where(RosterCaller.user_id == viewer.id)
    return stmt.where(CareRecord.id.in_(mine))


def call_list(viewer: User, now: datetime | None = None) -> list[Due]:
    """The households due now that the viewer calls (a coordinator: all), overdue first, then the most vulnerable."""
    if not policy.may_call_roster(viewer, viewer.community_id):
        raise Forbidden()
    now = now or utcnow()
    stmt = _visible(viewer, select(CareRecord).join(Household, Household.id == CareRecord.household_id).where(
        CareRecord.community_id == viewer.community_id, CareRecord.active, CareRecord.erased_at.is_(None),
        CareRecord.next_due_at <= now,
    )).order_by(CareRecord.step.desc(), CareRecord.next_due_at, Household.priority.desc(), CareRecord.id)
    tz = zone_of(viewer.community_id)
    out = []
    for record in db.session.scalars(stmt):
        locked = record.locked_until is not None and record.locked_until > now
        out.append(Due(record=record, overdue=is_overdue(record, now),
                       quiet=schedule.quiet_now(now, record.quiet_from, record.quiet_to, tz),
                       locked_by_other=locked and record.locked_by_id != viewer.id,
                       mine=locked and record.locked_by_id == viewer.id))
    return sorted(out, key=lambda d: (d.quiet, not d.overdue))  # stable: keeps the query's order inside


def roster(viewer: User) -> list[CareRecord]:
    """Every household on the roster the viewer may see, next due first."""
    stmt = _visible(viewer, select(CareRecord).where(
        CareRecord.community_id == viewer.community_id, CareRecord.erased_at.is_(None)))
    return list(db.session.scalars(stmt.order_by(CareRecord.active.desc(), CareRecord.next_due_at)))


def overdue_count(community_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    stmt = select(func.count(CareRecord.id)).where(
        CareRecord.community_id == community_id, CareRecord.active, CareRecord.erased_at.is_(None),
        or_(CareRecord.next_due_at <= _overdue_before(now), CareRecord.step >= int(Step.SECOND_CALLER)))
    return db.session.scalar(stmt) or 0


def due_count(community_id: int, now: datetime | None = None) -> int:
    now = now or utcnow()
    stmt = select(func.count(CareRecord.id)).where(
        CareRecord.community_id == community_id, CareRecord.active, CareRecord.erased_at.is_(None),
        CareRecord.next_due_at <= now)
    return db.session.scalar(stmt) or 0


def take(viewer: User, record: CareRecord, now: datetime | None = None) -> CareRecord:
    """Take a household off the list for a while, so two callers don't phone the same person. One wins; commits."""
    if not policy.may_see_care_record(viewer, record) or not record.active:
        raise Forbidden()
    now = now or utcnow()
    until = now + timedelta(minutes=settings_for(record.community_id).lock_minutes)
    # Guarded: the row changes only while nobody else holds a live lock; whoever comes second matches no row.
    result = db.session.execute(
        update(CareRecord)
        .where(CareRecord.id == record.id, or_(CareRecord.locked_by_id.is_(None), CareRecord.locked_until <= now,
                                                CareRecord.locked_by_id == viewer.id))
        .values(locked_by_id=viewer.id, locked_until=until)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict(_someone_calling())
    record_event("roster.taken", community_id=record.community_id, actor=viewer, record_id=record.id,
                 household_id=record.household_id)
    db.session.commit()
    db.session.refresh(record)
    return record


def _someone_calling():
    from flask_babel import lazy_gettext as _l

    return _l("Someone else is calling this household just now — thank you! Take the next one.")


def release(viewer: User, record: CareRecord) -> None:
    """Give a taken household back to the list."""
    if record.locked_by_id == viewer.id:
        record.locked_by_id = record.locked_until = None
        record_event("roster.released", community_id=record.community_id, actor=viewer, record_id=record.id,
                     household_id=record.household_id)
        db.session.commit()


def _check_not_taken_by_other(viewer: User, record: CareRecord, now: datetime) -> None:
    if record.locked_by_id not in (None, viewer.id) and record.locked_until and record.locked_until > now:
        raise Conflict(_someone_calling())


# Logging.

@dataclass
class Needs:
    """What they need, as the caller wrote it: an errand for the desk or a need on the board on their behalf."""

    title: str
    details: str = ""
    category: str = "medicine"
    urgency: str = "normal"
    route: str = "errand"  # errand | board
    person_id: int | None = None


def log_call(viewer: User, record: CareRecord, *, outcome: str, wellbeing: str = "", note: str = "",
             needs: Needs | None = None, now: datetime | None = None) -> CareLine:
    """Log one call or visit; success reschedules, no answer climbs the ladder; a need goes out in the same step."""
    if not policy.may_see_care_record(viewer, record) or not record.active:
        raise Forbidden()
    now = now or utcnow()
    Outcome(outcome)
    if wellbeing:
        Wellbeing(wellbeing)
    _check_not_taken_by_other(viewer, record, now)
    success = outcome in SUCCESS
    card_id = _send_needs(viewer, record, needs) if needs is not None and needs.title.strip() else None
    line = CareLine(community_id=record.community_id, record_id=record.id, household_id=record.household_id,
                    author_id=viewer.id, kind=LineKind.CALL.value, outcome=outcome, card_id=card_id,
                    wellbeing=wellbeing if success else "", text=note.strip(), step=record.step, created_at=now)
    db.session.add(line)
    db.session.flush()
    record.locked_by_id = record.locked_until = None
    record_event("roster.call_logged", community_id=record.community_id, actor=viewer, household_id=record.household_id,
                 outcome=outcome, wellbeing=line.wellbeing, caller_id=viewer.id, record_id=record.id)
    if success:
        record.last_success_at = now
        record.step, record.step_due_at = int(Step.NONE), None
        reschedule(record, now)
        if line.wellbeing == Wellbeing.WORSE.value:
            record_event("roster.worse", community_id=record.community_id, actor=viewer, record_id=record.id,
                         household_id=record.household_id)
    else:
        ladder.climb(record, now, actor=viewer)
    db.session.commit()
    return line


def _send_needs(viewer: User, record: CareRecord, needs: Needs) -> int | None:
    """The errand (if the desk is there) or a need on the board, posted for the household's person; no commit."""
    people = [p for p in record.household.people if p.erased_at is None]
    person = next((p for p in people if p.id == needs.person_id), people[0] if people else None)
    if person is None:
        raise Conflict()
    errands = errands_service()
    if needs.route == "errand" and errands is not None:
        errand = errands.place_errand(viewer, household=record.household, person=person, title=needs.title.strip(),
                                      details=needs.details.strip(), team_key=_team_for(needs.category),
                                      urgency=needs.urgency, source="check_in", commit=False)
        return errand.card_id
    card = take_call(viewer, person=person, new_person=None, building=None, unit="", intake="phone",
                     card_fields={"category": needs.category, "title": needs.title.strip(),
                                  "details": needs.details.strip(), "urgency": needs.urgency, "commit": False})
    return card.id


def _team_for(category: str) -> str | None:
    return {"medicine": "medicine", "food": "groceries", "supplies": "groceries", "errand": "parcels_garbage",
            "care": "calls_company"}.get(category)


def add_note(viewer: User, record: CareRecord, text: str, *, corrects_id: int | None = None) -> CareLine:
    """A care note, or a correction of an earlier line (which stays as it was); commits."""
    if not policy.may_see_care_record(viewer, record):
        raise Forbidden()
    if corrects_id is not None:
        earlier = db.session.get(CareLine, _valid_id(corrects_id))
        if earlier is None or earlier.record_id != record.id:
            raise NotFound()
    line = CareLine(community_id=record.community_id, record_id=record.id, household_id=record.household_id,
                    author_id=viewer.id, kind=(LineKind.CORRECTION if corrects_id else LineKind.NOTE).value,
                    text=text.strip(), corrects_id=corrects_id)
    db.session.add(line)
    db.session.flush()
    record_event("roster.note_added", community_id=record.community_id, actor=viewer, record_id=record.id,
                 household_id=record.household_id, line_id=line.id)
    db.session.commit()
    return line


def timeline(record: CareRecord, limit: int = 200) -> list[CareLine]:
    stmt = select(CareLine).where(CareLine.record_id == record.id).order_by(CareLine.id.desc()).limit(limit)
    return list(db.session.scalars(stmt))


def openings(record: CareRecord, limit: int = 200) -> list[RecordOpening]:
    stmt = select(RecordOpening).where(RecordOpening.record_id == record.id).order_by(RecordOpening.id.desc())
    return list(db.session.scalars(stmt.limit(limit)))


# The weekly digest.

@dataclass
class QuietCaller:
    user: User
    last_call: datetime | None


def digest(viewer: User, now: datetime | None = None, days: int = 7):
    """Overdue households, and assigned callers with no call logged in `days` days: coordinators only."""
    if not policy.may_keep_roster(viewer, viewer.community_id):
        raise Forbidden()
    now = now or utcnow()
    community_id = viewer.community_id
    overdue = [r for r in roster(viewer) if is_overdue(r, now)]
    last_calls = dict(db.session.execute(
        select(CareLine.author_id, func.max(CareLine.created_at))
        .where(CareLine.community_id == community_id, CareLine.kind == LineKind.CALL.value)
        .group_by(CareLine.author_id)).all())
    assigned = select(RosterCaller.user_id).join(CareRecord).where(
        CareRecord.community_id == community_id, CareRecord.active, CareRecord.erased_at.is_(None))
    callers = db.session.scalars(select(User).where(User.id.in_(assigned), User.erased_at.is_(None))
                                 .order_by(User.display_name)).all()
    since = now - timedelta(days=days)
    quiet = [QuietCaller(u, last_calls.get(u.id)) for u in callers
             if last_calls.get(u.id) is None or last_calls[u.id] < since]
    calls = db.session.scalar(select(func.count(CareLine.id)).where(
        CareLine.community_id == community_id, CareLine.kind == LineKind.CALL.value, CareLine.created_at >= since))
    return {"overdue": overdue, "quiet_callers": quiet, "calls": calls or 0, "since": since}


# Erasure.

def erase_care_of(household: Household, now: datetime) -> None:
    """The household's care record loses its personal data (reasons, medicine, contacts, notes); counts stay."""
    record = record_of_household(household.id)
    if record is None:
        return
    record.reasons, record.isolating_until, record.medicines, record.language = [], None, "", ""
    record.consent_by, record.consent_recorded_by_id, record.consent_at = "", None, None
    record.active, record.erased_at = False, now
    record.locked_by_id = record.locked_until = None
    record.contacts = []
    record.callers = []
    set_priority(household, 0)
    db.session.execute(update(CareLine).where(CareLine.record_id == record.id)
                       .values(text="", erased_at=now).execution_options(roster_erasure=True,
                                                                           synchronize_session=False))


def forget_caller(user_id: int) -> None:
    """An erased account calls nobody any more; what it logged stays, as "a former resident"."""
    db.session.execute(RosterCaller.__table__.delete().where(RosterCaller.user_id == user_id))
    db.session.execute(update(CareRecord).where(CareRecord.locked_by_id == user_id)
                       .values(locked_by_id=None, locked_until=None).execution_options(synchronize_session=False))


def on_event(sender, event) -> None:
    """Erasing an account or a person, inside its transaction: the care data about them goes too."""
    if event.kind == "account.erased":
        user_id = (event.data or {}).get("user_id")
        if user_id is None:
            return
        forget_caller(int(user_id))
        homes = db.session.scalars(select(Person.household_id).where(Person.user_id == int(user_id))).all()
        for household_id in set(homes):
            _erase_if_empty(household_id, event.created_at or utcnow())
    elif event.kind == "household.person_erased":
        household_id = (event.data or {}).get("household_id")
        if household_id is not None:
            _erase_if_empty(int(household_id), event.created_at or utcnow())


def _erase_if_empty(household_id: int, now: datetime) -> None:
    """Care records are about the people of a home: erased once nobody of it is left."""
    household = db.session.get(Household, household_id)
    if household is None:
        return
    left = [p for p in household.people if p.erased_at is None]
    if not left:
        erase_care_of(household, now)
