"""Fixtures: a fresh database per test (SQLite by default, PostgreSQL with BOARD_DATABASE_URL)."""
import os
import time
import uuid
from contextlib import contextmanager

import pytest
from flask import g
from hypothesis import HealthCheck, settings
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import OperationalError

from board import create_app
from board.extensions import db, limiter
from tests import factories

# Property-based tests (tests/test_junk.py): "ci" is bounded so that each database pass stays within a few
# minutes and sends the same examples every run; "thorough" explores (HYPOTHESIS_PROFILE=thorough).
_HYPOTHESIS = {"deadline": None, "suppress_health_check": [HealthCheck.function_scoped_fixture, HealthCheck.too_slow,
                                                          HealthCheck.data_too_large], "database": None}
settings.register_profile("ci", max_examples=12, derandomize=True, **_HYPOTHESIS)
settings.register_profile("thorough", max_examples=300, **_HYPOTHESIS)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

BASE_URL = os.environ.get("BOARD_DATABASE_URL", "")
ON_POSTGRES = BASE_URL.startswith("postgresql")


def pytest_collection_modifyitems(config, items):
    """Race tests prove locking on PostgreSQL; on SQLite they say why they did not run."""
    if ON_POSTGRES:
        return
    skip = pytest.mark.skip(reason="race tests run against PostgreSQL (make test-postgres)")
    for item in items:
        if "race" in item.keywords:
            item.add_marker(skip)


@contextmanager
def counting_statements():
    """The SQL statements sent to the database meanwhile (SQLAlchemy's before_cursor_execute)."""
    statements = []

    def count(conn, cursor, statement, parameters, context, executemany):
        statements.append(statement)

    event.listen(db.engine, "before_cursor_execute", count)
    try:
        yield statements
    finally:
        event.remove(db.engine, "before_cursor_execute", count)


@contextmanager
def postgres_schema(prefix: str, base_url: str | None = None):
    """A PostgreSQL schema of our own, dropped afterwards; yields a URL whose search_path is it."""
    base_url = base_url or BASE_URL
    schema = f"{prefix}_{os.getpid()}_{uuid.uuid4().hex[:8]}"
    admin = create_engine(base_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE SCHEMA "{schema}"'))
    try:
        url = make_url(base_url).update_query_dict({"options": f"-csearch_path={schema}"})
        yield url.render_as_string(hide_password=False)
    finally:
        with admin.connect() as conn:
            conn.execute(text(f'DROP SCHEMA "{schema}" CASCADE'))
        admin.dispose()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory):
    """One schema (PostgreSQL) or file (SQLite) per test run, so parallel runs never collide."""
    if not ON_POSTGRES:
        yield f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
        return
    with postgres_schema("test") as url:
        yield url


@pytest.fixture(scope="session")
def _schema(database_url):
    """Create the tables once; each test then empties them (far faster than creating them again)."""
    app = create_app(make_test_config(database_url))
    with app.app_context():
        db.create_all()
        db.engine.dispose()
    return database_url


def make_test_config(database_url: str, **overrides) -> dict:
    config = {
        "TESTING": True,
        "SECRET_KEY": "test-only-secret",
        "SQLALCHEMY_DATABASE_URI": database_url,
        "WTF_CSRF_ENABLED": False,
        "ARGON2_TIME_COST": 1,
        "ARGON2_MEMORY_COST": 1024,
        "RATELIMIT_STORAGE_URI": "memory://",
    }
    config.update(overrides)
    return config


def empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    if db.engine.dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        # A live server's last request (a browser test's) can still hold a table the TRUNCATE
        # needs: PostgreSQL then ends one of the two as a deadlock. Try again once it has ended.
        for attempt in range(10):
            try:
                db.session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
                break
            except OperationalError:
                db.session.rollback()
                if attempt == 9:
                    raise
                time.sleep(0.2 * (attempt + 1))
    else:
        for table in tables:
            db.session.execute(table.delete())
    db.session.commit()


@pytest.fixture
def app_config():
    """Override in a test module (or parametrize) to change settings for its app."""
    return {}


def _fresh_g() -> None:
    """Give each request an empty `g`, as production does.

    The fixture keeps an app context pushed so tests can use the models; Flask then reuses that
    context for requests, and `g` (Flask-Login's cached user, Babel's cached locale) would leak
    from one request, or one resident's client, into the next.
    """
    for name in list(vars(g)):
        delattr(g, name)


@pytest.fixture
def app(_schema, app_config, tmp_path):
    # Its own instance folder: a developer's instance/config.py never leaks into the tests.
    app = create_app(make_test_config(_schema, **app_config), instance_path=str(tmp_path / "instance"))
    app.before_request_funcs.setdefault(None, []).insert(0, _fresh_g)
    with app.app_context():
        limiter.reset()
        yield app
        app.extensions["live"].stop()  # the live broker's LISTEN thread (PostgreSQL) ends with its app
        db.session.remove()
        empty_all_tables()
        db.session.remove()
        db.engine.dispose()


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def make_client(app):
    """A second (third…) browser: each resident gets their own cookie jar."""
    return app.test_client


@pytest.fixture
def community(app):
    return factories.community()


@pytest.fixture
def other_community(app):
    return factories.community(name="Other Garden", slug="other", invite_code="OTHER123")


@pytest.fixture
def resident(community):
    return factories.user(community, login="lina", display_name="Li Na", unit="502")


@pytest.fixture
def neighbour(community):
    return factories.user(community, login="chen", display_name="Dr Chen", building=1, unit="1201")


@pytest.fixture
def coordinator(community):
    return factories.user(community, login="wang", display_name="Wang", unit="101", role="coordinator")


@pytest.fixture
def stranger(other_community):
    return factories.user(other_community, login="stranger", display_name="Stranger", unit="999")


def log_in(client, user, password=factories.PASSWORD):
    response = client.post("/login", data={"login": user.login, "password": password})
    assert response.status_code == 302, response.get_data(as_text=True)
    return client


@pytest.fixture
def login():
    """login(client, user): log that client in as that user."""
    return log_in
