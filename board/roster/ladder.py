"""The escalation ladder: no answer → try again later → a second caller → the coordinator → a door knock → the
ranked contacts. Each failed call, or each interval in which nobody got through, climbs one rung; each rung is a
line on the household's timeline and an event that tells the people of that rung."""
from __future__ import annotations

from datetime import datetime, timedelta

from flask import current_app
from sqlalchemy import select

from board.events import record as record_event
from board.extensions import db
from board.models import Card, User, utcnow
from board.roster import schedule
from board.roster.settings import errands_service, settings_for, zone_of
from board.roster.models import CareLine, CareRecord, LineKind, Step

# The event each rung writes (the registry notifies by event kind).
STEP_EVENTS = {
    Step.RETRY: "roster.retry",
    Step.SECOND_CALLER: "roster.second_caller",
    Step.COORDINATOR: "roster.coordinator_alerted",
    Step.DOOR_KNOCK: "roster.door_knock",
    Step.CONTACTS: "roster.contacts",
}


def climb(record: CareRecord, now: datetime, *, actor: User | None = None) -> Step:
    """One rung up (not past the contacts): the step's line, event and errand, in the caller's transaction."""
    if record.step >= Step.CONTACTS:
        return Step(record.step)
    step = Step(record.step + 1)
    settings = settings_for(record.community_id)
    record.step = int(step)
    # The retry is due after the retry time; the next rung comes when it has been due a step's time in vain.
    wait = settings.step_minutes + (settings.retry_minutes if step == Step.RETRY else 0)
    record.step_due_at = now + timedelta(minutes=wait) if step < Step.CONTACTS else None
    if step == Step.RETRY:
        tz = zone_of(record.community_id)
        retry_at = now + timedelta(minutes=settings.retry_minutes)
        record.next_due_at = schedule.out_of_quiet(retry_at, record.quiet_from, record.quiet_to, tz)
    else:
        record.next_due_at = min(record.next_due_at, now)  # on the list now, overdue, for every caller
    card_id = _door_knock(record, actor) if step == Step.DOOR_KNOCK else None
    db.session.add(CareLine(community_id=record.community_id, record_id=record.id, household_id=record.household_id,
                            author_id=None, kind=LineKind.STEP.value, step=int(step), card_id=card_id,
                            created_at=now))
    # A door knock's notification links to its errand's card (for the volunteers who go and knock).
    card = db.session.get(Card, card_id) if card_id else None
    record_event(STEP_EVENTS[step], community_id=record.community_id, card=card, actor=actor, record_id=record.id,
                 household_id=record.household_id, step=int(step))
    return step


def _door_knock(record: CareRecord, actor: User | None) -> int | None:
    """An errand on the desk: a volunteer in the same building knocks (team "calls_company")."""
    errands = errands_service()
    people = [p for p in record.household.people if p.erased_at is None]
    if errands is None or not people:
        return None  # no desk yet: the door_knock event still tells the building's volunteers and coordinators
    poster = actor or _a_coordinator(record.community_id)
    if poster is None:
        return None
    errand = errands.place_errand(poster, household=record.household, person=people[0],
                                  title=str(_knock_title()), details="", team_key="calls_company", urgency="urgent",
                                  source="door_knock", commit=False)
    return errand.card_id


def _knock_title() -> str:
    """In the community's default language (BABEL_DEFAULT_LOCALE; there is no setting per community), whoever
    climbed the rung: the title is stored once and read on the desk by volunteers of any language, and the sweep
    has no request (no reader) at all."""
    from flask_babel import force_locale, gettext

    with force_locale(current_app.config["BABEL_DEFAULT_LOCALE"]):
        return gettext("Knock on the door: no answer to the check-in calls")


def _a_coordinator(community_id: int) -> User | None:
    from board.households import service as households

    ids = sorted(households.coordinators(community_id))
    users = db.session.scalars(select(User).where(User.id.in_(ids), User.erased_at.is_(None)).order_by(User.id))
    return next(iter(users), None)


def sweep(now: datetime | None = None) -> int:
    """Climb every household whose rung has run out with nobody getting through (`flask --app board sweep`)."""
    now = now or utcnow()
    stmt = select(CareRecord).where(
        CareRecord.active, CareRecord.erased_at.is_(None), CareRecord.step >= int(Step.RETRY),
        CareRecord.step < int(Step.CONTACTS), CareRecord.step_due_at <= now,
    ).order_by(CareRecord.id).with_for_update(skip_locked=True, of=CareRecord)
    moved = 0
    for record in db.session.scalars(stmt).all():
        tz = zone_of(record.community_id)
        if schedule.quiet_now(now, record.quiet_from, record.quiet_to, tz):
            continue  # nobody is phoned or knocked on in the quiet hours: the rung waits for the morning
        climb(record, now)
        moved += 1
    db.session.commit()
    return moved
