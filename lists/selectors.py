"""Reading call lists: the tenant's lists, one list (404 otherwise), its progress, its export."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib.auth.models import User
from django.db.models import Count
from django.http import Http404

from console.models import Membership
from lists.models import CallList, ListEntry

Status = ListEntry.Status


def lists_of_tenant(tenant) -> list[CallList]:
    return list(CallList.objects.filter(tenant_id=tenant.pk).select_related("owner"))


def list_of(membership: Membership, code) -> CallList:
    """One of the tenant's lists: any of them for supervisors and admins, those whose pool a
    customer manager is in for them; 404 otherwise."""
    qs = CallList.objects.filter(tenant_id=membership.tenant_id, code=code)
    if membership.role == Membership.Role.MANAGER:
        qs = qs.filter(members=membership.user_id)
    found = qs.select_related("owner").first()
    if found is None:
        raise Http404
    found.tenant = membership.tenant
    return found


@dataclass
class Row:
    who: str
    remaining: int = 0  # queued entries assigned to them (the pool's: who is "")
    done: int = 0
    retry: int = 0
    closed: int = 0


@dataclass
class Progress:
    total: int = 0
    counts: dict = field(default_factory=dict)  # status -> entries
    rows: list[Row] = field(default_factory=list)  # per manager, the pool first

    @property
    def done(self) -> int:
        return self.counts.get(Status.DONE, 0)

    @property
    def closed(self) -> int:
        return self.counts.get(Status.CLOSED, 0)

    @property
    def retry(self) -> int:
        return self.counts.get(Status.RETRY, 0)

    @property
    def remaining(self) -> int:
        """Not finished: open or in retry."""
        return self.counts.get(Status.OPEN, 0) + self.retry


def progress(call_list: CallList) -> Progress:
    """Counts per status, and per manager: what is left assigned to them and what came of the
    entries they called last. Two queries: the counts in one scan of an index that holds them
    (docs/performance.md, Issue 19), and the managers' names."""
    out = Progress()
    counts = (
        ListEntry.objects.filter(list_id=call_list.pk)
        .values_list("status", "worked_by", "assigned_to")
        .annotate(n=Count("*"))
        .order_by()
    )
    rows: dict[int | None, Row] = {}
    for status, worker, assignee, n in counts:
        out.counts[status] = out.counts.get(status, 0) + n
        out.total += n
        if status in (Status.OPEN, Status.RETRY):
            rows.setdefault(assignee, Row("")).remaining += n
        if worker is not None and status != Status.OPEN:
            row = rows.setdefault(worker, Row(""))
            setattr(row, status, getattr(row, status) + n)
    names = dict(
        User.objects.filter(pk__in=[k for k in rows if k is not None]).values_list("pk", "username")
    )
    pool = rows.pop(None, None)
    if pool is not None:
        out.rows.append(pool)
    for pk in sorted(rows, key=lambda k: names.get(k, "")):
        rows[pk].who = names.get(pk, "?")
        out.rows.append(rows[pk])
    return out


EXPORT_COLUMNS = (
    "line",
    "number",
    "customer_number",
    "name",
    "company",
    "status",
    "attempts",
    "last_attempt_at",
    "last_outcome",
    "disposition",
    "assigned_to",
    "worked_by",
    "context",
)


def export_rows(call_list: CallList):
    """The list's entries for its CSV export, one tuple of EXPORT_COLUMNS each (streamed)."""
    names = dict(
        User.objects.filter(memberships__tenant_id=call_list.tenant_id).values_list(
            "pk", "username"
        )
    )
    qs = (
        ListEntry.objects.filter(list_id=call_list.pk)
        .select_related("last_call", "last_call__disposition")
        .order_by("id")
    )
    for e in qs.iterator(chunk_size=2000):
        call = e.last_call
        outcome = ""
        disposition = ""
        if call is not None:
            call.tenant = call_list.tenant
            reason = call.outcome() or call.reason()
            outcome = str(reason.title) if reason is not None else call.status
            disposition = call.disposition.label if call.disposition_id else ""
        yield (
            e.line,
            e.number,
            e.customer_number,
            e.name,
            e.company,
            e.status,
            e.attempts,
            e.last_attempt_at.isoformat() if e.last_attempt_at else "",
            outcome,
            disposition,
            names.get(e.assigned_to_id, ""),
            names.get(e.worked_by_id, ""),
            e.context,
        )
