"""board.volunteers: teams, signing up, deciding (the transition table), on duty, shifts and hours."""
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from board.errors import Conflict, Forbidden
from board.extensions import db
from board.models import Event, utcnow
from tests import factories
from board.volunteers import service, transitions
from board.volunteers.models import DEFAULT_TEAMS, Shift, Team, VolunteerProfile
from tests import factories


def kinds() -> list[str]:
    return [e.kind for e in db.session.scalars(select(Event).where(Event.kind.like("volunteer.%")).order_by(Event.id))]


def approved(coordinator, user, *, teams=("medicine",), buildings=()):
    ids = [service.team_by_key(user.community_id, key).id for key in teams]
    profile = service.sign_up(user, team_ids=ids, building_ids=[b.id for b in buildings])
    return service.decide(coordinator, profile, "approve")


def test_every_community_starts_with_the_default_teams_once(community, other_community):
    first = service.ensure_teams(community.id)
    again = service.ensure_teams(community.id)
    db.session.commit()
    assert [t.key for t in first] == list(DEFAULT_TEAMS)
    assert [t.id for t in again] == [t.id for t in first]
    assert [t.key for t in service.ensure_teams(other_community.id)] == list(DEFAULT_TEAMS)
    assert db.session.scalar(select(func.count(Team.id))) == 2 * len(DEFAULT_TEAMS)


def test_a_coordinator_adds_and_renames_teams_a_resident_cannot(community, coordinator, resident):
    team = service.add_team(coordinator, "  Dog walking ")
    assert (team.name, team.key) == ("Dog walking", f"custom-{team.id}")
    medicine = service.team_by_key(community.id, "medicine")
    service.rename_team(coordinator, medicine, "药品代购")
    assert service.team_by_key(community.id, "medicine").name == "药品代购"
    with pytest.raises(Forbidden):
        service.add_team(resident, "Mine")
    with pytest.raises(Forbidden):
        service.rename_team(resident, medicine, "Mine")
    assert kinds() == ["volunteer.team_added", "volunteer.team_renamed"]


def test_sign_up_then_approval_grants_the_volunteer_role(community, coordinator, resident):
    medicine = service.team_by_key(community.id, "medicine")
    profile = service.sign_up(resident, team_ids=[medicine.id], building_ids=[community.buildings[0].id],
                              availability="Evenings", contact="138 0000 0000")
    assert profile.status == "applied"
    assert not service.is_approved(resident, community.id)
    assert "volunteer" not in resident.roles
    service.decide(coordinator, profile, "approve")
    db.session.refresh(resident.membership)
    assert service.is_approved(resident, community.id)
    assert "volunteer" in resident.roles
    assert service.profile_of(resident, community.id).id == profile.id
    assert service.team_ids_of(resident.id, community.id) == {medicine.id}
    assert service.covering_ids(community.id, community.buildings[0].id) == {resident.id}
    assert service.covering_ids(community.id, community.buildings[1].id) == set()
    assert kinds() == ["volunteer.applied", "volunteer.approved"]
    roles = db.session.scalars(select(Event.kind).where(Event.kind.like("member.%"))).all()
    assert roles == ["member.role_granted"]


def test_only_a_coordinator_decides(community, coordinator, resident, neighbour):
    profile = service.sign_up(resident)
    for actor in (resident, neighbour):
        with pytest.raises(Forbidden):
            service.decide(actor, profile, "approve")
    assert db.session.get(VolunteerProfile, profile.id).status == "applied"


# The transition table, written out by hand: (move, from) -> to, for a coordinator; None where it is refused.
TABLE = {
    ("approve", "applied"): "approved", ("approve", "declined"): "approved",
    ("approve", "approved"): None, ("approve", "paused"): None,
    ("decline", "applied"): "declined", ("decline", "paused"): "declined",
    ("decline", "approved"): None, ("decline", "declined"): None,
    ("pause", "approved"): "paused", ("pause", "applied"): None, ("pause", "paused"): None, ("pause", "declined"): None,
    ("resume", "paused"): "approved", ("resume", "applied"): None, ("resume", "approved"): None,
    ("resume", "declined"): None,
}


@pytest.mark.parametrize(("move", "source"), list(TABLE), ids=lambda v: v)
def test_every_move_from_every_state_for_a_coordinator(community, coordinator, resident, move, source):
    profile = service.sign_up(resident)
    db.session.execute(VolunteerProfile.__table__.update().values(status=source))
    db.session.commit()
    db.session.refresh(profile)
    expected = TABLE[(move, source)]
    if expected is None:
        with pytest.raises(Conflict):
            service.decide(coordinator, profile, move)
        assert db.session.get(VolunteerProfile, profile.id).status == source
    else:
        service.decide(coordinator, profile, move)
        assert db.session.get(VolunteerProfile, profile.id).status == expected
        assert kinds()[-1] == transitions.EVENT_KINDS[move]


def test_a_volunteer_pauses_themselves_but_cannot_resume_or_approve(community, coordinator, resident):
    profile = approved(coordinator, resident)
    assert transitions.allowed(resident, profile) == ["pause"]
    transitions.apply(resident, profile, "pause")
    db.session.commit()
    assert profile.status == "paused"
    with pytest.raises(Forbidden):
        transitions.apply(resident, profile, "resume")
    assert transitions.allowed(coordinator, profile) == ["decline", "resume"]


def test_a_declined_resident_signs_up_again(community, coordinator, resident):
    profile = service.sign_up(resident)
    service.decide(coordinator, profile, "decline")
    again = service.sign_up(resident, availability="Weekends")
    assert (again.id, again.status, again.availability) == (profile.id, "applied", "Weekends")
    assert kinds() == ["volunteer.applied", "volunteer.declined", "volunteer.applied", "volunteer.updated"]


def test_declining_an_approved_then_paused_volunteer_takes_the_role_away(community, coordinator, resident):
    profile = approved(coordinator, resident)
    service.decide(coordinator, profile, "pause")
    service.decide(coordinator, profile, "decline")
    db.session.refresh(resident.membership)
    assert "volunteer" not in resident.roles
    assert not service.is_approved(resident, community.id)


def test_teams_and_buildings_of_another_community_are_refused(community, other_community, resident):
    foreign = service.ensure_teams(other_community.id)[0]
    db.session.commit()
    with pytest.raises(service.Invalid):
        service.sign_up(resident, team_ids=[foreign.id])
    with pytest.raises(service.Invalid):
        service.sign_up(resident, building_ids=[other_community.buildings[0].id])
    assert db.session.scalar(select(func.count(VolunteerProfile.id))) == 0


def test_the_on_duty_switch_is_the_volunteers_own_and_only_when_approved(community, coordinator, resident):
    profile = service.sign_up(resident)
    with pytest.raises(Conflict):
        service.set_on_duty(resident, profile, True)
    service.decide(coordinator, profile, "approve")
    with pytest.raises(Forbidden):
        service.set_on_duty(coordinator, profile, True)
    service.set_on_duty(resident, profile, True)
    assert service.on_duty_ids(community.id) == {resident.id}
    service.set_on_duty(resident, profile, False)
    assert service.on_duty_ids(community.id) == set()
    service.set_on_duty(resident, profile, True)
    service.decide(coordinator, profile, "pause")  # a pause turns the switch off
    assert service.on_duty_ids(community.id) == set()
    assert db.session.get(VolunteerProfile, profile.id).on_duty is False
    assert kinds()[-4:] == ["volunteer.on_duty", "volunteer.off_duty", "volunteer.on_duty", "volunteer.paused"]


def test_a_planned_shift_puts_a_volunteer_on_duty_for_its_hours(community, coordinator, resident, neighbour):
    approved(coordinator, resident)
    approved(coordinator, neighbour, teams=("groceries",))
    now = utcnow()
    gate = service.team_by_key(community.id, "gate")
    service.plan_shift(coordinator, user_id=resident.id, team_id=gate.id, starts_at=now - timedelta(hours=1),
                       ends_at=now + timedelta(hours=2))
    later = service.plan_shift(coordinator, user_id=neighbour.id, team_id=None, starts_at=now + timedelta(hours=3),
                               ends_at=now + timedelta(hours=6))
    assert service.on_duty_ids(community.id) == {resident.id}
    assert service.on_duty_ids(community.id, at=now + timedelta(hours=4)) == {neighbour.id}
    assert service.on_duty_ids(community.id, at=now + timedelta(hours=7)) == set()
    assert [s.id for s in service.next_shifts(community.id)] == [later.id]
    service.cancel_shift(coordinator, later)
    assert service.on_duty_ids(community.id, at=now + timedelta(hours=4)) == set()
    assert kinds()[-3:] == ["volunteer.shift_planned", "volunteer.shift_planned", "volunteer.shift_cancelled"]


def test_shifts_refused_when_they_make_no_sense(community, coordinator, resident, neighbour):
    approved(coordinator, resident)
    service.sign_up(neighbour)  # not approved yet
    now = utcnow()
    with pytest.raises(service.Invalid):
        service.plan_shift(coordinator, user_id=neighbour.id, team_id=None, starts_at=now, ends_at=now + timedelta(hours=1))
    with pytest.raises(service.Invalid):
        service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now, ends_at=now)
    with pytest.raises(service.Invalid):
        service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now,
                           ends_at=now + timedelta(hours=25))
    with pytest.raises(Forbidden):
        service.plan_shift(resident, user_id=resident.id, team_id=None, starts_at=now, ends_at=now + timedelta(hours=1))
    service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now, ends_at=now + timedelta(hours=3))
    with pytest.raises(Conflict):  # overlapping the first
        service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=2),
                           ends_at=now + timedelta(hours=4))
    assert db.session.scalar(select(func.count(Shift.id))) == 1


def test_turns_from_six_to_nine_in_the_evening(community, coordinator, resident, neighbour):
    approved(coordinator, resident)
    approved(coordinator, neighbour)
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    turns = service.plan_turns(coordinator, user_ids=[resident.id, neighbour.id], team_id=None, first_start=start,
                               last_end=start + timedelta(hours=15), turn_hours=4)
    assert [(s.user_id, s.hours) for s in turns] == [(resident.id, 4), (neighbour.id, 4), (resident.id, 4),
                                                    (neighbour.id, 3)]


def test_turns_are_all_or_none(community, coordinator, resident, neighbour):
    approved(coordinator, resident)
    approved(coordinator, neighbour)
    start = utcnow().replace(microsecond=0) + timedelta(days=1)
    service.plan_shift(coordinator, user_id=neighbour.id, team_id=None, starts_at=start + timedelta(hours=5),
                       ends_at=start + timedelta(hours=6))
    with pytest.raises(Conflict):
        service.plan_turns(coordinator, user_ids=[resident.id, neighbour.id], team_id=None, first_start=start,
                           last_end=start + timedelta(hours=12), turn_hours=4)
    assert db.session.scalar(select(func.count(Shift.id))) == 1


def test_hours_worked_count_past_and_running_shifts_not_cancelled_or_future(community, coordinator, resident):
    approved(coordinator, resident)
    now = utcnow()
    for start, end in ((-30, -27), (-1, 1), (5, 8)):
        service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=start),
                           ends_at=now + timedelta(hours=end))
    cancelled = service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=9),
                                   ends_at=now + timedelta(hours=10))
    service.cancel_shift(coordinator, cancelled)
    assert service.hours_worked(resident.id, community.id, now=now) == 4.0
    assert service.hours_worked(resident.id, community.id, now=now, since=now - timedelta(hours=2)) == 1.0


def test_the_demo_has_auntie_zhou_on_duty_and_wu_with_a_week_of_shifts(app):
    from board import demo
    from board.models import User

    demo.seed()
    zhou, wu = (db.session.scalar(select(User).where(User.login == login)) for login in ("zhou", "wu"))
    community_id = zhou.community_id
    assert service.is_approved(zhou, community_id) and service.is_approved(wu, community_id)
    assert zhou.id in service.on_duty_ids(community_id)
    medicine = service.team_by_key(community_id, "medicine")
    assert medicine.id in service.team_ids_of(zhou.id, community_id)
    building_3 = next(b for b in zhou.membership.community.buildings if b.name == "Building 3")
    assert service.covering_ids(community_id, building_3.id) == {zhou.id, wu.id}
    shifts = db.session.scalars(select(Shift).where(Shift.community_id == community_id)).all()
    assert len(shifts) == 14
    assert {s.user_id for s in shifts} == {zhou.id, wu.id}
    assert service.hours_worked(zhou.id, community_id) >= 3 * 7


def test_an_erased_account_leaves_no_phone_no_duty_and_no_shift_to_come(app, community, coordinator, resident):
    from board.accounts import service as accounts

    profile = approved(coordinator, resident, buildings=community.buildings[:1])
    profile.contact, profile.availability = "138 5555 6666", "Evenings"
    db.session.commit()
    service.set_on_duty(resident, profile, True)
    now = utcnow()
    past = service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now - timedelta(hours=5),
                              ends_at=now - timedelta(hours=2))
    future = service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=2),
                                ends_at=now + timedelta(hours=5))
    with app.test_request_context():
        accounts.erase(resident, password=factories.PASSWORD)
    profile = db.session.get(VolunteerProfile, profile.id)
    assert (profile.contact, profile.availability, profile.on_duty, profile.status) == ("", "", False, "paused")
    assert profile.teams == [] and profile.buildings == []
    assert db.session.get(Shift, future.id).cancelled_at is not None
    assert db.session.get(Shift, past.id).cancelled_at is None
    assert service.on_duty_ids(community.id) == set()
    assert service.covering_ids(community.id, community.buildings[0].id) == set()


def test_the_export_lists_my_sign_up_and_shifts(app, community, coordinator, resident):
    import io
    import json
    import zipfile

    from board.accounts import service as accounts

    approved(coordinator, resident)
    now = utcnow()
    service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=1),
                       ends_at=now + timedelta(hours=3))
    with app.test_request_context():
        archive = zipfile.ZipFile(io.BytesIO(accounts.export_zip(resident)))
    rows = json.loads(archive.read("volunteering.json"))
    assert [(r["what"], r["status"]) for r in rows] == [("sign-up", "approved"), ("shift", "")]
    assert rows[0]["teams"] == "medicine"
    assert "volunteering.csv" in archive.namelist()


def test_who_hears_of_a_sign_up_a_decision_and_a_shift(community, coordinator, resident):
    from board.notifications.models import Notification
    from board.volunteers import notify

    assert all(len(kind) <= 20 for kind in notify.NOTIFICATIONS.values())  # notifications.kind is 20 characters
    approved(coordinator, resident)
    now = utcnow()
    shift = service.plan_shift(coordinator, user_id=resident.id, team_id=None, starts_at=now + timedelta(hours=1),
                               ends_at=now + timedelta(hours=2))
    service.cancel_shift(coordinator, shift)
    heard = {(n.user_id, n.kind) for n in db.session.scalars(select(Notification))}
    assert heard == {(coordinator.id, "volunteer_applied"), (resident.id, "volunteer_approved"),
                     (resident.id, "shift_planned"), (resident.id, "shift_cancelled")}
