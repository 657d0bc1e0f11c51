"""Benchmark of the call history at scale (a benchmark, not a test). See docs/performance.md.

    DATABASE_URL=sqlite:////tmp/bench-1m.sqlite3 .venv/bin/python bench/history.py --calls 1000000
    DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/console .venv/bin/python bench/history.py

Seeds N calls in one tenant (once; reruns reuse them): COPY on PostgreSQL (secondary indexes
rebuilt after it), executemany in one transaction on SQLite. Then, through Django's test Client
(the whole request: middleware, view, template; DEBUG=false), prints the median time over several
requests and the number of queries for the first page, the 10,000th page (reached by cursor),
each indexed filter (the wrap-up's disposition and "has a note" too: the seeded calls are
wrapped up as a tenant's would be), the dashboard, the live wallboard (its 2-second refresh and
the full page, with 1,000 customer managers and 100 live calls: setup_wallboard), and the Django
admin changelist of the same table.
--explain prints the list query's plan for each page.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-history.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # as in production: no debug cursor, cached templates

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from calls.models import Call  # noqa: E402
from calls.paging import PAGE_SIZE, encode_cursor  # noqa: E402
from console.models import Membership, Tenant  # noqa: E402

COLUMNS = [
    "code", "tenant_id", "user_id", "softphone", "caller", "called", "call_data",
    "caller_present", "call_type", "idempotency_key", "created_at", "status", "serial",
    "reason_source", "reason_code", "ret_msg", "detail", "outcome_code", "outcome_source",
    "state", "talking_at", "talk_seconds", "wrapup_state", "disposition_id", "has_note",
    "local_day",
]  # fmt: skip
# Wrap-ups (issue 18): an answered call is wrapped up (85%: one of the connected dispositions,
# 40% of them with a note) or awaits it; a call the customer did not answer is "No answer".
CONNECTED = ("interested", "call_back", "not_interested", "wrong_person")
RESULTS = [  # weight, status, reason source, reason code
    (80, "placed", "", ""),
    (5, "failed", "createCall", "8"),
    (4, "failed", "createCall", "5"),
    (3, "failed", "http", "500"),
    (3, "failed", "transport", "refused"),
    (5, "unknown", "transport", "timeout"),
]


# Every other NOT NULL column takes its model default, so a new field does not break the seeding.
EXTRA = [
    (f.column, f.get_default())
    for f in Call._meta.concrete_fields
    if not f.null and not f.primary_key and f.column not in COLUMNS and f.has_default()
]


def setup_tenant():
    tenant, _ = Tenant.objects.get_or_create(slug="bench", defaults={"name": "Bench"})
    sup, _ = User.objects.get_or_create(username="bench-supervisor")
    Membership.objects.get_or_create(tenant=tenant, user=sup, defaults={"role": "supervisor"})
    managers = []
    for i in range(20):
        u, _ = User.objects.get_or_create(username=f"bench-manager{i}")
        Membership.objects.get_or_create(tenant=tenant, user=u, defaults={"role": "manager"})
        managers.append(u)
    root, created = User.objects.get_or_create(
        username="bench-root", defaults={"is_superuser": True, "is_staff": True}
    )
    return tenant, sup, managers, root


def setup_softphones(tenant, managers):
    """The softphone health board (issue 20): an admin, and the managers' softphones mapped (the
    seeded calls use 10001..10020)."""
    from console.models import SoftphoneMapping

    admin, _ = User.objects.get_or_create(username="bench-admin")
    Membership.objects.get_or_create(tenant=tenant, user=admin, defaults={"role": "admin"})
    for i, user in enumerate(managers):
        SoftphoneMapping.objects.get_or_create(
            tenant=tenant, softphone=f"{10001 + i}", defaults={"user": user}
        )
    return admin


def rows(tenant, managers, n, start_index):
    # Read before the first row is asked for: on PostgreSQL the rows go through COPY, and a
    # query on the same connection during it waits forever.
    ids = dict(tenant.dispositions.values_list("key", "pk"))
    return _rows(tenant, managers, n, start_index, ids)


def _rows(tenant, managers, n, start_index, ids):
    rng = random.Random(start_index)
    tz = ZoneInfo(tenant.time_zone)
    now = datetime.now(UTC)
    weights = [r[0] for r in RESULTS]
    span = 365 * 24 * 3600
    for i in range(start_index, start_index + n):
        _w, status, source, code = rng.choices(RESULTS, weights=weights)[0]
        user = managers[i % len(managers)]
        at = now - timedelta(seconds=rng.random() * span)
        placed = status == "placed"
        answered = placed and rng.random() < 0.6
        wrapup, disposition, noted = "", None, False
        if answered and rng.random() < 0.85:
            wrapup, disposition = "done", ids[rng.choice(CONNECTED)]
            noted = rng.random() < 0.4
        elif answered:
            wrapup = "pending"
        elif placed:
            wrapup, disposition = "auto", ids["no_answer"]
        yield [
            uuid.uuid4(), tenant.id, user.id, f"{10001 + i % 20}", "", f"13{rng.randrange(10**9):09d}",
            "", "", "AICC", f"bench-{i}", at, status,
            str(10**18 + i) if placed else "", source, code, "", "",
            ("0" if answered else "5") if placed else "", "cdr" if placed else "",
            3 if placed else None, at + timedelta(seconds=9) if answered else None,
            rng.randrange(10, 600) if answered else None, wrapup, disposition, noted,
            at.astimezone(tz).date(),
            *(default for _column, default in EXTRA),
        ]  # fmt: skip


def seed(tenant, managers, n):
    have = Call.objects.filter(tenant=tenant).count()
    if have >= n:
        print(f"{have:,} calls already seeded")
        return
    todo = n - have
    started = time.monotonic()
    table, cols = Call._meta.db_table, ", ".join(COLUMNS + [c for c, _d in EXTRA])
    if connection.vendor == "postgresql":
        with transaction.atomic(), connection.cursor() as cur:
            # Building the secondary indexes (the trigram GIN above all) once after COPY is many
            # times faster than updating them row by row during it.
            cur.execute(
                "SELECT i.indexname, i.indexdef FROM pg_indexes i WHERE i.tablename = %s "
                "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conname = i.indexname)",
                [table],
            )
            indexes = cur.fetchall()
            # Check the foreign keys row by row (Django's are deferred: their pending checks
            # would forbid CREATE INDEX in this transaction).
            cur.execute("SET CONSTRAINTS ALL IMMEDIATE")
            # The dashboard's rollup triggers (calls/rollups.py) row by row would triple the
            # COPY's time: off during it, the rollups rebuilt after (below).
            cur.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
            for name, _sql in indexes:
                cur.execute(f'DROP INDEX "{name}"')
            new_rows = rows(tenant, managers, todo, have)  # its query before COPY starts
            with cur.cursor.copy(f"COPY {table} ({cols}) FROM STDIN") as copy:
                for row in new_rows:
                    copy.write_row(row)
            cur.execute("SET LOCAL maintenance_work_mem = '256MB'")
            for _name, sql in indexes:
                cur.execute(sql)
            cur.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")
    else:
        code_field = Call._meta.get_field("code")
        ops = connection.ops
        marks = ", ".join(["%s"] * (len(COLUMNS) + len(EXTRA)))
        sql = f"INSERT INTO {table} ({cols}) VALUES ({marks})"
        with transaction.atomic(), connection.cursor() as cur:
            batch = []
            for row in rows(tenant, managers, todo, have):
                row[0] = code_field.get_db_prep_value(row[0], connection)
                row[10] = ops.adapt_datetimefield_value(row[10])
                row[20] = ops.adapt_datetimefield_value(row[20]) if row[20] else None
                row[25] = ops.adapt_datefield_value(row[25])
                batch.append(row)
                if len(batch) == 50_000:
                    cur.executemany(sql, batch)
                    batch = []
            if batch:
                cur.executemany(sql, batch)
    seed_wrapups(tenant)
    rebuild_rollups(tenant)
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"seeded {todo:,} calls in {time.monotonic() - started:.1f} s ({connection.vendor})")


def rebuild_rollups(tenant):
    """The dashboard's rollups from the seeded calls (PostgreSQL's COPY ran without the triggers;
    on SQLite they counted each row: the rebuild finds the same numbers)."""
    from calls import rollups

    started = time.monotonic()
    rollups.rebuild(tenant)
    print(f"rollups rebuilt in {time.monotonic() - started:.1f} s")


def seed_wrapups(tenant):
    """The WrapUp row of each seeded call wrapped up (by its manager, or automatically), from the
    call's own columns: one INSERT ... SELECT."""
    from calls.models import WrapUp

    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"INSERT INTO {WrapUp._meta.db_table} (tenant_id, call_id, disposition_id, note, "
            "author_id, automatic, note_private, wrapped_at, updated_at) "
            "SELECT c.tenant_id, c.id, c.disposition_id, "
            "CASE WHEN c.has_note THEN 'Bench note: wants the offer by e-mail.' ELSE '' END, "
            "CASE WHEN c.wrapup_state = 'done' THEN c.user_id END, c.wrapup_state = 'auto', FALSE, "
            "c.created_at, c.created_at "
            f"FROM {Call._meta.db_table} c LEFT JOIN {WrapUp._meta.db_table} w ON w.call_id = c.id "
            "WHERE c.tenant_id = %s AND c.wrapup_state IN ('done', 'auto') AND w.id IS NULL",
            [tenant.id],
        )


def measure(client, url, repeat, headers=None, cpu=None, before=None):
    """Median wall time of `repeat` requests, and the queries of one more (counted apart, so the
    debug cursor that counts them does not slow the timed requests). With `cpu` (a list), the
    median process time of the same requests is appended to it (the machine is shared: the
    process time leaves out the waits for other processes). `before` runs before each request,
    untimed."""
    client.get(url, headers=headers)  # warm-up (and the session's current tenant)
    times, cpus = [], []
    for _ in range(repeat):
        if before is not None:
            before()
        t0, c0 = time.perf_counter(), time.process_time()
        r = client.get(url, headers=headers)
        if getattr(r, "streaming", False):
            b"".join(r.streaming_content)
        times.append((time.perf_counter() - t0) * 1000)
        cpus.append((time.process_time() - c0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    with CaptureQueriesContext(connection) as q:
        client.get(url, headers=headers)
    if cpu is not None:
        cpu.append(statistics.median(cpus))
    return statistics.median(times), len(q.captured_queries)


def year_query(tenant) -> str:
    """The dashboard's custom period of the last 365 days (and the 365 before, compared)."""
    from django.utils import timezone

    today = timezone.localdate(timezone=ZoneInfo(tenant.time_zone))
    return f"days=custom&date_from={today - timedelta(days=364)}&date_to={today}"


FLOOR, LIVE = 1000, 100


def setup_wallboard(tenant):
    """The wallboard's floor: 1,000 customer managers (created once, then reused), each with one
    call that ended earlier today, and 100 of them on a live call (ringing their phone, ringing
    the customer or talking, placed up to 8 minutes ago, so some are past the thresholds).
    Those calls are placed anew on each run, so they are today's and live whenever it runs."""
    have = set(
        User.objects.filter(username__startswith="bench-floor").values_list("username", flat=True)
    )
    User.objects.bulk_create(
        [
            User(username=f"bench-floor{i:04d}", first_name="Floor", last_name=f"{i:04d}")
            for i in range(FLOOR)
            if f"bench-floor{i:04d}" not in have
        ]
    )
    users = list(User.objects.filter(username__startswith="bench-floor").order_by("username"))
    members = set(
        Membership.objects.filter(tenant=tenant, user__in=users).values_list("user_id", flat=True)
    )
    Membership.objects.bulk_create(
        [Membership(tenant=tenant, user=u, role="manager") for u in users if u.pk not in members]
    )
    Call.objects.filter(tenant=tenant, idempotency_key__startswith="bench-floor-").delete()
    rng = random.Random(20)
    now = datetime.now(UTC)
    calls = []
    for i, u in enumerate(users):
        at = now - timedelta(
            minutes=10 + rng.random() * 50
        )  # ended today (unless just past midnight)
        answered = rng.random() < 0.6
        calls.append(
            Call(
                tenant=tenant, user=u, softphone=f"{20001 + i}", called=f"139{i:08d}",
                idempotency_key=f"bench-floor-{i}", created_at=at, status="placed",
                serial=str(2 * 10**18 + i), state=3, outcome_source="push",
                outcome_code="0" if answered else "5",
                talking_at=at + timedelta(seconds=9) if answered else None,
                talk_seconds=rng.randrange(10, 300) if answered else None,
                wrapup_state="pending" if answered else "auto",
            )
        )  # fmt: skip
        if i < LIVE:
            calls.append(
                Call(
                    tenant=tenant, user=u, softphone=f"{20001 + i}", called=f"137{i:08d}",
                    idempotency_key=f"bench-floor-live-{i}", status="placed",
                    created_at=now - timedelta(seconds=5 + rng.random() * 480),
                    serial=str(3 * 10**18 + i), state=rng.choice([None, 0, 1, 2, 2, 2]),
                )
            )  # fmt: skip
    from calls.management.commands.seed_history import backdated_bulk_create

    backdated_bulk_create(calls)
    return len(users)


def explain(tenant, sup, url):
    """The plan of the page's query, as the view builds it (same filter, cursor and limit)."""
    from urllib.parse import urlsplit

    from django.http import QueryDict

    from calls.history_filter import HistoryFilter
    from calls.paging import older_than
    from calls.selectors import calls_for
    from calls.services.dispositions import dispositions_of
    from console.selectors import manager_choices

    qd = QueryDict(urlsplit(url).query)
    m = Membership.objects.select_related("tenant").get(tenant=tenant, user=sup)
    form = HistoryFilter(qd, managers=manager_choices(tenant), dispositions=dispositions_of(tenant))
    qs = older_than(calls_for(m, form.filters), qd.get("after"))
    qs = qs.select_related("user").order_by("-created_at", "-id")[: PAGE_SIZE + 1]
    return qs.explain()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=9)
    parser.add_argument("--page", type=int, default=10_000, help="the deep page to measure")
    parser.add_argument("--seed-only", action="store_true", help="seed, then stop")
    parser.add_argument("--explain", action="store_true", help="print each page's query plan")
    parser.add_argument(
        "--only", default="", help="measure only the pages whose label contains one of these (a,b)"
    )
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    tenant, sup, managers, root = setup_tenant()
    seed(tenant, managers, args.calls)
    if args.seed_only:
        return
    total = Call.objects.filter(tenant=tenant).count()

    calls = Call.objects.filter(tenant=tenant).order_by("-created_at", "-id")
    deep = min(args.page, max(total // PAGE_SIZE, 1))
    before = calls[(deep - 1) * PAGE_SIZE - 1] if deep > 1 else None
    sample = calls.filter(status="placed")[1000]
    day = (sample.created_at - timedelta(hours=12)).date()
    base = f"/t/{tenant.code}/calls/"
    cases = [
        ("first page", base),
        (f"page {deep:,} (cursor)", f"{base}?after={encode_cursor(before)}" if before else base),
        ("result = failed", f"{base}?status=failed"),
        ("reason = createCall 8", f"{base}?reason=createCall:8"),
        ("reason: admin can fix", f"{base}?reason=fixer:admin"),
        ("manager", f"{base}?manager={managers[3].id}"),
        ("date range (1 day)", f"{base}?date_from={day}&date_to={day}"),
        ("serial", f"{base}?serial={sample.serial}"),
        ("number prefix (7 digits)", f"{base}?number={sample.called[:7]}"),
        ("number prefix (4 digits, wide)", f"{base}?number={sample.called[:4]}"),
        ("number prefix (2 digits, widest)", f"{base}?number={sample.called[:2]}"),
        ("number prefix (2 digits, rare)", f"{base}?number=99"),
        ("number contains (5 digits)", f"{base}?number={sample.called[3:8]}&match=contains"),
        ("number contains (3 digits, wide)", f"{base}?number={sample.called[4:7]}&match=contains"),
        ("disposition = interested", f"{base}?disposition=interested"),
        ("disposition = no answer (wide)", f"{base}?disposition=no_answer"),
        ("disposition + manager", f"{base}?disposition=call_back&manager={managers[3].id}"),
        ("has a note", f"{base}?has_note=yes"),
        ("disposition + has a note", f"{base}?disposition=interested&has_note=yes"),
        ("dashboard (today)", f"/t/{tenant.code}/dashboard/?days=1"),
        ("dashboard (7 days)", f"/t/{tenant.code}/dashboard/?days=7"),
        ("dashboard (30 days)", f"/t/{tenant.code}/dashboard/"),
        ("dashboard (90 days)", f"/t/{tenant.code}/dashboard/?days=90"),
        ("dashboard (1 year)", f"/t/{tenant.code}/dashboard/?{year_query(tenant)}"),
    ]
    if args.only:
        wanted = [w.strip() for w in args.only.split(",") if w.strip()]
        cases = [c for c in cases if any(w in c[0] for w in wanted)]
    if args.explain:
        for label, url in cases:
            if "/calls/" in url:
                print(f"\n-- {label}\n{explain(tenant, sup, url)}")
    client = Client()
    client.force_login(sup)
    print(f"\n{connection.vendor}, {total:,} calls in the tenant, median of {args.repeat}")
    print(f"{'page':<34} {'median ms':>10} {'cpu ms':>8} {'queries':>8}")
    for label, url in cases:
        cpu = []
        ms, n = measure(client, url, args.repeat, cpu=cpu)
        print(f"{label:<34} {ms:>10.1f} {cpu[0]:>8.1f} {n:>8}")
    if not args.only or "health" in args.only:
        health = Client()
        health.force_login(setup_softphones(tenant, managers))
        url = f"/t/{tenant.code}/softphones/health/"
        cpu = []
        ms, n = measure(health, url, args.repeat, cpu=cpu)
        print(f"{'softphone health (20 softphones)':<34} {ms:>10.1f} {cpu[0]:>8.1f} {n:>8}")
    if not args.only or "wallboard" in args.only:
        floor = setup_wallboard(tenant)
        live = f"/t/{tenant.code}/live/"
        from calls import wallboard, wallboard_views

        def forget():  # as if every manager's calls had changed since the last refresh
            wallboard._lasts.clear()
            wallboard_views._rows.clear()

        htmx = {"HX-Request": "true"}
        for label, headers, before in (
            (f"wallboard refresh ({floor:,} managers)", htmx, None),
            ("wallboard refresh, all changed", htmx, forget),
            ("wallboard (full page)", None, None),
        ):
            cpu = []
            ms, n = measure(client, live, args.repeat, headers=headers, cpu=cpu, before=before)
            print(f"{label:<34} {ms:>10.1f} {cpu[0]:>8.1f} {n:>8}")
    if args.only and "admin" not in args.only:
        return
    admin = Client()
    admin.force_login(root)
    cpu = []
    ms, n = measure(admin, "/django-admin/calls/call/", max(3, args.repeat // 3), cpu=cpu)
    print(f"{'Django admin changelist':<34} {ms:>10.1f} {cpu[0]:>8.1f} {n:>8}")


if __name__ == "__main__":
    main()
