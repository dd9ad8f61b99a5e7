"""Which card and handoff events notify whom: the cards domain's part of the registry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from board.extensions import db
from board.households import service as households
from board.models import Card, Event, Handoff

# Event kind -> notification kind.
NOTIFICATIONS: dict[str, str] = {
    "handoff.match": "matched",
    "handoff.leave_at_door": "left_at_door",
    "handoff.report_not_there": "not_there",
    "handoff.confirm_received": "received",
    "handoff.receive_in_person": "received",
    "handoff.lapse": "timeout",
    "handoff.thank": "thanks",
    "handoff.remind": "doorstep_reminder",
    "handoff.close_unconfirmed": "closed_unconfirmed",
    "handoff.helper_withdraw": "cancelled",
    "handoff.cancel": "cancelled",
    "handoff.release": "released",
    "handoff.ask": "asked",
    "handoff.accept": "accepted",
    "handoff.decline": "declined",
    "card.expire": "expired",
}

HEADLINES = {
    "matched": _l("A neighbour matched your card"),
    "left_at_door": _l("Left on your door handle!"),
    "not_there": _l("Your neighbour did not find it at the door"),
    "received": _l("Received. Thank you for helping!"),
    "timeout": _l("The match timed out; the card is back on the board"),
    "expired": _l("Your card's time on the board is up"),
    "thanks": _l("A neighbour said thank you"),
    "doorstep_reminder": _l("It was left at the door: please confirm it arrived"),
    "closed_unconfirmed": _l("Closed as left at the door, not confirmed"),
    "cancelled": _l("The match was called off"),
    "released": _l("The match was released; the card is back on the board"),
    "asked": _l("A neighbour asked for your offer"),
    "accepted": _l("Your request was accepted"),
    "declined": _l("Your request could not be met this time"),
}


def recipients(event: Event) -> set[int]:
    """The handoff's other party (both on a time-out), or the card's author; the registry drops the actor."""
    data = event.data or {}
    if event.kind == "handoff.decline":  # also when an offer leaves the board: only the asker is told
        return {data.get("receiver_id")} - {None}
    if event.kind == "handoff.remind":  # "please confirm": the receiving side only
        return ({data.get("receiver_id")} - {None}) | household_of_someone_else(data.get("handoff_id"))
    if event.kind.startswith("handoff."):
        parties = {data.get("giver_id"), data.get("receiver_id")} - {None}
        return parties | household_of_someone_else(data.get("handoff_id"))
    if event.card_id is not None:
        card = db.session.get(Card, event.card_id)
        return {card.author_id} if card is not None else set()
    return set()


def household_of_someone_else(handoff_id) -> set[int]:
    """A handoff for someone without a phone: that household's people with a login hear of it too."""
    handoff = db.session.get(Handoff, handoff_id) if handoff_id is not None else None
    if handoff is None or handoff.receiver_household is None:
        return set()
    if handoff.for_person_id is None and handoff.card.for_person_id is None:
        return set()
    return set(households.account_holders(handoff.receiver_household))
