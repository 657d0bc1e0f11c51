"""The export's rows as the database gives them best (calls/export.py writes them out).

One query on the calls table alone, read in chunks through the database's own cursor (a
server-side one on PostgreSQL). The database does the per-row work it does faster than Python:
the time already as text (or a spreadsheet day number) in the tenant's time zone, the call's code
as text, numbers as text, "answered" as yes / no, and each reason and outcome as one key. Names,
labels and wrap-ups are not joined: a chunk's wrap-ups come in one query for the calls that have
a note or a person's wrap-up, and names and labels from small dictionaries
(docs/performance.md, "Exports at the speed of the disk").
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from functools import lru_cache
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connections
from django.db.models import (
    BooleanField,
    Case,
    CharField,
    Expression,
    ExpressionWrapper,
    F,
    FloatField,
    Func,
    Q,
    QuerySet,
    When,
)
from django.utils import timezone

from calls.models import Call, Disposition, WrapUp, WrapUpState

CHUNK = 2000
# The zone's offsets are looked up from here on (an older time takes this year's first offset).
EARLIEST_YEAR = 1970
_DAY = timedelta(days=1)

# The columns of each row, in order (calls/export.py unpacks them).
ROW = (
    "when",  # "2026-03-02T07:30:00+08:00", or a spreadsheet day number (float)
    "code",  # its 32 hex digits
    "user_id",
    "softphone",
    "caller",
    "called",
    "status",
    "serial",
    "reason_source",
    "reason_code",
    "ret_msg",
    "http_status",
    "call_type",
    "outcome_code",
    "no_talk",  # True when talking_at is empty
    "talk_seconds",
    "agent_talk_seconds",
    "outcome_source",
    "wrapup_state",
    "disposition_id",
    "has_note",
    "override_code",
    "override_reason",
    "id",
)


@lru_cache(maxsize=256)
def _changes_in(tz_name: str, year: int) -> tuple[tuple[datetime, int], ...]:
    """The instants of `year` (UTC) at which the zone's UTC offset changes, with the offset (in
    seconds) from then on. Daily steps, then halving down to the second: no zone changes twice
    in a day."""
    tz = ZoneInfo(tz_name)

    def offset(t: datetime) -> int:
        return int(t.astimezone(tz).utcoffset().total_seconds())

    changes = []
    t, end = datetime(year, 1, 1, tzinfo=UTC), datetime(year + 1, 1, 1, tzinfo=UTC)
    current = offset(t)
    while t < end:
        step = min(t + _DAY, end)
        if offset(step) != current:
            lo, hi = int(t.timestamp()), int(step.timestamp())  # `current` at lo, not at hi
            while hi - lo > 1:
                mid = (lo + hi) // 2
                lo, hi = (
                    (mid, hi) if offset(datetime.fromtimestamp(mid, UTC)) == current else (lo, mid)
                )
            hi = datetime.fromtimestamp(hi, UTC)
            current = offset(hi)
            changes.append((hi, current))
        t = step
    return tuple(changes)


def offsets(tz_name: str, until: datetime) -> list[tuple[datetime | None, int]]:
    """The zone's UTC offsets (seconds) from EARLIEST_YEAR to `until`, newest first, each with
    the instant it starts (None for the first)."""
    first = datetime(EARLIEST_YEAR, 1, 1, tzinfo=UTC).astimezone(ZoneInfo(tz_name))
    spans = [(None, int(first.utcoffset().total_seconds()))]
    for year in range(EARLIEST_YEAR, until.year + 2):
        spans.extend(_changes_in(tz_name, year))
    return spans[::-1]


def iso_offset(seconds: int) -> str:
    """ "+08:00", as datetime.isoformat() writes a UTC offset."""
    sign = "-" if seconds < 0 else "+"
    hours, minutes = divmod(abs(seconds) // 60, 60)
    return f"{sign}{hours:02d}:{minutes:02d}"


class _AtOffset(Func):
    """A UTC time seen at a fixed offset (`seconds`) from UTC."""

    def __init__(self, expression, seconds: int):
        super().__init__(expression)
        self.seconds = seconds


class _IsoAt(_AtOffset):
    """A UTC time as local ISO text at a fixed offset, to the second (truncated, as
    isoformat(timespec="seconds") does)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        # Stored as "YYYY-MM-DD HH:MM:SS[.ffffff]": the fraction is cut off, never rounded.
        return f"(strftime(%s, substr({sql}, 1, 19), %s) || %s)", [
            "%Y-%m-%dT%H:%M:%S",
            *params,
            f"{self.seconds:+d} seconds",
            iso_offset(self.seconds),
        ]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(to_char(date_trunc('second', {sql} AT TIME ZONE 'UTC') + %s * interval '1 second', "
            "%s) || %s)",
            [*params, self.seconds, 'YYYY-MM-DD"T"HH24:MI:SS', iso_offset(self.seconds)],
        )


class _DaysAt(_AtOffset):
    """A UTC time as a spreadsheet day number (days since 1899-12-30) at a fixed offset, to the
    second (truncated, as the CSV's time)."""

    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return f"(julianday(substr({sql}, 1, 19)) - 2415018.5 + %s)", [
            *params,
            self.seconds / 86400,
        ]

    def as_postgresql(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        return (
            f"(EXTRACT(EPOCH FROM date_trunc('second', {sql} AT TIME ZONE 'UTC'))::float8 / 86400 "
            "+ 25569 + %s)",
            [*params, self.seconds / 86400],
        )


def local_time(tz_name: str, kind: type[Func] = _IsoAt) -> Expression:
    """created_at in the tenant's time zone: one offset per span between the zone's changes,
    newest first (a zone without changes since EARLIEST_YEAR needs no CASE)."""
    spans = offsets(tz_name, timezone.now())
    *newer, (_first, oldest) = spans
    if not newer:
        return kind(F("created_at"), oldest)
    whens = [When(created_at__gte=since, then=kind(F("created_at"), off)) for since, off in newer]
    return Case(*whens, default=kind(F("created_at"), oldest))


class _Hex(Func):
    """The call's code (a UUID) as its 32 hex digits, as SQLite stores it (hyphens are put in by
    the writer: cheaper there than in SQLite)."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        return compiler.compile(self.source_expressions[0])

    def as_postgresql(self, compiler, connection, **extra):
        c, params = compiler.compile(self.source_expressions[0])
        return f"replace(({c})::text, '-', '')", params


def row_query(qs: QuerySet[Call], tz_name: str, spreadsheet: bool = False) -> QuerySet:
    """The filtered calls as ROW tuples, newest first. Only the time is worked on in SQL (a
    zone's rules are the database's to apply, and SQLite's strftime costs less than Python's
    astimezone); every other column as stored: each expression costs (docs/performance.md)."""
    columns = {
        "when": local_time(tz_name, _DaysAt if spreadsheet else _IsoAt),
        "hex": _Hex("code"),
        "no_talk": ExpressionWrapper(Q(talking_at__isnull=True), output_field=BooleanField()),
    }
    names = [{"code": "hex"}.get(c, c) for c in ROW]
    return qs.annotate(**columns).order_by("-created_at", "-id").values_list(*names)


def chunks(qs: QuerySet[Call], tz_name: str, spreadsheet: bool = False) -> Iterator[tuple]:
    """(rows, wrap-ups) a chunk at a time: ROW tuples, and {call id: (note, private, author id,
    automatic)} for the chunk's calls with a note or a person's wrap-up (one query per chunk)."""
    query = row_query(qs, tz_name, spreadsheet).query
    connection = connections[qs.db]
    sql, params = query.get_compiler(connection=connection).as_sql()
    has_note, state, pk = ROW.index("has_note"), ROW.index("wrapup_state"), ROW.index("id")
    postgres = connection.vendor == "postgresql"
    wraps_sql = _WRAPS_POSTGRES if postgres else _WRAPS_SQLITE
    with connection.chunked_cursor() as cursor, connection.cursor() as lookup:
        cursor.execute(sql, params)
        while rows := cursor.fetchmany(CHUNK):
            ids = [r[pk] for r in rows if r[has_note] or r[state] == WrapUpState.DONE]
            wraps = {}
            if ids:
                # Written out, the ids as one parameter: the ORM's `call_id__in` prepared each id
                # in Python, and a placeholder per id cost psycopg as much to split the query.
                lookup.execute(wraps_sql, [ids if postgres else json.dumps(ids)])
                wraps = {w[0]: w[1:] for w in lookup.fetchall()}
            yield rows, wraps


# The table's name is the model's; the ids are a parameter (an array, or JSON for SQLite).
_WRAPS = f"SELECT call_id, note, note_private, author_id, automatic FROM {WrapUp._meta.db_table}"  # noqa: S608
_WRAPS_POSTGRES = _WRAPS + " WHERE call_id = ANY(%s)"
_WRAPS_SQLITE = _WRAPS + " WHERE call_id IN (SELECT value FROM json_each(%s))"  # noqa: S608


def labels(ids) -> list[tuple[int, str, str]]:
    """(id, English label, Chinese label) of these dispositions."""
    return list(Disposition.objects.filter(pk__in=ids).values_list("pk", "label_en", "label_zh"))


def people(ids) -> dict[int, tuple[str, str]]:
    """{user id: (full name or login, login)} of these users."""
    users = get_user_model().objects.filter(pk__in=ids)
    return {
        pk: (f"{first or ''} {last or ''}".strip() or login, login)
        for pk, first, last, login in users.values_list("pk", "first_name", "last_name", "username")
    }
