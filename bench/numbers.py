"""The numbers page over a year of a 2,000-household compound's events, on PostgreSQL.

    .venv/bin/python bench/numbers.py [--households 2000] [--days 365] [--runs 30] [--database-url URL]

Creates a database of its own next to the URL's (default the test server on 127.0.0.1; dropped at the end),
seeds one community of 20 buildings and N households (one in seven with someone over 80) and a year of their
events through bulk inserts: needs posted, matched, left at the door, confirmed (one in six closed unconfirmed),
offers given twice each, a sixth of the needs as errands, box takes and gifts, and check-ins of the elders'
homes twice a week. Then it counts the whole log once (`board.stats.keeping.rebuild`, timed) and measures,
through the Flask test client as a logged-in resident: the numbers page for each period, and in the same run two
references, the cheapest page of the app (the offline page) and the board. It also times one need's whole
handoff through the transition table with the numbers kept and without (the cost of keeping them as events
arrive). Prints the load average before and after: the machine is shared.
"""
from __future__ import annotations

import os
import sys

# This file is named as the stdlib's `numbers` (which `statistics` and `decimal` import): run as a script, its
# own folder must not be on the path, the checkout is.
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, os.path.dirname(HERE))
sys.modules.pop("numbers", None)

import argparse  # noqa: E402
import random  # noqa: E402
import statistics  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from datetime import timedelta  # noqa: E402

from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, insert, select, text, update  # noqa: E402

from bench import _seed  # noqa: E402
from bench._server import create_database, drop_database  # noqa: E402
from board import create_app  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import Card, Event, Person, utcnow  # noqa: E402
from board.stats import keeping  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password"
CATEGORIES = ("medicine", "food", "supplies", "errand", "care", "other")
CHUNK = 10_000


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def timed(fn, runs: int) -> tuple[float, float]:
    fn()
    samples = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    return statistics.median(samples), samples[min(len(samples) - 1, round(0.95 * (len(samples) - 1)))]


class Writer:
    """Events in executemany chunks."""

    def __init__(self, community_id: int) -> None:
        self.community_id, self.rows, self.count = community_id, [], 0

    def add(self, kind, when, card_id=None, actor_id=None, from_status=None, **data) -> None:
        self.rows.append({"community_id": self.community_id, "card_id": card_id, "actor_id": actor_id, "kind": kind,
                          "from_status": from_status, "to_status": None, "data": data, "created_at": when})
        if len(self.rows) >= CHUNK:
            self.flush()

    def flush(self) -> None:
        if self.rows:
            db.session.execute(insert(Event), self.rows)
            self.count += len(self.rows)
            self.rows = []


def seed(args, rng: random.Random, errands: Table):
    place = _seed.community("Bench Garden", "bench", "BENCH001", 20)
    ids = _seed.residents(place, args.households, PASSWORD)
    db.session.commit()
    members = db.session.execute(select(Person.user_id, Person.household_id).where(Person.community_id == place.id)
                                 .order_by(Person.id)).all()
    homes = {uid: home for uid, home in members}
    elders = [home for n, (_, home) in enumerate(members) if n % 7 == 0]
    db.session.execute(update(Person).where(Person.household_id.in_(elders)).values(age_group="over_80"))
    building_of = dict(db.session.execute(text(
        "SELECT id, building_id FROM households WHERE community_id = :c"), {"c": place.id}).all())
    now = utcnow()
    start = now - timedelta(days=args.days)
    volunteers = ids[: max(10, len(ids) // 20)]

    def moment(day: float) -> object:
        return start + timedelta(days=day)

    # Cards: a need per household every two weeks, an offer per household every ten weeks.
    cards = []
    for uid in ids:
        for _ in range(args.days // 14):
            cards.append(("need", uid, rng.uniform(0, args.days)))
        for _ in range(args.days // 70):
            cards.append(("offer", uid, rng.uniform(0, args.days)))
    rows = []
    for kind, uid, day in cards:
        when = moment(day)
        rows.append({"community_id": place.id, "building_id": building_of[homes[uid]], "author_id": uid,
                     "household_id": homes[uid], "kind": kind, "category": rng.choice(CATEGORIES), "title": "bench",
                     "details": "", "unit": "", "urgency": "normal", "for_pregnant": False, "for_child": False,
                     "for_elderly": False, "sealed": False, "first_come": True, "status": "received", "priority": 0,
                     "quantity": 2 if kind == "offer" else None, "quantity_left": 0 if kind == "offer" else None,
                     "created_at": when, "updated_at": when, "expires_at": when + timedelta(days=3), "version": 1})
    for i in range(0, len(rows), CHUNK):
        db.session.execute(insert(Card), rows[i:i + CHUNK])
    card_ids = db.session.scalars(select(Card.id).where(Card.community_id == place.id).order_by(Card.id)).all()
    events = Writer(place.id)
    errand_rows = []
    for card_id, (kind, uid, day) in zip(card_ids, cards):
        posted = moment(day)
        events.add("card.posted", posted, card_id, uid, to_status="open")
        if kind == "need":
            giver = rng.choice(volunteers)
            matched = posted + timedelta(minutes=rng.lognormvariate(4, 1.2))
            left = matched + timedelta(minutes=rng.uniform(10, 240))
            events.add("handoff.match", matched, card_id, giver, giver_id=giver, receiver_id=uid)
            events.add("handoff.leave_at_door", left, card_id, giver, "matched", giver_id=giver, receiver_id=uid)
            if rng.random() < 1 / 6:
                events.add("handoff.close_unconfirmed", left + timedelta(hours=60), card_id, None, "left_at_door",
                           giver_id=giver, receiver_id=uid)
            else:
                events.add("handoff.confirm_received", left + timedelta(minutes=rng.uniform(5, 300)), card_id, uid,
                           "left_at_door", giver_id=giver, receiver_id=uid)
            if rng.random() < 1 / 6:
                errand_rows.append({"card_id": card_id, "community_id": place.id})
        else:
            for share in range(2):
                asker = rng.choice(ids)
                asked = posted + timedelta(hours=rng.uniform(0.2, 30))
                events.add("handoff.ask", asked, card_id, asker, giver_id=uid, receiver_id=asker)
                events.add("handoff.accept", asked, card_id, uid, "asked", giver_id=uid, receiver_id=asker)
                events.add("handoff.receive_in_person", asked + timedelta(hours=3), card_id, asker, "matched",
                           giver_id=uid, receiver_id=asker)
    for _ in range(len(ids) * 10):  # box: takes, deliveries, gifts checked in, gifts only offered
        kind = rng.choice(("box.take", "box.take", "box.take", "box.delivered", "box.checkin", "box.gift_offered"))
        events.add(kind, moment(rng.uniform(0, args.days)), None, rng.choice(ids), item_id=1, shelf_id=1, quantity=3,
                   available=3)
    for home in elders:  # check-ins twice a week
        for week in range(args.days // 7):
            for call in range(2):
                caller = rng.choice(volunteers)
                outcome = rng.choice(("reached", "reached", "visited", "no_answer", "message"))
                events.add("roster.call_logged", moment(week * 7 + call * 3 + rng.random()), None, caller,
                           household_id=home, outcome=outcome, wellbeing="same", caller_id=caller)
    events.flush()
    for i in range(0, len(errand_rows), CHUNK):
        db.session.execute(errands.insert(), errand_rows[i:i + CHUNK])
    db.session.commit()
    db.session.execute(text("ANALYZE"))
    db.session.commit()
    return place, ids, len(card_ids), events.count, len(errand_rows)


def handoff_time(app, place, ids, runs: int) -> float:
    """p50 ms of one need's match, leave at the door and confirm through the transition table."""
    from board.cards import handoffs
    from board.cards.service import post_card
    from board.models import Handoff, User

    author, helper = db.session.get(User, ids[1]), db.session.get(User, ids[2])
    samples = []
    for _ in range(runs):
        card = post_card(author, kind="need", category="food", title="bench", details="", urgency="normal")
        start = time.perf_counter()
        h = handoffs.offer_help(card, helper)
        handoffs.leave_at_door(h, helper, note="")
        handoffs.move(db.session.get(Handoff, h.id), "confirm_received", author)
        samples.append((time.perf_counter() - start) * 1000)
    return statistics.median(samples)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--households", type=int, default=2000)
    parser.add_argument("--days", type=int, default=365)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BOARD_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=14)
    args = parser.parse_args()
    print(f"load average before: {load()}", flush=True)
    name, url = create_database(args.database_url, "doorstep_numbers")
    tmp = tempfile.mkdtemp(prefix="doorstep-numbers-")
    app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only", "WTF_CSRF_ENABLED": False,
                      "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "RATELIMIT_ENABLED": False},
                     instance_path=os.path.join(tmp, "instance"))
    # The errands domain's table as the numbers see it (card_id, community_id), whether or not it is installed.
    metadata = MetaData()
    Table("cards", metadata, Column("id", Integer, primary_key=True))
    errands = Table("bench_errands", metadata, Column("card_id", Integer, ForeignKey("cards.id")),
                    Column("community_id", Integer))
    keeping._errands_table = lambda: errands
    try:
        with app.app_context():
            db.create_all()
            errands.create(db.engine)
            started = time.perf_counter()
            place, ids, cards, count, n_errands = seed(args, random.Random(args.seed), errands)
            print(f"seeded {args.households} households, {cards} cards ({n_errands} errands), {count} events "
                  f"over {args.days} days in {time.perf_counter() - started:.1f} s", flush=True)
            started = time.perf_counter()
            keeping.rebuild(place.id)
            rows = db.session.scalar(text("SELECT count(*) FROM stats_counts"))
            print(f"rebuild: counted the whole log in {time.perf_counter() - started:.1f} s -> {rows} count rows",
                  flush=True)
            db.session.execute(text("ANALYZE"))
            db.session.commit()
            client = app.test_client()
            login = client.post("/login", data={"login": "r5", "password": PASSWORD})
            assert login.status_code == 302, login.status_code
            print("\n| page | p50 ms | p95 ms | bytes |\n|---|---:|---:|---:|")
            pages = [("offline page (reference)", "/offline"), ("board (reference)", "/")]
            pages += [(f"numbers: {p}", f"/numbers/?period={p}") for p in ("week", "month", "all")]
            pages.append(("numbers CSV (coordinators; as a resident: 403)", "/numbers/numbers.csv"))
            for label, path in pages:
                response = client.get(path)
                assert response.status_code in (200, 403), (path, response.status_code)
                p50, p95 = timed(lambda: client.get(path), args.runs)
                print(f"| {label} | {p50:.1f} | {p95:.1f} | {len(response.data):,} |", flush=True)
            kept = handoff_time(app, place, ids, max(5, args.runs // 3))
            from board.events import event_recorded

            event_recorded.disconnect(keeping.on_event, sender=app)
            bare = handoff_time(app, place, ids, max(5, args.runs // 3))
            print(f"\none need matched, left at the door and confirmed: {kept:.1f} ms with the numbers kept, "
                  f"{bare:.1f} ms without")
            db.session.remove()
            db.engine.dispose()
    finally:
        drop_database(args.database_url, name)
    print(f"load average after: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
