"""Following a live call from the console's own record.

The browser (the call page's card, the in-call bar, the no-JavaScript result page) reads the
console's Call row about every LIVE_POLL_MS: cheap and local. The row itself is moved forward by
AICC's pushed events (calls.services.outcomes) and by asking queryCallState here, at most as
often as the back-off below allows, whoever is watching: one request claims each look with a
conditional UPDATE of `next_check_at`, so two tabs (or two hosts) never ask twice for the same
moment, and the browser never waits for the back-off, only for its next look at the row.

The schedule (docs/contract-choices.md, "Following a live call"): every second during the call's
first 30 seconds (its legs ring and are answered then); after that every 2 seconds, so a call's
end shows within 3 seconds without pushed events; when the tenant's pushed events arrive (one
in the last hour), the pushed release event brings the end and asking AICC backs off to 5, 10,
20 and then 30 seconds.
"""

from __future__ import annotations

import logging
from datetime import datetime, timedelta

from django.db.models import F, OuterRef, Q
from django.utils import timezone

from calls.models import Call, OutcomeSync, live_q, live_since
from calls.services.placing import call_refresh_state
from console.models import Membership
from customers.selectors import customer_name_of

log = logging.getLogger("calls")

# How often the browser looks at the console's own record of a live call (milliseconds).
LIVE_POLL_MS = 750
# How often the console's no-JavaScript result page reloads itself while the call is live.
NO_JS_REFRESH_S = 2

EARLY = timedelta(seconds=30)
EARLY_EVERY = timedelta(seconds=1)
STEADY_EVERY = timedelta(seconds=2)
PUSHED_BACKOFF = tuple(timedelta(seconds=s) for s in (5, 10, 20, 30))
PUSHES_RECENT = timedelta(hours=1)


def live_call_of(membership: Membership, now: datetime | None = None) -> Call | None:
    """The manager's live call (at most one: call_place refuses a second), or None."""
    now = now or timezone.now()
    call = (
        Call.objects.filter(
            tenant_id=membership.tenant_id,
            user_id=membership.user_id,
            created_at__gte=live_since(now),
        )
        .filter(live_q())
        # The in-call bar names a saved customer: joined here, no query of its own.
        .annotate(
            customer_name=customer_name_of(OuterRef("tenant_id"), OuterRef("customer_number"))
        )
        .order_by("-created_at", "-id")
        .first()
    )
    if call is not None:
        call.tenant = membership.tenant
    return call


def _pushes_arrive(call: Call, now: datetime) -> bool:
    return OutcomeSync.objects.filter(
        tenant_id=call.tenant_id, last_push_at__gte=now - PUSHES_RECENT
    ).exists()


def next_look(call: Call, now: datetime) -> timedelta:
    """How long after this look the console may ask AICC about `call` again."""
    if now - call.created_at < EARLY:
        return EARLY_EVERY
    if not _pushes_arrive(call, now):
        return STEADY_EVERY
    late = max(0, call.checks - int(EARLY / EARLY_EVERY))
    return PUSHED_BACKOFF[min(late, len(PUSHED_BACKOFF) - 1)]


def call_follow(call: Call) -> Call:
    """Ask queryCallState about a live call when the back-off says it is time (and no other
    request is asking just now); otherwise leave the record as it is. Returns the call, as
    stored after the look."""
    now = timezone.now()
    if not call.serial or not call.is_live(now):
        return call
    if call.next_check_at is not None and call.next_check_at > now:
        return call
    due = Q(next_check_at__isnull=True) | Q(next_check_at__lte=now)
    claimed = (
        Call.objects.filter(pk=call.pk)
        .filter(due)
        .update(next_check_at=now + next_look(call, now), checks=F("checks") + 1)
    )
    if not claimed:  # another request is asking AICC about it right now
        return call
    return call_refresh_state(call)
