"""The care roster: scheduled check-in calls with the residents who live alone (board/care.py is care MODE)."""
from flask import Flask

from board import registry
from board.events import event_recorded
from board.roster import ladder, live, notify, service
from board.roster.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The roster in the registry (its notifications, the live nudge, the ladder's sweep); erasure reaches it."""
    app.config.setdefault("ROSTER_OVERDUE_HOURS", 12)
    registry.register(app, registry.Domain(
        name="roster",
        prefixes=("roster.",),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
        live_fragments=live.public_fragments,
        sweep=(registry.SweepJob("roster escalations", ladder.sweep, order=40),
               registry.SweepJob("roster priorities", service.refresh_priorities, order=41)),
    ))
    event_recorded.connect(service.on_event, sender=app)
    app.register_blueprint(bp)
