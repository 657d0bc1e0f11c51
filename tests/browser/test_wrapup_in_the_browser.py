"""After-call work in a real browser (issue 18): a manager ends a connected call and is held on
its wrap-up (the card turns into the form; reloading keeps it; the next call waits for it when
the tenant says so), picks a disposition, writes a note and saves; a call the customer did not
answer is wrapped up by itself."""

import pytest

from calls.models import Call
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def call_from_the_form(page, number):
    page.get_by_label("Customer's number").fill(number)
    page.get_by_role("button", name="Call", exact=True).click()


def test_a_connected_call_holds_the_manager_on_its_wrap_up(
    page, live_server, manager, tenant, simctl
):
    tenant.wrapup_call_while_pending = False  # the next call waits for the wrap-up
    tenant.save()
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    call_from_the_form(page, "13800000081")
    # The session's simulator plays the call at 1/100 of its length: it is answered and ends;
    # the card turns into the wrap-up form.
    form = page.locator("#call-area select[name=disposition]")
    form.wait_for()
    call = Call.objects.get()
    assert call.wrapup_state == "pending"
    assert "Awaiting wrap-up" in page.locator(f"#wrapup-{call.code}").inner_text()
    page.screenshot(path=str(ARTIFACTS / "wrap-up-card.png"), full_page=True)

    # Reloading does not skip it: the call page lists it, and the next call waits for it.
    page.goto(f"{live_server.url}/t/{tenant.code}/call/")
    assert "Call to 13800000081" in page.locator("#pending-wrapups").inner_text()
    call_from_the_form(page, "13800000082")
    refusal = page.locator("#wrapup-due-card")
    refusal.wait_for()
    assert "wrap up your last call first" in refusal.inner_text()
    assert Call.objects.count() == 1

    # Wrapped up there: a disposition and a note.
    page.get_by_label("Disposition").select_option(label="Interested")
    page.get_by_role("textbox", name="Note (optional)", exact=True).fill(
        "Wants the offer by e-mail."
    )
    page.get_by_role("button", name="Save wrap-up").click()
    wrapped = page.locator(f"#wrapped-{call.code}")
    wrapped.wait_for()
    assert "Interested" in wrapped.inner_text()
    assert "Wants the offer by e-mail." in wrapped.inner_text()
    call.refresh_from_db()
    assert call.wrapup_state == "done" and call.disposition.key == "interested"

    # Nothing waits any more: the next call goes through.
    page.goto(f"{live_server.url}/t/{tenant.code}/call/")
    assert page.locator("#pending-wrapups").count() == 0
    call_from_the_form(page, "13800000082")
    page.locator("#call-area .serial").first.wait_for()
    assert Call.objects.count() == 2


def test_a_call_not_answered_is_wrapped_up_by_itself(page, live_server, manager, tenant, simctl):
    simctl.scenario(called="13800000083", outcome="customer_no_answer")
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    call_from_the_form(page, "13800000083")
    call_area = page.locator("#call-area")
    call_area.locator("[data-kind=not_answered]").wait_for()
    call = Call.objects.get()
    wrapped = page.locator(f"#wrapped-{call.code}")
    wrapped.wait_for()
    assert "No answer" in wrapped.inner_text()
    assert "automatically, from how the call ended" in wrapped.inner_text()
    # No form holds the manager; it can still be changed.
    assert call_area.locator("select[name=disposition]").is_hidden()
    assert "Change the wrap-up" in call_area.inner_text()
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    assert "No answer" in page.locator("#history-table").inner_text()
