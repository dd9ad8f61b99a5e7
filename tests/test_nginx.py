"""Production for real: Debian's nginx with deploy/nginx.conf in front of two gunicorn instances (two
ports, as two machines would be) sharing PostgreSQL. Runs on PostgreSQL in both passes of the suite
(PostgreSQL is always there); skips with a reason where nginx or PostgreSQL is missing.
"""
import gzip
import hashlib
import http.client
import os
import re
import socket
import time
import uuid
from urllib.parse import urlencode

import pytest
from sqlalchemy import create_engine, text

from board import create_app
from board.extensions import db
from deploy import stack
from tests import factories
from tests.conftest import BASE_URL, ON_POSTGRES, postgres_schema
from tests.conftest import make_test_config as config_for

POSTGRES_URL = BASE_URL if ON_POSTGRES else os.environ.get(
    "BOARD_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test")
PHONE = "Mozilla/5.0 (Linux; Android 13; Pixel 7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120 Mobile Safari/537.36"
FIRST_LOAD_LIMIT = 60 * 1024


def postgres_reachable() -> bool:
    engine = create_engine(POSTGRES_URL)
    try:
        with engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        return True
    except Exception:  # any failure to connect means: skip, with the reason
        return False
    finally:
        engine.dispose()


class Answer:
    def __init__(self, status, headers, raw: bytes, wire: int):
        self.status, self.headers, self.raw, self.wire = status, headers, raw, wire

    @property
    def text(self) -> str:
        body = gzip.decompress(self.raw) if self.headers.get("Content-Encoding") == "gzip" else self.raw
        return body.decode()


class Phone:
    """A phone's browser, reduced: its own cookies, gzip accepted, bytes on the wire counted (status
    line, headers, body as sent), redirects not followed. `source` is the address it connects from."""

    def __init__(self, port: int, source: str = "127.0.0.1"):
        self.port, self.source, self.cookies = port, source, {}

    def request(self, method: str, path: str, form: dict | None = None, headers: dict | None = None) -> Answer:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15, source_address=(self.source, 0))
        sent = {"User-Agent": PHONE, "Accept-Encoding": "gzip, deflate", "Accept-Language": "en"}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        body = None
        if form is not None:
            body = urlencode(form)
            sent["Content-Type"] = "application/x-www-form-urlencoded"
        sent.update(headers or {})
        try:
            conn.request(method, path, body, sent)
            response = conn.getresponse()
            raw = response.read()
        finally:
            conn.close()
        for cookie in response.headers.get_all("Set-Cookie") or []:
            name, _, value = cookie.split(";", 1)[0].partition("=")
            self.cookies[name.strip()] = value.strip()
        head = len(f"HTTP/1.1 {response.status} {response.reason}\r\n") + 2
        head += sum(len(k) + len(v) + 4 for k, v in response.headers.items())
        return Answer(response.status, response.headers, raw, head + len(raw))

    def get(self, path: str, **kwargs) -> Answer:
        return self.request("GET", path, **kwargs)

    def csrf(self, path: str) -> str:
        return re.search(r'name="csrf_token" value="([^"]+)"', self.get(path).text).group(1)

    def log_in(self, login: str) -> "Phone":
        answer = self.request("POST", "/login", {"login": login, "password": factories.PASSWORD, "csrf_token": self.csrf("/login")})
        assert answer.status == 302, answer.text
        return self


class Stream:
    """One /live/stream read from a raw socket through nginx, as EventSource would."""

    def __init__(self, port: int, cookies: dict):
        self.sock = socket.create_connection(("127.0.0.1", port), timeout=10)
        cookie = "; ".join(f"{k}={v}" for k, v in cookies.items())
        self.sock.sendall(
            f"GET /live/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: {PHONE}\r\nAccept: text/event-stream\r\n"
            f"Accept-Encoding: gzip\r\nCookie: {cookie}\r\n\r\n".encode()
        )
        self.buffer = b""
        self.read_until(b"\r\n\r\n", 10)
        self.head = self.buffer.split(b"\r\n\r\n", 1)[0].decode()
        self.upstream = re.search(r"(?im)^X-Test-Upstream: (\S+)", self.head).group(1)

    def read_until(self, needle: bytes, seconds: float) -> float:
        """Seconds until `needle` arrived (AssertionError after `seconds`)."""
        started = time.monotonic()
        while needle not in self.buffer:
            left = seconds - (time.monotonic() - started)
            if left <= 0:
                raise AssertionError(f"{needle!r} did not arrive within {seconds} s")
            self.sock.settimeout(left)
            try:
                chunk = self.sock.recv(65536)
            except socket.timeout:
                continue
            if not chunk:
                raise AssertionError(f"stream closed before {needle!r}")
            self.buffer += chunk
        return time.monotonic() - started

    def close(self):
        self.sock.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """nginx on a free port in front of two gunicorn instances (one gevent worker each) sharing one
    PostgreSQL schema; a community with two residents. Yields (nginx port, the instances' addresses, app)."""
    if stack.NGINX is None:
        pytest.skip("nginx is not installed (apt-get install -y nginx; .ci/run does)")
    if not postgres_reachable():
        pytest.skip(f"PostgreSQL is not reachable at {POSTGRES_URL}")
    prefix = str(tmp_path_factory.mktemp("nginx"))
    processes = []
    with postgres_schema("nginx", POSTGRES_URL) as url:
        app = create_app(config_for(url), instance_path=os.path.join(prefix, "instance"))
        with app.app_context():
            db.create_all()
            community = factories.community()
            factories.user(community, login="lina", display_name="Li Na", unit="502")
            factories.user(community, login="chen", display_name="Dr Chen", building=1, unit="1201")
            db.session.remove()
        env = dict(
            os.environ,
            BOARD_DATABASE_URL=url,
            BOARD_SECRET_KEY=uuid.uuid4().hex,  # the same on both, as on two machines of one site
            BOARD_PROXY_COUNT="1",
            BOARD_RATELIMIT_STORAGE_URI="redis://127.0.0.1:6379",
            BOARD_RATELIMIT_KEY_PREFIX=f"doorstep-nginx-test-{uuid.uuid4().hex[:8]}",
            BOARD_INVITE_RATE_LIMIT="3 per minute",
        )
        try:
            ports = [stack.free_port(), stack.free_port()]
            starting = [stack.gunicorn(port, env, os.path.join(prefix, f"gunicorn-{port}.log"), wait=False) for port in ports]
            processes.extend(starting)
            for port, process in zip(ports, starting):
                stack.wait_for(port, process, os.path.join(prefix, f"gunicorn-{port}.log"))
            apps = [f"127.0.0.1:{port}" for port in ports]
            nginx_port = stack.free_port()
            # Test-only, outside the tested site config: which instance answered each request.
            processes.append(stack.nginx(prefix, port=nginx_port, apps=apps,
                                         http_extra="    add_header X-Test-Upstream $upstream_addr always;"))
            yield nginx_port, apps, app
        finally:
            stack.stop(*reversed(processes))
            with app.app_context():
                db.engine.dispose()


def gzip_min_length() -> int:
    with open(os.path.join(os.path.dirname(os.path.dirname(__file__)), "deploy", "nginx.conf")) as f:
        return int(re.search(r"gzip_min_length (\d+);", f.read()).group(1))


def test_pages_and_static_files_are_gzipped(site):
    port, _apps, _app = site
    page = Phone(port).get("/login")
    assert page.status == 200 and page.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in page.headers.get("Vary", "")
    assets = re.findall(r'(?:src|href)="(/static/[^"]+\.(?:css|js))', page.text)
    gzipped = 0
    for asset in assets:
        answer = Phone(port).get(asset)
        assert answer.status == 200, asset
        size = len(Phone(port).get(asset, headers={"Accept-Encoding": "identity"}).raw)
        # nginx leaves files under its gzip_min_length (deploy/nginx.conf) as they are: too small to gain.
        if size >= gzip_min_length():
            assert answer.headers.get("Content-Encoding") == "gzip", asset
            gzipped += 1
    assert gzipped >= 2  # the stylesheet and htmx at least


def test_static_files_have_versioned_names_and_are_cached_for_ever(site):
    port, _apps, app = site
    page = Phone(port).get("/login").text
    assets = re.findall(r'(?:src|href)="(/static/[^"]+)"', page)
    assert assets
    for asset in assets:
        path, version = re.fullmatch(r"/static/([^?]+)\?v=([0-9a-f]{10})", asset).groups()
        with open(os.path.join(app.static_folder, path), "rb") as f:
            content = f.read()
        assert version == hashlib.sha256(content).hexdigest()[:10]
        answer = Phone(port).get(asset, headers={"Accept-Encoding": "identity"})
        assert answer.status == 200 and answer.raw == content, asset  # served by nginx from static/
        assert int(re.search(r"max-age=(\d+)", answer.headers["Cache-Control"]).group(1)) >= 365 * 24 * 3600
    plain = Phone(port).get("/static/css/board.css")
    assert int(re.search(r"max-age=(\d+)", plain.headers["Cache-Control"]).group(1)) <= 3600


def test_the_first_board_load_on_a_phone_is_at_most_60_kb(site, capsys):
    """All bytes on the wire of the board (a full page of cards) and its CSS, JavaScript and icon."""
    port, _apps, app = site
    with app.app_context():
        from board.models import User

        author = db.session.scalar(db.select(User).filter_by(login="lina"))
        for n in range(app.config["BOARD_PAGE_SIZE"]):
            factories.card(author, title=f"退烧药 for a child, number {n}", category="medicine",
                           details="Ibuprofen or paracetamol syrup for a four-year-old; half a bottle is plenty.")
        db.session.remove()
    phone = Phone(port).log_in("chen")
    board = phone.get("/")
    assert board.status == 200 and board.headers["Content-Encoding"] == "gzip"
    assert board.text.count('<article id="card-') == app.config["BOARD_PAGE_SIZE"]
    total, parts = board.wire, [("board", board.wire)]
    for asset in sorted(set(re.findall(r'(?:src|href)="(/static/[^"]+)"', board.text))):
        answer = phone.get(asset)
        assert answer.status == 200, asset
        total += answer.wire
        parts.append((asset.split("?")[0], answer.wire))
    with capsys.disabled():
        print(f"\nfirst board load through nginx: {total:,} bytes ({', '.join(f'{n} {b:,}' for n, b in parts)})")
    assert total <= FIRST_LOAD_LIMIT, parts


def test_a_change_through_one_instance_reaches_a_viewer_held_by_the_other_unbuffered(site):
    port, apps, _app = site
    viewer, author = Phone(port).log_in("chen"), Phone(port).log_in("lina")
    streams, held = [], {}
    try:
        for _ in range(8):  # nginx takes turns: a few streams reach both instances
            stream = Stream(port, viewer.cookies)
            streams.append(stream)
            assert stream.read_until(b"event: hello", 5) < 2, "the stream's first message was held back"
            held.setdefault(stream.upstream, stream)
            if len(held) == 2:
                break
        assert set(held) == set(apps), held
        token = author.csrf("/cards/new")
        title = f"Thermometer {uuid.uuid4().hex[:6]}"
        posted = author.request("POST", "/cards/new", {"kind": "need", "category": "medicine", "title": title,
                                                        "urgency": "normal", "csrf_token": token})
        assert posted.status == 302
        writer = posted.headers["X-Test-Upstream"]
        for upstream, stream in held.items():
            seconds = stream.read_until(title.encode(), 5)
            assert seconds < 2, f"{seconds:.1f} s to the stream on {upstream} (the change went through {writer})"
        assert any(upstream != writer for upstream in held)
    finally:
        for stream in streams:
            stream.close()


def test_x_forwarded_for_is_believed_from_nginx_only(site):
    """Wrong invite codes are limited per address (3 a minute here): a forged X-Forwarded-For does
    not buy more tries, and another address (nginx writes it) has its own."""
    port, _apps, _app = site
    for n in range(3):
        forged = {"X-Forwarded-For": f"10.0.0.{n}"}
        assert Phone(port).get("/register?code=WRONG999", headers=forged).status == 200
    assert Phone(port).get("/register?code=WRONG999", headers={"X-Forwarded-For": "10.9.9.9"}).status == 429
    assert Phone(port, source="127.0.0.2").get("/register?code=WRONG999").status == 200


def test_the_readme_recipe_is_the_tested_config():
    """No second copy of the config in the README to drift: it points at the file and its command."""
    with open(os.path.join(stack.ROOT, "README.md"), encoding="utf-8") as f:
        readme = f.read()
    recipe = readme.split("### Running it in production", 1)[1].split("\n## ", 1)[0]
    assert "deploy/nginx.conf" in recipe and "python -m deploy.nginx" in recipe
    assert "```nginx" not in recipe and "proxy_pass" not in recipe
    assert "BOARD_PROXY_COUNT=1" in recipe
