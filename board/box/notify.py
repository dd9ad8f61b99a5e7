"""Which shelf events notify whom: the box's part of the registry."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from board.box.models import Shelf
from board.extensions import db
from board.households import service as households
from board.models import Event

NOTIFICATIONS: dict[str, str] = {
    "box.gift_offered": "gift_waiting",
    "box.expired_flagged": "expired_stock",
}

HEADLINES = {
    "gift_waiting": _l("A gift is waiting for your check-in"),
    "expired_stock": _l("Expired stock on your shelf: please remove it"),
}


def recipients(event: Event) -> set[int]:
    """A shelf's events go to its keepers."""
    shelf_id = (event.data or {}).get("shelf_id")
    return shelf_keepers(int(shelf_id), event.community_id) if shelf_id is not None else set()


def shelf_keepers(shelf_id: int, community_id: int) -> set[int]:
    """A shelf's keepers; the community's coordinators while it has none, so nothing waits unseen."""
    shelf = db.session.get(Shelf, shelf_id)
    keepers = {keeper.id for keeper in shelf.keepers} if shelf is not None else set()
    if keepers:
        return keepers
    return households.coordinators(community_id)
