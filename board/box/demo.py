"""The demo community's shelves, from the field notes: the medicine box (§1) and the love corner (§3)."""
from datetime import date, timedelta

from board.box import service
from board.models import User

MEDICINE_BOX = ("共享药箱 Medicine box — property office", "Property office, ground floor of Building 1")
LOVE_CORNER = ("爱心角 Love corner — lobby of Building 3", "Lobby of Building 3, beside the lifts")


def seed(users: dict[str, User]) -> None:
    """Two shelves with stock, keepers, a take in the register and one gift waiting for its check."""
    coordinator = users["wang"]
    soon = date.today() + timedelta(days=20)  # shows the "expires soon" mark
    later = date.today() + timedelta(days=300)
    box = service.create_shelf(coordinator, name=MEDICINE_BOX[0], location=MEDICINE_BOX[1],
                               keepers=[coordinator, users["chen"]])
    stock = [
        # name, category, quantity, unit, expiry, daily limit, tags
        ("布洛芬 Ibuprofen 0.3 g × 24", "medicine", 12, "box", later, 1, {"sealed": True}),
        ("抗原检测 Antigen tests", "supplies", 20, "test", None, 1, {"sealed": True}),
        ("感冒灵颗粒 Cold granules", "medicine", 6, "box", later, None, {"sealed": True}),
        ("儿童退烧药 Children's fever syrup", "medicine", 2, "bottle", soon, 1, {"for_child": True, "sealed": True}),
    ]
    items = {}
    for name, category, quantity, unit, expiry, limit, tags in stock:
        items[name] = service.add_item(
            coordinator, box, name=name, category=category, quantity=quantity, unit=unit, expires_on=expiry,
            daily_limit=limit, note="bought by the owners' committee and the property company", **tags,
        )
    corner = service.create_shelf(coordinator, name=LOVE_CORNER[0], location=LOVE_CORNER[1], keepers=[users["zhou"]])
    for name, quantity, unit in (("大米 Rice, 5 kg", 6, "bag"), ("食用油 Cooking oil", 4, "bottle"),
                                 ("挂面 Noodles", 10, "pack")):
        service.add_item(users["zhou"], corner, name=name, category="food", quantity=quantity, unit=unit,
                         note="left by neighbours")
    service.take(users["lina"], items["抗原检测 Antigen tests"].id, 1)
    service.offer_gift(users["tang"], box, name="感冒灵颗粒 Cold granules", category="medicine", quantity=2,
                       unit="box", expires_on=later, sealed=True, note="Two spare boxes, unopened.")
