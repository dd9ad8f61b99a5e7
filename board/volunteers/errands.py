"""A volunteer's errands and what they did, for their page: read from the errands table (board/errands, when it is
installed) and the event log."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from board.extensions import db
from board.models import Event

DID_LABELS = {
    "handoff.match": _l("Offered to help"),
    "handoff.leave_at_door": _l("Left it at the door"),
    "handoff.receive_in_person": _l("Handed it over in person"),
    "errand.claimed": _l("Took an errand"),
    "errand.accepted": _l("Accepted an errand"),
    "errand.on_the_way": _l("On the way with an errand"),
    "errand.given_back": _l("Gave an errand back"),
    "errand.spent": _l("Recorded what was spent"),
    "roster.call_logged": _l("Called a neighbour"),
    "volunteer.on_duty": _l("Went on duty"),
    "volunteer.off_duty": _l("Went off duty"),
    "volunteer.applied": _l("Offered to volunteer"),
}


def errands_of(user_id: int, community_id: int, limit: int = 50) -> list:
    """The errands the volunteer holds or held, newest first ([] while board/errands is not installed)."""
    try:
        from board.errands.models import Errand
    except ImportError:
        return []
    stmt = select(Errand).where(Errand.community_id == community_id, Errand.volunteer_id == user_id)
    return list(db.session.scalars(stmt.order_by(Errand.id.desc()).limit(limit)))


def what_they_did(user_id: int, community_id: int, limit: int = 30) -> list[Event]:
    """The volunteer's own moves that the page has words for, newest first."""
    stmt = select(Event).where(Event.community_id == community_id, Event.actor_id == user_id,
                               Event.kind.in_(tuple(DID_LABELS)))
    return list(db.session.scalars(stmt.order_by(Event.id.desc()).limit(limit)))
