"""/do-not-call: the tenant's do-not-call list (list and find, add, read one, remove).

Supervisors and admins read and change the list, like its page (guardrails/views.py); a
customer manager may add a number (the wrap-up's "Customer asked not to be called"), not read
or remove. Numbers in any form are read in the tenant's default region and kept in E.164; a
number of another tenant's list is 404 here, as if it were not listed.
"""

from __future__ import annotations

from datetime import date, datetime
from uuid import UUID

from django.http import HttpResponse
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from pydantic import field_validator

from api.problems import ProblemError, responses
from api.text import plain_text
from console.models import Membership
from customers.numbers import to_e164
from guardrails import services
from guardrails.forms import expiry_to_until, until_to_expiry
from guardrails.models import REASON_MAX, DoNotCall

router = Router(tags=["do-not-call"])
MAX_SIZE = 500


class DncIn(Schema):
    number: str = Field(..., max_length=64, description="In any form: read in the tenant's "
                        "default region.", examples=["138-0000-1234"])  # fmt: skip
    reason: str = Field("", max_length=REASON_MAX, examples=["Asked by phone on 2026-05-04"])
    until: date | None = Field(
        None, description="The last day the number stays listed (the tenant's time zone). "
        "None: for good."
    )  # fmt: skip

    _clean = field_validator("number", "reason")(plain_text)


class DncOut(Schema):
    id: UUID
    number: str = Field(description="E.164.")
    reason: str
    until: date | None
    expires_at: datetime | None = Field(description="When the entry stops applying.")
    active: bool
    added_by: str | None = Field(description="Who added it (username).")
    created_at: datetime


class DncPage(Schema):
    items: list[DncOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next, older page.")


class DncFilter(Schema):
    number: str | None = Field(None, max_length=64, description="One number, in any form.")
    after: str | None = Field(None, max_length=20, description="A `next_cursor`.")
    size: int = Field(100, ge=1, le=MAX_SIZE)


def _out(entry: DoNotCall) -> dict:
    tenant = entry.tenant
    return {
        "id": entry.code,
        "number": entry.number,
        "reason": entry.reason,
        "until": expiry_to_until(entry.expires_at, tenant),
        "expires_at": entry.expires_at,
        "active": services.active(entry),
        "added_by": entry.added_by.username if entry.added_by_id else None,
        "created_at": entry.created_at,
    }


def _readers_only(membership: Membership) -> None:
    if not membership.can_read_history:
        raise ProblemError(
            403, _("Only supervisors and admins read or remove do-not-call numbers.")
        )


def _e164(membership: Membership, number: str) -> str:
    e164 = to_e164(number, membership.tenant.default_region)
    if not e164:
        raise ProblemError(
            422, _("This is not a phone number."), errors={"number": [_("Not a phone number.")]}
        )
    return e164


@router.get("/do-not-call", response={200: DncPage, **responses(401, 403, 422, 429)})
def list_dnc(request, filters: Query[DncFilter]):
    """The tenant's do-not-call numbers, newest first (or the one `number`). Pages by keyset:
    `after` is the `next_cursor` of the page before."""
    membership = request.auth
    _readers_only(membership)
    qs = DoNotCall.objects.filter(tenant=membership.tenant).select_related("added_by", "tenant")
    if filters.number:
        qs = qs.filter(number=_e164(membership, filters.number))
    if filters.after:
        if not filters.after.isdigit():
            raise ProblemError(
                422, _("The cursor is not valid."), errors={"after": [_("Not a cursor.")]}
            )
        qs = qs.filter(pk__lt=int(filters.after))
    rows = list(qs.order_by("-pk")[: filters.size + 1])
    more = len(rows) > filters.size
    rows = rows[: filters.size]
    return {
        "items": [_out(e) for e in rows],
        "next_cursor": str(rows[-1].pk) if more else None,
    }


@router.post("/do-not-call", response={200: DncOut, 201: DncOut, **responses(400, 401, 422, 429)})
def add_dnc(request, body: DncIn):
    """Put a number on the list (201), or change the reason and date of a listed one (200).
    From then on every call to it is refused before anything is sent."""
    membership = request.auth
    e164 = _e164(membership, body.number)
    entry, created = services.dnc_add(
        tenant=membership.tenant,
        number=e164,
        reason=body.reason,
        expires_at=until_to_expiry(body.until, membership.tenant),
        actor=membership.user,
    )
    entry.tenant = membership.tenant
    return Answer(201 if created else 200, _out(entry))


def _listed(membership: Membership, number: str) -> DoNotCall:
    e164 = to_e164(number, membership.tenant.default_region)
    entry = (
        DoNotCall.objects.filter(tenant=membership.tenant, number=e164).select_related("added_by")
        if e164
        else DoNotCall.objects.none()
    ).first()
    if entry is None:
        raise ProblemError(404, _("This number is not on the do-not-call list."))
    entry.tenant = membership.tenant
    return entry


@router.get("/do-not-call/{number}", response={200: DncOut, **responses(401, 403, 404, 429)})
def get_dnc(request, number: str):
    """One listed number (any form; 404 when it is not listed)."""
    membership = request.auth
    _readers_only(membership)
    return _out(_listed(membership, number))


@router.delete("/do-not-call/{number}", response={204: None, **responses(401, 403, 404, 429)})
def remove_dnc(request, number: str):
    """Take a number off the list (audited): calls to it are no longer refused for it."""
    membership = request.auth
    _readers_only(membership)
    services.dnc_remove(entry=_listed(membership, number), actor=membership.user)
    return HttpResponse(status=204)
