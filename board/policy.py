"""Who may do what: every "who may …" question of the board, answered here and nowhere else.

Views, services, the transition table and templates all ask these functions (templates through
`may(question, thing)`); tests/test_policy.py checks every question against every set of roles.
A viewer is a User (or None / an anonymous user); a role counts only in the community it was given in.
"""
from __future__ import annotations

from collections.abc import Callable

from flask import current_app, g, has_app_context, has_request_context
from sqlalchemy import exists, select

from board.errands.models import ErrandSettings, Mode, settings_of, vulnerability
from board.extensions import db
from board.models import Card, Handoff, Household, Person, Role, User
from board.volunteers.models import VolunteerProfile, on_duty_clause

R = Role


def _member_of(viewer: User | None, community_id: int | None) -> bool:
    return bool(
        viewer is not None and getattr(viewer, "is_authenticated", False) and community_id is not None
        and viewer.community_id == community_id and getattr(viewer, "erased_at", None) is None
    )


def has_role(viewer: User | None, role: Role, community_id: int | None) -> bool:
    """`viewer` holds `role` in that community (a role elsewhere counts for nothing here)."""
    return _member_of(viewer, community_id) and role.value in viewer.roles


def is_coordinator(viewer: User | None, community_id: int | None) -> bool:
    return has_role(viewer, R.COORDINATOR, community_id)


# Households and people.

def in_household(viewer: User | None, household_id: int | None) -> bool:
    """`viewer` lives there (their home) or is linked to it as one of its people (a second household)."""
    if household_id is None or viewer is None or not getattr(viewer, "is_authenticated", False):
        return False
    if viewer.membership is not None and viewer.membership.household_id == household_id:
        return True
    return household_id in linked_household_ids(viewer)


def linked_household_ids(viewer: User) -> frozenset[int]:
    """Households `viewer` is one of the people of (their own and any second one), read once per viewer
    (for the resident logged in, with them: board.auth.sessions)."""
    if (known := viewer.linked_households) is not None:
        return known
    cache = g.setdefault("linked_households", {}) if has_app_context() else {}
    if viewer.id not in cache:
        stmt = select(Person.household_id).where(Person.user_id == viewer.id, Person.erased_at.is_(None))
        cache[viewer.id] = frozenset(db.session.scalars(stmt))
    return cache[viewer.id]


def may_see_household(viewer: User | None, household: Household) -> bool:
    """A household's record (its people, how to reach them): its own members and coordinators."""
    return is_coordinator(viewer, household.community_id) or (
        _member_of(viewer, household.community_id) and in_household(viewer, household.id)
    )


def may_manage_households(viewer: User | None, community_id: int | None) -> bool:
    """Create households, add people without a login, move or erase them: coordinators."""
    return is_coordinator(viewer, community_id)


def may_grant_roles(viewer: User | None, community_id: int | None) -> bool:
    """The members page, where roles are granted and removed: coordinators."""
    return is_coordinator(viewer, community_id)


def may_change_role(viewer: User | None, target: User, role: Role) -> bool:
    """A coordinator changes anyone's roles but cannot take their own coordinator role away (no lock-out)."""
    if not may_grant_roles(viewer, target.community_id):
        return False
    return not (target.id == viewer.id and role == R.COORDINATOR)


def may_post_on_behalf(viewer: User | None, community_id: int | None) -> bool:
    """Take a phone call and post for a neighbour without a phone: volunteers and coordinators."""
    return has_role(viewer, R.VOLUNTEER, community_id) or is_coordinator(viewer, community_id)


# Cards.

def may_write_card(viewer: User | None, card: Card) -> bool:
    """Whose card's text it is: its poster; a card posted for someone else also its community's coordinators."""
    if not _member_of(viewer, card.community_id):
        return False
    return card.author_id == viewer.id or (card.on_behalf and is_coordinator(viewer, card.community_id))


def may_edit_card(viewer: User | None, card: Card) -> bool:
    """The edit button: whoever may write the card, while it is open."""
    return card.status == "open" and may_write_card(viewer, card)


def may_help_with_own_card(viewer: User | None, card: Card) -> bool:
    """"I can help" on one's own need: only one posted for another household (a call taken for Grandma Liu, whose
    poster then brings it), never one's own household's need."""
    return (
        card.kind == "need" and _member_of(viewer, card.community_id) and card.author_id == viewer.id
        and card.household_id is not None and not in_household(viewer, card.household_id)
    )


def may_withdraw_card(viewer: User | None, card: Card) -> bool:
    """Who may take a card off the board (in any state; the transition table says when)."""
    return _member_of(viewer, card.community_id) and (
        card.author_id == viewer.id or is_coordinator(viewer, card.community_id)
    )


def may_see_history(viewer: User | None, card: Card, handoffs: list[Handoff]) -> bool:
    """A card's timeline: its poster, the people in its handoffs, its household, coordinators."""
    if not _member_of(viewer, card.community_id):
        return False
    return (
        is_coordinator(viewer, card.community_id) or card.author_id == viewer.id
        or any(on_giving_side(viewer, h) or on_receiving_side(viewer, h) for h in handoffs)
        or (card.on_behalf and in_household(viewer, card.household_id))
    )


def may_see_all_handoffs(viewer: User | None, card: Card) -> bool:
    """Every ask on an offer (the giver chooses among them) and every handoff: the poster and coordinators."""
    return _member_of(viewer, card.community_id) and (
        card.author_id == viewer.id or is_coordinator(viewer, card.community_id)
        or (card.on_behalf and in_household(viewer, card.household_id))
    )


def may_see_posted_for(viewer: User | None, card: Card, handoffs: list[Handoff] = ()) -> bool:
    """"Posted by 王姐 for 刘奶奶 (phone call)": the poster, coordinators, the household, its active helper."""
    if not card.on_behalf or not _member_of(viewer, card.community_id):
        return False
    return (
        card.author_id == viewer.id or is_coordinator(viewer, card.community_id)
        or in_household(viewer, card.household_id)
        or any(h.is_active and h.giver_id == viewer.id for h in handoffs)
    )


# Handoffs: the two sides, and the door.

def on_giving_side(viewer: User | None, handoff: Handoff) -> bool:
    return _member_of(viewer, handoff.community_id) and handoff.giver_id == viewer.id


def on_receiving_side(viewer: User | None, handoff: Handoff) -> bool:
    """The receiver; for something asked on someone's behalf also that household's people with a login
    and the community's coordinators (who confirm after calling the resident)."""
    if not _member_of(viewer, handoff.community_id) or handoff.giver_id == viewer.id:
        return False  # who brings it never confirms it (a poster who runs their own on-behalf need)
    if handoff.receiver_id == viewer.id:
        return True
    if _for_someone_else(handoff):
        return in_household(viewer, handoff.receiver_household_id) or is_coordinator(viewer, handoff.community_id)
    return False


def _for_someone_else(handoff: Handoff) -> bool:
    return handoff.for_person_id is not None or handoff.card.for_person_id is not None


def may_see_for_person(viewer: User | None, handoff: Handoff) -> bool:
    """The name of the person a handoff is for (asked on their behalf): as their door."""
    return may_see_receiver_door(viewer, handoff)


def may_see_receiver_door(viewer: User | None, handoff: Handoff) -> bool:
    """The door it goes to: the giver while the match is active, the receiving side, and coordinators."""
    if not _member_of(viewer, handoff.community_id):
        return False
    if is_coordinator(viewer, handoff.community_id) or on_receiving_side(viewer, handoff):
        return True
    return handoff.is_active and handoff.giver_id == viewer.id


def may_see_giver_door(viewer: User | None, handoff: Handoff) -> bool:
    """The helper's own door: coordinators only. The handoff goes to the receiver's door, so the
    receiver never needs to know where the helper lives."""
    return is_coordinator(viewer, handoff.community_id)


def may_see_doorstep(viewer: User | None, handoff: Handoff) -> bool:
    """The doorstep note and photo (they may show the door): as the door, and the receiving side always."""
    return may_see_receiver_door(viewer, handoff) or on_receiving_side(viewer, handoff)


def may_see_thanks(viewer: User | None, handoff: Handoff) -> bool:
    return on_giving_side(viewer, handoff) or on_receiving_side(viewer, handoff) or is_coordinator(
        viewer, handoff.community_id
    )


def may_see_lapses(viewer: User | None, community_id: int | None) -> bool:
    """How many matches a helper let lapse: coordinators, who choose whom to trust with a run."""
    return is_coordinator(viewer, community_id)


# The community's own pages.

def may_open_invite_sheet(viewer: User | None, community_id: int | None) -> bool:
    return is_coordinator(viewer, community_id)


def may_open_shelf(viewer: User | None, community_id: int | None) -> bool:
    """Open a shelf of the medicine box and name its keepers: coordinators."""
    return is_coordinator(viewer, community_id)


def may_keep_shelf(viewer: User | None, shelf) -> bool:
    """Check in gifts, stock, correct and read the register: the shelf's keepers and coordinators."""
    if not _member_of(viewer, shelf.community_id):
        return False
    return is_coordinator(viewer, shelf.community_id) or shelf.is_keeper(viewer)


# Volunteer points, merchants' gifts.

def may_see_points(viewer: User | None, user: User) -> bool:
    """A volunteer's points, record and certificate: that volunteer and the community's coordinators."""
    return _member_of(viewer, user.community_id) and (viewer.id == user.id or is_coordinator(viewer, user.community_id))


def may_redeem(viewer: User | None, community_id: int | None) -> bool:
    """Spend one's own points on a gift: any member of the community (points are earned by helping)."""
    return _member_of(viewer, community_id)


def may_list_gifts(viewer: User | None, community_id: int | None) -> bool:
    """List gifts for points and work the counter: merchants."""
    return has_role(viewer, R.MERCHANT, community_id)


def may_keep_gift(viewer: User | None, gift) -> bool:
    """Change a gift, see and mark its codes: the merchant who gives it, and no one else."""
    return may_list_gifts(viewer, gift.community_id) and gift.merchant_id == viewer.id


def may_edit_point_rules(viewer: User | None, community_id: int | None) -> bool:
    """How many points for what, the daily cap: coordinators."""
    return is_coordinator(viewer, community_id)


def may_correct_points(viewer: User | None, community_id: int | None) -> bool:
    """Add to the pool, take back points earned by mistake, read the flags: coordinators."""
    return is_coordinator(viewer, community_id)


# The community's numbers.

def may_see_numbers(viewer: User | None, community_id: int | None) -> bool:
    """The numbers page (totals only, nobody singled out): every member, whatever their roles."""
    return _member_of(viewer, community_id)


def may_download_numbers(viewer: User | None, community_id: int | None) -> bool:
    """The numbers as CSV: coordinators."""
    return is_coordinator(viewer, community_id)




# The care roster (board/roster): care records are coordinators' and their assigned callers', nobody else's.

def may_keep_roster(viewer: User | None, community_id: int | None) -> bool:
    """Put a household on the roster, set its record, schedule and callers, read the digest and openings: coordinators."""
    return is_coordinator(viewer, community_id)


def may_call_roster(viewer: User | None, community_id: int | None) -> bool:
    """The call list (the households assigned to them): volunteers and coordinators."""
    return has_role(viewer, R.VOLUNTEER, community_id) or is_coordinator(viewer, community_id)


def may_see_care_record(viewer: User | None, record) -> bool:
    """A care record, its history and its numbers: coordinators, and its assigned callers while they may call."""
    if record is None or getattr(record, "erased_at", None) is not None:
        return is_coordinator(viewer, getattr(record, "community_id", None))
    return is_coordinator(viewer, record.community_id) or (
        may_call_roster(viewer, record.community_id) and record.is_caller(viewer)
    )


# My data, mine.

def may_export_data(viewer: User | None, user: User) -> bool:
    """Everything the board holds about a resident: that resident only (not even a coordinator)."""
    return _member_of(viewer, user.community_id) and viewer.id == user.id


def may_erase_account(viewer: User | None, user: User) -> bool:
    """Deleting an account: its own resident only (a coordinator erases people without a login)."""
    return _member_of(viewer, user.community_id) and viewer.id == user.id


def may_erase_person(viewer: User | None, person: Person) -> bool:
    """Erasing someone without a login (they cannot ask themselves): coordinators, once."""
    return (person.user_id is None and person.erased_at is None
            and may_manage_households(viewer, person.community_id))


# Volunteers (board/volunteers/).

def may_sign_up_volunteer(viewer: User | None, community_id: int | None) -> bool:
    """Offer to volunteer: any resident of the community (a coordinator then decides)."""
    return _member_of(viewer, community_id)


def may_edit_volunteer_profile(viewer: User | None, profile) -> bool:
    """Change one's own teams, buildings, hours, contact; switch oneself on or off duty: the volunteer only."""
    return _member_of(viewer, profile.community_id) and viewer.id == profile.user_id


def may_decide_volunteer(viewer: User | None, profile) -> bool:
    """Approve, decline, pause or resume a volunteer (approving grants the volunteer role): coordinators."""
    return is_coordinator(viewer, profile.community_id)


def may_manage_volunteers(viewer: User | None, community_id: int | None) -> bool:
    """The coordinator's volunteer list (sign-ups waiting, late drops and no-shows), teams, shifts: coordinators."""
    return is_coordinator(viewer, community_id)


def may_see_volunteers(viewer: User | None, community_id: int | None) -> bool:
    """Who is on duty now and next, the teams and their numbers: coordinators and volunteers."""
    return has_role(viewer, R.VOLUNTEER, community_id) or is_coordinator(viewer, community_id)


def may_see_volunteer_page(viewer: User | None, profile) -> bool:
    """A volunteer's own page (errands, hours, what they did): the volunteer and coordinators."""
    return may_edit_volunteer_profile(viewer, profile) or is_coordinator(viewer, profile.community_id)


def may_see_volunteer_contact(viewer: User | None, profile) -> bool:
    """A volunteer's phone or contact: coordinators only (and the volunteer, on their own page)."""
    return is_coordinator(viewer, profile.community_id) or may_edit_volunteer_profile(viewer, profile)


# Errands and the dispatch desk (board/errands).

def in_community(viewer: User | None, community_id: int | None) -> bool:
    """A resident (not erased) of that community."""
    return _member_of(viewer, community_id)


def may_run_errands(viewer: User | None, community_id: int | None) -> bool:
    """Claim or be assigned errands: the community's volunteers (approving one grants the role)."""
    return has_role(viewer, R.VOLUNTEER, community_id)


def may_run_errand(viewer: User | None, errand) -> bool:
    """Claim or be assigned this errand: a volunteer of the community who is not of the household it is for.

    A resident never runs their own household's errand; whoever placed it on behalf of another household may
    (a coordinator who took Grandma Liu's call and is a volunteer too), as any volunteer may.
    """
    return may_run_errands(viewer, errand.community_id) and not in_household(viewer, errand.household_id)


def may_dispatch(viewer: User | None, community_id: int | None) -> bool:
    """Assign, take back, close, return all of a volunteer's errands, the problems list, the money: coordinators."""
    return is_coordinator(viewer, community_id)


def on_duty(viewer: User | None, community_id: int | None) -> bool:
    """A volunteer of that community on duty now: their own switch is on, or a shift a coordinator planned is
    under way (board/volunteers). Read once per request (the desk asks it for every row)."""
    if not has_role(viewer, R.VOLUNTEER, community_id):
        return False
    cache = g.setdefault("on_duty", {}) if has_request_context() else {}
    key = (viewer.id, community_id)
    if key not in cache:
        # The community's dispatch mode rides along: whoever asks whether a volunteer is on duty asks it next
        # (may_take_from_queue), and a card's page stays within its statements.
        mode = select(ErrandSettings.mode).where(ErrandSettings.community_id == community_id).scalar_subquery()
        stmt = select(exists().where(VolunteerProfile.user_id == viewer.id, on_duty_clause(community_id)), mode)
        on, mode_found = db.session.execute(stmt).one()
        cache[key] = bool(on)
        if has_request_context():
            g.setdefault("errand_mode", {}).setdefault(community_id, mode_found or current_app.config["ERRAND_MODE"])
    return cache[key]


def may_take_from_queue(viewer: User | None, community_id: int | None) -> bool:
    """The queue, as a volunteer: while on duty, and only where volunteers claim (where coordinators assign
    everything, a volunteer sees only their own errands)."""
    return on_duty(viewer, community_id) and _mode(community_id) != Mode.ASSIGN.value


def _mode(community_id: int) -> str:
    """The community's dispatch mode (board/errands), read once per request."""
    cache = g.setdefault("errand_mode", {}) if has_request_context() else {}
    if community_id not in cache:
        cache[community_id] = settings_of(community_id).mode
    return cache[community_id]


def may_see_desk(viewer: User | None, community_id: int | None) -> bool:
    """The dispatch desk's queue (buildings only for volunteers): coordinators; volunteers on duty, by the mode."""
    return may_dispatch(viewer, community_id) or may_take_from_queue(viewer, community_id)


def may_place_errand_for_others(viewer: User | None, community_id: int | None) -> bool:
    """Place an errand for someone without a phone: volunteers and coordinators (as posting on behalf)."""
    return may_post_on_behalf(viewer, community_id)


def _errand_household(viewer: User | None, errand) -> bool:
    return errand.card.author_id == viewer.id or in_household(viewer, errand.household_id)


def may_see_errand(viewer: User | None, errand) -> bool:
    """An errand's page: its household, its volunteer, coordinators; volunteers on duty while it waits in the queue."""
    if not _member_of(viewer, errand.community_id):
        return False
    return (
        may_dispatch(viewer, errand.community_id) or _errand_household(viewer, errand)
        or errand.volunteer_id == viewer.id
        or (errand.state == "waiting" and may_take_from_queue(viewer, errand.community_id))
    )


def may_claim_errand(viewer: User | None, errand) -> bool:
    """"I'll take it" (on the desk or the board): a volunteer who may take from the queue and may run this errand
    (not of its household); where vulnerable households are assigned by a coordinator, not theirs."""
    if not may_take_from_queue(viewer, errand.community_id) or not may_run_errand(viewer, errand):
        return False
    return _mode(errand.community_id) == Mode.CLAIM.value or vulnerability(errand.household) <= 0


ERRAND_DOOR_STATES = frozenset({"assigned", "accepted", "on_the_way", "delivered"})


def may_see_errand_door(viewer: User | None, errand) -> bool:
    """The unit: the household and coordinators; its volunteer only while the errand is theirs and not yet done."""
    if not _member_of(viewer, errand.community_id):
        return False
    if may_dispatch(viewer, errand.community_id) or _errand_household(viewer, errand):
        return True
    return errand.volunteer_id == viewer.id and errand.state in ERRAND_DOOR_STATES


def may_see_errand_person(viewer: User | None, errand) -> bool:
    """Who it is for and how to reach them: as the door."""
    return may_see_errand_door(viewer, errand)


def may_see_receipt(viewer: User | None, errand) -> bool:
    """A receipt photo and what was spent: the volunteer who spent it, the household, coordinators."""
    if not _member_of(viewer, errand.community_id):
        return False
    return (
        may_dispatch(viewer, errand.community_id) or _errand_household(viewer, errand)
        or (errand.spent_by_id is not None and errand.spent_by_id == viewer.id)
    )


# By name, for templates (`may("see_thanks", handoff)`) and for the test table.
QUESTIONS: dict[str, Callable[..., bool]] = {
    "see_household": may_see_household,
    "manage_households": may_manage_households,
    "grant_roles": may_grant_roles,
    "change_role": may_change_role,
    "post_on_behalf": may_post_on_behalf,
    "edit_card": may_edit_card,
    "write_card": may_write_card,
    "withdraw_card": may_withdraw_card,
    "help_with_own_card": may_help_with_own_card,
    "see_history": may_see_history,
    "see_all_handoffs": may_see_all_handoffs,
    "see_posted_for": may_see_posted_for,
    "give": on_giving_side,
    "receive": on_receiving_side,
    "see_receiver_door": may_see_receiver_door,
    "see_for_person": may_see_for_person,
    "see_giver_door": may_see_giver_door,
    "see_doorstep": may_see_doorstep,
    "see_thanks": may_see_thanks,
    "see_lapses": may_see_lapses,
    "open_invite_sheet": may_open_invite_sheet,
    "open_shelf": may_open_shelf,
    "keep_shelf": may_keep_shelf,
    "see_numbers": may_see_numbers,
    "download_numbers": may_download_numbers,


    "keep_roster": may_keep_roster,
    "call_roster": may_call_roster,
    "see_care_record": may_see_care_record,
    "export_data": may_export_data,
    "erase_account": may_erase_account,
    "erase_person": may_erase_person,
    "see_points": may_see_points,
    "redeem": may_redeem,
    "list_gifts": may_list_gifts,
    "keep_gift": may_keep_gift,
    "edit_point_rules": may_edit_point_rules,
    "correct_points": may_correct_points,
    "sign_up_volunteer": may_sign_up_volunteer,
    "edit_volunteer_profile": may_edit_volunteer_profile,
    "decide_volunteer": may_decide_volunteer,
    "manage_volunteers": may_manage_volunteers,
    "see_volunteers": may_see_volunteers,
    "see_volunteer_page": may_see_volunteer_page,
    "see_volunteer_contact": may_see_volunteer_contact,
    "run_errands": may_run_errands,
    "run_errand": may_run_errand,
    "dispatch": may_dispatch,
    "see_desk": may_see_desk,
    "place_errand_for_others": may_place_errand_for_others,
    "on_duty": on_duty,
    "take_from_queue": may_take_from_queue,
    "see_errand": may_see_errand,
    "claim_errand": may_claim_errand,
    "see_errand_door": may_see_errand_door,
    "see_errand_person": may_see_errand_person,
    "see_receipt": may_see_receipt,
}


def may(viewer: User | None, question: str, *args) -> bool:
    return QUESTIONS[question](viewer, *args)


def init_app(app) -> None:
    """Templates ask the same questions: `{% if may("see_thanks", handoff) %}`."""
    from flask_login import current_user

    @app.context_processor
    def _may() -> dict:
        return {"may": lambda question, *args: may(current_user._get_current_object(), question, *args)}
