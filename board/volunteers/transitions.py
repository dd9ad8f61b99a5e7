"""A volunteer's sign-up and its moves: the one table, and the one function that makes each move with its event."""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import update

from board import policy
from board.errors import Conflict, Forbidden
from board.events import record
from board.extensions import db
from board.models import User, utcnow
from board.volunteers.models import ProfileStatus, VolunteerProfile

S = ProfileStatus


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    by: str  # "coordinator", or "self_or_coordinator"


MOVES: dict[str, Move] = {
    "approve": Move((S.APPLIED.value, S.DECLINED.value), S.APPROVED.value, "coordinator"),
    "decline": Move((S.APPLIED.value, S.PAUSED.value), S.DECLINED.value, "coordinator"),
    "pause": Move((S.APPROVED.value,), S.PAUSED.value, "self_or_coordinator"),
    "resume": Move((S.PAUSED.value,), S.APPROVED.value, "coordinator"),
    "reapply": Move((S.DECLINED.value,), S.APPLIED.value, "self"),
}

EVENT_KINDS = {
    "approve": "volunteer.approved",
    "decline": "volunteer.declined",
    "pause": "volunteer.paused",
    "resume": "volunteer.resumed",
    "reapply": "volunteer.applied",
}


def may_move(actor: User | None, profile: VolunteerProfile, name: str) -> bool:
    """Who may make the move (whatever the state): the table's `by`, asked of board.policy."""
    move = MOVES[name]
    if move.by == "coordinator":
        return policy.may_decide_volunteer(actor, profile)
    if move.by == "self":
        return policy.may_edit_volunteer_profile(actor, profile) and actor.id == profile.user_id
    return policy.may_edit_volunteer_profile(actor, profile) or policy.may_decide_volunteer(actor, profile)


def allowed(actor: User | None, profile: VolunteerProfile) -> list[str]:
    """The moves `actor` can make on the profile now (its buttons)."""
    return [name for name, move in MOVES.items() if profile.status in move.sources and may_move(actor, profile, name)]


def apply(actor: User, profile: VolunteerProfile, name: str) -> VolunteerProfile:
    """Make one move: checked against the table, written with a guarded UPDATE and its event; the caller commits."""
    move = MOVES.get(name)
    if move is None:
        raise Conflict()
    if not may_move(actor, profile, name):
        raise Forbidden()
    before = profile.status
    if before not in move.sources:
        raise Conflict()
    now = utcnow()
    values = {"status": move.target, "updated_at": now}
    if move.by == "coordinator":
        values.update(decided_at=now, decided_by_id=actor.id)
    if move.target != S.APPROVED.value:
        values.update(on_duty=False, on_duty_since=None)
    # Guarded on the state it was read in: of two coordinators deciding at once, one changes it and the other is told.
    result = db.session.execute(
        update(VolunteerProfile)
        .where(VolunteerProfile.id == profile.id, VolunteerProfile.status == before)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    if result.rowcount != 1:
        db.session.rollback()
        raise Conflict()
    db.session.refresh(profile)
    record(EVENT_KINDS[name], community_id=profile.community_id, actor=actor, from_status=before,
           to_status=move.target, profile_id=profile.id, user_id=profile.user_id)
    return profile
