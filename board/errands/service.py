"""Errands: placing one, the moves a page asks for, the card's doorstep mirrored, time-outs, the money."""
from __future__ import annotations

from datetime import datetime

from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from werkzeug.datastructures import FileStorage

from board import photos, policy
from board.cards import handoffs
from board.cards.service import post_card
from board.errands import transitions
from board.errands.labels import TEAM_MESSAGE
from board.errands.models import Errand, ErrandSettings, ErrandState, Mode, Outcome, Payment, Source
from board.errors import Conflict, DomainError, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.inputs import MAX_ID
from board.models import Category, Event, Household, Person, User, utcnow
from board.volunteers.models import Team

E = ErrandState

# Which category an errand's card is filed under, by team.
TEAM_CATEGORY = {"medicine": Category.MEDICINE.value, "groceries": Category.FOOD.value}


def team_of(community_id: int, *, team_id: int | None = None, team_key: str | None = None) -> Team | None:
    """The team chosen on the form (by id: one of the community's, or a Conflict), or named by key (a check-in's
    "medicine"), or None."""
    if team_id is not None:
        team = db.session.get(Team, team_id) if 0 < team_id <= MAX_ID else None
        if team is None or team.community_id != community_id:
            raise Conflict(TEAM_MESSAGE)
        return team
    if not team_key:
        return None
    return db.session.scalar(select(Team).where(Team.community_id == community_id, Team.key == team_key))


def place_errand(actor: User, *, household: Household, person: Person | None = None, title: str, details: str = "",
                 from_where: str = "", due_by: datetime | None = None, payment: str = Payment.ON_DELIVERY.value,
                 budget: int | None = None, team_key: str | None = None, team_id: int | None = None,
                 urgency: str = "normal",
                 source: str = Source.RESIDENT.value, commit: bool = True) -> Errand:
    """Place an errand: a need card of `household` (for `person`) with its run, in one transaction.

    A resident places for their own household; a volunteer or coordinator for anyone (on behalf, after a
    check-in, at a door knock). `budget` is in fen. `commit=False` leaves the commit to the caller.
    """
    community_id = household.community_id
    own = policy.in_household(actor, household.id) and person is None
    if not policy.in_community(actor, community_id) or not (
            own or policy.may_place_errand_for_others(actor, community_id)):
        raise Forbidden()
    if person is not None and person.household_id != household.id:
        raise NotFound()
    Payment(payment), Source(source)  # a stored code, never free text
    if budget is not None and budget < 0:
        raise Conflict(_l("A budget cannot be below zero."))
    team = team_of(community_id, team_id=team_id, team_key=team_key)
    category = TEAM_CATEGORY.get(team.key if team is not None else "", Category.ERRAND.value)
    elderly = any(p.age_group in ("over_60", "over_80") for p in household.people if p.erased_at is None)
    fields = {"category": category, "title": title, "details": details, "urgency": urgency, "for_elderly": elderly}
    if person is not None and person.user_id != actor.id:
        card = post_card(actor, kind="need", for_person=person, intake="phone", commit=False, **fields)
    else:
        card = post_card(actor, kind="need", commit=False, **fields)
        if card.household_id != household.id:  # a door knock or check-in for a household, no one person named
            card.household_id, card.building_id = household.id, household.building_id
    errand = Errand(
        card=card, community_id=community_id, household_id=household.id,
        person_id=person.id if person is not None else None, team=team, from_where=from_where.strip(),
        due_by=due_by, payment=payment, budget=budget, source=source, state=E.WAITING.value,
    )
    db.session.add(errand)
    db.session.flush()
    record("errand.placed", community_id=community_id, card=card, actor=actor, to_status=errand.state,
           **transitions.event_data(errand, source=source))
    if commit:
        transitions.cards.commit()
    return errand


def errand_for(viewer: User, errand_id: int, *, to_move: bool = False) -> Errand:
    """The errand if the viewer may see it; another community's (or someone else's) does not exist for them.

    `to_move`: a button was pressed; within the community the move table answers (a claim that lost hears
    "another volunteer took it first", not "not found").
    """
    errand = db.session.get(Errand, errand_id) if 0 < errand_id <= MAX_ID else None
    if errand is None or not policy.in_community(viewer, errand.community_id):
        raise NotFound()
    if not to_move and not policy.may_see_errand(viewer, errand):
        raise NotFound()
    return errand


def errand_of_card(card_id: int) -> Errand | None:
    return db.session.scalar(select(Errand).where(Errand.card_id == card_id))


def claim(errand: Errand, volunteer: User) -> Errand:
    """"I'll take it": the first volunteer wins, the others hear so kindly."""
    transitions.apply(errand, "claim", volunteer)
    return db.session.get(Errand, errand.id)


def assign(errand: Errand, coordinator: User, volunteer: User) -> Errand:
    transitions.apply(errand, "assign", coordinator, volunteer=volunteer)
    return db.session.get(Errand, errand.id)


def act(errand: Errand, name: str, actor: User, **data) -> Event | None:
    """Any other errand move a page offers (accept, on the way, give back, problem, reassign, close, call)."""
    if name == "report_problem":
        Outcome(data.get("outcome"))
    return transitions.apply(errand, name, actor, **data)


def return_all(coordinator: User, volunteer: User) -> int:
    """A volunteer who does not turn up: every errand they hold goes back to the queue, in one transaction."""
    if not policy.may_dispatch(coordinator, volunteer.community_id):
        raise Forbidden()
    held = db.session.scalars(
        select(Errand.id).where(Errand.volunteer_id == volunteer.id, Errand.community_id == coordinator.community_id,
                                Errand.state.in_((E.ASSIGNED.value, E.ACCEPTED.value, E.ON_THE_WAY.value)))
        .order_by(Errand.card_id)  # cards are locked in one order: no two such actions wait on each other
    ).all()
    for errand_id in held:
        transitions.apply(db.session.get(Errand, errand_id), "reassign", coordinator, commit=False)
    transitions.cards.commit()
    return len(held)


def record_spent(errand: Errand, volunteer: User, *, amount: int, receipt: FileStorage | None) -> None:
    """What the volunteer spent (fen), with a receipt photo re-encoded without its metadata."""
    if amount <= 0:
        raise Conflict(_l("Please write what you spent, more than zero."))
    if not transitions.allowed(errand, "spend", volunteer):
        transitions.apply(errand, "spend", volunteer, amount=amount)  # says why: forbidden or too late
    name = photos.save(receipt) if receipt is not None and receipt.filename else None
    try:
        transitions.apply(errand, "spend", volunteer, amount=amount, receipt_photo=name)
    except DomainError:
        photos.delete(name)
        raise


def settings_for(coordinator: User) -> ErrandSettings:
    return transitions.settings_of(coordinator.community_id)


def save_settings(coordinator: User, *, mode: str, open_limit: int) -> ErrandSettings:
    """A coordinator chooses the community's dispatch mode and the open-errand limit."""
    if not policy.may_dispatch(coordinator, coordinator.community_id):
        raise Forbidden()
    Mode(mode)
    found = db.session.get(ErrandSettings, coordinator.community_id)
    if found is None:
        found = ErrandSettings(community_id=coordinator.community_id)
        db.session.add(found)
    found.mode, found.open_limit = mode, open_limit
    record("errand.settings_changed", community_id=coordinator.community_id, actor=coordinator, mode=mode,
           open_limit=open_limit)
    db.session.commit()
    return found


def time_out_due(*, community_id: int | None = None, limit: int = 200) -> int:
    """Assignments not accepted in time, and accepted errands not under way in time: back to the queue."""
    count = 0
    for errand_id in db.session.scalars(transitions.due_for_time_out(utcnow(), community_id).limit(limit)).all():
        errand = db.session.get(Errand, errand_id)
        reason = "not_accepted" if errand.state == E.ASSIGNED.value else "not_under_way"
        try:
            transitions.apply(errand, "time_out", None, reason=reason)
        except Conflict:
            continue  # accepted (or under way) in the same moment
        count += 1
    return count


def run_due(*, community_id: int | None = None) -> None:
    """The desk's lazy time-outs (a write on GET: idempotent, each through the table), then the card's own."""
    time_out_due(community_id=community_id)
    handoffs.run_due(community_id=community_id)


# The card's moves, mirrored into its errand (inside the card's own transaction, rows already locked).
MIRROR = {
    "handoff.leave_at_door": "deliver",
    "handoff.confirm_received": "complete",
    "handoff.receive_in_person": "complete",
    "handoff.close_unconfirmed": "complete",
    "handoff.report_not_there": "not_there",
    "handoff.lapse": "time_out",
    "handoff.helper_withdraw": "give_back",
    "handoff.cancel": "close",
    "card.withdraw": "close",
    "card.expire": "close",
}
DISPATCHED = _l("This errand is run from the dispatch desk: please take it there.")


def on_event(_app, *, event: Event) -> None:
    """Connected to board.events.event_recorded: an errand follows its card's handoff, and only its volunteer runs it."""
    if event.card_id is None or not (event.kind.startswith("handoff.") or event.kind.startswith("card.")):
        return
    errand = errand_of_card(event.card_id)
    if errand is None:
        return
    if event.kind == "handoff.match":
        if errand.state != E.ACCEPTED.value or errand.volunteer_id != (event.data or {}).get("giver_id"):
            raise Conflict(DISPATCHED)  # "I can help" on an errand's card: the desk decides who runs it
        return
    name = MIRROR.get(event.kind)
    if name is None or not transitions.allowed(errand, name, None if name != "give_back" else event.actor):
        return  # the errand's own move made this card move: it already stands where it should
    data = {"reason": "lapsed"} if name == "time_out" else {}
    if name == "close":
        data = {"reason_code": event.kind.split(".")[1]}
    actor = None if name != "give_back" else event.actor
    transitions.apply(errand, name, actor, commit=False, locked=True, **data)
