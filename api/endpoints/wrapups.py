"""Wrapping up a call: its customer manager's disposition and note (the call page's wrap-up
form, with the same rules: calls.services.wrapup)."""

from __future__ import annotations

import json
from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from pydantic import ValidationError as PydanticError
from pydantic import field_validator

from api.endpoints.calls import CallOut, call_out
from api.problems import ProblemError, responses
from api.text import plain_text
from calls import selectors
from calls.models import Disposition
from calls.services.followups import after_wrapup
from calls.services.wrapup import WrapUpRefused, wrap_up_of, wrapup_save

router = Router(tags=["calls"])


class FollowUpPart(Schema):
    due_at: datetime = Field(
        ...,
        description="When to call again (ISO 8601; without an offset: the tenant's time zone).",
        examples=["2026-05-06T10:30:00+08:00"],
    )
    note: str = Field("", description="At most 2,000 characters.", examples=["Send the quote."])

    @field_validator("note")
    @classmethod
    def _text(cls, value: str) -> str:
        return plain_text(value)


class WrapUpIn(Schema):
    disposition: int | str = Field(
        ...,
        description="One of the tenant's dispositions: its id or its key (e.g. `interested`).",
        examples=["interested"],
    )
    note: str = Field("", description="At most 2,000 characters.", examples=["Send the offer."])
    note_private: bool | None = Field(
        None,
        description=(
            "Only the call's manager, supervisors and admins read the note (colleagues who see "
            "the customer's calls see the disposition without it). Left out: as it was (a new "
            "wrap-up's note is not private)."
        ),
    )
    follow_up: FollowUpPart | None = Field(
        None,
        description=(
            "Call the customer again then: a new follow-up for the call's manager; or, for a call "
            "placed from a follow-up, that follow-up moved to then (without it, saving the "
            "wrap-up marks that follow-up done)."
        ),
    )

    @field_validator("note")
    @classmethod
    def _text(cls, value: str) -> str:
        return plain_text(value)


def _body(request) -> WrapUpIn:
    try:
        data = json.loads(request.body or b"")
    except (ValueError, UnicodeDecodeError):
        raise ProblemError(400, _("Cannot parse request body")) from None
    try:
        return WrapUpIn.model_validate(data)
    except PydanticError as e:
        errors: dict[str, list[str]] = {}
        for err in e.errors():
            field = ".".join(str(p) for p in err.get("loc", ())) or "body"
            errors.setdefault(field, []).append(err.get("msg", ""))
        raise ProblemError(422, _("The request is not valid: see errors."), errors=errors) from None


def _disposition(tenant, value: int | str) -> Disposition | None:
    qs = Disposition.objects.filter(tenant=tenant)
    if isinstance(value, int) or str(value).isdigit():
        return qs.filter(pk=int(value)).first()
    return qs.filter(key=str(value)).first()


@router.post(
    "/calls/{call_id}/wrap-up",
    response={200: CallOut, 201: CallOut, **responses(400, 401, 403, 404, 409, 422, 429)},
    # The body is read after the call is found: another tenant's call is a 404 whatever is sent.
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": WrapUpIn.model_json_schema()}},
        }
    },
)
def wrap_up(request, call_id: UUID):
    """Wrap up an ended call of the token's customer manager (or change its wrap-up while its
    author may: the tenant's edit window). 201 when this wrapped it up, 200 when it changed an
    existing wrap-up; the call, with its `wrap_up`. Refusals are problems: 403 not the call's
    manager, 409 not ended, not placed or no longer editable, 422 an unknown or archived
    disposition or a note over 2,000 characters."""
    membership = request.auth
    call = selectors.visible_call(membership, call_id)
    body = _body(request)
    disposition = _disposition(membership.tenant, body.disposition)
    if disposition is None:
        raise ProblemError(
            422,
            _("Choose one of the dispositions offered."),
            errors={"disposition": [_("No such disposition in this tenant.")]},
            call_id=call.code,
        )
    had = wrap_up_of(call) is not None
    part = body.follow_up
    due_at = None
    if part is not None:
        due_at = part.due_at
        if timezone.is_naive(due_at):
            due_at = due_at.replace(tzinfo=ZoneInfo(membership.tenant.time_zone))
    step = after_wrapup(
        membership=membership, call=call, due_at=due_at, note=part.note if part else ""
    )
    try:
        wrapup_save(
            call=call,
            membership=membership,
            disposition=disposition,
            note=body.note,
            note_private=body.note_private,
            also=[step],
        )
    except ValidationError as e:  # the follow-up's time or note: nothing was saved
        raise ProblemError(
            422,
            _("The request is not valid: see errors."),
            errors={f"follow_up.{k}": [str(m) for m in v] for k, v in e.message_dict.items()},
            call_id=call.code,
        ) from None
    except WrapUpRefused as e:
        field = {"note_too_long": "note", "disposition": "disposition"}.get(e.code)
        raise ProblemError(
            e.status,
            str(e.message),
            errors={field: [str(e.message)]} if field else None,
            call_id=call.code,
        ) from None
    out = call_out(call, membership, call.user.username if call.user_id else None)
    return Answer(200 if had else 201, out)
