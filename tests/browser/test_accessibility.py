"""Accessibility measured with axe-core in Chromium: every page, as each role, and the error states
(form errors, a failed connection test, 403, 404) have no critical or serious violation.

axe-core comes from the axe-playwright-python test dependency and is evaluated through the
DevTools protocol, so it is never served by the console and the pages keep their strict CSP.
"""

import time
from datetime import timedelta

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.utils import timezone

from calls.models import Call
from calls.services.followups import follow_up_schedule
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
AXE = Axe()
BLOCKING = ("critical", "serious")


def violations(page) -> list[str]:
    """The page's critical and serious axe violations, one line each (rule, impact, where)."""
    response = AXE.run(page).response
    return [
        f"{v['id']} ({v['impact']}, {len(v['nodes'])}x): {v['help']} at "
        + ", ".join(str(n["target"]) for n in v["nodes"][:3])
        for v in response["violations"]
        if v["impact"] in BLOCKING
    ]


def audit(page, live_server, paths) -> dict:
    """{path: violations} for the pages that have any."""
    found = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        if v := violations(page):
            found[path] = v
    return found


@pytest.fixture
def placed(manager_membership, simctl):
    """A call the customer answered: its page has the recording's player."""
    from calls.services import placing
    from calls.services.outcomes import call_refresh_outcome

    placing.call_place(
        membership=manager_membership,
        mapping=manager_membership.active_mapping,
        called="13800000000",
        idempotency_key="a11y-1",
    )
    time.sleep(0.3)  # the simulator (time_scale 0.01) ends the call
    call = Call.objects.get()
    call_refresh_outcome(call)
    assert call.talking_at is not None
    return call


def _customer(tenant):
    from tests.customers.conftest import make_customer

    return make_customer(tenant, "Li Lei", ("+8613800000000",), company="Acme", notes="Mornings")


def _customer_paths(tenant):
    """The directory, a customer's form and timeline (with the placed call), an unknown
    number's (empty) timeline is a 404 page: see test_error_pages."""
    t = f"/t/{tenant.code}"
    customer = tenant.customers.first() or _customer(tenant)
    return [
        f"{t}/customers/",
        f"{t}/customers/new/",
        f"{t}/customers/c/{customer.code}/edit/",
        f"{t}/customers/+8613800000000/",
    ]


def _reader_paths(tenant, call):
    t = f"/t/{tenant.code}"
    return _customer_paths(tenant) + [
        f"{t}/calls/",
        f"{t}/calls/{call.code}/",
        f"{t}/dashboard/",
        f"{t}/settings/",
        f"{t}/settings/wrap-up/",
        f"{t}/softphones/",
        f"{t}/softphones/allocated/",
        f"{t}/people/",
        f"{t}/audit/",
    ]


def test_admin_pages(page, live_server, admin, supervisor, manager, tenant, placed):
    mapping = tenant.softphones.get()
    member = tenant.memberships.get(user=supervisor)
    t = f"/t/{tenant.code}"
    log_in(page, live_server, "alice")
    paths = _reader_paths(tenant, placed) + [
        f"{t}/people/{member.code}/remove/",
        f"{t}/softphones/{mapping.code}/",
        f"{t}/settings/wrap-up/{tenant.dispositions.first().code}/",
        f"{t}/softphones/add/",
        f"{t}/softphones/import/",
        f"{t}/people/new/",
        f"{t}/calls/callbacks/",
        f"{t}/api-tokens/",
        "/accounts/password_change/",
        f"{t}/customers/import/",
        f"{t}/customers/c/{tenant.customers.get().code}/delete/",
    ]
    assert audit(page, live_server, paths) == {}


def test_supervisor_pages(page, live_server, admin, supervisor, manager, tenant, placed):
    log_in(page, live_server, "sam")
    t = f"/t/{tenant.code}"
    paths = _reader_paths(tenant, placed) + [f"{t}/follow-ups/", f"{t}/follow-ups/new/"]
    assert audit(page, live_server, paths) == {}


def test_manager_pages(page, live_server, manager, manager_membership, tenant, placed):
    t = f"/t/{tenant.code}"
    log_in(page, live_server, "bob")
    follow_up = follow_up_schedule(
        membership=manager_membership, called="13800000002", note="price list",
        due_at=timezone.now() + timedelta(hours=1), source_call=placed,
    )  # fmt: skip
    # The answered call awaits its wrap-up: the call page lists it, its card is the wrap-up form.
    paths = [
        f"{t}/call/",
        f"{t}/call/?last={placed.code}",
        f"{t}/calls/",
        f"{t}/calls/{placed.code}/",
        f"{t}/follow-ups/",
        f"{t}/follow-ups/new/",
        f"{t}/follow-ups/{follow_up.code}/",
        f"{t}/call/?called=13800000002&follow_up={follow_up.code}",
    ]
    # The call page with the customer card of a prefilled number, and the customer pages.
    paths += [f"{t}/call/?called=13800000000", *_customer_paths(tenant)]
    assert audit(page, live_server, paths) == {}
    # The call page with a result panel on it.
    page.goto(f"{live_server.url}{t}/call/")
    page.get_by_label("Customer's number").fill("13800000001")
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area .result").first.wait_for()  # the call's card, whatever it says
    assert violations(page) == []


def test_logged_out_pages(page, live_server, db):
    paths = ["/accounts/login/", "/accounts/password_reset/"]
    assert audit(page, live_server, paths) == {}
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill("nobody")
    page.get_by_label("Password").fill("wrong password")
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state("networkidle")
    assert violations(page) == []


def test_form_errors(page, live_server, admin, manager, tenant, simctl):
    t = f"{live_server.url}/t/{tenant.code}"
    log_in(page, live_server, "alice")
    found = {}
    # Settings: an address the form refuses.
    page.goto(f"{t}/settings/")
    page.get_by_label("AICC base URL").fill("not a url")
    page.get_by_role("button", name="Save settings").click()
    page.locator(".errorlist").first.wait_for()
    found["settings"] = violations(page)
    # A failed connection test (the simulator refuses the sign-in).
    simctl.scenario(interface="tokenByAkSk", http_status=401)
    page.goto(f"{t}/settings/")
    page.get_by_role("button", name="Test connection").click()
    page.locator("#test-result .result").wait_for()
    found["connection test"] = violations(page)
    # A new person without a username; a softphone mapping without anything.
    page.goto(f"{t}/people/new/")
    page.get_by_role("button", name="Create").click()
    page.locator(".errorlist").first.wait_for()
    found["person"] = violations(page)
    page.goto(f"{t}/softphones/add/")
    page.get_by_role("button", name="Save").click()
    page.locator(".errorlist").first.wait_for()
    found["softphone"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}


def test_call_form_error(page, live_server, manager, tenant, simctl):
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("call me")
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator(".errorlist").first.wait_for()
    assert violations(page) == []


@pytest.mark.allow_console_errors(r"status of 40[34]")
def test_error_pages(page, live_server, supervisor, tenant):
    log_in(page, live_server, "sam")
    page.wait_for_load_state("networkidle")
    found = {}
    page.goto(f"{live_server.url}/call/?called=13800000000")  # a manager's deep link: 403
    found["403"] = violations(page)
    page.goto(f"{live_server.url}/t/{tenant.code}/nothing-here/")
    found["404"] = violations(page)
    # A number nothing of the tenant knows: a 404 that shows the empty timeline.
    page.goto(f"{live_server.url}/t/{tenant.code}/customers/+8613700000000/")
    found["unknown number"] = violations(page)
    assert {k: v for k, v in found.items() if v} == {}
