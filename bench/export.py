"""The history's CSV and XLSX exports at scale (a benchmark, not a test). See docs/performance.md.

    DATABASE_URL=sqlite:////work/benchdb/h1m.sqlite3 .venv/bin/python bench/export.py --rows 200000
    DATABASE_URL=postgres://postgres@127.0.0.1:$PGPORT/bench .venv/bin/python bench/export.py

Uses the tenant `bench/history.py` seeds (run it first). Streams the newest --rows calls of the
tenant (a date range from the history's filter) through the whole view with Django's test Client,
as a supervisor's browser would receive them, and prints rows per second (wall clock and this
process's CPU time: the machine is shared) and how much the process's peak memory grew.
"""

import argparse
import os
import resource
import sys
import time
import warnings
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-history.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")
warnings.simplefilter("ignore")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402

from calls.models import Call  # noqa: E402
from console.models import Tenant  # noqa: E402


def peak_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=200_000)
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument(
        "--parts",
        action="store_true",
        help="also time the export's parts without the view: the query alone, with the chunks' "
        "wrap-ups, and the CSV writer",
    )
    args = parser.parse_args()
    tenant = Tenant.objects.get(slug="bench")
    client = Client()
    client.force_login(User.objects.get(username="bench-supervisor"))
    newest = Call.objects.filter(tenant=tenant).order_by("-created_at", "-id")
    oldest = newest.values_list("created_at", flat=True)[args.rows - 1]
    day = oldest.astimezone(ZoneInfo(tenant.time_zone)).date()
    query = f"?date_from={day}"
    print(f"{tenant.calls.count():,} calls; exporting those since {day}")
    rows = 0
    for _round in range(args.rounds):
        for kind in ("csv", "xlsx"):  # the XLSX has the CSV's rows
            before = peak_mb()
            wall, cpu = time.perf_counter(), time.process_time()
            response = client.get(f"/t/{tenant.code}/calls/export.{kind}{query}")
            assert response.status_code == 200 and response.streaming
            size, lines = 0, 0
            for chunk in response.streaming_content:
                size += len(chunk)
                if kind == "csv":
                    lines += chunk.count(b"\n") if isinstance(chunk, bytes) else chunk.count("\n")
            wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
            rows = lines - 1 if kind == "csv" else rows
            print(
                f"  {kind:5} {rows:>9,} rows {size / 1e6:7.1f} MB  "
                f"{rows / wall:>9,.0f} rows/s (wall)  {rows / cpu:>9,.0f} rows/s (CPU)  "
                f"peak memory +{peak_mb() - before:.1f} MB"
            )
        if args.parts:
            parts(tenant, oldest)


def parts(tenant, oldest) -> None:
    """The same calls through the export's layers, without the view and its response: what each
    layer adds to the one below."""
    from django.db import connections

    from calls import export, export_query

    qs = Call.objects.filter(tenant=tenant, created_at__gte=oldest)
    tz = ZoneInfo(tenant.time_zone)

    def query_alone():
        connection = connections[qs.db]
        query = export_query.row_query(qs, tz.key).query
        sql, params = query.get_compiler(connection=connection).as_sql()
        with connection.chunked_cursor() as cursor:
            cursor.execute(sql, params)
            drain(iter(lambda: cursor.fetchmany(export_query.CHUNK), []))

    def drain(pieces) -> None:
        for _ in pieces:
            pass

    layers = {
        "the query alone": query_alone,
        "with the wrap-ups": lambda: drain(export_query.chunks(qs, tz.key)),
        "the CSV's text": lambda: drain(export.csv_lines(qs, tz)),
        "the CSV's bytes": lambda: drain(p.encode() for p in export.csv_lines(qs, tz)),
    }
    rows = qs.count()
    for name, layer in layers.items():
        wall, cpu = time.perf_counter(), time.process_time()
        layer()
        wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
        print(f"    {name:18} {rows / wall:>9,.0f} rows/s (wall)  {rows / cpu:>9,.0f} rows/s (CPU)")


if __name__ == "__main__":
    main()
