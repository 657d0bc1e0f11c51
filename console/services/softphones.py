"""Softphone mappings: adding, changing, enabling or disabling, and importing them. Each change
writes its audit entry in the same transaction."""

from django.db import transaction
from django.db.models import Count, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from console import audit
from console.models import SoftphoneMapping, Tenant
from console.selectors import mapping_conflicts
from console.services.settings import fetch_allocation

FIELDS = ("user", "softphone", "calling_number")


def _snapshot(mapping: SoftphoneMapping) -> dict:
    return {
        "user": mapping.user.username,
        "softphone": mapping.softphone,
        "calling_number": mapping.calling_number,
        "enabled": mapping.enabled,
    }


def mapping_add(*, tenant: Tenant, data: dict, actor) -> SoftphoneMapping:
    """Map a softphone (`data`: user, softphone, calling_number). Raises IntegrityError when
    someone took the number or mapped the user a moment ago."""
    with transaction.atomic():
        mapping = tenant.softphones.create(**{f: data[f] for f in FIELDS})
        audit.record(
            tenant=tenant,
            actor=actor,
            action="softphone.add",
            target=mapping.softphone,
            changes=audit.diff({}, _snapshot(mapping)),
        )
    return mapping


def mapping_change(*, mapping: SoftphoneMapping, data: dict, actor) -> dict:
    """Save the changed fields; returns the changes ({} when nothing changed). Raises
    IntegrityError like mapping_add."""
    before = _snapshot(mapping)
    for f in FIELDS:
        setattr(mapping, f, data[f])
    changes = audit.diff(before, _snapshot(mapping))
    if changes:
        with transaction.atomic():
            mapping.save(update_fields=[*FIELDS, "updated_at"])
            if "softphone" in changes:  # another softphone: its health starts afresh
                health_reset(mapping)
                count_unhealthy(mapping.tenant)
            audit.record(
                tenant=mapping.tenant,
                actor=actor,
                action="softphone.change",
                target=mapping.softphone,
                changes=changes,
            )
    return changes


def mapping_toggle(*, mapping: SoftphoneMapping, actor) -> str | None:
    """Enable a disabled mapping or disable an enabled one. Returns why it cannot be enabled
    (its manager has another active softphone), or None when done."""
    if not mapping.enabled:
        error = mapping_conflicts(
            mapping.tenant,
            user=mapping.user,
            softphone=mapping.softphone,
            enabled=True,
            exclude_pk=mapping.pk,
        ).get("user")
        if error:
            return error
    mapping.enabled = not mapping.enabled
    with transaction.atomic():
        mapping.save(update_fields=["enabled", "updated_at"])
        if mapping.health_unhealthy:  # the banner counts enabled softphones only
            count_unhealthy(mapping.tenant)
        audit.record(
            tenant=mapping.tenant,
            actor=actor,
            action="softphone.enable" if mapping.enabled else "softphone.disable",
            target=mapping.softphone,
            changes={"enabled": [not mapping.enabled, mapping.enabled]},
        )
    return None


def mappings_import(*, tenant: Tenant, rows: list, actor) -> tuple[int, int]:
    """Apply validated import rows (console.forms.ImportRow), all or none. Returns (added,
    updated); a row whose mapping already says the same is left alone."""
    added = updated = 0
    with transaction.atomic():
        for row in rows:
            if row.existing is not None:
                if row.existing.calling_number == row.calling_number:
                    continue
                before = _snapshot(row.existing)
                row.existing.calling_number = row.calling_number
                row.existing.save(update_fields=["calling_number", "updated_at"])
                action, target = "softphone.change", row.existing
                updated += 1
            else:
                target = tenant.softphones.create(
                    user=row.user, softphone=row.softphone, calling_number=row.calling_number
                )
                before, action = {}, "softphone.add"
                added += 1
            audit.record(
                tenant=tenant,
                actor=actor,
                action=action,
                target=target.softphone,
                changes=audit.diff(before, _snapshot(target)),
            )
        audit.record(
            tenant=tenant,
            actor=actor,
            action="softphone.import",
            target=_("%(n)d rows") % {"n": len(rows)},
            changes={"added": [None, added], "updated": [None, updated]},
        )
    return added, updated


def allocation_warnings(tenant: Tenant, numbers: list[str]) -> list[str]:
    """Warnings for the `numbers` just mapped, when AICC's allocation list is readable: a number
    it did not allocate to the tenant, or one it reports as paused (queryPhone status 1)."""
    allocation = fetch_allocation(tenant)
    if allocation.phones is None:
        return []
    listed = {p.number: p for p in allocation.phones}
    warnings = []
    for number in numbers:
        phone = listed.get(number)
        if phone is None:
            warnings.append(
                _(
                    "Saved, but %(number)s is not among the softphones AICC allocated to this "
                    "tenant: AICC will refuse its calls (code 8) until it is allocated."
                )
                % {"number": number}
            )
        elif phone.status == 1:
            warnings.append(
                _(
                    "Saved, but AICC reports softphone %(number)s as paused (not registered): "
                    "calls may not reach this customer manager's phone until it is registered "
                    "again. Check it in AICC, or map a registered number."
                )
                % {"number": number}
            )
    return warnings


# --- health (kept by calls.services.health) ------------------------------------------------------


def count_unhealthy(tenant: Tenant) -> int:
    """Count the tenant's enabled unhealthy softphones again onto its row (one UPDATE)."""
    unhealthy = (
        SoftphoneMapping.objects.filter(tenant=OuterRef("pk"), enabled=True, health_unhealthy=True)
        .order_by()
        .values("tenant")
        .annotate(n=Count("pk"))
        .values("n")
    )
    Tenant.objects.filter(pk=tenant.pk).update(
        unhealthy_softphones=Coalesce(Subquery(unhealthy), Value(0))
    )
    tenant.refresh_from_db(fields=["unhealthy_softphones"])
    return tenant.unhealthy_softphones


def health_reset(mapping: SoftphoneMapping) -> None:
    """Forget a mapping's health (its number changed: another softphone), without an event."""
    SoftphoneMapping.objects.filter(pk=mapping.pk).update(
        health_not_reached=0,
        health_unanswered=0,
        health_refused=0,
        health_since=None,
        health_last_ok_at=None,
        health_unhealthy=False,
        health_changed_at=None,
    )
    mapping.health_not_reached = mapping.health_unanswered = mapping.health_refused = 0
    mapping.health_since = mapping.health_last_ok_at = mapping.health_changed_at = None
    mapping.health_unhealthy = False
