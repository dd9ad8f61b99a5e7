"""Bound what one process works on at once. A request holds a database connection while it runs:
more requests than the pool has connections would only queue for one (and the live fan-out, which
needs one too, would starve). Past REQUESTS_IN_FLIGHT_LIMIT a request waits in line at most
ADMISSION_WAIT_SECONDS for a place, then gets the 503 page with Retry-After; when the line is plainly
longer than that wait, at once. Streams and static files are not counted (a stream's work is bounded
by the replay limit, and it then holds no connection)."""
import threading
import time
from collections import deque

from flask import Flask, current_app, g, request

EXEMPT = {"static", "live.stream"}


class InFlight:
    """Places for requests in this process, handed out first come, first served.

    A plain semaphore lets a newcomer take a place the moment one is freed, ahead of those already
    waiting: under load most requests then wait not at all and some wait out the whole
    ADMISSION_WAIT_SECONDS and get the 503 (bench/load.py: 5 % shed while the median waited 0).
    Here a freed place passes straight to the longest waiter, so everyone waits about as long and a
    503 means the queue really is longer than the wait allows.

    Waiting out the whole wait only to be refused helps nobody: once the line has stood for RATE_WINDOW
    seconds, the places handed on in that time tell how fast it moves, and a newcomer whose turn would
    come after its wait is refused at once. Only a line that has stood that long is judged: a burst
    after a quiet spell would otherwise be judged by the quiet spell's few freed places.
    Threading primitives: cooperative under gevent, real locks under the threaded development server."""

    RATE_WINDOW = 1.0

    def __init__(self, limit: int, clock=time.monotonic):
        self.limit = limit
        self._free = limit
        self._waiting: deque[threading.Event] = deque()
        self._lock = threading.Lock()
        self._clock = clock
        self._line_since: float | None = None  # since when every place is taken and someone waited
        self._handed_on: deque[float] = deque()  # when places passed to a waiter, within RATE_WINDOW

    def enter(self, wait: float) -> bool:
        if not self.limit:
            return True
        with self._lock:
            if self._free and not self._waiting:
                self._free -= 1
                return True
            if self._turn_comes_too_late(wait):
                return False
            if self._line_since is None:  # reset only when a place goes free with nobody waiting
                self._line_since = self._clock()
            turn = threading.Event()
            self._waiting.append(turn)
        if turn.wait(wait):
            return True
        with self._lock:
            if turn.is_set():  # the place came as the wait ran out: it is ours, not lost
                return True
            self._waiting.remove(turn)
            return False

    def leave(self) -> None:
        if not self.limit:
            return
        with self._lock:
            if self._waiting:
                self._waiting.popleft().set()
                now = self._clock()
                self._handed_on.append(now)
                self._forget_before(now - self.RATE_WINDOW)
            else:
                self._free += 1
                self._line_since = None
                self._handed_on.clear()

    def _turn_comes_too_late(self, wait: float) -> bool:
        """A newcomer's turn, at the pace the line has moved over the last RATE_WINDOW, comes after its
        wait. Unknown (no line, or one too young to judge): no, let it wait and see."""
        now = self._clock()
        if not self._waiting or self._line_since is None or now - self._line_since < self.RATE_WINDOW:
            return False
        self._forget_before(now - self.RATE_WINDOW)
        handed_on = len(self._handed_on)
        return handed_on == 0 or (len(self._waiting) + 1) * self.RATE_WINDOW / handed_on > wait

    def _forget_before(self, moment: float) -> None:
        while self._handed_on and self._handed_on[0] < moment:
            self._handed_on.popleft()

    @property
    def waiting(self) -> int:
        return len(self._waiting)


def limit_for(config) -> int:
    """REQUESTS_IN_FLIGHT_LIMIT, or by default the pool's size: its overflow stays free for the live
    stream (replays, the fan-out, each viewer's own part). 0: no limit."""
    configured = config.get("REQUESTS_IN_FLIGHT_LIMIT")
    if configured is not None:
        return int(configured)
    return int(config["SQLALCHEMY_ENGINE_OPTIONS"].get("pool_size") or 0)  # no pool (in-memory SQLite): none


def admit():
    if request.endpoint in EXEMPT:
        return None
    if not current_app.extensions["in_flight"].enter(current_app.config["ADMISSION_WAIT_SECONDS"]):
        from board.errors import render_unavailable

        return render_unavailable()
    g.admitted = True
    return None


def _leave(_error=None) -> None:
    if g.pop("admitted", False):
        current_app.extensions["in_flight"].leave()


def init_app(app: Flask) -> None:
    app.config["REQUESTS_IN_FLIGHT_LIMIT"] = limit_for(app.config)
    app.extensions["in_flight"] = InFlight(app.config["REQUESTS_IN_FLIGHT_LIMIT"])
    # First of all: a refused request reads no session, user or database.
    app.before_request_funcs.setdefault(None, []).insert(0, admit)
    app.teardown_request(_leave)
