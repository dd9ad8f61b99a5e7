"""Volunteers' rules: teams, signing up, a coordinator's decision, the on-duty switch, shifts and hours."""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from flask import current_app

from sqlalchemy import exists, func, select
from sqlalchemy.exc import IntegrityError

from board import policy
from board.errors import Conflict, DomainError, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.households import service as households
from board.inputs import MAX_ID
from board.models import Building, Role, User, utcnow
from board.volunteers import transitions
from board.volunteers.models import (
    DEFAULT_TEAMS,
    ProfileStatus,
    Shift,
    on_duty_clause,
    Team,
    VolunteerProfile,
    volunteer_buildings,
    volunteer_teams,
)

APPROVED = ProfileStatus.APPROVED.value
MAX_SHIFT_HOURS = 24
MAX_SHIFT_DAYS_AHEAD = 90
MAX_TEAMS = 60


class Invalid(DomainError):
    """Input the form should have caught (a team of another community, a shift that ends before it starts)."""

    status = 400


# Teams.

def ensure_teams(community_id: int) -> list[Team]:
    """The community's teams, the defaults created (flushed, not committed) the first time anyone asks."""
    existing = {t.key for t in db.session.scalars(select(Team).where(Team.community_id == community_id))}
    missing = [key for key in DEFAULT_TEAMS if key not in existing]
    for key in missing:
        try:
            with db.session.begin_nested():  # another request may seed the same community at once
                db.session.add(Team(community_id=community_id, key=key, name=""))
        except IntegrityError:
            pass
    return teams(community_id)


def committed_teams(community_id: int) -> list[Team]:
    """The community's teams, the defaults committed the first time they are asked for: a form offers their
    ids, and on PostgreSQL ids flushed and rolled back are not handed out again (the POST would not know them)."""
    found = ensure_teams(community_id)
    db.session.commit()
    return found


def teams(community_id: int) -> list[Team]:
    return list(db.session.scalars(select(Team).where(Team.community_id == community_id).order_by(Team.id)))


def team_by_key(community_id: int, key: str) -> Team | None:
    """A team by its key ("medicine"), the defaults seeded if needed (errands name their team this way)."""
    if key in DEFAULT_TEAMS:
        ensure_teams(community_id)
    return db.session.scalar(select(Team).where(Team.community_id == community_id, Team.key == key))


def team_for(viewer: User, team_id: int) -> Team:
    team = db.session.get(Team, team_id) if 0 < team_id <= MAX_ID else None
    if team is None or team.community_id != viewer.community_id:
        raise NotFound()
    return team


def add_team(actor: User, name: str) -> Team:
    """A coordinator adds a team of their own (a name as typed)."""
    if not policy.may_manage_volunteers(actor, actor.community_id):
        raise Forbidden()
    community_id = actor.community_id
    ensure_teams(community_id)
    count = db.session.scalar(select(func.count(Team.id)).where(Team.community_id == community_id))
    if count >= MAX_TEAMS:
        raise Conflict()
    team = Team(community_id=community_id, key="", name=name.strip())
    db.session.add(team)
    db.session.flush()
    team.key = f"custom-{team.id}"
    record("volunteer.team_added", community_id=community_id, actor=actor, team_id=team.id)
    db.session.commit()
    return team


def rename_team(actor: User, team: Team, name: str) -> Team:
    """A coordinator renames a team; an empty name gives a default team its own label back."""
    if not policy.may_manage_volunteers(actor, team.community_id):
        raise Forbidden()
    name = name.strip()
    if not name and team.key.startswith("custom-"):
        raise Invalid()
    team.name = name
    record("volunteer.team_renamed", community_id=team.community_id, actor=actor, team_id=team.id)
    db.session.commit()
    return team


# Profiles: what other domains ask.

def profile_of(user: User | None, community_id: int | None) -> VolunteerProfile | None:
    if user is None or community_id is None or getattr(user, "id", None) is None:
        return None
    return db.session.scalar(
        select(VolunteerProfile).where(VolunteerProfile.community_id == community_id,
                                       VolunteerProfile.user_id == user.id)
    )


def is_approved(user: User | None, community_id: int | None) -> bool:
    """An approved volunteer of that community (paused, declined or waiting: no)."""
    if user is None or getattr(user, "id", None) is None or community_id is None:
        return False
    return bool(db.session.scalar(select(exists().where(
        VolunteerProfile.community_id == community_id, VolunteerProfile.user_id == user.id,
        VolunteerProfile.status == APPROVED,
    ))))


def on_duty_ids(community_id: int, at: datetime | None = None) -> set[int]:
    """Approved volunteers on duty: their switch is on (now only), or `at` (default now, UTC) is inside a shift."""
    return set(db.session.scalars(select(VolunteerProfile.user_id).where(on_duty_clause(community_id, at))))


def _approved_ids_linked(link, column: str, value: int, community_id: int) -> set[int]:
    """Approved volunteers whose profile is linked to `value` in a profile's link table (buildings, teams)."""
    stmt = select(VolunteerProfile.user_id).join(link, link.c.profile_id == VolunteerProfile.id).where(
        VolunteerProfile.community_id == community_id, VolunteerProfile.status == APPROVED, link.c[column] == value,
    )
    return set(db.session.scalars(stmt))


def covering_ids(community_id: int, building_id: int) -> set[int]:
    """Approved volunteers who said they cover that building."""
    return _approved_ids_linked(volunteer_buildings, "building_id", building_id, community_id)


def team_member_ids(community_id: int, team_id: int) -> set[int]:
    """Approved volunteers who signed up for that team (an errand for it prefers them)."""
    return _approved_ids_linked(volunteer_teams, "team_id", team_id, community_id)


def team_ids_of(user_id: int, community_id: int) -> set[int]:
    """The teams a volunteer signed up for (whatever the profile's status)."""
    stmt = select(volunteer_teams.c.team_id).join(
        VolunteerProfile, VolunteerProfile.id == volunteer_teams.c.profile_id
    ).where(VolunteerProfile.community_id == community_id, VolunteerProfile.user_id == user_id)
    return set(db.session.scalars(stmt))


def team_member_ids(community_id: int, team_id: int) -> set[int]:
    """Approved volunteers of one team."""
    stmt = select(VolunteerProfile.user_id).join(
        volunteer_teams, volunteer_teams.c.profile_id == VolunteerProfile.id
    ).where(VolunteerProfile.community_id == community_id, VolunteerProfile.status == APPROVED,
            volunteer_teams.c.team_id == team_id)
    return set(db.session.scalars(stmt))


# Signing up and deciding.

def _teams_and_buildings(community_id: int, team_ids, building_ids) -> tuple[list[Team], list[Building]]:
    wanted_teams = {int(t) for t in team_ids or ()}
    wanted_buildings = {int(b) for b in building_ids or ()}
    found_teams = list(db.session.scalars(select(Team).where(Team.community_id == community_id,
                                                             Team.id.in_(wanted_teams)))) if wanted_teams else []
    found_buildings = list(db.session.scalars(select(Building).where(
        Building.community_id == community_id, Building.id.in_(wanted_buildings)))) if wanted_buildings else []
    if len(found_teams) != len(wanted_teams) or len(found_buildings) != len(wanted_buildings):
        raise Invalid()
    return found_teams, found_buildings


def sign_up(user: User, *, team_ids=(), building_ids=(), availability: str = "", contact: str = "") -> VolunteerProfile:
    """A resident offers to volunteer (or, declined before, asks again); a coordinator then decides."""
    community_id = user.community_id
    if not policy.may_sign_up_volunteer(user, community_id):
        raise Forbidden()
    ensure_teams(community_id)
    found_teams, found_buildings = _teams_and_buildings(community_id, team_ids, building_ids)
    profile = profile_of(user, community_id)
    if profile is None:
        profile = VolunteerProfile(community_id=community_id, user_id=user.id, status=ProfileStatus.APPLIED.value)
        profile.teams, profile.buildings = found_teams, found_buildings
        profile.availability, profile.contact = availability.strip(), contact.strip()
        try:
            with db.session.begin_nested():  # the same form sent twice at once: one profile
                db.session.add(profile)
        except IntegrityError:
            db.session.rollback()
            raise Conflict()
        record("volunteer.applied", community_id=community_id, actor=user, to_status=profile.status,
               profile_id=profile.id, user_id=user.id)
    else:
        if profile.status == ProfileStatus.DECLINED.value:
            transitions.apply(user, profile, "reapply")
        _update(user, profile, found_teams, found_buildings, availability, contact)
    db.session.commit()
    return profile


def update_profile(user: User, profile: VolunteerProfile, *, team_ids=(), building_ids=(), availability: str = "",
                   contact: str = "") -> VolunteerProfile:
    """The volunteer changes their teams, buildings, hours or contact."""
    if not policy.may_edit_volunteer_profile(user, profile):
        raise Forbidden()
    found_teams, found_buildings = _teams_and_buildings(profile.community_id, team_ids, building_ids)
    _update(user, profile, found_teams, found_buildings, availability, contact)
    db.session.commit()
    return profile


def _update(user, profile, found_teams, found_buildings, availability, contact) -> None:
    profile.teams, profile.buildings = found_teams, found_buildings
    profile.availability, profile.contact = availability.strip(), contact.strip()
    profile.updated_at = utcnow()
    record("volunteer.updated", community_id=profile.community_id, actor=user, profile_id=profile.id,
           user_id=profile.user_id, team_ids=sorted(t.id for t in found_teams))


def decide(actor: User, profile: VolunteerProfile, move: str) -> VolunteerProfile:
    """Approve, decline, pause, resume: the move and its event, and approving grants the volunteer role, together."""
    transitions.apply(actor, profile, move)
    target = db.session.get(User, profile.user_id)
    if move in ("approve", "resume") and policy.may_change_role(actor, target, Role.VOLUNTEER):
        households.set_role(actor, target, Role.VOLUNTEER, True)  # commits the move with the role
    elif move == "decline" and policy.may_change_role(actor, target, Role.VOLUNTEER):
        households.set_role(actor, target, Role.VOLUNTEER, False)
    db.session.commit()
    return profile


def profile_for(viewer: User, profile_id: int) -> VolunteerProfile:
    """A profile of the viewer's community, or 404."""
    profile = db.session.get(VolunteerProfile, profile_id) if 0 < profile_id <= MAX_ID else None
    if profile is None or profile.community_id != viewer.community_id:
        raise NotFound()
    return profile


def set_on_duty(user: User, profile: VolunteerProfile, on: bool) -> VolunteerProfile:
    """The volunteer's own "on duty now" switch (approved volunteers only)."""
    if not policy.may_edit_volunteer_profile(user, profile):
        raise Forbidden()
    if on and profile.status != APPROVED:
        raise Conflict()
    if profile.on_duty == on:
        return profile
    profile.on_duty = on
    profile.on_duty_since = utcnow() if on else None
    record("volunteer.on_duty" if on else "volunteer.off_duty", community_id=profile.community_id, actor=user,
           profile_id=profile.id, user_id=profile.user_id)
    db.session.commit()
    return profile


def volunteers(community_id: int, *, statuses: tuple[str, ...] | None = None) -> list[VolunteerProfile]:
    """Profiles of the community by name: waiting first, then approved, paused, declined."""
    stmt = select(VolunteerProfile).join(User, User.id == VolunteerProfile.user_id).where(
        VolunteerProfile.community_id == community_id, User.erased_at.is_(None)
    )
    if statuses:
        stmt = stmt.where(VolunteerProfile.status.in_(statuses))
    order = {s.value: n for n, s in enumerate(ProfileStatus)}
    rows = list(db.session.scalars(stmt.order_by(func.lower(User._display_name), VolunteerProfile.id)).unique())
    return sorted(rows, key=lambda p: order.get(p.status, 9))


# Shifts.

def plan_shift(actor: User, *, user_id: int, team_id: int | None, starts_at: datetime, ends_at: datetime,
               commit: bool = True) -> Shift:
    """A coordinator plans one turn for an approved volunteer (times in UTC, naive)."""
    community_id = actor.community_id
    if not policy.may_manage_volunteers(actor, community_id):
        raise Forbidden()
    volunteer = db.session.get(User, user_id) if 0 < user_id <= MAX_ID else None
    if volunteer is None or not is_approved(volunteer, community_id):
        raise Invalid()
    if team_id is not None:
        team_for(actor, team_id)
    if not starts_at < ends_at or ends_at - starts_at > timedelta(hours=MAX_SHIFT_HOURS):
        raise Invalid()
    if starts_at > utcnow() + timedelta(days=MAX_SHIFT_DAYS_AHEAD) or ends_at < utcnow() - timedelta(days=31):
        raise Invalid()
    overlapping = db.session.scalar(select(exists().where(
        Shift.user_id == user_id, Shift.community_id == community_id, Shift.cancelled_at.is_(None),
        Shift.starts_at < ends_at, Shift.ends_at > starts_at,
    )))
    if overlapping:
        raise Conflict()
    shift = Shift(community_id=community_id, user_id=user_id, team_id=team_id, starts_at=starts_at, ends_at=ends_at,
                  planned_by_id=actor.id)
    db.session.add(shift)
    db.session.flush()
    record("volunteer.shift_planned", community_id=community_id, actor=actor, shift_id=shift.id, user_id=user_id,
           team_id=team_id)
    if commit:
        db.session.commit()
    return shift


def plan_turns(actor: User, *, user_ids: list[int], team_id: int | None, first_start: datetime, last_end: datetime,
               turn_hours: int) -> list[Shift]:
    """06:00–21:00 in turns: consecutive shifts of `turn_hours`, the volunteers taking them in order, all or none."""
    if turn_hours < 1 or not user_ids or not first_start < last_end:
        raise Invalid()
    if last_end - first_start > timedelta(hours=MAX_SHIFT_HOURS):
        raise Invalid()
    shifts, start, n = [], first_start, 0
    try:
        while start < last_end:
            end = min(start + timedelta(hours=turn_hours), last_end)
            shifts.append(plan_shift(actor, user_id=user_ids[n % len(user_ids)], team_id=team_id, starts_at=start,
                                     ends_at=end, commit=False))
            start, n = end, n + 1
    except DomainError:
        db.session.rollback()
        raise
    db.session.commit()
    return shifts


def shift_for(viewer: User, shift_id: int) -> Shift:
    shift = db.session.get(Shift, shift_id) if 0 < shift_id <= MAX_ID else None
    if shift is None or shift.community_id != viewer.community_id:
        raise NotFound()
    return shift


def cancel_shift(actor: User, shift: Shift) -> Shift:
    """A coordinator cancels a shift that has not ended (it stays in the history as cancelled)."""
    if not policy.may_manage_volunteers(actor, shift.community_id):
        raise Forbidden()
    if shift.cancelled_at is not None or shift.ends_at <= utcnow():
        raise Conflict()
    shift.cancelled_at = utcnow()
    record("volunteer.shift_cancelled", community_id=shift.community_id, actor=actor, shift_id=shift.id,
           user_id=shift.user_id, team_id=shift.team_id)
    db.session.commit()
    return shift


def shifts(community_id: int, *, start: datetime, end: datetime, user_id: int | None = None) -> list[Shift]:
    """Shifts that overlap [start, end), not cancelled, earliest first."""
    stmt = select(Shift).where(Shift.community_id == community_id, Shift.cancelled_at.is_(None),
                               Shift.starts_at < end, Shift.ends_at > start)
    if user_id is not None:
        stmt = stmt.where(Shift.user_id == user_id)
    return list(db.session.scalars(stmt.order_by(Shift.starts_at, Shift.id)))


def next_shifts(community_id: int, *, hours: int = 24, now: datetime | None = None) -> list[Shift]:
    """Who is on duty next: shifts starting within `hours`."""
    now = now or utcnow()
    stmt = select(Shift).where(Shift.community_id == community_id, Shift.cancelled_at.is_(None),
                               Shift.starts_at > now, Shift.starts_at <= now + timedelta(hours=hours))
    return list(db.session.scalars(stmt.order_by(Shift.starts_at, Shift.id)))


def hours_worked(user_id: int, community_id: int, *, since: datetime | None = None,
                 now: datetime | None = None) -> float:
    """Hours of the volunteer's shifts so far (a shift under way counts up to now; cancelled ones not)."""
    now = now or utcnow()
    stmt = select(Shift).where(Shift.community_id == community_id, Shift.user_id == user_id,
                               Shift.cancelled_at.is_(None), Shift.starts_at < now)
    if since is not None:
        stmt = stmt.where(Shift.ends_at > since)
    total = 0.0
    for shift in db.session.scalars(stmt):
        start = max(shift.starts_at, since) if since is not None else shift.starts_at
        total += (min(shift.ends_at, now) - start).total_seconds() / 3600
    return round(total, 1)


def shift_ids_worked(user_id: int, community_id: int, now: datetime | None = None) -> list[Shift]:
    """Shifts the volunteer has worked (ended or under way), newest first."""
    now = now or utcnow()
    stmt = select(Shift).where(Shift.community_id == community_id, Shift.user_id == user_id,
                               Shift.cancelled_at.is_(None), Shift.starts_at < now)
    return list(db.session.scalars(stmt.order_by(Shift.starts_at.desc()).limit(50)))


# The community's local time (shifts are planned in it, stored in UTC).

def _zone() -> ZoneInfo:
    return ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])


def local_to_utc(moment: datetime) -> datetime:
    """A naive local time (as typed: "06:00") to the naive UTC every timestamp is stored in."""
    return moment.replace(tzinfo=_zone()).astimezone(timezone.utc).replace(tzinfo=None)


def utc_to_local(moment: datetime) -> datetime:
    return moment.replace(tzinfo=timezone.utc).astimezone(_zone()).replace(tzinfo=None)


def local_today() -> date:
    return utc_to_local(utcnow()).date()


# My data, mine: the export and an erased account.

def export_rows(user: User) -> list[dict]:
    """The resident's volunteer sign-up and shifts, for the export (board/accounts)."""
    rows = []
    for profile in db.session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user.id)):
        rows.append({"what": "sign-up", "status": profile.status, "teams": ", ".join(t.key for t in profile.teams),
                     "buildings": ", ".join(b.name for b in profile.buildings), "availability": profile.availability,
                     "contact": profile.contact, "on_duty": profile.on_duty,
                     "from": profile.applied_at.isoformat(timespec="seconds"), "until": ""})
    for shift in db.session.scalars(select(Shift).where(Shift.user_id == user.id).order_by(Shift.starts_at)):
        rows.append({"what": "shift" if shift.cancelled_at is None else "shift (cancelled)", "status": "",
                     "teams": shift.team.key if shift.team else "", "buildings": "", "availability": "",
                     "contact": "", "on_duty": "", "from": shift.starts_at.isoformat(timespec="seconds"),
                     "until": shift.ends_at.isoformat(timespec="seconds")})
    return rows


def on_event(_app, *, event) -> None:
    """An erased account (board/accounts): its phone and hours are erased, it goes off duty and out of
    every shift to come, in the erasing transaction; its past shifts stay (the teams' hours add up)."""
    if event.kind != "account.erased":
        return
    user_id = int((event.data or {}).get("user_id"))
    now = utcnow()
    for profile in db.session.scalars(select(VolunteerProfile).where(VolunteerProfile.user_id == user_id)):
        profile.contact, profile.availability = "", ""
        profile.on_duty, profile.on_duty_since = False, None
        if profile.status in (APPROVED, ProfileStatus.APPLIED.value):
            profile.status = ProfileStatus.PAUSED.value if profile.status == APPROVED else ProfileStatus.DECLINED.value
        profile.teams, profile.buildings = [], []
    for shift in db.session.scalars(select(Shift).where(Shift.user_id == user_id, Shift.cancelled_at.is_(None),
                                                        Shift.ends_at > now)):
        shift.cancelled_at = now
