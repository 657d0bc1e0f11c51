"""Accessibility (axe-core, as tests/browser/test_accessibility.py) of the call lists' and the
guardrails' pages (issue 19), as the admin, the supervisor and the manager, with a list that has
entries, a do-not-call number, and a manager's "Call next" showing an entry."""

import pytest

from guardrails.models import DoNotCall
from tests.browser.test_accessibility import audit
from tests.browser.test_click_to_call import log_in
from tests.lists.factories import add_entry, make_list

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def call_list(tenant, supervisor, manager):
    cl = make_list(tenant, owner=supervisor, members=[manager], description="Renewals due")
    add_entry(cl, name="Li Lei", context="Contract ends Friday.")
    add_entry(cl)
    DoNotCall.objects.create(tenant=tenant, number="+8613800009999", reason="Asked on the phone")
    return cl


def _setup_paths(tenant, cl):
    t = f"/t/{tenant.code}"
    return [
        f"{t}/lists/",
        f"{t}/lists/new/",
        f"{t}/lists/{cl.code}/",
        f"{t}/lists/{cl.code}/edit/",
        f"{t}/lists/{cl.code}/import/",
        f"{t}/lists/{cl.code}/assign/",
        f"{t}/settings/guardrails/",
        f"{t}/settings/do-not-call/",
        f"{t}/settings/do-not-call/import/",
    ]


def test_admin_and_supervisor_pages(page, live_server, admin, supervisor, tenant, call_list):
    log_in(page, live_server, "alice")
    assert audit(page, live_server, _setup_paths(tenant, call_list)) == {}
    page.context.clear_cookies()
    log_in(page, live_server, "sam")
    assert audit(page, live_server, _setup_paths(tenant, call_list)) == {}


def test_manager_pages(page, live_server, manager, tenant, call_list):
    t = f"/t/{tenant.code}"
    log_in(page, live_server, "bob")
    page.goto(f"{live_server.url}{t}/lists/next/")
    page.locator("#take-next").click()  # takes the next entry: its context and the card
    page.locator("#entry-call").wait_for()
    assert audit(page, live_server, [f"{t}/lists/", f"{t}/lists/next/"]) == {}
    page.goto(f"{live_server.url}{t}/lists/next/")
    assert page.locator("#entry-call").is_visible()  # the claimed entry, audited above


def test_the_pages_fit_a_phone(page, live_server, admin, manager, tenant, call_list):
    """At phone width nothing makes these pages scroll sideways (tables scroll in their box)."""
    from tests.browser.test_phone_width import WIDTH, overflowing

    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, "alice")
    paths = _setup_paths(tenant, call_list)
    assert overflowing(page, live_server, paths) == {}
    page.context.clear_cookies()
    log_in(page, live_server, "bob")
    t = f"/t/{tenant.code}"
    page.goto(f"{live_server.url}{t}/lists/next/")
    page.locator("#take-next").click()
    page.locator("#entry-call").wait_for()
    assert overflowing(page, live_server, [f"{t}/lists/", f"{t}/lists/next/"]) == {}
