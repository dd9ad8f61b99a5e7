"""Errands and the 24-hour dispatch desk (居民点单、志愿者接单、24小时派单)."""
from flask import Flask

from board import registry
from board.errands import live, notify, service
from board.errands.views import bp
from board.events import event_recorded

__all__ = ["bp", "init_app"]

DEFAULTS = {
    "ERRAND_MODE": "claim",  # the dispatch mode of a community that has not chosen one
    "ERRAND_OPEN_LIMIT": 3,  # open errands one volunteer may hold, until a community chooses
    "ERRAND_ACCEPT_MINUTES": 30,  # an assignment not accepted by then goes back to the queue
    "ERRAND_START_MINUTES": 60,  # an accepted errand not under way by then goes back to the queue
}


def init_app(app: Flask) -> None:
    """The errands in the registry; an errand follows its card's handoff inside the card's transaction."""
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    registry.register(app, registry.Domain(
        name="errands",
        prefixes=("errand.",),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
        live_fragments=live.public_fragments,
        # Before the card's own time-outs (a match lapsing): the errand's are shorter and more specific.
        sweep=(registry.SweepJob("errands back to the queue", service.time_out_due, order=40),),
    ))
    event_recorded.connect(service.on_event, sender=app)
