"""A card as anyone in its community sees it, rendered once per (card version, language) per process.

The board, a card's page, its htmx fragments and the live stream all draw a card through
`templates/cards/_card.html`; its public part comes from here, and only the viewer's own part
(buttons, doors, handoffs, history: `_card_viewer.html`) is rendered per viewer. The public
template is rendered with an explicit context and no context processors, so it cannot see
`current_user`: viewer-independent by construction.

Why a dict per process (board.cache) and not Redis or Flask-Caching: the key holds everything the
HTML is made of (the card's version, bumped on every write; the building's and author's names; the
language), so no entry ever goes stale and no other process needs telling; a hit is one dict
lookup, cheaper than a network round trip to Redis (about what rendering one card costs);
`make run` needs nothing else running. Each worker renders a card once per version and language.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import lazyload

from board.cache import LRUCache, app_cache
from board.cards import labels
from board.extensions import db
from board.i18n import ago
from board.models import Card, utcnow

TEMPLATE = "cards/_card_public.html"
# Where the relative time goes: "5 minutes ago" is filled in per request, outside the cached HTML.
AGO_SLOT = "<!--ago-->"


def cache() -> LRUCache:
    return app_cache("cards")


def key(card: Card, locale: str, full: bool) -> tuple:
    """Everything the public HTML is made of; a write to the card bumps its version."""
    # Only the card's page says who posted it and until when it stays (a date shows its year only
    # when it is not this year's).
    page = (card.author.display_name, utcnow().year) if full else None
    return card.id, card.version, locale, full, card.building.name, page


def list_key(card_id: int, version: int, building_name: str | None, locale: str) -> tuple:
    """key() of a card as a board lists it, from a row of the board's narrow statement (no card loaded)."""
    return card_id, version, locale, False, building_name, None


def _public(card: Card, full: bool, locale: str) -> str:
    """The public part with its time slot still empty: from the cache, or rendered and kept."""
    cache_ = cache()
    k = key(card, locale, full)
    html = cache_.get(k)
    if html is None:
        template = current_app.jinja_env.get_template(TEMPLATE)
        html = template.render(
            card=card, full=full,
            status_label=lambda status: labels.STATUS_LABELS.get(status, status),
            category_labels=labels.CATEGORY_LABELS, tag_labels=labels.TAG_LABELS,
        )
        cache_.put(k, html)
    return html


def _with_time(html: str, card: Card, locale: str) -> Markup:
    return Markup(html.replace(AGO_SLOT, str(escape(ago(card.created_at, locale))), 1))


def render(card: Card, full: bool = False) -> Markup:
    """The card's public part, from the cache when this version was drawn before in this language."""
    locale = str(get_locale())
    return _with_time(_public(card, bool(full), locale), card, locale)


def _article(card: Card, locale: str) -> str:
    """The whole of cards/_card.html as a board lists it (nothing of the viewer's there: no buttons, no
    doors), its time slot still empty, kept per card version and language."""
    articles = app_cache("card_articles")
    k = key(card, locale, False)
    html = articles.get(k)
    if html is None:
        template = current_app.jinja_env.get_template("cards/_card.html")
        html = template.render(card=card, public_card=lambda card_, full=False: Markup(_public(card_, False, locale)))
        articles.put(k, html)
    return html


def on_board(card: Card) -> Markup:
    """One card as a board lists it (the live stream's new card, a card's board fragment)."""
    locale = str(get_locale())
    return _with_time(_article(card, locale), card, locale)


def board_list(rows, building_names: dict[int, str]) -> Markup:
    """A page of the board (rows of service.BOARD_ROW) as its cards' HTML, with each card's time filled in.

    The page is kept whole, keyed by which cards at which versions in which buildings and language:
    a board drawn before is one lookup, not 50 (and no card loaded as an object). What changes a card
    bumps its version; what changes the page (a card posted, taken, expired, moved up) changes the
    rows. On a miss, cards drawn before for another page come from `_article`'s cache, and only the
    others are loaded, in one statement.
    """
    if not rows:
        return Markup("")
    locale = str(get_locale())
    page_key = (locale, tuple(tuple(row) for row in rows), tuple(sorted(building_names.items())))
    lists = app_cache("board_lists", size=current_app.config.get("BOARD_LIST_CACHE_SIZE", 200))
    pieces = lists.get(page_key)
    if pieces is None:
        pieces, shown = _draw_list(rows, building_names, locale)
        if shown is not rows:  # a card changed or went since the rows were read: drawn as it is, not kept
            return _fill(pieces, shown, locale)
        lists.put(page_key, pieces)
    return _fill(pieces, rows, locale)


def _fill(pieces: tuple[str, ...], rows, locale: str) -> Markup:
    """pieces: the HTML around each card's time slot, one more than the rows; each row's time goes between."""
    out = [pieces[0]]
    now = utcnow()
    for row, after in zip(rows, pieces[1:]):
        out.append(str(escape(ago(row.created_at, locale, now))))
        out.append(after)
    return Markup("".join(out))


def _draw_list(rows, building_names: dict[int, str], locale: str):
    """The page's HTML split around its time slots, and the rows it shows: `rows` itself, unless a card
    to be drawn changed or went since the rows were read (then it is drawn as it is now, or left out)."""
    articles_cache = app_cache("card_articles")
    articles = {row.id: articles_cache.get(list_key(row.id, row.version, building_names.get(row.building_id), locale))
                for row in rows}
    missing = {row.id: row.version for row in rows if articles[row.id] is None}
    cards = {}
    if missing:
        # Loaded only to be drawn; a card's building came with the resident (auth.sessions.load_user).
        cards = {card.id: card for card in db.session.scalars(
            select(Card).where(Card.id.in_(list(missing))).options(lazyload(Card.author), lazyload(Card.building))
        )}
    for card_id in missing:
        if card_id in cards:
            articles[card_id] = _article(cards[card_id], locale)
    unchanged = all(card_id in cards and cards[card_id].version == version for card_id, version in missing.items())
    shown = rows if unchanged else [row for row in rows if articles[row.id] is not None]
    pieces = tuple("\n".join(articles[row.id] for row in shown).split(AGO_SLOT))
    if len(pieces) != len(shown) + 1:
        raise AssertionError("each board card holds exactly one time slot (templates/cards/_card_public.html)")
    return pieces, shown
