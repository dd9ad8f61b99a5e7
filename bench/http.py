"""Pages under the production server, measured with wrk against a bare Flask + Jinja page.

    .venv/bin/python bench/http.py            # or: make bench-http

Creates a PostgreSQL database of its own, seeds one community with 2,000 open cards and a card with
a history (matched, left at the door, received, thanked), starts the board under gunicorn with
board/gunicorn_conf.py (gevent, 2 workers, 50 cards a page) and the bare page of bench/_bare.py the
same way, logs one resident in over HTTP, and measures with wrk, alternating in each round: the bare
page, the logged-in board and the card's page (its author's view, with the handoff and the history).
Prints req/s and latency for each page in each round, each page's ratio to the bare page of the
same round, the medians over the rounds, and the load average (what else was running) before and
after. wrk comes from Debian: `apt-get install -y wrk`.
"""
from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
# This file is called http.py: its folder must not shadow the standard library's http package.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != HERE]
sys.path.insert(0, ROOT)

import argparse  # noqa: E402
import http.cookiejar  # noqa: E402
import re  # noqa: E402
import secrets  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import urllib.parse  # noqa: E402
import urllib.request  # noqa: E402
from datetime import timedelta  # noqa: E402
from statistics import median  # noqa: E402

from bench import _seed  # noqa: E402
from bench._server import create_database, drop_database, free_port, start_server, stop_server  # noqa: E402

USER_AGENT = "doorstep-bench/1"
PASSWORD = "bench-password"
# wrk prints its latency distribution; this adds the 95th percentile and the error counts on one line.
REPORT = """
done = function(summary, latency, requests)
  io.write(string.format("REPORT %d %d %d %d %d %d %d\\n", summary.requests, latency:percentile(50),
    latency:percentile(95), latency:percentile(99), summary.errors.connect + summary.errors.read +
    summary.errors.write + summary.errors.timeout, summary.errors.status, summary.duration))
end
"""


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--cards", type=int, default=2000, help="open cards on the board (default 2000)")
    parser.add_argument("--page-size", type=int, default=50, help="cards a page (default 50)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds of bare, board, card (default 3)")
    parser.add_argument("--seconds", type=int, default=8, help="wrk duration per page and round (default 8)")
    parser.add_argument("--connections", type=int, default=16, help=(
        "wrk connections (default 16: fewer per worker than the requests it works on at once, DB_POOL_SIZE 10, "
        "so that this measures the pages, not the load shedding that bench/load.py measures)"))
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers per server (default 2)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="an administrative PostgreSQL URL; the benchmark creates and drops its own database there",
    )
    return parser.parse_args()


def seed(app, cards: int) -> tuple[str, int]:
    """One community, 3 buildings, 100 residents, `cards` open cards (bulk), and one card with a history."""
    from board.cards import transitions
    from board.cards.service import post_card
    from board.extensions import db
    from board.models import Card, User, utcnow

    with app.app_context(), app.test_request_context("/"):
        db.create_all()
        community = _seed.community("Bench Garden", "bench", "BENCH001", buildings=3)
        ids = _seed.residents(community, 100, PASSWORD)
        buildings = [b.id for b in community.buildings]
        now = utcnow()
        rows = []
        for n in range(cards):
            kind = ("need", "offer")[n % 2]
            urgent, child, elderly = n % 7 == 0, n % 5 == 0, n % 11 == 0
            rows.append({
                "community_id": community.id, "building_id": buildings[n % 3], "author_id": ids[n % len(ids)],
                "kind": kind, "category": ("medicine", "food", "supplies", "errand", "care", "other")[n % 6],
                "title": f"Card number {n}", "details": "Two boxes, sealed.", "quantity": 3 if kind == "offer" else None,
                "quantity_left": 3 if kind == "offer" else None, "unit": "box" if kind == "offer" else "",
                "urgency": "urgent" if urgent else "normal", "for_pregnant": False, "for_child": child,
                "for_elderly": elderly, "sealed": n % 3 == 0, "first_come": True, "status": "open",
                "priority": (2 if urgent else 0) + (1 if child or elderly else 0),
                "created_at": now - timedelta(minutes=n), "expires_at": now + timedelta(days=3),
                "updated_at": now, "version": 1,
            })
        db.session.execute(db.insert(Card), rows)
        db.session.commit()
        author, helper = db.session.get(User, ids[0]), db.session.get(User, ids[1])
        need = post_card(author, kind="need", category="medicine", title="Fever medicine for my son",
                         details="Children's ibuprofen, any brand.", urgency="urgent", for_child=True)
        handoff = transitions.start(need, "match", helper)
        transitions.apply_handoff(handoff, "leave_at_door", helper, note="White bag on the handle")
        transitions.apply_handoff(handoff, "confirm_received", author)
        transitions.apply_handoff(handoff, "thank", author, thanks="Thank you, kind neighbour!")
        return author.login, need.id


def log_in(base: str, login: str) -> str:
    """Log in over HTTP as a phone would; the Cookie header that keeps the session."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    opener.addheaders = [("User-Agent", USER_AGENT)]
    page = opener.open(base + "/login").read().decode()
    token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page).group(1)
    form = urllib.parse.urlencode({"csrf_token": token, "login": login, "password": PASSWORD}).encode()
    opener.open(base + "/login", data=form).read()
    return "; ".join(f"{c.name}={c.value}" for c in jar)


def fetch(url: str, cookie: str = "") -> str:
    request = urllib.request.Request(url, headers={"User-Agent": USER_AGENT, "Cookie": cookie})
    with urllib.request.urlopen(request) as response:
        return response.read().decode()


def wrk(url: str, seconds: int, connections: int, cookie: str, script: str) -> dict:
    command = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", script,
               "-H", f"User-Agent: {USER_AGENT}"]
    if cookie:
        command += ["-H", f"Cookie: {cookie}"]
    out = subprocess.run(command + [url], capture_output=True, text=True, check=True).stdout
    line = next(line for line in out.splitlines() if line.startswith("REPORT "))
    requests, p50, p95, p99, errors, bad_status, duration = (int(v) for v in line.split()[1:])
    # Only the pages served count: a busy answer (503) is quick and would flatter the figure.
    return {"rps": (requests - bad_status) / (duration / 1e6), "p50": p50 / 1000, "p95": p95 / 1000, "p99": p99 / 1000,
            "errors": errors, "bad_status": bad_status}


def load() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def busiest(ours: set[int]) -> str:
    """The processes using the most CPU right now that are not this benchmark's."""
    out = subprocess.run(["ps", "-eo", "pid,ppid,pcpu,comm", "--sort=-pcpu"], capture_output=True, text=True).stdout
    rows = []
    for line in out.splitlines()[1:]:
        pid, parent, cpu, command = line.split(None, 3)
        if int(pid) not in ours and int(parent) not in ours and command != "wrk" and float(cpu) >= 5:
            rows.append(f"{command} {cpu}%")
    return ", ".join(rows[:6]) or "nothing above 5 % CPU"


def main() -> int:
    args = parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("wrk is not installed: apt-get install -y wrk")
    from board import create_app

    secret = secrets.token_urlsafe(32)
    name, url = create_database(args.postgres, "doorstep_bench_http")
    board = bare = None
    board_log, bare_log = tempfile.TemporaryFile(), tempfile.TemporaryFile()
    script = tempfile.NamedTemporaryFile("w", suffix=".lua", delete=False)
    script.write(REPORT)
    script.close()
    try:
        app = create_app({"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret})
        login, card_id = seed(app, args.cards)
        board_port, bare_port = free_port(), free_port()
        env = dict(os.environ, BOARD_DATABASE_URL=url, BOARD_SECRET_KEY=secret,
                   BOARD_BOARD_PAGE_SIZE=str(args.page_size))
        board = start_server(board_port, args.workers, env, board_log)
        bare = start_server(bare_port, args.workers, dict(os.environ), bare_log, app="bench._bare:app", ready_path="/")
        base = f"http://127.0.0.1:{board_port}"
        cookie = log_in(base, login)
        pages = {
            "bare Flask + Jinja, 50 cards": (f"http://127.0.0.1:{bare_port}/", ""),
            f"board, logged in, {args.page_size} cards": (base + "/", cookie),
            "card page with its history": (base + f"/cards/{card_id}", cookie),
        }
        # What is measured is what a resident sees: the board's cards, the card's handoff and history.
        board_page, card_page = fetch(base + "/", cookie), fetch(base + f"/cards/{card_id}", cookie)
        shown = board_page.count('<article id="card-')
        if shown != args.page_size or "History" not in card_page or "Confirm received" in card_page \
                or "Thank you, kind neighbour!" not in card_page:
            raise SystemExit(f"not the pages to measure: {shown} cards on the board, card page:\n{card_page[-2000:]}")
        for target, cookie_ in pages.values():  # warm-up, not measured: templates compiled, caches filled
            wrk(target, 2, args.connections, cookie_, script.name)

        ours = {os.getpid(), board.pid, bare.pid}
        print(f"{args.cards:,} open cards, PostgreSQL database {name}, gunicorn gevent × {args.workers} per server, "
              f"wrk -t2 -c{args.connections} -d{args.seconds}s, {args.rounds} rounds")
        print(f"load average before: {load()}; busiest other processes: {busiest(ours)}")
        results: dict[str, list[dict]] = {page: [] for page in pages}
        for round_ in range(1, args.rounds + 1):
            for page, (target, cookie_) in pages.items():
                result = wrk(target, args.seconds, args.connections, cookie_, script.name)
                results[page].append(result)
            reference = results[next(iter(pages))][-1]["rps"]
            print(f"round {round_}: " + "; ".join(
                f"{page.split(',')[0]} {rows[-1]['rps']:.0f} req/s ({rows[-1]['rps'] / reference:.0%})"
                for page, rows in results.items()
            ) + f"; load average {load()}")
        print(f"load average after: {load()}; busiest other processes: {busiest(ours)}")
        print()
        print("| page | req/s | p50 ms | p95 ms | p99 ms | not 2xx | socket errors | of the bare page |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|")
        bare_rows = results[next(iter(pages))]
        ratios = {}
        for page, rows in results.items():
            ratios[page] = median(r["rps"] / b["rps"] for r, b in zip(rows, bare_rows))
            print(f"| {page} | {median(r['rps'] for r in rows):,.0f} | {median(r['p50'] for r in rows):.1f} | "
                  f"{median(r['p95'] for r in rows):.1f} | {median(r['p99'] for r in rows):.1f} | "
                  f"{sum(r['bad_status'] for r in rows)} | {sum(r['errors'] for r in rows)} | {ratios[page]:.0%} |")
        print()
        print("medians over the rounds; each ratio is the page's req/s over the bare page's in the same round;")
        print("not 2xx (the busy page, 503) and socket errors (wrk: connect, read, write, timeouts over 2 s) are")
        print("summed over the rounds")
        board_name, card_name = list(pages)[1:]
        met = ratios[board_name] >= 0.25 and ratios[card_name] >= 0.25
        print(f"target (board and card page >= 25 % of the bare page): {'met' if met else 'NOT met'}")
        return 0 if met else 1
    finally:
        stop_server(board)
        stop_server(bare)
        os.unlink(script.name)
        drop_database(args.postgres, name)


if __name__ == "__main__":
    sys.exit(main())
