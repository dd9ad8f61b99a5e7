"""As few round trips to PostgreSQL per request as its work needs.

A board page ran six: the pool's liveness ping, BEGIN, its three statements, COMMIT. Under
bench/load.py every round trip costs both the worker and the server a wake-up, so half of them were
spent on bookkeeping. Two rules remove those three:

- a connection is pinged on checkout only when it has lain unused for DB_PING_IDLE_SECONDS. One in
  use a moment ago is only asked, without a round trip, whether the server has said goodbye on it
  (a restart or a killed backend sends a last message and closes the socket): such a one is
  replaced. If the database goes away in the middle of a request, its statement fails, the request
  gets the friendly 503 (board.errors), and SQLAlchemy marks every connection of the pool older than
  that failure for replacement, so no request after a restart meets a dead one;
- a GET reads outside a transaction (autocommit): PostgreSQL's READ COMMITTED gives each statement
  its own snapshot inside a transaction anyway, so its reads see the same. The first statement that
  writes or locks rows begins a transaction before it runs, so a page that writes (rarely) still
  commits all of it or nothing: the commit and the rollback of the request work as before.
"""
import time

import psycopg
from flask import Flask, request
from psycopg.pq import ConnStatus, TransactionStatus
from sqlalchemy import event, exc

from board import admission
from board.extensions import db, is_read

# A read that takes row locks must hold them until its transaction ends: never outside one.
_LOCKING = (" FOR UPDATE", " FOR NO KEY UPDATE", " FOR SHARE", " FOR KEY SHARE")
READ_METHODS = ("GET", "HEAD")
NO_DATABASE = {"static"}


def _read_outside_a_transaction() -> None:
    # Not when the session is already in a transaction (a test's, sharing the app context): its
    # connection is taken and would stay as it is.
    if request.method in READ_METHODS and request.endpoint not in NO_DATABASE and not db.session().in_transaction():
        db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _begin_before_a_write(conn, cursor, statement, _parameters, _context, _executemany) -> None:
    dbapi_connection = cursor.connection
    if not dbapi_connection.autocommit or dbapi_connection.info.transaction_status != TransactionStatus.IDLE:
        return
    if not is_read(statement) or any(lock in statement for lock in _LOCKING):
        dbapi_connection.execute("BEGIN")


def _watch_pool(engine, ping_idle_seconds: float) -> None:
    @event.listens_for(engine, "checkin")
    def _note_idle(_dbapi_connection, record):
        record.info["idle_since"] = time.monotonic()

    @event.listens_for(engine, "checkout")
    def _ping_if_idle(dbapi_connection, record, _proxy):
        idle_since = record.info.get("idle_since")
        if idle_since is None:
            return  # new
        try:
            if time.monotonic() - idle_since >= ping_idle_seconds:
                gone = not engine.dialect.do_ping(dbapi_connection)
            else:
                gone = _closed_by_the_server(dbapi_connection)
        except Exception as error:  # noqa: BLE001 - any failure: this connection is gone
            raise exc.DisconnectionError() from error
        if gone:  # the pool throws this connection away and hands out a fresh one
            raise exc.DisconnectionError()


def _closed_by_the_server(dbapi_connection) -> bool:
    """Read what has already arrived on the socket, never waiting: a server that ended this
    connection has said so and closed it."""
    pgconn = getattr(dbapi_connection, "pgconn", None)
    if pgconn is None:
        return False  # SQLite: a file, nobody to close it
    try:
        # The first read takes the server's last message, the second meets the closed socket.
        pgconn.consume_input()
        pgconn.consume_input()
    except psycopg.OperationalError:
        return True
    return pgconn.status != ConnStatus.OK


class CursorDescribedOnce(psycopg.Cursor):
    """A cursor that describes the columns of a statement's result once per process, not on every run.

    SQLAlchemy reads `cursor.description` after every statement, and psycopg builds a Column object
    for each column each time: on a card page, 152 of them for its three statements, about an eighth
    of the page's CPU (cProfile, README "Pages under the production server"). The app's statements
    are few and fixed, and the same statement text always returns the same columns, so the first
    description of each is kept and handed out again (Column objects hold no reference to a cursor).
    """

    @property
    def description(self):
        query = getattr(self, "_last_query", None)  # the statement as sent (psycopg's own); else as psycopg does
        result = self.pgresult
        if query is None or result is None:
            return super().description
        key = (query, result.nfields)
        described = _DESCRIPTIONS.get(key)
        if described is None:
            described = super().description
            if described is not None:
                if len(_DESCRIPTIONS) >= DESCRIPTIONS_KEPT:
                    _DESCRIPTIONS.clear()  # never reached by the app's own statements; a bound all the same
                _DESCRIPTIONS[key] = described
        return described


DESCRIPTIONS_KEPT = 5000
_DESCRIPTIONS: dict[tuple, list] = {}


def _describe_once(dbapi_connection, _record) -> None:
    dbapi_connection.cursor_factory = CursorDescribedOnce


def init_app(app: Flask) -> None:
    with app.app_context():
        engine = db.engine
    _watch_pool(engine, float(app.config["DB_PING_IDLE_SECONDS"]))
    if engine.dialect.name != "postgresql":
        return  # SQLite: a local file, no round trips to save
    event.listen(engine, "connect", _describe_once)
    event.listen(engine, "before_cursor_execute", _begin_before_a_write)
    # Right after the admission check: a refused request opens no connection at all, and nothing
    # before this one may have begun a transaction.
    funcs = app.before_request_funcs.setdefault(None, [])
    funcs.insert(funcs.index(admission.admit) + 1 if admission.admit in funcs else 0, _read_outside_a_transaction)
