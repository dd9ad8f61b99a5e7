"""Past what the server can take: a friendly 503 with Retry-After at once, never a long wait ending in a 500."""
import socket
import threading
import time

import pytest
from flask_babel import force_locale
from sqlalchemy import create_engine, text

from board import create_app
from board.admission import InFlight
from board.extensions import db
from tests.conftest import BASE_URL, ON_POSTGRES, make_test_config as config_for

# One connection in the pool and a short wait for it, so that a test can hold it and exhaust the pool.
POOL_OF_ONE = {"DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0, "DB_POOL_TIMEOUT": 0.3}


def unavailable_words(locale: str) -> tuple[str, str]:
    from board.errors import _l

    with force_locale(locale):
        return str(_l("The board is very busy right now")), str(_l("Nothing was saved. Please try again in a few seconds."))


@pytest.fixture
def logged_in(client, resident, login):
    login(client, resident)
    return client


@pytest.fixture
def held(app):
    """The pool's only connection, held by someone else for the length of the test."""
    db.session.remove()  # the test's own session gives its connection back first
    connection = db.engine.connect()
    connection.execute(text("SELECT 1"))
    yield connection
    connection.close()


@pytest.mark.parametrize("app_config", [POOL_OF_ONE])
def test_an_exhausted_pool_answers_503_with_retry_after_at_once(app, logged_in, held):
    started = time.monotonic()
    response = logged_in.get("/")
    elapsed = time.monotonic() - started
    assert response.status_code == 503
    assert response.headers["Retry-After"] == str(app.config["RETRY_AFTER_SECONDS"])
    assert response.headers["Cache-Control"] == "no-store"
    assert elapsed < 2, f"the 503 took {elapsed:.1f} s"
    body = response.get_data(as_text=True)
    title, message = unavailable_words("en")
    assert title in body and message in body and "<html" in body
    assert "Traceback" not in body and "TimeoutError" not in body and "QueuePool" not in body


@pytest.mark.parametrize("app_config", [POOL_OF_ONE])
def test_the_busy_page_speaks_the_residents_language(app, logged_in, held):
    response = logged_in.get("/me/activity", headers={"Accept-Language": "zh-CN,zh;q=0.9"})
    assert response.status_code == 503
    body = response.get_data(as_text=True)
    title, message = unavailable_words("zh_CN")
    english_title, _ = unavailable_words("en")
    assert title != english_title, "the 503 page has no Chinese translation"
    assert title in body and message in body and english_title not in body
    assert '<html lang="zh-CN">' in body


@pytest.mark.parametrize("app_config", [POOL_OF_ONE])
def test_an_htmx_request_gets_the_message_in_the_messages_region(app, logged_in, held):
    response = logged_in.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice",
                                                  "urgency": "normal"}, headers={"HX-Request": "true"})
    assert response.status_code == 503
    assert response.headers["HX-Retarget"] == "#messages" and "Retry-After" in response.headers
    body = response.get_data(as_text=True)
    assert "<html" not in body and unavailable_words("en")[0] in body


@pytest.mark.parametrize("app_config", [POOL_OF_ONE])
def test_nothing_is_half_written_and_the_board_works_again_once_a_connection_is_free(app, logged_in, held):
    from board.models import Card

    response = logged_in.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice",
                                                  "urgency": "normal"})
    assert response.status_code == 503
    held.close()
    assert db.session.scalar(db.select(db.func.count(Card.id))) == 0
    assert logged_in.get("/").status_code == 200


def closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]  # nothing listens here once the socket is closed


def test_an_unreachable_database_answers_503_not_500(tmp_path):
    """The database away (a restart, a failover): the same friendly 503, at once."""
    app = create_app(
        config_for(f"postgresql+psycopg://postgres@127.0.0.1:{closed_port()}/nowhere"),
        instance_path=str(tmp_path / "instance"),
    )

    @app.route("/test-only/query")
    def query():
        return str(db.session.scalar(text("SELECT 1")))

    started = time.monotonic()
    response = app.test_client().get("/test-only/query", headers={"Accept-Language": "zh-CN"})
    assert time.monotonic() - started < 2
    assert response.status_code == 503 and "Retry-After" in response.headers
    with app.test_request_context():
        assert unavailable_words("zh_CN")[0] in response.get_data(as_text=True)


def test_other_database_errors_are_still_a_500(app, client):
    """Only an unavailable database is a 503: a bug (here, a broken query) is not hidden behind 'busy'."""

    @app.route("/test-only/broken-query")
    def broken():
        return str(db.session.scalar(text("SELECT no_such_column FROM no_such_table")))

    response = client.get("/test-only/broken-query")
    assert response.status_code == 500 and "Retry-After" not in response.headers


def test_the_pool_is_sized_from_the_settings(app):
    options = app.config["SQLALCHEMY_ENGINE_OPTIONS"]
    assert options["pool_size"] == app.config["DB_POOL_SIZE"]
    assert options["max_overflow"] == app.config["DB_MAX_OVERFLOW"]
    assert options["pool_timeout"] == app.config["DB_POOL_TIMEOUT"] <= 5
    assert "pool_pre_ping" not in options  # board/connections.py pings a connection only after it lay idle
    assert db.engine.pool.timeout() == app.config["DB_POOL_TIMEOUT"]


@pytest.mark.parametrize("app_config", [{"REQUESTS_IN_FLIGHT_LIMIT": 2}])
def test_past_the_requests_in_flight_limit_the_503_comes_quickly(app, logged_in):
    """A worker already working on as many requests as it should: a short wait for a place, no wait
    for the pool, and not a word read from the database."""
    in_flight = app.extensions["in_flight"]
    assert in_flight.enter(0) and in_flight.enter(0)  # as if two were being worked on
    try:
        started = time.monotonic()
        refused = logged_in.get("/")
        elapsed = time.monotonic() - started
        assert app.config["ADMISSION_WAIT_SECONDS"] <= elapsed < app.config["ADMISSION_WAIT_SECONDS"] + 0.5
        assert refused.status_code == 503 and "Retry-After" in refused.headers
        assert unavailable_words("en")[0] in refused.get_data(as_text=True)
        static = logged_in.get("/static/css/board.css")  # never counted: nginx serves these anyway
        assert static.status_code == 200
        static.close()
    finally:
        in_flight.leave()
        in_flight.leave()
    for _ in range(3):  # every admitted request gives its place back
        assert logged_in.get("/").status_code == 200


def _queue_up(in_flight, names, admitted, wait=5.0):
    """One thread per name, each started once the one before is in the queue."""
    threads = []
    for name in names:
        def run(name=name):
            if in_flight.enter(wait):
                admitted.append(name)
        thread = threading.Thread(target=run)
        thread.start()
        threads.append(thread)
        deadline = time.monotonic() + 5
        while in_flight.waiting < len(threads) and time.monotonic() < deadline:
            time.sleep(0.005)
        assert in_flight.waiting == len(threads)
    return threads


def test_a_freed_place_goes_to_the_longest_waiter_not_to_a_newcomer():
    """First come, first served: a plain semaphore let a request arriving just as a place was freed
    take it ahead of those already waiting, so under load some waited out the whole wait and got the
    503 while most waited not at all."""
    in_flight = InFlight(1)
    assert in_flight.enter(0)
    admitted = []
    threads = _queue_up(in_flight, ["first", "second", "third"], admitted)
    in_flight.leave()  # the place passes to "first" before anyone else can take it
    assert not in_flight.enter(0), "a newcomer took the place freed for those waiting"
    for expected in (["first"], ["first", "second"], ["first", "second", "third"]):
        deadline = time.monotonic() + 5
        while admitted != expected and time.monotonic() < deadline:
            time.sleep(0.005)
        assert admitted == expected
        in_flight.leave()
    for thread in threads:
        thread.join()
    assert in_flight.enter(0) and in_flight.waiting == 0  # every place came back


def test_a_request_that_waited_out_its_wait_leaves_the_queue_and_is_not_given_a_place():
    in_flight = InFlight(1)
    assert in_flight.enter(0)
    started = time.monotonic()
    assert not in_flight.enter(0.1)
    assert time.monotonic() - started >= 0.1 and in_flight.waiting == 0
    in_flight.leave()
    assert in_flight.enter(0)  # the place was not handed to the one who gave up


class Clock:
    """A clock the test moves by hand: how fast the line moved is judged by when places were handed on."""

    def __init__(self):
        self.now = 0.0

    def __call__(self):
        return self.now


def _refused_at_once(in_flight, wait):
    started = time.monotonic()
    refused = not in_flight.enter(wait)
    return refused and time.monotonic() - started < wait / 2


def test_once_the_line_has_stood_a_while_a_newcomer_whose_turn_comes_too_late_is_refused_at_once():
    """Past what the server can take the 503 comes at once, not after waiting out the whole wait: a
    line that moved two places in the last second, with two ahead, would take a newcomer 1.5 s."""
    clock = Clock()
    in_flight = InFlight(1, clock=clock)
    assert in_flight.enter(0)
    admitted = []
    threads = _queue_up(in_flight, ["a", "b", "c", "d"], admitted)
    for moment in (0.5, 1.0):
        clock.now = moment
        in_flight.leave()  # a place passes on: a, then b
    clock.now = 1.2
    assert _refused_at_once(in_flight, 0.8)
    assert in_flight.waiting == 2, "the refused newcomer joined the line"
    # With a longer wait the same turn is worth waiting for: it queues behind c and d.
    patient = threading.Thread(target=lambda: admitted.append("e") if in_flight.enter(5.0) else None)
    patient.start()
    deadline = time.monotonic() + 5
    while in_flight.waiting < 3 and time.monotonic() < deadline:
        time.sleep(0.005)
    assert in_flight.waiting == 3
    for _ in range(5):
        in_flight.leave()
    for thread in [*threads, patient]:
        thread.join()
    assert sorted(admitted) == ["a", "b", "c", "d", "e"]


def test_a_line_that_has_not_moved_for_a_whole_window_refuses_newcomers_at_once():
    clock = Clock()
    in_flight = InFlight(1, clock=clock)
    assert in_flight.enter(0)
    admitted = []
    threads = _queue_up(in_flight, ["a"], admitted)
    clock.now = 1.5
    assert _refused_at_once(in_flight, 0.8)
    in_flight.leave()
    in_flight.leave()
    for thread in threads:
        thread.join()
    assert admitted == ["a"]


def test_a_burst_after_a_quiet_spell_waits_its_turn_instead_of_being_judged_by_the_quiet_spell():
    """A line younger than RATE_WINDOW has no pace yet: its newcomers wait (here they wait out a short
    wait), and once a place is free again the next line is judged afresh."""
    clock = Clock()
    in_flight = InFlight(1, clock=clock)
    assert in_flight.enter(0)
    clock.now = 60.0  # one long request, nothing else for a minute
    admitted = []
    threads = _queue_up(in_flight, ["a", "b"], admitted)
    clock.now = 60.5
    started = time.monotonic()
    assert not in_flight.enter(0.1)
    assert time.monotonic() - started >= 0.1, "refused at once by a line too young to judge"
    for _ in range(3):
        in_flight.leave()  # a, b, then the place is free: the line is over
    for thread in threads:
        thread.join()
    clock.now = 70.0
    assert in_flight.enter(0)
    threads = _queue_up(in_flight, ["c"], admitted)
    clock.now = 70.2
    started = time.monotonic()
    assert not in_flight.enter(0.1)
    assert time.monotonic() - started >= 0.1, "judged by the line that ended"
    in_flight.leave()
    in_flight.leave()
    for thread in threads:
        thread.join()
    assert sorted(admitted) == ["a", "b", "c"]  # each woke in its own thread: in whatever order they ran


def test_no_limit_admits_everyone():
    in_flight = InFlight(0)
    assert all(in_flight.enter(0) for _ in range(100))
    in_flight.leave()


def test_the_default_limit_leaves_the_pool_s_overflow_to_the_live_stream(app):
    assert app.config["REQUESTS_IN_FLIGHT_LIMIT"] == app.config["DB_POOL_SIZE"] < (
        app.config["DB_POOL_SIZE"] + app.config["DB_MAX_OVERFLOW"])


@pytest.mark.skipif(not ON_POSTGRES, reason="kills a PostgreSQL connection (make test-postgres)")
def test_a_connection_dropped_after_the_answer_was_made_keeps_the_answer(tmp_path, _schema):
    """A restart between the view and the end of the request: the finished page stands, not a 500.

    Flask-SQLAlchemy's own teardown rolls back the session; on a connection the server has closed that
    ROLLBACK fails, and before the app discarded the session itself first it became a 500 (bench/load.py
    saw four during a PostgreSQL restart).
    """
    app = create_app(config_for(_schema), instance_path=str(tmp_path / "instance"))
    killer = create_engine(BASE_URL, isolation_level="AUTOCOMMIT")

    @app.route("/test-only/answered-then-dropped")
    def answered_then_dropped():
        pid = db.session.scalar(text("SELECT pg_backend_pid()"))  # the session now holds a connection
        with killer.connect() as conn:
            # Waiting until that backend has ended: the next request comes after the server said goodbye.
            conn.execute(text("SELECT pg_terminate_backend(:pid, 5000)"), {"pid": pid})
        return "made"

    try:
        response = app.test_client().get("/test-only/answered-then-dropped")
        assert response.status_code == 200 and response.get_data(as_text=True) == "made"
        again = app.test_client().get("/test-only/answered-then-dropped")  # the pool handed out a live one
        assert again.status_code == 200
    finally:
        killer.dispose()
        with app.app_context():
            db.engine.dispose()
