"""The live stream, its polling fallback, and a card as the viewer sees it after a change."""
from __future__ import annotations

import logging
import queue
import time
from contextlib import contextmanager

from flask import Blueprint, Flask, Response, current_app, g, render_template, request
from flask_babel import get_locale
from flask_limiter.util import get_remote_address
from flask_login import current_user, login_required
from sqlalchemy.exc import SQLAlchemyError

from board import frame
from board.cards import service as cards
from board.extensions import db, limiter
from board.inputs import MAX_EVENT_ID, page_shown_on, small_int
from board.live import render
from board.live.broker import OVERFLOW, Subscriber

bp = Blueprint("live", __name__, url_prefix="/live")
log = logging.getLogger(__name__)


@bp.app_context_processor
def live_helpers() -> dict:
    """`live_last_id()`: the newest event a page was drawn with (its stream starts there); board counts."""
    def live_last_id() -> int:
        return frame.numbers().last_event_id if current_user.is_authenticated else 0

    def live_board_counts() -> dict[str, int]:
        return frame.numbers(counts=True).counts

    return {"live_last_id": live_last_id, "live_board_counts": live_board_counts}


def requested_last_id() -> int | None:
    """The newest event the page has: the browser's Last-Event-ID on a reconnect, else `?last_id=`."""
    ids = [request.headers.get("Last-Event-ID"), request.args.get("last_id")]
    # '²' passes isdigit(), 5,000 digits do not fit int(), 2⁶³ does not fit the log's key: all ignored.
    return max([n for n in (small_int(v, maximum=MAX_EVENT_ID) for v in ids) if n is not None], default=None)


def viewer() -> tuple[int, int, str] | None:
    if not current_user.is_authenticated or current_user.community_id is None:
        return None
    return current_user.id, current_user.community_id, str(get_locale())


def replay_key() -> str:
    """Replays are limited per viewer (several tabs share one budget), per address before login."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return get_remote_address()


def replay_refused(limit) -> Response:
    """Past the replay limit: a bare 429 with Retry-After, nothing read or rendered. The SSE extension
    reconnects later by itself, and a poll answered so swaps nothing on the page."""
    seconds = max(1, int(limit.reset_at - time.time()))
    return Response(status=429, headers={"Retry-After": str(seconds), "Cache-Control": "no-store"})


# Each stream opened or poll that replays missed events (or tells the page to reload) costs one.
replays_limited = limiter.shared_limit(
    lambda: current_app.config["LIVE_REPLAY_RATE_LIMIT"], scope="live-replay", key_func=replay_key,
    deduct_when=lambda _response: g.get("live_replayed", False), on_breach=replay_refused,
)


def missed_since(user_id: int, community_id: int, locale: str, last_id: int, *, overlap: bool) -> tuple[list[tuple[int, str]], int]:
    """What the viewer missed as (event id, fragment) pairs and the newest id; past LIVE_REPLAY_LIMIT,
    one fragment that reloads the page instead (cheaper than replaying a long history)."""
    broker = current_app.extensions["live"]
    missed, too_many = render.replay(broker, user_id, community_id, locale, last_id, overlap=overlap)
    g.live_replayed = bool(missed) or too_many
    if too_many:
        newest = render.latest_event_id(community_id)
        return [(newest, render.reload_fragment(locale))], newest
    return missed, max([last_id, *(event_id for event_id, _ in missed)])


@bp.get("/stream")
@replays_limited
def stream():
    """One Server-Sent Events stream per viewer: what was missed since Last-Event-ID, then every change."""
    who = viewer()
    if who is None:
        return Response(status=204)  # 204 tells EventSource to stop; the page is not logged in
    user_id, community_id, locale = who
    # A reconnect (the browser's own, or live.js's after an error) resumes; a page just drawn starts.
    resuming = "Last-Event-ID" in request.headers or request.args.get("resume") == "1"
    last_id = requested_last_id()
    if last_id is None:  # a stream asked for without a starting point starts now
        last_id = render.latest_event_id(community_id)
    app = current_app._get_current_object()
    broker = app.extensions["live"]
    cfg = app.config
    if broker.count() >= cfg["LIVE_MAX_STREAMS"]:
        # This worker holds all it should: at once a 503, and the browser tries again later (or polls).
        return Response(status=503, headers={"Retry-After": str(cfg["RETRY_AFTER_SECONDS"]), "Cache-Control": "no-store"})
    subscriber = Subscriber(user_id, community_id, locale)
    # Subscribe before reading the log: nothing can commit in between unseen. The replay is read
    # here, in the request, so that a database that cannot answer is a 503 before the stream starts.
    broker.subscribe(subscriber)
    try:
        missed, _newest = missed_since(user_id, community_id, locale, last_id, overlap=resuming)
        db.session.commit()  # no database connection is held while the stream stays open
    except BaseException:
        broker.unsubscribe(subscriber)
        raise

    def events():
        try:
            yield f"retry: {cfg['LIVE_RETRY_MS']}\n" + render.sse(last_id, "ok", name="hello")
            sent = {event_id for event_id, _ in missed}
            if missed:
                yield "".join(render.sse(event_id, html) for event_id, html in missed)
            deadline = time.monotonic() + cfg["LIVE_STREAM_SECONDS"]
            interval, written = cfg["LIVE_WRITE_INTERVAL_SECONDS"], 0.0
            while time.monotonic() < deadline:
                try:
                    first = subscriber.queue.get(timeout=cfg["LIVE_HEARTBEAT_SECONDS"])
                except queue.Empty:
                    yield b": ping\n\n"  # keeps proxies from closing an idle stream, and finds gone viewers
                    continue
                pause = written + interval - time.monotonic()
                if pause > 0:
                    time.sleep(pause)  # written a moment ago: gather what comes meanwhile into one write
                # Everything already waiting goes out in the same write.
                chunk, ending = [], False
                for delivery in waiting(subscriber.queue, first):
                    if delivery is OVERFLOW:
                        ending = True  # too far behind: the browser reconnects and replays from its last id
                        break
                    if delivery.event_id in sent:
                        continue
                    if user_id in delivery.personal_for:
                        if (user_id, locale) in delivery.personal_parts:  # drawn in the fan-out: nothing to read
                            html = render.compose(delivery, user_id, locale)
                        else:  # subscribed after the fan-out looked: read here
                            try:
                                with own_context(app):
                                    html = render.compose(delivery, user_id, locale)
                            except SQLAlchemyError:  # the database away: end; the browser resumes from its last id
                                log.warning("live: stream ended, its viewer's part could not be read", exc_info=True)
                                ending = True
                                break
                        if html:
                            chunk.append(render.sse(delivery.event_id, html).encode())
                    elif locale in delivery.frames:
                        chunk.append(delivery.frames[locale])  # the same bytes for every viewer of this language
                if chunk:
                    yield b"".join(chunk)
                    written = time.monotonic()
                if ending:
                    return
        finally:
            broker.unsubscribe(subscriber)

    response = Response(events(), mimetype="text/event-stream")
    response.call_on_close(lambda: broker.unsubscribe(subscriber))  # also when the stream never started
    response.headers["Cache-Control"] = "no-cache"
    response.headers["X-Accel-Buffering"] = "no"  # nginx: pass each event on at once
    return response


def waiting(deliveries: queue.Queue, first, most: int = 100):
    """`first`, then what is already in the queue (at most `most` in all), without waiting for more."""
    yield first
    for _ in range(most - 1):
        try:
            yield deliveries.get_nowait()
        except queue.Empty:
            return


@contextmanager
def own_context(app: Flask):
    """A fresh app and request context for work inside a stream: its own short database session
    (returned to the pool at once), and url_for and translations without the viewer's request."""
    with app.app_context(), app.test_request_context("/"):
        yield


@bp.get("/poll")
@login_required
@replays_limited
def poll():
    """The polling fallback: the same fragments as the stream, for events after `last_id`."""
    user_id, community_id, locale = viewer() or (current_user.id, 0, str(get_locale()))
    missed, newest = missed_since(user_id, community_id, locale, requested_last_id() or 0, overlap=True)
    body = "".join(html for _, html in missed)
    if not body:
        response = Response(status=204)
    else:
        response = Response(body, mimetype="text/html")
    response.headers["X-Live-Last-Id"] = str(newest)
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/cards/<int:card_id>")
@login_required
def card(card_id: int):
    """One card in full as this viewer sees it (their buttons, the doors they may see), after a change."""
    card = cards.card_for(current_user, card_id)
    context = {"card": card, "full": True, "compact": bool(request.args.get("compact"))}
    page = page_shown_on()
    if page:
        context["return_to"] = lambda: page  # buttons bring a resident back to that page, not to this fragment
    response = Response(render_template("cards/_card.html", **context))
    response.headers["Cache-Control"] = "no-store"
    return response
