"""Read AICC's call records (queryCallDetailRecord) and store the outcomes of our calls.

    manage.py sync_outcomes [--tenant SLUG] [--days 7]

Run it from cron every few minutes, from as many hosts as you like: each tenant is synced by
one runner at a time (a lease claimed under SELECT ... FOR UPDATE SKIP LOCKED; see
calls.services.outcomes.sync_claim), and every outcome is written at most once. A failure is stored on
the tenant's sync row (shown to its admins) and the next run resumes from the stored cursor.
"""

from django.core.management.base import BaseCommand

from calls.services.outcomes import outcome_sync_tenant
from console.models import Tenant


class Command(BaseCommand):
    help = "Store call outcomes from AICC's call records (idempotent, resumable)."

    def add_arguments(self, parser):
        parser.add_argument("--tenant", help="only this tenant (its short name)")
        parser.add_argument(
            "--days", type=int, default=7, help="how far back a tenant's first sync reads"
        )

    def handle(self, *args, tenant=None, days=7, **options):
        tenants = Tenant.objects.exclude(app_key="").exclude(aicc_base_url="").order_by("slug")
        if tenant:
            tenants = tenants.filter(slug=tenant)
        failed = 0
        for t in tenants:
            if not t.has_credentials:
                continue
            r = outcome_sync_tenant(t, days=max(1, days))
            if r.skipped:
                self.stdout.write(f"{t.slug}: skipped (another runner is syncing it)")
            elif r.error:
                failed += 1
                self.stdout.write(f"{t.slug}: error after {r.pages} pages: {r.error}")
            else:
                self.stdout.write(f"{t.slug}: {r.pages} pages, {r.applied} outcomes stored")
        if failed:
            raise SystemExit(1)
