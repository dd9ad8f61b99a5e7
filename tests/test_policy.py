"""board.policy: every "who may …" question × every set of roles, and × every relation to the thing asked about.

The expectations are written out here by hand, not read from the module they check.
"""
from itertools import combinations

import pytest

from board import policy
from board.cards import transitions
from board.extensions import db
from board.households import service as households
from board.models import Person, Role, utcnow
from tests import factories

ROLES = [r.value for r in Role]
ROLE_SETS = [frozenset(c) for n in range(len(ROLES) + 1) for c in combinations(ROLES, n)]

COORDINATOR = lambda roles: "coordinator" in roles  # noqa: E731
ON_BEHALF = lambda roles: bool({"coordinator", "volunteer"} & roles)  # noqa: E731
NEVER = lambda roles: False  # noqa: E731
ALWAYS = lambda roles: True  # noqa: E731
MERCHANT = lambda roles: "merchant" in roles  # noqa: E731

# For a member of the community who is no party to the thing asked about (not its author, not in its
# handoff, not of its household, not a keeper of the shelf): the role set alone decides.
BYSTANDER = {
    "see_household": COORDINATOR,  # another household's record
    "manage_households": COORDINATOR,
    "grant_roles": COORDINATOR,
    "change_role": COORDINATOR,  # someone else's volunteer role
    "post_on_behalf": ON_BEHALF,
    "edit_card": NEVER,  # a neighbour's own card
    "write_card": NEVER,
    "write_card_on_behalf": COORDINATOR,  # a card posted for someone without a phone
    "withdraw_card": COORDINATOR,
    "help_with_own_card": NEVER,  # a neighbour's need is no one's "own"
    "see_history": COORDINATOR,
    "see_all_handoffs": COORDINATOR,
    "see_posted_for": COORDINATOR,
    "give": NEVER,
    "receive": NEVER,
    "receive_on_behalf": COORDINATOR,  # confirms after calling the resident
    "see_receiver_door": COORDINATOR,
    "see_for_person": COORDINATOR,
    "see_giver_door": COORDINATOR,
    "see_doorstep": COORDINATOR,
    "see_thanks": COORDINATOR,
    "see_lapses": COORDINATOR,
    "open_invite_sheet": COORDINATOR,
    "open_shelf": COORDINATOR,
    "keep_shelf": COORDINATOR,
    "see_numbers": ALWAYS,  # totals only
    "download_numbers": COORDINATOR,
    "keep_roster": COORDINATOR,
    "call_roster": ON_BEHALF,
    "see_care_record": COORDINATOR,  # a household's care record they are not assigned to call
    "export_data": NEVER,  # someone else's data: not even a coordinator downloads it
    "erase_account": NEVER,  # someone else's account
    "erase_person": COORDINATOR,  # someone without a login (they cannot ask themselves)
    "see_points": COORDINATOR,  # another volunteer's points and record
    "redeem": ALWAYS,  # one's own points: any member
    "list_gifts": MERCHANT,
    "keep_gift": NEVER,  # another merchant's gift and its codes: not even a coordinator
    "edit_point_rules": COORDINATOR,
    "correct_points": COORDINATOR,
    "sign_up_volunteer": ALWAYS,  # any resident offers; a coordinator decides
    "edit_volunteer_profile": NEVER,  # someone else's sign-up and on-duty switch
    "decide_volunteer": COORDINATOR,
    "manage_volunteers": COORDINATOR,
    "see_volunteers": ON_BEHALF,  # who is on duty, the teams and their numbers: volunteers and coordinators
    "see_volunteer_page": COORDINATOR,
    "see_volunteer_contact": COORDINATOR,  # a volunteer's phone: coordinators only
    "run_errands": lambda roles: "volunteer" in roles,
    "run_errand": lambda roles: "volunteer" in roles,  # another household's errand
    "dispatch": COORDINATOR,
    # The viewer has no volunteer sign-up, so is never on duty: the queue is the coordinators' alone (on duty:
    # test_the_queue_is_for_volunteers_on_duty_where_volunteers_claim).
    "on_duty": NEVER,
    "take_from_queue": NEVER,
    "see_desk": COORDINATOR,
    "place_errand_for_others": ON_BEHALF,
    "see_errand": COORDINATOR,  # an errand waiting in the queue: coordinators, and volunteers on duty
    "claim_errand": NEVER,
    "see_errand_door": COORDINATOR,
    "see_errand_person": COORDINATOR,
    "see_receipt": COORDINATOR,
}


@pytest.fixture
def world(community, other_community, resident, neighbour, coordinator, stranger):
    author, helper = resident, neighbour
    viewer = factories.user(community, login="zhou", display_name="Auntie Zhou", unit="201", building=2)
    target = factories.user(community, login="wu", display_name="Wu", unit="1503", building=2)
    need = factories.card(author)
    handoff = transitions.start(need, "match", helper)
    liu_home = households.household_at(community.id, community.buildings[1].id, "101")
    liu = households.add_person(coordinator, liu_home, name="刘奶奶", contact="knock")
    from board.cards.intake import take_call

    behalf = take_call(coordinator, person=liu, new_person=None, building=None, unit="", intake="phone",
                       card_fields={"category": "medicine", "title": "Fever medicine", "urgency": "normal"})
    behalf_handoff = transitions.start(behalf, "match", helper)
    shelf = factories.shelf(community, keepers=(helper,))
    from board.points.models import MerchantGift

    gift = MerchantGift(community_id=community.id, merchant_id=target.id, name="Water", price=10, stock=3)
    db.session.add(gift)
    from board.volunteers.models import VolunteerProfile

    volunteer_profile = VolunteerProfile(community_id=community.id, user_id=target.id, status="approved",
                                         contact="139 0000 0000")
    db.session.add(volunteer_profile)
    from board.errands import service as errands

    errand = errands.place_errand(author, household=author.household, title="Rice")
    from board.roster import service as roster

    care = roster.save_record(coordinator, liu_home, roster.RecordFields(reasons=["over_60_alone"], consent_by="she"))
    db.session.commit()
    return {"viewer": viewer, "target": target, "author": author, "helper": helper, "coordinator": coordinator,
            "stranger": stranger, "need": need, "handoff": handoff, "behalf": behalf,
            "behalf_handoff": behalf_handoff, "shelf": shelf, "gift": gift, "liu_home": liu_home, "liu": liu,
            "volunteer_profile": volunteer_profile,
            "errand": errand,
            "care": care,
            "author_home": author.household}


def ask(world, viewer, question) -> bool:
    w = world
    c = w["need"].community_id
    return {
        "see_household": lambda: policy.may_see_household(viewer, w["author_home"]),
        "manage_households": lambda: policy.may_manage_households(viewer, c),
        "grant_roles": lambda: policy.may_grant_roles(viewer, c),
        "change_role": lambda: policy.may_change_role(viewer, w["target"], Role.VOLUNTEER),
        "post_on_behalf": lambda: policy.may_post_on_behalf(viewer, c),
        "edit_card": lambda: policy.may_edit_card(viewer, w["need"]),
        "write_card": lambda: policy.may_write_card(viewer, w["need"]),
        "write_card_on_behalf": lambda: policy.may_write_card(viewer, w["behalf"]),
        "withdraw_card": lambda: policy.may_withdraw_card(viewer, w["need"]),
        "help_with_own_card": lambda: policy.may_help_with_own_card(viewer, w["need"]),
        "see_history": lambda: policy.may_see_history(viewer, w["need"], [w["handoff"]]),
        "see_all_handoffs": lambda: policy.may_see_all_handoffs(viewer, w["need"]),
        "see_posted_for": lambda: policy.may_see_posted_for(viewer, w["behalf"], [w["behalf_handoff"]]),
        "give": lambda: policy.on_giving_side(viewer, w["handoff"]),
        "receive": lambda: policy.on_receiving_side(viewer, w["handoff"]),
        "receive_on_behalf": lambda: policy.on_receiving_side(viewer, w["behalf_handoff"]),
        "see_receiver_door": lambda: policy.may_see_receiver_door(viewer, w["handoff"]),
        "see_for_person": lambda: policy.may_see_for_person(viewer, w["behalf_handoff"]),
        "see_giver_door": lambda: policy.may_see_giver_door(viewer, w["handoff"]),
        "see_doorstep": lambda: policy.may_see_doorstep(viewer, w["handoff"]),
        "see_thanks": lambda: policy.may_see_thanks(viewer, w["handoff"]),
        "see_lapses": lambda: policy.may_see_lapses(viewer, c),
        "open_invite_sheet": lambda: policy.may_open_invite_sheet(viewer, c),
        "open_shelf": lambda: policy.may_open_shelf(viewer, c),
        "keep_shelf": lambda: policy.may_keep_shelf(viewer, w["shelf"]),
        "see_numbers": lambda: policy.may_see_numbers(viewer, c),
        "download_numbers": lambda: policy.may_download_numbers(viewer, c),
        "keep_roster": lambda: policy.may_keep_roster(viewer, c),
        "call_roster": lambda: policy.may_call_roster(viewer, c),
        "see_care_record": lambda: policy.may_see_care_record(viewer, w["care"]),
        "export_data": lambda: policy.may_export_data(viewer, w["target"]),
        "erase_account": lambda: policy.may_erase_account(viewer, w["target"]),
        "erase_person": lambda: policy.may_erase_person(viewer, w["liu"]),
        "see_points": lambda: policy.may_see_points(viewer, w["target"]),
        "redeem": lambda: policy.may_redeem(viewer, c),
        "list_gifts": lambda: policy.may_list_gifts(viewer, c),
        "keep_gift": lambda: policy.may_keep_gift(viewer, w["gift"]),
        "edit_point_rules": lambda: policy.may_edit_point_rules(viewer, c),
        "correct_points": lambda: policy.may_correct_points(viewer, c),
        "sign_up_volunteer": lambda: policy.may_sign_up_volunteer(viewer, c),
        "edit_volunteer_profile": lambda: policy.may_edit_volunteer_profile(viewer, w["volunteer_profile"]),
        "decide_volunteer": lambda: policy.may_decide_volunteer(viewer, w["volunteer_profile"]),
        "manage_volunteers": lambda: policy.may_manage_volunteers(viewer, c),
        "see_volunteers": lambda: policy.may_see_volunteers(viewer, c),
        "see_volunteer_page": lambda: policy.may_see_volunteer_page(viewer, w["volunteer_profile"]),
        "see_volunteer_contact": lambda: policy.may_see_volunteer_contact(viewer, w["volunteer_profile"]),
        "run_errands": lambda: policy.may_run_errands(viewer, c),
        "run_errand": lambda: policy.may_run_errand(viewer, w["errand"]),
        "dispatch": lambda: policy.may_dispatch(viewer, c),
        "on_duty": lambda: policy.on_duty(viewer, c),
        "take_from_queue": lambda: policy.may_take_from_queue(viewer, c),
        "see_desk": lambda: policy.may_see_desk(viewer, c),
        "claim_errand": lambda: policy.may_claim_errand(viewer, w["errand"]),
        "place_errand_for_others": lambda: policy.may_place_errand_for_others(viewer, c),
        "see_errand": lambda: policy.may_see_errand(viewer, w["errand"]),
        "see_errand_door": lambda: policy.may_see_errand_door(viewer, w["errand"]),
        "see_errand_person": lambda: policy.may_see_errand_person(viewer, w["errand"]),
        "see_receipt": lambda: policy.may_see_receipt(viewer, w["errand"]),
    }[question]()


def test_the_table_covers_every_question_the_module_answers():
    assert set(policy.QUESTIONS) <= set(BYSTANDER), set(policy.QUESTIONS) - set(BYSTANDER)


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
def test_every_question_for_every_role_set(world, roles):
    viewer = world["viewer"]
    viewer.membership.set_roles(roles)
    db.session.commit()
    answers = {q: ask(world, viewer, q) for q in BYSTANDER}
    expected = {q: rule(roles) for q, rule in BYSTANDER.items()}
    assert answers == expected


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
def test_roles_in_another_community_count_for_nothing(world, roles):
    stranger = world["stranger"]
    stranger.membership.set_roles(roles)
    db.session.commit()
    assert {q: ask(world, stranger, q) for q in BYSTANDER} == dict.fromkeys(BYSTANDER, False)


def test_nobody_logged_in_may_do_anything(world):
    assert {q: ask(world, None, q) for q in BYSTANDER} == dict.fromkeys(BYSTANDER, False)


# Relations, for a plain resident (no other role): what being the author, the helper or the household gives.
RELATIONS = {
    # question: who among author, helper, liu's household member may (besides coordinators)
    "edit_card": set(),  # the need is matched: nobody edits it now (write_card says whose it is)
    "write_card": {"author"},
    "withdraw_card": {"author"},
    "see_history": {"author", "helper"},
    "see_all_handoffs": {"author"},
    "give": {"helper"},
    "receive": {"author"},
    "see_receiver_door": {"author", "helper"},
    "see_for_person": {"helper", "household"},  # the on-behalf handoff: its active helper, the household  # the helper while the match is active; the author's own door
    "see_giver_door": set(),  # nobody but coordinators: the helper's door is not needed
    "see_doorstep": {"author", "helper"},
    "see_thanks": {"author", "helper"},
    "see_posted_for": {"helper", "household"},  # the active helper of the on-behalf card, its household
    "receive_on_behalf": {"household"},  # the household's people with a login
    "see_household": {"author"},  # the author's own household (the one asked about) is theirs
    "see_errand": {"author"},  # the author's errand (still waiting: no volunteer yet)
    "see_errand_door": {"author"},
    "see_receipt": {"author"},
    "help_with_own_card": set(),  # the author's own household's need: never
    "run_errand": set(),  # plain residents run no errand, not even a neighbour's
}


def test_what_each_relation_gives_a_plain_resident(world, community):
    son = factories.user(community, login="liuson", display_name="Liu's son", unit="888", building=0)
    households.link_person(world["coordinator"], world["liu_home"], son)  # a second household
    people = {"author": world["author"], "helper": world["helper"], "household": son}
    for question, who in RELATIONS.items():
        got = {name for name, person in people.items() if ask(world, person, question)}
        assert got == who, question


def test_a_household_is_seen_by_its_own_people_and_coordinators(world, community):
    author_home, liu_home = world["author_home"], world["liu_home"]
    assert policy.may_see_household(world["author"], author_home)
    assert not policy.may_see_household(world["author"], liu_home)
    assert not policy.may_see_household(world["helper"], author_home)
    assert policy.may_see_household(world["coordinator"], liu_home)


def test_a_coordinator_cannot_take_away_their_own_coordinator_role(world):
    coordinator = world["coordinator"]
    assert policy.may_change_role(coordinator, coordinator, Role.VOLUNTEER)
    assert not policy.may_change_role(coordinator, coordinator, Role.COORDINATOR)
    assert policy.may_change_role(coordinator, world["target"], Role.COORDINATOR)


def test_the_helpers_door_is_shown_only_while_the_match_is_active(world):
    handoff, helper = world["handoff"], world["helper"]
    assert policy.may_see_receiver_door(helper, handoff)
    transitions.apply_handoff(handoff, "helper_withdraw", helper)
    db.session.refresh(handoff)
    assert not policy.may_see_receiver_door(helper, handoff)
    assert policy.may_see_receiver_door(world["author"], handoff)  # their own door, always


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
def test_every_resident_exports_and_erases_their_own_account_whatever_their_roles(world, roles):
    viewer = world["viewer"]
    viewer.membership.set_roles(roles)
    db.session.commit()
    assert policy.may_export_data(viewer, viewer) and policy.may_erase_account(viewer, viewer)
    assert not policy.may_export_data(None, viewer) and not policy.may_erase_account(None, viewer)


def test_points_are_seen_by_their_volunteer_and_a_gift_kept_by_its_merchant(world):
    target, gift = world["target"], world["gift"]
    assert policy.may_see_points(target, target) and not policy.may_see_points(world["author"], target)
    assert not policy.may_keep_gift(target, gift), "the gift's merchant without the merchant role"
    target.membership.set_roles({"resident", "merchant"})
    db.session.commit()
    assert policy.may_keep_gift(target, gift) and policy.may_list_gifts(target, gift.community_id)


def test_a_coordinator_erases_only_a_person_without_a_login_and_only_once(world):
    coordinator, author = world["coordinator"], world["author"]
    with_login = db.session.scalars(db.select(Person).where(Person.user_id == author.id)).one()
    assert not policy.may_erase_person(coordinator, with_login)
    assert policy.may_erase_person(coordinator, world["liu"])
    world["liu"].erased_at = utcnow()
    assert not policy.may_erase_person(coordinator, world["liu"])
    assert not policy.may_erase_person(world["stranger"], with_login)


@pytest.mark.parametrize("roles", ROLE_SETS, ids=lambda r: "+".join(sorted(r)) or "none")
def test_a_volunteer_edits_and_reads_their_own_profile_but_decides_only_as_a_coordinator(world, roles):
    volunteer = world["target"]
    volunteer.membership.set_roles(roles)
    db.session.commit()
    profile = world["volunteer_profile"]
    assert policy.may_edit_volunteer_profile(volunteer, profile)
    assert policy.may_see_volunteer_page(volunteer, profile)
    assert policy.may_see_volunteer_contact(volunteer, profile)
    assert policy.may_decide_volunteer(volunteer, profile) == ("coordinator" in roles)


def test_only_a_need_posted_for_another_household_is_its_posters_to_help_with(world, community):
    """The coordinator took Liu's call: they may bring it; the author of their own need, Liu's son, a bystander
    may not; and whoever brings a thing never confirms receiving it."""
    son = factories.user(community, login="liuson", display_name="Liu's son", unit="888", building=0)
    households.link_person(world["coordinator"], world["liu_home"], son)
    behalf, need = world["behalf"], world["need"]
    assert policy.may_help_with_own_card(world["coordinator"], behalf)
    assert not policy.may_help_with_own_card(world["author"], need)
    assert not policy.may_help_with_own_card(son, behalf)
    assert not policy.may_help_with_own_card(world["helper"], behalf)
    handoff = world["behalf_handoff"]
    assert policy.on_receiving_side(son, handoff) and policy.on_receiving_side(world["coordinator"], handoff)
    assert not policy.on_receiving_side(world["helper"], handoff)
    transitions.apply_handoff(handoff, "helper_withdraw", world["helper"])
    db.session.refresh(behalf)
    assert transitions.allowed(behalf, "match", world["coordinator"])  # open again: its poster may bring it
    own = factories.card(world["author"], title="Rice")
    assert not transitions.allowed(own, "match", world["author"])


QUEUE_QUESTIONS = ("on_duty", "take_from_queue", "see_desk", "see_errand", "claim_errand")


@pytest.mark.parametrize("mode,vulnerable,expected", [
    ("claim", False, {"on_duty", "take_from_queue", "see_desk", "see_errand", "claim_errand"}),
    ("claim", True, {"on_duty", "take_from_queue", "see_desk", "see_errand", "claim_errand"}),
    ("claim_except_vulnerable", False, {"on_duty", "take_from_queue", "see_desk", "see_errand", "claim_errand"}),
    # The queue, but a coordinator assigns a vulnerable household's errand.
    ("claim_except_vulnerable", True, {"on_duty", "take_from_queue", "see_desk", "see_errand"}),
    # Coordinators assign everything: a volunteer sees only their own errands.
    ("assign", False, {"on_duty"}),
])
def test_the_queue_is_for_volunteers_on_duty_where_volunteers_claim(world, community, mode, vulnerable, expected):
    from board.errands.models import ErrandSettings
    from board.models import PRIORITY_DISABLED
    from board.volunteers.models import VolunteerProfile

    viewer = world["viewer"]
    viewer.membership.set_roles({"resident", "volunteer"})
    profile = VolunteerProfile(community_id=community.id, user_id=viewer.id, status="approved", on_duty=False)
    db.session.add_all([profile, ErrandSettings(community_id=community.id, mode=mode, open_limit=3)])
    world["author_home"].priority = PRIORITY_DISABLED if vulnerable else 0
    db.session.commit()
    assert {q for q in QUEUE_QUESTIONS if ask(world, viewer, q)} == set(), "off duty: no queue, no waiting errand"
    profile.on_duty = True
    db.session.commit()
    assert {q for q in QUEUE_QUESTIONS if ask(world, viewer, q)} == expected
    profile.on_duty, profile.status = False, "paused"
    db.session.commit()
    assert {q for q in QUEUE_QUESTIONS if ask(world, viewer, q)} == set()


def test_a_planned_shift_under_way_puts_a_volunteer_on_duty(world, community):
    from datetime import timedelta

    from board.volunteers.models import Shift, VolunteerProfile

    viewer, now = world["viewer"], utcnow()
    viewer.membership.set_roles({"resident", "volunteer"})
    db.session.add(VolunteerProfile(community_id=community.id, user_id=viewer.id, status="approved", on_duty=False))
    db.session.add(Shift(community_id=community.id, user_id=viewer.id, starts_at=now + timedelta(hours=1),
                         ends_at=now + timedelta(hours=3)))
    db.session.commit()
    assert not policy.on_duty(viewer, community.id) and not policy.may_see_desk(viewer, community.id)
    db.session.add(Shift(community_id=community.id, user_id=viewer.id, starts_at=now - timedelta(hours=1),
                         ends_at=now + timedelta(minutes=30)))
    db.session.commit()
    assert policy.on_duty(viewer, community.id) and policy.may_see_desk(viewer, community.id)
    assert not policy.on_duty(world["stranger"], community.id)
