"""Every errand move × every state × every party: allowed moves happen, the rest change nothing.

The expectations are written out here by hand, not read from the table they check.
"""
import pytest

from board.cards import handoffs
from board.errands import service, transitions
from board.errands.models import Errand
from board.errors import Conflict, Forbidden
from board.extensions import db
from board.models import Event
from tests import factories

PARTIES = ("household", "runner", "other_volunteer", "coordinator", "member", "stranger", "system")
RUNNING = ("assigned", "accepted", "on_the_way")

# (move, errand state) → who may make it; any other (move, state) is refused.
ALLOWED = {
    ("claim", "waiting"): {"runner", "other_volunteer"},
    ("assign", "waiting"): {"coordinator"},
    ("assign", "problem"): {"coordinator"},
    ("accept", "assigned"): {"runner"},
    ("on_the_way", "accepted"): {"runner"},
    **{("give_back", s): {"runner"} for s in RUNNING},
    ("report_problem", "accepted"): {"runner"},
    ("report_problem", "on_the_way"): {"runner"},
    **{("time_out", s): {"system"} for s in RUNNING},
    **{("reassign", s): {"coordinator"} for s in (*RUNNING, "problem")},
    ("call_resident", "problem"): {"coordinator"},
    **{("close", s): {"coordinator", "system"} for s in ("waiting", *RUNNING, "problem")},
    ("deliver", "accepted"): {"system"},
    ("deliver", "on_the_way"): {"system"},
    ("not_there", "delivered"): {"system"},
    **{("complete", s): {"system"} for s in ("accepted", "on_the_way", "delivered")},
    **{("spend", s): {"runner"} for s in ("accepted", "on_the_way", "delivered", "completed")},
}
RESULT = {
    "claim": "accepted", "assign": "assigned", "accept": "accepted", "on_the_way": "on_the_way",
    "give_back": "waiting", "report_problem": "problem", "time_out": "waiting", "reassign": "waiting",
    "call_resident": None, "close": "closed", "deliver": "delivered", "not_there": "on_the_way",
    "complete": "completed", "spend": None,
}
EVENT = {
    "claim": "claimed", "assign": "assigned", "accept": "accepted", "on_the_way": "on_the_way",
    "give_back": "given_back", "report_problem": "problem", "time_out": "timed_out", "reassign": "reassigned",
    "call_resident": "called", "close": "closed", "deliver": "delivered", "not_there": "not_there",
    "complete": "completed", "spend": "spent",
}
# In which capacities each party can act, by the errand's state (the runner holds it from its assignment on).
HOLDS = {"assigned", "accepted", "on_the_way", "delivered", "completed", "problem"}
MAY_IN = {
    "claim": {"volunteer"}, "assign": {"coordinator"}, "accept": {"runner"}, "on_the_way": {"runner"},
    "give_back": {"runner"}, "report_problem": {"runner"}, "time_out": {"system"}, "reassign": {"coordinator"},
    "call_resident": {"coordinator"}, "close": {"coordinator", "system"}, "deliver": {"system"},
    "not_there": {"system"}, "complete": {"system"}, "spend": {"runner"},
}
DATA = {"report_problem": {"outcome": "not_home"}, "close": {"reason": "done elsewhere"}, "spend": {"amount": 1200},
        "call_resident": {"note": "called"}, "time_out": {"reason": "not_accepted"}}


def capacities(party: str, state: str) -> set[str]:
    return {
        "household": {"household"}, "runner": {"volunteer"} | ({"runner"} if state in HOLDS else set()),
        "other_volunteer": {"volunteer"}, "coordinator": {"coordinator"}, "member": set(), "stranger": set(),
        "system": {"system"},
    }[party]


@pytest.fixture
def people(community, other_community, resident, neighbour, coordinator, stranger):
    # On duty: a volunteer claims from the queue only then (tests/test_errands.py checks off duty).
    runner = factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", building=2,
                                              unit="201", role="volunteer"))
    other = factories.on_duty(factories.user(community, login="wu", display_name="Wu", building=2, unit="1503",
                                             role="volunteer"))
    return {"household": resident, "runner": runner, "other_volunteer": other, "coordinator": coordinator,
            "member": neighbour, "stranger": stranger, "system": None}


def reach(state: str, people) -> Errand:
    p = people
    errand = service.place_errand(p["household"], household=p["household"].household, title="Rice")
    if state == "closed":
        service.act(errand, "close", p["coordinator"], reason="duplicate")
    elif state == "assigned":
        service.assign(errand, p["coordinator"], p["runner"])
    elif state != "waiting":
        service.claim(errand, p["runner"])
        if state in ("on_the_way", "delivered", "completed"):
            service.act(errand, "on_the_way", p["runner"])
        if state == "problem":
            service.act(errand, "report_problem", p["runner"], outcome="refused")
        if state in ("delivered", "completed"):
            handoffs.leave_at_door(transitions.live_handoff(errand), p["runner"], note="")
        if state == "completed":
            handoffs.move(transitions.live_handoff(db.session.get(Errand, errand.id)), "confirm_received",
                          p["household"])
    errand = db.session.get(Errand, errand.id, populate_existing=True)
    assert errand.state == state
    return errand


STATES = ("waiting", "assigned", "accepted", "on_the_way", "delivered", "completed", "problem", "closed")


@pytest.mark.parametrize("state", STATES)
def test_every_errand_move_by_every_party(state, people):
    shared = reach(state, people)
    for move in RESULT:
        for party in PARTIES:
            allowed = party in ALLOWED.get((move, state), set())
            errand = reach(state, people) if allowed else shared
            actor = people[party]
            events_before = Event.query.count()
            data = dict(DATA.get(move, {}))
            if move == "assign":
                data["volunteer"] = people["other_volunteer"]
            if allowed:
                event = transitions.apply(errand, move, actor, **data)
                errand = db.session.get(Errand, errand.id, populate_existing=True)
                assert errand.state == (RESULT[move] or state), (move, party)
                assert event.kind == f"errand.{EVENT[move]}" and event.data["errand_id"] == errand.id
                assert {"household_id", "team_id"} <= set(event.data)
                assert event.actor_id == (actor.id if actor else None)
                continue
            forbidden = not capacities(party, state) & MAY_IN[move]
            repeat = move in ("claim", "accept") and party == "runner" and state in RUNNING
            if repeat:
                assert transitions.apply(errand, move, actor, **data) is None  # a double tap: nothing written
            else:
                with pytest.raises(Forbidden if forbidden else Conflict):
                    transitions.apply(errand, move, actor, **data)
            errand = db.session.get(Errand, errand.id, populate_existing=True)
            assert errand.state == state, (move, party)
            assert Event.query.count() == events_before, (move, party)


def test_pay_back_by_the_household_or_a_coordinator_once_something_is_owed(people):
    errand = reach("accepted", people)
    for party in PARTIES:
        with pytest.raises((Forbidden, Conflict)):
            transitions.apply(errand, "pay_back", people[party])  # nothing spent yet: nothing to pay back
    transitions.apply(errand, "spend", people["runner"], amount=800)
    for party in ("runner", "other_volunteer", "member", "stranger", "system"):
        with pytest.raises(Forbidden):
            transitions.apply(errand, "pay_back", people[party])
    transitions.apply(errand, "pay_back", people["coordinator"])
    with pytest.raises(Conflict):
        transitions.apply(errand, "pay_back", people["household"])  # once
    with pytest.raises(Conflict):
        transitions.apply(errand, "spend", people["runner"], amount=900)  # recorded once
