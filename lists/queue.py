""" "Call next": a customer manager claims the next due entry of their lists, calls it, and the
call's wrap-up decides the entry's fate (lists/fates.py).

Claiming is one conditional UPDATE per candidate (`WHERE id = ? AND (claimed_by IS NULL OR
claim_expires_at < now)`): of several managers trying the same entry, on SQLite or PostgreSQL,
exactly one updates a row; the others go on to the next candidate. A claim expires after
CLAIM_MINUTES if the manager does not call; once the entry is called the claim holds until the
wrap-up decides its fate, or at most HOLD_MINUTES.

Order of the queue, for each of the manager's lists: the entries assigned to them first, then
the list's pool; inside each, the due window's end (none last), then priority (higher first),
then age (the import's order).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from calls.services.placing import Placed, call_place
from console.models import Membership, SoftphoneMapping, Tenant
from lists import fates
from lists.models import CallList, ListEntry

CLAIM_MINUTES = 10  # an entry shown and not called goes back to the queue after this
HOLD_MINUTES = 120  # an entry called and never wrapped up goes back to the queue after this
BATCH = 20  # candidates read at once while others take the first ones

Status = ListEntry.Status


class EntryRefused(Exception):
    """Why an entry cannot be called now: `code` for the API, `message` for people."""

    def __init__(self, code: str, message, status: int = 409):
        super().__init__(str(message))
        self.code, self.message, self.status = code, message, status


MESSAGES = {
    "not_yours": _(
        "This entry is no longer yours to call: a colleague took it, or your hold on it expired "
        "and it was handed out again. Take the next entry."
    ),
    "closed": _("This entry is finished (done or closed): take the next entry."),
    "not_now": _(
        "This entry is not due yet (its due window has not started, or it waits for its retry "
        "interval): take the next entry."
    ),
    "paused": _(
        "This list is paused or outside its dates: nothing is offered from it. A supervisor can "
        "resume it."
    ),
}


def refused(code: str) -> EntryRefused:
    return EntryRefused(code, MESSAGES[code])


def today_of(tenant: Tenant, now: datetime | None = None) -> date:
    return (now or timezone.now()).astimezone(ZoneInfo(tenant.time_zone)).date()


def is_open_on(call_list: CallList, day: date) -> bool:
    """Not paused, and `day` inside its dates."""
    if call_list.paused:
        return False
    if call_list.starts_on and day < call_list.starts_on:
        return False
    return not (call_list.ends_on and day > call_list.ends_on)


def lists_of(membership: Membership) -> list[CallList]:
    """The lists the manager works (a member of their pool), soonest ending first."""
    lists = list(
        CallList.objects.filter(tenant_id=membership.tenant_id, members=membership.user_id)
    )
    lists.sort(key=lambda c: (c.ends_on or date.max, c.name, c.pk))
    return lists


def _claimable(now: datetime) -> Q:
    return Q(claimed_by__isnull=True) | Q(claim_expires_at__lt=now)


def current_claim(membership: Membership, call_list: CallList | None = None) -> ListEntry | None:
    """The entry the manager has claimed and not called yet, if their claim holds."""
    now = timezone.now()
    qs = ListEntry.objects.filter(
        tenant_id=membership.tenant_id,
        claimed_by_id=membership.user_id,
        claim_expires_at__gt=now,
        queued=True,
        available_at__lte=now,
    ).filter(Q(last_attempt_at__isnull=True) | Q(last_attempt_at__lt=F("claimed_at")))
    if call_list is not None:
        qs = qs.filter(list_id=call_list.pk)
    entry = qs.select_related("list").order_by("claimed_at", "id").first()
    if entry is None or not is_open_on(entry.list, today_of(membership.tenant, now)):
        return None
    return entry


def claim_next(membership: Membership, call_list: CallList | None = None) -> ListEntry | None:
    """The manager's current claim, else the next due entry of their lists (of `call_list`
    only, when given), claimed for them; None when nothing is due."""
    entry = current_claim(membership, call_list)
    if entry is not None:
        return entry
    now = timezone.now()
    day = today_of(membership.tenant, now)
    lists = lists_of(membership)
    if call_list is not None:
        lists = [c for c in lists if c.pk == call_list.pk]
    for cl in lists:
        if not is_open_on(cl, day):
            continue
        for assignee in (membership.user_id, None):
            entry = _claim_from(cl, assignee, membership.user_id, now)
            if entry is not None:
                return entry
    return None


def _claim_from(cl: CallList, assignee: int | None, user_id: int, now: datetime):
    due = (
        ListEntry.objects.filter(
            list_id=cl.pk,
            assigned_to_id=assignee,
            queued=True,
            available_at__lte=now,
            attempts__lt=cl.max_attempts,
        )
        .filter(_claimable(now))
        # assigned_to is one value here: named first so that PostgreSQL walks the index in its
        # order (it does not take `IS NULL` as fixing the column's place in the order).
        .order_by("assigned_to", "sort_due", "-priority", "id")
    )
    until = now + timedelta(minutes=CLAIM_MINUTES)
    while True:
        candidates = list(due.values_list("pk", flat=True)[:BATCH])
        if not candidates:
            return None
        for pk in candidates:
            won = (
                ListEntry.objects.filter(pk=pk, queued=True)
                .filter(_claimable(now))
                .update(claimed_by_id=user_id, claimed_at=now, claim_expires_at=until)
            )
            if won:
                entry = ListEntry.objects.get(pk=pk)
                entry.list = cl
                return entry


def entry_of(membership: Membership, code) -> ListEntry:
    """One of the tenant's entries (404 otherwise)."""
    from django.http import Http404

    entry = (
        ListEntry.objects.filter(tenant_id=membership.tenant_id, code=code)
        .select_related("list")
        .first()
    )
    if entry is None:
        raise Http404
    return entry


def _hold(membership: Membership, entry: ListEntry, now: datetime) -> None:
    """Make sure the manager holds the entry before calling it (their claim, or a new one if
    nobody holds it), or say why not."""
    if not entry.is_queued:
        raise refused("closed")
    if not is_open_on(entry.list, today_of(membership.tenant, now)):
        raise refused("paused")
    if entry.available_at > now:
        raise refused("not_now")
    mine = Q(claimed_by_id=membership.user_id, claim_expires_at__gte=now)
    won = (
        ListEntry.objects.filter(pk=entry.pk, queued=True)
        .filter(mine | _claimable(now))
        .filter(Q(assigned_to_id=membership.user_id) | Q(assigned_to__isnull=True))
        .update(
            claimed_by_id=membership.user_id,
            claimed_at=now,
            claim_expires_at=now + timedelta(minutes=CLAIM_MINUTES),
        )
    )
    if not won:
        raise refused("not_yours")


def entry_call(
    *,
    membership: Membership,
    mapping: SoftphoneMapping,
    entry: ListEntry,
    idempotency_key: str,
) -> Placed:
    """Call the entry's customer (calls.services.placing.call_place, the one way calls are
    placed). A call that went out (placed, or perhaps placed) is an attempt: the entry waits
    for the call's wrap-up, and is already set to what happens without one (in retry after the
    list's interval, or closed at its maximum attempts). A call the console refused or AICC
    did not take (failed: nothing rang) is no attempt: the manager still holds the entry."""
    now = timezone.now()
    _hold(membership, entry, now)
    placed = call_place(
        membership=membership,
        mapping=mapping,
        called=entry.number,
        idempotency_key=idempotency_key,
    )
    call = placed.call
    if placed.created and call.status != Call.Status.FAILED:
        record_attempt(entry, call, now)
    return placed


def record_attempt(entry: ListEntry, call: Call, now: datetime) -> None:
    cl = entry.list
    attempts = entry.attempts + 1
    status = Status.RETRY if attempts < cl.max_attempts else Status.CLOSED
    with transaction.atomic():
        ListEntry.objects.filter(pk=entry.pk).update(
            attempts=F("attempts") + 1,
            last_attempt_at=now,
            last_call=call,
            worked_by_id=call.user_id,
            status=status,
            queued=status == Status.RETRY,
            available_at=now + timedelta(minutes=cl.retry_minutes),
            claim_expires_at=now + timedelta(minutes=HOLD_MINUTES),
        )
    entry.attempts, entry.last_attempt_at, entry.last_call = attempts, now, call
    entry.status, entry.queued = status, status == Status.RETRY


def entry_skip(membership: Membership, entry: ListEntry) -> bool:
    """The manager passes on the entry they hold (not called): back in the queue after the
    list's retry interval, no attempt counted. True when it was theirs."""
    now = timezone.now()
    return bool(
        ListEntry.objects.filter(
            pk=entry.pk, claimed_by_id=membership.user_id, queued=True, claim_expires_at__gte=now
        ).update(
            claimed_by=None,
            claimed_at=None,
            claim_expires_at=None,
            available_at=now + timedelta(minutes=entry.list.retry_minutes),
        )
    )


def fate_fields(entry: ListEntry, fate: str) -> dict:
    cl = entry.list
    if fate == fates.RETRY and entry.attempts >= cl.max_attempts:
        fate = fates.CLOSED
    status = {fates.DONE: Status.DONE, fates.RETRY: Status.RETRY, fates.CLOSED: Status.CLOSED}[fate]
    since = entry.last_attempt_at or timezone.now()
    return {
        "status": status,
        "queued": status == Status.RETRY,
        "available_at": since + timedelta(minutes=cl.retry_minutes),
        "claimed_by": None,
        "claimed_at": None,
        "claim_expires_at": None,
    }


def on_wrapped_up(sender, call: Call, wrap, automatic: bool, **kwargs) -> None:
    """calls.services.wrapup.wrapped_up: the wrap-up of the entry's last call decides its fate
    (a later change of that wrap-up decides again; an earlier attempt's wrap-up decides
    nothing). One indexed query for a call placed from no list."""
    entry = ListEntry.objects.filter(last_call_id=call.pk).select_related("list").first()
    if entry is None:
        return
    fields = fate_fields(entry, fates.fate_of(wrap.disposition))
    ListEntry.objects.filter(pk=entry.pk, last_call_id=call.pk).update(**fields)
