"""Which points events notify whom: the volunteer hears of points earned and of a code that expired."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from board.models import Event

NOTIFICATIONS: dict[str, str] = {
    "points.earned": "points_earned",
    "points.code_expired": "points_code_expired",
}

HEADLINES = {
    "points_earned": _l("You earned volunteer points: thank you"),
    "points_code_expired": _l("A gift code expired unused; its points are back"),
}


def recipients(event: Event) -> set[int]:
    user_id = (event.data or {}).get("user_id")
    return {int(user_id)} if user_id is not None else set()
