"""Notifications: created from the event log for the residents an event concerns; the bell and the list."""
from flask import Flask

from board import events
from board.notifications import models  # noqa: F401  (the table must be known to the metadata)
from board.notifications.service import on_event
from board.notifications.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    if on_event not in events.listeners:
        events.listeners.append(on_event)
