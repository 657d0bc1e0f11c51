"""Click to call from anywhere, in a real browser: the call page's button registers the console
for tel: links (the browser's registerProtocolHandler, stubbed here: a real one asks the person),
a tel: link's URL opens the call form prefilled, and the bookmarklet is shown as a link that a
click on our own page does not run (the CSP would refuse it)."""

import pytest

from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

STUB = """
window.__registered = [];
Object.defineProperty(Navigator.prototype, "registerProtocolHandler", {
  configurable: true,
  value: function (scheme, url) { window.__registered.push([scheme, url]); },
});
"""


def test_the_call_page_registers_the_console_for_tel_links(page, live_server, manager, tenant):
    page.add_init_script(STUB)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    button = page.get_by_role("button", name="Open tel: links here")
    button.click()
    registered = page.evaluate("window.__registered")
    assert registered == [["tel", f"{live_server.url}/call/?called=%s"]]
    assert "allow it" in page.locator("#anywhere-status").inner_text()
    # The bookmarklet: a link to drag; clicking it here only says so (no CSP error).
    link = page.locator("#bookmarklet")
    href = link.get_attribute("href")
    assert href.startswith("javascript:") and f"{live_server.url}/call/?called=" in href
    link.click()
    assert "bookmarks bar" in page.locator("#anywhere-status").inner_text()


def test_a_tel_link_opens_the_call_form_prefilled(page, live_server, manager, tenant):
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    # What the browser opens for <a href="tel:+86 138 0000 0000">: the whole URL, escaped.
    page.goto(f"{live_server.url}/call/?called=tel%3A%2B86%2520138%25200000%25200000")
    page.wait_for_url(f"**/t/{tenant.code}/call/?called=*")
    assert page.get_by_label("Customer's number").input_value() == "+86 138 0000 0000"
    page.goto(f"{live_server.url}/call/?called=tel%3A%2B8613800000000")
    page.wait_for_url(f"**/t/{tenant.code}/call/?called=*")
    field = page.get_by_label("Customer's number")
    assert field.input_value() == "+8613800000000"
    assert field.get_attribute("aria-invalid") is None  # accepted, not shown as an error
