"""The numbers page for every role, the coordinators' CSV, and what neither may ever show."""
import csv
import io

import pytest

from board.cards import handoffs
from board.extensions import db
from board.households import service as households
from board.models import Building, Handoff, Role
from tests import factories

ROLES = [r.value for r in Role]
NAME, UNIT, CONTACT, TITLE, NOTE = "Qiaoqiao Name", "U7731Q", "138 0013 8000", "Secret title Zq", "door note Zq"


@pytest.fixture
def world(community, resident, neighbour, coordinator):
    """Three needs met in Building 1 (shown), one in Building 2 (fewer than 3), with names, doors and care data."""
    someone = factories.user(community, login="qq", display_name=NAME, building=1, unit=UNIT)
    households.add_person(coordinator, someone.household, name="Grandma " + NAME, contact=CONTACT, age_group="over_80")
    for author in (resident, resident, resident, someone):
        card = factories.card(author, title=TITLE, details="details " + NOTE)
        h = handoffs.offer_help(card, neighbour)
        handoffs.leave_at_door(h, neighbour, note=NOTE)
        handoffs.move(db.session.get(Handoff, h.id), "confirm_received", author)
    return {"someone": someone}


@pytest.mark.parametrize("role", ROLES)
def test_every_role_opens_the_numbers_and_sees_totals_only(world, community, make_client, login, role):
    viewer = factories.user(community, login=f"v{role}", display_name=f"Viewer {role}", unit="9A9", role=role)
    client = login(make_client(), viewer)
    for period in ("week", "month", "all"):
        response = client.get(f"/numbers/?period={period}")
        body = response.get_data(as_text=True)
        assert response.status_code == 200, period
        assert '<span class="figure">4</span>' in body  # needs met
        assert 'role="img"' in body and "<title id=" in body and "<desc id=" in body and "<table" in body
        for private in (NAME, UNIT, CONTACT, TITLE, NOTE, "Li Na", "Dr Chen", "502", "1201"):
            assert private not in body, (role, period, private)
        assert "fewer than 3" in body  # Building 2's one need met
        assert ("numbers.csv" in body) == (role == "coordinator")


def test_visitors_are_sent_to_log_in_and_another_community_sees_its_own(world, client, make_client, login, stranger):
    assert client.get("/numbers/").status_code == 302
    body = login(make_client(), stranger).get("/numbers/").get_data(as_text=True)
    assert '<span class="figure">4</span>' not in body and '<span class="figure">0</span>' in body


def test_an_unknown_period_is_this_week(world, coordinator, client, login):
    login(client, coordinator)
    assert client.get("/numbers/?period=%00x").status_code == 400
    response = client.get("/numbers/?period=decade")
    assert response.status_code == 200 and 'aria-current="page">This week' in response.get_data(as_text=True)


def test_the_page_in_chinese(world, resident, client, login):
    login(client, resident)
    client.post("/language", data={"lang": "zh_CN", "next": "/numbers/"})
    body = client.get("/numbers/").get_data(as_text=True)
    assert "我们的数字" in body and "少于3" in body


@pytest.mark.parametrize("role", [r for r in ROLES if r != "coordinator"])
def test_the_csv_is_for_coordinators_only(world, community, make_client, login, role):
    viewer = factories.user(community, login=f"v{role}", unit="9A9", role=role)
    assert login(make_client(), viewer).get("/numbers/numbers.csv").status_code == 403


def test_coordinators_download_the_numbers_with_no_formula_and_no_count_under_three(world, community, coordinator,
                                                                                   client, login):
    db.session.get(Building, community.buildings[2].id).name = "=HYPERLINK(\"x\")"
    db.session.commit()
    login(client, coordinator)
    response = client.get("/numbers/numbers.csv")
    assert response.status_code == 200 and response.mimetype == "text/csv"
    assert response.headers["Cache-Control"] == "no-store"
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[0] == ["period", "from", "metric", "building", "category", "value"]
    assert ["week", rows[1][1], "needs_met", "", "", "4"] in rows
    by_building = [r for r in rows[1:] if r[3]]
    assert by_building and all(r[5] in ("<3", "") or int(r[5]) >= 3 for r in by_building)
    assert any(r[3] == "'=HYPERLINK(\"x\")" for r in by_building)
    assert ["week", rows[1][1], "needs_met", "Building 1", "", "3"] in rows
    assert ["week", rows[1][1], "needs_met", "Building 2", "", "<3"] in rows
    for private in (NAME, UNIT, CONTACT, TITLE, NOTE):
        assert private not in text


def test_the_page_takes_the_same_few_statements_whatever_the_period_or_the_size_of_the_log(world, community,
                                                                                          resident, neighbour,
                                                                                          client, login):
    """The numbers are kept summed as events arrive: the page reads them in a fixed number of statements
    (the session's user, the three of the numbers), not one per chart, day, building or category."""
    from board.stats import keeping
    from tests.conftest import counting_statements

    login(client, resident)

    def statements():
        out = {}
        for period in ("week", "month", "all"):
            assert client.get(f"/numbers/?period={period}").status_code == 200  # warm
            with counting_statements() as seen:
                assert client.get(f"/numbers/?period={period}").status_code == 200
            out[period] = [s for s in seen]
        return out

    few = statements()
    others = [factories.user(community, login=f"n{i}", building=i % 3, unit=f"{i}01") for i in range(6)]
    for i, author in enumerate(others * 2):
        card = factories.card(author, title=f"Need {i}", category=("food", "medicine", "supplies")[i % 3])
        handoffs.move(handoffs.offer_help(card, neighbour), "receive_in_person", author)
    keeping.rebuild(community.id)
    many = statements()
    for period in few:
        assert len(many[period]) == len(few[period]) <= 5, "\n".join(many[period])
        assert sum("stats_counts" in s for s in many[period]) == 2, period
