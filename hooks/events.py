"""Webhook events: their types, the call's representation, and the outbox write.

`emit()` is what the call services call inside the transaction of the change: nothing at all
(no query) unless the tenant row says an enabled endpoint wants the type (`Tenant.webhook_events`,
kept by hooks.services), then one SELECT of the endpoints and one INSERT of their deliveries.
"""

from __future__ import annotations

import json
from datetime import UTC
from uuid import uuid4

from django.utils import timezone, translation
from django.utils.translation import gettext_lazy as _

from hooks.models import Delivery, Endpoint

# Every type an endpoint may subscribe to, with its label on the admin's pages.
EVENT_TYPES = {
    "call.placed": _("A call was placed (AICC accepted it)"),
    "call.failed": _("A call failed: not placed, with the reason"),
    "call.ended": _("A call ended, with its outcome"),
    "call.wrapped_up": _(
        "A call was wrapped up (its disposition and note), or its wrap-up changed"
    ),
    "followup.due": _("A follow-up call fell due"),
    "softphone.unhealthy": _("A softphone turned unhealthy: calls stopped getting through to it"),
    "softphone.healthy": _("An unhealthy softphone is healthy again: a call was answered on it"),
}


def wanted(tenant, event_type: str) -> bool:
    return event_type in tenant.webhook_events.split()


def _iso(value) -> str | None:
    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")


def call_payload(call) -> dict:
    """The call exactly as the API's `GET /api/v1/calls/{id}` answers it
    (calls/representation.py), in the words for "others" (not the manager who placed it), in
    English; the full called number: receivers are the tenant's own systems."""
    from calls.aicc.reasons import Reader
    from calls.links import TenantLinks
    from calls.representation import as_json, call_dict

    manager = call.user.username if call.user_id else None
    with translation.override("en"):
        data = call_dict(
            call, reader=Reader.OTHERS, manager=manager, links=TenantLinks(call.tenant.code)
        )
        return as_json(data)


def event_body(event_id: str, event_type: str, at, tenant, data: dict) -> str:
    return json.dumps(
        {
            "id": event_id,
            "type": event_type,
            "timestamp": _iso(at),
            "tenant": {"id": str(tenant.code), "slug": tenant.slug},
            "data": data,
        },
        separators=(",", ":"),
        ensure_ascii=False,
    )


def emit(tenant, event_type: str, data_of) -> int:
    """Write the event to the outbox of each enabled endpoint of `tenant` subscribed to it (call
    inside the transaction of the change). `data_of()` builds the payload's data only if some
    endpoint wants it. Returns the deliveries written."""
    if not wanted(tenant, event_type):
        return 0
    endpoints = [
        e.pk
        for e in Endpoint.objects.filter(tenant=tenant, enabled=True).only("pk", "events")
        if event_type in e.events
    ]
    if not endpoints:
        return 0
    now = timezone.now()
    event_id = "evt_" + uuid4().hex
    body = event_body(event_id, event_type, now, tenant, data_of())
    Delivery.objects.bulk_create(
        Delivery(
            tenant=tenant,
            endpoint_id=pk,
            event_id=event_id,
            event_type=event_type,
            body=body,
            created_at=now,
            next_attempt_at=now,
        )
        for pk in endpoints
    )
    return len(endpoints)


def emit_call(call, event_type: str) -> int:
    return emit(call.tenant, event_type, lambda: {"call": call_payload(call)})


def emit_calls(tenant, event_type: str, calls_query) -> int:
    """`emit_call` for each call of `calls_query` (a Call queryset of `tenant`), after an UPDATE
    that changed them; nothing (no query) unless the tenant wants the type."""
    if not wanted(tenant, event_type):
        return 0
    written = 0
    for call in calls_query.select_related("user"):
        call.tenant = tenant
        written += emit_call(call, event_type)
    return written


def outbox(tenant, event_type: str):
    """The transaction to make a change and write its event in: `transaction.atomic()` when the
    tenant wants the event, else nothing (the change alone needs no transaction)."""
    from contextlib import nullcontext

    from django.db import transaction

    return transaction.atomic() if wanted(tenant, event_type) else nullcontext()
