"""The guardrails' rules as values: calling hours, holidays, time zones of a number."""

from datetime import UTC, date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from guardrails import rules

SH = ZoneInfo("Asia/Shanghai")
WEEKDAYS_9_18 = rules.parse_hours("09:00-18:00;09:00-18:00;09:00-18:00;09:00-18:00;09:00-18:00;;")


def test_hours_read_and_write_back():
    text = "09:00-18:00;;10:30-24:00;;;;08:00-09:00"
    windows = rules.parse_hours(text)
    assert windows[0] == (time(9), time(18)) and windows[1] is None
    assert rules.format_hours(windows) == text


@pytest.mark.parametrize(
    "bad", ["9-18", "18:00-09:00", "25:00-26:00", "09:00-09:00", "09:60-10:00"]
)
def test_a_window_that_does_not_read_is_refused(bad):
    with pytest.raises(rules.RuleError):
        rules.parse_window(bad)


def test_holidays_read_with_ranges_and_name_the_bad_line():
    days = rules.parse_holidays("2026-10-01..2026-10-03 Golden Week\n\n2026-12-25 Christmas")
    assert days[date(2026, 10, 2)] == "Golden Week" and date(2026, 10, 4) not in days
    assert days[date(2026, 12, 25)] == "Christmas"
    with pytest.raises(rules.RuleError) as e:
        rules.read_holidays("2026-10-01 ok\n2026-13-01 bad")
    assert e.value.line == 2
    with pytest.raises(rules.RuleError):
        rules.read_holidays("2026-10-05..2026-10-01 backwards")


def test_a_numbers_zones_come_from_the_number_else_the_tenants():
    assert rules.zone_names("+8613800001234", "Europe/Paris") == ("Asia/Shanghai",)
    assert rules.zone_names("+12125551234", "Asia/Shanghai") == ("America/New_York",)
    assert rules.zone_names("", "Europe/Paris") == ("Europe/Paris",)
    assert len(rules.zone_names("+79161234567", "Asia/Shanghai")) > 1  # a Russian mobile


def test_next_open_in_the_customers_time():
    zs = (SH,)
    # Monday 2026-05-04 08:00 in Shanghai: opens at 09:00 the same day
    at = datetime(2026, 5, 4, 8, 0, tzinfo=SH)
    assert rules.next_open(at, zs, WEEKDAYS_9_18, {}) == datetime(2026, 5, 4, 9, 0, tzinfo=SH)
    inside = datetime(2026, 5, 4, 10, 0, tzinfo=SH)
    assert rules.next_open(inside, zs, WEEKDAYS_9_18, {}) == inside
    # Friday 18:30: the weekend is closed, so Monday 09:00
    friday = datetime(2026, 5, 8, 18, 30, tzinfo=SH)
    assert rules.next_open(friday, zs, WEEKDAYS_9_18, {}) == datetime(2026, 5, 11, 9, tzinfo=SH)
    # ... unless Monday is a holiday
    holidays = {date(2026, 5, 11): "Day off"}
    assert rules.next_open(friday, zs, WEEKDAYS_9_18, holidays) == datetime(
        2026, 5, 12, 9, tzinfo=SH
    )
    assert rules.holiday_now(datetime(2026, 5, 11, 10, tzinfo=SH), zs, holidays) == "Day off"


def test_several_zones_open_only_when_open_in_every_one():
    ny, la = ZoneInfo("America/New_York"), ZoneInfo("America/Los_Angeles")
    # 09:00 in New York is 06:00 in Los Angeles: open once it is 09:00 there (12:00 in NY)
    at = datetime(2026, 5, 4, 9, 0, tzinfo=ny)
    assert rules.next_open(at, (ny, la), WEEKDAYS_9_18, {}) == datetime(2026, 5, 4, 9, tzinfo=la)
    # Shanghai and New York have no common hours 09:00-18:00: not by waiting
    assert rules.next_open(at, (ny, SH), WEEKDAYS_9_18, {}) is None


def test_every_day_closed_never_opens():
    closed = rules.parse_hours(";;;;;;")
    assert rules.next_open(datetime(2026, 5, 4, tzinfo=UTC), (SH,), closed, {}) is None


def test_day_and_week_bounds_in_the_customers_time():
    at = datetime(2026, 5, 6, 2, 0, tzinfo=UTC)  # Wednesday 10:00 in Shanghai
    start, end = rules.day_bounds(at, (SH,))
    assert start == datetime(2026, 5, 6, tzinfo=SH) and end == datetime(2026, 5, 7, tzinfo=SH)
    start, end = rules.week_bounds(at, (SH,))
    assert start == datetime(2026, 5, 4, tzinfo=SH) and end == datetime(2026, 5, 11, tzinfo=SH)
