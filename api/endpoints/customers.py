"""/customers: the tenant's customer directory (list and search, add, read, change).

Scoped like the pages (customers/views.py): every role of the token's tenant reads the directory
and adds or changes customers; a customer of another tenant is 404, as if it did not exist. The
same rules as the customer form apply (customers/forms.py): numbers in any form are read in the
tenant's default region and kept in E.164, and one number is one customer (422 otherwise).
"""

from __future__ import annotations

from datetime import datetime
from uuid import UUID

from django.db import IntegrityError
from django.http import QueryDict
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from ninja import Status as Answer
from pydantic import field_validator

from api.problems import ProblemError, responses
from api.text import plain_text
from calls.links import TenantLinks
from console.models import Membership
from customers import selectors
from customers.forms import CustomerForm
from customers.models import Customer
from customers.services import customer_change, customer_create

router = Router(tags=["customers"])
MAX_SIZE = 200


_text = plain_text


class CustomerIn(Schema):
    name: str = Field(..., min_length=1, max_length=200, examples=["Li Lei"])
    number: str = Field(
        ...,
        max_length=64,
        description="The number the customer is called on, in any form: read in the tenant's "
        "default region.",
        examples=["138-0000-1234"],
    )
    other_numbers: list[str] = Field(default_factory=list, max_length=9)
    company: str = Field("", max_length=200)
    crm_id: str = Field("", max_length=100, description="The customer's id in your CRM.")
    notes: str = Field("", max_length=2000)

    _clean = field_validator("name", "number", "company", "crm_id", "notes")(_text)


class CustomerPatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    number: str | None = Field(None, max_length=64)
    other_numbers: list[str] | None = Field(None, max_length=9)
    company: str | None = Field(None, max_length=200)
    crm_id: str | None = Field(None, max_length=100)
    notes: str | None = Field(None, max_length=2000)

    _clean = field_validator("name", "number", "company", "crm_id", "notes")(_text)


class CustomerOut(Schema):
    id: UUID
    name: str
    number: str = Field(description="The primary number, E.164.")
    numbers: list[str] = Field(description="Every number of the customer, E.164, primary first.")
    company: str
    crm_id: str
    notes: str
    created_at: datetime
    updated_at: datetime
    console_url: str = Field(description="The customer's timeline in the console.")


class CustomerPage(Schema):
    items: list[CustomerOut]
    next_cursor: str | None = Field(description="Pass as `after` for the next page.")


class CustomerFilter(Schema):
    q: str | None = Field(None, max_length=100, description="A name, company, CRM id or number.")
    after: str | None = Field(None, max_length=300, description="A `next_cursor`.")
    size: int = Field(50, ge=1, le=MAX_SIZE)


def _out(customer: Customer, numbers: list[str], links: TenantLinks) -> dict:
    numbers = sorted(numbers, key=lambda n: n != customer.primary_number)
    return {
        "id": customer.code,
        "name": customer.name,
        "number": customer.primary_number,
        "numbers": numbers,
        "company": customer.company,
        "crm_id": customer.crm_id,
        "notes": customer.notes,
        "created_at": customer.created_at,
        "updated_at": customer.updated_at,
        "console_url": links.customer(customer.primary_number),
    }


def _one(membership: Membership, customer: Customer) -> dict:
    numbers = list(customer.numbers.values_list("number", flat=True))
    return _out(customer, numbers, TenantLinks(membership.tenant.code))


def _cleaned(membership: Membership, values: dict, instance: Customer | None) -> dict:
    """The customer form's rules on the request's values: its cleaned data, or a 422 problem
    with each field's errors."""
    data = QueryDict(mutable=True)
    for name, value in values.items():
        data[name] = "\n".join(value) if isinstance(value, list) else value
    form = CustomerForm(data, tenant=membership.tenant, instance=instance)
    if not form.is_valid():
        errors = {
            ("request" if name == "__all__" else name): [str(m) for m in msgs]
            for name, msgs in form.errors.items()
        }
        raise ProblemError(422, _("The customer is not valid: see errors."), errors=errors)
    return form.cleaned_data


@router.get("/customers", response={200: CustomerPage, **responses(401, 422, 429)})
def list_customers(request, filters: Query[CustomerFilter]):
    """The tenant's customers by name, or those matching `q` (a name, company, CRM id or a
    number in any form). Pages by keyset: `after` is the `next_cursor` of the page before."""
    membership = request.auth
    qs = selectors.search(membership.tenant, filters.q or "").prefetch_related("numbers")
    page = selectors.directory_page(qs, after=filters.after, size=filters.size)
    links = TenantLinks(membership.tenant.code)
    items = [_out(c, [n.number for n in c.numbers.all()], links) for c in page.customers]
    return {"items": items, "next_cursor": page.next_cursor}


@router.post("/customers", response={201: CustomerOut, **responses(400, 401, 409, 422, 429)})
def create_customer(request, body: CustomerIn):
    """Add a customer. A number that is already a customer's is a 422 problem naming it."""
    membership = request.auth
    data = _cleaned(membership, body.dict(), None)
    try:
        customer = customer_create(
            tenant=membership.tenant, data=data, numbers=data["numbers"], actor=membership.user
        )
    except IntegrityError:
        raise ProblemError(
            409, _("That changed meanwhile: check the list and try again.")
        ) from None
    return Answer(201, _one(membership, customer))


@router.get(
    "/customers/{customer_id}", response={200: CustomerOut, **responses(401, 404, 422, 429)}
)
def get_customer(request, customer_id: UUID):
    """One customer of the token's tenant (404 otherwise)."""
    membership = request.auth
    return _one(membership, selectors.customer_of(membership.tenant, customer_id))


@router.patch(
    "/customers/{customer_id}",
    response={200: CustomerOut, **responses(400, 401, 404, 409, 422, 429)},
)
def update_customer(request, customer_id: UUID, body: CustomerPatch):
    """Change the fields given; the others stay. `other_numbers` replaces the other numbers."""
    membership = request.auth
    customer = selectors.customer_of(membership.tenant, customer_id)
    customer.tenant = membership.tenant
    current = CustomerForm(tenant=membership.tenant, instance=customer).initial
    given = body.dict(exclude_unset=True)
    values = {**current, **{k: v for k, v in given.items() if v is not None}}
    data = _cleaned(membership, values, customer)
    try:
        customer_change(
            customer=customer, data=data, numbers=data["numbers"], actor=membership.user
        )
    except IntegrityError:
        raise ProblemError(
            409, _("That changed meanwhile: check the list and try again.")
        ) from None
    return _one(membership, customer)
