"""Every move × every state × every actor, for cards and handoffs: allowed moves happen, the rest change nothing.

The expectations are written out here by hand, not read from the table they check.
"""
import pytest

from board.cards import transitions
from board.cards.service import edit_card
from board.errors import Conflict, Forbidden
from board.extensions import db
from board.models import Card, Event, Handoff
from tests import factories

PARTIES = ("giver", "receiver", "coordinator", "member", "stranger", "system")

# (move, handoff state) → who may make it; any other (move, state) is refused.
ALLOWED = {
    ("accept", "asked"): {"giver", "system"},
    ("decline", "asked"): {"giver", "system"},
    ("leave_at_door", "matched"): {"giver"},
    ("confirm_received", "left_at_door"): {"receiver"},
    ("confirm_received", "unconfirmed"): {"receiver"},  # late, after the system closed it
    ("remind", "left_at_door"): {"system"},
    ("close_unconfirmed", "left_at_door"): {"system"},
    ("receive_in_person", "matched"): {"receiver"},
    ("report_not_there", "left_at_door"): {"receiver"},
    ("helper_withdraw", "matched"): {"giver"},
    ("cancel", "asked"): {"receiver", "coordinator"},
    ("cancel", "matched"): {"receiver", "coordinator"},
    ("release", "matched"): {"receiver", "coordinator"},  # a need only: "this helper can't come"
    ("lapse", "matched"): {"system"},
    ("return_to_queue", "matched"): {"coordinator", "system"},
    ("thank", "received"): {"receiver"},
}
OFFER_ONLY = {"accept", "decline"}
NEED_ONLY = {"release", "return_to_queue"}
# Who may make each move in some state: anyone else is Forbidden, whatever the state.
MAY_EVER = {move: set().union(*(who for (m, _), who in ALLOWED.items() if m == move)) for move, _ in ALLOWED}
RESULT = {
    "accept": "matched", "decline": "declined", "leave_at_door": "left_at_door", "confirm_received": "received",
    "receive_in_person": "received", "report_not_there": "matched", "helper_withdraw": "withdrawn",
    "cancel": "cancelled", "lapse": "lapsed", "thank": "received", "remind": "left_at_door",
    "close_unconfirmed": "unconfirmed", "release": "released", "return_to_queue": "withdrawn",
}
NEED_CARD = {"matched": "matched", "left_at_door": "left_at_door", "received": "received", "withdrawn": "open",
             "lapsed": "open", "cancelled": "cancelled", "unconfirmed": "unconfirmed", "released": "open"}

# How to reach each handoff state: (move, who) steps after the handoff starts.
PATHS = {
    "asked": [],
    "matched": [("accept", "giver")],
    "left_at_door": [("accept", "giver"), ("leave_at_door", "giver")],
    "received": [("accept", "giver"), ("leave_at_door", "giver"), ("confirm_received", "receiver")],
    "unconfirmed": [("accept", "giver"), ("leave_at_door", "giver"), ("close_unconfirmed", "system")],
    "declined": [("decline", "giver")],
    "withdrawn": [("accept", "giver"), ("helper_withdraw", "giver")],
    "cancelled": [("accept", "giver"), ("cancel", "receiver")],
    "lapsed": [("accept", "giver"), ("lapse", "system")],
    "released": [("accept", "giver"), ("release", "receiver")],
}
def card_events() -> int:
    """The card's and handoffs' own events (another domain may add its own in the same transaction: points)."""
    return Event.query.filter(Event.kind.like("card.%") | Event.kind.like("handoff.%")).count()


STATES = {"need": [s for s in PATHS if s not in ("asked", "declined")], "offer": [s for s in PATHS if s != "released"]}


@pytest.fixture
def people(community, other_community, resident, neighbour, coordinator, stranger):
    member = factories.user(community, login="zhou", display_name="Auntie Zhou", unit="201")
    return {"author": resident, "helper": neighbour, "coordinator": coordinator, "member": member,
            "stranger": stranger}


def wrong_kind(kind, move) -> bool:
    return (kind == "need" and move in OFFER_ONLY) or (kind == "offer" and move in NEED_ONLY)


def start_handoff(kind, people) -> Handoff:
    if kind == "need":
        card = factories.card(people["author"], urgency="urgent")
        return transitions.start(card, "match", people["helper"])
    card = factories.card(people["author"], kind="offer", category="food", title="Rice", quantity=3,
                          first_come=False)
    return transitions.start(card, "ask", people["helper"], quantity=2)


def actor_for(party, handoff, people):
    return {
        "giver": lambda: db.session.get(type(people["author"]), handoff.giver_id),
        "receiver": lambda: db.session.get(type(people["author"]), handoff.receiver_id),
        "coordinator": lambda: people["coordinator"],
        "member": lambda: people["member"],
        "stranger": lambda: people["stranger"],
        "system": lambda: None,
    }[party]()


def reach(kind, state, people):
    handoff = start_handoff(kind, people)
    steps = PATHS[state][1:] if kind == "need" and PATHS[state][:1] == [("accept", "giver")] else PATHS[state]
    for name, party in steps:
        transitions.apply_handoff(handoff, name, actor_for(party, handoff, people), thanks="thanks")
    return db.session.get(Handoff, handoff.id, populate_existing=True), (steps[-1] if steps else None)


CASES = [(kind, state) for kind in STATES for state in STATES[kind]]


@pytest.mark.parametrize("kind,state", CASES, ids=["-".join(c) for c in CASES])
def test_every_handoff_move_by_every_party(kind, state, people):
    """Each move by each party on a handoff in this state. A refused move changes nothing, so refused
    attempts share one handoff; each allowed move gets a fresh handoff of its own."""
    shared, shared_last = reach(kind, state, people)
    for move in RESULT:
        for party in PARTIES:
            allowed = party in ALLOWED.get((move, state), set()) and not wrong_kind(kind, move)
            handoff, last_step = reach(kind, state, people) if allowed else (shared, shared_last)
            assert handoff.status == state
            try_move(kind, state, move, party, handoff, last_step, people)


def try_move(kind, state, move, party, handoff, last_step, people):
    actor = actor_for(party, handoff, people)
    events_before = card_events()
    card_before = handoff.card.status
    quantity_before = handoff.card.quantity_left
    allowed = party in ALLOWED.get((move, state), set()) and not wrong_kind(kind, move)
    if allowed:
        event = transitions.apply_handoff(handoff, move, actor, thanks="谢谢")
        handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
        assert handoff.status == RESULT[move], party
        assert event.kind == f"handoff.{move}" and event.data["handoff_id"] == handoff.id
        assert (event.from_status, event.to_status) == (state, RESULT[move])
        assert event.actor_id == (actor.id if actor else None)
        assert card_events() == events_before + 1
        if kind == "need":
            assert handoff.card.status == NEED_CARD[RESULT[move]]
        return
    forbidden = party not in MAY_EVER[move] or wrong_kind(kind, move)
    repeat = party != "system" and last_step == (move, party) and state == RESULT[move]
    if repeat and not forbidden:
        assert transitions.apply_handoff(handoff, move, actor) is None  # a double tap: nothing written twice
    else:
        with pytest.raises(Forbidden if forbidden else Conflict):
            transitions.apply_handoff(handoff, move, actor, thanks="谢谢")
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert handoff.status == state, party
    assert (handoff.card.status, handoff.card.quantity_left) == (card_before, quantity_before), party
    assert card_events() == events_before, party


def test_thank_once_only(people):
    handoff, _ = reach("need", "received", people)
    receiver = actor_for("receiver", handoff, people)
    transitions.apply_handoff(handoff, "thank", receiver, thanks="谢谢")
    assert transitions.apply_handoff(handoff, "thank", receiver, thanks="again") is None
    assert db.session.get(Handoff, handoff.id, populate_existing=True).thanks == "谢谢"


# Starting a handoff: who may tap "I can help" / ask, on a card in which state.
START_PARTIES = ("author", "member", "coordinator", "stranger")


def card_in(kind, card_state, people) -> Card:
    author = people["author"]
    if kind == "need":
        card = factories.card(author)
    else:
        card = factories.card(author, kind="offer", category="food", title="Rice", quantity=1)
    if card_state == "taken":
        transitions.start(card, "match" if kind == "need" else "ask", people["helper"])
    elif card_state != "open":
        transitions.apply(card, "withdraw" if card_state == "withdrawn" else "expire",
                          author if card_state == "withdrawn" else None)
    return db.session.get(Card, card.id, populate_existing=True)


@pytest.mark.parametrize("kind", ["need", "offer"])
@pytest.mark.parametrize("card_state", ["open", "taken", "withdrawn", "expired"])
def test_starting_a_handoff(kind, card_state, people):
    """"I can help" (match) and ask, by each party, on a card in each state."""
    shared = card_in(kind, card_state, people)
    for move in ("match", "ask"):
        for party in START_PARTIES:
            right_kind = (move == "match") == (kind == "need")
            allowed = right_kind and party in ("member", "coordinator") and card_state == "open"
            card = card_in(kind, card_state, people) if allowed else shared
            status_before, events_before = card.status, card_events()
            actor = people[party]
            if allowed:
                handoff = transitions.start(card, move, actor)
                assert handoff.status == "matched" and handoff.receiver_id != handoff.giver_id
                assert card_events() > events_before
                continue
            expected = Forbidden if not right_kind or party in ("author", "stranger") else Conflict
            with pytest.raises(expected):
                transitions.start(card, move, actor)
            card = db.session.get(Card, card.id, populate_existing=True)
            assert card.status == status_before and card_events() == events_before, (move, party)


@pytest.mark.parametrize("card_state", ["open", "matched", "withdrawn", "expired"])
def test_card_moves(card_state, people):
    """Withdraw and expire, by each party, on a card in each state."""
    shared = card_in("need", "taken" if card_state == "matched" else card_state, people)
    for move in ("withdraw", "expire"):
        for party in ("author", "member", "coordinator", "stranger", "system"):
            who = {"withdraw": {"author", "coordinator"}, "expire": {"system"}}[move]
            allowed = party in who and card_state == "open"
            card = card_in("need", card_state, people) if allowed else shared
            events_before = card_events()
            actor = None if party == "system" else people[party]
            if allowed:
                event = transitions.apply(card, move, actor, seen_version=card.version)
                assert event.kind == f"card.{move}"
                after = db.session.get(Card, card.id, populate_existing=True).status
                assert after == {"withdraw": "withdrawn", "expire": "expired"}[move]
                continue
            status_before = card.status
            with pytest.raises(Forbidden if party not in who else Conflict):
                transitions.apply(card, move, actor)
            assert db.session.get(Card, card.id, populate_existing=True).status == status_before
            assert card_events() == events_before, (move, party)


def test_stale_version_is_refused(people):
    card = factories.card(people["author"])
    seen = card.version
    edit_card(card, people["author"], title="Changed")
    with pytest.raises(Conflict):
        transitions.apply(card, "withdraw", people["author"], seen_version=seen)
    with pytest.raises(Conflict):
        transitions.start(card, "match", people["helper"], seen_version=seen)
    assert db.session.get(Card, card.id, populate_existing=True).status == "open"


def test_buttons_follow_the_table(people):
    handoff, _ = reach("need", "matched", people)
    helper, author = actor_for("giver", handoff, people), actor_for("receiver", handoff, people)
    assert transitions.handoff_allowed(handoff, "leave_at_door", helper)
    assert not transitions.handoff_allowed(handoff, "leave_at_door", author)
    assert transitions.handoff_allowed(handoff, "receive_in_person", author)
    assert not transitions.handoff_allowed(handoff, "accept", helper)


@pytest.mark.parametrize("kind,status", [("need", "matched"), ("need", "left_at_door"), ("offer", "asked"),
                                         ("offer", "received")])
def test_a_handoffs_buttons_are_the_moves_the_table_allows_one_by_one(people, kind, status):
    handoff, _ = reach(kind, status, people)
    for party in ("giver", "receiver", "coordinator"):
        actor = actor_for(party, handoff, people)
        one_by_one = {name for name in transitions.HANDOFF_MOVES if transitions.handoff_allowed(handoff, name, actor)}
        assert transitions.handoff_moves(handoff, actor) == one_by_one, party
