"""Domain errors raised by services, and the friendly pages every HTTP error becomes."""
from flask import Flask, current_app, render_template
from flask_babel import force_locale, lazy_gettext as _l
from flask_wtf.csrf import CSRFError
from sqlalchemy import exc as sa_exc
from werkzeug.exceptions import HTTPException

from board.extensions import db
from board.htmx import is_htmx


class DomainError(Exception):
    """A rule said no; `status` is the HTTP answer and `message` is for the resident."""

    status = 400

    def __init__(self, message: str | None = None):
        super().__init__(message)
        self.message = message


class Forbidden(DomainError):
    status = 403


class NotFound(DomainError):
    status = 404


class Conflict(DomainError):
    """The thing changed meanwhile (someone else was quicker) or the move is not possible now."""

    status = 409


TITLES = {
    400: _l("Something in that request was not right"),
    403: _l("That is not yours to do"),
    404: _l("We could not find that"),
    405: _l("That action is not possible here"),
    409: _l("Someone was quicker"),
    413: _l("That file is too large"),
    429: _l("Too many tries"),
    500: _l("Something went wrong on our side"),
}

MESSAGES = {
    400: _l("Please go back and try again."),
    403: _l("Only the person it belongs to, or a coordinator, can do this."),
    404: _l("It may have been removed, or it belongs to another community."),
    405: _l("Please use the buttons on the page."),
    409: _l("This changed while you were looking at it. Nothing was changed; please look again."),
    413: _l("Please choose a smaller file (at most 10 MB)."),
    429: _l("Please wait a minute before trying again."),
    500: _l("Nothing was saved. Please try again in a moment."),
}


def render_error(status: int, message: str | None = None):
    """The error page, or for htmx the message alone, retargeted into the messages region."""
    # A status without words of its own (401, 410, 416…) keeps its code and borrows the nearest page.
    page = status if status in TITLES else (400 if 400 <= status < 500 else 500)
    status = status if 400 <= status < 600 else 500
    context = {"status": status, "title": TITLES[page], "message": message or MESSAGES[page]}
    if is_htmx():
        headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        return render_template("errors/_message.html", **context), status, headers
    return render_template("errors/error.html", **context), status


def render_unavailable():
    """503 with Retry-After, drawn without the database: every connection busy, or the database away
    for a moment (a restart). Answered at once, so a resident never waits 30 s for a 500."""
    from board.i18n import html_lang, locale_without_database

    seconds = int(current_app.config["RETRY_AFTER_SECONDS"])
    locale = locale_without_database()
    with force_locale(locale):
        context = {
            "status": 503,
            "title": _l("The board is very busy right now"),
            "message": _l("Nothing was saved. Please try again in a few seconds."),
            "seconds": seconds,
            "lang": html_lang(locale),
        }
        # Straight from Jinja: the app's context processors would load the resident from the database.
        if is_htmx():
            body = current_app.jinja_env.get_template("errors/_message.html").render(context)
            headers = {"HX-Retarget": "#messages", "HX-Reswap": "innerHTML"}
        else:
            body, headers = current_app.jinja_env.get_template("errors/unavailable.html").render(context), {}
    headers.update({"Retry-After": str(seconds), "Cache-Control": "no-store"})
    return body, 503, headers


# PostgreSQL's classes of "not now" (SQLSTATE): connection exception, insufficient resources (too
# many connections), operator intervention (shutdown, restart), transaction rollback (deadlock).
UNAVAILABLE_SQLSTATES = ("08", "53", "57P", "40")


def _database_unavailable(error: Exception) -> bool:
    """A pool with no free connection, or a database busy, unreachable or just restarted (not a bug)."""
    if isinstance(error, (sa_exc.TimeoutError, sa_exc.DisconnectionError)):
        return True
    if not isinstance(error, sa_exc.DBAPIError):
        return False
    if error.connection_invalidated:
        return True
    if not isinstance(error, sa_exc.OperationalError):
        return False
    sqlite_error = getattr(error.orig, "sqlite_errorname", None)
    if sqlite_error is not None:  # SQLite calls a missing table "operational" too: only busy counts
        return sqlite_error in ("SQLITE_BUSY", "SQLITE_LOCKED")
    sqlstate = getattr(error.orig, "sqlstate", None)
    return sqlstate is None or sqlstate.startswith(UNAVAILABLE_SQLSTATES)  # no SQLSTATE: never connected


def _discard_session() -> None:
    """Give back whatever the request held; on a dead connection even that may fail."""
    try:
        db.session.rollback()
    except sa_exc.SQLAlchemyError:
        db.session().invalidate()  # the scoped proxy has no invalidate(): the session itself does


def init_app(app: Flask) -> None:
    # Registered after db.init_app, so it runs before Flask-SQLAlchemy's own session.remove(): when the
    # database dropped the connection after the answer was made (a restart), that ROLLBACK would fail and
    # turn a finished 200 into a 500.
    app.teardown_appcontext(lambda _error: _discard_session())

    @app.errorhandler(DomainError)
    def domain_error(error: DomainError):
        db.session.rollback()
        return render_error(error.status, error.message)

    @app.errorhandler(CSRFError)
    def csrf_error(_error):
        return render_error(400, _l("This form had expired. Please reload the page and try again."))

    @app.errorhandler(HTTPException)
    def http_error(error: HTTPException):
        if error.response is not None:  # an answer of its own (a bare 429 from a limit's on_breach)
            return error.response
        return render_error(error.code or 500)

    @app.errorhandler(sa_exc.SQLAlchemyError)
    def database_error(error: sa_exc.SQLAlchemyError):
        if not _database_unavailable(error):
            return server_error(error)
        _discard_session()
        app.logger.warning("database unavailable: %s", error.__class__.__name__)
        return render_unavailable()

    @app.errorhandler(Exception)
    def server_error(error: Exception):
        # Never a stack trace to a resident, never a half-written row.
        _discard_session()
        app.logger.exception("unhandled error", exc_info=error)
        return render_error(500)
