"""Who may see a resident's door: the one rule, used by every template and the photo view.

A unit number (and the doorstep note and photo, which may show it) is seen by the matched
counterpart only while the match is active, and by the community's coordinators; the helper's own
unit by coordinators only (the receiver does not need it to be helped). The receiver
always sees their own doorstep note and photo. Any response that shows one is marked no-store.
"""
from __future__ import annotations

from flask import Response, g

from board.models import Handoff, User


def _is_coordinator_of(viewer: User | None, handoff: Handoff) -> bool:
    return bool(viewer is not None and viewer.is_authenticated and viewer.is_coordinator
                and viewer.community_id == handoff.community_id)


def may_see_unit(viewer: User | None, handoff: Handoff) -> bool:
    """The counterpart of an active match, or a coordinator of the community."""
    if viewer is None or not viewer.is_authenticated:
        return False
    if _is_coordinator_of(viewer, handoff):
        return True
    return handoff.is_active and viewer.id in (handoff.giver_id, handoff.receiver_id)


def may_see_doorstep(viewer: User | None, handoff: Handoff) -> bool:
    """The note and photo of a left-at-door handoff: as the unit, and the receiver always (their door)."""
    if viewer is None or not viewer.is_authenticated:
        return False
    return may_see_unit(viewer, handoff) or viewer.id == handoff.receiver_id


def mark_private() -> None:
    """This response shows a door: no cache may keep it."""
    g.shows_private = True


def unit_of(viewer: User | None, handoff: Handoff, person: User) -> str | None:
    """`person`'s unit when `viewer` may see it (and the response becomes no-store), else None.

    The receiver's door goes to the helper who brings it; the helper's own door is needed by nobody
    in the handoff, so it goes only to coordinators.
    """
    if person.id not in (handoff.giver_id, handoff.receiver_id) or not may_see_unit(viewer, handoff):
        return None
    if person.id == handoff.giver_id and person.id != handoff.receiver_id and not _is_coordinator_of(viewer, handoff):
        return None
    membership = next((m for m in person.memberships if m.community_id == handoff.community_id), None)
    if membership is None:
        return None
    mark_private()
    return membership.unit


def doorstep_of(viewer: User | None, handoff: Handoff) -> bool:
    """Whether to show the handoff's note and photo to `viewer` (marking the response no-store)."""
    if not (handoff.note or handoff.photo_name) or not may_see_doorstep(viewer, handoff):
        return False
    mark_private()
    return True


def no_store(response: Response) -> Response:
    if g.get("shows_private"):
        response.headers["Cache-Control"] = "no-store"
        response.headers.pop("ETag", None)
    return response
