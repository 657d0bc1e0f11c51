"""Reading follow-ups: whose a member sees, the list's groups (overdue, due today, upcoming) and
the navigation's count of due ones.

"Today" is the tenant's day (`Tenant.time_zone`: the console has no per-person time zone).
A customer manager sees the follow-ups assigned to them; a supervisor or admin the tenant's,
optionally one manager's. Each group is one range of an index: followup_assignee_due
(tenant, assignee, status, due_at, id) for one person's, followup_tenant_due for the tenant's;
pages go on by keyset on (due_at, id), so the list costs the same at 10 or 10,000 follow-ups.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils import timezone

from calls.models import FollowUp
from calls.paging import decode_cursor, encode_key
from calls.selectors import day_start
from console.models import Membership
from console.prepared import Prepared

GROUP_SIZE = 10  # rows shown per group; more by "Later ones" (keyset) links
COUNT_CAP = 999  # counts past it show as "999+" (groups' totals, the navigation's due count)
FAR_PAST = datetime(1900, 1, 1, tzinfo=UTC)  # the overdue group's range starts here
FAR_FUTURE = datetime(9999, 1, 1, tzinfo=UTC)  # the upcoming group's range ends here
GROUPS = ("overdue", "today", "upcoming")
LIST_RELATED = ("assignee", "created_by", "source_call", "placed_call")
# The columns a list row shows (the related calls' and people's few, not their every column).
LIST_COLUMNS = (
    "id", "code", "tenant_id", "called", "due_at", "note", "status", "cancel_reason", "done_at",
    "created_at", "due_notified_at", "assignee_id", "created_by_id", "source_call_id",
    "placed_call_id",
    "assignee__username", "assignee__first_name", "assignee__last_name",
    "created_by__username", "created_by__first_name", "created_by__last_name",
    "source_call__code", "source_call__user_id", "source_call__created_at",
    "source_call__call_type", "source_call__outcome_code", "source_call__reason_source",
    "source_call__reason_code",
    "placed_call__code", "placed_call__created_at",
)  # fmt: skip


def visible_follow_ups(membership: Membership) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(tenant_id=membership.tenant_id)
    if not membership.can_read_history:
        qs = qs.filter(assignee_id=membership.user_id)
    return qs


def visible_follow_up(membership: Membership, code) -> FollowUp:
    """One follow-up the member may see (and change), or 404."""
    found = visible_follow_ups(membership).select_related(*LIST_RELATED).filter(code=code).first()
    if found is None:
        raise Http404
    found.tenant = membership.tenant
    return found


def callable_follow_up(membership: Membership, code) -> FollowUp | None:
    """The open follow-up of this customer manager named by the call form's `follow_up`, or
    None (another tenant's or person's, closed, or not a code)."""
    if membership.role != Membership.Role.MANAGER or not code:
        return None
    found = (
        FollowUp.objects.filter(
            tenant_id=membership.tenant_id,
            assignee_id=membership.user_id,
            status=FollowUp.Status.OPEN,
            code=code,
        )
        .select_related("created_by", "source_call")
        .first()
    )
    if found is not None:
        found.tenant = membership.tenant
    return found


def day_bounds(tenant, now: datetime) -> tuple[datetime, datetime]:
    """The start of today and of tomorrow, in the tenant's time zone."""
    tz = ZoneInfo(tenant.time_zone)
    today = now.astimezone(tz).date()
    return day_start(today, tz), day_start(today + timedelta(days=1), tz)


def due_count(membership: Membership, now: datetime | None = None) -> int:
    """A customer manager's open follow-ups due by the end of today (overdue ones too): the
    navigation's number, counted up to COUNT_CAP + 1 (the badge says "999+" past the cap, and a
    manager with 10,000 open follow-ups does not pay for counting them on every page)."""
    now = now or timezone.now()
    _start, tomorrow = day_bounds(membership.tenant, now)
    return (
        FollowUp.objects.filter(
            tenant_id=membership.tenant_id,
            assignee_id=membership.user_id,
            status=FollowUp.Status.OPEN,
            due_at__lt=tomorrow,
        )
        .values("pk")[: COUNT_CAP + 1]
        .count()
    )


# --- keyset cursors on (due_at, id) -----------------------------------------------------------


def encode_cursor(follow_up: FollowUp) -> str:
    return encode_key(follow_up.due_at, follow_up.pk)  # decode_cursor: calls/paging.py


def after(qs: QuerySet[FollowUp], cursor: str | None) -> QuerySet[FollowUp]:
    """Rows after the cursor in (due_at, id) order; the redundant `due_at >= t` gives the index
    range to start from."""
    key = decode_cursor(cursor) if cursor else None
    if key is None:
        return qs
    ts, pk = key
    return qs.filter(Q(due_at__gte=ts), Q(due_at__gt=ts) | Q(due_at=ts, id__gt=pk))


def page(qs: QuerySet[FollowUp], *, cursor: str | None, size: int) -> tuple[list, str | None]:
    """One keyset page in (due_at, id) order, and the cursor of the next (None: no more)."""
    rows = list(
        after(qs, cursor).select_related(*LIST_RELATED).order_by("due_at", "id")[: size + 1]
    )
    more = len(rows) > size
    rows = rows[:size]
    return rows, encode_cursor(rows[-1]) if more and rows else None


# --- the list page ----------------------------------------------------------------------------


@dataclass
class Group:
    name: str
    rows: list = field(default_factory=list)
    total: int = 0  # counted up to COUNT_CAP + 1
    next_cursor: str | None = None

    @property
    def capped(self) -> bool:
        """More than COUNT_CAP: the total shows as "999+"."""
        return self.total > COUNT_CAP


@dataclass
class Listing:
    groups: list[Group]
    today_start: datetime
    tomorrow_start: datetime

    @property
    def due(self) -> int:
        """Overdue and due today (the navigation's count, for the list's own person; past
        COUNT_CAP it says COUNT_CAP + 1, as due_count does)."""
        return min(sum(g.total for g in self.groups if g.name != "upcoming"), COUNT_CAP + 1)


# The list's queries are prepared (console/prepared.py): the page ran four small queries whose
# building by the ORM cost ten times their running (docs/performance.md, "Follow-ups list").
# Each group is the range [start, end) of due times; "open" and the tenant (and the person) are
# the index's first columns (followup_assignee_due, followup_tenant_due).
def _open(tenant_id, assignee_id=None) -> QuerySet[FollowUp]:
    qs = FollowUp.objects.filter(tenant_id=tenant_id, status=FollowUp.Status.OPEN)
    return qs if assignee_id is None else qs.filter(assignee_id=assignee_id)


def _types(one_person: bool, **types) -> dict:
    return {"tenant_id": int, **({"assignee_id": int} if one_person else {}), **types}


_COUNTS = {
    one_person: Prepared(
        lambda tenant_id, start, end, assignee_id=None: (
            _open(tenant_id, assignee_id)
            .filter(due_at__gte=start, due_at__lt=end)
            .values_list("pk")[: COUNT_CAP + 1]
        ),
        **_types(one_person, start=datetime, end=datetime),
    )
    for one_person in (False, True)
}
_PAGES: dict[tuple[bool, int], Prepared] = {}


def _page_query(one_person: bool, size: int) -> Prepared:
    """A group's page after the keyset (after_due, after_id) inside [start, end): without a
    cursor, after_due is the range's start and after_id 0."""
    key = (one_person, size)
    if key not in _PAGES:
        _PAGES[key] = Prepared(
            lambda tenant_id, start, end, after_due, after_id, assignee_id=None: (
                _open(tenant_id, assignee_id)
                .filter(due_at__gte=start, due_at__lt=end)
                .filter(Q(due_at__gt=after_due) | Q(due_at=after_due, id__gt=after_id))
                .select_related(*LIST_RELATED)
                .order_by("due_at", "id")[: size + 1]
            ),
            **_types(one_person, start=datetime, end=datetime, after_due=datetime, after_id=int),
        )
    return _PAGES[key]


def _cursor(cursor: str | None) -> tuple[datetime, int] | None:
    """A group's cursor from the URL, or None: an id no row can have (a forged cursor) is none
    (the ORM would turn it into "no rows"; a prepared query would hand it to the database)."""
    key = decode_cursor(cursor) if cursor else None
    return key if key is not None and 0 <= key[1] < 2**63 else None


def _totals(who: dict, ranges: dict) -> dict[str, int]:
    """Each group's count (up to COUNT_CAP + 1), in one query."""
    prepared = _COUNTS["assignee_id" in who]
    parts, params = [], []
    for start, end in ranges.values():
        sql, p = prepared.sql(**who, start=start, end=end)
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")  # noqa: S608 - the ORM's SQL
        params += p
    with connection.cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        return dict(zip(ranges, cursor.fetchone(), strict=True))


def listing(
    membership: Membership,
    *,
    now: datetime | None = None,
    assignee_id: int | None = None,
    cursors: dict | None = None,
    size: int | None = None,
) -> Listing:
    """The open follow-ups in their three groups, soonest due first (overdue: the longest
    overdue first), each at most `size` rows from its cursor on, with every group's total (up
    to COUNT_CAP + 1): four queries whatever the numbers."""
    now = now or timezone.now()
    cursors = cursors or {}
    size = size or GROUP_SIZE
    today_start, tomorrow = day_bounds(membership.tenant, now)
    who = {"tenant_id": membership.tenant_id}
    if not membership.can_read_history:
        who["assignee_id"] = membership.user_id
    elif assignee_id is not None:
        who["assignee_id"] = assignee_id
    ranges = {
        "overdue": (FAR_PAST, now),
        "today": (now, tomorrow),
        "upcoming": (tomorrow, FAR_FUTURE),
    }
    totals = _totals(who, ranges)
    query = _page_query("assignee_id" in who, size)
    groups = []
    for name in GROUPS:
        group = Group(name=name, total=totals[name])
        if group.total:
            start, end = ranges[name]
            after_due, after_id = _cursor(cursors.get(name)) or (start, 0)
            rows = query.all(
                **who,
                start=max(start, after_due),
                end=end,
                after_due=after_due,
                after_id=after_id,
            )
            for row in rows:
                row.tenant = membership.tenant
            group.rows = rows[:size]
            if len(rows) > size:
                group.next_cursor = encode_cursor(group.rows[-1])
        groups.append(group)
    return Listing(groups=groups, today_start=today_start, tomorrow_start=tomorrow)


def placed_from(call) -> FollowUp | None:
    """The open follow-up `call` was placed from (its wrap-up completes or moves it), or None."""
    return (
        FollowUp.objects.filter(
            tenant_id=call.tenant_id, placed_call_id=call.pk, status=FollowUp.Status.OPEN
        )
        .order_by("due_at", "id")
        .first()
    )
