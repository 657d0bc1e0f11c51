"""One customer, one number: what was dialled, in E.164 (customers/numbers.py), and what AICC is
sent (calls/numbers.py: its wire rules unchanged)."""

import pytest

from calls.call_input import check
from calls.models import Call
from calls.numbers import normalise, validate_number
from customers.numbers import display, to_e164

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    "typed", ["+86 138-0000-1234", "8613800001234", "13800001234", "0086 13800001234",
              "(138) 0000 1234", "tel:+86%20138-0000-1234;ext=1", "+86 １３８ ００００ １２３４"],
)  # fmt: skip
def test_every_form_of_a_number_is_one_customer(typed):
    assert to_e164(typed, "CN") == "+8613800001234"


@pytest.mark.parametrize(
    "typed", ["", "   ", "abc", "12345", "95588", "+", "00", "+999 1234", "1" * 40, "x" * 100]
)
def test_what_is_no_phone_number_has_no_e164(typed):
    assert to_e164(typed, "CN") == ""


def test_the_region_decides_numbers_without_a_country_code():
    assert to_e164("020 7946 0958", "GB") == "+442079460958"
    assert to_e164("020 7946 0958", "CN") == "+862079460958"  # Guangzhou
    assert to_e164("(650) 253-0000", "US") == "+16502530000"
    assert to_e164("+44 20 7946 0958", "CN") == "+442079460958"  # a country code wins
    assert to_e164("0044 20 7946 0958", "CN") == "+442079460958"  # CN's international prefix
    assert display("+8613800001234", "CN") == "138 0000 1234"
    assert display("+442079460958", "CN") == "+44 20 7946 0958"


def test_the_wire_format_is_unchanged():
    """AICC gets digits: "+86" dropped, another "+cc" as "00cc" (the vendor's rules)."""
    assert normalise("+86 138-0000-1234") == "13800001234"
    assert normalise("+44 20 7946 0958") == "00442079460958"
    assert normalise("8613800001234") == "8613800001234"  # as typed: no guessing on the wire


def test_digits_of_other_scripts_are_sent_as_ascii_digits(tenant):
    """Full-width digits (a Chinese input method) passed str.isdigit() and went to AICC as they
    were; now they are read as the digits they are."""
    assert normalise("１３８００００１２３４") == "13800001234"
    checked = check(tenant, softphone="10001", called="１３８００００１２３４")
    assert checked.ok and checked.values["called"] == "13800001234"
    with pytest.raises(Exception):  # noqa: B017 - a ValidationError
        validate_number("١٢٣x")


def test_placing_keeps_the_customers_number_beside_what_was_sent(client, manager, tenant, simctl):
    client.force_login(manager)
    for i, typed in enumerate(["+86 138-0000-1234", "8613800001234", "13800001234"]):
        client.post(
            f"/t/{tenant.code}/call/",
            {"called": typed, "idempotency_key": f"key-numbers-{i}", "anyway": "on"},
        )
    calls = list(Call.objects.order_by("id"))
    assert [c.called for c in calls] == ["13800001234", "8613800001234", "13800001234"]
    assert {c.customer_number for c in calls} == {"+8613800001234"}
    sent = [c["body"]["called"] for c in simctl.get("calls")]
    assert sent == ["13800001234", "8613800001234", "13800001234"]


def test_a_number_that_does_not_read_has_no_customer_number(client, manager, tenant, simctl):
    client.force_login(manager)
    client.post(f"/t/{tenant.code}/call/", {"called": "95588", "idempotency_key": "key-short"})
    call = Call.objects.get()
    assert call.called == "95588" and call.customer_number == ""


def test_the_tenants_region_is_used(client, manager, tenant, simctl):
    tenant.default_region = "GB"
    tenant.save()
    client.force_login(manager)
    client.post(
        f"/t/{tenant.code}/call/", {"called": "020 7946 0958", "idempotency_key": "key-gb-region"}
    )
    assert Call.objects.get().customer_number == "+442079460958"


def test_the_migration_fills_existing_calls():
    """calls 0009's data step, run on calls stored without the column's value."""
    import importlib

    from console.models import Tenant

    migration = importlib.import_module("calls.migrations.0009_call_customer_number")
    t = Tenant.objects.create(name="M", slug="m-fill")
    gb = Tenant.objects.create(name="G", slug="g-fill", default_region="GB")
    a = Call.objects.create(tenant=t, softphone="1", called="13800001234", idempotency_key="a")
    b = Call.objects.create(tenant=t, softphone="1", called="0044207946095", idempotency_key="b")
    c = Call.objects.create(tenant=t, softphone="1", called="95588", idempotency_key="c")
    d = Call.objects.create(tenant=gb, softphone="1", called="02079460958", idempotency_key="d")
    from django.apps import apps

    migration.fill_customer_numbers(apps, None)
    got = {x.pk: x.customer_number for x in Call.objects.all()}
    assert got == {a.pk: "+8613800001234", b.pk: "+44207946095", c.pk: "", d.pk: "+442079460958"}
