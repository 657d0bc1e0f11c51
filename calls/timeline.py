"""One customer's story: their card (customers.selectors) and every call of the tenant to any of
their numbers, newest first, as the reader may see it; and the call form's customer card.

Who sees which calls (docs/customers.md): supervisors and admins every call to the customer; a
customer manager their own, and their colleagues' too while the tenant shares them
(Tenant.customer_calls_shared, on by default).

The timeline is a list of entries, each with a time, a kind and a key, merged from SOURCES in
(time, kind, key) order, newest first. Calls are the first source; wrap-ups and follow-ups (issue
18, parts 1 and 2) become more entries of the same timeline by adding a source: a function
(TimelineQuery, before: Key | None, limit) -> the `limit` newest entries of its kind older than
`before`, in order (`older_q` writes the keyset condition for a queryset). The keyset cursor
holds (time, kind, key), so pages stay exact across kinds.

Every read goes through the tenant and an index: call_tenant_customer_recent (tenant,
customer_number, -created_at, -id).
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from django.db.models import Q, QuerySet
from django.utils import timezone

from calls.call_status import history_status
from calls.links import TenantLinks
from calls.models import Call, FollowUp
from calls.readers import reader_for
from console.models import Membership, who
from customers.models import Customer
from customers.numbers import to_e164
from customers.selectors import customer_for_number

PAGE_SIZE = 30
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# Entries at the same instant: the higher rank first (a wrap-up after its call, say).
KIND_RANK = {"call": 1, "follow_up": 2}

Key = tuple[datetime, int, int]  # (time, kind rank, primary key)


def sees_colleagues(membership: Membership) -> bool:
    """Whether this member sees other customer managers' calls to a customer."""
    return membership.role != Membership.Role.MANAGER or membership.tenant.customer_calls_shared


def customer_calls(membership: Membership, numbers: list[str]) -> QuerySet[Call]:
    """The tenant's calls to any of `numbers` (E.164) this member may see."""
    qs = Call.objects.filter(tenant_id=membership.tenant_id, customer_number__in=numbers)
    if not sees_colleagues(membership):
        qs = qs.filter(user_id=membership.user_id)
    return qs


def older_q(kind: str, before: Key | None, time_field: str = "created_at") -> Q:
    """Rows of `kind` after `before` in the timeline's order (time DESC, rank DESC, pk DESC)."""
    if before is None:
        return Q()
    at, rank, pk = before
    mine = KIND_RANK[kind]
    if mine < rank:  # same instant: this kind comes after the cursor's
        return Q(**{f"{time_field}__lte": at})
    if mine > rank:
        return Q(**{f"{time_field}__lt": at})
    return Q(**{f"{time_field}__lte": at}) & (
        Q(**{f"{time_field}__lt": at}) | Q(**{time_field: at, "pk__lt": pk})
    )


def encode(key: Key) -> str:
    at, rank, pk = key
    raw = f"{(at - EPOCH) // timedelta(microseconds=1)}.{rank}.{pk}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode(cursor: str | None) -> Key | None:
    if not cursor:
        return None
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, rank, pk = raw.split(".")
        return EPOCH + timedelta(microseconds=int(micros)), int(rank), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None


@dataclass
class Entry:
    at: datetime
    kind: str
    pk: int
    item: Any  # the Call (later: the wrap-up, the follow-up)

    @property
    def key(self) -> Key:
        return (self.at, KIND_RANK[self.kind], self.pk)


@dataclass
class TimelineQuery:
    membership: Membership
    numbers: list[str]


def call_entries(query: TimelineQuery, before: Key | None, limit: int) -> list[Entry]:
    """The calls, each with its wrap-up (disposition and note) when it has one."""
    qs = (
        customer_calls(query.membership, query.numbers)
        .filter(older_q("call", before))
        .select_related("user", "wrap_up__disposition")
        .order_by("-created_at", "-id")[:limit]
    )
    return [Entry(c.created_at, "call", c.pk, c) for c in qs]


def customer_follow_ups(membership: Membership, numbers: list[str]) -> QuerySet[FollowUp]:
    """The tenant's follow-ups of any of `numbers` this member may see (as the calls)."""
    qs = FollowUp.objects.filter(tenant_id=membership.tenant_id, customer_number__in=numbers)
    if not sees_colleagues(membership):
        qs = qs.filter(assignee_id=membership.user_id)
    return qs


def follow_up_entries(query: TimelineQuery, before: Key | None, limit: int) -> list[Entry]:
    """The follow-ups, at their due time (an open one due later is at the top)."""
    qs = (
        customer_follow_ups(query.membership, query.numbers)
        .filter(older_q("follow_up", before, "due_at"))
        .select_related("assignee")
        .order_by("-due_at", "-id")[:limit]
    )
    return [Entry(f.due_at, "follow_up", f.pk, f) for f in qs]


SOURCES: list[Callable[[TimelineQuery, Key | None, int], list[Entry]]] = [
    call_entries,
    follow_up_entries,
]


@dataclass
class Timeline:
    number: str  # the E.164 number asked for
    customer: Customer | None
    numbers: list[str]  # the customer's numbers (or just `number`)
    entries: list[Entry] = field(default_factory=list)
    next_cursor: str | None = None
    first: bool = True


def timeline(membership: Membership, number: str, *, after: str | None = None,
             size: int = PAGE_SIZE) -> Timeline:  # fmt: skip
    """The customer of `number` (E.164) and one page of their timeline: one query for the
    customer, one per source."""
    customer, numbers = customer_for_number(membership.tenant, number)
    before = decode(after)
    query = TimelineQuery(membership, numbers)
    merged: list[Entry] = []
    for source in SOURCES:
        merged += source(query, before, size + 1)
    merged.sort(key=lambda e: e.key, reverse=True)
    more = len(merged) > size
    entries = merged[:size]
    return Timeline(
        number=number,
        customer=customer,
        numbers=numbers,
        entries=entries,
        next_cursor=encode(entries[-1].key) if more and entries else None,
        first=before is None,
    )


def call_row(membership: Membership, call: Call, memo: dict, now: datetime, tz, links) -> dict:
    """What a timeline entry or the card shows of a call: when, who, the decoded status in the
    reader's words, and its page if the reader may open it."""
    reader = reader_for(membership, call)
    shown = history_status(call, memo, now, reader)
    mine = call.user_id == membership.user_id
    return {
        "call": call,
        "time": call.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "who": who(call.user) if call.user_id else "",
        "mine": mine,
        "tone": shown.tone,
        "status": shown.short,
        "href": links.of("call-detail", call) if membership.can_read_history or mine else "",
    }


def follow_up_row(membership: Membership, follow_up: FollowUp, now: datetime, tz) -> dict:
    return {
        "follow_up": follow_up,
        "time": follow_up.due_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
        "who": who(follow_up.assignee),
        "mine": follow_up.assignee_id == membership.user_id,
        "open": follow_up.status == FollowUp.Status.OPEN,
        "overdue": follow_up.status == FollowUp.Status.OPEN and follow_up.due_at < now,
        "status": follow_up.get_status_display(),
        "note": follow_up.note,
    }


def rows_of(membership: Membership, entries: list[Entry]) -> list[dict]:
    tz = ZoneInfo(membership.tenant.time_zone)
    links = TenantLinks(membership.tenant.code)
    now, memo = timezone.now(), {}
    rows = []
    for entry in entries:
        if entry.kind == "call":
            row = call_row(membership, entry.item, memo, now, tz, links)
            wrap = getattr(entry.item, "wrap_up", None)
            if wrap is not None:
                # A private note only for its author, supervisors and admins.
                note = wrap.note_for(membership)
                row.update(
                    disposition=wrap.disposition.label,
                    note=note,
                    note_private=bool(note) and wrap.note_private,
                )
        else:
            row = follow_up_row(membership, entry.item, now, tz)
        rows.append({"kind": entry.kind, **row})
    return rows


# --- the call form's customer card ----------------------------------------------------------


CARD_FOLLOW_UPS = 3  # the open follow-ups the card names (the timeline has them all)


@dataclass
class Card:
    number: str  # E.164; "" when what was typed is no phone number (yet)
    customer: Customer | None = None
    last: Call | None = None  # the last call to the customer this member may see
    colleague: Call | None = None  # a colleague's call within the tenant's warning time
    warn_minutes: int = 0
    follow_ups: list[FollowUp] = field(default_factory=list)  # open ones, soonest first


def card(membership: Membership, typed: str, now: datetime | None = None) -> Card:
    """The customer card for a number being typed: at most four queries, each on an index
    (the customer and its numbers; the last visible call, with its disposition; a colleague's
    recent call; the open follow-ups)."""
    tenant = membership.tenant
    number = to_e164(typed, tenant.default_region)
    if not number:
        return Card(number="")
    customer, numbers = customer_for_number(tenant, number)
    calls = customer_calls(membership, numbers).select_related("user")
    last = calls.select_related("disposition").order_by("-created_at", "-id").first()
    minutes = tenant.colleague_warning_minutes
    colleague = None
    if last is not None and minutes and sees_colleagues(membership):
        since = (now or timezone.now()) - timedelta(minutes=minutes)
        if last.user_id != membership.user_id and last.created_at >= since:
            if last.status != Call.Status.FAILED:
                colleague = last
        if colleague is None and last.created_at >= since:
            # A call that never rang anyone (refused or failed before placement) is no warning.
            colleague = (
                calls.filter(created_at__gte=since)
                .exclude(user_id=membership.user_id)
                .exclude(status=Call.Status.FAILED)
                .order_by("-created_at", "-id")
                .first()
            )
    for call in (last, colleague):
        if call is not None:
            call.tenant = tenant
    follow_ups = list(
        customer_follow_ups(membership, numbers)
        .filter(status=FollowUp.Status.OPEN)
        .select_related("assignee")
        .order_by("due_at", "id")[:CARD_FOLLOW_UPS]
    )
    return Card(number, customer, last, colleague, minutes, follow_ups)
