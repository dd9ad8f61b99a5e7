"""The board with 100,000 cards: how long the board's queries and a whole board page take.

    .venv/bin/python bench/board.py [--cards 100000] [--runs 30] [--database-url URL]

The URL defaults to the test PostgreSQL database on 127.0.0.1 (`postgresql+psycopg://postgres@127.0.0.1:5432/test`);
the benchmark works in a schema of its own and drops it at the end. `--database-url sqlite` uses a
temporary SQLite file instead. Prints one Markdown table: p50 and p95 in milliseconds over the runs.
"""
from __future__ import annotations

import argparse
import os
import random
import statistics
import sys
import tempfile
import time
import uuid
from datetime import timedelta

sys.path.insert(0, os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

from sqlalchemy import create_engine, func, insert, select, text  # noqa: E402
from sqlalchemy.engine import make_url  # noqa: E402

from board import create_app  # noqa: E402
from board.auth.service import register  # noqa: E402
from board.cards.service import BoardFilters, board_page  # noqa: E402
from board.extensions import db  # noqa: E402
from board.models import Building, Card, CardStatus, Community, Role, utcnow  # noqa: E402

DEFAULT_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/test"
PASSWORD = "bench-password"
WORDS = (
    "ibuprofen paracetamol antigen tests cold granules rice oil flour eggs milk noodles masks thermometer "
    "vegetables bok choy potatoes baby formula diapers cough syrup chocolate butter bread water batteries "
    "errand pharmacy phone call company walk dog groceries parcel pick up garbage elderly neighbour child"
).split()
CATEGORIES = ("medicine", "food", "supplies", "errand", "care", "other")


def isolated_url(url: str, tmp: str) -> tuple[str, callable]:
    """A database of the benchmark's own, and how to remove it afterwards."""
    if url.startswith("sqlite"):
        path = os.path.join(tmp, "bench.sqlite3")
        return f"sqlite:///{path}", lambda: None
    schema = f"bench_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))

    def drop():
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()

    return make_url(url).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(hide_password=False), drop


def seed(n_cards: int, rng: random.Random) -> tuple[list[Community], list]:
    """3 communities × 4 buildings, 10 residents each, then the cards in one executemany per 10,000."""
    communities, residents = [], []
    for c in range(3):
        community = Community(name=f"Bench Garden {c}", slug=f"bench-{c}", invite_code=f"BENCH{c:03d}")
        community.buildings = [Building(name=f"Building {b}") for b in range(1, 5)]
        db.session.add(community)
        db.session.commit()
        communities.append(community)
        for r in range(10):
            residents.append(register(
                display_name=f"Resident {c}-{r}", login=f"bench{c}r{r}", password=PASSWORD, community=community,
                building=community.buildings[r % 4], unit=f"{r + 1}01", role=Role.COORDINATOR if r == 0 else Role.RESIDENT,
            ))
    now = utcnow()
    statuses = [CardStatus.OPEN.value] * 8 + [CardStatus.WITHDRAWN.value, CardStatus.RECEIVED.value]
    rows = []
    for i in range(n_cards):
        author = residents[i % len(residents)]
        membership = author.membership
        kind = "need" if rng.random() < 0.55 else "offer"
        urgent = rng.random() < 0.1
        pregnant, child, elderly = (rng.random() < 0.05 for _ in range(3))
        created = now - timedelta(seconds=rng.randrange(0, 10 * 24 * 3600))
        rows.append({
            "community_id": membership.community_id, "building_id": membership.building_id, "author_id": author.id,
            "kind": kind, "category": rng.choice(CATEGORIES),
            "title": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(2, 6))),
            "details": " ".join(rng.choice(WORDS) for _ in range(rng.randrange(5, 25))),
            "quantity": rng.choice([None, 1, 2, 5]), "unit": "", "urgency": "urgent" if urgent else "normal",
            "for_pregnant": pregnant, "for_child": child, "for_elderly": elderly, "sealed": rng.random() < 0.3,
            "status": rng.choice(statuses), "priority": (2 if urgent else 0) + (1 if pregnant or child or elderly else 0),
            "created_at": created, "updated_at": created,
            "expires_at": created + timedelta(days=3 if kind == "need" else 7),
        })
        if len(rows) == 10_000:
            db.session.execute(insert(Card), rows)
            rows = []
    if rows:
        db.session.execute(insert(Card), rows)
    db.session.commit()
    db.session.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have them in production
    db.session.commit()
    return communities, residents


def timed(fn, runs: int) -> tuple[float, float, int]:
    """p50 and p95 in ms over `runs` calls (after one warm-up), and what the call returned."""
    result = fn()
    samples = []
    for _ in range(runs):
        db.session.expunge_all()  # every run builds its objects anew, as a request would
        start = time.perf_counter()
        result = fn()
        samples.append((time.perf_counter() - start) * 1000)
    samples.sort()
    p95 = samples[min(len(samples) - 1, int(round(0.95 * (len(samples) - 1))))]
    return statistics.median(samples), p95, result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    parser.add_argument("--database-url", default=os.environ.get("BOARD_BENCH_DATABASE_URL", DEFAULT_URL))
    parser.add_argument("--seed", type=int, default=3)
    args = parser.parse_args()

    tmp = tempfile.mkdtemp(prefix="doorstep-bench-")
    url, drop = isolated_url(args.database_url, tmp)
    app = create_app({
        "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "bench-only", "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024, "RATELIMIT_ENABLED": False,
    }, instance_path=os.path.join(tmp, "instance"))
    try:
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            communities, residents = seed(args.cards, random.Random(args.seed))
            seeded = time.perf_counter() - start
            community = communities[0]
            open_now = db.session.scalar(select(func.count(Card.id)).where(
                Card.community_id == community.id, Card.status == "open", Card.expires_at > utcnow()))
            building_id = community.buildings[1].id

            def page(filters=BoardFilters(), cursor=None):
                return lambda: len(board_page(community.id, filters, cursor)[0])

            cursor = None
            for _ in range(49):
                _cards, cursor = board_page(community.id, BoardFilters(), cursor)
            if cursor is None:
                sys.exit(f"fewer than 50 pages of open cards ({open_now}); use more --cards")
            measurements = [
                ("first page", page()),
                ("page 50 (keyset cursor)", page(cursor=cursor)),
                ("needs only", page(BoardFilters(kind="need"))),
                ("offers only", page(BoardFilters(kind="offer"))),
                ("category: medicine", page(BoardFilters(category="medicine"))),
                ("one building", page(BoardFilters(building_id=building_id))),
                ("urgent only", page(BoardFilters(urgent_only=True))),
                ("all filters together", page(BoardFilters(kind="offer", category="medicine", building_id=building_id, urgent_only=True))),
                ("text search: ibuprofen", page(BoardFilters(text="ibuprofen"))),
                ("text search, no match", page(BoardFilters(text="no such word anywhere"))),
            ]
            client = app.test_client()
            assert client.post("/login", data={"login": residents[1].login, "password": PASSWORD}).status_code == 302

            def get(path, **headers):
                def call():
                    response = client.get(path, headers=headers)
                    assert response.status_code == 200, response.status_code
                    return len(response.data)
                return call

            pages = [
                ("whole board page (test client)", get("/")),
                ("htmx list fragment, offers", get("/?kind=offer", **{"HX-Request": "true", "HX-Target": "card-list"})),
                ("whole page, text search", get("/?q=ibuprofen")),
            ]
            rows = []
            for name, fn in measurements:
                p50, p95, n = timed(fn, args.runs)
                rows.append((name, p50, p95, f"{n} cards"))
            for name, fn in pages:
                p50, p95, size = timed(fn, args.runs)
                rows.append((name, p50, p95, f"{size / 1024:.1f} kB"))
            db.session.remove()
            dialect = db.engine.dialect.name
            db.engine.dispose()

        print(f"\nBoard queries with {args.cards:,} cards on {dialect} ({len(communities)} communities; "
              f"{open_now:,} open on the measured community's board); seeded in {seeded:.1f} s; {args.runs} runs each\n")
        print("| measurement | p50 ms | p95 ms | result |")
        print("|---|---:|---:|---|")
        for name, p50, p95, result in rows:
            print(f"| {name} | {p50:.1f} | {p95:.1f} | {result} |")
    finally:
        drop()


if __name__ == "__main__":
    main()
