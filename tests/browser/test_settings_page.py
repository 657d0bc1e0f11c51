"""The Settings page in a browser: Test connection sends the values typed in the form (not saved),
and the callback URLs are copied with a button."""

import pytest

from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_test_connection_uses_the_typed_values(page, live_server, admin, tenant, simctl):
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/settings/")
    page.get_by_label("App key").fill("not-our-key")
    page.get_by_role("button", name="Test connection").click()
    page.locator("#test-result .result").wait_for()
    assert "Connection failed" in page.inner_text("#test-result")
    assert "the values in the form (not saved)" in page.inner_text("#test-result")
    assert page.url.endswith("/settings/")  # in place
    tenant.refresh_from_db()
    assert tenant.app_key == "acme-key"  # nothing saved
    page.get_by_label("App key").fill("acme-key")
    page.get_by_role("button", name="Test connection").click()
    page.locator("#test-result .result.ok").wait_for()


def test_callback_urls_are_copied_with_a_button(page, live_server, admin, tenant, simctl):
    from calls.services.outcomes import sync_row

    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/settings/")
    page.get_by_role("button", name="Copy the hang-up callback URL").click()
    page.get_by_text("Copied.").wait_for()
    copied = page.evaluate("navigator.clipboard.readText()")
    token = sync_row(tenant).token
    assert copied == f"{live_server.url}/t/{tenant.code}/aicc/{token}/release/"
