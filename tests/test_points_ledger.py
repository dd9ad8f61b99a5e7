"""The ledger's invariants under generated sequences of everything that moves points (hypothesis):
the sum over all accounts never changes (it is 0), no account but the community's source goes below zero,
every balance is what its entries say, and a gift's stock plus its live and used codes is what the merchant gave."""
import itertools
from datetime import timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import func, select, text

from board.errors import Conflict
from board.events import record
from board.extensions import db
from board.models import utcnow
from board.points import service
from board.points.models import Account, Entry, MerchantGift, Reason, Redemption
from tests import factories
from tests.points_helpers import balances_match_entries, give_points, merchant_with_gift

STOCK = 4

OPS = st.one_of(
    st.tuples(st.just("fund"), st.integers(1, 120)),
    st.tuples(st.just("earn"), st.integers(0, 2)),
    st.tuples(st.just("redeem"), st.integers(0, 2), st.integers(0, 1)),
    st.tuples(st.just("use"), st.integers(0, 20)),
    st.tuples(st.just("expire"), st.integers(0, 20)),
    st.tuples(st.just("reverse"), st.integers(0, 40)),
)


@pytest.fixture
def world(community):
    coordinator = factories.user(community, login="wang", unit="1", role="coordinator")
    volunteers = [factories.user(community, login=f"v{n}", unit=f"{n + 10}", building=n % 3) for n in range(3)]
    helped = factories.user(community, login="helped", unit="99", building=2)
    merchant, water = merchant_with_gift(community, price=30, stock=STOCK)
    snacks = service.create_gift(merchant, name="Snacks", price=15, stock=STOCK)
    service.update_settings(coordinator, need_met=25, offer_given=5, errand_completed=15, check_in=5,
                            daily_cap=100_000, burst_count=100, code_days=7)
    for volunteer in volunteers:  # enough to redeem from the first step, so codes are used and expire too
        give_points(coordinator, volunteer, 45)
    return {"community": community, "coordinator": coordinator, "volunteers": volunteers, "helped": helped,
            "merchant": merchant, "gifts": [water, snacks], "sources": itertools.count()}


def run(world, op) -> None:
    coordinator, volunteers = world["coordinator"], world["volunteers"]
    community_id = world["community"].id
    kind = op[0]
    try:
        if kind == "fund":
            service.fund_pool(coordinator, op[1])
        elif kind == "earn":
            event = record("handoff.confirm_received", community_id=community_id)
            service.earn(event, volunteers[op[1]].id, Reason.NEED_MET, source=f"test:{next(world['sources'])}",
                         other_household_id=world["helped"].household.id)
            db.session.commit()
        elif kind == "redeem":
            service.redeem(volunteers[op[1]], world["gifts"][op[2]].id)
        elif kind in ("use", "expire"):
            codes = db.session.scalars(select(Redemption).order_by(Redemption.id)).all()
            if not codes:
                return
            code = codes[op[1] % len(codes)]
            if kind == "use":
                service.use_code(world["merchant"], code.code)
            else:
                db.session.execute(text("UPDATE points_redemptions SET expires_at = :t WHERE id = :id"),
                                   {"t": utcnow() - timedelta(seconds=1), "id": code.id})
                db.session.commit()
                service.expire_codes()
        elif kind == "reverse":
            entries = db.session.scalars(select(Entry.id).order_by(Entry.id)).all()
            if entries:
                service.reverse(coordinator, entries[op[1] % len(entries)], note="generated")
    except Conflict:
        db.session.rollback()


def check(world) -> None:
    community_id = world["community"].id
    accounts = db.session.scalars(select(Account).where(Account.community_id == community_id)).all()
    assert sum(a.balance for a in accounts) == 0
    assert all(a.balance >= 0 for a in accounts if a.kind != "issued")
    assert balances_match_entries(community_id)
    assert db.session.scalar(select(func.count(Entry.id)).where(Entry.amount <= 0)) == 0
    for gift in world["gifts"]:
        db.session.refresh(gift)
        held = db.session.scalar(select(func.count(Redemption.id)).where(
            Redemption.gift_id == gift.id, Redemption.status.in_(("issued", "used"))))
        assert gift.stock + held == STOCK
        gift_account = db.session.scalar(select(Account).where(Account.owner == f"gift:{gift.id}"))
        assert gift_account.balance == held * gift.price


@given(ops=st.lists(OPS, min_size=1, max_size=25))
def test_every_sequence_keeps_the_ledger_whole(world, ops):
    for op in ops:
        run(world, op)
        check(world)


def test_the_invariants_can_fail(world):
    """The check above is no check that cannot fail: a balance changed behind the ledger's back is caught."""
    service.fund_pool(world["coordinator"], 50)
    db.session.execute(text("UPDATE points_accounts SET balance = balance + 1 WHERE owner = 'pool'"))
    with pytest.raises(AssertionError):
        check(world)
    db.session.rollback()
