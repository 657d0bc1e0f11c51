"""Before dialing: as a customer manager types a number, the call form shows the customer's card,
and warns, naming them, when a colleague called that customer a moment ago; nobody's phone has
rung yet."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import User
from django.utils import timezone

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from console.models import Membership
from tests.browser.test_click_to_call import log_in
from tests.conftest import PASSWORD
from tests.customers.conftest import make_customer

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_manager_sees_the_colleague_warning_before_calling(
    page, live_server, manager, tenant, simctl
):
    carol = User.objects.create_user("carol", password=PASSWORD, first_name="Carol")
    Membership.objects.create(tenant=tenant, user=carol, role=Membership.Role.MANAGER)
    make_customer(tenant, "Li Lei", ("+8613800001234",), company="Acme Ltd")
    backdated_bulk_create(
        [
            Call(
                tenant=tenant, user=carol, softphone="10002", called="13800001234",
                customer_number="+8613800001234", idempotency_key="carol-earlier",
                status=Call.Status.PLACED, state=3, outcome_code="0", talk_seconds=42,
                created_at=timezone.now() - timedelta(minutes=10),
            )
        ]
    )  # fmt: skip
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    # Typed as a person would, key by key, in another form of the number.
    page.get_by_label("Customer's number").press_sequentially("+86 138-0000-1234", delay=20)
    warning = page.locator("#colleague-warning")
    warning.wait_for()
    assert "Carol (carol) called this customer 10 minutes ago." in warning.inner_text()
    card = page.locator("#customer-card").inner_text()
    assert "Li Lei" in card and "Acme Ltd" in card and "Answered, 0:42" in card
    # Nothing was placed: the warning came before anyone's phone rang.
    assert Call.objects.filter(user=manager).count() == 0
    assert simctl.get("calls") == []
    # Another number: the card follows it, and the warning goes.
    page.get_by_label("Customer's number").fill("13900000000")
    page.locator("#save-customer").wait_for()
    assert page.locator("#colleague-warning").count() == 0


def test_the_call_goes_through_while_the_card_is_loading(
    page, live_server, manager, tenant, simctl
):
    """The card's request (sent as the number is typed) does not hold the call form: a Call
    clicked while the card is still loading is placed (it was dropped: the card's request marked
    the whole form busy)."""
    held = []  # the card's request, held in flight until the call is placed

    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.route("**/call/customer/**", lambda route: held.append(route))
    page.get_by_label("Customer's number").fill("13800001299")
    page.wait_for_function("() => document.getElementById('call-form') !== null")
    page.wait_for_timeout(600)  # past the 300 ms the card waits for typing to stop
    assert len(held) == 1
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area .serial").wait_for()
    assert Call.objects.filter(called="13800001299").count() == 1
    held[0].continue_()
