"""Reading calls: the history's filtered queryset, and one call a member may see. The filter
(calls/history_filter.py) serves the history list, its CSV export and the dashboard; pages come
from calls/paging.py. Every filter maps onto an index of Call:

- tenant (+ user for managers) + created_at range -> call_tenant_recent / call_tenant_user_recent
- result -> call_tenant_status_recent; reason code -> call_tenant_reason_recent; outcome code ->
  call_tenant_outcome_recent (a meaning group of the reason filter ORs both)
- serial -> call_tenant_serial
- disposition -> call_tenant_disposition_recent; "has a note" -> call_tenant_noted_recent (partial)
- number prefix / contains -> calls/number_search.py: on PostgreSQL `LIKE 'p%'` on (tenant_id,
  called varchar_pattern_ops) and `LIKE '%p%'` on the pg_trgm GIN index; on SQLite a range on
  call_tenant_called and an FTS5 trigram index, or a walk of the newest calls when most match.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BooleanField, Count, IntegerField, OuterRef, Q, QuerySet, Subquery
from django.db.models.expressions import RawSQL
from django.db.models.functions import Coalesce
from django.http import Http404
from django.utils import timezone

from calls.aicc.reasons import Group, is_success, reasons_for, reasons_in
from calls.models import Call, OutcomeSync
from calls.number_search import filter_number
from console.models import Membership, Tenant
from console.prepared import Prepared

# Where a failed or unknown call's reason can come from (the sources of Call.reason_source).
FAILURE_SOURCES = ("createCall", "http", "transport", "console", "token")
# Where a placed call's outcome comes from (Call.outcome_code, by Call.call_type).
OUTCOME_SOURCES = ("outcome", "outcome_ita")
# The reason filter's groups of meaning (calls.aicc.reasons.Group), in the order it lists them.
FILTER_GROUPS = (
    Group.NO_ANSWER,
    Group.CALLER_PHONE,
    Group.NUMBER,
    Group.BUSY,
    Group.SETTINGS,
    Group.PROVIDER,
    Group.NETWORK,
    Group.CONSOLE,
    Group.GUARDRAIL,
    Group.ENDED,
)


def filter_reasons(group: Group) -> list:
    """The reasons a call can carry (a failure's reason or a placed call's outcome) that mean
    `group`: what the reason filter's group selects. Successes are no reason to filter by."""
    return [
        r
        for r in reasons_in(group, FAILURE_SOURCES + OUTCOME_SOURCES)
        if r.source in OUTCOME_SOURCES or not is_success(r.source, r.code)
    ]


def _code_q(source: str, codes: list[str]) -> Q:
    if source == "outcome":
        return Q(outcome_code__in=codes) & ~Q(call_type="ITA")
    if source == "outcome_ita":
        return Q(call_type="ITA", outcome_code__in=codes)
    return Q(reason_source=source, reason_code__in=codes)


def reason_q(value: str) -> Q | None:
    """The reason filter's value: `source:code` (a failure's reason or an outcome),
    `group:<meaning>` (every code of that group) or `fixer:<who>`."""
    source, _sep, code = value.partition(":")
    if source == "fixer":
        q = Q(pk__in=[])
        for src in FAILURE_SOURCES:
            codes = [r.code for r in reasons_for(src) if r.fixer.value == code and r.code != "0"]
            if codes:
                q |= Q(reason_source=src, reason_code__in=codes)
        return q
    if source == "group" and code in FILTER_GROUPS:
        q = Q(pk__in=[])
        by_source: dict[str, list[str]] = {}
        for r in filter_reasons(Group(code)):
            by_source.setdefault(r.source, []).append(r.code)
        for src, codes in by_source.items():
            q |= _code_q(src, codes)
        return q
    if source in FAILURE_SOURCES + OUTCOME_SOURCES and code:
        return _code_q(source, [code])
    return None


def day_start(day, tz: ZoneInfo) -> datetime:
    return datetime.combine(day, time.min, tzinfo=tz)


def calls_for(membership: Membership, filters: dict) -> QuerySet[Call]:
    """The calls this member may see, narrowed by the filters (no ordering or slicing yet)."""
    tenant = membership.tenant
    qs = tenant.calls.all()
    if not membership.can_read_history:
        qs = qs.filter(user_id=membership.user_id)  # managers see their own calls only
    elif filters.get("manager"):
        qs = qs.filter(user_id=filters["manager"])
    tz = ZoneInfo(tenant.time_zone)
    if filters.get("date_from"):
        qs = qs.filter(created_at__gte=day_start(filters["date_from"], tz))
    if filters.get("date_to"):
        qs = qs.filter(created_at__lt=day_start(filters["date_to"] + timedelta(days=1), tz))
    if filters.get("status"):
        qs = qs.filter(status=filters["status"])
    if filters.get("reason"):
        q = reason_q(filters["reason"])
        if q is not None:
            qs = qs.filter(q)
    if filters.get("number"):
        qs = filter_number(qs, filters["number"], filters.get("match") or "prefix", tenant)
    if filters.get("serial"):
        qs = qs.filter(serial=filters["serial"])
    if filters.get("disposition"):
        qs = qs.filter(disposition_id=filters["disposition"])
    if filters.get("has_note"):
        qs = qs.filter(has_note=filters["has_note"] == "yes")
    return qs


def visible_call(membership: Membership, code) -> Call:
    """A call of this tenant the member may see: their own, or any for admins/supervisors."""
    qs = membership.tenant.calls.select_related("user")
    if not membership.can_read_history:
        qs = qs.filter(user_id=membership.user_id)
    call = qs.filter(code=code).first()
    if call is None:
        raise Http404
    call.tenant = membership.tenant  # already loaded: no second query for call.tenant
    return call


# --- how current the outcomes are ---------------------------------------------------------------

# The worker reads AICC's records for a waiting call for this long after it was placed (also how far
# back a tenant's first read goes). An older call without an outcome will not get one.
SYNC_HORIZON = timedelta(days=7)
WAITING_SOURCES = ("", "poll")  # no record yet: nothing, or queryCallState's provisional answer


def overdue_after() -> timedelta:
    return timedelta(minutes=settings.OUTCOME_OVERDUE_MINUTES)


def waiting_q() -> Q:
    """Placed calls still without AICC's record of how they ended (push or call records). The
    same condition as the partial index call_waiting_outcome, so counting them stays cheap."""
    return Q(status=Call.Status.PLACED, outcome_source__in=WAITING_SOURCES)


# waiting_q() as SQL literals, for counting through the partial index call_waiting_outcome: SQLite
# uses a partial index only when the query states its condition with constants, not with the
# bound parameters Django sends (docs/performance.md).
WAITING_LITERAL = RawSQL(
    "status = 'placed' AND outcome_source IN ('', 'poll')", [], output_field=BooleanField()
)


def is_overdue(call: Call, now: datetime) -> bool:
    """Placed, nothing known of how it ended, and placed longer ago than the overdue threshold."""
    return (
        call.status == Call.Status.PLACED
        and not call.outcome_code
        and call.created_at < now - overdue_after()
    )


@dataclass
class Freshness:
    last_synced: datetime | None
    waiting: int
    overdue: int
    last_error: str


def _freshness_query(tenant_id: int, since: datetime, overdue_before: datetime, user_id=None):
    """The freshness row of a tenant (last sync, its error, calls waiting, overdue), counting
    one customer manager's calls when `user_id` is given."""
    calls = Call.objects.filter(WAITING_LITERAL, tenant=OuterRef("pk"), created_at__gte=since)
    if user_id is not None:
        calls = calls.filter(user_id=user_id)

    def count(qs):
        qs = qs.order_by().values("tenant").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(qs, output_field=IntegerField()), 0)

    sync = OutcomeSync.objects.filter(tenant=OuterRef("pk"))
    return (
        Tenant.objects.filter(pk=tenant_id)
        .order_by()
        .values_list(
            Subquery(sync.values("last_ok_at")[:1]),
            Subquery(sync.values("last_error")[:1]),
            count(calls),
            count(calls.filter(outcome_code="", created_at__lt=overdue_before)),
        )[:1]
    )


# Prepared (console/prepared.py): the history and the call page show it on every load, and the
# ORM takes far longer to build this query than the database to run it (docs/performance.md).
_FRESHNESS_ALL = Prepared(_freshness_query, tenant_id=int, since=datetime, overdue_before=datetime)
_FRESHNESS_OWN = Prepared(
    _freshness_query, tenant_id=int, since=datetime, overdue_before=datetime, user_id=int
)


def freshness(membership: Membership, now: datetime | None = None) -> Freshness:
    """When outcomes were last synced, and how many of the calls this member sees are waiting
    for their outcome (and overdue), in one query."""
    now = now or timezone.now()
    values = {
        "tenant_id": membership.tenant_id,
        "since": now - SYNC_HORIZON,
        "overdue_before": now - overdue_after(),
    }
    if membership.can_read_history:
        rows = _FRESHNESS_ALL.rows(**values)
    else:
        rows = _FRESHNESS_OWN.rows(**values, user_id=membership.user_id)
    last_synced, last_error, waiting, overdue = rows[0] if rows else (None, "", 0, 0)
    return Freshness(
        last_synced=last_synced, waiting=waiting, overdue=overdue, last_error=last_error or ""
    )
