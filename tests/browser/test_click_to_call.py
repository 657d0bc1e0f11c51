"""A customer manager places calls in a real browser (Debian's chromium, driven by Playwright)."""

import pytest

from calls.models import Call
from tests.browser.conftest import ARTIFACTS
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def log_in(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Log in").click()


def test_manager_places_a_call_and_sees_the_serial(page, live_server, manager, tenant, simctl):
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("138 0000 0000")
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area .serial").wait_for()
    call = Call.objects.get()
    assert call.status == "placed"
    assert page.locator(".serial").first.inner_text() == call.serial
    assert page.url.endswith(f"/t/{tenant.code}/call/")  # in place, no reload
    page.screenshot(path=str(ARTIFACTS / "call-placed.png"), full_page=True)


def test_manager_sees_a_decoded_failure(page, live_server, manager, tenant, simctl):
    from calls.aicc.reasons import decode

    simctl.scenario(called="13800000008", retCode="8")
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("13800000008")
    page.get_by_role("button", name="Call", exact=True).click()
    reason = decode("createCall", "8")
    page.get_by_text(str(reason.title)).first.wait_for()
    assert str(reason.next_step) in page.inner_text("#call-area")
    assert Call.objects.get().status == "failed"
    page.set_viewport_size({"width": 375, "height": 800})  # phone width
    page.screenshot(path=str(ARTIFACTS / "call-failed-phone.png"), full_page=True)


def test_bad_number_is_explained_on_the_field(page, live_server, manager, tenant, simctl):
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("call me")
    page.get_by_role("button", name="Call", exact=True).click()
    page.get_by_text("Use digits only").wait_for()
    assert (
        page.locator("form#call-form").count() == 1
    )  # the error replaced the form, nothing duplicated
    assert page.get_by_label("Customer's number").get_attribute("aria-invalid") == "true"
    assert Call.objects.count() == 0


def test_two_calls_in_a_row_from_the_same_form(page, live_server, manager, tenant, simctl):
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    for number in ("13800000021", "13800000022"):
        page.get_by_label("Customer's number").fill(number)
        page.get_by_role("button", name="Call", exact=True).click()
        # Followed to its end (time_scale 0.01: the call is over at once), then the next one.
        page.locator(f"#call-area:has-text('{number}') [data-kind=answered]").wait_for()
    assert sorted(Call.objects.values_list("called", flat=True)) == ["13800000021", "13800000022"]
