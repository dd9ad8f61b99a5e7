"""The shelves on the live stream: a stock change becomes the item's public fragment, swapped in place."""
from flask import current_app, render_template
from flask_babel import force_locale

from board.box.models import Item
from board.extensions import db
from board.models import Event


def public_fragment(event: Event, locale: str) -> str:
    """`box.*` events with an item: the item's stock as anyone sees it, out of band onto #item-<id>."""
    item_id = (event.data or {}).get("item_id")
    if item_id is None:
        return ""
    app = current_app._get_current_object()
    # No viewer is logged in here, whatever the caller's context holds: the same text for everyone.
    with app.app_context(), app.test_request_context("/"), force_locale(locale):
        item = db.session.get(Item, item_id)
        if item is None:
            return ""
        return render_template("box/_item.html", item=item, item_oob="true")


def public_fragments(event: Event, locales: set[str]) -> dict[str, str]:
    """The box's live renderer in the registry: one fragment per language."""
    return {locale: public_fragment(event, locale) for locale in locales}
