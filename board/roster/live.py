"""The roster on the live stream: every viewer gets the same content-free nudge; coordinators' pages then fetch
their own counts and call lists as themselves. Nothing about a household ever travels on the stream."""
from flask import current_app, render_template
from flask_babel import force_locale

from board.models import Event


def public_fragments(event: Event, locales: set[str]) -> dict[str, str]:
    app = current_app._get_current_object()
    fragments = {}
    with app.app_context(), app.test_request_context("/"):
        for locale in locales:
            with force_locale(locale):
                fragments[locale] = render_template("roster/_live.html")
    return fragments
