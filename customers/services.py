"""Creating, changing, deleting and importing customers. Each change writes its audit entry in
the same transaction (console/audit.py). Numbers come cleaned (E.164, customers/forms.py); the
unique (tenant, number) constraint keeps one number one customer even when two people save at
once: the later save raises IntegrityError."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from console import audit
from console.models import Tenant
from customers.models import Customer, CustomerNumber

FIELDS = ("name", "company", "crm_id", "notes")


def _snapshot(customer: Customer, numbers: list[str]) -> dict:
    return {**{f: getattr(customer, f) for f in FIELDS}, "numbers": " ".join(numbers)}


def _set_numbers(customer: Customer, numbers: list[str]) -> None:
    """The customer's numbers become `numbers` (primary first)."""
    CustomerNumber.objects.filter(customer=customer).exclude(number__in=numbers).delete()
    have = set(CustomerNumber.objects.filter(customer=customer).values_list("number", flat=True))
    CustomerNumber.objects.bulk_create(
        CustomerNumber(tenant_id=customer.tenant_id, customer=customer, number=n)
        for n in numbers
        if n not in have
    )


def customer_create(*, tenant: Tenant, data: dict, numbers: list[str], actor) -> Customer:
    """A new customer (`data`: name, company, crm_id, notes; `numbers`: E.164, primary first)."""
    with transaction.atomic():
        customer = Customer.objects.create(
            tenant=tenant,
            primary_number=numbers[0],
            created_by=actor,
            updated_by=actor,
            **{f: data.get(f, "") for f in FIELDS},
        )
        _set_numbers(customer, numbers)
        audit.record(
            tenant=tenant,
            actor=actor,
            action="customer.add",
            target=customer.name,
            changes=audit.diff({}, _snapshot(customer, numbers)),
        )
    return customer


def customer_change(*, customer: Customer, data: dict, numbers: list[str], actor) -> dict:
    """Save what changed; returns the changes ({} when nothing did)."""
    before_numbers = list(customer.numbers.values_list("number", flat=True))
    before_numbers.sort(key=lambda n: n != customer.primary_number)
    before = _snapshot(customer, before_numbers)
    for f in FIELDS:
        if f in data:
            setattr(customer, f, data[f])
    customer.primary_number = numbers[0]
    changes = audit.diff(before, _snapshot(customer, numbers))
    if changes:
        customer.updated_by = actor
        with transaction.atomic():
            customer.save()
            _set_numbers(customer, numbers)
            audit.record(
                tenant=customer.tenant,
                actor=actor,
                action="customer.change",
                target=customer.name,
                changes=changes,
            )
    return changes


def customer_delete(*, customer: Customer, actor) -> None:
    """The record and its numbers go; the calls to those numbers stay in the history."""
    numbers = list(customer.numbers.values_list("number", flat=True))
    with transaction.atomic():
        audit.record(
            tenant=customer.tenant,
            actor=actor,
            action="customer.remove",
            target=customer.name,
            changes=audit.diff(_snapshot(customer, numbers), {}),
        )
        customer.delete()


def customers_import(*, tenant: Tenant, rows: list, actor) -> tuple[int, int]:
    """Apply validated import rows (customers.forms.ImportRow), all or none. Returns (added,
    updated); a row that says what its customer already says is left alone. A row for an
    existing customer keeps the customer's other numbers and adds the row's."""
    added = updated = 0
    with transaction.atomic():
        for row in rows:
            data = {"name": row.name, "company": row.company, "crm_id": row.crm_id}
            if row.notes:
                data["notes"] = row.notes
            if row.existing is not None:
                customer = row.existing
                customer.tenant = tenant
                kept = list(customer.numbers.values_list("number", flat=True))
                numbers = list(dict.fromkeys([customer.primary_number, *row.numbers, *kept]))
                if customer_change(customer=customer, data=data, numbers=numbers, actor=actor):
                    updated += 1
            else:
                customer_create(tenant=tenant, data=data, numbers=row.numbers, actor=actor)
                added += 1
        audit.record(
            tenant=tenant,
            actor=actor,
            action="customer.import",
            target=_("%(n)d rows") % {"n": len(rows)},
            changes={"added": [None, added], "updated": [None, updated]},
        )
    return added, updated
