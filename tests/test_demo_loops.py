"""The demo board shows both loops under way, and two residents can finish each from it."""
from sqlalchemy import select

from board import demo
from board.extensions import db
from board.models import Card, Handoff


def as_demo(make_client, login_name):
    client = make_client()
    assert client.post("/login", data={"login": login_name, "password": demo.DEMO_PASSWORD}).status_code == 302
    return client


def test_demo_need_loop(app, make_client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    need = db.session.scalar(select(Card).where(Card.title == "Rice and cooking oil"))
    assert need.status == "matched"
    handoff = db.session.scalar(select(Handoff).where(Handoff.card_id == need.id))
    zhou, zhao = as_demo(make_client, "zhou"), as_demo(make_client, "zhao")
    assert "Mark left at door" in zhou.get("/me/activity").get_data(as_text=True)
    zhou.post(f"/handoffs/{handoff.id}/leave", data={"note": "rice bag on the handle", "version": handoff.version})
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert "Confirm received" in zhao.get("/me/activity").get_data(as_text=True)
    assert zhao.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 302
    assert db.session.get(Card, need.id, populate_existing=True).status == "received"


def test_demo_offer_loop(app, make_client):
    app.test_cli_runner().invoke(args=["seed-demo"])
    offer = db.session.scalar(select(Card).where(Card.title == "Antigen tests, 5 left"))
    ask = db.session.scalar(select(Handoff).where(Handoff.card_id == offer.id))
    assert (ask.status, ask.quantity, offer.first_come) == ("asked", 2, False)
    sun, mei = as_demo(make_client, "sun"), as_demo(make_client, "mei")
    assert "Accept" in sun.get("/me/activity").get_data(as_text=True)
    assert sun.post(f"/handoffs/{ask.id}/accept", data={"version": ask.version}).status_code == 302
    ask = db.session.get(Handoff, ask.id, populate_existing=True)
    sun.post(f"/handoffs/{ask.id}/leave", data={"note": "", "version": ask.version})
    ask = db.session.get(Handoff, ask.id, populate_existing=True)
    assert mei.post(f"/handoffs/{ask.id}/confirm_received", data={"version": ask.version}).status_code == 302
    assert db.session.get(Card, offer.id, populate_existing=True).quantity_left == 3
    # The first-come ask was accepted at once: Ms Tang sees where to leave it.
    tang_page = as_demo(make_client, "tang").get("/me/activity").get_data(as_text=True)
    assert "Leave it at: Building 2, unit 101" in tang_page


def test_demo_grandma_liu_by_phone(app, make_client):
    """The issue's "done when": Wang takes Grandma Liu's call, posts for her, a neighbour helps, Wang confirms."""
    from board.models import Person

    app.test_cli_runner().invoke(args=["seed-demo"])
    liu = db.session.scalar(select(Person).where(Person.name.contains("Grandma Liu")))
    assert liu.user_id is None
    wang, chen = as_demo(make_client, "wang"), as_demo(make_client, "chen")
    response = wang.post("/intake", data={"person": liu.id, "intake": "phone", "title": "退烧药 Fever medicine",
                                          "category": "medicine", "urgency": "urgent", "for_elderly": "y"})
    assert response.status_code == 302, response.get_data(as_text=True)
    card = db.session.scalar(select(Card).where(Card.title == "退烧药 Fever medicine"))
    assert card.for_person_id == liu.id and card.household_id == liu.household_id
    assert chen.post(f"/cards/{card.id}/help", data={"version": card.version}).status_code == 302
    handoff = db.session.scalar(select(Handoff).where(Handoff.card_id == card.id))
    assert "Leave it at: Building 2, unit 101" in chen.get(f"/cards/{card.id}").get_data(as_text=True)
    chen.post(f"/handoffs/{handoff.id}/leave", data={"note": "on the handle", "version": handoff.version})
    handoff = db.session.get(Handoff, handoff.id, populate_existing=True)
    assert wang.post(f"/handoffs/{handoff.id}/confirm_received", data={"version": handoff.version}).status_code == 302
    assert db.session.get(Card, card.id, populate_existing=True).status == "received"
