"""Keyboard focus: never dropped to the page body after an in-place update (the softphone toggle,
Test connection), and a focus ring with at least 3:1 contrast against what surrounds it."""

import pytest

from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ACTIVE_ID = "document.activeElement && document.activeElement.id"


def test_focus_stays_on_the_softphone_toggle(page, live_server, admin, manager, tenant, simctl):
    mapping = tenant.softphones.get()
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/softphones/")
    toggle = f"#toggle-{mapping.code}"
    page.focus(toggle)
    page.keyboard.press("Enter")
    page.locator(f"{toggle}:has-text('Enable')").wait_for()
    page.wait_for_timeout(100)  # htmx settles
    assert page.evaluate(ACTIVE_ID) == f"toggle-{mapping.code}"
    page.keyboard.press("Enter")  # and the keyboard carries on from there
    page.locator(f"{toggle}:has-text('Disable')").wait_for()
    page.wait_for_timeout(100)
    assert page.evaluate(ACTIVE_ID) == f"toggle-{mapping.code}"


def test_focus_stays_on_test_connection(page, live_server, admin, tenant, simctl):
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/settings/")
    page.focus("#test-connection")
    page.keyboard.press("Enter")
    page.locator("#test-result .result").wait_for()
    page.wait_for_timeout(100)
    assert page.evaluate(ACTIVE_ID) == "test-connection"
    assert "Connected" in page.inner_text("#test-result")


CONTRAST = """(el) => {
  const rgb = (c) => c.match(/[\\d.]+/g).map(Number);
  const lum = ([r, g, b]) => {
    const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4; };
    return 0.2126 * f(r) + 0.7152 * f(g) + 0.0722 * f(b);
  };
  let bg = el.parentElement;
  while (bg && rgb(getComputedStyle(bg).backgroundColor).length === 4
         && rgb(getComputedStyle(bg).backgroundColor)[3] === 0) bg = bg.parentElement;
  const s = getComputedStyle(el);
  const ring = lum(rgb(s.outlineColor)), back = lum(rgb(getComputedStyle(bg || document.body).backgroundColor));
  return { style: s.outlineStyle, width: parseFloat(s.outlineWidth),
           ratio: (Math.max(ring, back) + 0.05) / (Math.min(ring, back) + 0.05) };
}"""


def test_the_focus_ring_has_3_to_1_contrast(page, live_server, admin, tenant, simctl):
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/settings/")
    seen = {}
    for _ in range(60):  # walk the page with the keyboard, as a keyboard user does
        page.keyboard.press("Tab")
        where = page.evaluate(
            "(() => { const e = document.activeElement;"
            " return e.closest('.top') ? 'header ' + e.tagName : e.tagName; })()"
        )
        if where not in seen and where != "BODY":  # past the last element: the page itself
            seen[where] = page.evaluate_handle("document.activeElement").evaluate(CONTRAST)
    assert {"header A", "A", "INPUT", "BUTTON"} <= set(seen), seen
    weak = {k: v for k, v in seen.items() if v["style"] == "none" or v["ratio"] < 3}
    assert weak == {}, seen
