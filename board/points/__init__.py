"""Volunteer points (志愿积分): earned when a neighbour confirms, redeemed for gifts local merchants give."""
from flask import Flask
from sqlalchemy import event as sa_event
from sqlalchemy.orm import Session

from board import registry
from board.events import event_recorded
from board.points import notify, service
from board.points.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Points in the registry (notifications, the sweep of expired codes); earning inside the writer's transaction."""
    registry.register(app, registry.Domain(
        name="points",
        prefixes=("points.",),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
        sweep=(registry.SweepJob("expired gift codes", service.expire_codes, order=60),),
    ))
    event_recorded.connect(service.on_event, sender=app)
    if not sa_event.contains(Session, "before_flush", service.refuse_changes):  # once per process
        sa_event.listen(Session, "before_flush", service.refuse_changes)
