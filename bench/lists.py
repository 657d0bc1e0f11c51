"""Benchmark of call lists (issue 19; a benchmark, not a test). See docs/performance.md.

    .venv/bin/python bench/lists.py                     # 100,000 entries, a scratch SQLite file
    DATABASE_URL=postgres://... .venv/bin/python bench/lists.py --entries 100000

Prints: the import of a CSV of N entries through the import page (seconds: parsing, checking,
E.164, bulk insert; through Django's test Client, as a supervisor uploads it), the list's
progress page (median ms of --runs requests, whole request), and the "call next" claim (median
ms of claim_next for a pool member, each claimed entry then finished so the next run claims a
new one).
"""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")

from _setup import bootstrap  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--entries", type=int, default=100_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    sim, tenant, members = bootstrap(managers=2)
    try:
        run(tenant, members, args)
    finally:
        sim.stop()


def run(tenant, members, args) -> None:
    from django.contrib.auth.models import User
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.test import Client

    from console.models import Membership
    from lists import queue
    from lists.models import CallList, ListEntry

    sup, _ = User.objects.get_or_create(username="bench-supervisor")
    Membership.objects.update_or_create(tenant=tenant, user=sup, defaults={"role": "supervisor"})
    CallList.objects.filter(tenant=tenant).delete()
    cl = CallList.objects.create(tenant=tenant, name="Bench", retry_minutes=60)
    cl.members.set([m.user for m in members])

    lines = ["number,name,company,context,due end,priority,Region"]
    for i in range(args.entries):
        lines.append(
            f"1{38 + i % 2}{i:08d},Customer {i},Company {i % 97},Renewal {i},"
            f"2030-{1 + i % 12:02d}-{1 + i % 28:02d},{i % 5},R{i % 7}"
        )
    data = ("\n".join(lines) + "\n").encode()
    client = Client()
    client.force_login(sup)
    url = f"/t/{tenant.code}/lists/{cl.code}/import/"
    upload = SimpleUploadedFile("bench.csv", data, content_type="text/csv")
    t0 = time.perf_counter()
    r = client.post(url, {"file": upload})
    import_s = time.perf_counter() - t0
    assert r.status_code == 200, r.content[:2000]
    n = ListEntry.objects.filter(list=cl).count()
    assert n == args.entries, n
    print(f"import of {n:,} entries ({len(data) / 1e6:.1f} MB CSV): {import_s:.1f} s")

    page = f"/t/{tenant.code}/lists/{cl.code}/"
    # Some progress: a tenth of the entries worked.
    ListEntry.objects.filter(
        list=cl, id__lte=cl.entries.order_by("id").first().id + n // 10
    ).update(status="done", queued=False, worked_by=members[0].user)
    client.get(page)
    from django.db import connection

    if connection.vendor == "postgresql":
        # Right after a big import PostgreSQL has no visibility map yet: the counts read the
        # table (seq scan), until autovacuum's pass (within a minute after 100,000 inserts).
        measure(client, page, args.runs, "progress page, before autovacuum's pass")
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE lists_listentry")
    measure(client, page, args.runs, "progress page")

    m = Membership.objects.select_related("tenant", "user").get(pk=members[1].pk)
    times = []
    for _ in range(args.runs):
        t0 = time.perf_counter()
        entry = queue.claim_next(m)
        times.append((time.perf_counter() - t0) * 1000)
        ListEntry.objects.filter(pk=entry.pk).update(status="done", queued=False)
    print(f"call next claim: median {statistics.median(times):.2f} ms (of {args.runs})")


def measure(client, page, runs, what) -> None:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(page)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200
    print(f"{what}: median {statistics.median(times):.1f} ms (of {runs})")


if __name__ == "__main__":
    main()
