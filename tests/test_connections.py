"""As few round trips per request as the work needs (board/connections.py), and never a lost write."""
import time

import psycopg
import pytest
from flask import request
from psycopg.pq import TransactionStatus
from sqlalchemy import create_engine, event, text

from board import create_app
from board.cards.service import post_card
from board.extensions import db
from tests.conftest import BASE_URL, ON_POSTGRES, make_test_config

needs_postgres = pytest.mark.skipif(not ON_POSTGRES, reason="PostgreSQL's transactions (make test-postgres)")
ONE_CONNECTION = {"DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0}


@pytest.fixture
def statuses(app):
    """The server's transaction status after each statement the app runs."""
    seen = []

    def after(_conn, cursor, statement, _parameters, _context, _executemany):
        seen.append((statement.split()[0].upper(), cursor.connection.info.transaction_status))

    event.listen(db.engine, "after_cursor_execute", after)
    yield seen
    event.remove(db.engine, "after_cursor_execute", after)


@pytest.fixture
def scratch(app):
    """A table of its own for the writes of a test-only route."""
    db.session.execute(text("CREATE TABLE test_only_writes (n integer)"))
    db.session.commit()
    yield
    db.session.rollback()
    db.session.execute(text("DROP TABLE test_only_writes"))
    db.session.commit()


def written() -> list[int]:
    db.session.rollback()
    return list(db.session.scalars(text("SELECT n FROM test_only_writes ORDER BY n")))


@needs_postgres
def test_a_page_reads_outside_a_transaction(app, client, resident, login, statuses):
    """The board's three statements and nothing else: no BEGIN before them, no COMMIT after."""
    post_card(resident, kind="need", category="food", title="Rice for two", details="", urgency="normal")
    login(client, resident)
    db.session.remove()
    statuses.clear()
    assert client.get("/").status_code == 200
    assert statuses and all(status == TransactionStatus.IDLE for _, status in statuses), statuses


@needs_postgres
def test_a_form_sent_is_one_transaction_as_before(app, client, resident, login, statuses):
    login(client, resident)
    db.session.remove()
    statuses.clear()
    response = client.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice for two",
                                               "details": "", "urgency": "normal"})
    assert response.status_code == 302
    assert any(word == "INSERT" for word, _ in statuses)
    assert all(status == TransactionStatus.INTRANS for _, status in statuses), statuses


@needs_postgres
def test_a_read_request_that_writes_writes_everything_or_nothing(app, scratch):
    """The first write of a GET begins a transaction: a failure after two writes leaves neither."""

    @app.route("/test-only/write-twice")
    def write_twice():
        db.session.execute(text("INSERT INTO test_only_writes VALUES (1)"))
        db.session.execute(text("INSERT INTO test_only_writes VALUES (2)"))
        if request.args.get("fail"):
            raise RuntimeError("after two writes")
        db.session.commit()
        return "written"

    db.session.remove()  # the request gets a session of its own, as in production
    failed = app.test_client().get("/test-only/write-twice?fail=1")
    assert failed.status_code == 500
    assert written() == []
    db.session.remove()
    done = app.test_client().get("/test-only/write-twice")
    assert done.status_code == 200 and written() == [1, 2]


@needs_postgres
def test_a_read_that_locks_rows_holds_them_in_a_transaction(app, scratch):
    """SELECT … FOR UPDATE outside a transaction would let its lock go at once."""
    seen = {}

    @app.route("/test-only/lock")
    def lock():
        db.session.execute(text("SELECT n FROM test_only_writes FOR UPDATE"))
        seen["status"] = db.session.connection().connection.dbapi_connection.info.transaction_status
        return "locked"

    db.session.remove()
    assert app.test_client().get("/test-only/lock").status_code == 200
    assert seen["status"] == TransactionStatus.INTRANS


def _dropped_between_requests(tmp_path, schema, **config):
    """Two requests on a pool of one connection; between them its backend is ended, as a restart does."""
    app = create_app(make_test_config(schema, **ONE_CONNECTION, **config), instance_path=str(tmp_path / "instance"))
    killer = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")
    pids = []

    @app.route("/test-only/pid")
    def pid():
        pids.append(db.session.scalar(text("SELECT pg_backend_pid()")))
        return "ok"

    try:
        client = app.test_client()
        assert client.get("/test-only/pid").status_code == 200
        with killer.connect() as conn:
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pids[0]})
        return app, client, pids
    finally:
        killer.dispose()


@needs_postgres
def test_a_connection_the_server_ended_is_replaced_without_a_ping(tmp_path, _schema):
    """Used a moment ago, so not pinged: what the server sent before closing it is enough."""
    app, client, pids = _dropped_between_requests(tmp_path, _schema, DB_PING_IDLE_SECONDS=60)
    try:
        pings = []
        with app.app_context():
            engine = db.engine
        real_ping = engine.dialect.do_ping
        engine.dialect.do_ping = lambda connection: pings.append(1) or real_ping(connection)
        assert client.get("/test-only/pid").status_code == 200
        assert pids[1] != pids[0] and pings == []
    finally:
        with app.app_context():
            db.engine.dispose()


def test_a_connection_idle_past_the_ping_time_is_pinged_and_one_in_use_is_not(tmp_path, _schema):
    app = create_app(make_test_config(_schema, **ONE_CONNECTION, DB_PING_IDLE_SECONDS=0.2),
                     instance_path=str(tmp_path / "instance"))

    @app.route("/test-only/ok")
    def ok():
        db.session.scalar(text("SELECT 1"))
        return "ok"

    with app.app_context():
        engine = db.engine
    pings = []
    real_ping = engine.dialect.do_ping
    engine.dialect.do_ping = lambda connection: pings.append(1) or real_ping(connection)
    try:
        client = app.test_client()
        for _ in range(3):
            assert client.get("/test-only/ok").status_code == 200
        assert pings == []  # in use a moment ago: no round trip to ask
        time.sleep(0.3)
        assert client.get("/test-only/ok").status_code == 200
        assert pings == [1]
    finally:
        engine.dispose()


@needs_postgres
def test_a_statement_s_columns_are_described_once_per_process(app, client, resident, login, monkeypatch):
    """psycopg built a Column object per column of every result, each time (152 on a card page)."""
    import psycopg._column

    built = []
    real_init = psycopg._column.Column.__init__

    def counting_init(self, *args):
        built.append(1)
        real_init(self, *args)

    card_id = post_card(resident, kind="need", category="food", title="Rice for two", details="", urgency="normal").id
    login(client, resident)
    db.session.remove()
    assert client.get(f"/cards/{card_id}").status_code == 200
    monkeypatch.setattr(psycopg._column.Column, "__init__", counting_init)
    db.session.remove()
    assert client.get(f"/cards/{card_id}").status_code == 200
    assert built == []


@needs_postgres
def test_each_statement_keeps_its_own_description(app):
    with db.engine.connect() as conn:
        first = conn.execute(text("SELECT 1 AS alpha, 'x' AS beta"))
        assert list(first.keys()) == ["alpha", "beta"] and first.one() == (1, "x")
        second = conn.execute(text("SELECT 2 AS gamma"))
        assert list(second.keys()) == ["gamma"] and second.one() == (2,)
        again = conn.execute(text("SELECT 1 AS alpha, 'x' AS beta"))
        assert list(again.keys()) == ["alpha", "beta"]
        raw = conn.connection.dbapi_connection
        own = psycopg.Cursor(raw)  # psycopg's own cursor: the same description, built afresh
        own.execute("SELECT 1 AS alpha, 'x' AS beta")
        cached = raw.cursor()
        cached.execute("SELECT 1 AS alpha, 'x' AS beta")
        assert [(c.name, c.type_code) for c in cached.description] == [(c.name, c.type_code) for c in own.description]
