"""Next-due arithmetic: the last successful contact plus the cadence, in local wall time, out of the quiet hours."""
from datetime import datetime

import pytest

from board.roster import schedule

SHANGHAI = schedule.zone("Asia/Shanghai")
LONDON = schedule.zone("Europe/London")
QUIET = (21 * 60, 8 * 60)  # 21:00–08:00, across midnight


@pytest.mark.parametrize("minutes, quiet", [
    (20 * 60 + 59, False), (21 * 60, True), (23 * 60 + 59, True), (0, True), (7 * 60 + 59, True), (8 * 60, False),
])
def test_quiet_hours_across_midnight(minutes, quiet):
    assert schedule.in_quiet(minutes, *QUIET) is quiet


def test_quiet_hours_within_a_day_and_none():
    assert schedule.in_quiet(13 * 60, 12 * 60, 14 * 60) and not schedule.in_quiet(14 * 60, 12 * 60, 14 * 60)
    assert not any(schedule.in_quiet(m, 600, 600) for m in range(0, 1440, 30))  # from == to: no quiet hours


def test_three_days_after_the_last_success_at_the_same_local_time():
    last = datetime(2026, 12, 1, 2, 30)  # 10:30 in Shanghai (UTC+8)
    due = schedule.next_due(last, 3, *QUIET, SHANGHAI, now=datetime(2026, 12, 1, 3, 0))
    assert due == datetime(2026, 12, 4, 2, 30)


def test_a_due_time_in_the_evening_quiet_hours_moves_to_the_next_morning():
    last = datetime(2026, 12, 1, 12, 30)  # 20:30 in Shanghai: still allowed
    due = schedule.next_due(last, 1, 20 * 60, 8 * 60, SHANGHAI, now=last)
    # 20:30 tomorrow is inside 20:00–08:00: the morning after, 08:00 local = 00:00 UTC.
    assert due == datetime(2026, 12, 3, 0, 0)
    assert schedule.to_local(due, SHANGHAI).strftime("%d %H:%M") == "03 08:00"


def test_a_due_time_in_the_early_morning_moves_to_the_end_of_the_quiet_hours_that_day():
    night = datetime(2026, 12, 1, 22, 0)  # 06:00 on the 2nd in Shanghai
    assert schedule.out_of_quiet(night, *QUIET, SHANGHAI) == datetime(2026, 12, 2, 0, 0)


def test_never_reached_is_due_now_or_when_the_quiet_hours_end():
    day = datetime(2026, 12, 1, 3, 0)  # 11:00 Shanghai
    assert schedule.next_due(None, 3, *QUIET, SHANGHAI, now=day) == day
    evening = datetime(2026, 12, 1, 14, 0)  # 22:00 Shanghai
    assert schedule.next_due(None, 3, *QUIET, SHANGHAI, now=evening) == datetime(2026, 12, 2, 0, 0)


def test_the_cadence_keeps_the_wall_clock_across_a_change_of_offset():
    last = datetime(2026, 3, 27, 10, 0)  # 10:00 GMT in London, before the clocks go forward on 29 March
    due = schedule.next_due(last, 3, *QUIET, LONDON, now=last)
    assert due == datetime(2026, 3, 30, 9, 0)  # 10:00 BST
    assert schedule.to_local(due, LONDON).hour == 10


def test_quiet_hours_end_at_local_time_after_a_change_of_offset():
    night = datetime(2026, 3, 28, 23, 30)  # 23:30 GMT, quiet; the quiet ends 08:00 BST = 07:00 UTC on the 29th
    assert schedule.out_of_quiet(night, *QUIET, LONDON) == datetime(2026, 3, 29, 7, 0)


@pytest.mark.parametrize("text, minutes", [("21:00", 1260), ("08:05", 485), ("0:00", 0), ("23:59", 1439)])
def test_clock_times_are_read(text, minutes):
    assert schedule.parse_hhmm(text) == minutes and schedule.hhmm(minutes) == f"{minutes // 60:02d}:{minutes % 60:02d}"


@pytest.mark.parametrize("text", ["24:00", "7", "12:60", "", "１２:００", "-1:00", "a:b"])
def test_junk_clock_times_are_refused(text):
    assert schedule.parse_hhmm(text) is None


def test_an_unknown_time_zone_falls_back_to_shanghai():
    assert schedule.zone("Mars/Olympus") == SHANGHAI
