"""/follow-ups: list the follow-ups the token's person may see (keyset pages), schedule one,
change one (reschedule, note, whose; cancel with a reason; done).

Scoped like the follow-ups page (calls/followup_selectors.py): a customer manager's token sees
and changes the follow-ups assigned to them, a supervisor's or admin's the tenant's; anything
else is 404, as if it did not exist. The rules are the services' (calls/services/followups.py).
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal
from uuid import UUID
from zoneinfo import ZoneInfo

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from pydantic import field_validator

from api.problems import ProblemError, responses
from api.text import plain_text
from calls import followup_selectors as fs
from calls import selectors
from calls.links import TenantLinks
from calls.models import CANCEL_REASON_MAX, FOLLOW_UP_NOTE_MAX, FollowUp
from calls.representation import follow_up_dict
from calls.services import followups
from console.models import Membership

router = Router(tags=["follow-ups"])

FollowUpStatus = Literal["open", "done", "cancelled"]
PAGE_SIZE, MAX_PAGE_SIZE = 50, 200


_text = plain_text


class FollowUpOut(Schema):
    id: UUID
    called: str = Field(description="The customer's number, as dialled.")
    due_at: datetime
    note: str
    assignee: str = Field(description="The customer manager's username.")
    status: FollowUpStatus
    cancel_reason: str
    done_at: datetime | None = Field(description="When it was done or cancelled.")
    created_at: datetime
    created_by: str | None
    source_call_id: UUID | None = Field(description="The call whose wrap-up scheduled it.")
    placed_call_id: UUID | None = Field(description="The last call placed from it.")
    console_url: str = Field(description="The follow-ups page in the console.")


class FollowUpPage(Schema):
    items: list[FollowUpOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next, later page.")


class FollowUpIn(Schema):
    called: str = Field(..., max_length=64, examples=["13800000000"])
    due_at: datetime = Field(
        ...,
        description="When to call. Without a UTC offset: in the tenant's time zone.",
        examples=["2026-05-05T10:30:00+08:00"],
    )
    note: str = Field("", max_length=FOLLOW_UP_NOTE_MAX)
    assignee: str | None = Field(
        None,
        max_length=150,
        description="A customer manager's username (supervisors and admins). Default: the "
        "token's own customer manager, or the manager of `source_call_id`.",
    )
    source_call_id: UUID | None = Field(None, description="The call it follows up.")

    @field_validator("called", "note", "assignee")
    @classmethod
    def _check(cls, value):
        return _text(value)


class FollowUpPatch(Schema):
    """Any of: a new due time, note or assignee (an open follow-up); or `status` `done`, or
    `cancelled` with a `cancel_reason`."""

    due_at: datetime | None = None
    note: str | None = Field(None, max_length=FOLLOW_UP_NOTE_MAX)
    assignee: str | None = Field(None, max_length=150)
    status: Literal["done", "cancelled"] | None = None
    cancel_reason: str | None = Field(None, max_length=CANCEL_REASON_MAX)

    @field_validator("note", "assignee", "cancel_reason")
    @classmethod
    def _check(cls, value):
        return _text(value)


class FollowUpFilter(Schema):
    status: FollowUpStatus | None = Field(None, description="Default: every status.")
    due_after: datetime | None = Field(None, description="Due at or after this time.")
    due_before: datetime | None = Field(None, description="Due before this time.")
    assignee: str | None = Field(
        None, max_length=150, description="A customer manager's username (supervisors)."
    )
    after: str | None = Field(None, max_length=100, description="A `next_cursor`.")
    size: int = Field(PAGE_SIZE, ge=1, le=MAX_PAGE_SIZE)


def _out(follow_up: FollowUp, membership: Membership) -> dict:
    return follow_up_dict(follow_up, links=TenantLinks(membership.tenant.code))


def _aware(value: datetime, membership: Membership, name: str) -> datetime:
    if value.tzinfo is None:
        try:
            return value.replace(tzinfo=ZoneInfo(membership.tenant.time_zone))
        except (OverflowError, ValueError):
            pass
    try:
        value.astimezone(ZoneInfo("UTC"))
    except (OverflowError, ValueError):
        raise ProblemError(
            422, _("The request is not valid: see errors."), errors={name: [_("Out of range.")]}
        ) from None
    return value


def _person(membership: Membership, username: str | None, name: str = "assignee"):
    """The tenant's customer manager with this username; anyone else (another tenant's too) is
    unknown."""
    if username is None:
        return None
    user = User.objects.filter(
        username=username,
        memberships__tenant=membership.tenant,
        memberships__role=Membership.Role.MANAGER,
    ).first()
    if user is None:
        raise ProblemError(
            422,
            _("The request is not valid: see errors."),
            errors={name: [_("No customer manager of this tenant has this username.")]},
        )
    return user


def _invalid(e: ValidationError) -> ProblemError:
    errors = {
        name: [str(m) for m in ValidationError(msgs).messages]
        for name, msgs in e.error_dict.items()
    }
    return ProblemError(422, _("The follow-up is not valid: see errors."), errors=errors)


@router.get("/follow-ups", response={200: FollowUpPage, **responses(401, 422, 429)})
def list_follow_ups(request, filters: Query[FollowUpFilter]):
    """The follow-ups the token's person may see, soonest due first: a customer manager their
    own, a supervisor or admin the tenant's. Pages by keyset: `after` is the `next_cursor` of the
    page before."""
    membership = request.auth
    qs = fs.visible_follow_ups(membership)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.due_after:
        qs = qs.filter(due_at__gte=_aware(filters.due_after, membership, "due_after"))
    if filters.due_before:
        qs = qs.filter(due_at__lt=_aware(filters.due_before, membership, "due_before"))
    if filters.assignee and membership.can_read_history:
        qs = qs.filter(assignee=_person(membership, filters.assignee))
    if filters.after and fs.decode_cursor(filters.after) is None:
        raise ProblemError(
            422, _("The cursor is not valid."), errors={"after": [_("Not a cursor.")]}
        )
    rows, cursor = fs.page(qs, cursor=filters.after, size=filters.size)
    return {"items": [_out(f, membership) for f in rows], "next_cursor": cursor}


@router.post("/follow-ups", response={201: FollowUpOut, **responses(400, 401, 404, 422, 429)})
def schedule_follow_up(request, body: FollowUpIn):
    """Schedule a follow-up call: for the token's customer manager, or (supervisors and admins)
    for any customer manager of the tenant. The number follows the call form's rules."""
    membership = request.auth
    source = None
    if body.source_call_id is not None:
        source = selectors.visible_call(membership, body.source_call_id)  # 404 if not theirs
    try:
        follow_up = followups.follow_up_schedule(
            membership=membership,
            called=body.called,
            due_at=_aware(body.due_at, membership, "due_at"),
            note=body.note,
            assignee=_person(membership, body.assignee),
            source_call=source,
        )
    except ValidationError as e:
        raise _invalid(e) from None
    return Answer(201, _out(fs.visible_follow_up(membership, follow_up.code), membership))


@router.get(
    "/follow-ups/{follow_up_id}", response={200: FollowUpOut, **responses(401, 404, 422, 429)}
)
def get_follow_up(request, follow_up_id: UUID):
    """One follow-up (404 for one the token's person may not see, or of another tenant)."""
    membership = request.auth
    return _out(fs.visible_follow_up(membership, follow_up_id), membership)


@router.patch(
    "/follow-ups/{follow_up_id}",
    response={200: FollowUpOut, **responses(400, 401, 403, 404, 409, 422, 429)},
)
def change_follow_up(request, follow_up_id: UUID, body: FollowUpPatch):
    """Reschedule it, change its note or (supervisors and admins) whose it is; or mark it `done`;
    or cancel it (`status` `cancelled` with a `cancel_reason`). A follow-up already done or
    cancelled is 409."""
    membership = request.auth
    follow_up = fs.visible_follow_up(membership, follow_up_id)
    changes = body.dict(exclude_none=True)
    if body.status and set(changes) - {"status", "cancel_reason"}:
        raise ProblemError(
            422,
            _("Change a follow-up or close it, not both in one request."),
            errors={"status": [_("Send it alone (with cancel_reason to cancel).")]},
        )
    if body.cancel_reason is not None and body.status != "cancelled":
        raise ProblemError(
            422,
            _("The request is not valid: see errors."),
            errors={"cancel_reason": [_("Only with status cancelled.")]},
        )
    try:
        if body.status == "done":
            followups.follow_up_done(membership=membership, follow_up=follow_up)
        elif body.status == "cancelled":
            followups.follow_up_cancel(
                membership=membership, follow_up=follow_up, reason=body.cancel_reason or ""
            )
        else:
            followups.follow_up_reschedule(
                membership=membership,
                follow_up=follow_up,
                due_at=_aware(body.due_at, membership, "due_at") if body.due_at else None,
                note=body.note,
                assignee=_person(membership, body.assignee),
            )
    except ValidationError as e:
        problem = _invalid(e)
        if "reason" in (problem.errors or {}):
            problem.errors["cancel_reason"] = problem.errors.pop("reason")
        raise problem from None
    except followups.NotOpen as e:
        raise ProblemError(409, str(e)) from None
    except PermissionDenied:
        raise ProblemError(403, _("You may not change this follow-up.")) from None
    return _out(follow_up, membership)
