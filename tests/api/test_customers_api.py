"""/api/v1/customers: list, create, get, patch; scoped by the token's tenant; problem+json."""

import json

import pytest

from console.models import AuditEntry
from customers.models import Customer
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db


def send(client, method, path, token, body=None):
    kwargs = {"headers": {"Authorization": f"Bearer {token}"}}
    if body is not None:
        kwargs.update(data=json.dumps(body), content_type="application/json")
    return getattr(client, method)(f"/api/v1{path}", **kwargs)


@pytest.mark.parametrize("role", ["manager", "supervisor", "admin"])
def test_every_role_creates_reads_and_changes_customers(client, request, tenant, token_for, role):
    user = request.getfixturevalue(role)
    token = token_for(user, tenant)
    r = send(client, "post", "/customers", token,
             {"name": "Li Lei", "number": "+86 138-0000-1234", "other_numbers": ["020 7946 0958"],
              "crm_id": "crm-7"})  # fmt: skip
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["number"] == "+8613800001234"
    assert body["numbers"] == ["+8613800001234", "+862079460958"]
    assert body["console_url"] == f"/t/{tenant.code}/customers/+8613800001234/"
    cid = body["id"]
    assert AuditEntry.objects.get(action="customer.add").actor == user
    r = send(client, "patch", f"/customers/{cid}", token, {"company": "Acme"})
    assert r.status_code == 200 and r.json()["company"] == "Acme"
    assert r.json()["numbers"] == ["+8613800001234", "+862079460958"]  # unchanged
    r = send(client, "get", f"/customers/{cid}", token)
    assert r.json()["crm_id"] == "crm-7" and r.json()["company"] == "Acme"
    r = send(client, "get", "/customers?q=8613800001234", token)
    assert [c["id"] for c in r.json()["items"]] == [cid]


def test_a_taken_or_invalid_number_is_a_problem(client, manager, tenant, token_for):
    make_customer(tenant, "Li Lei", ("+8613800001234",))
    token = token_for(manager, tenant)
    r = send(client, "post", "/customers", token, {"name": "Twin", "number": "13800001234"})
    assert r.status_code == 422 and r["Content-Type"] == "application/problem+json"
    assert r.json()["errors"]["number"] == ["+8613800001234 is already the number of Li Lei."]
    r = send(client, "post", "/customers", token, {"name": "X", "number": "12345"})
    assert r.status_code == 422 and "number" in r.json()["errors"]
    r = send(client, "post", "/customers", token, {"number": "13900000000"})
    assert r.status_code == 422 and "name" in r.json()["errors"]
    assert Customer.objects.count() == 1


def test_another_tenants_customers_are_404_and_never_listed(
    client, manager, tenant, other_tenant, outsider, token_for
):
    theirs = make_customer(other_tenant, "Secret Customer", ("+8613800001234",))
    token = token_for(manager, tenant)
    assert send(client, "get", f"/customers/{theirs.code}", token).status_code == 404
    r = send(client, "patch", f"/customers/{theirs.code}", token, {"name": "Mine now"})
    assert r.status_code == 404 and r["Content-Type"] == "application/problem+json"
    assert send(client, "get", "/customers", token).json()["items"] == []
    # Their number is free in this tenant: one number is one customer per tenant.
    r = send(client, "post", "/customers", token, {"name": "Ours", "number": "13800001234"})
    assert r.status_code == 201
    theirs.refresh_from_db()
    assert theirs.name == "Secret Customer"


def test_the_list_pages_by_cursor(client, supervisor, tenant, token_for):
    for i in range(5):
        make_customer(tenant, f"C{i}", (f"+8613800000{i:03d}",))
    token = token_for(supervisor, tenant)
    first = send(client, "get", "/customers?size=3", token).json()
    assert [c["name"] for c in first["items"]] == ["C0", "C1", "C2"]
    rest = send(client, "get", f"/customers?size=3&after={first['next_cursor']}", token).json()
    assert [c["name"] for c in rest["items"]] == ["C3", "C4"] and rest["next_cursor"] is None


def test_text_a_database_cannot_store_is_a_problem_not_a_crash(client, manager, tenant, token_for):
    """A lone surrogate (valid JSON, "\\ud800") or a NUL in a customer's text: 422, nothing
    stored (the database driver could not store either)."""
    token = token_for(manager, tenant)
    for name in ("Li \ud800", "Li \x00"):
        r = send(client, "post", "/customers", token, {"name": name, "number": "13900000001"})
        assert r.status_code == 422, r.content
        assert r["Content-Type"] == "application/problem+json"
    assert not Customer.objects.exists()
