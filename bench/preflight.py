"""The guardrails' pre-flight (guardrails/preflight.py): what it adds to a call.

Seeds (once; kept for the next run) a SQLite database under var/ with one tenant, 100,000
do-not-call numbers and 1,000,000 calls over the last 30 days to 250,000 customers (so the caps'
count finds several calls of this week for many numbers), then measures:

1. the pre-flight alone (`preflight.check`, as `call_place` runs it), on a mix of numbers: on the
   do-not-call list, called this week, never called; median and p99;
2. `call_place` against the simulator (its own process, no added latency) with the pre-flight
   and without it (replaced by an "ok" verdict), in interleaved blocks so both see the same
   machine; the difference of the medians is what the pre-flight adds to a call.

    .venv/bin/python bench/preflight.py [--checks 5000] [--calls 600] [--db var/bench-preflight.sqlite3]

Target (issue 19): the pre-flight adds <= 2 ms median at 100k do-not-call entries and 1M calls.
"""

import argparse
import os
import random
import statistics
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DNC = 100_000
CALLS = 1_000_000
CUSTOMERS = 250_000
BATCH = 50_000


def number(i: int) -> str:
    return f"+86137{i:08d}"


def seed(tenant, members) -> None:
    from django.utils import timezone

    from calls.management.commands.seed_history import backdated_bulk_create
    from calls.models import Call
    from guardrails.models import DoNotCall

    if DoNotCall.objects.filter(tenant=tenant).count() < DNC:
        t0 = time.perf_counter()
        DoNotCall.objects.filter(tenant=tenant).delete()
        DoNotCall.objects.bulk_create(
            [DoNotCall(tenant=tenant, number=number(i), reason="bench") for i in range(DNC)],
            batch_size=5000,
        )
        print(f"seeded {DNC:,} do-not-call numbers in {time.perf_counter() - t0:.1f} s")
    have = Call.objects.filter(tenant=tenant).count()
    if have < CALLS:
        t0 = time.perf_counter()
        rng = random.Random(19)
        now = timezone.now()
        user = members[0].user
        statuses = ["placed"] * 8 + ["failed", "unknown"]
        for start in range(have, CALLS, BATCH):
            batch = []
            for i in range(start, min(CALLS, start + BATCH)):
                c = rng.randrange(CUSTOMERS)
                batch.append(
                    Call(
                        tenant=tenant, user=user, softphone="20001", called=number(c)[3:],
                        customer_number=number(c), idempotency_key=f"seed-{i}",
                        status=rng.choice(statuses), state=3,
                        created_at=now - timedelta(seconds=rng.randrange(30 * 86400)),
                    )
                )  # fmt: skip
            backdated_bulk_create(batch, batch_size=5000)
            print(f"  {start + len(batch):,} calls", flush=True)
        print(f"seeded {CALLS - have:,} calls in {time.perf_counter() - t0:.1f} s")
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--checks", type=int, default=5000)
    ap.add_argument("--calls", type=int, default=600)
    ap.add_argument("--db", default=str(ROOT / "var" / "bench-preflight.sqlite3"))
    args = ap.parse_args()
    if not os.environ.get("DATABASE_URL"):
        Path(args.db).parent.mkdir(parents=True, exist_ok=True)
        os.environ["DATABASE_URL"] = f"sqlite:///{Path(args.db).resolve()}"
    from _setup import bootstrap, percentile

    sim, tenant, members = bootstrap(managers=1)
    seed(tenant, members)
    # Every rule at work: caps 3/10, calling hours on (open all day, so every call may go), a
    # holiday calendar.
    tenant.calling_hours_on = True
    tenant.calling_hours = ";".join(["00:00-24:00"] * 7)
    tenant.holidays = "2020-10-01..2020-10-07 Golden Week\n2020-12-25 Christmas"
    tenant.save()

    from calls.models import Call
    from calls.services import placing
    from console.models import Membership
    from guardrails import preflight

    m = Membership.objects.select_related("tenant", "user").get(pk=members[0].pk)
    rng = random.Random(2026)
    # A third listed, a third called (this week or before), a third never called.
    sample = [
        number(rng.randrange(DNC))
        if k % 3 == 0
        else number(DNC + rng.randrange(CUSTOMERS - DNC))
        if k % 3 == 1
        else number(5_000_000 + rng.randrange(1_000_000))
        for k in range(args.checks)
    ]
    for n in sample[:200]:  # warm up: caches, prepared statements, the zone data
        preflight.check(m, n)
    times, codes = [], {}
    for n in sample:
        t0 = time.perf_counter()
        v = preflight.check(m, n)
        times.append((time.perf_counter() - t0) * 1000)
        codes[v.code or "ok"] = codes.get(v.code or "ok", 0) + 1
    print(
        f"preflight.check over {len(times):,} numbers ({codes}): median "
        f"{statistics.median(times):.3f} ms, p99 {percentile(times, 99):.3f} ms"
    )

    # call_place with and without the pre-flight, interleaved in blocks of 20.
    real = preflight.check

    def without(*_a, **_k):
        return preflight.Verdict()

    mapping = m.active_mapping
    run = int(time.time()) % 1000
    timed = {"with": [], "without": []}
    for block in range(args.calls // 20):
        arm = "with" if block % 2 == 0 else "without"
        placing.preflight.check = real if arm == "with" else without
        for i in range(20):
            called = f"139{run:03d}{block:03d}{i:02d}"
            t0 = time.perf_counter()
            p = placing.call_place(
                membership=m, mapping=mapping, called=called, idempotency_key=uuid.uuid4().hex
            )
            ms = (time.perf_counter() - t0) * 1000
            assert p.call.status == "placed", (p.call.reason_source, p.call.reason_code)
            timed[arm].append(ms)
            Call.objects.filter(pk=p.call.pk).update(state=3)  # ended, outside the timing
    placing.preflight.check = real
    w, wo = statistics.median(timed["with"]), statistics.median(timed["without"])
    print(
        f"call_place median with the pre-flight {w:.2f} ms, without {wo:.2f} ms "
        f"({len(timed['with'])} + {len(timed['without'])} calls, interleaved): the pre-flight "
        f"adds {w - wo:.2f} ms (target: <= 2 ms)"
    )
    print(f"database: {os.environ['DATABASE_URL']}")
    sim.stop()


if __name__ == "__main__":
    main()
