"""Replaying missed events is bounded (past the bound the page reloads) and rate-limited per viewer."""
from types import SimpleNamespace

import pytest
from sqlalchemy import text

from board.extensions import db
from board.live import render
from tests import factories
from tests.test_live_stream import open_stream


@pytest.fixture
def app_config():
    return {"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_OVERLAP_SECONDS": 0}


def test_a_stale_poll_past_the_default_bound_reloads_the_page_in_a_few_bytes(app, client, resident, neighbour, login):
    limit = app.config["LIVE_REPLAY_LIMIT"]
    assert limit <= 50  # a replay of the bound is at most ~50 kB; the page reloads past it
    for n in range(limit + 1):
        factories.card(resident, title=f"Need number {n}")
    login(client, neighbour)
    response = client.get("/live/poll?last_id=0")
    assert response.status_code == 200
    body = response.get_data(as_text=True)
    assert "data-live-reload" in body and "Need number" not in body
    assert len(body.encode()) < 2000
    assert response.headers["X-Live-Last-Id"] == str(render.latest_event_id(resident.community_id))


def test_a_poll_within_the_bound_replays_every_missed_event(app, client, resident, neighbour, login):
    limit = app.config["LIVE_REPLAY_LIMIT"]
    for n in range(limit):
        factories.card(resident, title=f"Need number {n}")
    login(client, neighbour)
    body = client.get("/live/poll?last_id=0").get_data(as_text=True)
    assert "data-live-reload" not in body
    assert all(f"Need number {n}<" in body for n in range(limit))


def test_a_stale_stream_past_the_bound_reloads_the_page(app, client, resident, neighbour, login):
    for n in range(app.config["LIVE_REPLAY_LIMIT"] + 1):
        factories.card(resident, title=f"Need number {n}")
    login(client, neighbour)
    stream = open_stream(client, headers={"Last-Event-ID": "0"})
    message = stream.next_live()
    assert "data-live-reload" in message["data"] and "Need number" not in message["data"]
    stream.close()


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_OVERLAP_SECONDS": 0,
                                         "LIVE_REPLAY_RATE_LIMIT": "2 per minute"}])
def test_replays_past_the_rate_limit_get_a_bare_429_with_retry_after(app, client, make_client, resident, neighbour, login):
    card = factories.card(resident, title="Fever medicine")
    first = render.latest_event_id(resident.community_id)
    login(client, neighbour)
    for _ in range(3):  # nothing missed: nothing replayed, nothing counted
        assert client.get(f"/live/poll?last_id={first}").status_code == 204
    for _ in range(2):
        replayed = client.get("/live/poll?last_id=0")
        assert replayed.status_code == 200 and "Fever medicine" in replayed.get_data(as_text=True)
    refused = client.get("/live/poll?last_id=0")
    assert refused.status_code == 429
    assert 0 < int(refused.headers["Retry-After"]) <= 60
    assert refused.get_data() == b"" and "HX-Retarget" not in refused.headers
    # The stream shares the budget: refused before anything is read, and nobody is left subscribed.
    stream = client.get("/live/stream", headers={"Last-Event-ID": "0"}, buffered=False)
    assert stream.status_code == 429 and "Retry-After" in stream.headers
    stream.close()
    assert app.extensions["live"].subscribers(resident.community_id) == []
    # Per viewer: a neighbour on the same address still catches up.
    other = login(make_client(), resident).get("/live/poll?last_id=0")
    assert other.status_code == 200 and "Fever medicine" in other.get_data(as_text=True)
    assert card.id


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "DB_POOL_SIZE": 1, "DB_MAX_OVERFLOW": 0,
                                         "DB_POOL_TIMEOUT": 0.3}])
def test_a_stream_opened_while_the_database_is_busy_is_a_503_and_leaves_no_subscriber(app, client, resident, neighbour, login):
    factories.card(resident)
    community_id = resident.community_id
    login(client, neighbour)
    db.session.remove()  # the test's own session gives its connection back first
    held = db.engine.connect()
    held.execute(text("SELECT 1"))
    try:
        response = client.get("/live/stream", headers={"Last-Event-ID": "0"}, buffered=False)
        assert response.status_code == 503 and "Retry-After" in response.headers
        response.close()
    finally:
        held.close()
    assert app.extensions["live"].subscribers(community_id) == []


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "DB_POOL_SIZE": 3, "DB_MAX_OVERFLOW": 0,
                                         "DB_POOL_TIMEOUT": 0.3}])
def test_open_streams_hold_no_database_connection(app, client, make_client, resident, neighbour, community, login):
    """More open streams than the pool has connections, and the board still answers and posts.
    (Three: the request, and with SQLite the fan-out of its change in its commit, which renders apart.)"""
    viewers = [neighbour] + [factories.user(community, login=f"viewer{n}", display_name=f"V{n}") for n in range(3)]
    author = SimpleNamespace(login=resident.login)
    streams = [open_stream(login(make_client(), viewer)) for viewer in viewers]
    db.session.remove()  # the test's own session gives its connection back: only the streams are left
    other = login(make_client(), author)
    assert other.get("/").status_code == 200
    assert other.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice",
                                          "urgency": "normal"}).status_code == 302
    for stream in streams:
        assert "Rice" in stream.next_live()["data"]
        stream.close()


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_MAX_STREAMS": 1}])
def test_a_worker_holding_its_most_streams_refuses_the_next_at_once(app, client, make_client, resident, neighbour, login):
    first = open_stream(login(client, neighbour))
    refused = login(make_client(), resident).get("/live/stream", buffered=False)
    assert refused.status_code == 503
    # (Flask-Limiter rewrites the header on a limited route, rounding the same moment down a second.)
    assert 1 <= int(refused.headers["Retry-After"]) <= app.config["RETRY_AFTER_SECONDS"]
    refused.close()
    first.close()
    again = open_stream(login(make_client(), resident))  # a place is free again
    again.close()
