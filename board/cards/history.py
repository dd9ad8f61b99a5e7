"""A card's history (its timeline of moves), drawn once per (card state, language) and shared by
everyone who may read it.

Who may read it is the viewer's question (policy.may_see_history); what it says is the same for all
of them: names and moves, never a door or a note. So its HTML is kept per process like a card's
public part (board.cache), keyed by everything its lines are made of: the card's version and each
handoff's (every move in it changes one of them), the names of the people in it (a renamed or erased
resident reads differently), the language and the year (a date shows its year only when it is not
this one). A history with a line by anyone else (a coordinator's move) is drawn but not kept, since
their name is not in the key. A hit costs no statement: the card page reads the event log only when
the card changed since this process last drew it.
"""
from __future__ import annotations

from flask import current_app
from flask_babel import get_locale
from markupsafe import Markup

from board import policy
from board.cache import app_cache
from board.cards.handoffs import timeline_rows
from board.cards.labels import event_label
from board.models import Card, Handoff, User, utcnow

TEMPLATE = "cards/_timeline.html"


def key(card: Card, handoffs: list[Handoff], locale: str) -> tuple:
    people = ((card.author_id, card.author.display_name),) + tuple(
        (h.id, h.version, h.giver_id, h.giver.display_name if h.giver else "",
         h.receiver_id, h.receiver.display_name if h.receiver else "")
        for h in handoffs
    )
    return card.id, card.version, people, locale, utcnow().year


def history(card: Card, viewer: User, handoffs: list[Handoff]) -> Markup:
    """The card's history for `viewer`: empty unless they may read it (its poster, the people in its
    handoffs, its household, coordinators)."""
    if not viewer.is_authenticated or not policy.may_see_history(viewer, card, handoffs):
        return Markup("")
    locale = str(get_locale())
    cache = app_cache("card_histories")
    k = key(card, handoffs, locale)
    html = cache.get(k)
    if html is None:
        rows = timeline_rows(card)
        html = current_app.jinja_env.get_template(TEMPLATE).render(events=rows, event_label=event_label)
        known = {card.author_id} | {h.giver_id for h in handoffs} | {h.receiver_id for h in handoffs}
        if all(row.actor_id is None or row.actor_id in known for row in rows):
            cache.put(k, html)
    return Markup(html)
