"""Which roster events notify whom: the roster's part of the registry. Headlines never say why a home needs care."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from board.extensions import db
from board.households import service as households
from board.models import Event, Household, Membership, MembershipRole, Role
from board.roster.models import CareRecord

NOTIFICATIONS: dict[str, str] = {
    "roster.retry": "roster_retry",
    "roster.second_caller": "roster_second_caller",
    "roster.coordinator_alerted": "roster_no_answer",
    "roster.door_knock": "roster_door_knock",
    "roster.contacts": "roster_contacts",
    "roster.worse": "roster_worse",
}

HEADLINES = {
    "roster_retry": _l("No answer at a check-in: please try again"),
    "roster_second_caller": _l("A household on the roster needs a second caller"),
    "roster_no_answer": _l("Nobody has reached a household on the roster"),
    "roster_door_knock": _l("Please knock on a neighbour's door: no answer to check-in calls"),
    "roster_contacts": _l("Still no answer: call the household's contacts"),
    "roster_worse": _l("A check-in found someone worse"),
}


def recipients(event: Event) -> set[int]:
    data = event.data or {}
    record = db.session.get(CareRecord, data["record_id"]) if data.get("record_id") else None
    if record is None:
        return set()
    coordinators = households.coordinators(event.community_id)
    first = {c.user_id for c in record.callers if c.rank == 1}
    second = {c.user_id for c in record.callers if c.rank >= 2}
    if event.kind == "roster.retry":
        return first or coordinators
    if event.kind == "roster.second_caller":
        return second or coordinators
    if event.kind == "roster.door_knock":
        return coordinators | building_volunteers(record)
    if event.kind == "roster.contacts":
        return coordinators | first | second
    return coordinators  # no answer at all, someone worse


def building_volunteers(record: CareRecord) -> set[int]:
    """Volunteers covering the household's building (board/volunteers), or, while nobody covers it, living in it."""
    building_id = record.household.building_id
    try:
        from board.volunteers import service as volunteers
    except ImportError:
        volunteers = None
    if volunteers is not None and hasattr(volunteers, "covering_ids"):
        covering = set(volunteers.covering_ids(record.community_id, building_id))
        if covering:
            return covering
    stmt = (select(Membership.user_id).join(MembershipRole).join(Household, Household.id == Membership.household_id)
            .where(Membership.community_id == record.community_id, MembershipRole.role == Role.VOLUNTEER.value,
                   Household.building_id == building_id))
    return set(db.session.scalars(stmt))
