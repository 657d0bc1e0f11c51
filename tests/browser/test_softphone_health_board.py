"""Softphone health (issue 20, section 2) in a real browser: a softphone made to fail (the
simulator's agent leg rings unanswered) turns unhealthy on the admin's board as it refreshes
itself, and the banner shows on the admin's pages; the board passes axe and fits a phone.
The `page` fixture fails the test on any console error."""

import time

import pytest
from playwright.sync_api import expect

from calls import health_views
from calls.models import Call
from calls.softphone_health import UNHEALTHY_AFTER
from tests.browser.conftest import ARTIFACTS
from tests.browser.test_accessibility import audit
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def place_and_end(membership, n):
    """Place a call from the manager's softphone and read its outcome from AICC's record."""
    from calls.services import placing
    from calls.services.outcomes import call_refresh_outcome

    call = placing.call_place(
        membership=membership,
        mapping=membership.active_mapping,
        called=f"1380000010{n}",
        idempotency_key=f"health-key-{n:04d}",
        replace_live=True,
    ).call
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        time.sleep(0.1)  # the simulator (time_scale 0.01) ends the call
        call_refresh_outcome(Call.objects.get(pk=call.pk))
        call.refresh_from_db()
        if call.outcome_source == "cdr":
            return call
    raise AssertionError("the call's record never came")


def test_a_failing_softphone_turns_unhealthy_on_the_board_and_the_banner_shows(
    page, live_server, admin, manager_membership, tenant, simctl, monkeypatch
):
    monkeypatch.setattr(health_views, "REFRESH_SECONDS", 1)
    simctl.scenario(outcome="agent_no_answer")  # every call: the softphone rings, unanswered
    log_in(page, live_server, "alice")
    page.goto(f"{live_server.url}/t/{tenant.code}/softphones/health/")
    row = page.locator("#health-10001")
    expect(row).to_have_attribute("data-state", "none")
    expect(page.locator(".health-banner")).to_have_count(0)

    for n in range(UNHEALTHY_AFTER):
        call = place_and_end(manager_membership, n)
        assert call.outcome_code == "4" and call.agent_alerting_at and not call.agent_talking_at

    # The board refreshes itself (htmx): the row turns unhealthy without a reload.
    expect(row).to_have_attribute("data-state", "unhealthy", timeout=10_000)
    expect(row).to_contain_text("3 of the last 3 calls rang this softphone but nobody answered")
    expect(row).to_contain_text("3 rang unanswered")
    expect(page.locator("#health-summary")).to_contain_text("1 softphone is unhealthy.")
    page.screenshot(path=str(ARTIFACTS / "softphone-health-unhealthy.png"), full_page=True)

    # Any admin page now has the banner, with the way to the board.
    page.goto(f"{live_server.url}/t/{tenant.code}/people/")
    banner = page.locator(".health-banner")
    expect(banner).to_contain_text("1 softphone is unhealthy")
    banner.get_by_role("link", name="See softphone health").click()
    page.wait_for_url(f"**/t/{tenant.code}/softphones/health/")

    # One answered call: healthy again, and the banner goes.
    simctl.post("reset")
    call = place_and_end(manager_membership, 9)
    assert call.agent_talking_at is not None
    expect(row).to_have_attribute("data-state", "healthy", timeout=10_000)
    page.goto(f"{live_server.url}/t/{tenant.code}/people/")
    expect(page.locator(".health-banner")).to_have_count(0)


def test_the_board_is_accessible_and_fits_a_phone(
    page, live_server, admin, manager_membership, tenant, simctl
):
    from tests.browser.test_phone_width import WIDTH, overflowing

    simctl.scenario(outcome="agent_leg_failed", times=UNHEALTHY_AFTER)
    for n in range(UNHEALTHY_AFTER):
        place_and_end(manager_membership, n)
    log_in(page, live_server, "alice")
    paths = [f"/t/{tenant.code}/softphones/health/", f"/t/{tenant.code}/softphones/"]
    assert audit(page, live_server, paths) == {}  # with the banner and an unhealthy row
    page.set_viewport_size({"width": WIDTH, "height": 800})
    assert overflowing(page, live_server, paths) == {}
    page.goto(f"{live_server.url}{paths[0]}")
    expect(page.locator("#health-10001")).to_contain_text("never reached this softphone")
    page.screenshot(path=str(ARTIFACTS / "softphone-health-phone.png"), full_page=True)
