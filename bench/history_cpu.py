"""The history page's CPU time, whole and by phase (a benchmark, not a test).

    DATABASE_URL=sqlite:////path/to/bench.sqlite3 .venv/bin/python bench/history_cpu.py \\
        [--query "?disposition=interested"] [--requests 80]

On `bench/history.py`'s tenant (seed it first), as its supervisor, through Django's test Client:
the median and minimum CPU time (`time.process_time`, steadier than wall time on a busy machine)
of the whole request, and of the view's phases (the filter form, the list query, the rows, the
template). To compare two revisions, run it from each one's checkout in turn, a few rounds.
"""

import argparse
import collections
import functools
import os
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")
os.environ.setdefault("DATABASE_URL", f"sqlite:///{ROOT / 'var' / 'bench-history.sqlite3'}")
os.environ.setdefault("LOG_LEVEL", "WARNING")
os.environ.setdefault("DEBUG", "false")

import django  # noqa: E402

django.setup()

from django.contrib.auth.models import User  # noqa: E402
from django.test import Client  # noqa: E402

import calls.history_views as views  # noqa: E402
from console.models import Tenant  # noqa: E402

PHASES = ("_filter_form", "history_page", "history_rows", "_freshness_context", "render")
spent = collections.defaultdict(list)


def timed(name):
    original = getattr(views, name)

    @functools.wraps(original)
    def wrapper(*args, **kwargs):
        start = time.process_time()
        try:
            return original(*args, **kwargs)
        finally:
            spent[name].append((time.process_time() - start) * 1000)

    setattr(views, name, wrapper)


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--query", default="?disposition=interested")
    parser.add_argument("--requests", type=int, default=80)
    args = parser.parse_args()
    for name in PHASES:
        timed(name)
    tenant = Tenant.objects.get(slug="bench")
    client = Client()
    client.force_login(User.objects.get(username="bench-supervisor"))
    url = f"/t/{tenant.code}/calls/{args.query}"
    for _ in range(5):
        assert client.get(url).status_code == 200
    spent.clear()
    total = []
    for _ in range(args.requests):
        start = time.process_time()
        client.get(url)
        total.append((time.process_time() - start) * 1000)
    print(f"{url}: CPU ms per request, median / min of {args.requests}")
    print(f"  {'whole request':<20} {statistics.median(total):6.2f} / {min(total):6.2f}")
    for name in PHASES:
        if spent[name]:
            ms = spent[name]
            print(f"  {name:<20} {statistics.median(ms):6.2f} / {min(ms):6.2f}")


if __name__ == "__main__":
    main()
