"""The guardrails' rules as values, and time in the customer's local time. No queries.

The tenant keeps its rules as text (console.models.Tenant): calling hours, one window per weekday
from Monday ("09:00-20:00", or "" for a closed day) separated by ";"; holidays one per line
("2026-10-01 National Day", or "2026-10-01..2026-10-07 Golden Week"); the roles that may call
anyway, comma-separated. Parsing is cached by the text, so the pre-flight reads them for free.

A customer's time zones come from their number (phonenumbers' time-zone data), else the
tenant's zone. A number may have several zones (a Russian mobile, a North American toll-free
number): calling is open only when it is open in every one of them (docs/contract-choices.md).
"""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

import phonenumbers
from phonenumbers import timezone as pn_timezone

WEEKDAYS = 7
HORIZON_DAYS = 15  # how far ahead "when calling opens" looks before saying "not by waiting"

Window = tuple[time, time] | None  # opens, closes (closes after opens); None: closed all day

_WINDOW_RE = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")
_HOLIDAY_RE = re.compile(r"^(\d{4}-\d{2}-\d{2})(?:\s*\.\.\s*(\d{4}-\d{2}-\d{2}))?(?:\s+(.*))?$")
MAX_HOLIDAY_DAYS = 366


class RuleError(ValueError):
    """A rule's text that does not read; `line` is 1-based where it applies (holidays)."""

    def __init__(self, message: str, line: int = 0):
        super().__init__(message)
        self.line = line


def parse_window(text: str) -> Window:
    """One weekday's window: "" is closed; "HH:MM-HH:MM" with closes after opens."""
    if not text.strip():
        return None
    m = _WINDOW_RE.match(text)
    if not m:
        raise RuleError("not HH:MM-HH:MM")
    h1, m1, h2, m2 = (int(g) for g in m.groups())
    if h1 > 23 or h2 > 24 or m1 > 59 or m2 > 59 or (h2 == 24 and m2):
        raise RuleError("not a time of day")
    opens = time(h1, m1)
    closes = time(23, 59, 59, 999999) if h2 == 24 else time(h2, m2)
    if closes <= opens:
        raise RuleError("closes before it opens")
    return (opens, closes)


@lru_cache(maxsize=512)
def parse_hours(text: str) -> tuple[Window, ...]:
    """The seven windows (Monday first); a text that does not read is closed every day (the
    settings form never saves one)."""
    parts = (text or "").split(";")
    parts += [""] * (WEEKDAYS - len(parts))
    try:
        return tuple(parse_window(p) for p in parts[:WEEKDAYS])
    except RuleError:
        return (None,) * WEEKDAYS


def format_window(window: Window) -> str:
    if window is None:
        return ""
    opens, closes = window
    end = "24:00" if closes == time(23, 59, 59, 999999) else closes.strftime("%H:%M")
    return f"{opens.strftime('%H:%M')}-{end}"


def format_hours(windows) -> str:
    return ";".join(format_window(w) for w in windows)


def read_holidays(text: str) -> list[tuple[date, date, str]]:
    """Each line's (first day, last day, name); raises RuleError naming the line."""
    out = []
    for lineno, line in enumerate((text or "").splitlines(), start=1):
        line = line.strip()
        if not line:
            continue
        m = _HOLIDAY_RE.match(line)
        if not m:
            raise RuleError("not a date", lineno)
        try:
            first = date.fromisoformat(m.group(1))
            last = date.fromisoformat(m.group(2)) if m.group(2) else first
        except ValueError as e:
            raise RuleError("not a date", lineno) from e
        if last < first or (last - first).days >= MAX_HOLIDAY_DAYS:
            raise RuleError("not a range", lineno)
        out.append((first, last, (m.group(3) or "").strip()[:80]))
    return out


@lru_cache(maxsize=512)
def parse_holidays(text: str) -> dict[date, str]:
    """Every holiday date and its name (a text that does not read has none; the settings form
    never saves one)."""
    try:
        ranges = read_holidays(text)
    except RuleError:
        return {}
    days: dict[date, str] = {}
    for first, last, name in ranges:
        for i in range((last - first).days + 1):
            days.setdefault(first + timedelta(days=i), name)
    return days


def role_set(text: str) -> frozenset[str]:
    return frozenset(r for r in (text or "").split(",") if r)


@lru_cache(maxsize=64)
def _zone(name: str) -> ZoneInfo:
    return ZoneInfo(name)


@lru_cache(maxsize=20_000)
def zone_names(number: str, fallback: str) -> tuple[str, ...]:
    """The customer's time zones (names), from their E.164 number; the tenant's zone when the
    number names none."""
    if number:
        try:
            names = pn_timezone.time_zones_for_number(phonenumbers.parse(number))
        except phonenumbers.NumberParseException:
            names = ()
        known = []
        for name in names:
            try:
                _zone(name)
            except (KeyError, ValueError):  # "Etc/Unknown", or a zone this system lacks
                continue
            known.append(name)
        if known:
            return tuple(known)
    return (fallback,)


def zones(names: tuple[str, ...]) -> tuple[ZoneInfo, ...]:
    return tuple(_zone(n) for n in names)


def _open_in(t: datetime, zone: ZoneInfo, windows, holidays) -> datetime | None:
    """The first instant at or after t when calling is open in `zone`, within the horizon."""
    local = t.astimezone(zone)
    for i in range(HORIZON_DAYS):
        day = local.date() + timedelta(days=i)
        window = windows[day.weekday()]
        if window is None or day in holidays:
            continue
        start = datetime.combine(day, window[0], tzinfo=zone)
        end = datetime.combine(day, window[1], tzinfo=zone)
        at = max(t, start)
        if at < end:
            return at
    return None


def next_open(t: datetime, zs: tuple[ZoneInfo, ...], windows, holidays) -> datetime | None:
    """The first instant at or after t when calling is open in every zone; None when none comes
    within the horizon (closed every day, or no common hours across the number's zones)."""
    if all(w is None for w in windows):
        return None
    at = t
    for _ in range(4 * HORIZON_DAYS):
        found = [_open_in(at, z, windows, holidays) for z in zs]
        if any(f is None for f in found):
            return None
        latest = max(found)
        if latest == at:
            return at
        at = latest
        if at - t > timedelta(days=HORIZON_DAYS):
            return None
    return None


def holiday_now(t: datetime, zs: tuple[ZoneInfo, ...], holidays) -> str | None:
    """The name of the holiday it is in one of the zones ("" for an unnamed one), or None."""
    for z in zs:
        day = t.astimezone(z).date()
        if day in holidays:
            return holidays[day]
    return None


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(0), tzinfo=zone)


def day_bounds(t: datetime, zs: tuple[ZoneInfo, ...]) -> tuple[datetime, datetime]:
    """The customer's day around t: its earliest start and latest end across the zones (so a
    cap counts more, never less)."""
    starts, ends = [], []
    for z in zs:
        day = t.astimezone(z).date()
        starts.append(_midnight(day, z))
        ends.append(_midnight(day + timedelta(days=1), z))
    return min(starts), max(ends)


def week_bounds(t: datetime, zs: tuple[ZoneInfo, ...]) -> tuple[datetime, datetime]:
    """The customer's week (Monday to Sunday) around t, like day_bounds."""
    starts, ends = [], []
    for z in zs:
        day = t.astimezone(z).date()
        monday = day - timedelta(days=day.weekday())
        starts.append(_midnight(monday, z))
        ends.append(_midnight(monday + timedelta(days=7), z))
    return min(starts), max(ends)
