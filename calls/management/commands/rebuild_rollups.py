"""Recompute the dashboard's daily rollups from the calls (calls/rollups.py).

    manage.py rebuild_rollups [--tenant SLUG-OR-CODE] [--batch-months 1]

Idempotent: run it as often as you like. Safe while the console runs: each batch of calendar months is one
transaction that first takes the lock call writes need (SQLite's write lock; PostgreSQL's SHARE
lock on calls_call), so a call written meanwhile is counted by its trigger before or after the
batch, never lost or counted twice; a write waits at most one batch (see docs/performance.md).
"""

from django.core.management.base import BaseCommand, CommandError

from calls import rollups
from console.models import Tenant


class Command(BaseCommand):
    help = "Recompute the dashboard's daily rollups from the calls (idempotent, in batches)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="one tenant: its short name (slug) or code")
        parser.add_argument(
            "--batch-months",
            type=int,
            default=rollups.BATCH_MONTHS,
            help=f"calendar months per transaction (default {rollups.BATCH_MONTHS})",
        )

    def handle(self, *args, tenant=None, batch_months=rollups.BATCH_MONTHS, **options):
        if batch_months < 1:
            raise CommandError("--batch-months must be at least 1")
        tenants = Tenant.objects.order_by("id")
        if tenant:
            found = tenants.filter(slug=tenant)
            if not found.exists():
                try:
                    found = tenants.filter(code=tenant)
                    found = found if found.exists() else None
                except Exception:  # noqa: BLE001 - not a UUID
                    found = None
            if not found:
                raise CommandError(f"No tenant with the short name or code {tenant!r}.")
            tenants = found
        for t in tenants:
            filled = rollups.fill_local_days(t)
            batches = rollups.rebuild(t, batch_months=batch_months)
            self.stdout.write(
                f"{t.slug}: {batches} batch(es) of {batch_months} month(s) rebuilt"
                + (f", {filled} call(s) given their local day" if filled else "")
            )
