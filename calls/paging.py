"""Keyset pagination of the history on (created_at, id), newest first.

A page is "the next N rows older than the last row shown", so rows arriving meanwhile never shift
a page, and page 10,000 costs what page 1 costs. The cursor is opaque (base64 of the last row's
time and id).
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.contrib.auth.models import User
from django.db.models import Q, QuerySet
from django.db.models.base import ModelState

from calls.models import Call

PAGE_SIZE = 50
MAX_PAGE_SIZE = 200
EPOCH = datetime(1970, 1, 1, tzinfo=UTC)


def encode_key(at: datetime, pk: int) -> str:
    """An opaque keyset cursor for the row (at, pk): base64 of its time and id. The history's
    cursor, on (created_at, id); the follow-ups list's, on (due_at, id)."""
    micros = (at - EPOCH) // timedelta(microseconds=1)
    return base64.urlsafe_b64encode(f"{micros}.{pk}".encode()).decode().rstrip("=")


def encode_cursor(call: Call) -> str:
    return encode_key(call.created_at, call.pk)


def decode_cursor(cursor: str) -> tuple[datetime, int] | None:
    """(time, id) of a cursor from `encode_key`, or None for anything else."""
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        micros, pk = raw.split(".")
        return EPOCH + timedelta(microseconds=int(micros)), int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError, OverflowError):
        return None


def older_than(qs: QuerySet[Call], cursor: str | None) -> QuerySet[Call]:
    """Rows after the cursor in (created_at DESC, id DESC) order: `(created_at, id) < (t, id)`,
    written as `created_at < t OR (created_at = t AND id < pk)`. The redundant `created_at <= t`
    gives both databases an index range to start from (tenant first, then created_at: every
    history index) instead of a filter over the newer rows."""
    key = decode_cursor(cursor) if cursor else None
    if key is None:
        return qs
    ts, pk = key
    return qs.filter(Q(created_at__lte=ts), Q(created_at__lt=ts) | Q(created_at=ts, id__lt=pk))


def newer_than(qs: QuerySet[Call], cursor: str | None) -> QuerySet[Call]:
    """Rows before the cursor in the list's order (newer ones): `(created_at, id) > (t, id)`,
    with the redundant `created_at >= t` for an index range, like `older_than`."""
    key = decode_cursor(cursor) if cursor else None
    if key is None:
        return qs
    ts, pk = key
    return qs.filter(Q(created_at__gte=ts), Q(created_at__gt=ts) | Q(created_at=ts, id__gt=pk))


# The columns the list shows (the rest, e.g. call data and raw answers, are for the detail page).
LIST_COLUMNS = (
    "id", "code", "tenant_id", "created_at", "user_id", "softphone", "called", "customer_number",
    "status", "serial",
    "reason_source", "reason_code", "call_type", "state", "outcome_code", "outcome_source",
    "talking_at", "talk_seconds", "released_at", "unfollowed_at", "wrapup_state", "disposition_id",
    "has_note", "override_code",
    "user__username", "user__first_name", "user__last_name",
)  # fmt: skip


@dataclass
class Page:
    calls: list[Call]
    next_cursor: str | None  # "Older calls": the rows after this page's last one
    size: int
    prev_cursor: str | None = None  # "Newer calls": the rows before this page's first one
    top: bool = True  # nothing newer: this is the first page


# A queryset marked by `sorted_by_index` (see there): its page is read in two steps.
_LATE_ROWS = "late_rows"


def sorted_by_index(qs: QuerySet[Call]) -> QuerySet[Call]:
    """Mark a queryset whose matching calls one index finds *and sorts* by (created_at, id)
    without reading their rows, while many match (the number prefix on SQLite, through
    call_tenant_called_at: calls/number_search.py). SQLite reads each candidate's row before it
    sorts, 10,000 rows for a prefix matching 1% of 1M calls; so such a page takes the ids of
    its rows first (index only) and then only those rows: `id IN (SELECT id ... LIMIT n)`.
    The mark lives on the query, so it survives filter() and order_by()."""
    qs = qs.all()
    setattr(qs.query, _LATE_ROWS, True)
    return qs


def _rows(qs: QuerySet[Call], order: tuple[str, ...], n: int) -> list[Call]:
    if getattr(qs.query, _LATE_ROWS, False):
        ids = qs.order_by(*order).values("pk")[:n]
        qs = qs.model._base_manager.filter(pk__in=ids)
    rows = qs.order_by(*order).values_list(*LIST_COLUMNS)[:n]
    return [_call_of(row, qs.db) for row in rows]


_CALL_FIELDS = LIST_COLUMNS[: LIST_COLUMNS.index("user__username")]
_USER_FIELDS = ("username", "first_name", "last_name")


def _loaded(model, using: str, values: dict):
    """An instance with only these fields loaded, as `.only()` would give (the others load on
    access), built without Model.__init__: for a page of calls that was most of the list
    query's time (docs/performance.md, "History rows: instances without Model.__init__")."""
    obj = model.__new__(model)
    obj.__dict__.update(values)
    obj._state = ModelState()
    obj._state.adding = False
    obj._state.db = using
    return obj


def _call_of(row: tuple, using: str) -> Call:
    k = len(_CALL_FIELDS)
    call = _loaded(Call, using, dict(zip(_CALL_FIELDS, row[:k], strict=True)))
    user = None
    if call.user_id is not None:
        user = _loaded(
            User, using, {"id": call.user_id, **dict(zip(_USER_FIELDS, row[k:], strict=True))}
        )
    Call.user.field.set_cached_value(call, user)  # as select_related("user") does
    return call


def page_size(raw: str | None) -> int:
    try:
        return max(1, min(int(raw or PAGE_SIZE), MAX_PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def history_page(
    qs: QuerySet[Call], *, cursor: str | None, size: int, before: str | None = None
) -> Page:
    """One page, newest first, in one query (size + 1 rows tell whether there is a next page;
    no COUNT: keyset pages need none).

    `cursor` ("after") pages towards older calls; `before` pages back towards newer ones: the
    `size` rows just newer than it, read oldest first from the same index and shown newest
    first. When fewer than a page's worth of newer rows are left, the first page is shown
    instead (a second query, on that page only)."""
    if before and decode_cursor(before) and not (cursor and decode_cursor(cursor)):
        rows = _rows(newer_than(qs, before), ("created_at", "id"), size + 1)
        if len(rows) > size:
            rows = rows[:size][::-1]
            return Page(rows, encode_cursor(rows[-1]), size, encode_cursor(rows[0]), top=False)
        cursor = None  # back at the top
    rows = _rows(older_than(qs, cursor), ("-created_at", "-id"), size + 1)
    more = len(rows) > size
    rows = rows[:size]
    top = not (cursor and decode_cursor(cursor))
    return Page(
        rows,
        encode_cursor(rows[-1]) if more and rows else None,
        size,
        encode_cursor(rows[0]) if rows and not top else None,
        top=top,
    )
