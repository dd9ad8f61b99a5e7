"""The shelves on the live stream: a stock change becomes the item's public fragment, swapped in place."""
from flask import current_app, render_template
from flask_babel import force_locale

from board.box.models import Item
from board.extensions import db
from board.models import Event


# Events after which a shelf's list of items may hold one it did not (a gift checked in as a new item, new stock).
LISTS_ITEMS = {"box.checkin", "box.add_stock"}


def public_fragment(event: Event, locale: str) -> str:
    """`box.*` events of a shelf: the item's stock as anyone sees it, out of band onto #item-<id>, and a
    request to fetch again, as its viewer, whatever part of a page lists the shelf (items, gifts waiting, register)."""
    data = event.data or {}
    item_id, shelf_id = data.get("item_id"), data.get("shelf_id")
    if item_id is None and shelf_id is None:
        return ""
    app = current_app._get_current_object()
    # No viewer is logged in here, whatever the caller's context holds: the same text for everyone.
    with app.app_context(), app.test_request_context("/"), force_locale(locale):
        item = db.session.get(Item, item_id) if item_id is not None else None
        if item is not None:
            shelf_id = item.shelf_id
        if shelf_id is None:
            return ""
        return render_template("box/_live.html", item=item, item_oob="true", shelf_id=shelf_id,
                               lists_items=event.kind in LISTS_ITEMS)


def public_fragments(event: Event, locales: set[str]) -> dict[str, str]:
    """The box's live renderer in the registry: one fragment per language."""
    return {locale: public_fragment(event, locale) for locale in locales}
