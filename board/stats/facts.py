"""What each event counts for: the one place that reads the event log's names into the community's numbers.

`facts(event, look)` is pure: the incremental keeper (as events arrive) and the rebuild (replaying the whole
log) both call it, each with its own way of looking things up, so the two cannot disagree on a rule.
Names follow /work/briefs/contracts.md: completions are the handoff moves below on need / offer cards, an
errand is a card with an `errands` row, a check-in is `roster.call_logged` reached or visited.
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Protocol

from board.models import Event

COMPLETIONS = frozenset({"handoff.confirm_received", "handoff.receive_in_person", "handoff.close_unconfirmed"})
RECEIPTS = frozenset({"handoff.confirm_received", "handoff.receive_in_person"})
BOX_TAKES = frozenset({"box.take", "box.delivered"})
BOX_GIFTS = frozenset({"box.checkin"})
CHECK_IN = "roster.call_logged"
SUCCESSFUL_CALLS = frozenset({"reached", "visited"})
ELDER_AGES = frozenset({"over_60", "over_80"})

# Metrics whose count is of distinct homes or people in a period (not additive over days).
DISTINCT = frozenset({"elders_served", "volunteers_active"})
# What a distinct metric's subject id is: an account (a giver, a caller) or a home.
USER_SUBJECTS = frozenset({"volunteers_active"})
HOME_SUBJECTS = frozenset({"elders_served"})
ERASURES = frozenset({"account.erased", "household.person_erased"})
TIMES = ("match_secs", "receipt_secs")
NO_BUCKET = -1


@dataclass(frozen=True)
class CardFacts:
    kind: str
    category: str
    building_id: int
    household_id: int | None
    created_at: datetime


@dataclass(frozen=True)
class HomeFacts:
    building_id: int
    has_elder: bool


@dataclass(frozen=True)
class Fact:
    metric: str
    building_id: int = 0
    category: str = ""
    bucket: int = NO_BUCKET
    subject: int | None = None  # distinct metrics: the home or person counted once per period


class Look(Protocol):
    def card(self, card_id: int) -> CardFacts | None: ...
    def is_errand(self, card_id: int) -> bool: ...
    def home(self, household_id: int) -> HomeFacts | None: ...
    def first_match(self, event: Event) -> bool: ...


def bucket(seconds: float) -> int:
    """A duration's histogram bucket (its lower bound): to the minute within an hour, 5 minutes within a day,
    the hour within a week, the day beyond. The medians are shown at the same resolution, so they are exact."""
    s = max(0, int(seconds))
    step = 60 if s < 3600 else 300 if s < 86400 else 3600 if s < 7 * 86400 else 86400
    return s - s % step


def periods(day: date) -> list[tuple[str, date]]:
    """The periods a local day falls in, one per grain."""
    from board.stats.models import ALL_START

    return [("day", day), ("week", day - timedelta(days=day.weekday())), ("month", day.replace(day=1)),
            ("all", ALL_START)]


def facts(event: Event, look: Look) -> list[Fact]:
    """What one event adds to the numbers (nothing for most events)."""
    kind = event.kind
    if kind in COMPLETIONS and event.card_id is not None:
        return _completion(event, look)
    if kind == "handoff.match" and event.card_id is not None:
        card = look.card(event.card_id)
        if card is None or card.kind != "need" or not look.first_match(event):
            return []
        return [Fact("match_secs", bucket=bucket((event.created_at - card.created_at).total_seconds()))]
    if kind in BOX_TAKES:
        return [Fact("box_takes")]
    if kind in BOX_GIFTS:
        return [Fact("box_gifts")]
    if kind == CHECK_IN:
        return _check_in(event, look)
    return []


def _completion(event: Event, look: Look) -> list[Fact]:
    # A late "I have it" after the system closed the doorstep was already counted when it closed.
    if event.kind == "handoff.confirm_received" and event.from_status == "unconfirmed":
        return []
    card = look.card(event.card_id)
    if card is None:
        return []
    where = {"building_id": card.building_id, "category": card.category}
    out = [Fact("needs_met" if card.kind == "need" else "offers_given", **where)]
    if card.kind == "need" and event.kind in RECEIPTS:
        out.append(Fact("receipt_secs", bucket=bucket((event.created_at - card.created_at).total_seconds())))
    if look.is_errand(event.card_id):
        out.append(Fact("errands_completed", **where))
        giver = (event.data or {}).get("giver_id")
        if giver is not None:
            out.append(Fact("volunteers_active", subject=int(giver)))
        home = look.home(card.household_id) if card.household_id is not None else None
        if home is not None and home.has_elder:
            out.append(Fact("elders_served", building_id=home.building_id, subject=card.household_id))
    return out


def _check_in(event: Event, look: Look) -> list[Fact]:
    data = event.data or {}
    if data.get("outcome") not in SUCCESSFUL_CALLS:
        return []
    household_id = data.get("household_id")
    home = look.home(int(household_id)) if household_id is not None else None
    out = [Fact("checkins", building_id=home.building_id if home else 0)]
    caller = data.get("caller_id") or event.actor_id
    if caller is not None:
        out.append(Fact("volunteers_active", subject=int(caller)))
    if home is not None and home.has_elder:
        out.append(Fact("elders_served", building_id=home.building_id, subject=int(household_id)))
    return out
