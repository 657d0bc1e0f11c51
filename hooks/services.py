"""Endpoint management by a tenant's admin (each change audited) and "send again"."""

from __future__ import annotations

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from calls.services import outbound
from console import audit
from console.models import Membership, Tenant
from hooks import signing
from hooks.events import EVENT_TYPES
from hooks.models import Delivery, Endpoint

log = logging.getLogger("hooks")


def refresh_tenant_events(tenant: Tenant) -> None:
    """Keep `Tenant.webhook_events` (what the hot path reads) equal to the types some enabled
    endpoint wants."""
    wanted = set()
    for types in Endpoint.objects.filter(tenant=tenant, enabled=True).values_list(
        "events", flat=True
    ):
        wanted.update(t for t in types if t in EVENT_TYPES)
    value = " ".join(sorted(wanted))
    Tenant.objects.filter(pk=tenant.pk).update(webhook_events=value)
    tenant.webhook_events = value


def check_url(url: str) -> None:
    """Raise outbound.Blocked unless the console may send to `url` (resolving its name)."""
    outbound.check(url, resolve=True)


def endpoint_create(*, tenant: Tenant, actor, url: str, events: list[str], description: str = ""):
    """A new endpoint and its secret (returned once: it is never shown again)."""
    check_url(url)
    secret = signing.new_secret()
    with transaction.atomic():
        endpoint = Endpoint.objects.create(
            tenant=tenant,
            url=url,
            description=description,
            events=sorted(events),
            secret=secret,
            created_by=actor,
        )
        refresh_tenant_events(tenant)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="webhook.add",
            target=url,
            changes={"events": " ".join(sorted(events))},
        )
    return endpoint, secret


def endpoint_change(
    *, endpoint: Endpoint, actor, url: str, events: list[str], description: str, enabled: bool
) -> Endpoint:
    check_url(url)
    changes = {}
    for name, value in (
        ("url", url),
        ("events", sorted(events)),
        ("description", description),
        ("enabled", enabled),
    ):
        if getattr(endpoint, name) != value:
            changes[name] = " ".join(value) if name == "events" else value
            setattr(endpoint, name, value)
    if not changes:
        return endpoint
    if "enabled" in changes:
        endpoint.disabled_at = None if enabled else timezone.now()
        endpoint.disabled_reason = ""
        endpoint.failing_since = None
    with transaction.atomic():
        endpoint.save()
        refresh_tenant_events(endpoint.tenant)
        audit.record(
            tenant=endpoint.tenant,
            actor=actor,
            action="webhook.change",
            target=endpoint.url,
            changes=changes,
        )
    return endpoint


def endpoint_rotate(*, endpoint: Endpoint, actor) -> str:
    """A new secret (returned once); the old one still signs for WEBHOOK_SECRET_OVERLAP_HOURS."""
    secret = signing.new_secret()
    endpoint.previous_secret = endpoint.secret
    endpoint.previous_until = timezone.now() + timedelta(
        hours=settings.WEBHOOK_SECRET_OVERLAP_HOURS
    )
    endpoint.secret = secret
    with transaction.atomic():
        endpoint.save(update_fields=["secret", "previous_secret", "previous_until"])
        audit.record(
            tenant=endpoint.tenant, actor=actor, action="webhook.rotate", target=endpoint.url
        )
    return secret


def endpoint_delete(*, endpoint: Endpoint, actor) -> None:
    with transaction.atomic():
        endpoint.delete()
        refresh_tenant_events(endpoint.tenant)
        audit.record(
            tenant=endpoint.tenant, actor=actor, action="webhook.remove", target=endpoint.url
        )


def delivery_resend(*, delivery: Delivery, actor) -> None:
    """Send the same event (same id and body) again, as soon as a worker can."""
    with transaction.atomic():
        Delivery.objects.filter(pk=delivery.pk).update(
            status=Delivery.Status.PENDING,
            next_attempt_at=timezone.now(),
            claimed_by="",
            claimed_until=None,
        )
        audit.record(
            tenant=delivery.tenant,
            actor=actor,
            action="webhook.resend",
            target=f"{delivery.event_type} {delivery.event_id}",
        )


def endpoint_disable_failing(endpoint: Endpoint, now) -> bool:
    """Disable an endpoint that has failed since `failing_since` for too long; tell the tenant's
    admins (audit entry, the banner on the webhook pages, an e-mail). True if this call did."""
    with transaction.atomic():
        n = Endpoint.objects.filter(pk=endpoint.pk, enabled=True).update(
            enabled=False, disabled_at=now, disabled_reason="failing"
        )
        if not n:
            return False
        refresh_tenant_events(endpoint.tenant)
        audit.record(
            tenant=endpoint.tenant,
            actor=None,
            action="webhook.disable",
            target=endpoint.url,
            changes={"failing_since": endpoint.failing_since.isoformat()},
        )
    log.warning("webhooks: endpoint %s disabled after failing for days", endpoint.code)
    admins = Membership.objects.filter(
        tenant=endpoint.tenant, role=Membership.Role.ADMIN
    ).select_related("user")
    to = [m.user.email for m in admins if m.user.email]
    if to:
        try:
            send_mail(
                _("Webhook endpoint disabled: %(tenant)s") % {"tenant": endpoint.tenant.name},
                _(
                    "The webhook endpoint %(url)s has failed every delivery since %(since)s, so "
                    "the console stopped sending to it. Fix the receiver, then enable the "
                    "endpoint again on the Webhooks page and send the failed events again."
                )
                % {"url": endpoint.url, "since": endpoint.failing_since.isoformat()},
                None,
                to,
            )
        except Exception:
            log.exception("webhooks: could not e-mail the admins about endpoint %s", endpoint.code)
    return True
