"""/calls: place a call for the token's customer manager, list the calls the token's person may
see (the history's filters, keyset pages), and read one call.

Scoped exactly like the pages: a customer manager sees their own calls, a supervisor or admin
the tenant's (calls/selectors.py). A call of another tenant, or another manager's call for a
manager, is 404, as if it did not exist.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal
from uuid import UUID

from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Header, Query, Router, Schema
from ninja import Status as Answer
from pydantic import field_validator

from api.problems import ProblemError, ReasonOut, guard_extra, responses
from api.text import plain_text
from calls import selectors
from calls.aicc.reasons import decode
from calls.forms import KEY_RE
from calls.history_filter import HistoryFilter
from calls.links import TenantLinks
from calls.models import Call
from calls.paging import MAX_PAGE_SIZE, PAGE_SIZE, decode_cursor, history_page
from calls.readers import reader_for
from calls.representation import call_dict
from calls.services.dispositions import dispositions_of
from calls.services.placing import call_place
from console.models import Membership
from console.selectors import manager_choices

router = Router(tags=["calls"])

CallStatus = Literal["placing", "placed", "failed", "unknown"]


class CallIn(Schema):
    called: str = Field(
        ..., max_length=64, description="The customer's number.", examples=["13800000000"]
    )
    call_data: str = Field(
        "",
        max_length=1024,
        description="Sent to AICC with the call; it comes back in its events.",
        examples=["crm:case:4711"],
    )
    caller_present: str = Field(
        "",
        max_length=32,
        description="The number the customer sees: one of the tenant's access codes. Empty: "
        "AICC's default.",
        examples=[""],
    )

    override_reason: str = Field(
        "",
        max_length=255,
        description="Call anyway past a guardrail (do-not-call, attempt caps, calling hours): "
        "why, in at least 10 characters. Counts only when the tenant lets the token's "
        "person's role call anyway; kept on the call and audited.",
        examples=[""],
    )

    @field_validator("called", "call_data", "caller_present", "override_reason")
    @classmethod
    def _text(cls, value: str) -> str:
        return plain_text(value)


class CallSummary(Schema):
    id: UUID
    created_at: datetime
    status: CallStatus
    manager: str | None = Field(description="The customer manager's username.")
    softphone: str
    called: str
    serial: str = Field(description="AICC's serial number of a placed call.")
    state: int | None = Field(
        description="queryCallState: 0 waiting, 1 ringing, 2 talking, 3 ended."
    )
    reason: ReasonOut | None = Field(description="Why a call failed, or may not have been placed.")
    outcome: ReasonOut | None = Field(description="How a placed call ended, once known.")
    talking_at: datetime | None
    talk_seconds: int | None
    console_url: str = Field(description="The call's page in the console.")
    wrap_up_state: Literal["", "pending", "done", "auto", "phone"] = Field(
        description="The call's wrap-up: '' none (not needed, or the call has not ended), "
        "pending (answered: awaiting its customer manager's wrap-up), done, auto (wrapped up "
        "from how a call never connected ended), phone (the manager's own phone was not "
        "reached: no customer disposition)."
    )


class DispositionOut(Schema):
    id: int
    key: str
    label_en: str
    label_zh: str
    group: Literal["connected", "not_connected"]


class WrapUpOut(Schema):
    state: Literal["", "pending", "done", "auto", "phone"]
    disposition: DispositionOut | None
    note: str = Field(
        description='The note ("" for a private note the token\'s person may not read).'
    )
    note_private: bool = Field(description="Only its author, supervisors and admins read the note.")
    automatic: bool
    wrapped_up_by: str | None = Field(description="Its author's username (None: automatic).")
    wrapped_at: datetime | None
    updated_at: datetime | None


class OverrideOut(Schema):
    rule: str = Field(description="The guardrail called past: a console reason code "
                      "(do_not_call, day_cap, week_cap, outside_hours, holiday).")  # fmt: skip
    reason: str = Field(description="The customer manager's typed reason.")


class CallOut(CallSummary):
    caller: str
    call_data: str
    caller_present: str
    call_type: str
    answered_at: datetime | None = Field(description="When AICC answered createCall.")
    outcome_at: datetime | None
    alerting_at: datetime | None
    released_at: datetime | None
    agent_talk_seconds: int | None
    wrap_up: WrapUpOut
    override: OverrideOut | None = Field(
        None, description="Placed anyway past a guardrail, with the manager's reason."
    )


class CallPage(Schema):
    items: list[CallSummary]
    next_cursor: str | None = Field(description="Pass as `after` for the next, older page.")


def _summary(call: Call, membership: Membership, links: TenantLinks, manager: str | None) -> dict:
    return call_dict(
        call, reader=reader_for(membership, call), manager=manager, links=links, full=False
    )


def call_out(call: Call, membership: Membership, manager: str | None) -> dict:
    links = TenantLinks(membership.tenant.code)
    return call_dict(
        call, reader=reader_for(membership, call), manager=manager, links=links, viewer=membership
    )


@router.post(
    "/calls", response={200: CallOut, 201: CallOut, **responses(400, 401, 403, 409, 422, 429)}
)
def place_call(
    request,
    body: CallIn,
    idempotency_key: str = Header(
        ...,
        alias="Idempotency-Key",
        pattern=KEY_RE.pattern,
        description="8 to 64 letters, digits, _ or -, new for each call (a UUID will do). "
        "The same key again answers 200 with the call it placed, and places nothing.",
    ),
):
    """Place a two-way call from the token's customer manager's softphone: AICC rings their phone
    first, then the customer. The same rules as the call form apply. 201: the call, with its
    status (`placed`, or `failed`/`unknown` with the decoded `reason`). A value the console
    refuses is a 422 problem with the reason and each field's errors (the refused call is
    recorded, as on the call page)."""
    membership = request.auth
    reader = reader_for(membership)
    if membership.role != Membership.Role.MANAGER:
        reason = decode("console", "not_manager", reader)
        raise ProblemError(403, f"{reason.explanation} {reason.next_step}", reason=reason)
    mapping = membership.active_mapping
    if mapping is None:
        reason = decode("console", "no_softphone", reader)
        raise ProblemError(409, f"{reason.explanation} {reason.next_step}", reason=reason)
    placed = call_place(
        membership=membership,
        mapping=mapping,
        called=body.called,
        call_data=body.call_data,
        caller_present=body.caller_present,
        idempotency_key=idempotency_key,
        override_reason=body.override_reason,
    )
    call = placed.call
    if placed.busy:  # one live call per manager: nothing recorded, nothing sent
        reason = decode("console", "call_in_progress", reader)
        raise ProblemError(
            409, f"{reason.explanation} {reason.next_step}", reason=reason, call_id=call.code
        )
    if placed.wrapup_due:  # the tenant wants answered calls wrapped up before the next one
        reason = decode("console", "wrapup_pending", reader)
        raise ProblemError(
            409, f"{reason.explanation} {reason.next_step}", reason=reason, call_id=call.code
        )
    guard = placed.guard
    if guard is not None and not guard.ok:  # refused by the guardrails: recorded, nothing sent
        reason = call.reason(reader)
        raise ProblemError(
            409,
            f"{reason.explanation} {reason.next_step}",
            reason=reason,
            call_id=call.code,
            extra=guard_extra(guard),
        )
    if call.reason_source == "console":  # refused by the console's rules: nothing was sent
        reason = call.reason(reader)
        raise ProblemError(
            422,
            f"{reason.explanation} {reason.next_step}",
            reason=reason,
            errors=placed.refused or None,
            call_id=call.code,
        )
    out = call_out(call, membership, membership.user.username)
    return Answer(201 if placed.created else 200, out)


class CallFilter(Schema):
    """The history page's filters (the same names and rules)."""

    date_from: date | None = None
    date_to: date | None = None
    manager: int | None = Field(None, description="A customer manager's user id (supervisors).")
    status: CallStatus | None = None
    reason: str | None = Field(
        None, max_length=100, description="`source:code`, `group:<meaning>` or `fixer:<who>`."
    )
    number: str | None = Field(None, max_length=40, description="The called number.")
    match: Literal["prefix", "contains"] | None = None
    serial: str | None = Field(None, max_length=50)
    disposition: str | None = Field(
        None, max_length=40, description="A disposition's key (its wrap-up's)."
    )
    has_note: Literal["yes", "no"] | None = Field(None, description="Whether it has a note.")
    after: str | None = Field(None, max_length=100, description="A `next_cursor`.")
    size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


@router.get("/calls", response={200: CallPage, **responses(401, 422, 429)})
def list_calls(request, filters: Query[CallFilter]):
    """The calls the token's person may see, newest first: a customer manager their own, a
    supervisor or admin the tenant's. Pages by keyset: `after` is the `next_cursor` of the page
    before."""
    membership = request.auth
    given = QueryDict(mutable=True)
    for name, value in filters.dict(exclude_none=True).items():
        if name not in ("after", "size"):
            given[name] = value.isoformat() if isinstance(value, date) else str(value)
    # The manager filter's choices are the tenant's managers: read only when it is used.
    managers = None
    if membership.can_read_history:
        managers = manager_choices(membership.tenant) if "manager" in given else []
    # The disposition filter's choices: read only when it is used.
    dispositions = dispositions_of(membership.tenant) if "disposition" in given else []
    form = HistoryFilter(
        given,
        managers=managers,
        reader=reader_for(membership),
        ita=membership.tenant.is_ita,
        dispositions=dispositions,
    )
    if not form.is_valid():
        errors = {name: [str(m) for m in msgs] for name, msgs in form.errors.items()}
        raise ProblemError(422, _("The filters are not valid: see errors."), errors=errors)
    if filters.after and decode_cursor(filters.after) is None:
        raise ProblemError(
            422, _("The cursor is not valid."), errors={"after": [_("Not a cursor.")]}
        )
    qs = selectors.calls_for(membership, form.filters)
    page = history_page(qs, cursor=filters.after, size=filters.size)
    links = TenantLinks(membership.tenant.code)
    items = [
        _summary(c, membership, links, c.user.username if c.user_id else None) for c in page.calls
    ]
    return {"items": items, "next_cursor": page.next_cursor}


@router.get("/calls/{call_id}", response={200: CallOut, **responses(401, 404, 422, 429)})
def get_call(request, call_id: UUID):
    """One call with its state, outcome and decoded reasons (404 for a call the token's person
    may not see, or of another tenant)."""
    membership = request.auth
    call = selectors.visible_call(membership, call_id)
    return call_out(call, membership, call.user.username if call.user_id else None)
