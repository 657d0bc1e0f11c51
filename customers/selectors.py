"""Reading a tenant's customers: the directory's pages, one customer, the customer of a number.
Every query starts from the tenant."""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass

from django.db.models import Q, QuerySet, Subquery
from django.http import Http404

from console.models import Tenant
from customers.models import Customer, CustomerNumber
from customers.numbers import to_e164

PAGE_SIZE = 50
_NOT_DIGITS = re.compile(r"[\s\-\.\(\)/+]+")


def customer_of(tenant: Tenant, code) -> Customer:
    """One customer of the tenant, by its code (404 otherwise)."""
    customer = tenant.customers.filter(code=code).first()
    if customer is None:
        raise Http404
    return customer


def customer_for_number(tenant: Tenant, e164: str) -> tuple[Customer | None, list[str]]:
    """The customer whose number `e164` is, and all its numbers (primary first), in one query;
    (None, [e164]) when the number is nobody's."""
    if not e164:
        return None, []
    owner = CustomerNumber.objects.filter(tenant_id=tenant.pk, number=e164).values("customer_id")
    rows = list(
        CustomerNumber.objects.filter(tenant_id=tenant.pk, customer_id__in=owner[:1])
        .select_related("customer")
        .order_by("id")
    )
    if not rows:
        return None, [e164]
    customer = rows[0].customer
    customer.tenant = tenant
    numbers = [r.number for r in rows]
    numbers.sort(key=lambda n: n != customer.primary_number)
    customer.all_numbers = numbers
    return customer, numbers


def names_for(tenant: Tenant, numbers) -> dict[str, str]:
    """{E.164 number: customer's name} for those of `numbers` that are a customer's: one query
    (history rows, the in-call bar)."""
    wanted = {n for n in numbers if n}
    if not wanted:
        return {}
    rows = CustomerNumber.objects.filter(tenant_id=tenant.pk, number__in=wanted).values_list(
        "number", "customer__name"
    )
    return dict(rows)


def customer_name_of(tenant_id, number) -> Subquery:
    """The name of the customer whose number `number` is (expressions, e.g. OuterRef), as a
    subquery to annotate a call with (the in-call bar)."""
    rows = CustomerNumber.objects.filter(tenant_id=tenant_id, number=number)
    return Subquery(rows.values("customer__name")[:1])


def search(tenant: Tenant, q: str) -> QuerySet[Customer]:
    """The directory's customers matching `q`: a number (any form; digits match anywhere in a
    customer's E.164 numbers), or words in the name, company or CRM id."""
    qs = tenant.customers.all()
    q = (q or "").strip()
    if not q:
        return qs
    digits = _NOT_DIGITS.sub("", q)
    if digits.isdigit():
        full = to_e164(q, tenant.default_region)
        has = CustomerNumber.objects.filter(tenant_id=tenant.pk)
        if full:
            has = has.filter(Q(number=full) | Q(number__contains=digits))
        else:
            has = has.filter(number__contains=digits)
        return qs.filter(pk__in=has.values("customer_id"))
    return qs.filter(Q(name__icontains=q) | Q(company__icontains=q) | Q(crm_id=q))


def _encode(customer: Customer) -> str:
    raw = f"{customer.pk}.{customer.name}".encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def _decode(cursor: str) -> tuple[str, int] | None:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        pk, _sep, name = raw.partition(".")
        return name, int(pk)
    except (ValueError, binascii.Error, UnicodeDecodeError):
        return None


@dataclass
class Page:
    customers: list[Customer]
    next_cursor: str | None
    first: bool


def directory_page(qs: QuerySet[Customer], *, after: str | None, size: int = PAGE_SIZE) -> Page:
    """One page of the directory by (name, id): keyset pages, so page 2,000 costs what page 1
    costs (index customer_tenant_name)."""
    key = _decode(after) if after else None
    if key is not None:
        name, pk = key
        qs = qs.filter(Q(name__gt=name) | Q(name=name, id__gt=pk))
    rows = list(qs.order_by("name", "id")[: size + 1])
    more = len(rows) > size
    rows = rows[:size]
    return Page(rows, _encode(rows[-1]) if more and rows else None, first=key is None)
