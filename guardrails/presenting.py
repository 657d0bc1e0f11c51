"""A guardrails verdict in the words of the page that shows it: the call form's customer card
(as the number is typed) and the refusal after a click."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from calls.aicc.reasons import decode
from console.models import Membership
from guardrails import rules
from guardrails.preflight import OVERRIDE_MAX, OVERRIDE_MIN, Verdict


def _when(at, zone: ZoneInfo) -> str:
    local = at.astimezone(zone)
    return f"{date_format(local, 'D')} {local:%Y-%m-%d %H:%M}"


def who_may_override(verdict: Verdict) -> str:
    """Who may call anyway past a refusal, for someone who may not."""
    if not verdict.override_roles:
        return _(
            "Nobody in this tenant may call anyway. A console admin can allow it for customer "
            "managers on Settings → Guardrails."
        )
    labels = [
        str(label) for role, label in Membership.Role.choices if role in verdict.override_roles
    ]
    return _(
        "Only these roles may call anyway, with a typed reason: %(roles)s. A console admin "
        "changes that on Settings → Guardrails."
    ) % {"roles": ", ".join(labels)}


def context(verdict: Verdict, tenant_zone: str) -> dict:
    """What the templates show (guardrails/_verdict.html)."""
    zones = rules.zones(verdict.zones) if verdict.zones else (ZoneInfo(tenant_zone),)
    now = timezone.now()
    ctx = {
        "verdict": verdict,
        "customer_time": f"{now.astimezone(zones[0]):%H:%M} ({verdict.zone_label})",
        "override_min": OVERRIDE_MIN,
        "override_max": OVERRIDE_MAX,
    }
    if verdict.ok:
        return ctx
    ctx["reason"] = decode("console", verdict.code)
    if verdict.opens_at is not None:
        ctx["opens_customer"] = f"{_when(verdict.opens_at, zones[0])} ({verdict.zones[0]})"
        ctx["opens_yours"] = _when(verdict.opens_at, ZoneInfo(tenant_zone))
    if not verdict.may_override:
        ctx["who_may_override"] = who_may_override(verdict)
    return ctx
