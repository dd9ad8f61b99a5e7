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

from board.cache import LRUCache, app_cache
from board.cards import labels
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


def on_board(card: Card) -> Markup:
    """A card as a board lists it: the whole of cards/_card.html, which holds nothing of the viewer's
    there (no buttons, no doors), kept as a whole so that a board of 50 cards is 50 lookups."""
    locale = str(get_locale())
    articles = app_cache("card_articles")
    k = key(card, locale, False)
    html = articles.get(k)
    if html is None:
        template = current_app.jinja_env.get_template("cards/_card.html")
        html = template.render(card=card, public_card=lambda card_, full=False: Markup(_public(card_, False, locale)))
        articles.put(k, html)
    return _with_time(html, card, locale)
