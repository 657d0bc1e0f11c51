"""/call-lists (issue 19): the tenant's call lists (supervisors and admins create them and
import entries; customer managers read the lists they work), their entries, and "call next"
for the token's customer manager: take the next due entry, then call it.

The rules are the pages' (lists/queue.py, lists/services.py, lists/importing.py)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Answer
from pydantic import field_validator

from api.endpoints.calls import CallOut, call_out
from api.problems import ProblemError, responses
from api.text import plain_text
from calls.aicc.reasons import decode
from calls.forms import KEY_RE
from calls.readers import reader_for
from console.models import Membership
from lists import queue, selectors, services
from lists.models import NAME_MAX, CallList, ListEntry

router = Router(tags=["call lists"])
EntryStatus = Literal["open", "retry", "done", "closed"]
MAX_ENTRIES = 10_000  # rows in one JSON import (larger files: the import page)


class CallListIn(Schema):
    name: str = Field(..., min_length=1, max_length=NAME_MAX)
    description: str = Field("", max_length=2000)
    starts_on: date | None = None
    ends_on: date | None = None
    max_attempts: int = Field(3, ge=1, le=20)
    retry_minutes: int = Field(60, ge=1, le=43_200)
    pool: list[str] = Field(
        default_factory=list, max_length=500, description="Customer managers' usernames."
    )

    @field_validator("name", "description")
    @classmethod
    def _text(cls, value: str) -> str:
        return plain_text(value)


class Counts(Schema):
    total: int
    open: int
    retry: int
    done: int
    closed: int


class CallListOut(Schema):
    id: UUID
    name: str
    description: str
    owner: str | None
    starts_on: date | None
    ends_on: date | None
    paused: bool
    max_attempts: int
    retry_minutes: int
    counts: Counts | None = Field(None, description="Entries per status (one list only).")


class EntryOut(Schema):
    id: UUID
    list_id: UUID
    line: int
    number: str = Field(description="As imported.")
    customer_number: str = Field(description="E.164.")
    name: str
    company: str
    context: str
    extra: dict[str, str]
    due_start: datetime | None
    due_end: datetime | None
    priority: int
    assigned_to: str | None
    status: EntryStatus
    attempts: int
    last_attempt_at: datetime | None
    last_call_id: UUID | None


class EntryPage(Schema):
    items: list[EntryOut]
    next_cursor: str | None


class ImportIn(Schema):
    entries: list[dict[str, str | int | None]] = Field(
        ...,
        min_length=1,
        max_length=MAX_ENTRIES,
        description="One object per entry, keyed by the import file's column titles: number "
        "(required), name, company, context, due start, due end, priority, manager; other keys "
        "are kept as context.",
    )


class ImportOut(Schema):
    imported: int
    duplicates: int
    do_not_call: int
    duplicate_lines: list[str]
    do_not_call_lines: list[str]


class NextIn(Schema):
    list_id: UUID | None = Field(None, description="Only this list (default: any of yours).")


class EntryFilter(Schema):
    status: EntryStatus | None = None
    after: str | None = Field(None, max_length=20, description="A `next_cursor`.")
    size: int = Field(100, ge=1, le=500)


def _readers_only(membership: Membership) -> None:
    if not membership.can_read_history:
        raise ProblemError(403, _("Only the tenant's admins and supervisors can do this."))


def _list_out(cl: CallList, counts: bool = False) -> dict:
    out = {
        "id": cl.code,
        "name": cl.name,
        "description": cl.description,
        "owner": cl.owner.username if cl.owner_id else None,
        "starts_on": cl.starts_on,
        "ends_on": cl.ends_on,
        "paused": cl.paused,
        "max_attempts": cl.max_attempts,
        "retry_minutes": cl.retry_minutes,
        "counts": None,
    }
    if counts:
        p = selectors.progress(cl)
        out["counts"] = {
            "total": p.total,
            "open": p.counts.get("open", 0),
            "retry": p.retry,
            "done": p.done,
            "closed": p.closed,
        }
    return out


def _entry_out(e: ListEntry, names: dict, list_code) -> dict:
    return {
        "id": e.code,
        "list_id": list_code,
        "line": e.line,
        "number": e.number,
        "customer_number": e.customer_number,
        "name": e.name,
        "company": e.company,
        "context": e.context,
        "extra": {str(k): str(v) for k, v in (e.extra or {}).items()},
        "due_start": e.due_start,
        "due_end": e.due_end,
        "priority": e.priority,
        "assigned_to": names.get(e.assigned_to_id),
        "status": e.status,
        "attempts": e.attempts,
        "last_attempt_at": e.last_attempt_at,
        "last_call_id": e.last_call.code if e.last_call_id else None,
    }


@router.get("/call-lists", response={200: list[CallListOut], **responses(401, 429)})
def list_call_lists(request):
    """The tenant's call lists (a customer manager's token: the lists they work)."""
    m = request.auth
    if m.role == Membership.Role.MANAGER:
        lists = queue.lists_of(m)
    else:
        lists = selectors.lists_of_tenant(m.tenant)
    return [_list_out(cl) for cl in lists]


@router.post("/call-lists", response={201: CallListOut, **responses(400, 401, 403, 422, 429)})
def create_call_list(request, body: CallListIn):
    """Create a call list (supervisors and admins); `pool`: the customer managers who work it."""
    m = request.auth
    _readers_only(m)
    if body.starts_on and body.ends_on and body.ends_on < body.starts_on:
        raise ProblemError(
            422,
            _("The request is not valid: see errors."),
            errors={"ends_on": [_("The list ends before it starts.")]},
        )
    managers = {u.username: u for u in services.managers_of(m.tenant)}
    unknown = [u for u in body.pool if u not in managers]
    if unknown:
        raise ProblemError(
            422,
            _("The request is not valid: see errors."),
            errors={"pool": [_("No customer manager of this tenant has this username.")]},
        )
    data = body.dict()
    data.pop("pool")
    data["owner"] = m.user
    cl = services.list_create(
        tenant=m.tenant, data=data, members=[managers[u] for u in body.pool], actor=m.user
    )
    return Answer(201, _list_out(cl, counts=True))


# Before /call-lists/{list_id}: its path would take "next" for a list's id.
@router.post(
    "/call-lists/next",
    response={200: EntryOut, 204: None, **responses(400, 401, 403, 404, 422, 429)},
)
def call_next(request, body: NextIn):
    """Take the next due entry for the token's customer manager (their current one if they
    hold one): 200 with it, held for them for a few minutes; 204 when nothing is due. Then call
    it with `POST /call-lists/entries/{entry_id}/call`."""
    m = request.auth
    if m.role != Membership.Role.MANAGER:
        reason = decode("console", "not_manager", reader_for(m))
        raise ProblemError(403, f"{reason.explanation} {reason.next_step}", reason=reason)
    cl = selectors.list_of(m, body.list_id) if body.list_id else None
    entry = queue.claim_next(m, cl)
    if entry is None:
        return Answer(204, None)
    names = {m.user_id: m.user.username}
    return _entry_out(entry, names, entry.list.code)


@router.get("/call-lists/{list_id}", response={200: CallListOut, **responses(401, 404, 422, 429)})
def get_call_list(request, list_id: UUID):
    """One list with its entries' counts per status."""
    return _list_out(selectors.list_of(request.auth, list_id), counts=True)


@router.get(
    "/call-lists/{list_id}/entries", response={200: EntryPage, **responses(401, 404, 422, 429)}
)
def list_entries(request, list_id: UUID, filters: Query[EntryFilter]):
    """The list's entries in import order (supervisors and admins)."""
    m = request.auth
    cl = selectors.list_of(m, list_id)
    _readers_only(m)
    qs = ListEntry.objects.filter(list_id=cl.pk).select_related("last_call").order_by("id")
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.after:
        if not filters.after.isdigit():
            raise ProblemError(
                422, _("The cursor is not valid."), errors={"after": [_("Not a cursor.")]}
            )
        qs = qs.filter(id__gt=int(filters.after))
    rows = list(qs[: filters.size + 1])
    more = len(rows) > filters.size
    rows = rows[: filters.size]
    names = dict(services.managers_of(m.tenant).values_list("pk", "username"))
    return {
        "items": [_entry_out(e, names, cl.code) for e in rows],
        "next_cursor": str(rows[-1].pk) if more else None,
    }


@router.post(
    "/call-lists/{list_id}/entries",
    response={201: ImportOut, **responses(400, 401, 403, 404, 422, 429)},
)
def import_entries(request, list_id: UUID, body: ImportIn):
    """Import entries (supervisors and admins): all of them, or none if any has a problem (422
    with each problem's line: the first entry is line 2, as in a file under its title row).
    Numbers already in the list or twice in the request are left out and reported."""
    m = request.auth
    cl = selectors.list_of(m, list_id)
    _readers_only(m)
    titles: list[str] = []
    for item in body.entries:
        for key in item:
            if key not in titles:
                titles.append(key)
    rows = [titles]
    try:
        for t in titles:
            plain_text(t)
        for item in body.entries:
            rows.append(
                [plain_text("" if item.get(t) is None else str(item.get(t))) for t in titles]
            )
    except ValueError as e:
        raise ProblemError(
            422, _("The request is not valid: see errors."), errors={"entries": [str(e)]}
        ) from None
    report = services.list_import(call_list=cl, rows=rows, actor=m.user)
    if report.errors:
        raise ProblemError(
            422,
            _("Nothing was imported: fix the entries and try again."),
            errors={"entries": [str(e) for e in report.errors[:200]]},
        )
    return Answer(201, report.as_dict())


@router.post(
    "/call-lists/entries/{entry_id}/call",
    response={201: CallOut, 200: CallOut, **responses(400, 401, 403, 404, 409, 422, 429)},
)
def call_entry(
    request,
    entry_id: UUID,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        pattern=KEY_RE.pattern,
        description="8 to 64 letters, digits, _ or -, new for each call.",
    ),
):
    """Call the entry the token's customer manager holds (as `POST /calls` does, with the same
    answers); its wrap-up decides the entry's fate. 409 when the entry is not theirs to call
    now (with why)."""
    m = request.auth
    reader = reader_for(m)
    if m.role != Membership.Role.MANAGER:
        reason = decode("console", "not_manager", reader)
        raise ProblemError(403, f"{reason.explanation} {reason.next_step}", reason=reason)
    entry = queue.entry_of(m, entry_id)
    mapping = m.active_mapping
    if mapping is None:
        reason = decode("console", "no_softphone", reader)
        raise ProblemError(409, f"{reason.explanation} {reason.next_step}", reason=reason)
    try:
        placed = queue.entry_call(
            membership=m, mapping=mapping, entry=entry, idempotency_key=idempotency_key
        )
    except queue.EntryRefused as e:
        raise ProblemError(e.status, str(e.message)) from None
    call = placed.call
    for flag, code in ((placed.busy, "call_in_progress"), (placed.wrapup_due, "wrapup_pending")):
        if flag:
            reason = decode("console", code, reader)
            raise ProblemError(
                409, f"{reason.explanation} {reason.next_step}", reason=reason, call_id=call.code
            )
    if call.reason_source == "console":
        reason = call.reason(reader)
        raise ProblemError(
            422, f"{reason.explanation} {reason.next_step}", reason=reason, call_id=call.code
        )
    return Answer(201 if placed.created else 200, call_out(call, m, m.user.username))
