"""A domain plugs in from its own folder: its events notify, show on the live stream and sweep, and nothing
else is edited. Signals connect per app; the layers hold (no import circle, nothing runs back up a layer)."""
import ast
import pathlib

import pytest

from board import registry
from board.events import event_recorded, record
from board.extensions import db
from board.live import render
from board.notifications.models import Notification
from tests.test_live_stream import open_stream

BOARD = pathlib.Path(__file__).resolve().parent.parent / "board"

swept = []


def errand_recipients(event):
    return {event.data["for_id"], event.actor_id}  # the actor too: the registry must drop them


def errand_fragments(event, locales):
    return {locale: f'<p id="errand-{event.data["errand"]}">errand {event.data["errand"]} in {locale}</p>'
            for locale in locales}


def sweep_errands() -> int:
    swept.append(True)
    return 3


ERRANDS = registry.Domain(
    name="errands",
    prefixes=("errand.",),
    notifications={"errand.asked": "errand_asked"},
    headlines={"errand_asked": "Someone asked you to run an errand"},
    recipients=errand_recipients,
    live_fragments=errand_fragments,
    sweep=(registry.SweepJob("lapsed errands", sweep_errands, order=30),),
)


@pytest.fixture
def errands(app):
    registry.register(app, ERRANDS)
    swept.clear()
    return ERRANDS


def errand_event(kind, community, actor, for_user):
    event = record(kind, community_id=community.id, actor=actor, errand=7, for_id=for_user.id)
    db.session.commit()
    return event


def test_a_new_domains_event_notifies_its_recipients_never_the_actor(errands, community, resident, neighbour,
                                                                     client, login):
    event = errand_event("errand.asked", community, neighbour, resident)
    notes = db.session.scalars(db.select(Notification)).all()
    assert [(n.user_id, n.kind, n.event_id) for n in notes] == [(resident.id, "errand_asked", event.id)]
    page = login(client, resident).get("/notifications/")
    assert page.status_code == 200
    assert "Someone asked you to run an errand" in page.get_data(as_text=True)


def test_a_new_domains_kinds_it_did_not_list_notify_nobody(errands, community, resident, neighbour):
    errand_event("errand.done", community, neighbour, resident)
    assert db.session.scalar(db.select(db.func.count(Notification.id))) == 0


def test_a_new_domains_live_fragment_reaches_the_stream(errands, community, resident, neighbour, client, login):
    login(client, resident)
    stream = open_stream(client)
    event = errand_event("errand.asked", community, neighbour, resident)
    message = stream.next_live()
    stream.close()
    assert message["id"] == event.id
    assert '<p id="errand-7">errand 7 in en</p>' in message["data"]
    assert "Someone asked you to run an errand" in message["data"]  # the recipient's own part: the alert
    assert render.public_fragments(event, {"en", "zh_Hans_CN"}) == errand_fragments(event, {"en", "zh_Hans_CN"})


def test_a_new_domains_sweep_job_runs_in_its_place(errands, app):
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    labels = [line.split(":")[0] for line in result.output.splitlines()]
    assert labels == ["lapsed matches", "unconfirmed doorsteps reminded or closed", "lapsed errands",
                      "roster escalations", "roster priorities", "lapsed box reservations", "expired gift codes",
                      "expired cards"]
    assert "lapsed errands: 3" in result.output and swept == [True]


def test_registering_a_domain_again_replaces_it(errands, app):
    registry.register(app, errands)
    assert list(registry.current().domains).count("errands") == 1
    assert [job.label for job in registry.current().sweep_jobs()].count("lapsed errands") == 1


def test_an_event_kind_belongs_to_the_longest_matching_prefix(app):
    domains = registry.Registry()
    broad = registry.Domain(name="broad", prefixes=("care.",))
    narrow = registry.Domain(name="narrow", prefixes=("care.checkin.",))
    domains.add(broad)
    domains.add(narrow)
    assert domains.owner("care.checkin.missed") is narrow
    assert domains.owner("care.visit") is broad
    assert domains.owner("points.earned") is None
    assert domains.recipients(type("E", (), {"kind": "points.earned", "actor_id": None})()) == set()


def test_each_app_has_its_own_receivers_exactly_once(app, tmp_path):
    from board import create_app
    from board.box import service as box
    from board.live import _on_event as live_receiver
    from board.notifications.service import on_event as notifications_receiver

    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    for either in (app, other):
        receivers = list(event_recorded.receivers_for(either))
        for receiver in (live_receiver, notifications_receiver, box.on_event):
            assert receivers.count(receiver) == 1, (either, receiver)


def test_an_event_goes_to_the_recording_apps_receivers_only(app, community, resident, tmp_path):
    from board import create_app

    other = create_app({"SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "x"}, instance_path=str(tmp_path))
    heard = []
    event_recorded.connect(lambda sender, event: heard.append(("other", event.kind)), sender=other, weak=False)
    event_recorded.connect(lambda sender, event: heard.append(("this", event.kind)), sender=app, weak=False)
    try:
        record("card.noted", community_id=community.id, actor=resident)
        db.session.commit()
    finally:
        for receiver in list(event_recorded.receivers_for(other)) + list(event_recorded.receivers_for(app)):
            if getattr(receiver, "__name__", "") == "<lambda>":
                event_recorded.disconnect(receiver)
    assert heard == [("this", "card.noted")]


# The layers: a module never imports (even lazily, inside a function) one that imports it back, and the
# shared machinery imports no domain.

def board_imports() -> dict[str, set[str]]:
    modules = {}
    for path in BOARD.rglob("*.py"):
        parts = path.relative_to(BOARD.parent).with_suffix("").parts
        modules[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    graph = {}
    for name, path in modules.items():
        found = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                found |= {alias.name for alias in node.names}
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                for alias in node.names:
                    full = f"{node.module}.{alias.name}"
                    found.add(full if full in modules else node.module)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Groups of modules that import each other, directly or round a circle (Tarjan)."""
    index, low, stack, on_stack, found = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while not group or group[-1] != v:
                group.append(stack.pop())
                on_stack.discard(group[-1])
            if len(group) > 1:
                found.append(sorted(group))

    for v in graph:
        if v not in index:
            visit(v)
    return found


def test_no_import_circles_even_lazy_ones():
    graph = board_imports()
    graph.pop("board")  # create_app() imports every domain to wire it: the top, imported by no module of board
    assert "board.live.render" in graph["board.live.views"]  # the walk sees imports at all
    assert cycles(graph) == []


def test_the_cycle_finder_finds_a_circle():
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


DOMAINS = ("board.auth", "board.cards", "board.box", "board.households", "board.activity", "board.accounts", "board.care")


@pytest.mark.parametrize(("module", "forbidden"), [
    ("board.extensions", ("board",)),
    ("board.events", DOMAINS + ("board.live", "board.notifications")),
    ("board.registry", DOMAINS + ("board.live", "board.notifications")),
    ("board.notifications", DOMAINS),
    ("board.notifications.service", DOMAINS),
    ("board.notifications.views", DOMAINS),
    ("board.cards.housekeeping", ("board.box",)),
    ("board.cards.notify", ("board.box",)),
    ("board.live.broker", ("board.live.render", "board.live.views") + DOMAINS),
])
def test_nothing_runs_back_up_a_layer(module, forbidden):
    graph = board_imports()
    assert module in graph
    imported = graph[module]
    assert not {m for m in imported if m.startswith(forbidden)}, imported
