"""A call as other systems read it. The REST API's answers (api/endpoints/calls.py) and the
webhooks' payloads (hooks/events.py) are both built here, so a receiver reads a call in a webhook
exactly as it reads it from `GET /api/v1/calls/{id}`."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from django.core.serializers.json import DjangoJSONEncoder

from calls.aicc.reasons import Reason
from calls.links import TenantLinks
from calls.models import Call, WrapUp, WrapUpState


def reason_dict(reason: Reason | None) -> dict | None:
    """A decoded reason: what happened, what to do, who can fix it."""
    if reason is None:
        return None
    return {
        "source": reason.source,
        "code": reason.code,
        "title": str(reason.title),
        "explanation": str(reason.explanation),
        "next_step": str(reason.next_step),
        "fixer": reason.fixer.value,
        "who": str(reason.who),
        "retry": reason.retry,
        "maybe_placed": reason.maybe_placed,
        "group": reason.group.value,
    }


def call_dict(
    call: Call,
    *,
    reader,
    manager: str | None,
    links: TenantLinks,
    full: bool = True,
    viewer=None,
) -> dict:
    """The call in `reader`'s words (calls.readers): the summary the API's list gives, and with
    `full` every field of the API's one-call answer. `viewer`: the Membership reading it (its
    wrap-up's private note is "" unless they may read it); None for the tenant's own systems
    (webhooks), which read every note."""
    out = {
        "id": call.code,
        "created_at": call.created_at,
        "status": call.status,
        "manager": manager,
        "softphone": call.softphone,
        "called": call.called,
        "serial": call.serial,
        "state": call.state,
        "reason": reason_dict(call.reason(reader)),
        "outcome": reason_dict(call.outcome(reader)),
        "talking_at": call.talking_at,
        "talk_seconds": call.talk_seconds,
        "console_url": links.of("call-detail", call),
        "wrap_up_state": call.wrapup_state,
    }
    if full:
        out.update(
            {
                "caller": call.caller,
                "call_data": call.call_data,
                "caller_present": call.caller_present,
                "call_type": call.call_type,
                "answered_at": call.answered_at,
                "outcome_at": call.outcome_at,
                "alerting_at": call.alerting_at,
                "released_at": call.released_at,
                "agent_talk_seconds": call.agent_talk_seconds,
                "wrap_up": wrap_up_dict(call, viewer),
                # Called anyway past a guardrail (guardrails.preflight), with the typed reason.
                "override": (
                    {"rule": call.override_code, "reason": call.override_reason}
                    if call.override_code
                    else None
                ),
            }
        )
    return out


def wrap_up_dict(call: Call, viewer=None) -> dict:
    """The call's wrap-up (calls.services.wrapup): where it stands, its disposition (both labels,
    as the admin typed them), note (a private one only if `viewer` may read it: WrapUp.note_for;
    every note without a viewer), and who wrapped it up (None: automatic). One query, only
    for a call that has one."""
    wrap = None
    if call.wrapup_state in (WrapUpState.DONE, WrapUpState.AUTO):
        wrap = WrapUp.objects.select_related("disposition", "author").filter(call=call).first()
    d = wrap.disposition if wrap is not None else None
    return {
        "state": call.wrapup_state,
        "disposition": (
            {
                "id": d.pk,
                "key": d.key,
                "label_en": d.label_en,
                "label_zh": d.label_zh,
                "group": d.group,
            }
            if d is not None
            else None
        ),
        "note": _note(wrap, viewer),
        "note_private": bool(wrap and wrap.note_private),
        "automatic": bool(wrap and wrap.automatic),
        "wrapped_up_by": wrap.author.username if wrap is not None and wrap.author_id else None,
        "wrapped_at": wrap.wrapped_at if wrap is not None else None,
        "updated_at": wrap.updated_at if wrap is not None else None,
    }


def _note(wrap: WrapUp | None, viewer) -> str:
    if wrap is None:
        return ""
    return wrap.note if viewer is None else wrap.note_for(viewer)


def as_json(value):
    """`call_dict`'s values for json.dumps: ids as strings, times as ISO 8601 in UTC."""
    if isinstance(value, dict):
        return {k: as_json(v) for k, v in value.items()}
    if isinstance(value, UUID):
        return str(value)
    if isinstance(value, datetime):  # as the API writes them (milliseconds, Z)
        return DjangoJSONEncoder().default(value.astimezone(UTC))
    return value


def follow_up_dict(follow_up, *, links: TenantLinks | None = None) -> dict:
    """A follow-up as the API answers it (api/endpoints/followups.py) and the `followup.due`
    webhook carries it (`as_json` of it); its calls by their ids."""
    out = {
        "id": follow_up.code,
        "called": follow_up.called,
        "due_at": follow_up.due_at,
        "note": follow_up.note,
        "assignee": follow_up.assignee.username,
        "status": follow_up.status,
        "cancel_reason": follow_up.cancel_reason,
        "done_at": follow_up.done_at,
        "created_at": follow_up.created_at,
        "created_by": follow_up.created_by.username if follow_up.created_by_id else None,
        "source_call_id": follow_up.source_call.code if follow_up.source_call_id else None,
        "placed_call_id": follow_up.placed_call.code if follow_up.placed_call_id else None,
    }
    if links is not None:
        out["console_url"] = links.follow_ups()
    return out


def follow_up_payload(follow_up) -> dict:
    """The `followup.due` webhook's data: the follow-up as the API answers it."""
    return as_json(follow_up_dict(follow_up, links=TenantLinks(follow_up.tenant.code)))
