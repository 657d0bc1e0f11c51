"""The one pre-flight check every call passes before AICC is asked (calls.services.placing), and
the verdict the call form shows as the number is typed (calls/timeline_views.py).

In this order: the do-not-call list, the attempt caps per customer across the tenant (calls
placed to the number by anyone: every call that was not refused or failed), then the calling
hours and holidays in the customer's local time. The first rule that refuses names the verdict;
"when calling opens" accounts for all of them. A member whose role the tenant allows may call
anyway with a typed reason (the verdict then says what was overridden).

At most two queries (the do-not-call entry by its unique index, the counts by the calls'
customer index), none when nothing applies; the tenant's rules come from its row. Numbers in
docs/performance.md (bench/preflight.py).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.db.models import Count, Exists, IntegerField, OuterRef, Q, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from calls.models import Call
from console.models import Membership, Tenant
from console.prepared import Prepared
from guardrails import rules
from guardrails.models import DoNotCall

OVERRIDE_MIN = 10  # characters of a typed reason to call anyway
OVERRIDE_MAX = 255

# The console reason codes (calls/aicc/reasons/guardrails.py decodes them).
DO_NOT_CALL = "do_not_call"
DAY_CAP = "day_cap"
WEEK_CAP = "week_cap"
OUTSIDE_HOURS = "outside_hours"
HOLIDAY = "holiday"
CODES = (DO_NOT_CALL, WEEK_CAP, DAY_CAP, HOLIDAY, OUTSIDE_HOURS)


@dataclass(frozen=True)
class Verdict:
    """What the guardrails say about calling one number now."""

    code: str = ""  # "" : the call may go; else the first rule that refuses it (CODES)
    opens_at: datetime | None = None  # when calling opens (None: not by waiting)
    may_override: bool = False  # this member may call anyway with a typed reason
    overridden: str = ""  # the call goes with a typed reason past this rule
    zones: tuple[str, ...] = ()  # the customer's time zones (names)
    dnc_reason: str = ""
    dnc_until: datetime | None = None
    today: int = 0  # calls counted today / this week (before this one)
    week: int = 0
    per_day: int = 0
    per_week: int = 0
    holiday: str = ""  # the holiday's name (code HOLIDAY)
    override_roles: frozenset[str] = field(default_factory=frozenset)

    @property
    def ok(self) -> bool:
        return not self.code

    @property
    def zone_label(self) -> str:
        return (
            self.zones[0]
            if len(self.zones) == 1
            else ", ".join(self.zones[:3]) + ("…" if len(self.zones) > 3 else "")
        )

    def detail(self) -> str:
        """The refused call's stored detail (English, like every stored detail): the rule, its
        figures, and when calling opens."""
        what = {
            DO_NOT_CALL: f"the number is on the do-not-call list ({self.dnc_reason or 'no reason'})",
            DAY_CAP: f"{self.today} calls today, at most {self.per_day}",
            WEEK_CAP: f"{self.week} calls this week, at most {self.per_week}",
            HOLIDAY: f"a holiday in the customer's time ({self.holiday or 'unnamed'})",
            OUTSIDE_HOURS: "outside calling hours in the customer's time",
        }.get(self.code, self.code)
        opens = (
            f"; calling opens {self.opens_at.astimezone(rules.zones(self.zones)[0]):%Y-%m-%d %H:%M}"
            f" {self.zones[0]}"
            if self.opens_at and self.zones
            else ""
        )
        return f"Refused by the console, nothing sent: {what}{opens}."[:255]


def _facts_query(
    tenant_id: int, number: str, now: datetime, day_start: datetime, week_start: datetime
):
    """One row: the number's active do-not-call entry (whether, its reason, its expiry), and the
    calls placed to it since the customer's day and week began (every status but failed)."""
    active = (
        DoNotCall.objects.filter(tenant=OuterRef("pk"), number=number)
        .filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))
        .order_by()
    )
    placed = Call.objects.filter(tenant=OuterRef("pk"), customer_number=number).exclude(
        status=Call.Status.FAILED
    )

    def count(qs):
        qs = qs.order_by().values("tenant").annotate(n=Count("pk")).values("n")
        return Coalesce(Subquery(qs, output_field=IntegerField()), 0)

    return (
        Tenant.objects.filter(pk=tenant_id)
        .order_by()
        .values_list(
            Exists(active),
            Subquery(active.values("reason")[:1]),
            Subquery(active.values("expires_at")[:1]),
            count(placed.filter(created_at__gte=day_start)),
            count(placed.filter(created_at__gte=week_start)),
        )[:1]
    )


# Prepared (console/prepared.py): every call and every look of the customer card runs it, and
# the ORM takes ~100x longer to build it than the database to run it (docs/performance.md).
_FACTS = Prepared(
    _facts_query, tenant_id=int, number=str, now=datetime, day_start=datetime, week_start=datetime
)


def _facts(tenant_id, number, now, day_start, week_start) -> dict:
    rows = _FACTS.rows(
        tenant_id=tenant_id, number=number, now=now, day_start=day_start, week_start=week_start
    )
    dnc, reason, until, day, week = rows[0]
    return {
        "dnc": bool(dnc),
        "dnc_reason": reason or "",
        "dnc_until": until,
        "day": day,
        "week": week,
    }


def may_override(membership: Membership) -> bool:
    return membership.role in rules.role_set(membership.tenant.override_roles)


def check(
    membership: Membership,
    number: str,
    *,
    now: datetime | None = None,
    own_call: bool = False,
    override: str = "",
) -> Verdict:
    """The verdict on calling `number` (E.164; "" when it reads as none) for this member now.

    `own_call`: the call being placed is already recorded (placing), so it is among the calls
    counted and the caps refuse only beyond their limit. `override`: the member's typed reason
    to call anyway; it counts only when their role may and it is long enough."""
    tenant = membership.tenant
    now = now or timezone.now()
    names = rules.zone_names(number, tenant.time_zone)
    zs = rules.zones(names)
    roles = rules.role_set(tenant.override_roles)
    facts: dict = {
        "zones": names,
        "per_day": tenant.calls_per_day,
        "per_week": tenant.calls_per_week,
    }
    code = ""
    opens: datetime | None = None
    if number:
        capped = bool(tenant.calls_per_day or tenant.calls_per_week)
        day_start, day_end = rules.day_bounds(now, zs)
        week_start, week_end = rules.week_bounds(now, zs)
        found = _facts(tenant.pk, number, now, day_start, week_start)
        if found["dnc"]:
            code, opens = DO_NOT_CALL, found["dnc_until"]
            facts.update(dnc_reason=found["dnc_reason"], dnc_until=found["dnc_until"])
        elif capped:
            mine = 1 if own_call else 0
            today, week = found["day"] - mine, found["week"] - mine
            facts.update(today=today, week=week)
            if tenant.calls_per_week and week >= tenant.calls_per_week:
                code, opens = WEEK_CAP, week_end
            elif tenant.calls_per_day and today >= tenant.calls_per_day:
                code, opens = DAY_CAP, day_end
    if tenant.calling_hours_on:
        windows = rules.parse_hours(tenant.calling_hours)
        holidays = rules.parse_holidays(tenant.holidays)
        if code:
            if opens is not None:
                opens = rules.next_open(opens, zs, windows, holidays)
        else:
            opens = rules.next_open(now, zs, windows, holidays)
            if opens != now:
                holiday = rules.holiday_now(now, zs, holidays)
                code = OUTSIDE_HOURS if holiday is None else HOLIDAY
                facts["holiday"] = holiday or ""
    if not code:
        opens = None
    allowed = membership.role in roles
    if code and allowed and len(override.strip()) >= OVERRIDE_MIN:
        return Verdict(overridden=code, may_override=True, override_roles=roles, **facts)
    return Verdict(code=code, opens_at=opens, may_override=allowed, override_roles=roles, **facts)
