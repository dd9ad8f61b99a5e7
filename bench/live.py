"""Live-update fan-out under the production server.

    .venv/bin/python bench/live.py --viewers 1000 --changes 20

Creates a PostgreSQL database of its own, seeds one community, starts gunicorn (gevent workers,
board/gunicorn_conf.py) on a free loopback port, holds N open /live/stream connections (raw sockets,
each logged in as its own resident, one in five reading Chinese), makes M changes through the
service layer (post a card, withdraw it, …), and measures for every change the time from its commit
to its arrival at every viewer. Prints p50/p95/max and the server's memory, then stops gunicorn and
drops the database.
"""
import os
import sys

# bench/http.py must not shadow the standard library's http package: drop this folder from the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

from gevent import monkey  # noqa: E402

monkey.patch_all()

import argparse  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import signal  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from statistics import quantiles  # noqa: E402

import gevent  # noqa: E402
import gevent.event  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench import _seed  # noqa: E402
from bench._server import create_database, drop_database, free_port, start_server  # noqa: E402

USER_AGENT = "doorstep-bench/1"
MESSAGE_ID = re.compile(rb"id: (\d+)\nevent: (\w+)")


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--viewers", type=int, default=1000, help="open streams (default 1000)")
    parser.add_argument("--changes", type=int, default=20, help="changes to make (default 20)")
    parser.add_argument("--interval", type=float, default=0.5, help="seconds between changes (default 0.5)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers (default 2)")
    parser.add_argument("--users", type=int, default=0, help="residents (default: one per viewer)")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="an administrative PostgreSQL URL; the benchmark creates and drops its own database there",
    )
    return parser.parse_args()


def seed(app, users: int):
    """One community, three buildings, `users` residents (inserted in bulk, one password hash for all)."""
    from board.extensions import db

    languages = app.config["LANGUAGES"]
    with app.app_context():
        db.create_all()
        place = _seed.community("Bench Garden", "bench", "BENCH001", buildings=3)
        ids = _seed.residents(place, users, "bench-password", locale_of=lambda n: (
            languages[1] if n % 5 == 4 and len(languages) > 1 else languages[0]))
        db.session.commit()
        return ids


def session_cookies(app, user_ids) -> dict[int, str]:
    """Signed session cookies with a live login session each, as a log-in would set them."""
    return _seed.session_cookies(app, user_ids, USER_AGENT)


def rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as f:
        for line in f:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def worker_pids(master: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as f:
                    if int(f.read().rsplit(")", 1)[1].split()[1]) == master:
                        pids.append(int(entry))
            except (OSError, IndexError, ValueError):
                continue
    return pids


class Viewer:
    """One open stream, read with a raw socket; remembers when each event id arrived."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.arrivals: dict[int, float] = {}
        self.hello = gevent.event.Event()
        self.sock = None

    def run(self):
        self.sock = socket.create_connection(("127.0.0.1", self.port))
        self.sock.sendall(
            f"GET /live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\n"
            f"Accept: text/event-stream\r\nCookie: session={self.cookie}\r\n\r\n".encode()
        )
        buffer = b""
        while True:
            chunk = self.sock.recv(65536)
            if not chunk:
                return
            now = time.time()
            buffer += chunk
            *messages, buffer = buffer.split(b"\n\n")
            for message in messages:
                match = MESSAGE_ID.search(message)
                if match is None:
                    continue
                if match.group(2) == b"hello":
                    self.hello.set()
                else:
                    self.arrivals.setdefault(int(match.group(1)), now)

    def close(self):
        if self.sock is not None:
            self.sock.close()


def make_changes(app, authors, count: int, interval: float) -> dict[int, float]:
    """Alternately post a card and withdraw it, through the service layer; commit time per event id."""
    from board.cards import service, transitions
    from board.extensions import db
    from board.models import Event, User

    commits = {}
    with app.app_context():
        card = None
        for n in range(count):
            author = db.session.get(User, authors[n % len(authors)])
            if card is None:
                card = service.post_card(author, kind="need", category="medicine", title=f"Bench need {n}",
                                         details="", urgency="normal")
                committed = time.time()
                event_id = db.session.scalar(db.select(db.func.max(Event.id)).where(Event.card_id == card.id))
            else:
                event = transitions.apply(card, "withdraw", db.session.get(User, card.author_id))
                committed = time.time()
                event_id = event.id
                card = None
            commits[event_id] = committed
            gevent.sleep(interval)
    return commits


def percentile(values, q: int) -> float:
    return quantiles(values, n=100, method="inclusive")[q - 1] if len(values) > 1 else values[0]


def main():
    args = parse_args()
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.viewers * 2 + 100 > hard:
        raise SystemExit(f"open-file limit {hard} is too low for {args.viewers} viewers")

    from board import create_app

    secret = secrets.token_urlsafe(32)
    name, url = create_database(args.postgres)
    server = None
    viewers, greenlets = [], []
    server_log = tempfile.TemporaryFile()  # gunicorn's own log; a pipe nobody reads would stall it
    try:
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "ARGON2_TIME_COST": 1, "ARGON2_MEMORY_COST": 1024}
        app = create_app(config)
        user_ids = seed(app, args.users or args.viewers)
        cookies = session_cookies(app, user_ids)
        port = free_port()
        env = dict(os.environ, BOARD_DATABASE_URL=url, BOARD_SECRET_KEY=secret)
        server = start_server(port, args.workers, env, server_log)
        baseline = sum(rss_mb(pid) for pid in worker_pids(server.pid))

        started = time.time()
        for n in range(args.viewers):
            viewer = Viewer(port, cookies[user_ids[n % len(user_ids)]])
            viewers.append(viewer)
            greenlets.append(gevent.spawn(viewer.run))
            if n % 50 == 49:
                gevent.sleep(0.02)  # a steady trickle, not a SYN flood
        for viewer in viewers:
            if not viewer.hello.wait(timeout=max(0.0, started + 120 - time.time())):
                raise SystemExit(f"only {sum(v.hello.is_set() for v in viewers)} of {args.viewers} streams opened")
        connected = time.time() - started
        gevent.sleep(1)

        make_changes(app, user_ids[:1], 2, args.interval)  # warm-up, not measured: templates compiled in each worker
        commits = make_changes(app, user_ids[: min(20, len(user_ids))], args.changes, args.interval)
        deadline = time.time() + 30
        while time.time() < deadline and not all(set(commits) <= set(v.arrivals) for v in viewers):
            gevent.sleep(0.1)

        latencies, missing = [], 0
        for event_id, committed in commits.items():
            for viewer in viewers:
                arrived = viewer.arrivals.get(event_id)
                if arrived is None:
                    missing += 1
                else:
                    latencies.append((arrived - committed) * 1000)
        workers = worker_pids(server.pid)
        worker_rss = [rss_mb(pid) for pid in workers]
        latencies.sort()
        delivered = len(latencies)
        expected = len(commits) * len(viewers)
        load = " ".join(f"{x:.1f}" for x in os.getloadavg())
        print(f"streams opened in {connected:.1f} s; server RSS before streams {baseline:.0f} MB; load average {load}")
        print()
        print("| viewers | changes | workers | p50 ms | p95 ms | max ms | delivered | server RSS MB (per worker) |")
        print("|---:|---:|---:|---:|---:|---:|---:|---|")
        print(
            f"| {args.viewers:,} | {len(commits)} | {len(workers)} | {percentile(latencies, 50):.0f} | "
            f"{percentile(latencies, 95):.0f} | {latencies[-1]:.0f} | {delivered:,}/{expected:,} | "
            f"{sum(worker_rss):.0f} ({', '.join(f'{r:.0f}' for r in worker_rss)}) |"
        )
        if missing:
            print(f"{missing} deliveries did not arrive within 30 s", file=sys.stderr)
            server_log.seek(0)
            sys.stderr.write(server_log.read().decode()[-3000:])
            return 1
        return 0
    finally:
        gevent.killall(greenlets)
        for viewer in viewers:
            viewer.close()
        if server is not None:
            server.send_signal(signal.SIGTERM)
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait()
        drop_database(args.postgres, name)


if __name__ == "__main__":
    sys.exit(main())
