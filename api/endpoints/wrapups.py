"""Wrapping up a call: its customer manager's disposition and note (the call page's wrap-up
form, with the same rules: calls.services.wrapup)."""

from __future__ import annotations

import json
from uuid import UUID

from django.utils.translation import gettext as _
from ninja import Field, Router, Schema
from ninja import Status as Answer
from pydantic import ValidationError as PydanticError
from pydantic import field_validator

from api.endpoints.calls import CallOut, call_out
from api.problems import ProblemError, responses
from calls import selectors
from calls.models import Disposition
from calls.services.wrapup import WrapUpRefused, wrap_up_of, wrapup_save

router = Router(tags=["calls"])


class WrapUpIn(Schema):
    disposition: int | str = Field(
        ...,
        description="One of the tenant's dispositions: its id or its key (e.g. `interested`).",
        examples=["interested"],
    )
    note: str = Field("", description="At most 2,000 characters.", examples=["Send the offer."])

    @field_validator("note")
    @classmethod
    def _text(cls, value: str) -> str:
        if "\x00" in value:
            raise ValueError("Null characters are not allowed.")
        try:
            value.encode("utf-8")
        except UnicodeEncodeError:
            raise ValueError("Not valid Unicode text.") from None
        return value


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
    try:
        wrapup_save(call=call, membership=membership, disposition=disposition, note=body.note)
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
