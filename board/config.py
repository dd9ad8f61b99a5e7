"""Defaults for every setting; environment variables (BOARD_*) and instance/config.py override them."""
import os
import secrets
import tempfile
from datetime import timedelta


class Config:
    """Safe defaults: a local SQLite database in instance/, English and Chinese, strict cookies."""

    DATABASE_URL = None  # None means SQLite in the instance folder; BOARD_DATABASE_URL sets it
    SECRET_KEY = None  # None means: generated once into instance/secret_key
    SQLALCHEMY_ENGINE_OPTIONS = {}
    # A pooled connection unused this long is pinged before a request gets it: after a database
    # restart a quiet worker's dead connections are replaced, not handed out (board/connections.py).
    DB_PING_IDLE_SECONDS = 1.0
    # Each process's pool (merged into SQLALCHEMY_ENGINE_OPTIONS). A request holds a connection while
    # it runs, so the pool is also how many requests a worker works on at once; the others wait for
    # one at most DB_POOL_TIMEOUT seconds and then get the 503 page with Retry-After, never a long
    # wait ending in a 500. Budget: workers × (size + overflow + 1 LISTEN) below max_connections.
    DB_POOL_SIZE = 10
    DB_MAX_OVERFLOW = 5
    DB_POOL_TIMEOUT = 2
    RETRY_AFTER_SECONDS = 5  # the 503's Retry-After: busy, or the database restarting
    # Requests one process works on at once (board/admission.py); past it a request waits at most
    # ADMISSION_WAIT_SECONDS for a place, then gets the 503 page (at once when the line is plainly longer).
    # None: DB_POOL_SIZE; 0: no limit. The wait and a page's own time stay inside the 1 s a page may
    # take; at 0.5 s, 100 busy connections (bench/load.py) queued about 0.4 s and any hiccup shed 1-3 %.
    REQUESTS_IN_FLIGHT_LIMIT = None
    ADMISSION_WAIT_SECONDS = 0.8

    LANGUAGES = ["en", "zh_CN"]
    BABEL_DEFAULT_LOCALE = "en"
    BABEL_DEFAULT_TIMEZONE = "Asia/Shanghai"

    SESSION_COOKIE_HTTPONLY = True
    SESSION_COOKIE_SAMESITE = "Lax"
    SESSION_COOKIE_SECURE = False  # BOARD_SESSION_COOKIE_SECURE=true behind HTTPS
    REMEMBER_COOKIE_HTTPONLY = True
    REMEMBER_COOKIE_SAMESITE = "Lax"
    REMEMBER_COOKIE_DURATION = timedelta(days=30)

    # Room for a 10 MB doorstep photo plus the rest of the form.
    MAX_CONTENT_LENGTH = 11 * 1024 * 1024

    # How many reverse proxies (nginx…) stand in front and set X-Forwarded-For/-Proto; 0: none,
    # and forwarded headers are ignored so that nobody can fake their address.
    PROXY_COUNT = 0

    RATELIMIT_STORAGE_URI = "memory://"  # per process: use redis://127.0.0.1:6379 with several workers
    RATELIMIT_HEADERS_ENABLED = True
    LOGIN_RATE_LIMIT = "5 per minute"  # per address and login name
    LOGIN_ADDRESS_RATE_LIMIT = "20 per 10 minutes"  # failed log-ins per address, whatever the login name
    REGISTER_RATE_LIMIT = "10 per hour"  # registration forms sent per address (with a known invite code)
    INVITE_RATE_LIMIT = "10 per minute"  # wrong invite codes per address; the 429 page says "wait a minute"

    # Argon2 cost; tests lower it so that hundreds of accounts hash quickly.
    ARGON2_TIME_COST = 3
    ARGON2_MEMORY_COST = 65536

    BOARD_PAGE_SIZE = 20
    # Public card HTML kept per worker, by (card, version, language): about 2 kB each (board/cards/public.py).
    CARD_CACHE_SIZE = 5000
    # Whole board pages kept per worker, by (cards and versions shown, buildings, language): a page of 50
    # cards is about 50 kB, so 200 of them about 10 MB (board/cards/public.py: board_list).
    BOARD_LIST_CACHE_SIZE = 200
    NEED_DAYS_UP = 3
    OFFER_DAYS_UP = 7
    # A match not handed off (left at the door or received) in time goes back on the board.
    MATCH_TIMEOUT_URGENT_HOURS = 12
    MATCH_TIMEOUT_HOURS = 24
    # Left at the door and nobody confirmed: the receiver (and the poster) are reminded after this
    # long, and the system closes it as "left at the door, not confirmed" this long after the reminder.
    DOORSTEP_REMIND_HOURS = 12
    DOORSTEP_CLOSE_HOURS = 48
    PHOTO_MAX_BYTES = 10 * 1024 * 1024
    PHOTO_MAX_SIDE = 1600
    # Pixels a photo may declare, checked before decoding (board/photos.py): a baseline JPEG (what phone
    # cameras write) is decoded scaled down, so 40 MP stays small; PNG, WebP and progressive JPEG are
    # decoded whole, so they get less. tests/test_photo_memory.py measures an upload at each limit.
    PHOTO_MAX_PIXELS = 40_000_000
    PHOTO_MAX_PIXELS_FULL = 12_000_000
    # The medicine box and love corner (board/box).
    BOX_DAILY_LIMIT_DEFAULT = None  # units per household per item per day when an item sets none; None: no limit
    BOX_RESERVATION_HOURS = 24  # a delivery to the door nobody matched by then goes back into stock
    BOX_EXPIRING_DAYS = 30  # "expires soon" looks this far ahead
    BOX_REGISTER_PAGE_SIZE = 200  # lines on the register page; the CSV export has them all


def secret_key_from_instance(instance_path: str) -> str:
    """Read the instance's secret key, creating it once so that no default key is ever shared."""
    path = os.path.join(instance_path, "secret_key")
    key = _read_key(path)
    if key:
        return key
    # Workers starting together race here: each writes a whole key to a file of its own and links
    # it into place; the first link wins and everyone reads that key, never a half-written one.
    fd, temporary = tempfile.mkstemp(dir=instance_path, prefix=".secret_key.")
    try:
        with os.fdopen(fd, "w", encoding="ascii") as f:
            f.write(secrets.token_urlsafe(48))
        try:
            os.link(temporary, path)
        except FileExistsError:
            pass  # another worker was first: its key is the one
    finally:
        os.unlink(temporary)
    key = _read_key(path)
    if not key:
        raise RuntimeError(f"{path} is empty; delete it and start again to generate a new key")
    return key


def _read_key(path: str) -> str:
    try:
        with open(path, encoding="ascii") as f:
            return f.read().strip()
    except FileNotFoundError:
        return ""
