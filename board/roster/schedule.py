"""When a household is next due: the last successful contact plus its cadence, never inside its quiet hours.

All stored times are naive UTC; the cadence and the quiet hours are read in the community's local time.
"""
from __future__ import annotations

from datetime import datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone(name: str | None) -> ZoneInfo:
    try:
        return ZoneInfo(name or "Asia/Shanghai")
    except (ZoneInfoNotFoundError, ValueError):
        return ZoneInfo("Asia/Shanghai")


def to_local(utc: datetime, tz: ZoneInfo) -> datetime:
    return utc.replace(tzinfo=timezone.utc).astimezone(tz)


def to_utc(local: datetime) -> datetime:
    return local.astimezone(timezone.utc).replace(tzinfo=None)


def in_quiet(minutes: int, quiet_from: int, quiet_to: int) -> bool:
    """Minutes after local midnight inside [quiet_from, quiet_to); the span may cross midnight; from == to: none."""
    if quiet_from == quiet_to:
        return False
    if quiet_from < quiet_to:
        return quiet_from <= minutes < quiet_to
    return minutes >= quiet_from or minutes < quiet_to


def quiet_now(utc: datetime, quiet_from: int, quiet_to: int, tz: ZoneInfo) -> bool:
    local = to_local(utc, tz)
    return in_quiet(local.hour * 60 + local.minute, quiet_from, quiet_to)


def out_of_quiet(utc: datetime, quiet_from: int, quiet_to: int, tz: ZoneInfo) -> datetime:
    """`utc`, or the end of the quiet hours it falls in (local wall time, whatever the offset is that day)."""
    local = to_local(utc, tz)
    minutes = local.hour * 60 + local.minute
    if not in_quiet(minutes, quiet_from, quiet_to):
        return utc
    day = local.date()
    if quiet_from > quiet_to and minutes >= quiet_from:
        day += timedelta(days=1)  # evening: the quiet ends tomorrow morning
    end = datetime.combine(day, time(quiet_to // 60, quiet_to % 60), tzinfo=tz)
    return to_utc(end)


def next_due(last_success: datetime | None, cadence_days: int, quiet_from: int, quiet_to: int,
             tz: ZoneInfo, *, now: datetime) -> datetime:
    """Due again `cadence_days` local days after the last successful contact (at the same wall time),
    out of the quiet hours; never contacted: due now (or when the quiet hours end)."""
    if last_success is None:
        return out_of_quiet(now, quiet_from, quiet_to, tz)
    local = to_local(last_success, tz)
    # Wall-clock arithmetic: "every 3 days at about this time", even across a change of offset.
    then = datetime.combine(local.date() + timedelta(days=cadence_days), local.timetz().replace(tzinfo=None),
                            tzinfo=tz)
    return out_of_quiet(to_utc(then), quiet_from, quiet_to, tz)


def parse_hhmm(text: str) -> int | None:
    """"21:00" → 1260; anything else None."""
    try:
        hours, minutes = (text or "").strip().split(":")
        h, m = int(hours), int(minutes)
    except ValueError:
        return None
    if not (0 <= h < 24 and 0 <= m < 60) or not hours.isascii() or not minutes.isascii():
        return None
    return h * 60 + m


def hhmm(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"
