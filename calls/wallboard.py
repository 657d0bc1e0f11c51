"""The supervisors' live wallboard (issue 20): every customer manager of the tenant, their live
call, their last call's result and today's counters; the tenant's totals for today; the failures
of the last 15 minutes by reason.

Refreshed every 2 seconds for 1,000 managers, so it reads a fixed number of queries whatever the
size of the floor, all bounded by time on the (tenant, created_at) index: no query reads more
than today's calls (docs/performance.md, "The live wallboard"):

1. the managers (memberships, with their names);
2. today's calls, counted per manager in the database: the counters shown (calls, answered,
   talk time, pending wrap-ups) and a sum that changes whenever one of their calls changes
   (with the counters, the manager's fingerprint);
3. the calls today of the managers whose fingerprint changed since this process last looked
   (all of them the first time; usually a few, or none), for each one's last call;
4. the live calls (CALL_LIVE_MINUTES back at most), with the saved customer's name;
5. the failures of the last 15 minutes, counted per reason.

Queries 1, 2, 4 and 5 are prepared (console/prepared.py): compiled once per process.
`now` is a parameter throughout, so tests can put it anywhere.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import NamedTuple
from uuid import UUID
from zoneinfo import ZoneInfo

from django.db import connection
from django.db.models import Case, Count, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce

from calls.aicc.reasons import Fixer, Reason, decode
from calls.models import Call, WrapUpState, live_q, live_since
from calls.readers import reader_for
from calls.selectors import day_start
from console.models import Membership
from console.prepared import Prepared
from customers.selectors import customer_name_of

FAILURE_WINDOW = timedelta(minutes=15)
S = Call.Status

# The twin of calls.call_status.answered(): the console saw the call talking, AICC's record has a
# talk time, or AICC says the customer hung up (an AICC call's end reason 0).
ANSWERED_Q = (
    Q(talking_at__isnull=False)
    | Q(talk_seconds__gt=0)
    | (Q(state=3, outcome_code="0") & ~Q(call_type="ITA"))
)


def _not_live(since) -> Q:
    return ~live_q() | Q(created_at__lt=since)


class Last(NamedTuple):
    """A manager's last call, as much of it as its result needs (calls.call_status.status_of)."""

    id: int
    user_id: int
    code: UUID
    created_at: datetime
    status: str
    reason_source: str
    reason_code: str
    call_type: str
    state: int | None
    outcome_code: str
    unfollowed_at: datetime | None
    talking_at: datetime | None
    released_at: datetime | None
    talk_seconds: int | None

    def as_call(self) -> Call:
        """An unsaved Call with these values, for status_of."""
        return Call(**self._asdict())


class Live(NamedTuple):
    """A live call, as the board shows it."""

    user_id: int
    code: UUID
    created_at: datetime
    status: str
    state: int | None
    called: str
    customer_name: str | None


_MEMBERS = Prepared(
    lambda tenant_id: Membership.objects.filter(
        tenant_id=tenant_id, role=Membership.Role.MANAGER
    ).values_list("user_id", "user__username", "user__first_name", "user__last_name"),
    tenant_id=int,
)


# How far a call has come: each of its fields the board reads only ever moves forward (placing to
# placed or failed, AICC's state 0 to 3, an outcome, talking, released, no longer followed, older
# than the live window), and each step adds to this number, so no two steps cancel out. Summed
# over a manager's calls today, with the counters, it is their fingerprint: any change to their
# calls that the board shows changes it (one sum: a count FILTERed for each field made the query
# 1.5 times as long).
def progress(since) -> Case:
    return (
        Coalesce(F("state"), Value(-1))
        + 1
        + Case(  # placing, then not known (which may turn out failed or placed), failed, placed
            When(status=S.PLACING, then=Value(0)),
            When(status=S.UNKNOWN, then=Value(8)),
            When(status=S.FAILED, then=Value(16)),
            default=Value(24),
        )
        + Case(When(outcome_code="", then=Value(0)), default=Value(32))
        + Case(When(unfollowed_at__isnull=True, then=Value(0)), default=Value(64))
        + Case(When(talking_at__isnull=True, then=Value(0)), default=Value(128))
        + Case(When(created_at__lt=since, then=Value(256)), default=Value(0))
        + Case(When(released_at__isnull=True, then=Value(0)), default=Value(512))
    )


# Per manager: the counters shown, then the rest of the fingerprint.
COUNTS = ("n", "answered", "talk", "pending")
_COUNTED = Prepared(
    lambda tenant_id, start, end, since: (
        Call.objects.filter(tenant_id=tenant_id, created_at__gte=start, created_at__lt=end)
        .values("user_id")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=ANSWERED_Q),
            talk=Sum("talk_seconds"),
            pending=Count("id", filter=Q(wrapup_state=WrapUpState.PENDING)),
            progress=Sum(progress(since)),
        )
        .values_list("user_id", *COUNTS, "progress")
        .order_by()
    ),
    tenant_id=int,
    start=datetime,
    end=datetime,
    since=datetime,
)

_LIVE = Prepared(
    lambda tenant_id, since: (
        Call.objects.filter(live_q(), tenant_id=tenant_id, created_at__gte=since)
        .annotate(
            customer_name=customer_name_of(OuterRef("tenant_id"), OuterRef("customer_number"))
        )
        .values_list(*Live._fields)
        .order_by("created_at", "id")  # the latest of a manager's live calls wins
    ),
    tenant_id=int,
    since=datetime,
)

# Failures: placement failures (and calls not known to be placed), and placed calls that ended
# unanswered for a reason someone can fix (the customer not answering is no failure).
FAILED_Q = Q(status__in=[S.FAILED, S.UNKNOWN]) & ~Q(reason_source="")
ENDED_UNANSWERED_Q = (
    Q(status=S.PLACED, state=3, talking_at__isnull=True)
    & ~Q(outcome_code="")
    & (Q(talk_seconds__isnull=True) | Q(talk_seconds=0))
    & ~(Q(outcome_code="0") & ~Q(call_type="ITA"))
)
_FAILURES = Prepared(
    lambda tenant_id, since, now: (
        Call.objects.filter(tenant_id=tenant_id, created_at__gte=since, created_at__lte=now)
        .filter(FAILED_Q | ENDED_UNANSWERED_Q)
        .values("status", "reason_source", "reason_code", "outcome_code", "call_type")
        .annotate(n=Count("id"))
        .values_list("status", "reason_source", "reason_code", "outcome_code", "call_type", "n")
        .order_by()
    ),
    tenant_id=int,
    since=datetime,
    now=datetime,
)


@dataclass(slots=True)
class Row:
    """One customer manager on the board."""

    user_id: int
    name: str
    live: Live | None = None
    last: Last | None = None  # their last call that is no longer live (today's)
    calls: int = 0
    answered: int = 0
    talk_seconds: int = 0
    pending: int = 0
    fingerprint: tuple = ()  # changes whenever the last call or a counter may have


@dataclass
class Failure:
    reason: Reason
    calls: int


@dataclass
class Board:
    now: datetime
    rows: list[Row]
    totals: dict = field(default_factory=dict)
    failures: list[Failure] = field(default_factory=list)
    warn_after: timedelta = timedelta(minutes=3)
    alert_after: timedelta = timedelta(minutes=5)


def _today(tenant, now: datetime) -> tuple[datetime, datetime]:
    tz = ZoneInfo(tenant.time_zone)
    today = now.astimezone(tz).date()
    return day_start(today, tz), day_start(today + timedelta(days=1), tz)


# Per process, per tenant (by its code: never reused) the day and {user_id: (fingerprint, their
# last call)}, so a refresh reads the last calls of the managers whose calls changed only.
_lasts: dict[UUID, tuple[datetime, dict[int, tuple[tuple, Last | None]]]] = {}
_lock = threading.Lock()


def _known_lasts(tenant_code: UUID, start: datetime) -> dict:
    with _lock:
        day, known = _lasts.get(tenant_code, (None, None))
        if day != start:
            known = {}
            _lasts[tenant_code] = (start, known)
        return known


def board(membership: Membership, now: datetime) -> Board:
    tenant = membership.tenant
    start, end = _today(tenant, now)
    since = live_since(now)

    rows = {
        uid: Row(uid, f"{first} {last}".strip() or username)  # as get_full_name(), or username
        for uid, username, first, last in _MEMBERS.rows(tenant_id=tenant.pk)
    }

    totals = {"calls": 0, "answered": 0, "talk_seconds": 0, "pending": 0}
    known = _known_lasts(tenant.code, start)
    stale = set()  # the managers whose calls changed
    # Plain integers (or NULL for a sum of none): read without the ORM's converters.
    with connection.cursor() as cursor:
        cursor.execute(*_COUNTED.sql(tenant_id=tenant.pk, start=start, end=end, since=since))
        counted = cursor.fetchall()
    for uid, n, answered, talk, pending, progressed in counted:
        talk = talk or 0
        totals["calls"] += n
        totals["answered"] += answered
        totals["talk_seconds"] += talk
        totals["pending"] += pending
        row = rows.get(uid)
        if row is None:  # a former manager's calls still count in the tenant's totals
            continue
        row.calls, row.answered, row.talk_seconds, row.pending = n, answered, talk, pending
        row.fingerprint = (n, answered, talk, pending, progressed)
        seen = known.get(uid)
        if seen is not None and seen[0] == row.fingerprint:
            row.last = seen[1]
        else:
            stale.add(uid)

    if stale:
        # Their calls today that are no longer live, the latest of each manager's (tuples, not
        # model instances).
        found: dict[int, Last] = {}
        for values in (
            tenant.calls.filter(created_at__gte=start, created_at__lt=end, user_id__in=stale)
            .filter(_not_live(since))
            .values_list(*Last._fields)
            .order_by()
        ):
            last = Last(*values)
            mine = found.get(last.user_id)
            if mine is None or (last.created_at, last.id) > (mine.created_at, mine.id):
                found[last.user_id] = last
        for uid in stale:
            rows[uid].last = found.get(uid)
            known[uid] = (rows[uid].fingerprint, found.get(uid))

    ringing = talking = 0
    for values in _LIVE.rows(tenant_id=tenant.pk, since=since):
        call = Live(*values)
        row = rows.get(call.user_id)
        if row is not None:
            row.live = call
    for row in rows.values():
        if row.live is not None:
            if row.live.state == 2:
                talking += 1
            else:
                ringing += 1
    totals.update(live=ringing + talking, ringing=ringing, talking=talking, managers=len(rows))

    failures = failures_since(membership, now - FAILURE_WINDOW, now)
    totals["failures"] = sum(f.calls for f in failures)

    # Managers on a call first, the longest first (the thresholds at the top); then by name.
    ordered = sorted(
        rows.values(),
        key=lambda r: (0, r.live.created_at, "") if r.live else (1, now, r.name.casefold()),
    )
    return Board(
        now=now,
        rows=ordered,
        totals=totals,
        failures=failures,
        warn_after=timedelta(minutes=tenant.wallboard_warn_minutes),
        alert_after=timedelta(minutes=tenant.wallboard_alert_minutes),
    )


def failures_since(membership: Membership, since: datetime, now: datetime) -> list[Failure]:
    """The tenant's calls placed since `since` (up to `now`) that failed, counted per decoded
    reason, in the words of `membership`'s reader, the most frequent first (one query)."""
    reader = reader_for(membership)
    merged: dict[str, Failure] = {}
    for status, source, code, outcome, call_type, n in _FAILURES.rows(
        tenant_id=membership.tenant_id, since=since, now=now
    ):
        if status == S.PLACED:
            reason = decode("outcome_ita" if call_type == "ITA" else "outcome", outcome, reader)
            if reason.fixer == Fixer.NOBODY:
                continue
        else:
            reason = decode(source, code, reader)
        seen = merged.get(reason.key)
        if seen is None:
            merged[reason.key] = Failure(reason, n)
        else:
            seen.calls += n
    return sorted(merged.values(), key=lambda f: (-f.calls, f.reason.key))
