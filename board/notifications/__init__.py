"""Notifications: created from the event log for the residents an event concerns; the bell and the list."""
from flask import Flask

from board.events import event_recorded
from board.notifications import models  # noqa: F401  (the table must be known to the metadata)
from board.notifications.service import on_event
from board.notifications.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Which events notify whom comes from the registry (each domain fills it in its own init_app)."""
    event_recorded.connect(on_event, sender=app)
