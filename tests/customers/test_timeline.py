"""A customer's timeline across the tenant's customer managers, per role and setting; the call
form's customer card and its warning about a colleague's call."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from calls.timeline import decode
from tests.customers.conftest import make_customer

pytestmark = pytest.mark.django_db
NUMBER = "+8613800001234"


def call(tenant, user, *, ago, number=NUMBER, called="13800001234", **fields):
    fields.setdefault("status", "placed")
    c = Call(
        tenant=tenant, user=user, softphone="10001", called=called, customer_number=number,
        idempotency_key=f"tl-{user.pk}-{ago}-{number}", created_at=timezone.now() - ago,
        **fields,
    )  # fmt: skip
    backdated_bulk_create([c])
    return Call.objects.get(idempotency_key=c.idempotency_key)


def timeline(client, tenant, number=NUMBER, **params):
    return client.get(f"/t/{tenant.code}/customers/{number}/", params)


def shown(response):
    return [row["call"].pk for row in response.context["rows"]]


@pytest.fixture
def story(tenant, manager, colleague, other_tenant, outsider):
    make_customer(tenant, "Li Lei", (NUMBER, "+442079460958"))
    mine = call(tenant, manager, ago=timedelta(hours=3))
    theirs = call(tenant, colleague, ago=timedelta(hours=2), number="+442079460958")
    failed = call(
        tenant, colleague, ago=timedelta(hours=1), status="failed", reason_source="createCall",
        reason_code="5",
    )  # fmt: skip
    call(tenant, manager, ago=timedelta(minutes=5), number="+8613999999999")  # someone else
    call(other_tenant, outsider, ago=timedelta(minutes=1))  # the same number, another tenant
    return mine, theirs, failed


def test_supervisors_see_every_call_to_every_number_newest_first(client, supervisor, tenant, story):
    mine, theirs, failed = story
    client.force_login(supervisor)
    r = timeline(client, tenant)
    assert r.status_code == 200
    assert shown(r) == [failed.pk, theirs.pk, mine.pk]
    body = r.content.decode()
    assert "Li Lei" in body and "+44 20 7946 0958" in body
    # Decoded, in a supervisor's words: the customer manager, not "you".
    assert "Failed: " in body


def test_a_manager_sees_colleagues_calls_while_the_tenant_shares_them(
    client, manager, tenant, story
):
    mine, theirs, failed = story
    client.force_login(manager)
    r = timeline(client, tenant)
    assert shown(r) == [failed.pk, theirs.pk, mine.pk]
    rows = r.context["rows"]
    assert rows[2]["mine"] and rows[2]["href"]  # their own call opens
    assert not rows[1]["mine"] and rows[1]["href"] == ""  # a colleague's call: no page of it
    assert "Carol (carol)" in r.content.decode()
    tenant.customer_calls_shared = False
    tenant.save()
    r = timeline(client, tenant)
    assert shown(r) == [mine.pk]
    assert "Only your own calls to this customer are shown" in r.content.decode()


def test_any_form_of_the_number_redirects_to_the_e164_page(client, manager, tenant, story):
    client.force_login(manager)
    for typed in ("13800001234", "8613800001234", "+86 138-0000-1234"):
        r = timeline(client, tenant, typed)
        assert r.status_code == 302 and r["Location"] == f"/t/{tenant.code}/customers/{NUMBER}/"
    assert timeline(client, tenant, "12345").status_code == 404


def test_an_unknown_number_shows_an_empty_timeline_to_add_it(client, manager, tenant):
    client.force_login(manager)
    r = timeline(client, tenant, "+8613700000000")
    # Nothing of this tenant: 404, and the page still offers to add the customer.
    assert r.status_code == 404
    body = r.content.decode()
    assert "No calls to this customer yet." in body and 'id="create-customer"' in body
    assert "number=%2B8613700000000" in body


def test_the_timeline_pages_by_keyset(client, supervisor, tenant, manager):
    calls = [call(tenant, manager, ago=timedelta(minutes=i)) for i in range(35)]
    client.force_login(supervisor)
    r = timeline(client, tenant)
    assert shown(r) == [c.pk for c in calls[:30]]
    after = r.context["tl"].next_cursor
    assert decode(after)[2] == calls[29].pk
    r = timeline(client, tenant, after=after)
    assert shown(r) == [c.pk for c in calls[30:]] and r.context["tl"].next_cursor is None
    assert timeline(client, tenant, after="%%%").status_code == 200


# ---- the call form's card ------------------------------------------------------------------


def card(client, tenant, typed):
    return client.get(f"/t/{tenant.code}/call/customer/", {"called": typed})


def test_the_card_names_the_customer_and_the_last_contact(client, manager, tenant, colleague):
    make_customer(tenant, "Li Lei", (NUMBER,), company="Acme Ltd")
    call(tenant, colleague, ago=timedelta(days=2), state=3, outcome_code="0", talk_seconds=75)
    client.force_login(manager)
    body = card(client, tenant, "138 0000 1234").content.decode()
    assert "Li Lei" in body and "Acme Ltd" in body
    assert "Carol (carol) on " in body and "Answered, 1:15" in body
    assert f"/t/{tenant.code}/customers/%2B8613800001234/" in body or NUMBER in body
    assert 'id="colleague-warning"' not in body  # two days ago: no warning
    body = card(client, tenant, "13900000000").content.decode()
    assert "Not a saved customer yet" in body and "No calls to this customer yet." in body
    assert 'id="save-customer"' in body and "next=call" in body
    assert card(client, tenant, "12").content.decode().count("<section") == 0


def test_a_colleagues_call_a_moment_ago_warns_naming_them(client, manager, tenant, colleague):
    call(tenant, colleague, ago=timedelta(minutes=10))
    call(tenant, manager, ago=timedelta(minutes=2))  # the manager's own call since
    client.force_login(manager)
    body = card(client, tenant, "+86 138 0000 1234").content.decode()
    assert 'id="colleague-warning"' in body
    assert "Carol (carol) called this customer 10 minutes ago." in body


def test_no_warning_past_the_tenants_time_or_for_a_failed_call(client, manager, tenant, colleague):
    call(tenant, colleague, ago=timedelta(minutes=40))
    call(tenant, colleague, ago=timedelta(minutes=5), status="failed", reason_source="console",
         reason_code="input")  # fmt: skip
    client.force_login(manager)
    assert 'id="colleague-warning"' not in card(client, tenant, NUMBER).content.decode()
    tenant.colleague_warning_minutes = 60
    tenant.save()
    assert "40 minutes ago" in card(client, tenant, NUMBER).content.decode()
    tenant.colleague_warning_minutes = 0  # never
    tenant.save()
    assert 'id="colleague-warning"' not in card(client, tenant, NUMBER).content.decode()
    tenant.colleague_warning_minutes = 60
    tenant.customer_calls_shared = False  # colleagues' calls not shown: not named either
    tenant.save()
    body = card(client, tenant, NUMBER).content.decode()
    assert 'id="colleague-warning"' not in body and "Carol" not in body


def test_the_card_takes_constant_queries_and_only_managers_ask(
    client, manager, supervisor, tenant, colleague, django_assert_num_queries
):
    make_customer(tenant, "Li Lei", (NUMBER, "+8613800005678"))
    call(tenant, manager, ago=timedelta(minutes=1))
    call(tenant, colleague, ago=timedelta(minutes=9), number="+8613800005678")
    client.force_login(manager)
    card(client, tenant, NUMBER)  # warm-up
    # session+user+membership+tenant (one query); the customer and all its numbers (one); the
    # last call to any of them (one); the colleague's call within the warning time (one, as the
    # last call is the manager's own); the customer's open follow-ups (one); the guardrails'
    # verdict (do-not-call and attempts: one)
    with django_assert_num_queries(6):
        body = card(client, tenant, NUMBER).content.decode()
    assert "Carol (carol) called this customer 9 minutes ago." in body
    client.force_login(supervisor)
    assert card(client, tenant, NUMBER).status_code == 403


def test_the_call_page_shows_the_card_of_a_prefilled_number(client, manager, tenant, colleague):
    call(tenant, colleague, ago=timedelta(minutes=3))
    client.force_login(manager)
    body = client.get(f"/t/{tenant.code}/call/", {"called": "13800001234"}).content.decode()
    assert 'id="colleague-warning"' in body
    assert 'hx-trigger="input changed delay:300ms"' in body
    assert f'hx-get="/t/{tenant.code}/call/customer/"' in body


def test_history_rows_and_the_bar_name_the_customer(client, manager, tenant, simctl):
    make_customer(tenant, "Li Lei", (NUMBER,))
    client.force_login(manager)
    client.post(f"/t/{tenant.code}/call/", {"called": "13800001234", "idempotency_key": "key-bar1"})
    live = Call.objects.get()
    assert live.customer_number == NUMBER
    page = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert 'class="customer-name">Li Lei<' in page  # the history row
    assert (
        f'id="bar-call-{live.code}">Call to 13800001234 · <span class="customer-name">Li Lei'
        in page
    )
    bar = client.get(
        f"/t/{tenant.code}/calls/{live.code}/status/", {"view": "bar"}
    ).content.decode()
    assert '<span class="customer-name">Li Lei</span>' in bar
