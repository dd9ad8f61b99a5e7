"""Live updates: one Server-Sent Events stream per viewer, fed from the event log."""
from flask import Flask

from board.events import event_recorded
from board.live import render
from board.live.broker import make_broker
from board.live.views import bp

__all__ = ["bp", "init_app"]

DEFAULTS = {
    "LIVE_BROKER": "auto",  # "postgres" (LISTEN/NOTIFY, several processes) or "local" (one process)
    "LIVE_HEARTBEAT_SECONDS": 20,
    # A stream writes at most once in this long: what arrives meanwhile waits and goes out together.
    # An idle stream's first change goes at once; a busy one (a fever wave: several changes a second
    # to a thousand streams) makes one write where it made several, and each write costs the worker
    # far more than its bytes (a wake-up, a system call). 0: every change at once.
    "LIVE_WRITE_INTERVAL_SECONDS": 1.0,
    "LIVE_STREAM_SECONDS": 600,  # then the browser reconnects (with Last-Event-ID): rebalances workers
    "LIVE_RETRY_MS": 2000,
    # More missed than this and the page reloads instead: a reload costs one page, a replay of many
    # events one fragment each (about 1 kB and a few queries apiece).
    "LIVE_REPLAY_LIMIT": 25,
    # Streams opened and polls that replay something (or reload), per viewer; past it a bare 429.
    "LIVE_REPLAY_RATE_LIMIT": "60 per minute",
    "LIVE_REPLAY_OVERLAP_SECONDS": 10,
    # Open streams per process (each ~25 kB under gevent); past it a stream is refused at once with a
    # 503 and Retry-After. gunicorn's worker_connections leaves room above it for ordinary requests.
    "LIVE_MAX_STREAMS": 4000,
}


def _on_event(app: Flask, *, event) -> None:
    """Every recorded event goes to this app's broker (published when its transaction commits)."""
    broker = app.extensions.get("live")
    if broker is not None:
        broker.on_record(event)


def init_app(app: Flask) -> None:
    for key, value in DEFAULTS.items():
        app.config.setdefault(key, value)
    app.extensions["live"] = make_broker(app, render.deliveries)
    event_recorded.connect(_on_event, sender=app)
