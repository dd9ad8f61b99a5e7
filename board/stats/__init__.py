"""The community's numbers (issue 14 §1): kept from the event log as events arrive, shown as totals only."""
from flask import Flask

from board.events import event_recorded
from board.stats import keeping
from board.stats.views import bp

__all__ = ["bp", "init_app"]


def init_app(app: Flask) -> None:
    """Every event is read for what it counts; the counts are written just before its transaction commits."""
    keeping.install()
    event_recorded.connect(keeping.on_event, sender=app)
