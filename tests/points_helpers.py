"""Builders for the points tests: a funded pool, a merchant with a gift, a confirmed delivery."""
from board.cards import transitions
from board.extensions import db
from board.points import service
from board.points.models import Account, Entry
from tests import factories


def fund(coordinator, amount=1000):
    return service.fund_pool(coordinator, amount, note="owners' committee")


def confirmed_need(author, helper, *, close=False, title="Fever medicine"):
    """A need matched by `helper`, left at the door and confirmed by `author` (or closed by the system)."""
    need = factories.card(author, title=title)
    handoff = transitions.start(need, "match", helper)
    transitions.apply_handoff(handoff, "leave_at_door", helper)
    transitions.apply_handoff(handoff, "close_unconfirmed" if close else "confirm_received", None if close else author)
    return handoff


def merchant_with_gift(community, *, login="shop", price=30, stock=5, name="Bottled water, 6 × 550 ml"):
    merchant = factories.user(community, login=login, display_name=login.title(), unit="S1", role="merchant")
    gift = service.create_gift(merchant, name=name, details="Shop at the gate", price=price, stock=stock)
    return merchant, gift


def give_points(coordinator, user, amount):
    """Points straight into a volunteer's account, as if earned (one EARN line from the pool)."""
    from board.points.models import AccountKind, EntryKind

    community_id = coordinator.community_id
    pool = service.account_for(community_id, AccountKind.POOL)
    mine = service.volunteer_account(user, community_id)
    if pool.balance < amount:
        fund(coordinator, amount)
    service._lock(pool, mine)
    service._move(EntryKind.EARN, pool, mine, amount, reason="need_met")
    db.session.commit()


def ledger_sum(community_id) -> int:
    return sum(a.balance for a in db.session.query(Account).filter_by(community_id=community_id))


def balances_match_entries(community_id) -> bool:
    """Each account's balance is what its entries say (in minus out)."""
    for account in db.session.query(Account).filter_by(community_id=community_id):
        incoming = sum(e.amount for e in db.session.query(Entry).filter_by(to_account_id=account.id))
        outgoing = sum(e.amount for e in db.session.query(Entry).filter_by(from_account_id=account.id))
        if incoming - outgoing != account.balance:
            return False
    return True
