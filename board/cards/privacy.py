"""Showing a door: the one place that turns board.policy's answer into what a page shows.

A door (and the doorstep note and photo, which may show it) is shown to whom board.policy allows:
the matched counterpart while the match is active, the receiving side, and coordinators. Any
response that shows one is marked no-store.
"""
from __future__ import annotations

from dataclasses import dataclass

from flask import Response, g

from board import policy
from board.models import Card, Handoff, Household, User


@dataclass(frozen=True)
class Door:
    building: str
    unit: str


@dataclass(frozen=True)
class Doors:
    """A handoff's two doors as read with it (handoffs.card_handoffs), before anyone asks to see them."""
    giver: Door | None
    receiver: Door | None


def mark_private() -> None:
    """This response shows a door: no cache may keep it."""
    g.shows_private = True


def _door(household: Household | None) -> Door | None:
    if household is None:
        return None
    return _shown(Door(household.building.name, household.unit))


def _shown(door: Door | None) -> Door | None:
    if door is not None:
        mark_private()
    return door


def receiver_door(viewer: User | None, handoff: Handoff) -> Door | None:
    """Where it is to be left (the receiving household's door) when `viewer` may see it, else None."""
    if not policy.may_see_receiver_door(viewer, handoff):
        return None
    if (doors := getattr(handoff, "doors", None)) is not None:
        return _shown(doors.receiver)
    return _door(handoff.receiver_household or _home_of(handoff.receiver, handoff.community_id))


def giver_door(viewer: User | None, handoff: Handoff) -> Door | None:
    """The helper's own door when `viewer` may see it, else None."""
    if not policy.may_see_giver_door(viewer, handoff):
        return None
    if (doors := getattr(handoff, "doors", None)) is not None:
        return _shown(doors.giver)
    return _door(_home_of(handoff.giver, handoff.community_id))


def _home_of(person: User, community_id: int) -> Household | None:
    membership = next((m for m in person.memberships if m.community_id == community_id), None)
    return membership.household if membership is not None else None


def own_door_note(viewer: User | None, card: Card) -> str | None:
    """The poster's note for whoever brings it, shown back to them and to coordinators (no-store); the
    helper reads it beside the door in the handoff instead."""
    if not card.door_note or not (policy.may_write_card(viewer, card) or policy.is_coordinator(viewer, card.community_id)):
        return None
    mark_private()
    return card.door_note


def doorstep_of(viewer: User | None, handoff: Handoff) -> bool:
    """Whether to show the handoff's note and photo to `viewer` (marking the response no-store)."""
    if not (handoff.note or handoff.photo_name) or not policy.may_see_doorstep(viewer, handoff):
        return False
    mark_private()
    return True


def no_store(response: Response) -> Response:
    if g.get("shows_private"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("ETag", None)
    return response
