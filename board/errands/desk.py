"""The dispatch desk's questions: the queue in its order, the counts, suggestions, problems, money owed."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta, timezone

from flask_babel import get_timezone, lazy_gettext as _l
from sqlalchemy import and_, func, select
from sqlalchemy.orm import joinedload

from board import policy
from board.errands.models import Errand, ErrandState, Payment, vulnerability
from board.extensions import db
from board.volunteers import service as crew
from board.models import Event, Handoff, HandoffStatus, Household, Membership, MembershipRole, Role, User, utcnow

E = ErrandState

# Colour bands by hours waiting, each with words (never colour alone): (from hours, code, label).
BANDS = [
    (12, "very_long", _l("Waiting over 12 hours")),
    (4, "long", _l("Waiting over 4 hours")),
    (1, "waiting", _l("Waiting over an hour")),
    (0, "fresh", _l("Just placed")),
]


def band(created_at: datetime, now: datetime) -> tuple[str, object]:
    hours = (now - created_at) / timedelta(hours=1)
    return next((code, label) for start, code, label in BANDS if hours >= start)


@dataclass
class Row:
    errand: Errand
    band: str
    band_label: object
    hours: int


def _errands(community_id: int, *states: str):
    return (
        select(Errand).where(Errand.community_id == community_id, Errand.state.in_(states))
        .options(joinedload(Errand.household).selectinload(Household.people), joinedload(Errand.volunteer),
                 joinedload(Errand.team))
    )


def order_key(errand: Errand):
    """Vulnerability first (higher first), then urgency, then the longest waiting."""
    return (-vulnerability(errand.household), 0 if errand.card.urgency == "urgent" else 1, errand.created_at,
            errand.id)


def queue(community_id: int, *, now: datetime | None = None, limit: int = 200) -> list[Row]:
    """The errands waiting for a volunteer, in the desk's order."""
    now = now or utcnow()
    errands = db.session.scalars(_errands(community_id, E.WAITING.value).limit(limit)).unique().all()
    rows = []
    for errand in sorted(errands, key=order_key):
        code, label = band(errand.created_at, now)
        rows.append(Row(errand, code, label, int((now - errand.created_at) / timedelta(hours=1))))
    return rows


def under_way(community_id: int) -> list[Errand]:
    """Assigned, accepted, on the way, left at the door: what the desk watches."""
    states = (E.ASSIGNED.value, E.ACCEPTED.value, E.ON_THE_WAY.value, E.DELIVERED.value)
    return list(db.session.scalars(_errands(community_id, *states).order_by(Errand.created_at)).unique())


def problems(community_id: int) -> list[Errand]:
    """The problems list: failed runs a coordinator works through, oldest first."""
    return list(db.session.scalars(_errands(community_id, E.PROBLEM.value).order_by(Errand.updated_at)).unique())


def owed(community_id: int) -> list[Errand]:
    """Money a volunteer spent that nobody has paid back yet (donated errands owe nothing)."""
    stmt = select(Errand).where(
        Errand.community_id == community_id, Errand.spent.is_not(None), Errand.paid_back_at.is_(None),
        Errand.payment != Payment.DONATED.value,
    ).order_by(Errand.updated_at)
    return list(db.session.scalars(stmt.options(joinedload(Errand.volunteer))))


def start_of_today(now: datetime) -> datetime:
    """The community's local midnight, as naive UTC."""
    zone = get_timezone()
    local = now.replace(tzinfo=timezone.utc).astimezone(zone)
    midnight = datetime.combine(local.date(), time(0), tzinfo=zone)
    return midnight.astimezone(timezone.utc).replace(tzinfo=None)


COUNT_KEYS = ("waiting", "assigned", "on_the_way", "delivered_today", "problems")


def counts(community_id: int, *, now: datetime | None = None) -> dict[str, int]:
    """The numbers at the top of the desk: waiting, assigned, on the way, delivered today, problems."""
    now = now or utcnow()
    by_state = dict(db.session.execute(
        select(Errand.state, func.count(Errand.id)).where(Errand.community_id == community_id).group_by(Errand.state)
    ).all())
    delivered = db.session.scalar(select(func.count(Errand.id)).where(
        Errand.community_id == community_id, Errand.delivered_at >= start_of_today(now))) or 0
    return {
        "waiting": by_state.get(E.WAITING.value, 0),
        "assigned": by_state.get(E.ASSIGNED.value, 0) + by_state.get(E.ACCEPTED.value, 0),
        "on_the_way": by_state.get(E.ON_THE_WAY.value, 0),
        "delivered_today": delivered,
        "problems": by_state.get(E.PROBLEM.value, 0),
    }


def mine(volunteer: User) -> list[Errand]:
    """A volunteer's own errands under way (and those left at the door, until confirmed)."""
    states = (E.ASSIGNED.value, E.ACCEPTED.value, E.ON_THE_WAY.value, E.DELIVERED.value)
    stmt = _errands(volunteer.community_id, *states).where(Errand.volunteer_id == volunteer.id)
    return list(db.session.scalars(stmt.order_by(Errand.created_at)).unique())


def placed_by(user: User, *, limit: int = 20) -> list[Errand]:
    """Errands for the resident's own household, newest first."""
    household = user.household
    if household is None:
        return []
    stmt = select(Errand).where(Errand.household_id == household.id).order_by(Errand.created_at.desc())
    return list(db.session.scalars(stmt.limit(limit)))


@dataclass
class Suggestion:
    volunteer: User
    open_errands: int
    on_duty: bool
    covers_building: bool
    helped_before: bool
    late_drops: int
    no_shows: int
    in_team: bool = False  # of the team the errand asks for


def volunteers(community_id: int) -> list[User]:
    stmt = (
        select(User).join(Membership, Membership.user_id == User.id)
        .join(MembershipRole, and_(MembershipRole.membership_id == Membership.id,
                                   MembershipRole.role == Role.VOLUNTEER.value))
        .where(Membership.community_id == community_id, User.erased_at.is_(None))
        .order_by(User.id)
    )
    return list(db.session.scalars(stmt).unique())


def _crew(community_id: int, building_id: int) -> tuple[set[int], set[int]]:
    """Who is on duty now and who covers the building (board/volunteers)."""
    return set(crew.on_duty_ids(community_id)), set(crew.covering_ids(community_id, building_id))


def misses(user_ids, community_id: int) -> dict[int, tuple[int, int]]:
    """Per volunteer: late drops (gave an errand back) and no-shows (let one time out)."""
    ids = list(user_ids)
    result = {i: [0, 0] for i in ids}
    if not ids:
        return {}
    rows = db.session.execute(
        # One community's log only (ix_events_community_id_id): the desk shows this on every view.
        select(Event.kind, Event.data).where(Event.community_id == community_id,
                                             Event.kind.in_(("errand.given_back", "errand.timed_out")))
    ).all()
    for kind, data in rows:
        who = (data or {}).get("volunteer_id")
        if who in result:
            result[who][0 if kind == "errand.given_back" else 1] += 1
    return {i: (a, b) for i, (a, b) in result.items()}


def suggestions(errand: Errand, *, limit: int = 8) -> list[Suggestion]:
    """Whom to assign: on duty, of the errand's team, covering that building, fewest open errands, has helped this
    household before."""
    people = [v for v in volunteers(errand.community_id) if policy.may_run_errand(v, errand)]
    if not people:
        return []
    ids = [v.id for v in people]
    open_by = dict(db.session.execute(
        select(Errand.volunteer_id, func.count(Errand.id))
        .where(Errand.volunteer_id.in_(ids), Errand.state.in_((E.ASSIGNED.value, E.ACCEPTED.value, E.ON_THE_WAY.value)))
        .group_by(Errand.volunteer_id)
    ).all())
    helped = set(db.session.scalars(
        select(Handoff.giver_id).where(
            Handoff.giver_id.in_(ids), Handoff.receiver_household_id == errand.household_id,
            Handoff.status.in_((HandoffStatus.RECEIVED.value, HandoffStatus.UNCONFIRMED.value)))
    ))
    on_duty, covering = _crew(errand.community_id, errand.household.building_id)
    in_team = crew.team_member_ids(errand.community_id, errand.team_id) if errand.team_id is not None else set()
    missed = misses(ids, errand.community_id)
    found = [Suggestion(v, open_by.get(v.id, 0), v.id in on_duty, v.id in covering, v.id in helped,
                        *missed.get(v.id, (0, 0)), in_team=v.id in in_team) for v in people]
    # On duty first (they can go now), then the errand's team, then who covers the building, then the least busy.
    found.sort(key=lambda s: (not s.on_duty, not s.in_team, not s.covers_building, s.open_errands,
                              not s.helped_before, s.volunteer.id))
    return found[:limit]
