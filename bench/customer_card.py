"""Benchmark of the call form's customer card (a benchmark, not a test). See docs/performance.md.

    DATABASE_URL=sqlite:////tmp/bench-1m.sqlite3 .venv/bin/python bench/customer_card.py
    .venv/bin/python bench/customer_card.py --calls 20000 --customers 2000   # a quick check

Reuses bench/history.py's tenant and its calls (seeded there once, reused by every benchmark:
DATABASE_URL as for it, default var/bench-history.sqlite3), and adds on top, once: each call's
customer number (E.164; those calls were seeded before the column existed, or by a history.py
that leaves it empty), and N customers (100k by default) with their numbers, half of them numbers
the calls went to. Then, through Django's test Client as one of the tenant's customer managers
(the whole request: middleware, view, template; DEBUG=false), prints the median time and the
queries of GET /t/<tenant>/call/customer/?called=... for: a customer with calls, a customer
with a colleague's call a moment ago (the warning), a customer with no calls, a number nobody
has, and what is no number. Target (issue 18): <= 20 ms at 1M calls and 100k customers.
"""

import argparse
import os
import random
import sys
import time
import uuid
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import history  # noqa: E402 - bench/history.py: Django set up, the tenant and its calls
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from calls.models import Call  # noqa: E402
from customers.models import Customer, CustomerNumber  # noqa: E402


def fill_customer_numbers(tenant) -> None:
    """history.py's numbers are Chinese mobiles ("13" + 9 digits): E.164 is "+86" + the number.
    One UPDATE (what calls 0009 does row by row for any number)."""
    missing = Call.objects.filter(tenant=tenant, customer_number="")
    if not missing.exists():
        return
    started = time.monotonic()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            f"UPDATE {Call._meta.db_table} SET customer_number = '+86' || called "  # noqa: S608
            "WHERE tenant_id = %s AND customer_number = ''",
            [tenant.pk],
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"customer numbers filled in {time.monotonic() - started:.1f} s")


def seed_customers(tenant, n: int) -> None:
    have = Customer.objects.filter(tenant=tenant).count()
    if have >= n:
        print(f"{have:,} customers already seeded")
        return
    started = time.monotonic()
    rng = random.Random(18)
    # Half the customers are numbers the calls went to (sampled), half numbers nobody called.
    called = list(
        Call.objects.filter(tenant=tenant)
        .order_by()
        .values_list("customer_number", flat=True)
        .distinct()[: n // 2]
    )
    taken = set(CustomerNumber.objects.filter(tenant=tenant).values_list("number", flat=True))
    now = datetime.now(UTC)
    todo = n - have
    customers, numbers = [], []
    for i in range(todo):
        number = called[i] if i < len(called) else f"+86139{rng.randrange(10**8):08d}"
        if number in taken or not number:
            number = f"+86137{have + i:08d}"
        taken.add(number)
        c = Customer(
            code=uuid.uuid4(), tenant=tenant, name=f"Customer {have + i:06d}",
            company=f"Company {rng.randrange(5000)}", primary_number=number,
            created_at=now, updated_at=now,
        )  # fmt: skip
        customers.append(c)
        numbers.append(number)
    with transaction.atomic():
        Customer.objects.bulk_create(customers, batch_size=5000)
        CustomerNumber.objects.bulk_create(
            [
                CustomerNumber(tenant=tenant, customer=c, number=num)
                for c, num in zip(customers, numbers, strict=True)
            ],
            batch_size=5000,
        )
    with connection.cursor() as cur:
        cur.execute("VACUUM ANALYZE" if connection.vendor == "postgresql" else "ANALYZE")
    print(f"seeded {todo:,} customers in {time.monotonic() - started:.1f} s")


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--calls", type=int, default=1_000_000)
    parser.add_argument("--customers", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=21)
    args = parser.parse_args()

    call_command("migrate", verbosity=0)
    tenant, _sup, managers, _root = history.setup_tenant()
    history.seed(tenant, managers, args.calls)
    fill_customer_numbers(tenant)
    seed_customers(tenant, args.customers)
    total = Call.objects.filter(tenant=tenant).count()
    customers = Customer.objects.filter(tenant=tenant).count()

    me, colleague = managers[0], managers[1]
    calls = Call.objects.filter(tenant=tenant).exclude(user=me)
    # A customer with calls (the newest of them a colleague's, long ago), and the number of the
    # tenant's most recent call, made "a moment ago" by a colleague: the warning.
    with_calls = Customer.objects.filter(
        tenant=tenant, primary_number__in=calls.values("customer_number")[:1000]
    ).first()
    recent = calls.filter(user=colleague).order_by("-created_at", "-id").first()
    Call.objects.filter(pk=recent.pk).update(created_at=datetime.now(UTC))
    no_calls = Customer.objects.filter(tenant=tenant, primary_number__startswith="+86137").first()
    base = f"/t/{tenant.code}/call/customer/?called="
    cases = [
        ("customer with calls", base + with_calls.primary_number[3:]),
        ("colleague called a moment ago", base + recent.called),
        ("customer, no calls", base + (no_calls or with_calls).primary_number),
        ("unknown number", base + "13312345678"),
        ("not a number yet", base + "138"),
    ]
    client = Client()
    client.force_login(me)
    print(f"\n{connection.vendor}, {total:,} calls, {customers:,} customers, median of "
          f"{args.repeat}")  # fmt: skip
    print(f"{'customer card':<34} {'median ms':>10} {'queries':>8}")
    for label, url in cases:
        ms, _cpu, n = history.measure(client, url, args.repeat)
        print(f"{label:<34} {ms:>10.1f} {n:>8}")
    body = client.get(cases[1][1]).content.decode()
    assert 'id="colleague-warning"' in body, "the warning case shows no warning"


if __name__ == "__main__":
    os.environ.setdefault("DEBUG", "false")
    main()
