"""Which volunteer events notify whom: the volunteers' part of the registry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from board.households import service as households
from board.models import Event

NOTIFICATIONS: dict[str, str] = {
    "volunteer.applied": "volunteer_applied",
    "volunteer.approved": "volunteer_approved",
    "volunteer.declined": "volunteer_declined",
    "volunteer.shift_planned": "shift_planned",
    "volunteer.shift_cancelled": "shift_cancelled",
}

HEADLINES = {
    "volunteer_applied": _l("A neighbour offered to volunteer: please decide"),
    "volunteer_approved": _l("You are now a volunteer. Thank you!"),
    "volunteer_declined": _l("Your offer to volunteer was not taken up this time"),
    "shift_planned": _l("A shift was planned for you"),
    "shift_cancelled": _l("One of your shifts was cancelled"),
}


def recipients(event: Event) -> set[int]:
    """A sign-up goes to the coordinators; a decision or a shift to the volunteer it is about."""
    data = event.data or {}
    if event.kind == "volunteer.applied":
        return households.coordinators(event.community_id)
    user_id = data.get("user_id")
    return {int(user_id)} if user_id is not None else set()
