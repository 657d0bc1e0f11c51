"""Place N calls for one tenant's softphone through the same service the web flow uses.

Used by the multi-process token test and the token benchmark:
    DATABASE_URL=... python bench/place_calls.py --tenant demo --softphone 10001 --count 250 --prefix 1371
Prints one JSON line: {"placed": n, "failed": n, "statuses": {...}}.
"""

import argparse
import json
import os
import sys
import uuid
from collections import Counter
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--tenant", required=True)
    ap.add_argument("--softphone", required=True)
    ap.add_argument("--count", type=int, default=100)
    ap.add_argument("--prefix", default="137", help="called numbers are PREFIX + a running number")
    args = ap.parse_args()

    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from calls.services import placing
    from console.models import Membership, Tenant

    tenant = Tenant.objects.get(slug=args.tenant)
    mapping = tenant.softphones.get(softphone=args.softphone)
    m = Membership.objects.select_related("tenant").get(tenant=tenant, user_id=mapping.user_id)
    statuses: Counter = Counter()
    for i in range(args.count):
        called = f"{args.prefix}{i:07d}"[:32]
        placed = placing.call_place(
            membership=m,
            mapping=mapping,
            called=called,
            idempotency_key=uuid.uuid4().hex,
            replace_live=True,  # back to back: each call stops following the one before
        )
        statuses[placed.call.status] += 1
    print(
        json.dumps(
            {
                "placed": statuses["placed"],
                "failed": args.count - statuses["placed"],
                "statuses": statuses,
            }
        )
    )


if __name__ == "__main__":
    main()
