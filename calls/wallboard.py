"""The supervisors' live wallboard (issue 20): every customer manager of the tenant, their live
call, their last call's result and today's counters; the tenant's totals for today; the failures
of the last 15 minutes by reason.

Refreshed every 2 seconds for 1,000 managers, so it reads a fixed number of queries whatever the
size of the floor, all bounded by time on the (tenant, created_at) index: no query reads more than
today's calls (docs/performance.md, "The live wallboard").

1. the managers (memberships, with their names);
2. today's calls, counted per manager in the database (calls, answered, talk time, pending
   wrap-ups) with the time of each one's last call that is no longer live;
3. those last calls (today's calls placed at those times);
4. the live calls (CALL_LIVE_MINUTES back at most), with the saved customer's name;
5. the failures of the last 15 minutes, counted per reason.

`now` is a parameter throughout, so tests can put it anywhere.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from django.db.models import Count, Max, OuterRef, Q, Sum

from calls.aicc.reasons import Fixer, Reason, decode
from calls.models import Call, WrapUpState, live_q, live_since
from calls.readers import reader_for
from calls.selectors import day_start
from console.models import Membership
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

# What status_of() reads of a call (the rest of the row stays in the database).
STATUS_FIELDS = (
    "id", "code", "tenant_id", "user_id", "called", "customer_number", "created_at", "status",
    "reason_source", "reason_code", "call_type", "state", "outcome_code", "unfollowed_at",
    "talking_at", "released_at", "talk_seconds", "alerting_at", "agent_talking_at",
)  # fmt: skip


@dataclass
class Row:
    """One customer manager on the board."""

    user_id: int
    name: str
    live: Call | None = None  # their live call (with .customer_name)
    last: Call | None = None  # their last call that is no longer live (today's)
    calls: int = 0
    answered: int = 0
    talk_seconds: int = 0
    pending: int = 0


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


def _name(username: str, first: str, last: str) -> str:
    full = f"{first} {last}".strip()
    return full or username


def _today(tenant, now: datetime) -> tuple[datetime, datetime]:
    tz = ZoneInfo(tenant.time_zone)
    today = now.astimezone(tz).date()
    return day_start(today, tz), day_start(today + timedelta(days=1), tz)


def board(membership: Membership, now: datetime) -> Board:
    tenant = membership.tenant
    start, end = _today(tenant, now)
    since = live_since(now)

    members = Membership.objects.filter(tenant_id=tenant.pk, role=Membership.Role.MANAGER)
    rows = {
        uid: Row(uid, _name(username, first, last))
        for uid, username, first, last in members.values_list(
            "user_id", "user__username", "user__first_name", "user__last_name"
        ).order_by("user__username")
    }

    # Both ends of today: with only a lower bound SQLite's planner may walk a (tenant, user)
    # index over all time for the GROUP BY (as the dashboard found).
    today = tenant.calls.filter(created_at__gte=start, created_at__lt=end)
    not_live = ~live_q() | Q(created_at__lt=since)
    counted = (
        today.values("user_id")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=ANSWERED_Q),
            talk=Sum("talk_seconds"),
            pending=Count("id", filter=Q(wrapup_state=WrapUpState.PENDING)),
            last_at=Max("created_at", filter=not_live),
        )
        .order_by()
    )
    totals = {"calls": 0, "answered": 0, "talk_seconds": 0, "pending": 0}
    last_times = set()
    for c in counted:
        talk = c["talk"] or 0
        totals["calls"] += c["n"]
        totals["answered"] += c["answered"]
        totals["talk_seconds"] += talk
        totals["pending"] += c["pending"]
        row = rows.get(c["user_id"])
        if row is None:  # a former manager's calls still count in the tenant's totals
            continue
        row.calls, row.answered, row.talk_seconds, row.pending = (
            c["n"],
            c["answered"],
            talk,
            c["pending"],
        )
        if c["last_at"] is not None:
            last_times.add(c["last_at"])

    # Each manager's last call: the calls placed at those moments (a few more at most, when two
    # managers' calls share one), the latest of each manager's.
    lasts = today.filter(not_live, created_at__in=last_times).only(*STATUS_FIELDS).order_by()
    for call in lasts if last_times else ():
        row = rows.get(call.user_id)
        if row is not None and (
            row.last is None or (call.created_at, call.pk) > (row.last.created_at, row.last.pk)
        ):
            row.last = call

    live = (
        tenant.calls.filter(live_q(), created_at__gte=since)
        .only(*STATUS_FIELDS)
        .annotate(
            customer_name=customer_name_of(OuterRef("tenant_id"), OuterRef("customer_number"))
        )
        .order_by("created_at", "id")  # the latest of a manager's live calls wins
    )
    ringing = talking = 0
    for call in live:
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
        key=lambda r: (0, r.live.created_at) if r.live else (1, r.name.casefold()),
    )
    return Board(
        now=now,
        rows=ordered,
        totals=totals,
        failures=failures,
        warn_after=timedelta(minutes=tenant.wallboard_warn_minutes),
        alert_after=timedelta(minutes=tenant.wallboard_alert_minutes),
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


def failures_since(membership: Membership, since: datetime, now: datetime) -> list[Failure]:
    """The tenant's calls placed since `since` (up to `now`) that failed, counted per decoded
    reason, in the words of `membership`'s reader, the most frequent first (one query)."""
    reader = reader_for(membership)
    rows = (
        membership.tenant.calls.filter(created_at__gte=since, created_at__lte=now)
        .filter(FAILED_Q | ENDED_UNANSWERED_Q)
        .values("status", "reason_source", "reason_code", "outcome_code", "call_type")
        .annotate(n=Count("id"))
        .order_by()
    )
    merged: dict[str, Failure] = {}
    for r in rows:
        if r["status"] == S.PLACED:
            source = "outcome_ita" if r["call_type"] == "ITA" else "outcome"
            reason = decode(source, r["outcome_code"], reader)
            if reason.fixer == Fixer.NOBODY:
                continue
        else:
            reason = decode(r["reason_source"], r["reason_code"], reader)
        seen = merged.get(reason.key)
        if seen is None:
            merged[reason.key] = Failure(reason, r["n"])
        else:
            seen.calls += r["n"]
    return sorted(merged.values(), key=lambda f: (-f.calls, f.reason.key))
