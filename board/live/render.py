"""What a viewer receives for an event: the public fragment (once per audience) and their own part."""
from __future__ import annotations

from collections import defaultdict
from contextlib import nullcontext
from dataclasses import dataclass, field, replace
from datetime import timedelta

from flask import current_app, has_request_context, render_template
from flask_babel import force_locale
from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import joinedload

from board import registry
from board.cards import service as cards
from board.extensions import db
from board.live.broker import Broker, Delivery
from board.models import Card, CardKind, Event, User, utcnow
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


# The public card shows its author's name, not their home: their memberships are not read with it.
PUBLIC_CARD = (joinedload(Card.author).lazyload(User.memberships),)


@dataclass
class ReadAhead:
    """What the public fragments of several events need, read for all of them at once: a fan-out (or
    a replay) of twenty events asks the database a few times, not a few times per event."""

    looked_for: set[int] = field(default_factory=set)  # the cards it read (a deleted one is not in `cards`)
    cards: dict[int, Card] = field(default_factory=dict)  # every card an event is about, by id
    on_board: set[int] = field(default_factory=set)  # those of them open on their board now
    counts: dict[int, dict[str, int]] = field(default_factory=dict)  # community -> its board's open counts
    personal: dict[int, list[int]] = field(default_factory=dict)  # event -> users with a part of their own


def read_ahead(events: list[Event], *, to_draw: set[int] | None = None) -> ReadAhead:
    """`to_draw`: the events whose public fragment is still to be drawn (None: all of them); the
    others are kept already (Broker.cache), and only who gets a part of their own is read for them."""
    ahead = ReadAhead()
    by_community: dict[int, set[int]] = defaultdict(set)
    for event in events:
        if (event.card_id is not None and (to_draw is None or event.id in to_draw)
                and registry.current().live_fragments(event) is None):
            by_community[event.community_id].add(event.card_id)
    for community_id, card_ids in by_community.items():
        ahead.looked_for |= card_ids
        board = (cards.board_query(community_id, cards.BoardFilters()).where(Card.id.in_(card_ids)).order_by(None)
                 .options(*PUBLIC_CARD))
        for card in db.session.scalars(board).unique():
            ahead.cards[card.id] = card
            ahead.on_board.add(card.id)
        ahead.counts[community_id] = board_counts(community_id)
    elsewhere = set().union(*by_community.values()) - ahead.on_board
    if elsewhere:  # no longer open (matched, received, closed): drawn as it is, off the board
        found = db.session.scalars(select(Card).where(Card.id.in_(elsewhere)).options(*PUBLIC_CARD)).unique()
        ahead.cards.update((card.id, card) for card in found)
    noted = [event.id for event in events if registry.current().notification_kind(event.kind) is not None]
    if noted:
        ahead.personal = {event_id: [] for event_id in noted}
        rows = select(Notification.event_id, Notification.user_id).where(Notification.event_id.in_(noted))
        for event_id, user_id in db.session.execute(rows):
            ahead.personal[event_id].append(user_id)
    return ahead


def public_fragments(event: Event, locales: set[str], ahead: ReadAhead | None = None) -> dict[str, str]:
    """The card as anyone in the community sees it, in each language: out-of-band swaps for every
    page that shows it. Viewer-independent by construction: rendered with no one logged in, and a
    card shown in full (with buttons and doors) is told to fetch itself again as its viewer instead.
    `ahead`: what was read for a batch of events (read_ahead), else read here for this one.
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
        if ahead is None or event.card_id not in ahead.looked_for:
            ahead = read_ahead([event])
        card = ahead.cards.get(event.card_id)
        if card is None:
            return dict.fromkeys(locales, "")
        on_board = card.id in ahead.on_board
        # Inserted at the top of boards that lack it only when it is new there (or back from a
        # handoff): a card merely absent may sit on a page of the board not yet loaded.
        appears = on_board and (event.kind == "card.posted" or event.kind.startswith("handoff."))
        context = {"card": card, "on_board": on_board, "appears": appears, "counts": ahead.counts[card.community_id]}
        fragments = {}
        for locale in sorted(locales):
            with force_locale(locale):
                fragments[locale] = render_template("live/_public.html", **context)
        return fragments


def public_fragment(event: Event, locale: str) -> str:
    return public_fragments(event, {locale})[locale]


def deliveries(broker: Broker, events: list[Event], audiences: dict[int, set[str]],
               viewers: dict[int, dict[int, set[str]]] | None = None) -> dict[int, Delivery]:
    """Each event for every subscriber of its community (`audiences`: community -> their languages),
    with what the events need read once for all of them. `viewers` (community -> viewer -> languages):
    whose own parts to draw here too, so that their streams need not read them one by one."""
    events = [event for event in events if audiences.get(event.community_id)]
    to_draw = {event.id for event in events
               if any(broker.cache.get((event.id, locale)) is None for locale in audiences[event.community_id])}
    ahead = read_ahead(events, to_draw=to_draw) if events else ReadAhead()
    drawn = {event.id: delivery(broker, event, audiences[event.community_id], ahead) for event in events}
    if viewers:
        wanted = {(event.id, user_id): viewers[event.community_id][user_id]
                  for event in events for user_id in drawn[event.id].personal_for
                  if user_id in viewers.get(event.community_id, {})}
        by_event: dict[int, dict[tuple[int, str], str]] = defaultdict(dict)
        for (event_id, user_id, locale), html in (personal_fragments(wanted) if wanted else {}).items():
            by_event[event_id][(user_id, locale)] = html
        for event_id, parts in by_event.items():
            drawn[event_id] = replace(drawn[event_id], personal_parts=parts)
    return drawn


def delivery(broker: Broker, event: Event, locales: set[str], ahead: ReadAhead | None = None) -> Delivery:
    """One event for every subscriber: its public fragment per language, and who gets a part of their own."""
    public = {locale: broker.cache.get((event.id, locale)) for locale in locales}
    missing = {locale for locale, fragment in public.items() if fragment is None}
    if missing:
        for locale, fragment in public_fragments(event, missing, ahead).items():
            broker.cache.put((event.id, locale), fragment)
            public[locale] = fragment
    if ahead is not None:
        personal = ahead.personal.get(event.id, [])
    elif registry.current().notification_kind(event.kind) is not None:
        personal = db.session.scalars(select(Notification.user_id).where(Notification.event_id == event.id)).all()
    else:
        personal = []
    frames = {locale: sse(event.id, html).encode() for locale, html in public.items() if html}
    return Delivery(event.id, event.community_id, public, frozenset(personal), frames)


def personal_fragment(event_id: int, user_id: int, locale: str, *, alert: bool = True) -> str:
    """My part of an event: my bell's new count and, unless replayed a second time, an alert to notice."""
    mine = notifications.for_event(event_id, user_id)
    if not mine:
        return ""
    return _draw_personal(mine, notifications.unread_count(user_id), locale, alert=alert)


def sse(event_id: int, html: str, name: str = "live") -> str:
    """One Server-Sent Event; every line of the fragment becomes a data line."""
    # Indentation is dropped (these fragments hold no <pre>): fewer bytes to every viewer.
    lines = "".join(f"data: {line.strip()}\n" for line in html.splitlines() if line.strip())
    return f"id: {event_id}\nevent: {name}\n{lines}\n"


def personal_fragments(wanted: dict[tuple[int, int], set[str]]) -> dict[tuple[int, int, str], str]:
    """personal_fragment for many (event, viewer) pairs in each of their languages, read in two statements
    whatever their number: the notifications of all of them, and each viewer's unread count."""
    user_ids = {user_id for _event, user_id in wanted}
    theirs = notifications.for_events({event_id for event_id, _user in wanted}, user_ids)
    unread = notifications.unread_counts(user_ids)
    app = current_app._get_current_object()
    # Drawn for no one logged in, as the public fragments are (the local broker fans out inside a request).
    isolated = app.app_context() if has_request_context() else nullcontext()
    out = {}
    with isolated, app.test_request_context("/"):
        for (event_id, user_id), locales in wanted.items():
            mine = theirs.get((event_id, user_id), [])
            for locale in locales:
                out[(event_id, user_id, locale)] = _draw_personal(mine, unread.get(user_id, 0), locale) if mine else ""
    return out


def _draw_personal(mine: list[Notification], bell_count: int, locale: str, *, alert: bool = True) -> str:
    with force_locale(locale):
        return render_template(
            "live/_personal.html",
            notifications=mine if alert else [],
            unread={n.id for n in mine if n.read_at is None},
            bell_count=bell_count,
        )


def compose(delivery_: Delivery, user_id: int, locale: str, *, alert: bool = True) -> str:
    """The fragment one viewer receives: the shared public part, then their own part if any."""
    html = delivery_.public.get(locale, "")
    if user_id in delivery_.personal_for:
        drawn = delivery_.personal_parts.get((user_id, locale)) if alert else None
        html += drawn if drawn is not None else personal_fragment(delivery_.event_id, user_id, locale, alert=alert)
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
    for event_id, delivery_ in deliveries(broker, events, {community_id: {locale}}).items():
        html = compose(delivery_, user_id, locale, alert=event_id > last_id)
        if html:
            out.append((event_id, html))
    return out, False


def reload_fragment(locale: str) -> str:
    with force_locale(locale):
        return render_template("live/_reload.html")
