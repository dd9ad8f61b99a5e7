"""Privacy of points: a volunteer's points, record and codes to themselves (and coordinators); a merchant sees
the codes of their own gifts only; every points page is no-store."""
import pytest
from sqlalchemy import select

from board.extensions import db
from board.points import service
from board.points.models import MerchantGift, Redemption
from tests import factories
from tests.points_helpers import confirmed_need, fund, give_points, merchant_with_gift


@pytest.fixture
def shop(community):
    return merchant_with_gift(community, price=30, stock=2)


def test_another_merchant_finds_no_such_code(make_client, login, community, coordinator, neighbour, shop):
    merchant, gift = shop
    other, _ = merchant_with_gift(community, login="bakery", name="Buns")
    give_points(coordinator, neighbour, 30)
    redemption = service.redeem(neighbour, gift.id)
    counter = login(make_client(), other)
    page = counter.get("/points/counter", query_string={"code": redemption.code})
    assert page.status_code == 404 and "No code like this for your gifts" in page.get_data(as_text=True)
    assert counter.post("/points/counter/use", data={"code": redemption.code}).status_code == 404
    assert db.session.get(Redemption, redemption.id).status == "issued"


@pytest.mark.parametrize("path", ["/points/counter", "/points/community"])
def test_the_counter_and_the_rules_are_not_for_a_plain_resident(client, login, resident, path):
    response = login(client, resident).get(path)
    assert response.status_code == 403 and "That is not yours to do" in response.get_data(as_text=True)


def test_a_code_is_seen_by_its_volunteer_only(make_client, login, community, coordinator, neighbour, resident, shop):
    merchant, gift = shop
    give_points(coordinator, neighbour, 30)
    redemption = service.redeem(neighbour, gift.id)
    for viewer in (resident, coordinator, merchant):
        response = login(make_client(), viewer).get(f"/points/codes/{redemption.id}")
        assert response.status_code == 404 and redemption.code[:4] not in response.get_data(as_text=True)
    assert login(make_client(), neighbour).get(f"/points/codes/{redemption.id}").status_code == 200


def test_a_record_is_seen_by_its_volunteer_and_coordinators(make_client, login, community, coordinator, neighbour,
                                                            resident, stranger):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    path = f"/points/record/{neighbour.id}"
    for viewer in (resident, stranger):
        assert login(make_client(), viewer).get(path).status_code == 404
        assert login(make_client(), viewer).get(f"/points/certificate/{neighbour.id}").status_code == 404
    page = login(make_client(), coordinator).get(path).get_data(as_text=True)
    assert 'id="record-earned">10<' in page and "Take these points back" in page
    own = login(make_client(), neighbour).get("/points/record").get_data(as_text=True)
    assert 'id="record-earned">10<' in own and "Take these points back" not in own


def test_a_gift_of_another_merchant_cannot_be_changed(make_client, login, community, shop):
    merchant, gift = shop
    other = factories.user(community, login="bakery", unit="S2", role="merchant")
    response = login(make_client(), other).post(f"/points/gifts/{gift.id}", data={"price": "1", "stock": "99"})
    assert response.status_code == 404 and db.session.get(MerchantGift, gift.id).stock == 2


@pytest.mark.parametrize("path", ["/points/", "/points/record", "/points/certificate"])
def test_every_points_page_is_no_store(client, login, neighbour, path):
    response = login(client, neighbour).get(path)
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"


def test_points_events_carry_no_names_doors_or_codes(community, coordinator, neighbour, resident, shop):
    from board.models import Event

    merchant, gift = shop
    fund(coordinator)
    confirmed_need(resident, neighbour)
    give_points(coordinator, neighbour, 30)
    redemption = service.redeem(neighbour, gift.id)
    service.use_code(merchant, redemption.code)
    events = db.session.scalars(select(Event).where(Event.kind.like("points.%"))).all()
    assert {e.kind for e in events} >= {"points.funded", "points.earned", "points.redeemed", "points.code_used"}
    for event in events:
        text = repr(event.data)
        assert redemption.code not in text and "502" not in text and "1201" not in text and "Li Na" not in text
