"""Volunteers: teams by speciality, signing up and a coordinator's decision, on duty, shifts, hours, the teams' numbers."""
from flask import Flask

from board import registry
from board.events import event_recorded
from board.volunteers import models, notify, service  # noqa: F401  (models: Alembic sees the tables)
from board.volunteers.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The volunteers' events and notifications in the registry; an erased account leaves its sign-up erased."""
    registry.register(app, registry.Domain(
        name="volunteers",
        prefixes=("volunteer.",),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
    ))
    event_recorded.connect(service.on_event, sender=app)
