"""The live stream: what each viewer receives, replay from Last-Event-ID, and the polling fallback."""
import re
import time

import pytest

from board.events import record
from board.extensions import db
from board.live import render
from board.models import Event
from tests import factories


@pytest.fixture
def app_config():
    # Short heartbeats, so that a stream waiting for nothing yields a ping instead of blocking a test.
    return {"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_OVERLAP_SECONDS": 0, "LIVE_WRITE_INTERVAL_SECONDS": 0}


class SSE:
    """A test client's stream, read message by message (pings skipped, at most `patience` of them)."""

    def __init__(self, client, path="/live/stream", headers=None):
        self.response = client.get(path, headers=headers or {}, buffered=False)
        self.chunks = iter(self.response.response)
        self.writes = []  # each write's messages: several go out together when they were waiting
        self.waiting = []

    def _messages(self):
        """The next message, in order, whether it came alone or together with others in one write."""
        while not self.waiting:
            self.writes.append([m + "\n\n" for m in next(self.chunks).decode().split("\n\n") if m.strip()])
            self.waiting.extend(self.writes[-1])
        return self.waiting.pop(0)

    def next(self, patience: int = 400) -> dict:
        for _ in range(patience):
            chunk = self._messages()
            if chunk.startswith(":"):
                continue
            fields = dict(re.findall(r"^(id|event|retry): ?(.*)$", chunk, re.M))
            data = "\n".join(re.findall(r"^data: ?(.*)$", chunk, re.M))
            return {"id": int(fields.get("id", 0)), "event": fields.get("event"), "data": data, "retry": fields.get("retry")}
        raise AssertionError("no message on the stream")

    def next_live(self) -> dict:
        message = self.next()
        while message["event"] != "live":
            message = self.next()
        return message

    def close(self):
        self.response.close()


def open_stream(client, **kwargs) -> SSE:
    stream = SSE(client, **kwargs)
    hello = stream.next()
    assert hello["event"] == "hello"
    return stream


def event_id_of(card, kind="card.posted") -> int:
    return db.session.scalar(db.select(Event.id).where(Event.card_id == card.id, Event.kind == kind))


def test_stream_says_no_to_visitors(client):
    assert client.get("/live/stream").status_code == 204


def test_stream_headers_suit_proxies(client, resident, login):
    login(client, resident)
    stream = SSE(client)
    assert stream.response.mimetype == "text/event-stream"
    assert stream.response.headers["X-Accel-Buffering"] == "no"
    assert stream.response.headers["Cache-Control"] == "no-cache"
    hello = stream.next()
    assert hello["event"] == "hello" and hello["retry"] == "2000"
    stream.close()


def test_new_card_reaches_another_viewer_with_counts(client, make_client, resident, neighbour, login):
    login(client, neighbour)
    stream = open_stream(client)
    card = factories.card(resident, title="Children's fever medicine")
    message = stream.next_live()
    assert message["id"] == event_id_of(card)
    assert "Children&#39;s fever medicine" in message["data"]
    assert 'data-hx-swap-oob="afterbegin:#card-list"' in message["data"]
    assert "1 open need · 0 open offers" in message["data"]
    stream.close()


def test_events_already_waiting_for_a_stream_go_out_in_one_write(app, client, resident, neighbour, login):
    """A busy server falls behind by several events at once: they leave in one write, not one each."""
    login(client, neighbour)
    stream = open_stream(client)
    (subscriber,) = app.extensions["live"].subscribers(resident.community_id)
    posted = [factories.card(resident, title=f"Rice for two ({n})") for n in range(3)]
    deadline = time.monotonic() + 5
    while subscriber.queue.qsize() < 3 and time.monotonic() < deadline:  # PostgreSQL: the LISTEN thread hands them on
        time.sleep(0.01)
    messages = [stream.next_live() for _ in posted]
    assert [m["id"] for m in messages] == [event_id_of(card) for card in posted]
    assert [f"Rice for two ({n})" in m["data"] for n, m in enumerate(messages)] == [True] * 3
    assert len(stream.writes[-1]) == 3, stream.writes
    stream.close()


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_WRITE_INTERVAL_SECONDS": 0.4}])
def test_a_stream_writes_at_most_once_an_interval_and_an_idle_one_at_once(app, client, resident, neighbour, login):
    login(client, neighbour)
    stream = open_stream(client)
    (subscriber,) = app.extensions["live"].subscribers(resident.community_id)

    def posted_and_read(title):
        card = factories.card(resident, title=title)
        deadline = time.monotonic() + 5
        while subscriber.queue.empty() and time.monotonic() < deadline:  # PostgreSQL: the LISTEN thread
            time.sleep(0.01)
        started = time.monotonic()
        message = stream.next_live()
        assert message["id"] == event_id_of(card) and title in message["data"]
        return time.monotonic() - started

    assert posted_and_read("Rice for two") < 0.3  # nothing written yet: the first change goes at once
    assert posted_and_read("Fever medicine") >= 0.3  # just written: this one waits out the interval
    stream.close()


def test_card_leaving_the_board_is_deleted_from_it(client, resident, neighbour, login):
    card = factories.card(resident)
    login(client, neighbour)
    stream = open_stream(client)
    login(make := client.application.test_client(), resident)
    response = make.post(f"/cards/{card.id}/withdraw", data={"version": card.version})
    assert response.status_code in (200, 302, 303)
    message = stream.next_live()
    assert f'data-hx-swap-oob="delete:#card-list &gt; #card-{card.id}"' in message["data"] or \
        f'data-hx-swap-oob="delete:#card-list > #card-{card.id}"' in message["data"]
    assert "afterbegin:#card-list" not in message["data"]
    assert "0 open needs" in message["data"]
    stream.close()


def test_broadcast_is_the_same_for_every_viewer_and_shows_no_door_or_button(app, make_client, resident, neighbour, coordinator, login):
    streams = [open_stream(login(make_client(), viewer)) for viewer in (resident, neighbour, coordinator)]
    factories.card(resident, title="Rice", details="Ring twice at 502", quantity=2, unit="kg")
    received = [s.next_live()["data"] for s in streams]
    assert received[0] == received[1] == received[2]
    for data in received:
        assert "<form" not in data and "<button" not in data and "csrf" not in data
        assert resident.membership.unit not in data  # "502"
        assert "Ring twice" not in data  # details are for the card's own page, fetched per viewer
    for s in streams:
        s.close()


def test_full_card_is_fetched_again_as_each_viewer(client, make_client, resident, neighbour, stranger, login):
    card = factories.card(resident)
    author = login(make_client(), resident).get(f"/live/cards/{card.id}")
    other = login(make_client(), neighbour).get(f"/live/cards/{card.id}")
    assert "Withdraw" in author.get_data(as_text=True)
    assert "Withdraw" not in other.get_data(as_text=True)
    assert author.headers["Cache-Control"] == "no-store"
    assert login(make_client(), stranger).get(f"/live/cards/{card.id}").status_code == 404


def test_replay_after_last_event_id(client, resident, neighbour, login):
    cards = [factories.card(resident, title=f"Need {n}") for n in range(3)]
    ids = [event_id_of(c) for c in cards]
    login(client, neighbour)
    stream = open_stream(client, headers={"Last-Event-ID": str(ids[0])})
    replayed = [stream.next_live(), stream.next_live()]
    assert [m["id"] for m in replayed] == ids[1:]
    assert "Need 1" in replayed[0]["data"] and "Need 2" in replayed[1]["data"]
    stream.close()


def test_reconnect_header_wins_over_the_page_s_older_last_id(client, resident, neighbour, login):
    cards = [factories.card(resident, title=f"Need {n}") for n in range(3)]
    ids = [event_id_of(c) for c in cards]
    login(client, neighbour)
    stream = open_stream(client, path=f"/live/stream?last_id={ids[0]}", headers={"Last-Event-ID": str(ids[1])})
    assert stream.next_live()["id"] == ids[2]
    stream.close()


def test_replay_survives_a_restart(app, client, resident, neighbour, login):
    """The log is the source: a new broker (a restarted server) replays from the database."""
    first = factories.card(resident, title="Before")
    app.extensions["live"].stop()
    from board.live import render
    from board.live.broker import make_broker

    app.extensions["live"] = make_broker(app, render.deliveries)
    factories.card(resident, title="While away")
    login(client, neighbour)
    stream = open_stream(client, headers={"Last-Event-ID": str(event_id_of(first))})
    assert "While away" in stream.next_live()["data"]
    stream.close()


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_OVERLAP_SECONDS": 3600}])
def test_recent_events_just_below_last_id_are_replayed_without_alerts(client, resident, neighbour, login):
    """A transaction can commit after a later-numbered one: a short window below the last id is replayed."""
    card = factories.card(resident, title="Late committer")
    record("handoff.leave_at_door", community_id=card.community_id, card=card, actor=neighbour,
           giver_id=neighbour.id, receiver_id=resident.id, handoff_id=1)
    db.session.commit()
    last = db.session.scalar(db.select(db.func.max(Event.id)))
    login(client, resident)
    stream = open_stream(client, headers={"Last-Event-ID": str(last)})
    again = [stream.next_live(), stream.next_live()]
    assert "Late committer" in again[0]["data"]
    assert 'id="bell"' in again[1]["data"] and "Left on your door handle!" not in again[1]["data"]
    stream.close()


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_OVERLAP_SECONDS": 3600}])
def test_a_page_just_drawn_gets_no_overlap_a_resuming_one_does(client, resident, neighbour, login):
    card = factories.card(resident, title="Already on the page")
    last = event_id_of(card)
    later = factories.card(resident, title="After the page")
    login(client, neighbour)
    fresh = open_stream(client, path=f"/live/stream?last_id={last}")
    assert fresh.next_live()["id"] == event_id_of(later)
    fresh.close()
    resumed = open_stream(client, path=f"/live/stream?last_id={last}&resume=1")
    assert [resumed.next_live()["id"], resumed.next_live()["id"]] == [last, event_id_of(later)]
    resumed.close()


def test_an_edit_replaces_the_card_where_shown_but_never_inserts_it(client, resident, neighbour, login):
    """A card missing from a board may be on a page of it not loaded yet: only new cards are inserted."""
    card = factories.card(resident, title="Rice")
    login(client, neighbour)
    stream = open_stream(client)
    from board.cards.service import edit_card

    edit_card(card, resident, title="Rice, 5 kg")
    data = stream.next_live()["data"]
    assert "Rice, 5 kg" in data and f"outerHTML:#card-list &gt; #card-{card.id}" in data
    assert "afterbegin:#card-list" not in data
    stream.close()


def test_other_communities_hear_nothing(client, make_client, resident, stranger, login):
    login(client, stranger)
    stream = open_stream(client)
    factories.card(resident, title="Jinting only")
    factories.card(stranger, title="Other garden")
    message = stream.next_live()
    assert "Other garden" in message["data"]
    assert "Jinting only" not in message["data"]
    stream.close()


def test_personal_part_goes_to_the_receiver_only(client, make_client, resident, neighbour, coordinator, login):
    card = factories.card(resident, title="Antigen tests")
    receiver = open_stream(login(make_client(), resident))
    giver = open_stream(login(make_client(), neighbour))
    bystander = open_stream(login(make_client(), coordinator))
    record("handoff.leave_at_door", community_id=card.community_id, card=card, actor=neighbour,
           giver_id=neighbour.id, receiver_id=resident.id, handoff_id=1)
    db.session.commit()
    mine, theirs, others = receiver.next_live()["data"], giver.next_live()["data"], bystander.next_live()["data"]
    assert "Left on your door handle!" in mine
    assert 'data-live-alert="left_at_door"' in mine and f'data-card="card-{card.id}"' in mine
    assert re.search(r'id="bell"[^>]*data-hx-swap-oob="true"', mine)
    assert '<span class="bell-count" aria-hidden="true">1</span>' in mine
    assert 'data-hx-swap-oob="afterbegin:#notification-list"' in mine  # the list page, if it is open
    assert "Left on your door handle!" not in theirs and 'id="bell"' not in theirs
    assert theirs == others  # the giver made the move: they get what everyone gets
    assert mine.startswith(others)
    for s in (receiver, giver, bystander):
        s.close()


def test_polling_fallback_returns_the_same_fragments(client, make_client, resident, neighbour, login):
    login(client, neighbour)
    start = render.latest_event_id(resident.community_id)
    stream = open_stream(login(make_client(), neighbour))
    card = factories.card(resident, title="Vegetables")
    streamed = stream.next_live()
    stream.close()
    polled = client.get(f"/live/poll?last_id={start}")
    assert polled.status_code == 200
    assert polled.headers["X-Live-Last-Id"] == str(event_id_of(card))
    assert polled.get_data(as_text=True).split() == streamed["data"].split()
    nothing = client.get(f"/live/poll?last_id={event_id_of(card)}")
    assert nothing.status_code == 204 and nothing.headers["X-Live-Last-Id"] == str(event_id_of(card))


def test_polling_requires_login(client):
    assert client.get("/live/poll?last_id=0").status_code == 302


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_REPLAY_LIMIT": 2}])
def test_too_much_missed_asks_the_page_to_reload(client, resident, neighbour, login):
    for n in range(3):
        factories.card(resident, title=f"Need {n}")
    login(client, neighbour)
    stream = open_stream(client, headers={"Last-Event-ID": "0"})
    message = stream.next_live()
    assert "data-live-reload" in message["data"]
    assert message["id"] == render.latest_event_id(resident.community_id)
    stream.close()


def test_pages_connect_the_stream_from_the_newest_event(client, resident, neighbour, login):
    card = factories.card(resident)
    login(client, neighbour)
    for path in ("/", f"/cards/{card.id}", "/me/activity", "/notifications/"):
        html = client.get(path).get_data(as_text=True)
        assert f'data-sse-connect="/live/stream?last_id={event_id_of(card)}"' in html, path
        assert 'data-hx-ext="sse, live"' in html and "js/live.js" in html


def test_visitors_pages_hold_no_stream(client):
    html = client.get("/").get_data(as_text=True)
    assert "data-sse-connect" not in html


def test_a_viewer_far_behind_is_dropped_to_catch_up_by_replay(app, client, resident, neighbour, login, monkeypatch):
    from board.live import broker as broker_module

    login(client, neighbour)
    stream = open_stream(client)
    live = app.extensions["live"]
    (subscriber,) = live.subscribers(neighbour.community_id)
    monkeypatch.setattr(subscriber, "offer", lambda delivery, _real=subscriber.offer: _real(delivery) if delivery is broker_module.OVERFLOW else False)
    factories.card(resident)
    with pytest.raises(StopIteration):
        stream.next()
    assert live.subscribers(neighbour.community_id) == []


def test_refetched_card_s_buttons_bring_the_resident_back_to_the_page_it_is_on(client, resident, login):
    card = factories.card(resident)
    login(client, resident)
    html = client.get(f"/live/cards/{card.id}", headers={"HX-Request": "true", "HX-Current-URL": "http://localhost/me/activity"}).get_data(as_text=True)
    assert 'name="next" value="/me/activity"' in html
    assert "/live/cards" not in html.split('name="next"')[1][:40]
    elsewhere = client.get(f"/live/cards/{card.id}", headers={"HX-Current-URL": "https://evil.example//x"}).get_data(as_text=True)
    assert "evil.example" not in elsewhere


def test_after_a_match_the_broadcast_hides_the_door_and_the_refetch_shows_it_to_the_helper_only(
        client, make_client, resident, neighbour, community, login):
    from board.cards import handoffs

    bystander = factories.user(community, login="zhao", display_name="Zhao", unit="303")
    card = factories.card(resident, title="Ibuprofen")
    streams = [open_stream(login(make_client(), viewer)) for viewer in (neighbour, bystander)]
    handoffs.offer_help(card, neighbour)
    for stream in streams:
        data = stream.next_live()["data"]
        assert "502" not in data and "<form" not in data and "<button" not in data
        assert f"delete:#card-list &gt; #card-{card.id}" in data
        stream.close()
    helper = login(make_client(), neighbour).get(f"/live/cards/{card.id}").get_data(as_text=True)
    other = login(make_client(), bystander).get(f"/live/cards/{card.id}").get_data(as_text=True)
    assert "unit 502" in helper and "Mark left at door" in helper
    assert "502" not in other and "Mark left at door" not in other and "I can help" not in other


@pytest.mark.parametrize("app_config", [{"LIVE_HEARTBEAT_SECONDS": 0.05, "LIVE_BROKER": "local"}])
def test_a_failing_fan_out_never_fails_the_change(app, client, resident, login, monkeypatch, caplog):
    from board.models import Card

    def broken(*args, **kwargs):
        raise RuntimeError("template broke")

    monkeypatch.setattr(app.extensions["live"], "deliver", broken)  # the broker's renderer
    login(client, resident)
    stream = open_stream(client)  # a subscriber, so that the fan-out renders
    response = client.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice", "urgency": "normal"})
    assert response.status_code == 302
    assert db.session.scalar(db.select(Card.title)) == "Rice"
    assert any("live: fan-out of events" in r.getMessage() for r in caplog.records), caplog.records
    stream.close()


def test_a_fan_out_of_many_events_reads_no_more_than_a_fan_out_of_one(app, resident, neighbour, coordinator):
    """Under load the LISTEN loop hands on many events at once: what they need is read for them all."""
    from board.live.broker import Broker, Subscriber
    from tests.conftest import counting_statements

    broker = Broker(app, render.deliveries)  # a worker's broker of its own: only this test hands it events
    subscribers = [Subscriber(neighbour.id, neighbour.community_id, "en"),
                   Subscriber(coordinator.id, coordinator.community_id, "zh_CN")]
    for subscriber in subscribers:
        broker.subscribe(subscriber)

    def fan_out(n):
        posted = [factories.card(resident, title=f"Rice for two ({i})") for i in range(n)]
        matched = factories.card(resident, title="Fever medicine")
        from board.cards import transitions

        transitions.start(matched, "match", neighbour)
        ids = list(db.session.scalars(db.select(Event.id).where(
            Event.card_id.in_([c.id for c in [*posted, matched]])).order_by(Event.id)))
        with counting_statements() as statements:
            broker.fan_out(ids)
        received = [subscribers[0].queue.get_nowait() for _ in ids]
        assert [d.event_id for d in received] == ids
        if n:
            assert "Rice for two (0)" in received[0].public["en"] and "Rice for two (0)" in received[0].public["zh_CN"]
        assert all(d.public.keys() == {"en", "zh_CN"} for d in received)
        assert resident.id in received[-1].personal_for  # "I can help" tells the author: their bell
        return statements

    one, many = fan_out(0), fan_out(12)
    assert len(many) == len(one) <= 6, "\n".join(many)
    for subscriber in subscribers:
        broker.unsubscribe(subscriber)


def test_a_viewer_s_own_part_is_drawn_in_the_fan_out_and_their_stream_reads_nothing(app, resident, neighbour, coordinator):
    """Each stream read its viewer's bell and alert with a database connection of its own: under load
    (bench/load.py) five at once, which the requests were then short of. The fan-out draws them for
    every viewer it holds, in two statements whatever their number, exactly as the stream drew them."""
    from board.cards import transitions
    from board.live.broker import Broker, Subscriber
    from tests.conftest import counting_statements

    broker = Broker(app, render.deliveries)  # a worker's broker of its own: only this test hands it events
    author_en = Subscriber(resident.id, resident.community_id, "en")
    author_zh = Subscriber(resident.id, resident.community_id, "zh_CN")  # the same resident, a second phone
    bystander = Subscriber(coordinator.id, coordinator.community_id, "en")
    subscribers = [author_en, author_zh, bystander]
    for subscriber in subscribers:
        broker.subscribe(subscriber)
    try:
        card = factories.card(resident, title="Fever medicine")
        transitions.start(card, "match", neighbour)  # "I can help" tells the author: their bell and an alert
        ids = list(db.session.scalars(db.select(Event.id).where(Event.card_id == card.id).order_by(Event.id)))
        with counting_statements() as fan_out:
            broker.fan_out(ids)
        assert len(fan_out) <= 8, "\n".join(fan_out)  # 6 for the public parts, 2 for every own part
        mine = [author_en.queue.get_nowait() for _ in ids][-1]
        assert mine is [author_zh.queue.get_nowait() for _ in ids][-1]  # one delivery, every language in it
        assert {(resident.id, "en"), (resident.id, "zh_CN")} <= mine.personal_parts.keys()
        assert not any(user_id == coordinator.id for user_id, _locale in mine.personal_parts)
        with app.test_request_context("/"):  # as each stream read its part before
            read_one_by_one = {locale: render.personal_fragment(mine.event_id, resident.id, locale)
                               for locale in ("en", "zh_CN")}
        with counting_statements() as composing:
            drawn = {locale: render.compose(mine, resident.id, locale) for locale in ("en", "zh_CN")}
        assert composing == []
        for locale in ("en", "zh_CN"):
            assert drawn[locale] == mine.public[locale] + read_one_by_one[locale]
            assert 'data-live-alert="' in drawn[locale] and 'id="bell"' in drawn[locale]
        assert '<span class="bell-count" aria-hidden="true">1</span>' in drawn["en"]
        theirs = [bystander.queue.get_nowait() for _ in ids][-1]
        assert render.compose(theirs, coordinator.id, "en") == theirs.public["en"]  # no part of theirs
    finally:
        for subscriber in subscribers:
            broker.unsubscribe(subscriber)
