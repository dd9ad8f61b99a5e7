"""The walking skeleton stands: the factory builds, pages render, a resident can post."""
from board.models import Card, Event


def test_welcome_page_for_visitors(client):
    response = client.get("/")
    assert response.status_code == 200
    assert b"Join with an invite code" in response.data


def test_resident_posts_a_need_and_sees_it_on_the_board(client, resident, login):
    login(client, resident)
    response = client.post("/cards/new", data={"kind": "need", "category": "food", "title": "Rice please", "urgency": "normal"})
    assert response.status_code == 302
    card = Card.query.one()
    assert card.title == "Rice please" and card.status == "open"
    assert [e.kind for e in Event.query.all()] == ["card.posted"]
    assert b"Rice please" in client.get("/").data
