"""The community's numbers against a hand-built event log; the incremental keeper agrees with a rebuild."""
from datetime import date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlalchemy import Column, ForeignKey, Integer, MetaData, Table, func, select

from board.cards import handoffs, transitions
from board.events import record
from board.extensions import db
from board.households import service as households
from board.models import Event, Handoff
from board.stats import facts, keeping, service
from board.stats.models import ANY_BUILDING, ANY_CATEGORY, StatCount, StatSeen
from tests import factories

TODAY = date(2026, 11, 25)  # a Wednesday; the week is Mon 23 – Sun 29 Nov, last week 16–22 Nov


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> datetime:
    """A stored (UTC) time for a local (UTC+8) wall-clock time in November 2026."""
    return datetime(2026, month, day, hour, minute) - timedelta(hours=8)


@pytest.fixture
def errands_table(app, monkeypatch):
    """A stand-in `errands` table (card_id, community_id): an errand is a card with such a row."""
    metadata = MetaData()
    table = Table("stats_test_errands", metadata, Column("card_id", Integer, ForeignKey("cards.id")),
                  Column("community_id", Integer))
    Table("cards", metadata, Column("id", Integer, primary_key=True))
    table.create(db.engine)
    monkeypatch.setattr(keeping, "_errands_table", lambda: table)
    yield table
    db.session.remove()
    table.drop(db.engine)


def card_at(author, when, **fields):
    card = factories.card(author, **fields)
    card.created_at = when
    db.session.commit()
    return card


def ev(community, kind, when, card=None, actor=None, from_status=None, **data):
    db.session.add(Event(community_id=community.id, card_id=card.id if card else None,
                         actor_id=actor.id if actor else None, kind=kind, from_status=from_status, data=data,
                         created_at=when))


def handoff(community, card, giver, posted_day, *, match, done, kind="handoff.confirm_received", leave=True):
    """match/done: (day, hour, minute) local; the events of one handoff."""
    ev(community, "handoff.match", at(*match), card, giver, giver_id=giver.id)
    if leave:
        ev(community, "handoff.leave_at_door", at(*match), card, giver, giver_id=giver.id)
    ev(community, kind, at(*done), card, giver, from_status="left_at_door" if leave else "matched", giver_id=giver.id)


@pytest.fixture
def log(community, resident, neighbour, coordinator, errands_table):
    """The hand-built log (times local): what each number must come to is written beside it."""
    c = community
    b1, b2 = resident, factories.user(c, login="mei", display_name="Xiaomei", building=1, unit="301")
    b3 = factories.user(c, login="sun", display_name="Mr Sun", building=2, unit="702")
    grandma = households.add_person(coordinator, b2.household, name="Grandma Mei", age_group="over_80")
    # Needs this week in Building 1: matched after 25 min, 3 h, 10 min; received after 3 h, 5 h; n3 closed unconfirmed.
    n1 = card_at(b1, at(23, 10))
    handoff(c, n1, neighbour, 23, match=(23, 10, 25), done=(23, 13))
    n2 = card_at(b1, at(24, 10))
    handoff(c, n2, neighbour, 24, match=(24, 13), done=(24, 15), kind="handoff.receive_in_person", leave=False)
    n3 = card_at(b1, at(24, 10), category="food")
    ev(c, "handoff.match", at(24, 10, 10), n3, neighbour)
    ev(c, "handoff.helper_withdraw", at(24, 10, 50), n3, neighbour)
    ev(c, "handoff.match", at(24, 11), n3, coordinator)  # a second match: the first one is timed
    ev(c, "handoff.leave_at_door", at(24, 11), n3, coordinator)
    ev(c, "handoff.close_unconfirmed", at(25, 10), n3, None, from_status="left_at_door", giver_id=coordinator.id)
    ev(c, "handoff.confirm_received", at(25, 12), n3, b1, from_status="unconfirmed", giver_id=coordinator.id)  # counted once
    # An errand for Grandma Mei's home (Building 2): matched after 1 h, received after 2 h; it is also a need met.
    n5 = card_at(b2, at(23, 9), category="care")
    db.session.execute(errands_table.insert().values(card_id=n5.id, community_id=c.id))
    handoff(c, n5, neighbour, 23, match=(23, 10), done=(23, 11))
    # Last week, Building 2: counts for last week and for the month, not for this week.
    n4 = card_at(b2, at(17, 8))
    handoff(c, n4, neighbour, 17, match=(17, 9), done=(17, 20))
    # An offer of Building 3 given twice this week; an unmatched need that only expired.
    o1 = card_at(b3, at(22, 9), kind="offer", category="food", quantity=3)
    for day in (23, 24):
        ev(c, "handoff.ask", at(day, 9), o1, b1)
        ev(c, "handoff.accept", at(day, 9), o1, b3)
        ev(c, "handoff.receive_in_person", at(day, 18), o1, b1, from_status="matched", giver_id=b3.id)
    ev(c, "card.expire", at(25, 9), card_at(b3, at(20, 9)))
    # The box: two takes and a delivery, one gift checked in, one only offered.
    for kind in ("box.take", "box.take", "box.delivered", "box.checkin", "box.gift_offered"):
        ev(c, kind, at(24, 16), None, b1, item_id=1, shelf_id=1, quantity=5, available=5)
    # Check-ins of Grandma Mei's home: reached by the coordinator, no answer, visited by the errand's helper.
    home = grandma.household_id
    ev(c, "roster.call_logged", at(24, 19), None, coordinator, household_id=home, outcome="reached",
       wellbeing="same", caller_id=coordinator.id)
    ev(c, "roster.call_logged", at(25, 9), None, coordinator, household_id=home, outcome="no_answer",
       wellbeing="", caller_id=coordinator.id)
    ev(c, "roster.call_logged", at(25, 10), None, neighbour, household_id=home, outcome="visited",
       wellbeing="better", caller_id=neighbour.id)
    db.session.commit()
    keeping.rebuild(c.id)
    return {"community": c, "buildings": [b.id for b in c.buildings], "giver": neighbour, "caller": coordinator}


WEEK = {"needs_met": 4, "offers_given": 2, "box_takes": 3, "box_gifts": 1, "errands_completed": 1,
        "elders_served": 1, "checkins": 2, "volunteers_active": 2}
LAST_WEEK = {"needs_met": 1, "offers_given": 0, "box_takes": 0, "box_gifts": 0, "errands_completed": 0,
             "elders_served": 0, "checkins": 0, "volunteers_active": 0}


def test_this_week_against_last_week(log):
    n = service.numbers(log["community"].id, "week", TODAY)
    assert (n.start, n.end, n.previous) == (date(2026, 11, 23), date(2026, 11, 29), date(2026, 11, 16))
    assert n.totals == WEEK
    assert n.before == LAST_WEEK


def test_medians_are_the_lower_middle_of_what_happened(log):
    n = service.numbers(log["community"].id, "week", TODAY)
    # matches after 10 min, 25 min, 1 h, 3 h (n3's second match is not timed) → 25 min
    assert n.medians["match_secs"] == 25 * 60 and n.timed["match_secs"] == 4
    # receipts after 2 h, 3 h, 5 h (a doorstep closed unconfirmed is no receipt) → 3 h
    assert n.medians["receipt_secs"] == 3 * 3600 and n.timed["receipt_secs"] == 3


def test_the_month_and_since_the_start(log):
    c = log["community"].id
    month = service.numbers(c, "month", TODAY)
    assert month.totals["needs_met"] == 5 and month.totals["errands_completed"] == 1
    assert month.totals["volunteers_active"] == 2 and month.totals["elders_served"] == 1  # distinct in the month
    assert month.before == dict.fromkeys(service.COUNTS, 0)  # October
    everything = service.numbers(c, "all", TODAY)
    assert everything.totals == month.totals and everything.before is None
    # Within half a year: per week, from the first week with anything in it.
    assert everything.series_grain == "week"
    assert everything.series == [(date(2026, 11, 16), {"needs_met": 1, "offers_given": 0}),
                                 (date(2026, 11, 23), {"needs_met": 4, "offers_given": 2})]


def test_since_the_start_is_per_month_past_half_a_year(log, resident, neighbour):
    c = log["community"]
    old = card_at(resident, at(3, 9, month=3))
    handoff(c, old, neighbour, 3, match=(3, 10, 0, 3), done=(3, 12, 0, 3))
    db.session.commit()
    keeping.rebuild(c.id)
    everything = service.numbers(c.id, "all", TODAY)
    assert everything.series_grain == "month" and everything.totals["needs_met"] == 6
    assert [d.month for d, _ in everything.series] == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert everything.series[0][1]["needs_met"] == 1 and everything.series[-1][1]["needs_met"] == 5


def test_by_category_and_by_day(log):
    n = service.numbers(log["community"].id, "week", TODAY)
    assert dict(n.categories) == {"medicine": {"needs_met": 2, "offers_given": 0},
                                  "food": {"needs_met": 1, "offers_given": 2},
                                  "care": {"needs_met": 1, "offers_given": 0}}
    by_day = {d.day: v for d, v in n.series}
    assert len(by_day) == 7
    assert by_day[23] == {"needs_met": 2, "offers_given": 1} and by_day[24] == {"needs_met": 1, "offers_given": 1}
    assert by_day[25] == {"needs_met": 1, "offers_given": 0} and by_day[26] == {"needs_met": 0, "offers_given": 0}


def test_by_building_shows_no_count_under_three(log):
    n = service.numbers(log["community"].id, "week", TODAY)
    b1, b2, b3 = log["buildings"]
    cells = {row.building_id: row.cells for row in n.buildings}
    assert cells[b1]["needs_met"] == 3
    assert cells[b2]["needs_met"] == "few" and cells[b3]["needs_met"] == "few"  # 1 and 0: both "fewer than 3"
    assert cells[b2]["checkins"] == "few" and cells[b2]["elders_served"] == "few"
    for row in n.buildings:
        assert all(v in ("few", "hidden") or v >= 3 for v in row.cells.values())


def test_a_rolled_back_change_counts_nothing_and_a_committed_one_at_once(community, resident, neighbour):
    need = factories.card(resident)
    h = handoffs.offer_help(need, neighbour)
    before = snapshot()
    transitions.apply_handoff(h, "receive_in_person", resident, commit=False)
    db.session.rollback()
    assert snapshot() == before
    assert service.numbers(community.id, "week").totals["needs_met"] == 0
    handoffs.move(db.session.get(Handoff, h.id), "receive_in_person", resident)
    n = service.numbers(community.id, "week")
    assert n.totals["needs_met"] == 1 and n.timed == {"match_secs": 1, "receipt_secs": 1}


def snapshot():
    counts = {tuple(r[:-1]): r[-1] for r in db.session.execute(select(
        StatCount.community_id, StatCount.grain, StatCount.start, StatCount.metric, StatCount.building_id,
        StatCount.category, StatCount.bucket, StatCount.n))}
    seen = set(db.session.execute(select(StatSeen.community_id, StatSeen.grain, StatSeen.start, StatSeen.metric,
                                         StatSeen.subject_id)))
    return counts, seen


def test_kept_as_events_arrive_equals_a_rebuild(community, resident, neighbour, coordinator, errands_table):
    """Real moves through the transition table: what the receiver kept is what replaying the log gives."""
    grandma = households.add_person(coordinator, resident.household, name="Grandma Li", age_group="over_80")
    cards = [factories.card(resident, title=t) for t in ("Fever medicine", "Rice", "Antigen test")]
    db.session.execute(errands_table.insert().values(card_id=cards[0].id, community_id=community.id))
    db.session.commit()
    first = handoffs.offer_help(cards[0], neighbour)
    handoffs.leave_at_door(first, neighbour, note="")
    handoffs.move(db.session.get(Handoff, first.id), "confirm_received", resident)
    handoffs.move(handoffs.offer_help(cards[1], neighbour), "receive_in_person", resident)
    third = handoffs.offer_help(cards[2], coordinator)
    handoffs.move(third, "helper_withdraw", coordinator)
    handoffs.offer_help(cards[2], neighbour)
    offer = factories.card(neighbour, kind="offer", category="food", title="Noodles", quantity=2)
    handoffs.move(handoffs.ask(offer, resident, 1), "receive_in_person", resident)
    record("roster.call_logged", community_id=community.id, actor=coordinator, household_id=grandma.household_id,
           outcome="reached", wellbeing="same", caller_id=coordinator.id)
    db.session.commit()
    kept = snapshot()
    week = service.numbers(community.id, "week").totals
    assert week["needs_met"] == 2 and week["offers_given"] == 1 and week["errands_completed"] == 1
    assert week["elders_served"] == 1 and week["volunteers_active"] == 2 and week["checkins"] == 1
    keeping.rebuild(community.id)
    assert snapshot() == kept


def test_two_receipts_of_one_elder_home_in_one_transaction_count_it_once(community, resident, coordinator):
    grandma = households.add_person(coordinator, resident.household, name="Grandma Li", age_group="over_60")
    for caller in (coordinator, resident):
        record("roster.call_logged", community_id=community.id, actor=caller, household_id=grandma.household_id,
               outcome="reached", wellbeing="same", caller_id=caller.id)
    db.session.commit()
    n = service.numbers(community.id, "week")
    assert (n.totals["checkins"], n.totals["elders_served"], n.totals["volunteers_active"]) == (2, 1, 2)


@pytest.mark.parametrize("seconds, expected", [(0, 0), (59, 0), (61, 60), (3599, 3540), (3600, 3600), (3899, 3600),
                                               (86399, 86100), (90061, 86400 + 3600), (8 * 86400 + 5, 8 * 86400)])
def test_buckets(seconds, expected):
    assert facts.bucket(seconds) == expected


@given(st.lists(st.integers(0, 12), min_size=2, max_size=8))  # the view shows buildings only when there are 2+
def test_suppression_never_shows_under_three_nor_lets_the_total_give_one_away(counts):
    shown = service.suppress(dict(enumerate(counts)))
    assert all(v in ("few", "hidden") or v >= service.THRESHOLD for v in shown.values())
    held = [b for b, v in shown.items() if not isinstance(v, int)]
    # What the total minus the shown counts leaves is spread over two or more buildings, or is nothing.
    assert len(held) != 1 or counts[held[0]] == 0
    assert all(shown[b] == counts[b] for b in shown if isinstance(shown[b], int))


def seen_ids(metric):
    return set(db.session.scalars(select(StatSeen.subject_id).where(StatSeen.metric == metric)))


def test_erasing_an_account_takes_its_id_out_of_the_numbers_and_keeps_the_counts(community, resident, neighbour,
                                                                                  coordinator, errands_table):
    """Who was counted once a period is kept by id: an erased account's id goes at once (and an emptied home's),
    the counts stay, and a rebuild of the log gives the same rows."""
    from board.accounts import service as accounts

    grandma = households.add_person(coordinator, resident.household, name="Grandma Li", age_group="over_80")
    home = grandma.household_id
    errand = factories.card(resident, title="Fever medicine")
    db.session.execute(errands_table.insert().values(card_id=errand.id, community_id=community.id))
    db.session.commit()
    handoffs.move(handoffs.offer_help(errand, neighbour), "receive_in_person", resident)
    record("roster.call_logged", community_id=community.id, actor=coordinator, household_id=home,
           outcome="reached", wellbeing="same", caller_id=coordinator.id)
    db.session.commit()
    assert seen_ids("volunteers_active") == {neighbour.id, coordinator.id} and seen_ids("elders_served") == {home}
    counted = service.numbers(community.id, "week").totals
    accounts.erase(neighbour, password=factories.PASSWORD)
    assert seen_ids("volunteers_active") == {coordinator.id}
    accounts.erase(resident, password=factories.PASSWORD)
    assert seen_ids("elders_served") == {home}  # Grandma Li still lives there: the home's, not the account's
    kept = snapshot()
    keeping.rebuild(community.id)
    assert snapshot() == kept
    accounts.erase_person(coordinator, db.session.get(type(grandma), grandma.id), password=factories.PASSWORD)
    assert seen_ids("elders_served") == set()  # nobody is left in it
    assert service.numbers(community.id, "week").totals == counted
    assert counted["volunteers_active"] == 2 and counted["elders_served"] == 1
    # (A rebuild now would not count her home as an elder's: erasing her erased her age group too.)


def test_each_count_is_kept_summed_over_buildings_and_categories(log):
    """The rows the page reads (totals, a building's, a category's) are the sums of each fact's own rows."""
    rows = db.session.execute(select(StatCount.grain, StatCount.start, StatCount.metric, StatCount.building_id,
                                     StatCount.category, StatCount.bucket, StatCount.n)
                              .where(StatCount.community_id == log["community"].id)).all()
    own = [r for r in rows if r.building_id != ANY_BUILDING and r.category != ANY_CATEGORY]
    kept = {tuple(r[:-1]): r.n for r in rows}

    def summed(building, category):
        out = {}
        for r in own:
            if (building is None or r.building_id == building(r)) and (category is None or r.category == category(r)):
                key = (r.grain, r.start, r.metric, ANY_BUILDING if building is None else r.building_id,
                       ANY_CATEGORY if category is None else r.category, r.bucket)
                out[key] = out.get(key, 0) + r.n
        return out

    totals = summed(None, None)
    per_building = {k: v for k, v in summed(lambda r: r.building_id, None).items() if k[3] != 0}
    per_category = {k: v for k, v in summed(None, lambda r: r.category).items() if k[4] != ""}
    assert totals and per_building and per_category
    assert {k: v for k, v in kept.items() if k[3] == ANY_BUILDING and k[4] == ANY_CATEGORY} == totals
    assert {k: v for k, v in kept.items() if k[3] != ANY_BUILDING and k[4] == ANY_CATEGORY} == per_building
    assert {k: v for k, v in kept.items() if k[3] == ANY_BUILDING and k[4] != ANY_CATEGORY} == per_category
