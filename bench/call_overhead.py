"""The console's own overhead when placing a call through the web flow.

Places N calls (default 1,000) by POSTing the call form (as htmx does) through Django's full
stack (middleware, session, auth, tenant check, form, record commit, AICC request, record update,
template render), against the simulator (its own process) with a fixed added latency. For each
call the overhead is the page's response time minus the simulator's own time for that call's
createCall (from reading the request to writing the answer, injected latency included; the
simulator logs it as `served_ms`): everything else, the console's HTTP client included, is the
console's. Prints median and p99, and the token fetches the simulator counted.

    .venv/bin/python bench/call_overhead.py [--calls 1000] [--latency-ms 20]
"""

import argparse
import statistics
import time
import uuid
from urllib.parse import urlencode

from _setup import bootstrap, percentile

FORM = "application/x-www-form-urlencoded"  # what htmx and browsers send


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=1000)
    ap.add_argument("--latency-ms", type=int, default=20)
    args = ap.parse_args()
    sim, tenant, (m,) = bootstrap(managers=1, latency_ms=args.latency_ms)

    from django.test import Client

    from calls.models import Call

    client = Client()
    client.force_login(m.user)
    url = f"/t/{tenant.code}/call/"
    client.get(url)  # warm up: session, templates
    page_ms: dict[str, float] = {}
    # Numbers new to this run: a database kept between runs (PostgreSQL) would otherwise hold the
    # same numbers from a run less than CALL_CONFIRM_WINDOW_SECONDS ago, and each call would stop
    # at "You called this number a moment ago" (the cycle, 1,000 s, is longer than the window).
    run = int(time.time()) % 1000
    t_all = time.perf_counter()
    for i in range(args.calls):
        key = uuid.uuid4().hex
        t0 = time.perf_counter()
        r = client.post(
            url,
            urlencode({"called": f"1{run:03d}{i:07d}", "idempotency_key": key}),
            content_type=FORM,
            headers={"HX-Request": "true"},
        )
        page_ms[key] = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200, r.status_code
        # A manager has one live call: this one has ended before the next (as a pushed event
        # would record it), outside the timed request.
        Call.objects.filter(tenant=tenant, idempotency_key=key).update(state=3)
    wall = time.perf_counter() - t_all
    calls = Call.objects.filter(tenant=tenant, idempotency_key__in=list(page_ms)).values_list(
        "idempotency_key", "serial", "elapsed_ms", "status"
    )
    time.sleep(0.5)  # the simulator notes its time just after writing each answer
    served = {c["serial"]: c["served_ms"] for c in sim.calls() if c.get("serial")}
    overhead, aicc, sim_ms = [], [], []
    statuses: dict[str, int] = {}
    for key, serial, elapsed, status in calls:
        statuses[status] = statuses.get(status, 0) + 1
        aicc.append(elapsed)
        sim_ms.append(served[serial])
        overhead.append(page_ms[key] - served[serial])
    stats = sim.stats()["token_fetches"]
    print(
        f"calls: {len(overhead)} in {wall:.1f} s ({len(overhead) / wall:.0f}/s, one client), statuses: {statuses}"
    )
    print(
        f"simulator added latency: {args.latency_ms} ms; its own time per createCall median "
        f"{statistics.median(sim_ms):.2f} ms; the AICC round trip the console measured median "
        f"{statistics.median(aicc):.2f} ms"
    )
    print(f"page time median {statistics.median(page_ms.values()):.2f} ms")
    print(
        f"console overhead (page time - simulator's own time): median "
        f"{statistics.median(overhead):.2f} ms, p99 {percentile(overhead, 99):.2f} ms  "
        "(target: median <= 5 ms)"
    )
    print(f"token fetches: {sum(stats.values())}  (target: 1)")
    sim.stop()


if __name__ == "__main__":
    main()
