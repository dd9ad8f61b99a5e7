"""What a viewer receives for an event: the public fragment (once per audience) and their own part."""
from __future__ import annotations

from contextlib import nullcontext
from datetime import timedelta

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select

from board import registry
from board.cards import service as cards
from board.extensions import db
from board.live.broker import Broker, Delivery
from board.models import Card, CardKind, Event, utcnow
from board.notifications import service as notifications
from board.notifications.models import Notification


def board_counts(community_id: int) -> dict[str, int]:
    """Open needs and offers on the community's board, for the counts above it."""
    stmt = (
        cards.board_query(community_id, cards.BoardFilters())
        .with_only_columns(Card.kind, func.count(Card.id))
        .group_by(Card.kind)
        .order_by(None)
    )
    counts = {CardKind.NEED.value: 0, CardKind.OFFER.value: 0}
    counts.update({kind: n for kind, n in db.session.execute(stmt)})
    return counts


def public_fragments(event: Event, locales: set[str]) -> dict[str, str]:
    """The card as anyone in the community sees it, in each language: out-of-band swaps for every
    page that shows it. Viewer-independent by construction: rendered with no one logged in, and a
    card shown in full (with buttons and doors) is told to fetch itself again as its viewer instead.
    """
    own = registry.current().live_fragments(event)
    if own is not None:  # the domain that owns the event renders it (a shelf's stock: board/box/live.py)
        return own(event, locales)
    if event.card_id is None:
        return dict.fromkeys(locales, "")
    app = current_app._get_current_object()
    # No viewer may be logged in where this renders: inside a request (a replay, the polling
    # fallback) it gets an app context of its own; the broker's fan-out has no request at all.
    isolated = app.app_context() if has_request_context() else nullcontext()
    with isolated, app.test_request_context("/"):
        board = cards.board_query(event.community_id, cards.BoardFilters()).where(Card.id == event.card_id)
        card = db.session.scalar(board.order_by(None))
        on_board = card is not None
        card = card or db.session.get(Card, event.card_id)
        if card is None:
            return dict.fromkeys(locales, "")
        # Inserted at the top of boards that lack it only when it is new there (or back from a
        # handoff): a card merely absent may sit on a page of the board not yet loaded.
        appears = on_board and (event.kind == "card.posted" or event.kind.startswith("handoff."))
        context = {"card": card, "on_board": on_board, "appears": appears, "counts": board_counts(card.community_id)}
        fragments = {}
        for locale in sorted(locales):
            with force_locale(locale):
                fragments[locale] = render_template("live/_public.html", **context)
        return fragments


def public_fragment(event: Event, locale: str) -> str:
    return public_fragments(event, {locale})[locale]


def delivery(broker: Broker, event: Event, locales: set[str]) -> Delivery:
    """One event for every subscriber: its public fragment per language, and who gets a part of their own."""
    public = {locale: broker.cache.get((event.id, locale)) for locale in locales}
    missing = {locale for locale, fragment in public.items() if fragment is None}
    if missing:
        for locale, fragment in public_fragments(event, missing).items():
            broker.cache.put((event.id, locale), fragment)
            public[locale] = fragment
    personal = []
    if registry.current().notification_kind(event.kind) is not None:
        personal = db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)).all()
    frames = {locale: sse(event.id, html).encode() for locale, html in public.items() if html}
    return Delivery(event.id, event.community_id, public, frozenset(personal), frames)


def personal_fragment(event_id: int, user_id: int, locale: str, *, alert: bool = True) -> str:
    """My part of an event: my bell's new count and, unless replayed a second time, an alert to notice."""
    mine = notifications.for_event(event_id, user_id)
    if not mine:
        return ""
    with force_locale(locale):
        return render_template(
            "live/_personal.html",
            notifications=mine if alert else [],
            unread={n.id for n in mine if n.read_at is None},
            bell_count=notifications.unread_count(user_id),
        )


def sse(event_id: int, html: str, name: str = "live") -> str:
    """One Server-Sent Event; every line of the fragment becomes a data line."""
    # Indentation is dropped (these fragments hold no <pre>): fewer bytes to every viewer.
    lines = "".join(f"data: {line.strip()}\n" for line in html.splitlines() if line.strip())
    return f"id: {event_id}\nevent: {name}\n{lines}\n"


def compose(delivery_: Delivery, user_id: int, locale: str, *, alert: bool = True) -> str:
    """The fragment one viewer receives: the shared public part, then their own part if any."""
    html = delivery_.public.get(locale, "")
    if user_id in delivery_.personal_for:
        html += personal_fragment(delivery_.event_id, user_id, locale, alert=alert)
    return html


def missed_events(community_id: int, last_id: int, limit: int, *, overlap: bool = True) -> list[Event]:
    """Events after `last_id`, and recent ones just below it whose transaction may have committed late.

    Ids are taken when a change is written, but transactions commit in their own order: an event
    numbered just below one a viewer already has can still commit after it. Replaying a short recent
    window below the viewer's last id closes that gap; the page ignores ids it has already applied.
    """
    window = timedelta(seconds=current_app.config.get("LIVE_REPLAY_OVERLAP_SECONDS", 10) if overlap else 0)
    stmt = (
        select(Event)
        .where(
            Event.community_id == community_id,
            or_(
                Event.id > last_id,
                and_(Event.id > last_id - 200, Event.created_at >= utcnow() - window) if overlap else False,
            ),
        )
        .order_by(Event.id)
        .limit(limit + 1)
    )
    return list(db.session.scalars(stmt))


def latest_event_id(community_id: int) -> int:
    stmt = select(func.max(Event.id)).where(Event.community_id == community_id)
    return db.session.scalar(stmt) or 0


def replay(broker: Broker, user_id: int, community_id: int, locale: str, last_id: int, *,
           overlap: bool = True) -> tuple[list[tuple[int, str]], bool]:
    """What a viewer missed since `last_id`, as (event id, fragment) pairs; True when too much to replay.

    `overlap`: also the recent window below `last_id`, for a page that resumes after a drop (a page
    just drawn from the database needs none).
    """
    limit = current_app.config.get("LIVE_REPLAY_LIMIT", 500)
    events = missed_events(community_id, last_id, limit, overlap=overlap)
    if len(events) > limit:
        return [], True
    out = []
    for event in events:
        html = compose(delivery(broker, event, {locale}), user_id, locale, alert=event.id > last_id)
        if html:
            out.append((event.id, html))
    return out, False


def reload_fragment(locale: str) -> str:
    with force_locale(locale):
        return render_template("live/_reload.html")
