"""Softphone health kept up to date as calls' outcomes are stored (issue 20, section 2).

Each call is counted once: `after_outcome` runs only for the call whose outcome this process
just wrote (calls.services.outcomes.outcome_apply: one UPDATE per call, exactly once), and
`after_refusal` only for a createCall answer just stored. The streak lives on the softphone's
mapping (SoftphoneMapping.health_*); a transition to unhealthy (or back) is one conditional
UPDATE ("... WHERE health_unhealthy = false AND streak >= 3"), so of two processes racing only
one sees it change and writes the `softphone.unhealthy` (or `softphone.healthy`) webhook event:
once per transition. The tenant row's `unhealthy_softphones` (the admins' banner) is counted
again in the same UPDATE-with-subquery after each transition or mapping change.
"""

from __future__ import annotations

import logging

from django.db.models import F, Value
from django.db.models.functions import Coalesce, Greatest
from django.db.models.lookups import GreaterThanOrEqual
from django.utils import timezone, translation

from calls.softphone_health import (
    ANSWERED,
    NEUTRAL,
    NOT_REACHED,
    REFUSED,
    UNANSWERED,
    UNHEALTHY_AFTER,
    agent_leg,
)
from console.models import SoftphoneMapping, Tenant
from console.services.softphones import count_unhealthy
from hooks import events

log = logging.getLogger("calls.health")

STREAK_FIELDS = {
    NOT_REACHED: "health_not_reached",
    UNANSWERED: "health_unanswered",
    REFUSED: "health_refused",
}
LEG_FIELDS = (
    "id",
    "code",
    "softphone",
    "created_at",
    "status",
    "reason_source",
    "reason_code",
    "outcome_code",
    "outcome_source",
    "call_type",
    "agent_alerting_at",
    "agent_talking_at",
)
UNHEALTHY, HEALTHY = "softphone.unhealthy", "softphone.healthy"


def after_outcome(tenant: Tenant, calls) -> None:
    """The calls (a Call queryset of `tenant`) whose outcome was just stored."""
    for call in calls.only(*LEG_FIELDS):
        record(tenant, call)


def after_refusal(tenant: Tenant, call) -> None:
    """A call whose createCall answer was just stored as failed."""
    if agent_leg(call) == REFUSED:
        record(tenant, call)


def record(tenant: Tenant, call) -> str:
    """Count `call` for its softphone; returns what it said (calls.softphone_health)."""
    kind = agent_leg(call)
    if kind == NEUTRAL or not call.softphone:
        return kind
    mappings = SoftphoneMapping.objects.filter(tenant=tenant, softphone=call.softphone)
    now = timezone.now()
    if kind == ANSWERED:
        cleared = {f: 0 for f in STREAK_FIELDS.values()}
        last_ok = Greatest(
            Coalesce(F("health_last_ok_at"), Value(call.created_at)), call.created_at
        )
        with events.outbox(tenant, HEALTHY):
            n = mappings.filter(health_unhealthy=True).update(
                health_unhealthy=False,
                health_changed_at=now,
                health_since=None,
                health_last_ok_at=last_ok,
                **cleared,
            )
            if n:
                _emit(tenant, HEALTHY, call)
        if n:
            count_unhealthy(tenant)
            log.info("softphone %s healthy again (tenant %s)", call.softphone, tenant.slug)
        else:
            mappings.update(health_since=None, health_last_ok_at=last_ok, **cleared)
        return kind
    field = STREAK_FIELDS[kind]
    mappings.update(
        **{field: F(field) + 1},
        health_since=Coalesce(F("health_since"), Value(call.created_at)),
    )
    streak = F("health_not_reached") + F("health_unanswered") + F("health_refused")
    with events.outbox(tenant, UNHEALTHY):
        n = (
            mappings.filter(health_unhealthy=False)
            .filter(GreaterThanOrEqual(streak, UNHEALTHY_AFTER))
            .update(health_unhealthy=True, health_changed_at=now)
        )
        if n:
            _emit(tenant, UNHEALTHY, call)
    if n:
        count_unhealthy(tenant)
        log.warning("softphone %s unhealthy (tenant %s)", call.softphone, tenant.slug)
    return kind


def _emit(tenant: Tenant, event_type: str, call) -> None:
    def data():
        mapping = (
            SoftphoneMapping.objects.filter(tenant=tenant, softphone=call.softphone)
            .select_related("user")
            .first()
        )
        return {"softphone": softphone_payload(tenant, mapping), "call_id": str(call.code)}

    events.emit(tenant, event_type, data)


def softphone_payload(tenant: Tenant, mapping: SoftphoneMapping) -> dict:
    """The softphone as a webhook receiver reads it (docs/integrations.md), in English."""
    from calls.softphone_health import verdict

    with translation.override("en"):
        text = verdict(
            mapping, _iso(mapping.health_since) or "", _iso(mapping.health_last_ok_at) or ""
        ).text
    return {
        "number": mapping.softphone,
        "manager": mapping.user.username,
        "enabled": mapping.enabled,
        "state": "unhealthy" if mapping.health_unhealthy else "healthy",
        "not_reached": mapping.health_not_reached,
        "unanswered": mapping.health_unanswered,
        "refused": mapping.health_refused,
        "since": _iso(mapping.health_since),
        "last_answered_at": _iso(mapping.health_last_ok_at),
        "changed_at": _iso(mapping.health_changed_at),
        "verdict": text,
        "threshold": UNHEALTHY_AFTER,
    }


def _iso(value) -> str | None:
    from datetime import UTC

    if value is None:
        return None
    return value.astimezone(UTC).isoformat().replace("+00:00", "Z")
