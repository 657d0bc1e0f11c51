"""Benchmarks of the REST API (a benchmark, not a test). See docs/performance.md.

    .venv/bin/python bench/api.py post [--calls 1000] [--latency-ms 20] [--form]
    .venv/bin/python bench/api.py list [--calls 1000000] [--repeat 9]

`post`: the console's own time per call placed with POST /api/v1/calls, through Django's full
stack (middleware, token lookup and rate limit, JSON body, the call's records, the AICC request,
the JSON answer) against the simulator in its own process: the response time minus the
simulator's own time for that call's createCall, as bench/call_overhead.py measures the web
form. `--form` also places the same number of calls through the web form, alternating one by
one, for comparison. A new SQLite file, or DATABASE_URL.

`list`: GET /api/v1/calls as a supervisor's token on bench/history.py's tenant of N calls (seeded
once, reused): the first page, a deep page reached by cursor, and the indexed filters; median
time and queries. DATABASE_URL as for bench/history.py (default var/bench-history.sqlite3).
"""

import argparse
import json
import os
import statistics
import sys
import time
import uuid
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")


def _token(membership):
    from api import tokens

    tenant = membership.tenant
    tenant.api_rate_per_minute = 10_000_000  # the limit is counted, never reached
    tenant.save(update_fields=["api_rate_per_minute"])
    return tokens.issue(membership=membership, name="bench", expires_days=None, actor=None).token


def post(args) -> None:
    from _setup import bootstrap, percentile

    sim, tenant, (m,) = bootstrap(managers=1, latency_ms=args.latency_ms)
    from urllib.parse import urlencode

    from django.test import Client

    from calls.models import Call

    m = type(m).objects.select_related("tenant", "user").get(pk=m.pk)
    auth = {"Authorization": f"Bearer {_token(m)}"}
    api, web = Client(), Client()
    web.force_login(m.user)
    form_url = f"/t/{tenant.code}/call/"
    web.get(form_url)
    run = int(time.time()) % 1000
    ways = ["api", "form"] if args.form else ["api"]
    times: dict[str, dict[str, float]] = {w: {} for w in ways}
    for warm in range(3):  # warm-up: token, templates, prepared queries
        key = uuid.uuid4().hex
        api.post("/api/v1/calls", json.dumps({"called": f"1999{run:03d}{warm:04d}"}),
                 content_type="application/json", headers={**auth, "Idempotency-Key": key})  # fmt: skip
        Call.objects.filter(idempotency_key=key).update(state=3)
    for i in range(args.calls):
        for way in ways:
            key = uuid.uuid4().hex
            called = f"1{run:03d}{i:06d}{ways.index(way)}"
            t0 = time.perf_counter()
            if way == "api":
                r = api.post(
                    "/api/v1/calls",
                    json.dumps({"called": called}),
                    content_type="application/json",
                    headers={**auth, "Idempotency-Key": key},
                )
                assert r.status_code == 201, (r.status_code, r.content[:300])
            else:
                r = web.post(
                    form_url,
                    urlencode({"called": called, "idempotency_key": key}),
                    content_type="application/x-www-form-urlencoded",
                    headers={"HX-Request": "true"},
                )
                assert r.status_code == 200, r.status_code
            times[way][key] = (time.perf_counter() - t0) * 1000
            # A manager has one live call: this one has ended before the next (as a pushed
            # event would record it), outside the timed request, as bench/call_overhead.py.
            Call.objects.filter(idempotency_key=key).update(state=3)
    time.sleep(0.5)  # the simulator notes its time just after writing each answer
    served = {c["serial"]: c["served_ms"] for c in sim.calls() if c.get("serial")}
    for way in ways:
        rows = Call.objects.filter(idempotency_key__in=list(times[way])).values_list(
            "idempotency_key", "serial", "status"
        )
        overhead = [times[way][k] - served[s] for k, s, status in rows if s in served]
        print(
            f"{way:>4}: {len(overhead)} calls; response median "
            f"{statistics.median(times[way].values()):.2f} ms; console overhead (response - "
            f"simulator's own time) median {statistics.median(overhead):.2f} ms, p99 "
            f"{percentile(overhead, 99):.2f} ms"
            + ("  (target: median <= 5 ms)" if way == "api" else "")
        )
    sim.stop()


def listing(args) -> None:
    import history  # bench/history.py: its database, tenant and seeding
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from calls.models import Call
    from calls.paging import PAGE_SIZE, encode_cursor
    from console.models import Membership

    call_command("migrate", verbosity=0)
    tenant, sup, managers, _root = history.setup_tenant()
    history.seed(tenant, managers, args.calls)
    m = Membership.objects.select_related("tenant", "user").get(tenant=tenant, user=sup)
    auth = {"Authorization": f"Bearer {_token(m)}"}
    total = Call.objects.filter(tenant=tenant).count()
    calls = Call.objects.filter(tenant=tenant).order_by("-created_at", "-id")
    deep = min(args.page, max(total // PAGE_SIZE, 1))
    before = calls[(deep - 1) * PAGE_SIZE - 1] if deep > 1 else None
    sample = calls.filter(status="placed")[1000]
    day = (sample.created_at.date()).isoformat()
    base = "/api/v1/calls"
    cases = [
        ("first page", base),
        (f"page {deep:,} (cursor)", f"{base}?after={encode_cursor(before)}" if before else base),
        ("status = failed", f"{base}?status=failed"),
        ("reason = createCall 8", f"{base}?reason=createCall:8"),
        ("manager", f"{base}?manager={managers[3].id}"),
        ("date range (1 day)", f"{base}?date_from={day}&date_to={day}"),
        ("serial", f"{base}?serial={sample.serial}"),
        ("number prefix (7 digits)", f"{base}?number={sample.called[:7]}"),
        ("one call", f"{base}/{sample.code}"),
    ]
    client = Client()
    print(f"\n{connection.vendor}, {total:,} calls in the tenant, median of {args.repeat}")
    print(f"{'GET /api/v1/calls':<34} {'median ms':>10} {'queries':>8}")
    for label, url in cases:
        client.get(url, headers=auth)
        samples = []
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            r = client.get(url, headers=auth)
            samples.append((time.perf_counter() - t0) * 1000)
            assert r.status_code == 200, (url, r.status_code, r.content[:300])
        with CaptureQueriesContext(connection) as q:
            client.get(url, headers=auth)
        print(f"{label:<34} {statistics.median(samples):>10.1f} {len(q.captured_queries):>8}")


def main() -> None:
    ap = argparse.ArgumentParser()
    sub = ap.add_subparsers(dest="what", required=True)
    p = sub.add_parser("post")
    p.add_argument("--calls", type=int, default=1000)
    p.add_argument("--latency-ms", type=int, default=20)
    p.add_argument("--form", action="store_true", help="also the web form, alternating")
    g = sub.add_parser("list")
    g.add_argument("--calls", type=int, default=1_000_000)
    g.add_argument("--repeat", type=int, default=9)
    g.add_argument("--page", type=int, default=10_000)
    args = ap.parse_args()
    post(args) if args.what == "post" else listing(args)


if __name__ == "__main__":
    main()
