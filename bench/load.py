"""Hold the load: mixed traffic and 1,000 open live streams on the production server, with a PostgreSQL
restart in the middle.

    .venv/bin/python bench/load.py            # 100 connections, 1,000 streams, 60 s, restart at 20 s

WARNING: this restarts the machine's PostgreSQL cluster (`pg_ctlcluster --skip-systemctl-redirect
15 main restart`) in the middle of the run. Everything else using that server (other engineers'
test runs, CI) loses its connections for a few seconds: run it when nobody else is testing, never
from CI or a test. `--no-restart` runs the same load without the restart.

It creates a database of its own (doorstep_load_<pid>; never the shared `test` database), seeds one
community (1,100 residents, 300 open needs, 50 offers), logs every resident in through the app,
starts gunicorn with board/gunicorn_conf.py (2 gevent workers) on a free loopback port, opens the
streams (raw sockets that reconnect with Last-Event-ID as EventSource does, one in five reading
Chinese), and runs N closed-loop connections of mixed traffic (board, card pages, My activity, the
bell, posting a need, "I can help" on one), each connection one resident with keep-alive (after a
503 it waits Retry-After, as the 503 page does before it reloads itself). At
--restart-at seconds it restarts PostgreSQL; once PostgreSQL answers again it posts a marker card and
measures how many streams receive it and how fast (and the same for a marker card posted halfway to the
restart, to compare with: how long a card takes to reach the streams under this load with PostgreSQL up). It prints requests, 5xx, p50 and p95 before,
during and after the restart, then stops gunicorn and drops the database.
"""
import os
import sys

# bench/http.py must not shadow the standard library's http package: drop this folder from the path.
sys.path[:] = [p for p in sys.path if os.path.abspath(p or ".") != os.path.dirname(os.path.abspath(__file__))]

from gevent import monkey  # noqa: E402

monkey.patch_all()

import argparse  # noqa: E402
import http.client  # noqa: E402
import random  # noqa: E402
import re  # noqa: E402
import resource  # noqa: E402
import secrets  # noqa: E402
import socket  # noqa: E402
import subprocess  # noqa: E402
import tempfile  # noqa: E402
import time  # noqa: E402
from collections import Counter, defaultdict  # noqa: E402
from statistics import quantiles  # noqa: E402
from urllib.parse import urlencode  # noqa: E402

import gevent  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

from bench import _seed  # noqa: E402
from bench._server import create_database, drop_database  # noqa: E402
from deploy import stack  # noqa: E402

USER_AGENT = "doorstep-load/1"
PASSWORD = "load-bench-password"
MIX = "board=35,card=20,activity=15,bell=20,post=5,match=5"
CSRF = re.compile(r'"X-CSRFToken": "([^"]+)"')


def parse_args():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--connections", type=int, default=100, help="concurrent connections of mixed traffic (100)")
    parser.add_argument("--streams", type=int, default=1000, help="open live streams (1000)")
    parser.add_argument("--seconds", type=float, default=60, help="length of the load (60)")
    parser.add_argument("--restart-at", type=float, default=20, help="second at which PostgreSQL restarts (20)")
    parser.add_argument("--no-restart", action="store_true", help="the same load without restarting PostgreSQL")
    parser.add_argument("--cluster", default="15 main", help="pg_ctlcluster's version and name ('15 main')")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn gevent workers (2)")
    parser.add_argument("--rows", help="also write every request (start, kind, status, seconds) to this CSV file")
    parser.add_argument("--mix", default=MIX, help=f"request kinds and weights ({MIX})")
    parser.add_argument(
        "--postgres",
        default=os.environ.get("BENCH_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres"),
        help="an administrative PostgreSQL URL; the benchmark creates and drops its own database there",
    )
    return parser.parse_args()


def seed(app, residents: int) -> tuple[list[int], list[int], list[int]]:
    """One community, residents inserted in bulk (one password hash for all), open needs and offers."""
    from board.cards.service import post_card
    from board.extensions import db
    from board.models import User

    with app.app_context():
        db.create_all()
        place = _seed.community("Load Garden", "load", "LOAD0001", buildings=6)
        ids = _seed.residents(place, residents, PASSWORD, locale_of=lambda n: "zh_CN" if n % 5 == 4 else "en")
        db.session.commit()
        needs, offers = [], []
        for n in range(350):
            author = db.session.get(User, ids[(n * 7) % len(ids)])
            if n % 7 == 6:
                card = post_card(author, kind="offer", category="food", title=f"Spare rice, bag {n}",
                                 details="Sealed 5 kg bags; one per household.", urgency="normal", quantity=5, unit="bags")
                offers.append(card.id)
            else:
                card = post_card(author, kind="need", category="medicine", title=f"退烧药 for a child ({n})",
                                 details="Ibuprofen or paracetamol syrup; half a bottle is plenty.",
                                 urgency="urgent" if n % 5 == 0 else "normal")
                needs.append(card.id)
        return ids, needs, offers


def log_in_everyone(app, logins: list[str]) -> list[str]:
    """Each resident logged in through the app's own login form: one session cookie each."""
    cookies = []
    client_app = app
    for login in logins:
        client = client_app.test_client()
        response = client.post("/login", data={"login": login, "password": PASSWORD},
                               headers={"User-Agent": USER_AGENT}, environ_base={"REMOTE_ADDR": "127.0.0.1"})
        if response.status_code != 302:
            raise SystemExit(f"logging {login} in answered {response.status_code}")
        cookies.append(client.get_cookie("session").value)
    return cookies


class Recorder:
    """Every request: when it started, what it was, its status (0: no answer) and how long it took."""

    def __init__(self):
        self.rows: list[tuple[float, str, int, float]] = []

    def add(self, started: float, kind: str, status: int, seconds: float) -> None:
        self.rows.append((started, kind, status, seconds))


class Resident:
    """One closed-loop connection: one resident, keep-alive, the next request as soon as one answers."""

    def __init__(self, port: int, cookie: str, mix, needs: list[int], cards: list[int], recorder: Recorder, rng):
        self.port, self.cookie, self.mix = port, cookie, mix
        self.needs, self.cards, self.recorder, self.rng = needs, cards, recorder, rng
        self.conn = None
        self.token = None
        self.posted = 0
        self.retry_after = 5

    def _connection(self):
        if self.conn is None:
            self.conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        return self.conn

    def send(self, method: str, path: str, body: dict | None = None, headers: dict | None = None) -> tuple[int, bytes]:
        sent = {"User-Agent": USER_AGENT, "Cookie": f"session={self.cookie}", "Accept-Language": "en"}
        if body is not None:
            sent["Content-Type"] = "application/x-www-form-urlencoded"
            if self.token:
                sent["X-CSRFToken"] = self.token
        sent.update(headers or {})
        for attempt in (1, 2):
            reused = self.conn is not None
            try:
                conn = self._connection()
                conn.request(method, path, urlencode(body) if body is not None else None, sent)
                response = conn.getresponse()
                data = response.read()
                break
            except (OSError, http.client.HTTPException):
                if self.conn is not None:
                    self.conn.close()
                self.conn = None
                if not (reused and attempt == 1):  # a kept-alive connection the server closed: once more, as browsers do
                    return 0, b""
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            if name.strip() == "session" and value:
                self.cookie = value
        if response.status == 503 and (response.getheader("Retry-After") or "").isdigit():
            self.retry_after = int(response.getheader("Retry-After"))
        if response.getheader("Connection", "").lower() == "close":
            conn.close()
            self.conn = None
        return response.status, data

    def request(self, kind: str) -> tuple[str, str, dict | None, dict | None]:
        if kind == "board":
            return "GET", "/", None, None
        if kind == "card":
            return "GET", f"/cards/{self.rng.choice(self.cards)}", None, None
        if kind == "activity":
            return "GET", "/me/activity", None, None
        if kind == "bell":
            return "GET", "/notifications/bell", None, {"HX-Request": "true"}
        if kind == "post":
            self.posted += 1
            return "POST", "/cards/new", {"kind": "need", "category": "food", "title": f"Rice for two ({self.posted})",
                                          "urgency": "normal"}, None
        if kind == "match":
            card = self.needs.pop() if self.needs else self.rng.choice(self.cards)
            return "POST", f"/cards/{card}/help", {}, {"HX-Request": "true"}
        raise ValueError(kind)

    def run(self, until: float) -> None:
        kinds, weights = zip(*self.mix)
        while time.time() < until:
            if self.token is None:  # the page gives the CSRF token for the posts (htmx sends it as a header)
                started = time.time()
                status, data = self.send("GET", "/")
                self.recorder.add(started, "board", status, time.time() - started)
                found = CSRF.search(data.decode(errors="replace")) if status == 200 else None
                if found:
                    self.token = found.group(1)
                else:
                    gevent.sleep(self.retry_after if status == 503 else 0.5)
                continue
            kind = self.rng.choices(kinds, weights)[0]
            method, path, body, headers = self.request(kind)
            started = time.time()
            status, _data = self.send(method, path, body, headers)
            self.recorder.add(started, kind, status, time.time() - started)
            if status == 0:
                gevent.sleep(0.2)  # nothing answered: do not spin
            elif status == 503:
                gevent.sleep(self.retry_after)  # as the 503 page does: it reloads after Retry-After


class Viewer:
    """One open stream, read with a raw socket; reconnects after 2 s with Last-Event-ID, as EventSource does."""

    def __init__(self, port: int, cookie: str):
        self.port, self.cookie = port, cookie
        self.last_id = None
        self.hello_at = None
        self.events = 0
        self.connects = 0
        self.refused = Counter()
        self.markers: dict[bytes, float | None] = {}  # a marker card's title -> when this stream carried it
        self.sock = None

    def run(self, until: float) -> None:
        while time.time() < until:
            self.connects += 1
            try:
                self.read_one_stream(until)
            except OSError:
                pass
            gevent.sleep(2)  # the stream's retry: 2000 ms

    def read_one_stream(self, until: float) -> None:
        self.sock = socket.create_connection(("127.0.0.1", self.port), timeout=max(1, until - time.time()))
        resume = f"Last-Event-ID: {self.last_id}\r\n" if self.last_id is not None else ""
        self.sock.sendall(
            f"GET /live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {USER_AGENT}\r\n"
            f"Accept: text/event-stream\r\n{resume}Cookie: session={self.cookie}\r\n\r\n".encode()
        )
        buffer = b""
        head = None
        try:
            while time.time() < until:
                chunk = self.sock.recv(65536)
                if not chunk:
                    return
                buffer += chunk
                if head is None:
                    if b"\r\n\r\n" not in buffer:
                        continue
                    head, buffer = buffer.split(b"\r\n\r\n", 1)
                    status = int(head.split(b" ", 2)[1])
                    if status != 200:
                        self.refused[status] += 1
                        return
                for marker, seen in self.markers.items():
                    if seen is None and marker in buffer:
                        self.markers[marker] = time.time()
                cut = buffer.rfind(b"\n\n")
                if cut >= 0:
                    self.on_messages(buffer[:cut])
                    buffer = buffer[cut + 2:]
        finally:
            self.sock.close()

    def on_messages(self, block: bytes) -> None:
        """The complete messages that arrived, counted without parsing each one: this process shares
        the machine's two cores with the server, and a regular expression per message (12,000 a
        second) took CPU the workers then lacked."""
        hellos = block.count(b"\nevent: hello")
        if hellos:
            self.hello_at = self.hello_at or time.time()
        self.events += block.count(b"\nevent: ") - hellos
        # The last id seen, as EventSource keeps it for Last-Event-ID.
        start = block.rfind(b"\nid: ") + 1 or (0 if block.startswith(b"id: ") else -1)
        if start >= 0:
            end = block.find(b"\n", start)
            last = block[start + 4:end if end >= 0 else len(block)]
            if last.isdigit():
                self.last_id = int(last)

    def close(self):
        if self.sock is not None:
            self.sock.close()


def cpu_seconds(server_pid: int, database: str) -> dict[str, float]:
    """CPU time used so far by the gunicorn workers, PostgreSQL's backends for this database and this
    process (the load generator): seconds served per request is steadier from run to run than
    requests a second on a shared machine."""
    tick = os.sysconf("SC_CLK_TCK")
    used = Counter()
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat") as stat:
                fields = stat.read().rsplit(")", 1)[1].split()
            with open(f"/proc/{entry}/cmdline", "rb") as cmdline:
                command = cmdline.read().replace(b"\0", b" ")
        except OSError:
            continue
        ticks = int(fields[11]) + int(fields[12])
        if int(fields[1]) == server_pid:
            used["workers"] += ticks / tick
        elif command.startswith(b"postgres:") and f" {database} ".encode() in command:
            used["postgres"] += ticks / tick
    used["load generator"] = sum(os.times()[:2])
    return used


def reference_ms() -> float:
    """A fixed piece of pure Python, timed: how fast this machine's cores are at the moment (it differs
    from run to run here by as much as the code changes measured), to set beside the run's figures."""
    started = time.process_time()
    sum(n * n for n in range(3_000_000))
    return 1000 * (time.process_time() - started)


def percentile(values, q: int) -> float:
    if not values:
        return float("nan")
    if len(values) == 1:
        return values[0]
    return quantiles(values, n=100, method="inclusive")[q - 1]


def restart_postgres(cluster: str) -> tuple[float, float]:
    """Restart the cluster; returns (when the restart began, when PostgreSQL accepted a query again)."""
    import psycopg

    began = time.time()
    subprocess.run(["pg_ctlcluster", "--skip-systemctl-redirect", *cluster.split(), "restart"], check=True,
                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    while True:
        try:
            with psycopg.connect("host=127.0.0.1 user=postgres dbname=postgres connect_timeout=1") as conn:
                conn.execute("SELECT 1")
            return began, time.time()
        except psycopg.Error:
            gevent.sleep(0.05)


def post_marker(port: int, cookie: str, marker: str, recorder: Recorder, deadline: float) -> float | None:
    """Post one card through the app, retried until it is saved; returns when it was saved."""
    resident = Resident(port, cookie, [], [], [], recorder, random.Random(0))
    while time.time() < deadline:
        status, data = resident.send("GET", "/")
        found = CSRF.search(data.decode(errors="replace")) if status == 200 else None
        if found:
            resident.token = found.group(1)
            status, _ = resident.send("POST", "/cards/new", {"kind": "need", "category": "other", "title": marker,
                                                             "urgency": "normal"})
            if status == 302:
                return time.time()
        gevent.sleep(0.2)
    return None


def phase_rows(rows, phases):
    out = []
    for name, start, end in phases:
        chosen = [r for r in rows if start <= r[0] < end]
        latencies = sorted(r[3] * 1000 for r in chosen if r[2])
        statuses = Counter(r[2] for r in chosen)
        fivexx = sum(n for s, n in statuses.items() if s >= 500)
        out.append((name, end - start, len(chosen), fivexx, statuses.get(503, 0), statuses.get(500, 0),
                    statuses.get(0, 0), percentile(latencies, 50), percentile(latencies, 95),
                    latencies[-1] if latencies else float("nan")))
    return out


def main():
    args = parse_args()
    mix = [(kind, float(weight)) for kind, weight in (part.split("=") for part in args.mix.split(","))]
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    resource.setrlimit(resource.RLIMIT_NOFILE, (hard, hard))
    if args.streams + args.connections + 200 > hard:
        raise SystemExit(f"open-file limit {hard} is too low for {args.streams} streams")
    restart = not args.no_restart

    from board import create_app

    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    reference_before = reference_ms()
    secret = secrets.token_urlsafe(32)
    name, url = create_database(args.postgres, prefix="doorstep_load")
    server = None
    greenlets, viewers = [], []
    server_log = tempfile.NamedTemporaryFile(prefix="doorstep-load-", suffix=".log", delete=False)
    try:
        config = {"SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": secret, "ARGON2_TIME_COST": 1,
                  "ARGON2_MEMORY_COST": 1024, "RATELIMIT_ENABLED": False, "WTF_CSRF_ENABLED": False}
        app = create_app(config)
        residents = args.streams + args.connections + 1
        started_seed = time.time()
        ids, needs, offers = seed(app, residents)
        cookies = log_in_everyone(app, [f"r{n}" for n in range(residents)])
        with app.app_context():
            from sqlalchemy import text

            from board.extensions import db

            db.session.execute(text("ANALYZE"))  # fresh statistics, as autovacuum would have them in production
            db.session.commit()
            db.engine.dispose()
        app.extensions["live"].stop()
        seeded = time.time() - started_seed
        port = stack.free_port()
        env = dict(os.environ, BOARD_DATABASE_URL=url, BOARD_SECRET_KEY=secret,
                   BOARD_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
                   BOARD_RATELIMIT_KEY_PREFIX=f"doorstep-load-{os.getpid()}")
        server = stack.gunicorn(port, env, server_log.name, workers=args.workers)

        opened = time.time()
        horizon = opened + 600  # streams live until the end of the run (stopped below)
        for n in range(args.streams):
            viewer = Viewer(port, cookies[n])
            viewers.append(viewer)
            greenlets.append(gevent.spawn(viewer.run, horizon))
            if n % 50 == 49:
                gevent.sleep(0.05)  # a steady trickle, not a SYN flood
        while sum(v.hello_at is not None for v in viewers) < args.streams and time.time() < opened + 120:
            gevent.sleep(0.2)
        held = sum(v.hello_at is not None for v in viewers)
        stream_seconds = time.time() - opened

        recorder = Recorder()
        rng = random.Random(1)
        cards = needs + offers
        open_needs = list(needs)
        rng.shuffle(open_needs)
        t0 = time.time()
        cpu_before = cpu_seconds(server.pid, name)
        until = t0 + args.seconds
        loops = [gevent.spawn(Resident(port, cookies[args.streams + n], mix, open_needs, cards, recorder,
                                       random.Random(n)).run, until)
                 for n in range(args.connections)]
        began = back = marker_saved = None
        # A marker card halfway to the restart: how long the streams take to carry a card under this load
        # with PostgreSQL up, to compare the one after the restart with.
        early = f"Marker {secrets.token_hex(4)}"
        gevent.sleep(max(0, t0 + (args.restart_at if restart else args.seconds) / 2 - time.time()))
        for viewer in viewers:
            viewer.markers[early.encode()] = None
        early_saved = post_marker(port, cookies[-1], early, recorder, until)
        marker = f"Marker {secrets.token_hex(4)}"
        if restart:
            gevent.sleep(max(0, t0 + args.restart_at - time.time()))
            began, back = restart_postgres(args.cluster)
            for viewer in viewers:
                viewer.markers[marker.encode()] = None
            marker_saved = post_marker(port, cookies[-1], marker, recorder, until)
        gevent.joinall(loops)
        ended = time.time()
        cpu_after = cpu_seconds(server.pid, name)
        gevent.sleep(2)  # the last deliveries
        reference_after = reference_ms()
        load_after = " ".join(f"{x:.2f}" for x in os.getloadavg())

        rows = recorder.rows
        if args.rows:
            with open(args.rows, "w") as out:
                out.write("started,kind,status,seconds\n")
                out.writelines(f"{started - t0:.3f},{kind},{status},{seconds:.4f}\n" for started, kind, status, seconds in rows)
        if restart:
            phases = [("before", t0, began), ("during (restart until PostgreSQL answers)", began, back),
                      ("first 5 s after", back, back + 5), ("after (+5 s to the end)", back + 5, ended)]
        else:
            phases = []
        phases.append(("whole run", t0, ended + 1))
        print(f"seeded {residents:,} residents and 350 cards, logged everyone in: {seeded:.0f} s; "
              f"{held:,}/{args.streams:,} streams open in {stream_seconds:.1f} s")
        print(f"load average before {load_before}, after {load_after}; {args.connections} connections, "
              f"{args.workers} gunicorn workers, mix {args.mix}")
        print(f"reference (a fixed piece of Python in this process): {reference_before:.0f} ms before, "
              f"{reference_after:.0f} ms after the load")
        print()
        print("| phase | seconds | requests | 5xx | of which 503 | 500 | no answer | p50 ms | p95 ms | max ms |")
        print("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for phase in phase_rows(rows, phases):
            label, seconds, count, fivexx, s503, s500, none, p50, p95, top = phase
            print(f"| {label} | {seconds:.1f} | {count:,} | {fivexx} | {s503} | {s500} | {none} | "
                  f"{p50:.0f} | {p95:.0f} | {top:.0f} |")
        print()
        by_kind = defaultdict(list)
        statuses = defaultdict(Counter)
        for started, kind, status, seconds in rows:
            statuses[kind][status] += 1
            if status:
                by_kind[kind].append(seconds * 1000)
        answered = sum(1 for row in rows if row[2] and row[2] != 503)
        used = {part: cpu_after[part] - cpu_before[part] for part in cpu_after}
        print(f"answered (not 503): {answered:,}, {answered / (ended - t0):.0f} a second; CPU used during the load: "
              + ", ".join(f"{part} {seconds:.1f} s ({1000 * seconds / max(answered, 1):.1f} ms an answer)"
                          for part, seconds in used.items()))
        refused_ms = sorted(seconds * 1000 for _started, _kind, status, seconds in rows if status == 503)
        if refused_ms:  # past what the server can take the 503 should come at once, not after a long wait
            print(f"503 answers: {len(refused_ms):,}, in p50 {percentile(refused_ms, 50):.0f} ms, "
                  f"p95 {percentile(refused_ms, 95):.0f} ms, max {refused_ms[-1]:.0f} ms")
        print()
        print("| request | count | p50 ms | p95 ms | statuses |")
        print("|---|---:|---:|---:|---|")
        for kind in sorted(by_kind):
            values = sorted(by_kind[kind])
            shown = ", ".join(f"{s}: {n}" for s, n in sorted(statuses[kind].items()))
            print(f"| {kind} | {len(values):,} | {percentile(values, 50):.0f} | {percentile(values, 95):.0f} | {shown} |")
        print()
        refused = sum((v.refused for v in viewers), Counter())
        reconnects = sum(v.connects - 1 for v in viewers)
        print(f"streams: {held:,} opened, {reconnects:,} reconnects, refused {dict(refused) or 'none'}, "
              f"{sum(v.events for v in viewers):,} events received")
        if early_saved is None:
            print("the marker card before the restart could not be posted")
        else:
            arrivals = sorted(v.markers[early.encode()] - early_saved for v in viewers if v.markers.get(early.encode()))
            print(f"with PostgreSQL up ({early_saved - t0:.1f} s into the run): a card posted reached "
                  f"{len(arrivals):,}/{len(viewers):,} streams; p50 {percentile(arrivals, 50):.1f} s, "
                  f"p95 {percentile(arrivals, 95):.1f} s after it was saved")
        if restart:
            fives = sorted(r[0] for r in rows if r[2] >= 500)
            last = f"{fives[-1] - back:+.1f} s" if fives else "none"
            print(f"PostgreSQL restart: began at {began - t0:.1f} s, answered again after {back - began:.1f} s; "
                  f"last 5xx {last} from then")
            if marker_saved is None:
                print("the marker card could not be posted after the restart")
            else:
                seen = [v.markers[marker.encode()] for v in viewers if v.markers.get(marker.encode())]
                arrivals, since_saved = sorted(t - back for t in seen), sorted(t - marker_saved for t in seen)
                print(f"live stream resumed: the first card posted after the restart (saved {marker_saved - back:.1f} s "
                      f"after PostgreSQL answered) reached {len(arrivals):,}/{len(viewers):,} streams; "
                      f"p50 {percentile(arrivals, 50):.1f} s, p95 {percentile(arrivals, 95):.1f} s after PostgreSQL answered "
                      f"(p50 {percentile(since_saved, 50):.1f} s, p95 {percentile(since_saved, 95):.1f} s after it was saved)")
        return 0
    finally:
        for viewer in viewers:
            viewer.close()
        gevent.killall(greenlets, block=False)
        stack.stop(server, timeout=20)
        drop_database(args.postgres, name)
        print(f"(gunicorn's log: {server_log.name})", file=sys.stderr)


if __name__ == "__main__":
    sys.exit(main())
