"""Shared stock: the medicine box (共享药箱) and the love corner (爱心角), with their register."""
from flask import Flask

from board import registry
from board.box import live, notify, service
from board.box.views import bp
from board.events import event_recorded

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """The shelves in the registry; and reservations settle when their card moves (received, withdrawn, expired)."""
    registry.register(app, registry.Domain(
        name="box",
        prefixes=("box.",),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
        live_fragments=live.public_fragments,
        sweep=(registry.SweepJob("lapsed box reservations", service.lapse_overdue_reservations, order=50),),
    ))
    event_recorded.connect(service.on_event, sender=app)
