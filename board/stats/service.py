"""Reading the community's numbers for a period: totals against the period before, medians, by building and
by category, and a series over time. Totals only: a building's count under 3 is never shown."""
from __future__ import annotations

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from flask import current_app
from sqlalchemy import and_, or_, select

from board import policy
from board.errors import Forbidden
from board.extensions import db
from board.models import Building, User, utcnow
from board.stats.facts import NO_BUCKET, TIMES
from board.stats.keeping import local_day
from board.stats.models import ALL_START, ANY_BUILDING, ANY_CATEGORY, StatCount

PERIODS = ("week", "month", "all")
COUNTS = ("needs_met", "offers_given", "box_takes", "box_gifts", "errands_completed", "elders_served", "checkins",
          "volunteers_active")
BY_BUILDING = ("needs_met", "errands_completed", "checkins", "elders_served")
BY_CATEGORY = ("needs_met", "offers_given")
SERIES = ("needs_met", "offers_given")
THRESHOLD = 3  # no count under this is shown for a building


@dataclass
class BuildingRow:
    building_id: int
    name: str
    # metric -> the count, or "few" (under 3) or "hidden" (shown apart, it would give a smaller one away)
    cells: dict[str, int | str] = field(default_factory=dict)


@dataclass
class Numbers:
    period: str
    start: date
    end: date  # the last day of the period (today for "all")
    previous: date | None
    totals: dict[str, int]
    before: dict[str, int] | None
    medians: dict[str, int | None]  # seconds (a histogram bucket's lower bound), None when nothing was timed
    timed: dict[str, int]  # how many durations each median is of
    buildings: list[BuildingRow]
    categories: list[tuple[str, dict[str, int]]]
    series: list[tuple[date, dict[str, int]]]
    series_grain: str  # "day", "week" or "month"


def today(tz: str | None = None) -> date:
    return local_day(utcnow(), tz)


def bounds(period: str, day: date) -> tuple[str, date, date, date | None]:
    """The grain, first day, last day and the period before's first day of `period` around `day`."""
    if period == "week":
        start = day - timedelta(days=day.weekday())
        return "week", start, start + timedelta(days=6), start - timedelta(days=7)
    if period == "month":
        start = day.replace(day=1)
        last = start.replace(day=calendar.monthrange(start.year, start.month)[1])
        return "month", start, last, (start - timedelta(days=1)).replace(day=1)
    return "all", ALL_START, day, None


def require_member(viewer: User) -> None:
    if not policy.may_see_numbers(viewer, viewer.community_id):
        raise Forbidden()


def require_download(viewer: User) -> None:
    if not policy.may_download_numbers(viewer, viewer.community_id):
        raise Forbidden()


def median(histogram: dict[int, int]) -> int | None:
    """The lower median (the ⌈n/2⌉-th shortest) of a histogram of durations: a value that really occurred."""
    total = sum(histogram.values())
    if total == 0:
        return None
    rank, seen = (total + 1) // 2, 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # not reached


def suppress(counts: dict[int, int]) -> dict[int, int | str]:
    """Each building's count, or "few" under 3; when only one building would be "few" and the total gives it
    away (total − the others), the smallest shown count is held back too ("hidden")."""
    out: dict[int, int | str] = {b: (n if n >= THRESHOLD else "few") for b, n in counts.items()}
    few = [b for b, v in out.items() if v == "few"]
    if len(few) == 1 and counts[few[0]] > 0:
        shown = sorted((n, b) for b, n in counts.items() if out[b] != "few")
        if shown:
            out[shown[0][1]] = "hidden"
    return out


def numbers(community_id: int, period: str, day: date | None = None) -> Numbers:
    """Everything the numbers page shows for one period, in three statements, each of tens of rows: the totals
    (and the times' buckets) of the period and the one before, and this period's rows per building and per
    category, all kept summed as events arrive (board.stats.keeping.levels)."""
    day = day or today()
    grain, start, end, previous = bounds(period, day)
    starts = [start] + ([previous] if previous else [])
    total = and_(StatCount.building_id == ANY_BUILDING, StatCount.category == ANY_CATEGORY)
    rows = db.session.execute(
        select(StatCount.start, StatCount.metric, StatCount.building_id, StatCount.category, StatCount.bucket,
               StatCount.n)
        .where(StatCount.community_id == community_id, StatCount.grain == grain, StatCount.start.in_(starts),
               or_(total, and_(StatCount.start == start,
                               or_(StatCount.building_id == ANY_BUILDING, StatCount.category == ANY_CATEGORY))))
    ).all()
    totals = dict.fromkeys(COUNTS, 0)
    before = dict.fromkeys(COUNTS, 0) if previous else None
    histograms: dict[str, dict[int, int]] = {m: {} for m in TIMES}
    by_building: dict[str, dict[int, int]] = {m: {} for m in BY_BUILDING}
    by_category: dict[str, dict[str, int]] = {}
    for row_start, metric, building_id, category, bucket_, count in rows:
        if building_id != ANY_BUILDING:  # a building's, over every category
            if metric in BY_BUILDING and building_id and bucket_ == NO_BUCKET:
                by_building[metric][building_id] = by_building[metric].get(building_id, 0) + count
            continue
        if category != ANY_CATEGORY:  # a category's, over every building
            if metric in BY_CATEGORY and category and bucket_ == NO_BUCKET:
                by_category.setdefault(category, dict.fromkeys(BY_CATEGORY, 0))[metric] += count
            continue
        if metric in TIMES:
            if row_start == start:
                histograms[metric][bucket_] = histograms[metric].get(bucket_, 0) + count
            continue
        if metric not in totals or bucket_ != NO_BUCKET:
            continue
        if row_start != start:
            before[metric] += count
        else:
            totals[metric] += count
    buildings = db.session.execute(
        select(Building.id, Building.name).where(Building.community_id == community_id).order_by(Building.name)
    ).all()
    building_rows = [BuildingRow(b.id, b.name) for b in buildings]
    for metric in BY_BUILDING:
        shown = suppress({b.building_id: by_building[metric].get(b.building_id, 0) for b in building_rows})
        for row in building_rows:
            row.cells[metric] = shown[row.building_id]
    categories = sorted(by_category.items(), key=lambda item: (-sum(item[1].values()), item[0]))
    series, series_grain = _series(community_id, period, start, end, day)
    return Numbers(
        period=period, start=start, end=end, previous=previous, totals=totals, before=before,
        medians={m: median(h) for m, h in histograms.items()}, timed={m: sum(h.values()) for m, h in histograms.items()},
        buildings=building_rows, categories=categories, series=series, series_grain=series_grain,
    )


def _series(community_id: int, period: str, start: date, end: date, day: date):
    """Per day of the week or month; since the start per week for half a year, per month after that (the last
    two years). Only the metrics' totals, each point's start named: the key's every column is given, so each row
    is one look-up in the primary key (not a scan of every metric, building and category of the period)."""
    if period == "all":
        low = day - timedelta(days=WEEKS_BEFORE_MONTHS * 7)
        this_week = day - timedelta(days=day.weekday())
        weeks = [this_week - timedelta(days=7 * i) for i in range(WEEKS_BEFORE_MONTHS + 1)]
        cursor, months = day.replace(day=1), []
        for _ in range(MONTHS_SHOWN):
            months.append(cursor)
            cursor = (cursor - timedelta(days=1)).replace(day=1)
        wanted = [("week", w) for w in weeks if w >= low] + [("month", m) for m in months]
    else:
        wanted = [("day", start + timedelta(days=i)) for i in range((end - start).days + 1)]
    grains = sorted({grain for grain, _ in wanted})
    rows = db.session.execute(
        select(StatCount.grain, StatCount.start, StatCount.metric, StatCount.n)
        .where(StatCount.community_id == community_id, StatCount.grain.in_(grains),
               StatCount.start.in_(sorted({d for _, d in wanted})), StatCount.metric.in_(SERIES),
               StatCount.building_id == ANY_BUILDING, StatCount.category == ANY_CATEGORY,
               StatCount.bucket == NO_BUCKET)
    ).all()
    found: dict[tuple[str, date], dict[str, int]] = {}
    for grain, row_start, metric, n in rows:
        found.setdefault((grain, row_start), dict.fromkeys(SERIES, 0))[metric] = int(n)
    asked = set(wanted)
    found = {key: value for key, value in found.items() if key in asked}  # a Monday the 1st is a month's start too
    if period != "all":
        return [(d, found.get(("day", d), dict.fromkeys(SERIES, 0))) for _, d in wanted], "day"
    months = sorted(d for grain, d in found if grain == "month")
    if not months or months[0] >= low.replace(day=1) + timedelta(days=31):
        # Everything within the last half year: per week from the first week with anything in it.
        first = min((d for grain, d in found if grain == "week"), default=this_week)
        weeks = [first + timedelta(days=7 * i) for i in range((this_week - first).days // 7 + 1)]
        return [(w, found.get(("week", w), dict.fromkeys(SERIES, 0))) for w in weeks], "week"
    points, cursor = [], months[0]
    while cursor <= day:
        points.append(cursor)
        cursor = (cursor + timedelta(days=32)).replace(day=1)
    return [(m, found.get(("month", m), dict.fromkeys(SERIES, 0))) for m in points], "month"


WEEKS_BEFORE_MONTHS = 26
MONTHS_SHOWN = 24


def csv_rows(community_id: int, day: date | None = None) -> list[list]:
    """Every count of the community by period, metric, building and category (buildings under 3 left out)."""
    day = day or today()
    names = dict(db.session.execute(select(Building.id, Building.name).where(Building.community_id == community_id)).all())
    out = []
    for period in PERIODS:
        n = numbers(community_id, period, day)
        label = n.start.isoformat() if period != "all" else ""
        for metric in COUNTS:
            out.append([period, label, metric, "", "", n.totals[metric]])
        for metric in TIMES:
            out.append([period, label, metric, "", "", "" if n.medians[metric] is None else n.medians[metric]])
        for row in n.buildings if len(n.buildings) > 1 else ():  # one building's count is the total
            for metric, value in row.cells.items():
                out.append([period, label, metric, names.get(row.building_id, ""), "",
                            value if isinstance(value, int) else ("<3" if value == "few" else "")])
        for category, values in n.categories:
            for metric, value in values.items():
                out.append([period, label, metric, "", category, value])
    return out
