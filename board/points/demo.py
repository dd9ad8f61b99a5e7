"""The demo community's volunteer points (field notes §5): a pool, a corner shop's gifts, points earned, a code."""
from board.cards import transitions
from board.cards.service import post_card
from board.models import User
from board.points import service

SHOP = ("shop", "便利店 老李 (Lao Li, corner shop)", "Building 1", "S01")
GIFTS = [
    # name, details, price, stock
    ("矿泉水一箱 A case of bottled water", "自取：1号楼底商便利店 Collect at the corner shop, Building 1", 30, 10),
    ("零食大礼包 A bag of snacks", "自取：1号楼底商便利店 Collect at the corner shop, Building 1", 20, 15),
    ("20元购物券 A ¥20 shop voucher", "自取：1号楼底商便利店 Collect at the corner shop, Building 1", 80, 5),
]
HELPED = [
    # author, title, helper, confirmed how
    ("tang", "帮忙带一袋米 A bag of rice, please", "wu", "door"),
    ("gao", "帮忙把桶装水搬上楼 Carry the water up to the 3rd floor", "zhou", "in_person"),
    ("he", "帮忙取个快递 Pick up a parcel at the gate", "wu", "door"),
]


def seed(users: dict[str, User]) -> None:
    """The owners' committee funds the pool; Lao Li lists gifts; Wu and Auntie Zhou earn points; Zhou redeems one."""
    service.fund_pool(users["wang"], 2000, note="业委会 owners' committee")
    gifts = [service.create_gift(users[SHOP[0]], name=name, details=details, price=price, stock=stock)
             for name, details, price, stock in GIFTS]
    for author, title, helper, how in HELPED:
        card = post_card(users[author], kind="need", category="errand", title=title, details="", urgency="normal")
        handoff = transitions.start(card, "match", users[helper])
        if how == "door":
            transitions.apply_handoff(handoff, "leave_at_door", users[helper])
            transitions.apply_handoff(handoff, "confirm_received", users[author])
        else:
            transitions.apply_handoff(handoff, "receive_in_person", users[author])
    service.redeem(users["wu"], gifts[1].id)
