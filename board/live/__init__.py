"""Live updates: one Server-Sent Events stream per viewer, fed from the event log."""
from flask import Flask

from board import events
from board.live.broker import make_broker
from board.live.views import bp

__all__ = ["bp", "init_app"]

DEFAULTS = {
    "LIVE_BROKER": "auto",  # "postgres" (LISTEN/NOTIFY, several processes) or "local" (one process)
    "LIVE_HEARTBEAT_SECONDS": 20,
    "LIVE_STREAM_SECONDS": 600,  # then the browser reconnects (with Last-Event-ID): rebalances workers
    "LIVE_RETRY_MS": 2000,
    "LIVE_REPLAY_LIMIT": 500,  # more missed than this and the page reloads instead
    "LIVE_REPLAY_OVERLAP_SECONDS": 10,
}


def _on_event(event) -> None:
    from flask import current_app

    broker = current_app.extensions.get("live")
    if broker is not None:
        broker.on_record(event)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["live"] = make_broker(app)
    if _on_event not in events.listeners:
        events.listeners.append(_on_event)
