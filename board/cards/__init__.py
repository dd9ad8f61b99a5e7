"""Needs and offers: the board, posting, a card's page."""
from flask import Flask

from board import registry
from board.cards import housekeeping, notify
from board.cards.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Cards and handoffs in the registry: who hears of their events, and their time-outs."""
    registry.register(app, registry.Domain(
        name="cards",
        prefixes=("card.", "handoff."),
        notifications=notify.NOTIFICATIONS,
        headlines=notify.HEADLINES,
        recipients=notify.recipients,
        # A card's own events are drawn by board.live.render (a card on every page that shows it).
        sweep=housekeeping.SWEEP,
    ))
