"""The desk on the live stream: any errand event redraws the desk's counts, swapped out of band; a move into or out
of the queue also nudges every desk on screen to fetch its queue again, as its own viewer (volunteers not assigned
see buildings, never units: one row rendered here could not be right for everyone)."""
from flask import current_app, render_template
from flask_babel import force_locale

from board.errands import desk
from board.errands.labels import COUNT_LABELS
from board.errands.models import ErrandState
from board.models import Event

WAITING = ErrandState.WAITING.value


def changes_queue(event: Event) -> bool:
    """An errand arrived in the queue, left it, or the community's mode changed who may claim from it."""
    return WAITING in (event.from_status, event.to_status) or event.kind == "errand.settings_changed"


def public_fragments(event: Event, locales: set[str]) -> dict[str, str]:
    """Numbers only (never a name, a door or a building): the same for every viewer of the community."""
    app = current_app._get_current_object()
    with app.app_context(), app.test_request_context("/"):
        numbers = desk.counts(event.community_id)
        fragments = {}
        for locale in sorted(locales):
            with force_locale(locale):
                fragments[locale] = render_template("errands/_counts.html", counts=numbers, count_labels=COUNT_LABELS,
                                                    counts_oob=True)
                if changes_queue(event):
                    fragments[locale] += render_template("errands/_nudge.html")
        return fragments
