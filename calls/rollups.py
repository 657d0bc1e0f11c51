"""The dashboard's daily rollups, kept in step with calls_call by database triggers.

Three tables (calls/models.py): DayRollup (tenant, local day, manager: calls by result, known,
answered, awaiting wrap-up, talk time), ReasonRollup (tenant, local day, reason of a failed or
unknown call) and DispositionRollup (tenant, local day, manager, disposition). A call counts on
its `local_day` (created_at in the tenant's time zone, set once at insert: calls.models
.LocalDayField).

Triggers on calls_call, on SQLite and PostgreSQL alike, whatever writes the call (save(),
bulk_create, a queryset's update(), the outcome sync's UPDATE, raw SQL, COPY): AFTER INSERT adds
the new row to its three keys, AFTER DELETE subtracts the old row, AFTER UPDATE OF a column the
rollups read (only when one of them changed) subtracts the old row and adds the new one; an
upsert (INSERT ... ON CONFLICT DO UPDATE) adds, a row whose count falls to 0 is deleted. So every
write of a call is counted exactly once, in the same transaction as the write, and no Django
query is added to any page. A call without a local_day (written before the column existed) is
not counted until `rebuild` gives it one.

`rebuild` (manage.py rebuild_rollups) recomputes a tenant's rollups from its calls, a batch of
days per transaction; each batch first takes the lock that call writes need (SQLite: the
database's single write lock, by deleting the batch's rollups first; PostgreSQL: SHARE lock on
calls_call), so no call changes between the read of the calls and the write of the rollups, and
writers wait at most one batch. It is idempotent.

On SQLite a migration that alters calls_call copies it into a new table, which drops its
triggers: `repair` (after every migrate, calls/apps.py) puts them back. The copy itself does not
change any count.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.db import connection, transaction

from calls.services.outcomes import FINAL_SOURCES

DAY, REASON, DISPOSITION = "calls_rollup_day", "calls_rollup_reason", "calls_rollup_disposition"
MONTH, DISPOSITION_MONTH = "calls_rollup_month", "calls_rollup_disposition_month"
TABLES = (DAY, MONTH, REASON, DISPOSITION, DISPOSITION_MONTH)
# Every name and SQL expression below is a constant of this module; values are parameters.
# The columns of calls_call that the rollups read: an UPDATE of any other column costs nothing.
WATCHED = (
    "local_day", "tenant_id", "user_id", "status", "outcome_source", "talking_at",
    "wrapup_state", "talk_seconds", "reason_source", "reason_code", "disposition_id",
)  # fmt: skip
TRIGGERS = ("calls_rollup_insert", "calls_rollup_update", "calls_rollup_delete")
FUNCTION = "calls_rollup"
BATCH_MONTHS = 1
RESULTS = ("placed", "failed", "unknown", "placing")  # Call.Status: a DayRollup column each

_FINAL = ", ".join(f"'{s}'" for s in FINAL_SOURCES)  # constants of the code, not input


def _day_measures(r: str) -> dict[str, str]:
    """What one call row `r` (new/old, or a table alias) adds to its DayRollup row."""
    known = f"{r}.outcome_source IN ({_FINAL})"
    by_result = {s: f"CASE WHEN {r}.status = '{s}' THEN 1 ELSE 0 END" for s in RESULTS}
    return {
        "calls": "1",
        **by_result,
        "known": f"CASE WHEN {known} THEN 1 ELSE 0 END",
        "answered": f"CASE WHEN {known} AND {r}.talking_at IS NOT NULL THEN 1 ELSE 0 END",
        "awaiting": f"CASE WHEN {r}.wrapup_state = 'pending' THEN 1 ELSE 0 END",
        "talked": f"CASE WHEN {r}.talk_seconds IS NOT NULL THEN 1 ELSE 0 END",
        "talk_seconds": f"COALESCE({r}.talk_seconds, 0)",
    }


def month_of(day: str, vendor: str) -> str:
    """SQL: the first day of the month of the date `day`."""
    if vendor == "sqlite":
        return f"date({day}, 'start of month')"
    return f"CAST(date_trunc('month', {day}) AS date)"


def _tables(r: str, vendor: str) -> list[tuple[str, dict[str, str], dict[str, str], str]]:
    """Per rollup table: its key columns (from row `r`), its measures, and the condition for `r`
    to count in it."""
    month = month_of(f"{r}.local_day", vendor)
    return [
        (
            MONTH,
            {
                "tenant_id": f"{r}.tenant_id",
                "month": month,
                "manager_id": f"COALESCE({r}.user_id, 0)",
            },
            _day_measures(r),
            f"{r}.local_day IS NOT NULL",
        ),
        (
            DISPOSITION_MONTH,
            {
                "tenant_id": f"{r}.tenant_id",
                "month": month,
                "manager_id": f"COALESCE({r}.user_id, 0)",
                "disposition_id": f"{r}.disposition_id",
            },
            {"calls": "1"},
            f"{r}.local_day IS NOT NULL AND {r}.disposition_id IS NOT NULL",
        ),
        (
            DAY,
            {
                "tenant_id": f"{r}.tenant_id",
                "day": f"{r}.local_day",
                "manager_id": f"COALESCE({r}.user_id, 0)",
            },
            _day_measures(r),
            f"{r}.local_day IS NOT NULL",
        ),
        (
            REASON,
            {
                "tenant_id": f"{r}.tenant_id",
                "day": f"{r}.local_day",
                "reason_source": f"{r}.reason_source",
                "reason_code": f"{r}.reason_code",
            },
            {"calls": "1"},
            f"{r}.local_day IS NOT NULL AND {r}.status IN ('failed', 'unknown') "
            f"AND {r}.reason_source <> ''",
        ),
        (
            DISPOSITION,
            {
                "tenant_id": f"{r}.tenant_id",
                "day": f"{r}.local_day",
                "manager_id": f"COALESCE({r}.user_id, 0)",
                "disposition_id": f"{r}.disposition_id",
            },
            {"calls": "1"},
            f"{r}.local_day IS NOT NULL AND {r}.disposition_id IS NOT NULL",
        ),
    ]


def _add(r: str, vendor: str) -> list[str]:
    out = []
    for table, key, measures, when in _tables(r, vendor):
        cols = [f'"{c}"' for c in (*key, *measures)]  # quoted: "placing" is a keyword in PG
        values = [*key.values(), *measures.values()]
        sets = ", ".join(f'"{m}" = {table}."{m}" + excluded."{m}"' for m in measures)
        out.append(
            f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(values)} WHERE {when} "
            f"ON CONFLICT ({', '.join(key)}) DO UPDATE SET {sets}"
        )
    return out


def _subtract(r: str, vendor: str) -> list[str]:
    out = []
    for table, key, measures, when in _tables(r, vendor):
        match = " AND ".join(f"{c} = {v}" for c, v in key.items())
        sets = ", ".join(f'"{m}" = "{m}" - ({v})' for m, v in measures.items())
        out.append(f"UPDATE {table} SET {sets} WHERE {match} AND {when}")  # noqa: S608
        out.append(f"DELETE FROM {table} WHERE {match} AND calls = 0")  # noqa: S608
    return out


def _changed(distinct: str) -> str:
    return " OR ".join(f"old.{c} {distinct} new.{c}" for c in WATCHED)


def _sqlite_triggers() -> dict[str, str]:
    def body(statements):
        return " ".join(f"{s};" for s in statements)

    return {
        "calls_rollup_insert": (
            "CREATE TRIGGER IF NOT EXISTS calls_rollup_insert AFTER INSERT ON calls_call "
            f"BEGIN {body(_add('new', 'sqlite'))} END"
        ),
        "calls_rollup_update": (
            f"CREATE TRIGGER IF NOT EXISTS calls_rollup_update AFTER UPDATE OF {', '.join(WATCHED)} "
            f"ON calls_call WHEN {_changed('IS NOT')} "
            f"BEGIN {body(_subtract('old', 'sqlite'))} {body(_add('new', 'sqlite'))} END"
        ),
        "calls_rollup_delete": (
            "CREATE TRIGGER IF NOT EXISTS calls_rollup_delete AFTER DELETE ON calls_call "
            f"BEGIN {body(_subtract('old', 'sqlite'))} END"
        ),
    }


def _postgresql_sql() -> list[str]:
    def body(statements):
        return " ".join(f"{s};" for s in statements)

    function = (
        f"CREATE OR REPLACE FUNCTION {FUNCTION}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
        f"IF TG_OP IN ('UPDATE', 'DELETE') THEN {body(_subtract('OLD', 'postgresql'))} END IF; "
        f"IF TG_OP IN ('INSERT', 'UPDATE') THEN {body(_add('NEW', 'postgresql'))} END IF; "
        "RETURN NULL; END $$"
    )
    each = f"FOR EACH ROW EXECUTE FUNCTION {FUNCTION}()"
    return [
        function,
        *(f"DROP TRIGGER IF EXISTS {name} ON calls_call" for name in TRIGGERS),
        f"CREATE TRIGGER calls_rollup_insert AFTER INSERT ON calls_call {each}",
        f"CREATE TRIGGER calls_rollup_update AFTER UPDATE OF {', '.join(WATCHED)} ON calls_call "
        f"FOR EACH ROW WHEN ({_changed('IS DISTINCT FROM')}) EXECUTE FUNCTION {FUNCTION}()",
        f"CREATE TRIGGER calls_rollup_delete AFTER DELETE ON calls_call {each}",
    ]


def installed(conn) -> set[str]:
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            cur.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")
        else:
            cur.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = 'calls_call'::regclass "
                "AND NOT tgisinternal"
            )
        return {name for (name,) in cur.fetchall()} & set(TRIGGERS)


def install(conn) -> None:
    """Create (or re-create) the triggers (migration 0016; `repair` after each migrate)."""
    with conn.cursor() as cur:
        if conn.vendor == "sqlite":
            for sql in _sqlite_triggers().values():
                cur.execute(sql)
        else:
            for sql in _postgresql_sql():
                cur.execute(sql)


def uninstall(conn) -> None:
    with conn.cursor() as cur:
        for name in TRIGGERS:
            if conn.vendor == "sqlite":
                cur.execute(f"DROP TRIGGER IF EXISTS {name}")
            else:
                cur.execute(f"DROP TRIGGER IF EXISTS {name} ON calls_call")
        if conn.vendor != "sqlite":
            cur.execute(f"DROP FUNCTION IF EXISTS {FUNCTION}()")


def repair(conn) -> bool:
    """Put back triggers a table copy dropped (SQLite), once the rollup tables exist. True if
    it did."""
    if conn.vendor not in ("sqlite", "postgresql"):
        return False
    if DAY not in conn.introspection.table_names():
        return False
    if installed(conn) == set(TRIGGERS):
        return False
    install(conn)
    return True


# --- rebuilding from the calls -----------------------------------------------------------------


def _aggregate(table: str) -> str:
    """INSERT INTO `table` the aggregate of the calls of one tenant and a range of local days
    (parameters: tenant id, created_at from, created_at to, first day, last day)."""
    key, measures, when = next(t[1:] for t in _tables("c", connection.vendor) if t[0] == table)
    cols = [f'"{c}"' for c in (*key, *measures)]
    sums = [f"SUM({v})" for v in measures.values()]
    return (
        f"INSERT INTO {table} ({', '.join(cols)}) SELECT {', '.join(key.values())}, "  # noqa: S608
        f"{', '.join(sums)} FROM calls_call c WHERE c.tenant_id = %s AND c.created_at >= %s "
        f"AND c.created_at < %s AND c.local_day >= %s AND c.local_day <= %s AND {when} "
        f"GROUP BY {', '.join(key.values())}"
    )


def fill_local_days(tenant) -> int:
    """Give calls stored before the column existed (or by raw SQL without it) their local day;
    the update triggers count them. Returns how many. One UPDATE per local day, over the
    day's created_at range (call_tenant_recent), each in its own transaction: a set-based
    statement per day, not a statement per call."""
    from calls.models import Call

    tz = ZoneInfo(tenant.time_zone)
    calls = Call.objects.filter(tenant_id=tenant.id)
    oldest = calls.order_by("created_at").values_list("created_at", flat=True).first()
    if oldest is None:
        return 0
    newest = calls.order_by("-created_at").values_list("created_at", flat=True).first()
    day, last = oldest.astimezone(tz).date(), newest.astimezone(tz).date()
    done = 0
    while day <= last:
        following = day + timedelta(days=1)
        start = datetime.combine(day, time.min, tzinfo=tz)
        end = datetime.combine(following, time.min, tzinfo=tz)
        with transaction.atomic():
            done += calls.filter(
                local_day__isnull=True, created_at__gte=start, created_at__lt=end
            ).update(local_day=day)
        day = following
    return done


def _span(tenant) -> tuple[date, date] | None:
    """The first and last local day with calls or rollups of the tenant."""
    from calls.models import (
        Call,
        DayRollup,
        DispositionMonthRollup,
        DispositionRollup,
        MonthRollup,
        ReasonRollup,
    )

    days = []
    for model in (
        Call, DayRollup, ReasonRollup, DispositionRollup, MonthRollup, DispositionMonthRollup
    ):  # fmt: skip
        field = {Call: "local_day", MonthRollup: "month", DispositionMonthRollup: "month"}.get(
            model, "day"
        )
        qs = model.objects.filter(tenant_id=tenant.id).exclude(**{field: None})
        for order in (field, f"-{field}"):
            if model is Call:  # by created_at: indexed, and the day is never far from it
                row = qs.order_by(order.replace(field, "created_at")).values_list(field)[:1]
            else:
                row = qs.order_by(order).values_list(field)[:1]
            days += [d for (d,) in row]
    if not days:
        return None
    return min(days) - timedelta(days=1), max(days) + timedelta(days=1)


def _next_month(day: date) -> date:
    return (day.replace(day=1) + timedelta(days=32)).replace(day=1)


def rebuild(tenant, *, batch_months: int = BATCH_MONTHS, progress=None) -> int:
    """Recompute the tenant's rollups from its calls (idempotent; safe while calls are written:
    see the module's docstring), `batch_months` calendar months per transaction (the month
    rollups are rebuilt whole). Returns the number of batches."""
    fill_local_days(tenant)
    span = _span(tenant)
    if span is None:
        return 0
    first, last = span
    margin = timedelta(days=2)  # a tenant may have changed time zone since: local days shift
    batches = 0
    day = first.replace(day=1)
    while day <= last:
        end = day
        for _ in range(batch_months):
            end = _next_month(end)
        end -= timedelta(days=1)
        lo = datetime.combine(day, time.min, tzinfo=ZoneInfo("UTC")) - margin
        hi = datetime.combine(end + timedelta(days=1), time.min, tzinfo=ZoneInfo("UTC")) + margin
        _rebuild_days(tenant.id, day, end, lo, hi)
        batches += 1
        if progress:
            progress(day, end)
        day = end + timedelta(days=1)
    return batches


def _rebuild_days(tenant_id: int, first: date, last: date, lo: datetime, hi: datetime) -> None:
    """One batch: whole months, `first` the first day of one, `last` the last day of one."""
    ops = connection.ops
    lo_db, hi_db = ops.adapt_datetimefield_value(lo), ops.adapt_datetimefield_value(hi)
    first_db, last_db = ops.adapt_datefield_value(first), ops.adapt_datefield_value(last)
    with transaction.atomic(), connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute("LOCK TABLE calls_call IN SHARE MODE")
        for table in TABLES:
            # On SQLite the first DELETE takes the write lock: no call changes until COMMIT.
            column = "month" if table in (MONTH, DISPOSITION_MONTH) else "day"
            cur.execute(
                f"DELETE FROM {table} WHERE tenant_id = %s AND {column} >= %s "  # noqa: S608
                f"AND {column} <= %s",
                [tenant_id, first_db, last_db],
            )
        for table in TABLES:
            cur.execute(_aggregate(table), [tenant_id, lo_db, hi_db, first_db, last_db])
