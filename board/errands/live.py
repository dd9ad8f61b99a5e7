"""The desk on the live stream: any errand event redraws the desk's counts, swapped out of band."""
from flask import current_app, render_template
from flask_babel import force_locale

from board.errands import desk
from board.errands.labels import COUNT_LABELS
from board.models import Event


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
        return fragments
