"""Several processes: a change committed through one connection reaches the streams another process holds."""
import queue

import pytest

from board import create_app
from board.events import record
from board.extensions import db
from board.live.broker import PostgresBroker, Subscriber
from board.models import Event
from tests import factories
from tests.conftest import ON_POSTGRES
from tests.conftest import make_test_config as config_for

pytestmark = pytest.mark.skipif(not ON_POSTGRES, reason="LISTEN/NOTIFY needs PostgreSQL (make test-postgres)")


@pytest.fixture
def other_process(_schema):
    """A second app on the same database: its own engine, connections and broker, as another worker would."""
    app = create_app(config_for(_schema))
    yield app
    app.extensions["live"].stop()
    with app.app_context():
        db.engine.dispose()


def test_notify_from_one_process_reaches_a_listener_in_another(app, other_process, resident, neighbour):
    broker = other_process.extensions["live"]
    assert isinstance(broker, PostgresBroker)
    subscriber = Subscriber(neighbour.id, neighbour.community_id, "en")
    broker.subscribe(subscriber)  # starts the LISTEN connection and waits until it listens
    card = factories.card(resident, title="Fever medicine for a child")  # committed by this process
    delivery = subscriber.queue.get(timeout=30)
    event_id = db.session.scalar(db.select(Event.id).where(Event.card_id == card.id))
    assert delivery.event_id == event_id
    assert "Fever medicine for a child" in delivery.public["en"]
    broker.unsubscribe(subscriber)


def test_nothing_is_sent_for_a_rolled_back_change(app, other_process, resident, neighbour):
    broker = other_process.extensions["live"]
    subscriber = Subscriber(neighbour.id, neighbour.community_id, "en")
    broker.subscribe(subscriber)
    card = factories.card(resident, title="Kept")
    record("card.edited", community_id=card.community_id, card=card, actor=resident, fields=[])
    db.session.rollback()  # NOTIFY inside the transaction is delivered on commit only
    factories.card(resident, title="Next")
    first, second = subscriber.queue.get(timeout=30), subscriber.queue.get(timeout=30)
    assert "Kept" in first.public["en"] and "Next" in second.public["en"]
    with pytest.raises(queue.Empty):
        subscriber.queue.get_nowait()
    broker.unsubscribe(subscriber)


def test_each_schema_has_its_own_channel(app, other_process):
    assert app.extensions["live"].channel == other_process.extensions["live"].channel
    elsewhere = create_app(config_for(app.config["SQLALCHEMY_DATABASE_URI"] + "_x"))
    assert elsewhere.extensions["live"].channel != app.extensions["live"].channel


def test_an_event_whose_fan_out_failed_is_sent_once_the_broker_listens_again(app, other_process, resident, neighbour,
                                                                            monkeypatch):
    """A PostgreSQL restart took the fan-out's connection with it (bench/load.py): that card never reached the
    streams. Now the broker listens again and catches up from the last event it sent."""
    broker = other_process.extensions["live"]
    subscriber = Subscriber(neighbour.id, neighbour.community_id, "en")
    broker.subscribe(subscriber)
    deliver, failures = broker.deliver, []

    def fails_once(broker_, events, audiences, viewers):
        if not failures:
            failures.extend(event.id for event in events)
            raise RuntimeError("the database went away")
        return deliver(broker_, events, audiences, viewers)

    monkeypatch.setattr(broker, "deliver", fails_once)
    factories.card(resident, title="Posted as PostgreSQL restarted")
    delivery = subscriber.queue.get(timeout=30)
    assert failures == [delivery.event_id] and "Posted as PostgreSQL restarted" in delivery.public["en"]
    broker.unsubscribe(subscriber)


def test_the_listen_loop_survives_any_error_and_listens_again(app, other_process, resident, neighbour, monkeypatch):
    """bench/load.py: 1,000 streams opening at once left the pool empty, the loop's catch-up timed out
    (a TimeoutError, not a psycopg error), the thread ended and no stream heard anything again."""
    broker = other_process.extensions["live"]
    catch_up, calls = broker._catch_up, []

    def times_out_once(conn):
        calls.append(1)
        if len(calls) == 1:
            raise TimeoutError("QueuePool limit reached")
        return catch_up(conn)

    monkeypatch.setattr(broker, "_catch_up", times_out_once)
    subscriber = Subscriber(neighbour.id, neighbour.community_id, "en")
    broker.subscribe(subscriber)
    factories.card(resident, title="Heard after all")
    assert "Heard after all" in subscriber.queue.get(timeout=30).public["en"] and len(calls) == 2
    broker.unsubscribe(subscriber)
