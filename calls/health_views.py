"""The admins' softphone health board (issue 20, section 2): per softphone, the last hour's and
the last day's calls and how many of them did not get through to it, the verdict
(calls.softphone_health, from the streak kept on the mapping by calls.services.health), and
AICC's allocation of the number (queryPhone, cached briefly).

Two queries whatever the number of calls: the mappings, and one aggregate over the tenant's
calls of the last day grouped by softphone (the index call_tenant_recent gives the range).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from zoneinfo import ZoneInfo

from django.core.cache import cache
from django.db.models import Count, Q
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from calls.aicc.reasons import decode
from calls.models import Call
from calls.readers import reader_for
from calls.softphone_health import (
    FAILURES,
    NOT_REACHED,
    REFUSED,
    UNANSWERED,
    UNHEALTHY_AFTER,
    format_moment,
    leg_q,
    verdict,
)
from console.access import ADMIN_ONLY, tenant_view
from console.htmx import wants_partial
from console.services.settings import fetch_allocation

ALLOCATION_FRESH = 60  # seconds a readable allocation is reused
ALLOCATION_FAILED = 15  # seconds an unreadable one is, so a down AICC is not asked every refresh
REFRESH_SECONDS = 15  # the board refreshes itself (htmx) this often


@dataclass
class Period:
    calls: int = 0
    not_reached: int = 0
    unanswered: int = 0
    refused: int = 0

    @property
    def failed(self) -> int:
        return self.not_reached + self.unanswered + self.refused


def softphone_counts(tenant, now) -> dict[str, tuple[Period, Period]]:
    """{softphone number: (last hour, last day)} for the tenant's calls of the last day."""
    hour = Q(created_at__gte=now - timedelta(hours=1))
    kinds = {NOT_REACHED: "not_reached", UNANSWERED: "unanswered", REFUSED: "refused"}
    aggregates = {"day_calls": Count("pk"), "hour_calls": Count("pk", filter=hour)}
    for kind, name in kinds.items():
        aggregates[f"day_{name}"] = Count("pk", filter=leg_q(kind))
        aggregates[f"hour_{name}"] = Count("pk", filter=leg_q(kind) & hour)
    rows = (
        Call.objects.filter(tenant=tenant, created_at__gte=now - timedelta(days=1))
        .order_by()
        .values("softphone")
        .annotate(**aggregates)
    )
    counts = {}
    for row in rows:
        hour_p, day_p = (
            Period(row[f"{p}_calls"], *(row[f"{p}_{n}"] for n in kinds.values()))
            for p in ("hour", "day")
        )
        counts[row["softphone"]] = (hour_p, day_p)
    return counts


@dataclass
class AllocationView:
    statuses: dict[str, int | None] | None  # number -> queryPhone status; None: unreadable
    reason: object = None  # the decoded failure, in the admin's words


def allocation_of(tenant, reader, *, fresh: bool = False) -> AllocationView:
    """AICC's allocation (queryPhone, every page) for the board, reused for ALLOCATION_FRESH
    seconds (a failure for ALLOCATION_FAILED); `fresh` asks again now."""
    key = f"softphone-health:allocation:{tenant.pk}"
    cached = None if fresh else cache.get(key)
    if cached is None:
        allocation = fetch_allocation(tenant)
        if allocation.phones is not None:
            cached = ("ok", {p.number: p.status for p in allocation.phones})
            cache.set(key, cached, ALLOCATION_FRESH)
        else:
            reason = allocation.reason
            cached = ("failed", (reason.source, reason.code))
            cache.set(key, cached, ALLOCATION_FAILED)
    kind, value = cached
    if kind == "ok":
        return AllocationView(value)
    return AllocationView(None, decode(value[0], value[1], reader))


@dataclass
class Row:
    mapping: object
    hour: Period
    day: Period
    state: str
    verdict: str
    allocation: str  # "registered" | "paused" | "released" | "other" | "" (unknown)


def _allocation_word(statuses, number: str) -> str:
    if statuses is None:
        return ""
    if number not in statuses:
        return "released"
    return {0: "registered", 1: "paused"}.get(statuses[number], "other")


@tenant_view(roles=ADMIN_ONLY)
@require_GET
def softphone_health(request):
    tenant = request.tenant
    now = timezone.now()
    zone = ZoneInfo(tenant.time_zone)
    allocation = allocation_of(
        tenant, reader_for(request.membership), fresh=request.GET.get("aicc") == "fresh"
    )
    counts = softphone_counts(tenant, now)
    rows = []
    for mapping in tenant.softphones.select_related("user"):
        hour, day = counts.get(mapping.softphone, (Period(), Period()))
        v = verdict(
            mapping,
            format_moment(mapping.health_since, now, zone),
            format_moment(mapping.health_last_ok_at, now, zone),
        )
        word = _allocation_word(allocation.statuses, mapping.softphone)
        rows.append(Row(mapping, hour, day, v.state, v.text, word))
    order = {"unhealthy": 0, "watch": 1, "healthy": 2, "none": 3}
    rows.sort(key=lambda r: (not r.mapping.enabled, order[r.state], r.mapping.softphone))
    ctx = {
        "rows": rows,
        "allocation": allocation,
        "threshold": UNHEALTHY_AFTER,
        "refresh_seconds": REFRESH_SECONDS,
        "checked_at": format_moment(now, now, zone),
        "unhealthy": sum(1 for r in rows if r.state == "unhealthy" and r.mapping.enabled),
        "failure_kinds": FAILURES,
    }
    template = "calls/softphone_health.html"
    if wants_partial(request):
        template += "#board"
    return render(request, template, ctx)
