"""No 500 for any input: every route (read from app.url_map, so a new one is covered by itself) and every
form (found by reading the pages) answered with generated junk, on both databases. An answer of 400 and
above must leave every table and the event log as they were.

The bounded "ci" profile (tests/conftest.py) keeps each database pass to a couple of minutes;
`HYPOTHESIS_PROFILE=thorough` runs many more examples.
"""
import re
from datetime import date
from html.parser import HTMLParser
from urllib.parse import quote, urlsplit

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select
from werkzeug.routing import IntegerConverter

from board import create_app
from board.box import service as box
from board.cards import handoffs
from board.extensions import db
from board.cards.service import MAX_ID
from board.models import LoginSession, User
from tests import factories, images
from tests.conftest import make_test_config as config_for


@pytest.fixture
def app_config():
    return {
        "LIVE_STREAM_SECONDS": 0,  # a stream answers its hello and replay, then ends: the test reads it whole
        "LIVE_HEARTBEAT_SECONDS": 0.01,
        "PROXY_COUNT": 1,  # X-Forwarded-For is read (as behind nginx), so junk in it is tried too
    }


# Junk ------------------------------------------------------------------------------------------------

SPECIAL = [
    "", " ", "0", "-1", "1", "²", "١٢", "1e9", "0x10", "nan", "inf", "1.5", str(MAX_ID), str(MAX_ID + 1),
    str(2**63 - 1), str(2**63), str(2**64), "9" * 5000, "\u200b", "\u200b\u200d\ufeff", "\u202e\u2066\u2069",
    "\r\nSet-Cookie: x=1", "/\r\n/evil", "\t", "%", "%ZZ", "%0d%0a", "//evil.example", "https://evil.example/",
    "/\\evil", "http://[", "/[", "/" + "a" * 100_000, "a" * 5000, "9999-12-31", "0001-01-01", "2026-02-30",
    "<script>alert(1)</script>", "' OR 1=1 --", "null", "true", "[]", "{}", "😀" * 50, "发烧药",
]

text_junk = st.one_of(st.sampled_from(SPECIAL), st.text(st.characters(blacklist_categories=["Cs"]), max_size=40))
# Header values travel as latin-1 and never hold CR/LF (servers drop such lines).
header_junk = st.one_of(
    st.sampled_from([v for v in SPECIAL if "\r" not in v and "\n" not in v and all(ord(c) < 256 for c in v)]),
    st.text(st.characters(min_codepoint=32, max_codepoint=255, blacklist_characters="\x7f"), max_size=40),
)
id_junk = st.one_of(st.integers(0, 10), st.integers(0, 2**80), st.sampled_from([MAX_ID, MAX_ID + 1, 2**63]))


def junk_headers():
    names = ["HX-Request", "HX-Target", "HX-Current-URL", "Last-Event-ID", "X-Forwarded-For", "Accept-Language"]
    return st.dictionaries(st.sampled_from(names), header_junk, max_size=4).map(
        lambda h: {**h, "HX-Request": "true"} if "HX-Target" in h else h
    )


# The world every example runs in ---------------------------------------------------------------------

class World:
    """A community with open, asked and matched cards, a shelf with stock, a gift and a delivery waiting."""

    def __init__(self, app):
        self.app = app
        c = factories.community()
        self.lina = factories.user(c, login="lina", display_name="Li Na", unit="502")
        self.chen = factories.user(c, login="chen", display_name="Dr Chen", building=1, unit="1201")
        self.wang = factories.user(c, login="wang", display_name="Wang", unit="101", role="coordinator")
        self.need = factories.card(self.lina, title="Fever medicine")
        self.matched_need = factories.card(self.lina, title="Rice", category="food")
        handoffs.offer_help(self.matched_need, self.chen)
        self.offer = factories.card(self.chen, kind="offer", category="food", title="Eggs", quantity=6,
                                    unit="eggs", first_come=False)
        handoffs.ask(self.offer, self.lina, 2)
        self.shelf = factories.shelf(c, keepers=(self.wang,))
        self.item = factories.box_item(self.shelf)
        box.offer_gift(self.lina, self.shelf, quantity=2, name="Masks", category="supplies", unit="box")
        box.request_delivery(self.lina, self.item.id, 1, note="hang it on the handle of 502")
        self.users = [self.lina, self.chen, self.wang]

    def ids(self) -> list[int]:
        return sorted({self.need.id, self.matched_need.id, self.offer.id, self.shelf.id, self.item.id,
                       *(u.id for u in self.users), 1, 2, 3})

    def client_as(self, user: User | None):
        """A fresh browser logged in as `user` (a session minted directly: no login form, no rate limit)."""
        from board.auth import sessions

        client = self.app.test_client()
        if user is not None:
            db.session.refresh(user)
            secret = "junk-" + str(db.session.scalar(select(func.count()).select_from(LoginSession)) + 1)
            db.session.merge(LoginSession(token_hash=sessions._hash(secret), user_id=user.id))
            db.session.commit()
            with client.session_transaction() as s:
                s["_user_id"] = f"{user.id}.{user.session_version}.{secret}"
                s["_fresh"] = True
        return client


@pytest.fixture
def world(app):
    return World(app)


def snapshot() -> dict:
    """How many rows every table holds, and the newest event: what an error must leave as it was."""
    db.session.rollback()
    tables = db.metadata.sorted_tables
    row = db.session.execute(select(*(select(func.count()).select_from(t).scalar_subquery().label(t.name)
                                      for t in tables))).one()
    return dict(row._mapping)


def send(client, method: str, url: str, **kwargs):
    response = client.open(url, method=method, buffered=True, **kwargs)
    response.get_data()
    response.close()
    return response


def check(world, user, method, url, **kwargs):
    client = world.client_as(user)
    before = snapshot()
    response = send(client, method, url, **kwargs)
    assert response.status_code < 500, f"{method} {url[:200]} → {response.status_code}"
    if response.status_code >= 400:
        assert snapshot() == before, f"{method} {url[:200]} answered {response.status_code} but wrote"
    location = response.headers.get("Location", "")
    assert len(location) <= 2100 and "\r" not in location and "\n" not in location
    return response


# Every route -----------------------------------------------------------------------------------------

def _rules():
    app = create_app(config_for("sqlite://"), instance_path="/tmp/doorstep-junk-rules")
    return [(rule, method) for rule in app.url_map.iter_rules() if rule.endpoint != "static"
            for method in sorted(rule.methods - {"HEAD", "OPTIONS"})]


RULES = _rules()
FIELD_NAMES = ["next", "version", "quantity", "title", "details", "kind", "category", "urgency", "days_up",
               "medicine_expires_on", "expires_on", "first_come", "lang", "code", "login", "password", "confirm",
               "current", "display_name", "unit", "building", "locale", "note", "thanks", "compact", "full", "name",
               "location", "user", "counted", "daily_limit", "low_at", "reason", "remember", "q", "after"]


def url_for_rule(rule, values: dict) -> str:
    def fill(match):
        name = match.group(1)
        return quote(str(values[name]), safe="")
    return re.sub(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([a-z_]+)>", fill, rule.rule)


def arguments_for(rule, world):
    parts = {}
    for name, converter in rule._converters.items():
        if isinstance(converter, IntegerConverter):
            parts[name] = st.one_of(st.sampled_from(world.ids()), id_junk)
        elif hasattr(converter, "items"):
            parts[name] = st.one_of(st.sampled_from(sorted(converter.items)), text_junk.filter(bool))
        else:
            parts[name] = text_junk.filter(bool)
    return st.fixed_dictionaries(parts)


@pytest.mark.parametrize("rule,method", RULES, ids=[f"{m} {r.rule}" for r, m in RULES])
def test_every_route_answers_junk_without_a_500(world, rule, method):
    users = st.sampled_from([None, *world.users])

    @given(user=users, args=arguments_for(rule, world), headers=junk_headers(),
           query=st.dictionaries(st.sampled_from(FIELD_NAMES + ["last_id", "resume", "kind"]), text_junk, max_size=4),
           form=st.dictionaries(st.sampled_from(FIELD_NAMES), text_junk, max_size=6),
           remote=st.sampled_from(["127.0.0.1", "10.0.0.7", "::1"]))
    def run(user, args, headers, query, form, remote):
        url = url_for_rule(rule, args)
        kwargs = {"headers": headers, "query_string": query, "environ_base": {"REMOTE_ADDR": remote}}
        if method == "POST":
            kwargs["data"] = form
        check(world, user, method, url, **kwargs)

    run()


# Every form ------------------------------------------------------------------------------------------

class Forms(HTMLParser):
    """The POST forms of a page: action, and each control with its kind, default and choices."""

    def __init__(self):
        super().__init__()
        self.forms, self.current, self.select = [], None, None

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form" and a.get("method", "get").lower() == "post":
            self.current = {"action": a.get("action", ""), "fields": {}}
            self.forms.append(self.current)
        elif self.current is None or not a.get("name"):
            return
        elif tag in ("input", "textarea"):
            kind = a.get("type", "text") if tag == "input" else "textarea"
            field = self.current["fields"].setdefault(a["name"], {"kind": kind, "values": []})
            if a.get("value") is not None:
                field["values"].append(a["value"])
        elif tag == "select":
            self.select = self.current["fields"].setdefault(a["name"], {"kind": "select", "values": []})
        if tag == "option" and self.select is not None and a.get("value") is not None:
            self.select["values"].append(a["value"])

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None
        elif tag == "select":
            self.select = None


def pages_to_read(world) -> list[str]:
    """Every GET route with the world's ids in it."""
    values = {"card_id": [world.need.id, world.matched_need.id, world.offer.id], "shelf_id": [world.shelf.id],
              "item_id": [world.item.id], "handoff_id": [h.id for c in (world.matched_need, world.offer)
                                                         for h in handoffs.visible_handoffs(c, world.wang)]}
    urls = []
    for rule, method in RULES:
        if method != "GET" or "/live/" in rule.rule or rule.rule.endswith((".csv", "/photo")):
            continue
        names = list(rule._converters)
        if not names:
            urls.append(rule.rule)
        elif len(names) == 1 and names[0] in values:
            urls += [url_for_rule(rule, {names[0]: v}) for v in values[names[0]]]
    return urls


def discover_forms(world) -> list[tuple[User | None, str, dict]]:
    found = {}
    for user in [None, *world.users]:
        client = world.client_as(user)
        for url in pages_to_read(world):
            response = send(client, "GET", url)
            if response.status_code != 200 or response.mimetype != "text/html":
                continue
            parser = Forms()
            parser.feed(response.get_data(as_text=True))
            for form in parser.forms:
                action = form["action"] or url
                key = (user.login if user else None, urlsplit(action).path, tuple(sorted(form["fields"])))
                found.setdefault(key, (user, action, form["fields"]))
    return list(found.values())


def value_for(field: dict):
    kind, values = field["kind"], field["values"]
    good = st.sampled_from(values) if values else st.just("")
    typed = {
        "number": st.integers(-(2**70), 2**70).map(str),
        "date": st.dates(date(1, 1, 1), date(9999, 12, 31)).map(date.isoformat),
        "checkbox": st.sampled_from(["y", "1", "on", "", "no"]),
    }.get(kind, text_junk)
    return st.one_of(good, good, typed, text_junk)


def file_junk():
    return st.sampled_from([
        None,
        ("not an image", "note.txt"),
        (images.png(8, 8), "small.png"),
        (images.bomb_png(9400, 9400), "bomb.png"),
        (images.png(8, 8)[:40], "truncated.png"),
    ])


def form_data(fields: dict):
    parts = {}
    for name, field in fields.items():
        if name == "csrf_token":
            continue
        parts[name] = file_junk() if field["kind"] == "file" else st.one_of(st.none(), value_for(field))
    return st.fixed_dictionaries(parts).map(lambda d: {k: v for k, v in d.items() if v is not None})


def test_every_form_answers_junk_without_a_500(world):
    import io

    forms = discover_forms(world)
    actions = {urlsplit(action).path for _user, action, _fields in forms}
    # The crawl must keep finding the forms, or this test would quietly test less.
    for expected in ["/login", "/language", "/profile", "/password", "/logout", "/profile/logout-everywhere",
                     f"/cards/{world.need.id}/help", f"/cards/{world.offer.id}/ask", "/cards/new",
                     f"/box/items/{world.item.id}/take", f"/box/items/{world.item.id}/deliver",
                     f"/box/shelves/{world.shelf.id}/give", "/box/shelves/new"]:
        assert expected in actions, f"no form posts to {expected}"
    assert len(forms) >= 25

    for user, action, fields in forms:
        if urlsplit(action).path in ("/logout", "/profile/logout-everywhere"):
            continue  # they take no input; the route test sends them junk all the same

        @given(data=form_data(fields), headers=junk_headers())
        @settings(max_examples=settings().max_examples // 2 or 1)
        def run(data, headers):
            body = {k: (io.BytesIO(v[0].encode() if isinstance(v[0], str) else v[0]), v[1])
                    if isinstance(v, tuple) else v for k, v in data.items()}
            check(world, user, "POST", action, data=body, headers=headers)

        run()


# Junk in the live stream's headers -------------------------------------------------------------------

@given(last_event_id=header_junk, last_id=text_junk)
def test_the_stream_and_the_poll_take_any_last_id(world, last_event_id, last_id):
    for path in ("/live/stream", "/live/poll"):
        check(world, world.lina, "GET", path, headers={"Last-Event-ID": last_event_id},
              query_string={"last_id": last_id})

