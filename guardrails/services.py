"""Changes to the guardrails, each audited: the do-not-call list (one number, an import, from a
wrap-up) and the tenant's rules (caps, calling hours, holidays, who may call anyway)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db import IntegrityError, transaction
from django.shortcuts import get_object_or_404
from django.utils import timezone

from console import audit
from console.models import Tenant
from customers.numbers import to_e164
from guardrails.models import REASON_MAX, DoNotCall

RULE_FIELDS = (
    "calls_per_day",
    "calls_per_week",
    "calling_hours_on",
    "calling_hours",
    "holidays",
    "override_roles",
)


class NotANumber(ValueError):
    """The number does not read as a phone number in the tenant's region."""


@dataclass(frozen=True)
class DncRow:
    """One row of an import, checked (guardrails/forms.py)."""

    number: str  # E.164
    reason: str
    expires_at: datetime | None


def dnc_of(tenant: Tenant, code) -> DoNotCall:
    """The tenant's entry (404 otherwise)."""
    return get_object_or_404(DoNotCall, tenant=tenant, code=code)


def dnc_entry(tenant: Tenant, number: str) -> DoNotCall | None:
    e164 = to_e164(number, tenant.default_region)
    if not e164:
        return None
    return DoNotCall.objects.filter(tenant=tenant, number=e164).first()


def dnc_add(
    *,
    tenant: Tenant,
    number: str,
    reason: str = "",
    expires_at: datetime | None = None,
    actor=None,
) -> tuple[DoNotCall, bool]:
    """Put `number` (any form: read in the tenant's region) on the list, or update its entry's
    reason and expiry. Returns (entry, created). Raises NotANumber."""
    e164 = to_e164(number, tenant.default_region)
    if not e164:
        raise NotANumber(number)
    reason = " ".join((reason or "").split())[:REASON_MAX]
    with transaction.atomic():
        entry = DoNotCall.objects.select_for_update().filter(tenant=tenant, number=e164).first()
        created = entry is None
        if created:
            try:
                with transaction.atomic():
                    entry = DoNotCall.objects.create(
                        tenant=tenant,
                        number=e164,
                        reason=reason,
                        expires_at=expires_at,
                        added_by=actor,
                    )
            except IntegrityError:  # added by someone else a moment ago: update theirs
                entry = DoNotCall.objects.get(tenant=tenant, number=e164)
                created = False
        if not created:
            if (entry.reason, entry.expires_at) == (reason, expires_at):
                return entry, False
            entry.reason, entry.expires_at = reason, expires_at
            entry.save(update_fields=["reason", "expires_at"])
        audit.record(
            tenant=tenant,
            actor=actor,
            action="dnc.add",
            target=e164,
            changes={
                "reason": reason,
                "expires_at": expires_at.isoformat() if expires_at else None,
            },
        )
    return entry, created


def dnc_remove(*, entry: DoNotCall, actor=None) -> None:
    with transaction.atomic():
        entry.delete()
        audit.record(tenant=entry.tenant, actor=actor, action="dnc.remove", target=entry.number)


def dnc_import(*, tenant: Tenant, rows: list[DncRow], actor=None) -> tuple[int, int]:
    """All the rows at once (the form checked every one): new numbers added, listed ones given
    the row's reason and expiry. Returns (added, updated)."""
    by_number = {r.number: r for r in rows}
    with transaction.atomic():
        existing = {
            e.number: e
            for e in DoNotCall.objects.select_for_update().filter(
                tenant=tenant, number__in=list(by_number)
            )
        }
        new = [
            DoNotCall(
                tenant=tenant,
                number=r.number,
                reason=r.reason,
                expires_at=r.expires_at,
                added_by=actor,
            )
            for n, r in by_number.items()
            if n not in existing
        ]
        DoNotCall.objects.bulk_create(new, batch_size=2000)
        changed = []
        for n, entry in existing.items():
            r = by_number[n]
            if (entry.reason, entry.expires_at) != (r.reason, r.expires_at):
                entry.reason, entry.expires_at = r.reason, r.expires_at
                changed.append(entry)
        DoNotCall.objects.bulk_update(changed, ["reason", "expires_at"], batch_size=2000)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="dnc.import",
            target=f"{len(rows)} rows",
            changes={"added": len(new), "updated": len(changed)},
        )
    return len(new), len(changed)


def dnc_from_call(*, call, actor) -> DoNotCall | None:
    """ "Customer asked not to be called" (the wrap-up's box): the call's customer number goes on
    the list (nothing for a call without one)."""
    if not call.customer_number:
        return None
    entry, _created = dnc_add(
        tenant=call.tenant,
        number=call.customer_number,
        reason="Customer asked not to be called (wrap-up)",
        actor=actor,
    )
    return entry


def rules_save(*, tenant: Tenant, data: dict, actor) -> dict:
    """The tenant's guardrail rules (RULE_FIELDS), audited."""
    before = audit.snapshot(tenant, RULE_FIELDS)
    for f in RULE_FIELDS:
        setattr(tenant, f, data[f])
    changes = audit.diff(before, audit.snapshot(tenant, RULE_FIELDS))
    if changes:
        with transaction.atomic():
            tenant.save(update_fields=list(changes))
            audit.record(
                tenant=tenant,
                actor=actor,
                action="guardrails.change",
                target=tenant.name,
                changes=changes,
            )
    return changes


def active(entry: DoNotCall) -> bool:
    return entry.expires_at is None or entry.expires_at > timezone.now()
