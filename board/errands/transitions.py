"""The life of an errand: one table of allowed moves beside the card's, one place that makes them.

An errand is a need card (board/cards/transitions.py) with a run: waiting → assigned (by a coordinator)
or claimed (by a volunteer) → accepted → on the way → delivered (the card's handoff left at the door, or
handed over) → completed (the handoff confirmed, or closed unconfirmed). A move locks the card, then the
errand (then the volunteer, when a limit is counted), checks ERRAND_MOVES, writes the change, appends
`errand.<event>` and makes the card's own handoff move in the same transaction: both land or neither does.
"""
from __future__ import annotations

import enum
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import NoReturn

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select
from sqlalchemy.orm.exc import StaleDataError

from board import policy
from board.cards import transitions as cards
from board.errands.models import HELD_STATES, Errand, ErrandState, settings_of
from board.errors import Conflict, Forbidden
from board.events import record
from board.extensions import db
from board.models import Event, Handoff, HandoffStatus, User, utcnow

E = ErrandState


class Party(str, enum.Enum):
    """Who is acting, relative to the errand."""

    HOUSEHOLD = "household"  # who placed it, or lives in the household it is for
    VOLUNTEER = "volunteer"  # a volunteer of the community who is not of that household (policy.may_run_errand)
    ASSIGNEE = "assignee"  # the errand's own volunteer
    COORDINATOR = "coordinator"
    SYSTEM = "system"  # time-outs, and the card's own moves mirrored (left at the door, confirmed)


@dataclass(frozen=True)
class Move:
    sources: frozenset[E]
    target: E | None  # None: the state stays (money, a note)
    parties: frozenset[Party]
    event: str  # the event kind after "errand."


def move(sources, target, event, *parties) -> Move:
    return Move(frozenset(sources), target, frozenset(parties), event)


RUNNING = {E.ACCEPTED, E.ON_THE_WAY}
MONEY = {E.ACCEPTED, E.ON_THE_WAY, E.DELIVERED, E.COMPLETED}

ERRAND_MOVES: dict[str, Move] = {
    "claim": move({E.WAITING}, E.ACCEPTED, "claimed", Party.VOLUNTEER),
    "assign": move({E.WAITING, E.PROBLEM}, E.ASSIGNED, "assigned", Party.COORDINATOR),
    "accept": move({E.ASSIGNED}, E.ACCEPTED, "accepted", Party.ASSIGNEE),
    "on_the_way": move({E.ACCEPTED}, E.ON_THE_WAY, "on_the_way", Party.ASSIGNEE),
    "give_back": move({E.ASSIGNED, *RUNNING}, E.WAITING, "given_back", Party.ASSIGNEE),
    # Not home, could not buy it, wrong address, refused: onto the problems list.
    "report_problem": move(RUNNING, E.PROBLEM, "problem", Party.ASSIGNEE),
    # Not accepted in time, not under way in time, or the card's match lapsed: back to the queue.
    "time_out": move({E.ASSIGNED, *RUNNING}, E.WAITING, "timed_out", Party.SYSTEM),
    # A coordinator takes it back into the queue ("return all of this volunteer's errands" too).
    "reassign": move({E.ASSIGNED, *RUNNING, E.PROBLEM}, E.WAITING, "reassigned", Party.COORDINATOR),
    "call_resident": move({E.PROBLEM}, None, "called", Party.COORDINATOR),
    "close": move({E.WAITING, E.ASSIGNED, *RUNNING, E.PROBLEM}, E.CLOSED, "closed", Party.COORDINATOR, Party.SYSTEM),
    # The card's doorstep handoff, mirrored (board.errands.service.on_event).
    "deliver": move(RUNNING, E.DELIVERED, "delivered", Party.SYSTEM),
    "not_there": move({E.DELIVERED}, E.ON_THE_WAY, "not_there", Party.SYSTEM),
    "complete": move({*RUNNING, E.DELIVERED}, E.COMPLETED, "completed", Party.SYSTEM),
    "spend": move(MONEY, None, "spent", Party.ASSIGNEE),
    "pay_back": move(MONEY | {E.PROBLEM, E.CLOSED}, None, "paid_back", Party.HOUSEHOLD, Party.COORDINATOR),
}

# Moves that take the run away from its volunteer: the card's handoff ends (the card is open again).
RELEASES = {"give_back", "report_problem", "time_out", "reassign", "close"}

MESSAGES = {
    "claim": _l("Another volunteer took this errand first — thank you!"),
    "assign": _l("This errand is no longer waiting. Nothing was changed."),
    "limit": _l("That volunteer already has as many open errands as this community allows."),
    "my_limit": _l("You already have as many open errands as this community allows. Finish one first."),
    "mode": _l("In this community a coordinator assigns this errand."),
    "off_duty": _l("You are off duty. Switch on duty to take errands from the queue."),
}
CONFLICT_MESSAGE = _l("This errand changed while you were looking at it. Nothing was changed.")


def parties_of(errand: Errand, actor: User | None) -> set[Party]:
    """Every capacity in which `actor` may act on `errand`."""
    if actor is None:
        return {Party.SYSTEM}
    parties: set[Party] = set()
    if not policy.in_community(actor, errand.community_id):
        return parties
    if errand.card.author_id == actor.id or policy.in_household(actor, errand.household_id):
        parties.add(Party.HOUSEHOLD)
    if errand.volunteer_id == actor.id:
        parties.add(Party.ASSIGNEE)
    if policy.may_run_errand(actor, errand):  # who placed it for another household may run it too
        parties.add(Party.VOLUNTEER)
    if policy.is_coordinator(actor, errand.community_id):
        parties.add(Party.COORDINATOR)
    return parties


def allowed(errand: Errand, name: str, actor: User | None) -> bool:
    """Whether `actor` may make move `name` on `errand` now: what the errand's buttons are drawn from."""
    rule = ERRAND_MOVES[name]
    if E(errand.state) not in rule.sources or not rule.parties & parties_of(errand, actor):
        return False
    if name == "claim":
        return policy.may_claim_errand(actor, errand)
    if name == "spend":
        return errand.spent is None
    if name == "pay_back":
        return errand.owes
    return True


def lock(errand_id: int) -> Errand:
    """The card's row first (as every card move), then the errand's."""
    card_id = db.session.scalar(select(Errand.card_id).where(Errand.id == errand_id))
    cards.lock(card_id)
    stmt = (
        select(Errand).where(Errand.id == errand_id)
        .with_for_update(of=Errand).execution_options(populate_existing=True)
    )
    return db.session.execute(stmt).scalar_one()


def refuse(error, message=None) -> NoReturn:
    db.session.rollback()
    raise error(message)


def open_count(volunteer_id: int, community_id: int) -> int:
    stmt = select(func.count(Errand.id)).where(
        Errand.volunteer_id == volunteer_id, Errand.community_id == community_id, Errand.state.in_(HELD_STATES)
    )
    return db.session.scalar(stmt) or 0


def _hold_within_limit(errand: Errand, volunteer: User, message) -> None:
    """Lock the volunteer's row, then count: two takes by one volunteer at once are counted one after the other."""
    db.session.execute(select(User.id).where(User.id == volunteer.id).with_for_update())
    if open_count(volunteer.id, errand.community_id) >= settings_of(errand.community_id).open_limit:
        refuse(Conflict, message)


def live_handoff(errand: Errand) -> Handoff | None:
    """The card's handoff under way (matched or left at the door), if any."""
    stmt = select(Handoff).where(Handoff.card_id == errand.card_id, Handoff.status.in_(Handoff.ACTIVE))
    return db.session.scalar(stmt.order_by(Handoff.id.desc()).limit(1))


def event_data(errand: Errand, **data) -> dict:
    base = {"errand_id": errand.id, "household_id": errand.household_id, "team_id": errand.team_id}
    if errand.volunteer_id is not None:
        base["volunteer_id"] = errand.volunteer_id
    return {**base, **data}


def _record(name: str, errand: Errand, actor: User | None, before: str, **data) -> Event:
    return record(
        f"errand.{ERRAND_MOVES[name].event}", community_id=errand.community_id, card=errand.card, actor=actor,
        from_status=before, to_status=errand.state, **event_data(errand, **data),
    )


def respond_minutes(name: str) -> int:
    cfg = current_app.config
    return cfg["ERRAND_ACCEPT_MINUTES"] if name == "assign" else cfg["ERRAND_START_MINUTES"]


def apply(errand: Errand, name: str, actor: User | None, *, volunteer: User | None = None,
          seen_version: int | None = None, commit: bool = True, locked: bool = False, **data) -> Event | None:
    """Make errand move `name` as `actor` (lock, check, write, event, the card's handoff) and commit.

    Returns None when the same volunteer repeats a claim or an accept that already succeeded.
    `locked`: called from inside a card move (board.errands.service.on_event), whose rows are locked already.
    """
    rule = ERRAND_MOVES[name]
    if not locked:
        errand = lock(errand.id)
    parties = parties_of(errand, actor)
    if not rule.parties & parties:
        refuse(Forbidden)
    if E(errand.state) not in rule.sources or (seen_version is not None and seen_version != errand.version):
        if name in ("claim", "accept") and actor is not None and errand.volunteer_id == actor.id and errand.is_open:
            db.session.rollback()
            return None  # a double tap on "I'll take it": already theirs
        refuse(Conflict, MESSAGES.get(name, CONFLICT_MESSAGE))
    if name == "claim" and not policy.may_claim_errand(actor, errand):
        refuse(Forbidden, MESSAGES["mode"] if policy.on_duty(actor, errand.community_id) else MESSAGES["off_duty"])
    if name in ("spend", "pay_back") and not allowed(errand, name, actor):
        refuse(Conflict, CONFLICT_MESSAGE)
    now = utcnow()
    before = errand.state
    handoff = live_handoff(errand) if name in RELEASES else None
    runner = None
    try:
        if name == "claim":
            _hold_within_limit(errand, actor, MESSAGES["my_limit"])
            runner = actor
            errand.volunteer_id, errand.accepted_at = actor.id, now
            errand.respond_by = now + timedelta(minutes=respond_minutes(name))
        elif name == "assign":
            if volunteer is None or not policy.may_run_errand(volunteer, errand):
                refuse(Forbidden)
            _hold_within_limit(errand, volunteer, MESSAGES["limit"])
            errand.volunteer_id, errand.assigned_by_id, errand.assigned_at = volunteer.id, actor.id, now
            errand.accepted_at = errand.on_the_way_at = None
            errand.outcome, errand.problem_note = None, ""
            errand.respond_by = now + timedelta(minutes=respond_minutes(name))
        elif name == "accept":
            runner = actor
            errand.accepted_at = now
            errand.respond_by = now + timedelta(minutes=respond_minutes(name))
        elif name == "on_the_way":
            errand.on_the_way_at, errand.respond_by = now, None
        elif name == "report_problem":
            errand.outcome, errand.problem_note = data["outcome"], data.get("note", "")[:200]
            errand.respond_by = None
        elif name == "call_resident":
            errand.problem_note = data.get("note", "")[:200] or errand.problem_note
        elif name == "close":
            errand.closed_reason, errand.respond_by = data.get("reason", "")[:200], None
        elif name in ("deliver", "complete"):
            errand.delivered_at = errand.delivered_at or now
            errand.respond_by = None
        elif name == "spend":
            errand.spent, errand.spent_by_id = data["amount"], actor.id
            errand.receipt_photo = data.get("receipt_photo")
        elif name == "pay_back":
            errand.paid_back_at, errand.paid_back_by_id = now, actor.id
        if rule.target is not None:
            errand.state = rule.target.value
        event = _record(name, errand, actor, before, **_event_facts(name, errand, data))
        if name in ("give_back", "time_out", "reassign"):
            errand.volunteer_id = None
            errand.respond_by = errand.accepted_at = errand.on_the_way_at = None
        if handoff is not None:
            # The volunteer steps back from the card's handoff; a coordinator or the time-out takes it back.
            handoff_move = "helper_withdraw" if name in ("give_back", "report_problem") else "return_to_queue"
            cards.apply_handoff(handoff, handoff_move, actor, commit=False)
        if name == "close" and actor is not None and errand.card.status == "open":
            cards.apply(errand.card, "withdraw", actor, commit=False)
        if runner is not None:
            # The card's own "I can help", by the volunteer: they are the handoff's giver (commits).
            cards.start(errand.card, "match", runner)
            return event
    except StaleDataError:
        db.session.rollback()
        raise Conflict(CONFLICT_MESSAGE) from None
    if commit:
        cards.commit()
    return event


def _event_facts(name: str, errand: Errand, data: dict) -> dict:
    """Short facts only (never a note, a door or a photo): the outcome, the reason's code, the amount."""
    if name == "report_problem":
        return {"outcome": errand.outcome}
    if name == "time_out":
        return {"reason": data.get("reason", "")}
    if name == "close":
        return {"reason": data.get("reason_code", "other")}
    if name == "spend":
        return {"amount": errand.spent}
    if name == "pay_back":
        return {"amount": errand.spent}
    return {}


def due_for_time_out(now: datetime, community_id: int | None = None):
    stmt = select(Errand.id).where(Errand.state.in_((E.ASSIGNED.value, E.ACCEPTED.value)), Errand.respond_by <= now)
    return stmt.where(Errand.community_id == community_id) if community_id is not None else stmt
