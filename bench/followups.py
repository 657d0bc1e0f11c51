"""Benchmark of the follow-ups page (a benchmark, not a test). See docs/performance.md.

    .venv/bin/python bench/followups.py                 # 10,000 open follow-ups, var/bench-followups.sqlite3
    DATABASE_URL=postgres://... .venv/bin/python bench/followups.py --open 10000

Seeds N open follow-ups for one customer manager (spread from 30 days overdue to 60 days ahead,
some due today) plus as many for a colleague, then times the whole request through Django's
test Client (middleware, view, template; DEBUG=false): the manager's list, a supervisor's list of
the tenant, a supervisor's list of one manager, and the manager's call page (whose navigation
counts the due follow-ups). Prints the median of --runs requests and the queries of each.
"""

import argparse
import os
import random
import statistics
import sys
import time
import uuid
from datetime import timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "bench"))
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-followups.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")  # as in production: no debug cursor, cached templates

from _setup import bootstrap  # noqa: E402


def seed(tenant, users, n: int) -> None:
    from django.db import transaction
    from django.utils import timezone

    from calls.models import FollowUp

    if FollowUp.objects.filter(tenant=tenant).count() >= n * len(users):
        return
    now = timezone.now()
    rnd = random.Random(18)
    with transaction.atomic():
        for user in users:
            FollowUp.objects.bulk_create(
                (
                    FollowUp(
                        code=uuid.uuid4(),
                        tenant=tenant,
                        assignee=user,
                        created_by=user,
                        called=f"138{rnd.randrange(10**8):08d}",
                        due_at=now + timedelta(minutes=rnd.randrange(-30 * 1440, 60 * 1440)),
                        note="Send the quote; ask about the second site." * rnd.randrange(0, 3),
                    )
                    for _ in range(n)
                ),
                batch_size=2000,
            )


def measure(client, url: str, runs: int) -> tuple[float, int]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.get(url)  # warm-up (session, templates)
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        r = client.get(url)
        times.append((time.perf_counter() - t0) * 1000)
        assert r.status_code == 200, (url, r.status_code)
    with CaptureQueriesContext(connection) as q:
        client.get(url)
    return statistics.median(times), len(q.captured_queries)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--open", type=int, default=10_000, help="open follow-ups per manager")
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    _sim, tenant, members = bootstrap(managers=2)
    from django.contrib.auth.models import User
    from django.test import Client

    from console.models import Membership

    users = [m.user for m in members]
    seed(tenant, users, args.open)
    boss, _ = User.objects.get_or_create(username="bench-supervisor")
    Membership.objects.update_or_create(tenant=tenant, user=boss, defaults={"role": "supervisor"})
    manager, supervisor = Client(), Client()
    manager.force_login(users[0])
    supervisor.force_login(boss)
    t = f"/t/{tenant.code}"
    pages = [
        ("manager: own list", manager, f"{t}/follow-ups/"),
        ("supervisor: tenant's list", supervisor, f"{t}/follow-ups/"),
        ("supervisor: one manager", supervisor, f"{t}/follow-ups/?assignee={users[0].pk}"),
        ("manager: call page (nav count)", manager, f"{t}/call/"),
    ]
    print(f"{args.open} open follow-ups per manager, {len(users)} managers; median of {args.runs}")
    for _round in range(2):  # interleaved: each page once per round
        for label, client, url in pages:
            ms, queries = measure(client, url, args.runs)
            print(f"  {label:34} {ms:7.2f} ms  {queries} queries")


if __name__ == "__main__":
    main()
