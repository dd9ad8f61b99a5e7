"""Fast pages: a card's public HTML drawn once per (version, language) and shared by the board, its
fragments and the live stream; the viewer's own parts added per viewer; a bounded number of queries."""
import re
from datetime import timedelta

import pytest
from sqlalchemy import func, select

from board.cards import public, service, transitions
from board.extensions import db
from board.live import render
from board.models import Building, Card, Event, Handoff, utcnow
from tests import factories
from tests.conftest import ON_POSTGRES, counting_statements

HTMX_LIST = {"HX-Request": "true", "HX-Target": "card-list"}


def articles(page: str) -> dict[str, str]:
    return {card_id: markup for markup, card_id in re.findall(r'(<article id="(card-\d+)".*?</article>)', page, re.S)}


@pytest.fixture
def renders(app, monkeypatch):
    """The public card parts rendered (not served from the cache) meanwhile, as (card id, full, locale)."""
    drawn = []
    cache = public.cache()
    put = cache.put

    def counting_put(key, value):
        card_id, _version, locale, full, *_ = key
        drawn.append((card_id, full, locale))
        put(key, value)

    monkeypatch.setattr(cache, "put", counting_put)
    return drawn


@pytest.fixture
def crowd(community):
    """Ten residents who post and help."""
    return [factories.user(community, login=f"n{i}", display_name=f"Neighbour {i}", building=i % 3,
                           unit=f"{i}02") for i in range(10)]


def seed(crowd, n_cards: int) -> list:
    """n open cards (needs and offers) by the crowd, and handoffs on other cards: matched, received, thanked."""
    cards = [factories.card(crowd[i % 10], title=f"card {i}", kind="offer" if i % 3 == 0 else "need",
                            quantity=5 if i % 3 == 0 else None, for_child=i % 4 == 0) for i in range(n_cards)]
    for i in range(3):  # needs being helped with: off the board, with a handoff and a history
        need = factories.card(crowd[i], title=f"helped {i}")
        helper = crowd[(i + 1) % 10]
        handoff = transitions.start(need, "match", helper)
        if i:
            transitions.apply_handoff(handoff, "leave_at_door", helper, note="on the handle")
            transitions.apply_handoff(handoff, "confirm_received", crowd[i])
            transitions.apply_handoff(handoff, "thank", crowd[i], thanks="thank you!")
    return cards


def busy_offer(crowd, asks: int):
    """An offer of 20 with `asks` neighbours' asks, some handed over and thanked, one given up."""
    offer = factories.card(crowd[0], kind="offer", title="Rice", quantity=20)
    for i in range(asks):
        asker = crowd[1 + i % 9]
        handoff = transitions.start(offer, "ask", asker, quantity=1)
        if i % 3 == 1:
            transitions.apply_handoff(handoff, "leave_at_door", crowd[0], note="bag on the handle")
            transitions.apply_handoff(handoff, "confirm_received", asker)
            transitions.apply_handoff(handoff, "thank", asker, thanks="many thanks")
        elif i % 3 == 2:
            transitions.apply_handoff(handoff, "cancel", asker)
    return offer


def statements_for(client, url, headers=None):
    assert client.get(url, headers=headers).status_code == 200  # warm: the same session work each time
    with counting_statements() as statements:
        response = client.get(url, headers=headers)
    assert response.status_code == 200
    return statements, response.get_data(as_text=True)


# Queries ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("who", ["resident", "coordinator"])
def test_the_board_takes_at_most_4_queries_with_many_cards_and_handoffs(
    app, make_client, login, crowd, resident, coordinator, who
):
    app.config["BOARD_PAGE_SIZE"] = 50
    seed(crowd, 12)
    viewer = login(make_client(), {"resident": resident, "coordinator": coordinator}[who])
    few, _ = statements_for(viewer, "/")
    seed(crowd, 70)
    many, page = statements_for(viewer, "/")
    assert len(articles(page)) == 50
    assert len(many) == len(few) <= 4, "\n".join(many)
    fragment, html = statements_for(viewer, "/", HTMX_LIST)
    assert len(articles(html)) == 50 and len(fragment) <= 4, "\n".join(fragment)


@pytest.mark.parametrize("who", ["author", "asker", "coordinator", "neighbour"])
def test_a_card_page_takes_at_most_5_queries_whatever_its_handoffs(
    make_client, login, crowd, coordinator, community, who
):
    small = busy_offer(crowd, 2)
    big = busy_offer(crowd, 15)
    viewer = {"author": crowd[0], "asker": crowd[2], "coordinator": coordinator,
              "neighbour": factories.user(community, login="outsider", unit="777")}[who]
    client = login(make_client(), viewer)
    few, _ = statements_for(client, f"/cards/{small.id}")
    many, page = statements_for(client, f"/cards/{big.id}")
    assert len(many) == len(few) <= 5, "\n".join(many)
    if who in ("author", "coordinator"):  # they see every ask, with its history
        stored = db.session.scalar(select(func.count(Handoff.id)).where(Handoff.card_id == big.id))
        assert page.count('class="handoff ') == stored > 10 and "History" in page
    fragment, _ = statements_for(client, f"/cards/{big.id}", {"HX-Request": "true", "HX-Target": f"card-{big.id}"})
    assert len(fragment) <= 5, "\n".join(fragment)


@pytest.mark.parametrize("who", ["author", "volunteer", "coordinator", "neighbour"])
@pytest.mark.parametrize("errand_state", ["none", "waiting", "claimed"])
def test_a_needs_page_takes_at_most_5_queries_with_or_without_its_errand(
    make_client, login, community, crowd, coordinator, who, errand_state
):
    from board.errands import service as errands

    volunteer = factories.on_duty(factories.user(community, login="zhou", display_name="Auntie Zhou", unit="201",
                                                 role="volunteer"))
    if errand_state == "none":
        need = factories.card(crowd[0], title="Blood pressure tablets")
        transitions.apply_handoff(transitions.start(need, "match", crowd[1]), "leave_at_door", crowd[1], note="bag")
    else:
        errand = errands.place_errand(crowd[0], household=crowd[0].household, title="Blood pressure tablets",
                                      from_where="Pharmacy")
        if errand_state == "claimed":
            errands.claim(errand, volunteer)
        need = errand.card
    viewer = {"author": crowd[0], "volunteer": volunteer, "coordinator": coordinator, "neighbour": crowd[5]}[who]
    statements, page = statements_for(login(make_client(), viewer), f"/cards/{need.id}")
    assert "Blood pressure tablets" in page
    assert len(statements) <= 5, "\n".join(statements)


@pytest.mark.parametrize("who", ["helper", "coordinator"])
def test_my_activity_takes_the_same_4_queries_whatever_its_cards_handoffs_and_errands(
    make_client, login, crowd, coordinator, who
):
    """Each card there is drawn in full (buttons, handoffs, doors): read for them all, not per card."""
    from board.errands import service as errands

    helper = {"helper": crowd[1], "coordinator": coordinator}[who]

    def take_part(n):
        for i in range(n):
            need = factories.card(crowd[2 + i % 5], title=f"Fever medicine {i}")
            transitions.start(need, "match", helper)
            factories.card(helper, title=f"Rice for two {i}")
        offer = factories.card(crowd[0], kind="offer", title="Spare rice", quantity=9, unit="bags")
        transitions.start(offer, "ask", helper)

    client = login(make_client(), helper)
    take_part(1)
    few, _ = statements_for(client, "/me/activity")
    take_part(6)
    errands.place_errand(helper, household=helper.household, title="Blood pressure tablets", from_where="Pharmacy")
    many, page = statements_for(client, "/me/activity")
    assert page.count("Fever medicine") == 7 and page.count("Rice for two") == 7 and page.count("Spare rice") == 2
    assert "Blood pressure tablets" in page
    assert len(many) == len(few) <= 4, "\n".join(many)


def test_an_overdue_match_still_lapses_when_the_board_is_viewed(client, login, crowd, resident):
    need = factories.card(crowd[0], title="Rice")
    handoff = transitions.start(need, "match", crowd[1])
    handoff.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()
    page = login(client, resident).get("/").get_data(as_text=True)
    assert "Rice" in page and "1 open need" in page
    assert db.session.scalar(select(Event.kind).where(Event.kind == "handoff.lapse")) == "handoff.lapse"


# Rendered once ------------------------------------------------------------------------------------

def test_the_board_and_its_fragment_share_each_cards_public_html(client, login, crowd, resident, renders):
    cards = seed(crowd, 5)
    login(client, resident)
    first = articles(client.get("/").get_data(as_text=True))
    assert sorted(renders) == sorted((c.id, False, "en") for c in cards)
    renders.clear()
    again = articles(client.get("/").get_data(as_text=True))
    fragment = articles(client.get("/", headers=HTMX_LIST).get_data(as_text=True))
    assert renders == [] and first == again == fragment


def test_the_live_stream_reuses_the_boards_public_html(client, login, crowd, resident, renders):
    card = factories.card(crowd[0], title="Antigen tests")
    login(client, resident).get("/")
    assert renders == [(card.id, False, "en")]
    renders.clear()
    event = db.session.scalars(select(Event).where(Event.card_id == card.id)).one()
    fragment = render.public_fragments(event, {"en"})["en"]
    assert "Antigen tests" in fragment and renders == []
    board_card = articles(client.get("/").get_data(as_text=True))[f"card-{card.id}"]
    streamed = articles(fragment)[f"card-{card.id}"]
    # The same card, but for the out-of-band attribute that tells the page where it goes.
    assert streamed.replace(f' data-hx-swap-oob="outerHTML:#card-list &gt; #card-{card.id}"', "") == board_card


def test_each_language_is_drawn_once(make_client, login, community, crowd, renders):
    card = factories.card(crowd[0], title="Fever medicine")
    readers = [factories.user(community, login=f"zh{i}", locale="zh_CN", unit=f"8{i}") for i in range(2)]
    for reader in readers:
        page = login(make_client(), reader).get("/").get_data(as_text=True)
        assert "药品" in page
    login(make_client(), crowd[1]).get("/")
    assert sorted(renders) == [(card.id, False, "en"), (card.id, False, "zh_Hans_CN")]


def test_a_change_to_the_card_is_drawn_anew(client, login, crowd, resident, renders):
    card = factories.card(crowd[0], title="Fever medicine")
    login(client, resident).get("/")
    card.title = "Fever medicine for a child"
    db.session.commit()  # any write bumps the card's version
    assert "Fever medicine for a child" in client.get("/").get_data(as_text=True)
    assert renders == [(card.id, False, "en"), (card.id, False, "en")]


def test_the_authors_new_name_is_shown_on_the_card_page(client, login, crowd, resident):
    card = factories.card(crowd[0], title="Fever medicine")
    login(client, resident)
    assert "Posted by Neighbour 0" in client.get(f"/cards/{card.id}").get_data(as_text=True)
    crowd[0].display_name = "Auntie Zhang"
    db.session.commit()
    assert "Posted by Auntie Zhang" in client.get(f"/cards/{card.id}").get_data(as_text=True)


def test_relative_times_stay_right_while_the_card_is_kept(client, login, crowd, resident, renders, monkeypatch):
    card = factories.card(crowd[0], title="Fever medicine")
    login(client, resident)
    assert re.search(r"<time [^>]*>(0 minutes|1 minute) ago</time>", client.get("/").get_data(as_text=True))
    later = utcnow() + timedelta(minutes=42)
    monkeypatch.setattr("board.i18n.utcnow", lambda: later)
    monkeypatch.setattr("board.cards.public.utcnow", lambda: later)  # the board asks the clock once for its 50 times
    page = client.get("/").get_data(as_text=True)
    assert re.search(r"<time [^>]*>42 minutes ago</time>", page), articles(page)
    assert renders == [(card.id, False, "en")]  # drawn once, its time filled in per request


def test_a_board_drawn_before_loads_no_card_and_draws_none(client, login, crowd, resident, renders):
    seed(crowd, 8)
    login(client, resident)
    first = client.get("/").get_data(as_text=True)
    renders.clear()
    statements, again = statements_for(client, "/")
    assert articles(again) == articles(first) and len(articles(again)) == 8 and renders == []
    # Which cards at which versions (one narrow statement), not the cards themselves.
    assert not [s for s in statements if "cards.title" in s], "\n".join(statements)
    assert len(statements) <= 3, "\n".join(statements)


def test_a_card_moved_up_without_a_new_version_moves_up_on_a_kept_board(client, login, crowd, resident):
    older = factories.card(crowd[0], title="Older need")
    newer = factories.card(crowd[1], title="Newer need")
    login(client, resident)
    assert list(articles(client.get("/").get_data(as_text=True))) == [f"card-{newer.id}", f"card-{older.id}"]
    # As the care roster does when a household becomes vulnerable: the order, not the card's version.
    db.session.execute(Card.__table__.update().where(Card.id == older.id).values(priority=1))
    db.session.commit()
    assert list(articles(client.get("/").get_data(as_text=True))) == [f"card-{older.id}", f"card-{newer.id}"]


def test_a_card_changed_after_the_board_was_read_is_drawn_as_it_is_and_not_kept(app, crowd, resident):
    card = factories.card(crowd[0], title="Fever medicine")
    rows, _ = service.board_page(resident.community_id, service.BoardFilters())
    card.title = "Fever medicine for a child"
    db.session.commit()  # between reading the page's rows and drawing its cards
    names = {b.id: b.name for b in db.session.scalars(select(Building))}
    with app.test_request_context("/"):
        html = str(public.board_list(rows, names))
    assert "Fever medicine for a child" in html and html.count("<time ") == 1
    assert len(public.app_cache("board_lists", size=1)) == 0  # that page (an old version's key) is not kept


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's (make test-postgres)")
def test_a_transaction_that_only_read_keeps_its_prepared_statements_one_that_wrote_is_undone(community):
    lookup = select(Building.id).where(Building.community_id == community.id)
    with db.engine.connect() as conn:
        for _ in range(7):  # psycopg prepares a statement on its 6th run on a connection
            conn.execute(lookup).all()
            conn.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar() >= 1
        conn.rollback()
        conn.execute(Building.__table__.insert().values(community_id=community.id, name="Ghost block"))
        conn.rollback()
        assert conn.execute(select(Building.id).where(Building.name == "Ghost block")).first() is None
        conn.exec_driver_sql("SELECT pg_notify('nobody', 'x')")  # a notification is sent only by a commit
        conn.rollback()
        assert conn.exec_driver_sql("SELECT count(*) FROM pg_prepared_statements").scalar() == 0


@pytest.mark.skipif(not ON_POSTGRES, reason="prepared statements are PostgreSQL's (make test-postgres)")
def test_a_connection_the_database_dropped_rolls_back_without_a_new_error(app):
    """What a PostgreSQL restart does to a request in flight (bench/load.py): the read-only hook must not
    turn the app's friendly 503 into a 500 by asking an invalidated connection anything."""
    with db.engine.connect() as conn:
        conn.execute(select(Building.id)).all()
        conn.invalidate()
        conn.rollback()  # raised PendingRollbackError from the hook before
        assert conn.invalidated


@pytest.mark.parametrize("statement, reads", [
    ("SELECT users.id FROM users", True), ("select\n(SELECT count(*) FROM cards)", True),
    ("SELECT pg_notify(%(channel)s, %(payload)s)", False), ("SELECT  nextval('x')", False),
    ("INSERT INTO events VALUES (1)", False), ("UPDATE cards SET version = 2", False),
    ("WITH gone AS (DELETE FROM cards RETURNING id) SELECT 1", False),
])
def test_only_a_plain_select_counts_as_a_read(statement, reads):
    from board.extensions import _READ

    assert bool(_READ.match(statement)) is reads


def test_the_resident_is_loaded_with_the_compounds_buildings_only_on_the_board(client, login, crowd, resident):
    login(client, resident)

    def joined_buildings(url):
        statements, _ = statements_for(client, url)
        user = next(s for s in statements if "login_sessions" in s)
        return user.count("JOIN buildings AS")

    # Elsewhere one row for the resident, not one per building of the compound; nor their home's building
    # (policy asks by the household's id; the pages that show the home load it).
    assert joined_buildings("/") == 1 and joined_buildings("/me/activity") == joined_buildings("/offline") == 0


def test_the_open_counts_are_counted_again_only_after_a_move_or_an_expiry(client, login, crowd, resident, monkeypatch):
    from board import frame

    kept = []
    keep = frame._keep_counts
    monkeypatch.setattr(frame, "_keep_counts", lambda community_id, counts: (kept.append(counts.counts), keep(community_id, counts)))
    soon = factories.card(crowd[0], title="Rice", days_up=1)
    factories.card(crowd[1], title="Milk", days_up=3)
    login(client, resident)
    assert "2 open needs" in client.get("/").get_data(as_text=True)
    assert "2 open needs" in client.get("/").get_data(as_text=True)
    assert kept == [{"need": 2, "offer": 0}]  # the second board did not count
    factories.card(crowd[2], title="Blankets", kind="offer")  # a move: its event says count again
    assert "1 open offer" in client.get("/").get_data(as_text=True) and len(kept) == 2
    later = soon.expires_at + timedelta(minutes=1)  # no event, but the soonest card expired meanwhile
    monkeypatch.setattr("board.frame.utcnow", lambda: later)
    monkeypatch.setattr("board.cards.service.utcnow", lambda: later)
    page = client.get("/").get_data(as_text=True)
    assert "1 open need" in page and "Rice" not in page and kept[-1] == {"need": 1, "offer": 1}


def test_each_viewer_gets_their_own_buttons_around_one_public_part(make_client, login, crowd, coordinator, renders):
    need = factories.card(crowd[0], title="Fever medicine")
    pages = {}
    for who, user in (("author", crowd[0]), ("neighbour", crowd[1]), ("coordinator", coordinator)):
        pages[who] = login(make_client(), user).get(f"/cards/{need.id}").get_data(as_text=True)
    assert renders == [(need.id, True, "en")]
    assert "Edit" in pages["author"] and "I can help" not in pages["author"]
    assert "I can help" in pages["neighbour"] and "Withdraw" not in pages["neighbour"]
    assert "Withdraw" in pages["coordinator"]
    # The doors are the viewer's own too: once matched, the helper sees the requester's, nobody else does.
    transitions.start(need, "match", crowd[1])
    helper = login(make_client(), crowd[1]).get(f"/cards/{need.id}").get_data(as_text=True)
    other = login(make_client(), crowd[2]).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "unit 002" in helper and "unit 002" not in other


# A card's history: drawn once per card state and language, for everyone who may read it -----------

def history_lines(page: str) -> list[str]:
    timeline = re.search(r'<details class="timeline">.*?</details>', page, re.S)
    return [re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", li)).strip()
            for li in re.findall(r"<li>.*?</li>", timeline.group(0), re.S)] if timeline else []


def test_a_history_drawn_before_reads_no_event(client, login, crowd):
    offer = busy_offer(crowd, 6)
    login(client, crowd[0])
    first = client.get(f"/cards/{offer.id}").get_data(as_text=True)
    statements, again = statements_for(client, f"/cards/{offer.id}")
    assert history_lines(again) == history_lines(first) and len(history_lines(again)) > 6
    assert "Neighbour 2 asked for 1" in " ".join(history_lines(again))
    assert not [s for s in statements if s.startswith("SELECT events.kind")], "\n".join(statements)


def test_a_move_a_new_name_and_an_erasure_are_read_anew(make_client, login, crowd):
    from board.accounts import service as accounts

    need = factories.card(crowd[0], title="Fever medicine")
    handoff = transitions.start(need, "match", crowd[1])
    author, helper = login(make_client(), crowd[0]), login(make_client(), crowd[1])
    assert history_lines(author.get(f"/cards/{need.id}").get_data(as_text=True))[-1].endswith("Neighbour 1 offered to help")
    transitions.apply_handoff(handoff, "leave_at_door", crowd[1], note="on the handle")
    lines = history_lines(helper.get(f"/cards/{need.id}").get_data(as_text=True))
    assert lines[-1].endswith("Neighbour 1 left it at the door")
    crowd[1].display_name = "Uncle Li"
    db.session.commit()
    lines = history_lines(author.get(f"/cards/{need.id}").get_data(as_text=True))
    assert lines[-1].endswith("Uncle Li left it at the door") and "Neighbour 1" not in " ".join(lines)
    accounts.erase(crowd[1], password=factories.PASSWORD)
    lines = history_lines(author.get(f"/cards/{need.id}").get_data(as_text=True))
    assert lines and "Uncle Li" not in " ".join(lines)


def test_a_history_with_a_coordinators_move_shows_their_name_as_it_is_now(make_client, login, crowd, coordinator):
    need = factories.card(crowd[0], title="Fever medicine")
    transitions.apply(need, "withdraw", coordinator)
    author = login(make_client(), crowd[0])
    before = history_lines(author.get(f"/cards/{need.id}").get_data(as_text=True))
    assert before[-1].endswith(f"{coordinator.display_name} withdrew it")
    coordinator.display_name = "Secretary Wang"
    db.session.commit()  # nothing of the card changed: a kept history would still say the old name
    assert history_lines(author.get(f"/cards/{need.id}").get_data(as_text=True))[-1].endswith("Secretary Wang withdrew it")


def test_only_who_may_read_the_history_gets_it_from_the_shared_copy(make_client, login, crowd, community):
    need = factories.card(crowd[0], title="Fever medicine")
    transitions.start(need, "match", crowd[1])
    assert history_lines(login(make_client(), crowd[0]).get(f"/cards/{need.id}").get_data(as_text=True))
    assert not history_lines(login(make_client(), crowd[5]).get(f"/cards/{need.id}").get_data(as_text=True))


# The frame's addresses and texts: built once per process, looked up after -------------------------

@pytest.fixture
def builds(monkeypatch):
    """The addresses werkzeug's routing builds meanwhile, as endpoints."""
    from werkzeug.routing import MapAdapter

    built, build = [], MapAdapter.build

    def counting_build(self, endpoint, *args, **kwargs):
        built.append(endpoint)
        return build(self, endpoint, *args, **kwargs)

    monkeypatch.setattr(MapAdapter, "build", counting_build)
    return built


def test_a_page_drawn_again_builds_no_address_it_built_before(client, login, crowd, builds):
    login(client, crowd[0])
    first = client.get("/").get_data(as_text=True)
    drawn = len(builds)
    again = client.get("/").get_data(as_text=True)
    assert drawn > 10 and len(builds) == drawn, builds[drawn:]
    assert re.findall(r'href="([^"]+)"', again) == re.findall(r'href="([^"]+)"', first)


def test_a_kept_address_is_not_given_where_the_app_is_mounted_elsewhere(client):
    client.get("/login")
    mounted = client.get("/login", environ_overrides={"SCRIPT_NAME": "/doorstep"}).get_data(as_text=True)
    addresses = re.findall(r'(?:src|href|action)="(/[^"]*)"', mounted)
    assert addresses and all(a.startswith("/doorstep/") for a in addresses), addresses
    plain = client.get("/login").get_data(as_text=True)
    assert not re.findall(r'(?:src|href|action)="/doorstep/', plain)


def test_a_text_is_translated_once_per_language_and_each_language_gets_its_own(client, monkeypatch):
    import flask_babel

    asked, get_translations = [], flask_babel.get_translations

    class Counting:
        def __init__(self, translations):
            self.translations = translations

        def ugettext(self, text):
            asked.append(text)
            return self.translations.ugettext(text)

        def __getattr__(self, name):
            return getattr(self.translations, name)

    def login_page(language):
        """The log-in page without its CSRF tokens, which carry the second they were signed in."""
        html = client.get("/login", headers={"Accept-Language": language}).get_data(as_text=True)
        return re.sub(r'(csrf_token" value=|"X-CSRFToken": )"[^"]*"', r"\1TOKEN", html)

    monkeypatch.setattr(flask_babel, "get_translations", lambda: Counting(get_translations()))
    english = login_page("en")
    assert english.count("TOKEN") >= 2 and "csrf_token" in english
    plain_texts = [text for text in asked if "%(" not in text]
    assert len(plain_texts) > 5
    del asked[:]
    assert login_page("en") == english
    assert not [text for text in asked if "%(" not in text], asked
    chinese = login_page("zh-CN")
    assert "登录" in chinese and "登录" not in english
    assert login_page("en") == english


@pytest.mark.parametrize("page", ["card", "/me/activity", "/cards/new"])
def test_a_page_reads_its_frames_numbers_with_the_resident(make_client, login, crowd, page):
    need = factories.card(crowd[0], title="Fever medicine")
    transitions.start(need, "match", crowd[1])
    client = login(make_client(), crowd[0])
    url = f"/cards/{need.id}" if page == "card" else page
    client.get(url)
    statements, html = statements_for(client, url)
    with_numbers = [s for s in statements if "notifications" in s]
    assert len(with_numbers) == 1 and "login_sessions" in with_numbers[0], "\n".join(statements)
    assert f'data-last-id="{db.session.scalar(select(func.max(Event.id)))}"' in html
