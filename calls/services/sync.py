"""The worker's outcome sync: every OUTCOME_SYNC_SECONDS, read AICC's call records for the tenants
whose calls are still waiting for their outcome, and only as far back as those calls need.

Per tenant with AICC credentials, on each run:

- nothing waiting (no placed call of the last SYNC_HORIZON without AICC's record, no "outcome
  unknown" call without a serial number that the records could resolve): no request to AICC; the
  tenant's sync row says it was checked now (last_ok_at, and the cursor moves to now: there is
  nothing older to read);
- a full read is due (the stored cursor is older than OUTCOME_FULL_SYNC_SECONDS, or the last read
  failed and is retried at that pace): the cursor-based read of `manage.py sync_outcomes`
  (the last hour and more, for long calls and late records);
- else, calls placed in the last OUTCOME_OVERDUE_MINUTES are waiting: read from one minute before
  the oldest of them to now (a page or two), leaving the cursor alone;
- else (only overdue calls wait): nothing until the next full read.

So AICC is asked only about calls that still lack an outcome, and mostly about the last minutes.
Safe when two workers run it at once: each tenant's read is leased (outcomes.sync_claim), and
every outcome is written once (outcomes.outcome_apply).
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.conf import settings
from django.db.models import Min, Q
from django.utils import timezone

from calls.models import Call, OutcomeSync
from calls.selectors import SYNC_HORIZON, overdue_after, waiting_q
from calls.services.outcomes import RESOLVE_BEFORE, SyncResult, outcome_sync_tenant
from console.models import Tenant


def _pending_q(horizon: datetime) -> Q:
    """Calls a read of the records can still complete: waiting placed calls, and calls whose
    createCall answer was lost (AICC may have placed them: outcomes.resolve_unknown)."""
    unknown = Q(status=Call.Status.UNKNOWN, serial="")
    return (waiting_q() | unknown) & Q(created_at__gte=horizon)


def sync_pending(*, now: datetime | None = None) -> list[SyncResult]:
    """One run of the worker's outcome sync over every tenant (see the module's docstring)."""
    now = now or timezone.now()
    recent_from = now - overdue_after()
    full_every = timedelta(seconds=settings.OUTCOME_FULL_SYNC_SECONDS)
    pending = {
        row["tenant"]: row
        for row in Call.objects.filter(_pending_q(now - SYNC_HORIZON))
        .order_by()
        .values("tenant")
        .annotate(
            oldest=Min("created_at"),
            oldest_recent=Min("created_at", filter=Q(created_at__gte=recent_from)),
        )
    }
    tenants = [
        t
        for t in Tenant.objects.exclude(app_key="").exclude(aicc_base_url="").order_by("slug")
        if t.has_credentials
    ]
    rows = {s.tenant_id: s for s in OutcomeSync.objects.filter(tenant__in=tenants)}
    missing = [OutcomeSync(tenant=t) for t in tenants if t.pk not in rows]
    if missing:
        OutcomeSync.objects.bulk_create(missing, ignore_conflicts=True)
    results, idle = [], []
    for tenant in tenants:
        row = rows.get(tenant.pk)
        cursor = row.cursor_at if row else None
        failed = bool(row and row.last_error)
        full_due = cursor is None or cursor <= now - full_every
        waiting = pending.get(tenant.pk)
        if waiting is None and not failed:
            idle.append(tenant.pk)
        elif full_due:
            results.append(outcome_sync_tenant(tenant, days=SYNC_HORIZON.days))
        elif waiting and waiting["oldest_recent"] is not None:
            since = waiting["oldest_recent"] - RESOLVE_BEFORE
            results.append(outcome_sync_tenant(tenant, days=SYNC_HORIZON.days, since=since))
    if idle:
        # Checked: nothing to read. A tenant being read by another runner is left to it.
        OutcomeSync.objects.filter(tenant_id__in=idle, last_error="").filter(
            Q(lease_until__isnull=True) | Q(lease_until__lte=now)
        ).update(last_ok_at=now, cursor_at=now)
    return results
