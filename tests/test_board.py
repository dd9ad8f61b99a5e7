"""The board: scoping, ordering, filters, search, keyset paging, htmx fragments, constant queries."""
import re
from datetime import datetime, timedelta

import pytest
from sqlalchemy import text

from board.cards.service import BoardFilters, board_page, board_query
from board.extensions import db
from board.models import Card, utcnow
from tests import factories
from tests.conftest import ON_POSTGRES, counting_statements
from tests.pages import is_checked, value_of

HTMX_LIST = {"HX-Request": "true", "HX-Target": "card-list"}


def card(author, title, *, minutes_ago=0, created_at=None, **fields):
    """A card posted `minutes_ago` (the timestamp set directly, so that ordering is exact)."""
    c = factories.card(author, title=title, **fields)
    c.created_at = created_at or (utcnow() - timedelta(minutes=minutes_ago))
    c.expires_at = c.created_at + timedelta(days=3)
    db.session.commit()
    return c


def titles(page: str) -> list[str]:
    return re.findall(r'<h2 class="card-title"><a [^>]*>([^<]*)</a>', page)


def articles(page: str) -> dict[str, str]:
    """Each card's markup by its id."""
    return {card_id: markup for markup, card_id in re.findall(r'(<article id="(card-\d+)".*?</article>)', page, re.S)}


def board(client, **args) -> str:
    response = client.get("/", query_string=args)
    assert response.status_code == 200
    return response.get_data(as_text=True)


@pytest.fixture
def viewer(client, neighbour, login):
    login(client, neighbour)
    return client


# Scope and ordering -------------------------------------------------------------------------------

def test_urgent_first_then_vulnerable_then_the_rest_newest_first(viewer, resident):
    card(resident, "normal old", minutes_ago=50)
    card(resident, "normal new", minutes_ago=1)
    card(resident, "vulnerable old", minutes_ago=40, for_child=True)
    card(resident, "vulnerable new", minutes_ago=2, for_elderly=True)
    card(resident, "urgent old", minutes_ago=30, urgency="urgent")
    card(resident, "urgent vulnerable oldest", minutes_ago=60, urgency="urgent", for_pregnant=True)
    card(resident, "sealed only", minutes_ago=0, sealed=True)
    assert titles(board(viewer)) == [
        "urgent vulnerable oldest", "urgent old", "vulnerable new", "vulnerable old",
        "sealed only", "normal new", "normal old",
    ]


def test_equal_timestamps_are_ordered_by_newest_id(viewer, resident):
    moment = utcnow() - timedelta(minutes=5)
    first = card(resident, "first", created_at=moment)
    second = card(resident, "second", created_at=moment)
    assert first.id < second.id
    assert titles(board(viewer)) == ["second", "first"]


def test_only_open_unexpired_cards_of_the_viewers_community(viewer, resident, stranger):
    card(resident, "open and fresh")
    expired = card(resident, "expired")
    expired.expires_at = utcnow() - timedelta(seconds=1)
    withdrawn = card(resident, "withdrawn")
    withdrawn.status = "withdrawn"
    db.session.commit()
    card(stranger, "another community's card")
    assert titles(board(viewer)) == ["open and fresh"]


def test_expired_cards_leave_the_board_without_a_sweep(viewer, resident):
    c = card(resident, "three days up")
    c.expires_at = utcnow() + timedelta(minutes=1)
    db.session.commit()
    assert titles(board(viewer)) == ["three days up"]
    later = db.session.scalars(board_query(c.community_id, BoardFilters(), now=utcnow() + timedelta(minutes=2))).all()
    assert later == []


def test_the_other_community_sees_only_its_own(client, resident, stranger, login):
    card(resident, "Jinting card")
    card(stranger, "Other Garden card")
    login(client, stranger)
    assert titles(board(client)) == ["Other Garden card"]


def test_an_empty_board_says_so(viewer):
    assert "Nothing on the board matches" in board(viewer)


# Filters -----------------------------------------------------------------------------------------

@pytest.fixture
def mixed(resident, neighbour, community):
    """Needs and offers across categories and buildings (resident: building 1, neighbour: building 2)."""
    card(resident, "Fever medicine for my son", minutes_ago=5, kind="need", category="medicine", urgency="urgent", for_child=True)
    card(resident, "Rice, 100% jasmine", minutes_ago=4, kind="need", category="food", details="A small_bag of rice")
    card(neighbour, "Antigen tests", minutes_ago=3, kind="offer", category="supplies", details="Five sealed TESTS", sealed=True)
    card(neighbour, "Pharmacy run at 15:00", minutes_ago=2, kind="offer", category="errand")
    card(neighbour, "Evening phone call", minutes_ago=1, kind="need", category="care", for_elderly=True)


@pytest.mark.parametrize(
    "args, expected",
    [
        ({}, ["Fever medicine for my son", "Evening phone call", "Pharmacy run at 15:00", "Antigen tests", "Rice, 100% jasmine"]),
        ({"kind": "need"}, ["Fever medicine for my son", "Evening phone call", "Rice, 100% jasmine"]),
        ({"kind": "offer"}, ["Pharmacy run at 15:00", "Antigen tests"]),
        ({"category": "medicine"}, ["Fever medicine for my son"]),
        ({"category": "errand", "kind": "offer"}, ["Pharmacy run at 15:00"]),
        ({"category": "errand", "kind": "need"}, []),
        ({"urgent": "1"}, ["Fever medicine for my son"]),
        ({"q": "rice"}, ["Rice, 100% jasmine"]),
        ({"q": "tests"}, ["Antigen tests"]),
        ({"q": "SEALED"}, ["Antigen tests"]),
        ({"q": "100%"}, ["Rice, 100% jasmine"]),
        ({"q": "%"}, ["Rice, 100% jasmine"]),
        ({"q": "small_bag"}, ["Rice, 100% jasmine"]),
        ({"q": "_"}, ["Rice, 100% jasmine"]),
        ({"q": "  phone  "}, ["Evening phone call"]),
        ({"q": "nothing like this"}, []),
    ],
)
def test_filters(viewer, mixed, args, expected):
    assert titles(board(viewer, **args)) == expected


@pytest.mark.parametrize(
    "args, expected",
    [
        ({"kind": "bogus", "category": "food"}, ["Rice, 100% jasmine"]),
        ({"kind": "offer", "category": "no-such"}, ["Pharmacy run at 15:00", "Antigen tests"]),
        ({"kind": "need", "building": "abc", "urgent": "1"}, ["Fever medicine for my son"]),
        ({"category": "care", "q": "x" * 101}, ["Evening phone call"]),
    ],
)
def test_one_bad_filter_value_drops_only_itself(viewer, mixed, args, expected):
    assert titles(board(viewer, **args)) == expected


def test_building_filter(viewer, mixed, community):
    assert titles(board(viewer, building=community.buildings[0].id)) == ["Fever medicine for my son", "Rice, 100% jasmine"]
    assert titles(board(viewer, building=community.buildings[2].id)) == []


def test_search_matches_chinese_text(viewer, resident):
    card(resident, "急需孕妇能用的退烧药", details="38.5 °C")
    card(resident, "小孩子退烧药有吗")
    assert titles(board(viewer, q="孕妇")) == ["急需孕妇能用的退烧药"]
    assert len(titles(board(viewer, q="退烧药"))) == 2


def test_the_form_shows_the_filters_in_use_so_a_bookmark_restores_them(viewer, mixed, community):
    page = board(viewer, kind="offer", category="errand", building=community.buildings[1].id, urgent="1", q="run")
    assert value_of(page, "kind") == "offer" and value_of(page, "category") == "errand"
    assert value_of(page, "building") == str(community.buildings[1].id)
    assert value_of(page, "q") == "run" and is_checked(page, "urgent")


@pytest.mark.parametrize(
    "args", [
        {"kind": "gift"}, {"building": "abc"}, {"building": "99999999999999999999"}, {"category": "x" * 300},
        {"after": "not-a-cursor"}, {"after": "1.2"}, {"after": "1.99999999999999999999999.1"},
        {"after": "1.1.99999999999999999999"}, {"after": "99999999999999999999.1.1"},
    ],
)
def test_nonsense_in_the_address_shows_the_board_not_an_error(viewer, mixed, args):
    assert len(titles(board(viewer, **args))) == 5


def test_filters_work_without_javascript_as_a_plain_get_form(viewer, mixed):
    page = board(viewer)
    form = re.search(r'<form id="filters"[^>]*>', page).group(0)
    assert 'method="get"' in form and 'action="/"' in form
    assert 'type="submit"' in page.split('<form id="filters"', 1)[1].split("</form>", 1)[0]


# Paging -------------------------------------------------------------------------------------------

def all_pages(community_id, size, filters=BoardFilters()):
    seen, cursor = [], None
    while True:
        cards, cursor = board_page(community_id, filters, cursor, size=size)
        seen.append([c.id for c in cards])
        if cursor is None:
            return seen


def test_keyset_paging_has_no_duplicates_or_omissions_even_with_equal_timestamps(app, resident, neighbour):
    moment = utcnow() - timedelta(hours=1)
    expected = []
    for i in range(23):
        # Many cards share a timestamp and a priority, so the id must break the tie across pages.
        c = card(resident if i % 2 else neighbour, f"card {i}", created_at=moment + timedelta(minutes=i // 5),
                 urgency="urgent" if i % 7 == 0 else "normal", for_child=i % 3 == 0)
        expected.append(c)
    expected.sort(key=lambda c: (-c.priority, -(c.created_at - datetime(1970, 1, 1)).total_seconds(), -c.id))
    for size in (1, 3, 5, 22, 23, 50):
        pages = all_pages(resident.community_id, size)
        assert [i for p in pages for i in p] == [c.id for c in expected], size
        assert all(len(p) == size for p in pages[:-1]) and pages[-1]


def test_paging_keeps_the_filters(app, resident, neighbour):
    for i in range(9):
        card(resident, f"need {i}", minutes_ago=i, kind="need")
        card(neighbour, f"offer {i}", minutes_ago=i, kind="offer", category="food")
    pages = all_pages(resident.community_id, 4, BoardFilters(kind="offer"))
    ids = [i for p in pages for i in p]
    assert len(ids) == 9 and {db.session.get(Card, i).kind for i in ids} == {"offer"}


def test_show_more_link_pages_through_the_board(app, viewer, resident):
    app.config["BOARD_PAGE_SIZE"] = 3
    for i in range(7):
        card(resident, f"card {i}", minutes_ago=i, kind="offer", category="food")
    page = board(viewer, kind="offer")
    shown = titles(page)
    while True:
        more = re.search(r'<a id="more"[^>]*href="([^"]+)"', page)
        if not more:
            break
        url = more.group(1).replace("&amp;", "&")
        assert "kind=offer" in url, "the filters travel with the next page"
        page = viewer.get(url, headers={"HX-Request": "true", "HX-Target": "more"}).get_data(as_text=True)
        assert "<html" not in page and '<section id="card-list"' not in page
        shown += titles(page)
    assert shown == [f"card {i}" for i in range(7)]


def test_show_more_without_javascript_is_a_full_page(app, viewer, resident):
    app.config["BOARD_PAGE_SIZE"] = 2
    for i in range(3):
        card(resident, f"card {i}", minutes_ago=i)
    more = re.search(r'<a id="more"[^>]*href="([^"]+)"', board(viewer)).group(1).replace("&amp;", "&")
    page = viewer.get(more).get_data(as_text=True)
    assert "<html" in page and titles(page) == ["card 2"]


# htmx fragments --------------------------------------------------------------------------------------

def test_the_htmx_filter_request_gets_only_the_list(viewer, mixed):
    response = viewer.get("/?kind=offer", headers=HTMX_LIST)
    fragment = response.get_data(as_text=True)
    assert fragment.lstrip().startswith('<section id="card-list"')
    assert "<html" not in fragment and "<form" not in fragment.split("<article", 1)[0]
    assert titles(fragment) == ["Pharmacy run at 15:00", "Antigen tests"]


def test_page_and_fragment_render_the_same_card_markup(viewer, mixed):
    page = articles(board(viewer))
    fragment = articles(viewer.get("/", headers=HTMX_LIST).get_data(as_text=True))
    assert len(page) == 5 and page == fragment


def test_an_htmx_request_for_another_target_gets_the_page(viewer, mixed):
    page = viewer.get("/", headers={"HX-Request": "true", "HX-Target": "main"}).get_data(as_text=True)
    assert "<html" in page


@pytest.mark.parametrize("headers", [{}, HTMX_LIST])
def test_page_and_fragment_vary_on_hx_request(viewer, headers):
    response = viewer.get("/", headers=headers)
    assert "HX-Request" in response.headers.get("Vary", "")


def test_the_filter_form_swaps_the_list_and_pushes_the_url(viewer):
    form = re.search(r'<form id="filters"[^>]*>', board(viewer)).group(0)
    assert 'data-hx-get="/"' in form and 'data-hx-target="#card-list"' in form
    assert 'data-hx-push-url="true"' in form and 'data-hx-swap="outerHTML"' in form


# What a card shows -------------------------------------------------------------------------------------

def test_a_card_on_the_board_shows_kind_category_title_building_age_urgency_and_tags(viewer, resident):
    c = card(resident, "Children's fever medicine", minutes_ago=12, urgency="urgent", for_child=True, sealed=True,
             details="Secret details stay on the card page")
    html = articles(board(viewer))[f"card-{c.id}"]
    for text_ in ("Need", "Medicine", "Children&#39;s fever medicine", "Building 1", "12 minutes ago", "Urgent",
                  "For a child", "Sealed / unopened"):
        assert text_ in html, text_
    assert "Secret details" not in html
    assert f'href="/cards/{c.id}"' in html


def test_the_card_page_shows_the_details(viewer, resident):
    c = card(resident, "Cold granules", details="Two boxes,\nexpire next year.", kind="offer",
             medicine_expires_on=(utcnow() + timedelta(days=100)).date())
    page = viewer.get(f"/cards/{c.id}").get_data(as_text=True)
    assert "Two boxes,\nexpire next year." in page and "Posted by Li Na" in page
    assert "Medicine expires on" in page and "On the board until" in page


# Queries ----------------------------------------------------------------------------------------------

def test_a_board_page_costs_the_same_number_of_queries_for_2_or_20_cards(app, viewer, community):
    authors = [factories.user(community, login=f"author{i}", building=i % 3, unit=f"{i}01") for i in range(10)]

    def statements_for_board():
        viewer.get("/")  # warm: the login session is loaded the same way each time
        with counting_statements() as statements:
            page = board(viewer)
        return len(statements), len(titles(page))

    for i in range(2):
        card(authors[i], f"card {i}", minutes_ago=i)
    few, shown = statements_for_board()
    assert shown == 2
    for i in range(2, 25):
        card(authors[i % 10], f"card {i}", minutes_ago=i, for_child=i % 2 == 0)
    many, shown = statements_for_board()
    assert shown == 20
    assert many == few, f"{few} statements for 2 cards, {many} for 20"
    assert many <= 4


def test_the_fragment_costs_the_same_number_of_queries_too(app, viewer, community):
    authors = [factories.user(community, login=f"author{i}", building=i % 3, unit=f"{i}01") for i in range(5)]
    card(authors[0], "one")
    with counting_statements() as few:
        viewer.get("/", headers=HTMX_LIST)
    for i in range(30):
        card(authors[i % 5], f"card {i}", minutes_ago=i)
    with counting_statements() as many:
        viewer.get("/", headers=HTMX_LIST)
    assert len(many) == len(few)


@pytest.mark.skipif(not ON_POSTGRES, reason="EXPLAIN plans are checked on PostgreSQL (make test-postgres)")
@pytest.mark.parametrize("cursor", [False, True])
def test_postgres_board_query_uses_the_board_index(app, resident, cursor):
    for i in range(30):
        card(resident, f"card {i}", minutes_ago=i)
    stmt = board_query(resident.community_id, BoardFilters())
    if cursor:
        _cards, next_cursor = board_page(resident.community_id, BoardFilters(), size=5)
        from sqlalchemy import and_, or_, tuple_

        from board.cards.service import decode_cursor

        priority, created_at, card_id = decode_cursor(next_cursor)
        stmt = stmt.where(or_(Card.priority < priority, and_(
            Card.priority == priority, tuple_(Card.created_at, Card.id) < tuple_(created_at, card_id))))
    compiled = stmt.limit(21).compile(db.engine, compile_kwargs={"literal_binds": True})
    with db.engine.connect() as conn:
        # The tables are tiny here; forbid the sequential scan so the plan shows which index serves the query.
        conn.execute(text("SET enable_seqscan = off"))
        plan = "\n".join(row[0] for row in conn.execute(text(f"EXPLAIN {compiled}")))
    assert "ix_cards_board" in plan, plan


@pytest.mark.parametrize("target", ["card-list", "more"])
def test_a_filter_change_after_logging_out_elsewhere_goes_to_the_login_page(client, target):
    """Logged out in another tab, then a filter changes: the login page, not the welcome page inside the list."""
    response = client.get("/?kind=offer", headers={"HX-Request": "true", "HX-Target": target})
    assert response.status_code == 204
    assert "/login" in response.headers["HX-Location"]
    assert response.get_data(as_text=True) == ""
