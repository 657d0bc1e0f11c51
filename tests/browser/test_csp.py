"""Every page keeps to the Content-Security-Policy: no inline style or script is blocked."""

import pytest

from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_pages_raise_no_csp_violations(page, live_server, admin, manager, tenant, simctl):
    violations = []
    page.on(
        "console", lambda msg: "Content Security Policy" in msg.text and violations.append(msg.text)
    )
    page.goto(f"{live_server.url}/accounts/login/")
    log_in(page, live_server, "alice")
    for path in [
        "calls/",
        "dashboard/",
        "settings/",
        "softphones/",
        "softphones/allocated/",
        "people/",
        "audit/",
    ]:
        page.goto(f"{live_server.url}/t/{tenant.code}/{path}")
        page.wait_for_load_state("networkidle")
    page.goto(f"{live_server.url}/accounts/password_change/")
    page.goto(f"{live_server.url}/accounts/two-factor/")
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    page.locator(".qr svg").wait_for()  # the QR code is inline SVG, within the policy
    assert violations == []
