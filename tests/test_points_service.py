"""Points: earning on the receiver's confirmation, the daily cap, the ledger's rules, gifts, codes, corrections, flags."""
from datetime import timedelta

import pytest
from freezegun import freeze_time
from sqlalchemy import select, text
from sqlalchemy.exc import DBAPIError, IntegrityError

from board.errors import Conflict, Forbidden, NotFound
from board.events import record
from board.extensions import db
from board.models import Event, utcnow
from board.points import record as points_record
from board.points import service
from board.points.models import Account, CodeStatus, Entry, EntryKind, MerchantGift, Redemption
from board.volunteers.models import Shift
from tests import factories
from tests.points_helpers import (
    balances_match_entries,
    confirmed_need,
    fund,
    give_points,
    ledger_sum,
    merchant_with_gift,
)


def earned(user):
    return service.balance_of(user)


def test_the_helper_earns_when_the_receiver_confirms(community, resident, neighbour, coordinator):
    fund(coordinator)
    need = factories.card(resident)
    from board.cards import transitions

    handoff = transitions.start(need, "match", neighbour)
    transitions.apply_handoff(handoff, "leave_at_door", neighbour)
    assert earned(neighbour) == 0, "left at the door is not yet received"
    transitions.apply_handoff(handoff, "confirm_received", resident)
    assert earned(neighbour) == 10 and earned(resident) == 0
    entry = db.session.scalar(select(Entry).where(Entry.kind == "earn"))
    assert entry.reason == "need_met" and entry.source == f"handoff:{handoff.id}"
    assert entry.household_id == neighbour.household.id and entry.other_household_id == resident.household.id
    kinds = [e.kind for e in db.session.scalars(select(Event).order_by(Event.id))]
    assert kinds.index("handoff.confirm_received") < kinds.index("points.earned")


def test_a_doorstep_closed_by_the_system_earns_and_a_late_confirmation_pays_nothing_more(
        community, resident, neighbour, coordinator):
    fund(coordinator)
    handoff = confirmed_need(resident, neighbour, close=True)
    assert earned(neighbour) == 10
    from board.cards import transitions

    transitions.apply_handoff(db.session.get(type(handoff), handoff.id), "confirm_received", resident)
    assert earned(neighbour) == 10
    assert db.session.scalar(select(Entry.id).where(Entry.kind == "earn").order_by(Entry.id.desc())) is not None
    assert len(db.session.scalars(select(Entry).where(Entry.kind == "earn")).all()) == 1


def test_an_offer_given_earns_the_giver_its_rule(community, resident, neighbour, coordinator):
    from board.cards import handoffs, transitions

    fund(coordinator)
    offer = factories.card(neighbour, kind="offer", category="food", title="Rice", quantity=3)
    handoff = handoffs.ask(offer, resident, 1)
    transitions.apply_handoff(handoff, "receive_in_person", resident)
    assert earned(neighbour) == 5
    assert db.session.scalar(select(Entry.reason).where(Entry.kind == "earn")) == "offer_given"


def test_helping_ones_own_household_earns_nothing(community, resident, coordinator):
    fund(coordinator)
    housemate = factories.user(community, login="mum", unit="502")  # same building, same door as Li Na
    assert housemate.household.id == resident.household.id
    confirmed_need(resident, housemate)
    assert earned(housemate) == 0


def test_a_successful_check_in_earns_the_caller_and_a_missed_call_does_not(community, resident, neighbour,
                                                                             coordinator):
    fund(coordinator)
    home = resident.household.id
    for outcome in ("no_answer", "message", "reached", "visited"):
        record("roster.call_logged", community_id=community.id, actor=neighbour, household_id=home,
               outcome=outcome, wellbeing="same", caller_id=neighbour.id)
        db.session.commit()
    assert earned(neighbour) == 10  # 5 + 5: reached and visited
    assert {e.reason for e in db.session.scalars(select(Entry).where(Entry.kind == "earn"))} == {"check_in"}


def test_the_daily_cap_stops_earning_for_the_day(community, resident, neighbour, coordinator):
    fund(coordinator)
    service.update_settings(coordinator, need_met=20, offer_given=5, errand_completed=15, check_in=5, daily_cap=50,
                            burst_count=5, code_days=7)
    for n in range(4):
        confirmed_need(resident, neighbour, title=f"Need {n}")
    assert earned(neighbour) == 50  # 20 + 20 + 10 (the rest of the cap) + 0
    assert db.session.scalar(select(Event).where(Event.kind == "points.not_earned")) is not None


def test_an_empty_pool_pays_what_it_has_and_then_nothing(community, resident, neighbour, coordinator):
    fund(coordinator, 15)
    confirmed_need(resident, neighbour, title="One")
    confirmed_need(resident, neighbour, title="Two")
    confirmed_need(resident, neighbour, title="Three")
    assert earned(neighbour) == 15 and service.pool_balance(community.id) == 0
    assert ledger_sum(community.id) == 0 and balances_match_entries(community.id)


def test_an_amount_of_zero_or_less_is_refused_by_the_database(community, coordinator, neighbour):
    fund(coordinator)
    pool = db.session.scalar(select(Account).where(Account.owner == "pool"))
    mine = service.volunteer_account(neighbour, community.id)
    db.session.commit()
    pool_id, mine_id = pool.id, mine.id
    for amount in (0, -5):
        db.session.add(Entry(community_id=community.id, kind="earn", from_account_id=pool_id,
                             to_account_id=mine_id, amount=amount))
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()


def test_a_balance_below_zero_is_refused_by_the_database(community, coordinator, neighbour):
    mine = service.volunteer_account(neighbour, community.id)
    db.session.commit()
    with pytest.raises(IntegrityError):
        db.session.execute(text("UPDATE points_accounts SET balance = -1 WHERE id = :id"), {"id": mine.id})
    db.session.rollback()


def test_the_ledger_is_append_only_in_the_orm_and_in_the_database(community, resident, neighbour, coordinator):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    entry = db.session.scalar(select(Entry).where(Entry.kind == "earn"))
    entry.amount = 1000
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    with pytest.raises(DBAPIError, match="append-only"):
        db.session.execute(text("UPDATE points_entries SET amount = 1000 WHERE id = :id"), {"id": entry.id})
    db.session.rollback()
    db.session.delete(db.session.get(Entry, entry.id))
    with pytest.raises(RuntimeError, match="append-only"):
        db.session.flush()
    db.session.rollback()
    assert db.session.get(Entry, entry.id).amount == 10


def test_redeeming_issues_a_code_lowers_the_stock_and_moves_the_points(community, coordinator, neighbour):
    merchant, gift = merchant_with_gift(community, price=30, stock=2)
    give_points(coordinator, neighbour, 40)
    redemption = service.redeem(neighbour, gift.id)
    assert len(redemption.code) == 8 and redemption.status == CodeStatus.ISSUED.value
    assert db.session.get(MerchantGift, gift.id).stock == 1 and earned(neighbour) == 10
    assert db.session.scalar(select(Account.balance).where(Account.owner == f"gift:{gift.id}")) == 30
    entry = db.session.scalar(select(Entry).where(Entry.kind == "redeem"))
    assert entry.redemption_id == redemption.id and entry.amount == 30
    assert db.session.scalar(select(Event).where(Event.kind == "points.redeemed")).data["redemption_id"] == redemption.id
    assert ledger_sum(community.id) == 0 and balances_match_entries(community.id)


def test_too_few_points_or_none_left_is_a_409_that_changes_nothing(community, coordinator, neighbour, resident):
    merchant, gift = merchant_with_gift(community, price=30, stock=1)
    give_points(coordinator, neighbour, 20)
    with pytest.raises(Conflict):
        service.redeem(neighbour, gift.id)
    assert db.session.get(MerchantGift, gift.id).stock == 1 and earned(neighbour) == 20
    give_points(coordinator, resident, 30)
    service.redeem(resident, gift.id)
    give_points(coordinator, neighbour, 20)
    with pytest.raises(Conflict):
        service.redeem(neighbour, gift.id)
    assert earned(neighbour) == 40 and db.session.scalar(select(Redemption.id).where(
        Redemption.user_id == neighbour.id)) is None


def test_a_gift_of_another_community_is_not_found(community, other_community, coordinator, stranger):
    merchant, gift = merchant_with_gift(community)
    with pytest.raises(NotFound):
        service.redeem(stranger, gift.id)


def test_the_merchant_marks_a_code_used_once_and_only_their_own(community, coordinator, neighbour):
    merchant, gift = merchant_with_gift(community, price=10)
    other_merchant, _ = merchant_with_gift(community, login="bakery", name="Buns")
    give_points(coordinator, neighbour, 10)
    redemption = service.redeem(neighbour, gift.id)
    with pytest.raises(NotFound):
        service.use_code(other_merchant, redemption.code)
    with pytest.raises(Forbidden):
        service.use_code(neighbour, redemption.code)
    typed = f" {redemption.code[:4].lower()}-{redemption.code[4:]} "
    used = service.use_code(merchant, typed)
    assert used.status == "used" and used.used_by_id == merchant.id
    with pytest.raises(Conflict):
        service.use_code(merchant, redemption.code)


def test_an_unused_code_expires_and_returns_its_stock_and_points(community, coordinator, neighbour, app):
    merchant, gift = merchant_with_gift(community, price=10, stock=1)
    give_points(coordinator, neighbour, 10)
    redemption = service.redeem(neighbour, gift.id)
    assert service.expire_codes() == 0, "not yet"
    db.session.execute(text("UPDATE points_redemptions SET expires_at = :t WHERE id = :id"),
                       {"t": utcnow() - timedelta(minutes=1), "id": redemption.id})
    db.session.commit()
    with pytest.raises(Conflict):
        service.use_code(merchant, redemption.code)
    from board import registry

    assert "expired gift codes: 1" in registry.sweep()
    assert db.session.get(Redemption, redemption.id).status == "expired"
    assert db.session.get(MerchantGift, gift.id).stock == 1 and earned(neighbour) == 10
    assert db.session.scalar(select(Entry).where(Entry.kind == "refund")).redemption_id == redemption.id
    assert service.expire_codes() == 0
    assert ledger_sum(community.id) == 0 and balances_match_entries(community.id)


def test_a_correction_is_a_reversing_entry_once(community, resident, neighbour, coordinator):
    fund(coordinator)
    confirmed_need(resident, neighbour)
    entry = db.session.scalar(select(Entry).where(Entry.kind == "earn"))
    with pytest.raises(NotFound):
        service.reverse(resident, entry.id, note="mine")
    reversal = service.reverse(coordinator, entry.id, note="the same need posted twice")
    assert reversal.kind == EntryKind.REVERSAL.value and reversal.reverses_id == entry.id
    assert reversal.from_account_id == entry.to_account_id and reversal.to_account_id == entry.from_account_id
    assert earned(neighbour) == 0 and db.session.get(Entry, entry.id).amount == 10
    with pytest.raises(Conflict):
        service.reverse(coordinator, entry.id, note="again")
    assert points_record.record_of(neighbour, community.id).earned == 0


def test_points_already_spent_cannot_be_taken_back(community, resident, neighbour, coordinator):
    fund(coordinator)
    merchant, gift = merchant_with_gift(community, price=10)
    confirmed_need(resident, neighbour)
    service.redeem(neighbour, gift.id)
    entry = db.session.scalar(select(Entry).where(Entry.kind == "earn"))
    with pytest.raises(Conflict):
        service.reverse(coordinator, entry.id, note="too late")
    assert earned(neighbour) == 0 and db.session.scalar(select(Entry).where(Entry.kind == "reversal")) is None


def test_only_coordinators_set_the_rules_and_fund_the_pool(community, resident, coordinator):
    with pytest.raises(Forbidden):
        service.fund_pool(resident, 100)
    with pytest.raises(Forbidden):
        service.update_settings(resident, need_met=1, offer_given=1, errand_completed=1, check_in=1, daily_cap=1,
                                burst_count=1, code_days=1)
    with pytest.raises(Forbidden):
        service.create_gift(resident, name="x", price=1, stock=1)


def test_two_households_only_ever_helping_each_other_are_flagged(community, resident, neighbour, coordinator):
    fund(coordinator)
    for n in range(2):
        confirmed_need(resident, neighbour, title=f"A{n}")
        confirmed_need(neighbour, resident, title=f"B{n}")
    flags = points_record.pair_flags(community.id)
    assert len(flags) == 1 and flags[0].times == 4
    assert set(flags[0].helpers) == {resident.id, neighbour.id}
    third = factories.user(community, login="zhou", unit="301", building=2)
    confirmed_need(third, neighbour, title="C")
    assert points_record.pair_flags(community.id) == [], "helping a third household is no closed pair"


def test_many_earnings_within_an_hour_are_flagged(community, resident, neighbour, coordinator):
    fund(coordinator)
    service.update_settings(coordinator, need_met=1, offer_given=1, errand_completed=1, check_in=1, daily_cap=100,
                            burst_count=3, code_days=7)
    confirmed_need(resident, neighbour, title="One")
    confirmed_need(resident, neighbour, title="Two")
    assert points_record.burst_flags(community.id, 3) == []
    confirmed_need(resident, neighbour, title="Three")
    (flag,) = points_record.burst_flags(community.id, 3)
    assert flag.user_id == neighbour.id and flag.times == 3 and flag.points == 3


def test_a_record_counts_hours_points_and_what_for(community, resident, neighbour, coordinator):
    fund(coordinator)
    handoff = confirmed_need(resident, neighbour)
    db.session.execute(text("UPDATE handoffs SET matched_at = :m WHERE id = :id"),
                       {"m": utcnow() - timedelta(minutes=50), "id": handoff.id})
    db.session.commit()
    confirmed_need(resident, neighbour, title="Second")
    result = points_record.record_of(neighbour, community.id)
    assert result.earned == 20 and result.by_reason == {"need_met": [2, 20]} and result.times == 2
    assert result.hours == 0.0  # no shift worked: a handoff's time (50 minutes here) is no hours


def add_shift(community, user, hours_ago, ends_hours_ago, *, cancelled=False):
    now = utcnow()
    db.session.add(Shift(community_id=community.id, user_id=user.id, starts_at=now - timedelta(hours=hours_ago),
                         ends_at=now - timedelta(hours=ends_hours_ago),
                         cancelled_at=now - timedelta(days=2) if cancelled else None))


def test_a_records_hours_are_the_volunteer_shifts_worked(community, other_community, resident, neighbour,
                                                          coordinator):
    """Shifts built by hand: ended ones count whole, one under way up to now; cancelled and future ones, another
    volunteer's and another community's shifts count nothing, and neither do the handoffs' times."""
    fund(coordinator)
    confirmed_need(resident, neighbour)
    with freeze_time(utcnow()):
        add_shift(community, neighbour, 30, 27)  # 3 h
        add_shift(community, neighbour, 52, 51.5)  # half an hour
        add_shift(community, neighbour, 10, 8, cancelled=True)
        add_shift(community, neighbour, 1.5, -2)  # under way: 1.5 h so far
        add_shift(community, neighbour, -5, -8)  # to come
        add_shift(community, resident, 5, 1)  # someone else's
        add_shift(other_community, neighbour, 5, 1)  # another community's
        db.session.commit()
        result = points_record.record_of(neighbour, community.id)
        assert result.hours == 5.0 and result.earned == 10 and result.times == 1
        # A volunteer with shifts and no points yet: the hours are on the record all the same.
        assert points_record.record_of(resident, community.id).hours == 4.0
