"""Extensions created bare; create_app() binds them with init_app()."""
import re
import sqlite3

from flask_babel import Babel
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from sqlalchemy import MetaData, event
from sqlalchemy.engine import Engine

# Named constraints, so that migrations can drop and alter them on every database.
naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

db = SQLAlchemy(metadata=MetaData(naming_convention=naming_convention))
migrate = Migrate(render_as_batch=True)
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address, default_limits=[])


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, _record):
    """WAL lets readers work while one neighbour writes; the busy timeout waits instead of failing."""
    if isinstance(dbapi_connection, sqlite3.Connection):
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=5000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.close()


# PostgreSQL plans a statement anew on every run unless it is prepared. psycopg prepares a statement
# once it has run 5 times on a connection, but drops every prepared statement on ROLLBACK, and each
# read-only request ends in one (board.errors discards the session). So a transaction that only read
# ends in COMMIT instead, which for the database is the same thing, and the pages' statements stay
# prepared from one request to the next (planning was most of PostgreSQL's time on a card page:
# README, "Pages under the production server"). Anything but a plain SELECT counts as a write.
# Only the statement's start is looked at (the app's SELECTs that write, like the live broker's
# pg_notify, call the function first); matching the whole text cost as much as the statement's run.
_READ = re.compile(r"\s*SELECT\s(?!\s*(?:pg_notify|nextval|setval|set_config|pg_advisory))", re.IGNORECASE)


def is_read(statement: str) -> bool:
    return _READ.match(statement) is not None


@event.listens_for(Engine, "before_cursor_execute")
def _note_writes(conn, _cursor, statement, _parameters, _context, _executemany):
    if conn.dialect.name == "postgresql" and not is_read(statement):
        conn.info["wrote"] = True


@event.listens_for(Engine, "commit")
def _forget_writes(conn):
    if conn.dialect.name == "postgresql" and not conn.invalidated:
        conn.info.pop("wrote", None)


@event.listens_for(Engine, "rollback")
def _end_reads_with_commit(conn):
    """Before a rollback: a transaction that only read commits, so the rollback finds nothing to undo.

    Never raises: a connection the database dropped (a restart) is invalidated, and asking it anything
    raises; its rollback is the app's to handle (a friendly 503, board.errors), not this hook's.
    """
    if conn.dialect.name != "postgresql" or conn.invalidated:
        return
    try:
        if not conn.info.pop("wrote", False):
            conn.connection.dbapi_connection.commit()
    except Exception:  # noqa: BLE001 - a broken connection: the rollback that follows meets it and is handled
        pass
