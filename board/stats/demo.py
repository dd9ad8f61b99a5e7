"""A week of the demo community's activity, so that its numbers page shows charts from the first visit.

Everything goes through the services (posting, "I can help", the doorstep, confirming, asking for an offer), as
residents would; then each card's moments are spread over the past seven days (posted, matched some minutes or
hours later, left, confirmed), and the numbers are counted again from the log with those times.
"""
from __future__ import annotations

import random
from datetime import datetime, timedelta

from sqlalchemy import select, update

from board.cards import handoffs
from board.cards.service import post_card
from board.extensions import db
from board.models import Card, Event, Handoff, User, utcnow
from board.stats import keeping

NEEDS = [
    # title, category
    ("Paracetamol for a fever", "medicine"),
    ("Vegetables for two days", "food"),
    ("Eggs and milk", "food"),
    ("Masks for my father", "supplies"),
    ("Cough syrup", "medicine"),
    ("Bread for breakfast", "food"),
]
OFFERS = [("Spare masks, sealed", "supplies"), ("Home-made dumplings", "food")]
# (author, helper) pairs: every building asks and helps, some more than others.
PAIRS = [("lina", "zhou"), ("zhao", "wu"), ("mei", "chen"), ("gao", "zhou"), ("tang", "he"), ("sun", "wu"),
         ("wang", "mei"), ("chen", "lina"), ("he", "sun"), ("zhou", "tang"), ("lina", "chen"), ("gao", "wu")]


def seed(users: dict[str, User], community_id: int) -> None:
    """About three needs met a day for the past week, an offer given every other day, then count them."""
    rng = random.Random(14)
    now = utcnow().replace(microsecond=0)
    for days_ago in range(6, -1, -1):
        for n in range(2 + (days_ago % 3)):
            author, helper = PAIRS[(days_ago * 3 + n) % len(PAIRS)]
            title, category = NEEDS[(days_ago + n) % len(NEEDS)]
            card = post_card(users[author], kind="need", category=category, title=title, details="", urgency="normal")
            h = handoffs.offer_help(card, users[helper])
            if n % 2 == 0:
                handoffs.leave_at_door(h, users[helper], note="")
                handoffs.move(db.session.get(Handoff, h.id), "confirm_received", users[author])
            else:
                handoffs.move(h, "receive_in_person", users[author])
            # At most 12½ hours from posting to receipt, so everything is over before now.
            posted = now - timedelta(days=days_ago, hours=13, minutes=rng.randint(0, 600))
            _spread(card, posted, [rng.randint(8, 240), rng.randint(20, 180), rng.randint(10, 300)])
        if days_ago % 2 == 0:
            title, category = OFFERS[days_ago // 2 % len(OFFERS)]
            giver = PAIRS[days_ago][1]
            offer = post_card(users[giver], kind="offer", category=category, title=title, details="", quantity=2,
                              urgency="normal")
            for asker in [u for u in ("gao", "lina", "zhao") if u != giver][:2]:
                handoffs.move(handoffs.ask(offer, users[asker], 1), "receive_in_person", users[asker])
            _spread(offer, now - timedelta(days=days_ago, hours=9), [rng.randint(30, 200), 0, rng.randint(30, 200)])
    _box_week(users, community_id, now, rng)
    db.session.commit()
    keeping.rebuild(community_id)


def _box_week(users: dict[str, User], community_id: int, now: datetime, rng: random.Random) -> None:
    """Takes from the medicine box and the love corner on earlier days (board/box/demo.py stocked them)."""
    from board.box import service as box
    from board.box.models import Item, RegisterLine

    items = {name: item_id for item_id, name in db.session.execute(
        select(Item.id, Item.name).where(Item.community_id == community_id)).all()}
    takes = [(5, "zhao", "挂面 Noodles"), (4, "gao", "大米 Rice, 5 kg"), (3, "mei", "抗原检测 Antigen tests"),
             (2, "he", "挂面 Noodles"), (1, "tang", "食用油 Cooking oil")]
    for days_ago, login, name in takes:
        if name not in items:
            continue
        line = box.take(users[login], items[name], 1)
        when = now - timedelta(days=days_ago, hours=rng.randint(1, 10))
        db.session.execute(update(RegisterLine).where(RegisterLine.id == line.id).values(created_at=when))
        newest = db.session.scalar(select(Event.id).where(Event.community_id == community_id, Event.kind == "box.take")
                                   .order_by(Event.id.desc()).limit(1))
        db.session.execute(update(Event).where(Event.id == newest).values(created_at=when))
        db.session.commit()


def _spread(card: Card, posted: datetime, gaps: list[int]) -> None:
    """Give a finished card its moments: posted, then each handoff matched, left and received `gaps` minutes apart."""
    matched = posted + timedelta(minutes=gaps[0])
    left = matched + timedelta(minutes=gaps[1])
    received = left + timedelta(minutes=gaps[2])
    at = {"card.posted": posted, "handoff.match": matched, "handoff.ask": matched, "handoff.accept": matched,
          "handoff.leave_at_door": left}
    for event_id, kind in db.session.execute(select(Event.id, Event.kind).where(Event.card_id == card.id)).all():
        db.session.execute(update(Event).where(Event.id == event_id).values(created_at=at.get(kind, received)))
    db.session.execute(update(Card).where(Card.id == card.id).values(
        created_at=posted, updated_at=received, expires_at=posted + timedelta(days=3)))
    db.session.execute(update(Handoff).where(Handoff.card_id == card.id).values(
        created_at=matched, matched_at=matched, due_at=matched + timedelta(hours=24), updated_at=received,
        left_at=None if gaps[1] == 0 else left, received_at=received))
    db.session.commit()
