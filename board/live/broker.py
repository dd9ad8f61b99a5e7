"""Fan-out of committed events to the streams this process holds.

Every recorded event reaches the broker only after its transaction commits: with PostgreSQL through
NOTIFY (sent in the writing transaction, delivered by the server on commit to one LISTEN connection
per process), with SQLite from an in-process after-commit hook. The broker then renders the event's
public fragment once per audience (community and language) and hands the same text to every
subscriber of that community, with the own parts (bell, alert) of the viewers it holds drawn alongside.
"""
from __future__ import annotations

import hashlib
import logging
import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from sqlalchemy import event as sa_event, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import lazyload

from board.cache import LRUCache as FragmentCache  # recent public fragments by (event id, language)
from board.extensions import db
from board.models import Event

log = logging.getLogger(__name__)

QUEUE_SIZE = 1000  # a viewer this far behind is dropped and catches up by replay when it reconnects
OVERFLOW = None  # the sentinel a stream receives when it was dropped


@dataclass(frozen=True)
class Delivery:
    """One committed event as every viewer of its community receives it."""

    event_id: int
    community_id: int
    public: dict[str, str]  # language -> the public fragment (the same for every viewer)
    personal_for: frozenset[int]  # users who also get a part of their own (bell, alert)
    frames: dict[str, bytes] = field(default_factory=dict)  # language -> the whole SSE message, encoded once
    # (user, language) -> that viewer's own part, drawn in the fan-out for the viewers it knew of: their
    # streams then read nothing themselves (each held a database connection of its own for it).
    personal_parts: dict[tuple[int, str], str] = field(default_factory=dict)


# (broker, events, community -> its viewers' languages, community -> {viewer: their languages}) -> event id
# -> the event as each of them receives it.
Deliver = Callable[["Broker", list[Event], dict[int, set[str]], dict[int, dict[int, set[str]]]], dict[int, Delivery]]


def _new_queue():
    """gevent's own queue under gunicorn's gevent workers (far cheaper to wake than a patched
    threading.Condition), the standard one otherwise; both raise queue.Empty and queue.Full."""
    try:
        from gevent import monkey
    except ImportError:
        return queue.Queue(maxsize=QUEUE_SIZE)
    if monkey.is_module_patched("threading"):
        import gevent.queue

        return gevent.queue.Queue(maxsize=QUEUE_SIZE)
    return queue.Queue(maxsize=QUEUE_SIZE)


@dataclass(eq=False)
class Subscriber:
    user_id: int
    community_id: int
    locale: str
    queue: queue.Queue = field(default_factory=_new_queue)

    def offer(self, delivery: Delivery | None) -> bool:
        try:
            self.queue.put_nowait(delivery)
            return True
        except queue.Full:
            return False


class Broker:
    """The subscribers of this process, by community, and the fan-out to them."""

    kind = "local"

    def __init__(self, app: Flask, deliver: Deliver):
        self.app = app
        # Renders events for their audiences (board.live.render.deliveries, passed in by the live
        # package): the broker stays below the renderer, which uses the broker's types and cache.
        self.deliver = deliver
        self.cache = FragmentCache()
        self._subscribers: dict[int, set[Subscriber]] = defaultdict(set)
        self._lock = threading.Lock()
        self.last_event_id = 0

    def subscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            self._subscribers[subscriber.community_id].add(subscriber)

    def unsubscribe(self, subscriber: Subscriber) -> None:
        with self._lock:
            members = self._subscribers.get(subscriber.community_id)
            if members is not None:
                members.discard(subscriber)
                if not members:
                    del self._subscribers[subscriber.community_id]

    def subscribers(self, community_id: int) -> list[Subscriber]:
        with self._lock:
            return list(self._subscribers.get(community_id, ()))

    def count(self) -> int:
        with self._lock:
            return sum(len(members) for members in self._subscribers.values())

    def on_record(self, event: Event) -> None:
        """Called inside the writing transaction: remember the event, to be published on commit."""
        db.session.info.setdefault("live_event_ids", []).append(event.id)

    def on_commit(self, event_ids: list[int]) -> None:
        # Runs inside the writer's commit: the change is saved whatever happens here.
        self._safe_fan_out(event_ids)

    def _safe_fan_out(self, ids: list[int]) -> bool:
        """False when it failed (logged): a fan-out that fails must not fail the change or stop the streams."""
        try:
            self.fan_out(ids)
            return True
        except Exception:
            log.exception("live: fan-out of events %s failed", ids)
            return False

    def fan_out(self, event_ids: list[int]) -> None:
        """Render each committed event once per audience and queue it for every subscriber here."""
        with self.app.app_context():
            # The actor is not part of what everyone sees: not joined (with their memberships) here.
            events = db.session.scalars(
                select(Event).where(Event.id.in_(event_ids)).order_by(Event.id).options(lazyload(Event.actor))
            ).all()
            members = {community: self.subscribers(community) for community in {e.community_id for e in events}}
            viewers: dict[int, dict[int, set[str]]] = {}  # community -> viewer -> their languages
            for community_id, subscribers in members.items():
                here = viewers[community_id] = {}
                for subscriber in subscribers:
                    here.setdefault(subscriber.user_id, set()).add(subscriber.locale)
            audiences = {community_id: set().union(*here.values()) for community_id, here in viewers.items() if here}
            # Rendered together: what the events need is read once for all of them, not per event.
            deliveries = self.deliver(self, events, audiences, viewers)
            for event in events:
                delivery = deliveries.get(event.id)
                if delivery is not None:
                    for subscriber in members[event.community_id]:
                        if not subscriber.offer(delivery):
                            self.drop(subscriber)
                # Only once it is sent: a fan-out that fails part-way is taken up again from here.
                self.last_event_id = max(self.last_event_id, event.id)

    def drop(self, subscriber: Subscriber) -> None:
        """A viewer too far behind: end its stream; its browser reconnects and replays from its last id."""
        self.unsubscribe(subscriber)
        while True:
            try:
                subscriber.queue.get_nowait()
            except queue.Empty:
                break
        subscriber.offer(OVERFLOW)

    def stop(self) -> None:
        """Nothing runs in the background here."""


class FanOutFailed(Exception):
    """A fan-out failed: the LISTEN loop reconnects and catches up from the last event sent."""


class PostgresBroker(Broker):
    """Across processes: NOTIFY in the writing transaction, one LISTEN connection per process."""

    kind = "postgres"

    def __init__(self, app: Flask, deliver: Deliver):
        super().__init__(app, deliver)
        uri = app.config["SQLALCHEMY_DATABASE_URI"]
        # One channel per database and schema, so test runs in their own schema never hear each other.
        self.channel = app.config.get("LIVE_CHANNEL") or "doorstep_" + hashlib.sha1(uri.encode()).hexdigest()[:12]
        self.conninfo = make_url(uri).set(drivername="postgresql").render_as_string(hide_password=False)
        self._thread: threading.Thread | None = None
        self._failures: dict[int, int] = {}  # the first event of a fan-out that failed -> how often
        self._listened_before = False
        self._stopping = threading.Event()
        self._listening = threading.Event()
        self._start_lock = threading.Lock()

    def on_record(self, event: Event) -> None:
        # Delivered by PostgreSQL when (and only if) this transaction commits; ids only, never HTML.
        db.session.execute(text("SELECT pg_notify(:channel, :payload)"), {"channel": self.channel, "payload": str(event.id)})

    def on_commit(self, event_ids: list[int]) -> None:
        """The NOTIFY already carries them, to this process and every other."""

    def subscribe(self, subscriber: Subscriber) -> None:
        super().subscribe(subscriber)
        self.start()

    def start(self, wait: float = 10.0) -> None:
        """Start the LISTEN loop once per process; return when it listens (or after `wait` seconds)."""
        with self._start_lock:
            if self._thread is None:
                self._stopping.clear()
                self._thread = threading.Thread(target=self._run, name="live-listen", daemon=True)
                self._thread.start()
        self._listening.wait(wait)

    def stop(self) -> None:
        self._stopping.set()
        thread = self._thread
        if thread is not None:
            thread.join(timeout=5)
        self._thread = None
        self._listening.clear()

    def _run(self) -> None:
        import psycopg

        backoff = 0.5
        while not self._stopping.is_set():
            try:
                with psycopg.connect(self.conninfo, autocommit=True) as conn:
                    conn.execute(f'LISTEN "{self.channel}"')
                    self._catch_up(conn)
                    self._listening.set()
                    backoff = 0.5
                    while not self._stopping.is_set():
                        # The timeout only lets a stop be noticed. What arrived together goes out in one
                        # fan-out (stop_after=1 still yields every notification read with the first): under
                        # load this loop waits its turn for each statement it runs, so one statement for many
                        # events keeps the streams from falling behind.
                        ids = [int(n.payload) for n in conn.notifies(timeout=0.25, stop_after=1)]
                        if ids and not self._safe_fan_out(ids) and self._retry(ids):
                            raise FanOutFailed(ids)
            except Exception:  # noqa: BLE001 - whatever it was, this loop must go on listening
                # Lost (a restart), or a fan-out that failed (its database connection went with it): listen
                # again and catch up on what is not sent yet, so a stream misses nothing.
                log.warning("live: LISTEN connection lost or fan-out failed; reconnecting", exc_info=True)
                self._listening.clear()
                time.sleep(backoff)
                backoff = min(backoff * 2, 2)  # a restarted database is back in seconds: so is the stream

    def _retry(self, ids: list[int]) -> bool:
        """Whether to take these events up again (by reconnecting and catching up); after 3 tries they are
        skipped (logged), so that one event that cannot be drawn never holds up the streams."""
        key = min(ids)
        self._failures[key] = self._failures.get(key, 0) + 1
        if self._failures[key] <= 3:
            return True
        log.error("live: events %s skipped after 3 failed fan-outs", ids)
        self._failures.pop(key, None)
        self.last_event_id = max(self.last_event_id, *ids)
        return False

    def _catch_up(self, conn) -> None:
        """After a lost connection (or a failed fan-out), fan out what committed since the last event sent.

        Asked on the LISTEN connection itself, not one of the pool's: when the streams are opening by the
        thousand the pool may be busy, and the loop must listen whatever the pool does.
        """
        if not self._listened_before:  # what committed before is the streams' own to replay
            self._listened_before = True
            newest = conn.execute("SELECT max(id) FROM events").fetchone()[0]
            self.last_event_id = max(self.last_event_id, newest or 0)
            return
        missed = [row[0] for row in conn.execute(
            "SELECT id FROM events WHERE id > %s ORDER BY id", (self.last_event_id,)
        ).fetchall()]
        if missed and not self._safe_fan_out(missed) and self._retry(missed):
            raise FanOutFailed(missed)


def _after_commit(session) -> None:
    ids = session.info.pop("live_event_ids", None)
    if ids:
        from flask import current_app

        broker = current_app.extensions.get("live")
        if broker is not None:
            broker.on_commit(ids)


def _after_rollback(session) -> None:
    session.info.pop("live_event_ids", None)


def make_broker(app: Flask, deliver: Deliver) -> Broker:
    choice = app.config.get("LIVE_BROKER", "auto")
    if choice == "auto":
        choice = "postgres" if app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql") else "local"
    broker = PostgresBroker(app, deliver) if choice == "postgres" else Broker(app, deliver)
    if not sa_event.contains(db.session, "after_commit", _after_commit):
        sa_event.listen(db.session, "after_commit", _after_commit)
        sa_event.listen(db.session, "after_rollback", _after_rollback)
    return broker
