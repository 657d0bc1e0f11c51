"""Words for the reader in a real browser: the customer manager who placed a call and a supervisor
read the same call in their own words; an "outcome unknown" call is checked from its page."""

import time

import pytest

from calls.models import Call
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def watch(page):
    """Every console error and uncaught exception of the page (the test fails on any), but the
    browser's own request for a /favicon.ico the console does not serve."""
    errors = []

    def console(message):
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            errors.append(f"{message.text} {message.location}")

    page.on("console", console)
    page.on("pageerror", lambda e: errors.append(str(e)))
    return errors


def test_the_manager_and_a_supervisor_read_the_same_call_in_their_words(
    page, browser, live_server, manager, supervisor, tenant, simctl
):
    errors = watch(page)
    simctl.scenario(called="13800000071", outcome="agent_no_answer")
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("13800000071")
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area .result").first.wait_for()  # the call's card, whatever it says
    call = Call.objects.get()
    time.sleep(0.3)  # the simulator rings bob's phone 6 s at time_scale 0.01, then ends the call
    detail = f"{live_server.url}/t/{tenant.code}/calls/{call.code}/"

    page.goto(detail)
    page.get_by_role("button", name="Refresh outcome").click()
    outcome = page.locator("#outcome")
    outcome.get_by_text("You did not answer your phone").wait_for()
    assert "Your phone rang" in outcome.inner_text()
    assert "customer manager" not in outcome.inner_text().lower()

    theirs = browser.new_context(viewport={"width": 375, "height": 800}, locale="en-US")
    sup = theirs.new_page()
    errors += watch(sup)
    log_in(sup, live_server, "sam")
    sup.wait_for_url(f"**/t/{tenant.code}/**")
    sup.goto(detail)
    text = sup.locator("#outcome").inner_text()
    assert "The customer manager did not answer their phone" in text
    assert "The customer manager's phone rang" in text
    assert "You did not answer" not in text and "Your phone" not in text
    sup.screenshot(path=str(ARTIFACTS / "call-detail-supervisor-words.png"), full_page=True)
    theirs.close()
    assert errors == []


def test_a_supervisor_checks_whether_an_unknown_call_was_placed(
    page, live_server, manager, supervisor, tenant, simctl
):
    errors = watch(page)
    call = Call.objects.create(
        tenant=tenant,
        user=manager,
        softphone="10001",
        called="13800000072",
        idempotency_key="unknown-72",
        status="unknown",
        reason_source="transport",
        reason_code="timeout",
    )
    log_in(page, live_server, "sam")
    page.wait_for_url(f"**/t/{tenant.code}/**")
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/{call.code}/")
    answer = page.locator("#answer")
    assert "Not sure the call was placed" in answer.inner_text()
    assert "Perhaps, but first check whether the call was placed" in answer.inner_text()
    assert "was not placed" not in page.locator("main").inner_text()
    answer.get_by_role("button", name="Check whether it was placed").click()
    page.locator("#answer").get_by_text("show no such call yet").wait_for()
    assert "The customer manager should check their phone" in page.locator("#answer").inner_text()
    assert errors == []
