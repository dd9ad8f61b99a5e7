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
    "box.checkin": "gift_checked_in",  # a keeper took the gift in: its giver hears so
    "box.gift_rejected": "gift_rejected",
}

# Events about one gift: told to the one who gave it, not to the shelf's keepers.
GIVER_KINDS = {"box.checkin", "box.gift_rejected"}

HEADLINES = {
    "gift_waiting": _l("A gift is waiting for your check-in"),
    "expired_stock": _l("Expired stock on your shelf: please remove it"),
    "gift_checked_in": _l("Your gift was checked in: it is on the shelf now. Thank you!"),
    "gift_rejected": _l("Your gift could not be put on the shelf"),
}


def recipients(event: Event) -> set[int]:
    """A gift's check-in or rejection goes to its giver; a shelf's other events to its keepers."""
    if event.kind in GIVER_KINDS:
        return {(event.data or {}).get("giver_id")} - {None}
    shelf_id = (event.data or {}).get("shelf_id")
    return shelf_keepers(int(shelf_id), event.community_id) if shelf_id is not None else set()


def shelf_keepers(shelf_id: int, community_id: int) -> set[int]:
    """A shelf's keepers; the community's coordinators while it has none, so nothing waits unseen."""
    shelf = db.session.get(Shelf, shelf_id)
    keepers = {keeper.id for keeper in shelf.keepers} if shelf is not None else set()
    if keepers:
        return keepers
    return households.coordinators(community_id)
