"""Nobody is forgotten: a match not handed off in time goes back on the board, lazily or from cron."""
from datetime import timedelta

import pytest

from board.cards import handoffs, transitions
from board.extensions import db
from board.models import Card, Event, Handoff, utcnow
from tests import factories


def overdue(handoff: Handoff) -> None:
    """Move the clock: make this match due a minute ago."""
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    handoff.due_at = utcnow() - timedelta(minutes=1)
    db.session.commit()


def fresh(model, id_):
    return db.session.get(model, id_, populate_existing=True)


@pytest.mark.parametrize("urgency,hours", [("urgent", 12), ("normal", 24)])
def test_default_time_outs(resident, neighbour, urgency, hours):
    need = factories.card(resident, urgency=urgency)
    handoff = transitions.start(need, "match", neighbour)
    assert handoff.due_at - handoff.matched_at == timedelta(hours=hours)


@pytest.mark.parametrize("app_config", [{"MATCH_TIMEOUT_HOURS": 2, "MATCH_TIMEOUT_URGENT_HOURS": 1}])
def test_time_outs_are_configurable(resident, neighbour):
    normal = transitions.start(factories.card(resident), "match", neighbour)
    urgent = transitions.start(factories.card(resident, urgency="urgent"), "match", neighbour)
    assert normal.due_at - normal.matched_at == timedelta(hours=2)
    assert urgent.due_at - urgent.matched_at == timedelta(hours=1)


def test_not_yet_due_is_left_alone(client, login, resident, neighbour):
    need = factories.card(resident)
    handoff = transitions.start(need, "match", neighbour)
    login(client, resident).get("/")
    assert fresh(Handoff, handoff.id).status == "matched"


@pytest.mark.parametrize("page", ["/", "/me/activity", "card"])
def test_viewing_a_page_lapses_overdue_matches(make_client, login, resident, neighbour, coordinator, page):
    need = factories.card(resident, title="Rice and cooking oil")
    handoff = transitions.start(need, "match", neighbour)
    overdue(handoff)
    viewer = login(make_client(), coordinator)
    viewer.get(f"/cards/{need.id}" if page == "card" else page)
    assert fresh(Handoff, handoff.id).status == "lapsed"
    assert fresh(Card, need.id).status == "open"
    lapse = Event.query.filter_by(kind="handoff.lapse").one()
    assert lapse.actor_id is None and (lapse.from_status, lapse.to_status) == ("matched", "lapsed")
    assert (lapse.data["giver_id"], lapse.data["receiver_id"]) == (neighbour.id, resident.id)
    assert (lapse.data["card_from"], lapse.data["card_to"]) == ("matched", "open")
    # Back on the board, and both people can read what happened.
    assert "Rice and cooking oil" in viewer.get("/").get_data(as_text=True)
    for person in (resident, neighbour):
        page_html = login(make_client(), person).get(f"/cards/{need.id}").get_data(as_text=True)
        assert "Not handed over in time" in page_html


def test_left_at_door_does_not_lapse(resident, neighbour):
    need = factories.card(resident)
    handoff = transitions.start(need, "match", neighbour)
    transitions.apply_handoff(handoff, "leave_at_door", neighbour, note="")
    overdue(handoff)
    assert handoffs.lapse_overdue() == 0
    assert fresh(Handoff, handoff.id).status == "left_at_door"


def test_not_there_gives_a_fresh_due_time(resident, neighbour):
    need = factories.card(resident)
    handoff = transitions.start(need, "match", neighbour)
    transitions.apply_handoff(handoff, "leave_at_door", neighbour, note="")
    overdue(handoff)
    transitions.apply_handoff(fresh(Handoff, handoff.id), "report_not_there", resident)
    assert fresh(Handoff, handoff.id).due_at > utcnow() + timedelta(hours=23)
    assert handoffs.lapse_overdue() == 0


def test_lapsed_share_of_an_offer_goes_back(resident, neighbour):
    offer = factories.card(resident, kind="offer", category="food", title="Eggs", quantity=2)
    handoff = transitions.start(offer, "ask", neighbour, quantity=2)
    assert fresh(Card, offer.id).status == "done"
    overdue(handoff)
    assert handoffs.lapse_overdue() == 1
    card = fresh(Card, offer.id)
    assert (card.status, card.quantity_left) == ("open", 2)


def test_sweep_command_for_cron(app, resident, neighbour):
    need = factories.card(resident)
    handoff = transitions.start(need, "match", neighbour)
    overdue(handoff)
    result = app.test_cli_runner().invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    assert "lapsed matches: 1" in result.output
    assert fresh(Handoff, handoff.id).status == "lapsed"
    again = app.test_cli_runner().invoke(args=["sweep"])
    assert "lapsed matches: 0" in again.output
    assert Event.query.filter_by(kind="handoff.lapse").count() == 1


def test_coordinators_see_who_lets_matches_lapse(make_client, login, resident, neighbour, coordinator):
    for title in ("Rice", "Oil"):
        handoff = transitions.start(factories.card(resident, title=title), "match", neighbour)
        overdue(handoff)
    assert handoffs.lapse_overdue() == 2
    assert handoffs.lapse_counts([neighbour.id, resident.id]) == {neighbour.id: 2}
    need = factories.card(resident, title="Flour")
    transitions.start(need, "match", neighbour)
    coordinator_page = login(make_client(), coordinator).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "2 matches lapsed" in coordinator_page
    requester_page = login(make_client(), resident).get(f"/cards/{need.id}").get_data(as_text=True)
    assert "lapsed" not in requester_page
