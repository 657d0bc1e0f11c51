"""The console's own overhead when placing a call through the web flow.

Places N calls (default 1,000) by POSTing the call form (as htmx does) through Django's full
stack (middleware, session, auth, tenant check, form, record commit, AICC request, record update,
template render), against the simulator with a fixed added latency. For each call it takes the
page's response time minus the AICC round trip the client measured for that call (Call.elapsed_ms),
which is the console's overhead. Prints median and p99, and the token fetches the simulator counted.

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
    t_all = time.perf_counter()
    for i in range(args.calls):
        key = uuid.uuid4().hex
        t0 = time.perf_counter()
        r = client.post(
            url,
            urlencode({"called": f"135{i:08d}", "idempotency_key": key}),
            content_type=FORM,
            headers={"HX-Request": "true"},
        )
        page_ms[key] = (time.perf_counter() - t0) * 1000
        assert r.status_code == 200, r.status_code
    wall = time.perf_counter() - t_all
    calls = Call.objects.filter(tenant=tenant, idempotency_key__in=list(page_ms)).values_list(
        "idempotency_key", "elapsed_ms", "status"
    )
    overhead, aicc = [], []
    statuses: dict[str, int] = {}
    for key, elapsed, status in calls:
        statuses[status] = statuses.get(status, 0) + 1
        aicc.append(elapsed)
        overhead.append(page_ms[key] - elapsed)
    stats = sim.stats()["token_fetches"]
    print(
        f"calls: {len(overhead)} in {wall:.1f} s ({len(overhead) / wall:.0f}/s, one client), statuses: {statuses}"
    )
    print(
        f"simulator added latency: {args.latency_ms} ms; AICC round trip median {statistics.median(aicc):.2f} ms"
    )
    print(f"page time median {statistics.median(page_ms.values()):.2f} ms")
    print(
        f"console overhead (page time - AICC round trip): median {statistics.median(overhead):.2f} ms, "
        f"p99 {percentile(overhead, 99):.2f} ms  (target: median <= 5 ms)"
    )
    print(f"token fetches: {sum(stats.values())}  (target: 1)")
    sim.stop()


if __name__ == "__main__":
    main()
