"""Pages work at phone width: nothing makes the page scroll sideways (wide tables scroll inside
their own box)."""

import pytest

from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
WIDTH = 375


def overflowing(page, live_server, paths):
    wide = {}
    for path in paths:
        page.goto(f"{live_server.url}{path}")
        page.wait_for_load_state("networkidle")
        width = page.evaluate("document.documentElement.scrollWidth")
        if width > WIDTH:
            wide[path] = width
    return wide


def test_admin_pages_fit_a_phone(page, live_server, admin, manager, tenant, simctl):
    from calls.services import placing
    from console.models import Membership

    m = Membership.objects.select_related("tenant").get(user=manager)
    placing.call_place(
        membership=m,
        mapping=m.active_mapping,
        called="13800000000",
        idempotency_key="phone-1",
    )
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, "alice")
    t = f"/t/{tenant.code}"
    paths = [
        f"{t}/{p}"
        for p in [
            "calls/",
            "dashboard/",
            "settings/",
            "settings/wrap-up/",
            "softphones/",
            "softphones/allocated/",
            "people/",
            "audit/",
            "api-tokens/",
        ]
    ] + ["/accounts/two-factor/"]
    assert overflowing(page, live_server, paths) == {}


def test_the_call_page_fits_a_phone(page, live_server, manager, tenant, simctl):
    from tests.customers.conftest import make_customer

    customer = make_customer(tenant, "Li Lei", ("+8613800000000",), company="Acme Ltd")
    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, "bob")
    t = f"/t/{tenant.code}"
    paths = [
        f"{t}/call/",
        f"{t}/call/?called=13800000000",  # with the customer card
        f"{t}/calls/",
        f"{t}/customers/",
        f"{t}/customers/new/",
        f"{t}/customers/c/{customer.code}/edit/",
        f"{t}/customers/+8613800000000/",
    ]
    assert overflowing(page, live_server, paths) == {}
