"""Follow-ups in the browser (issue 18): a manager schedules one for tomorrow; tomorrow it is in
the day's list and counted in the navigation; one click opens the call form with its context,
and the call placed is linked back to the follow-up. Also at phone width, and without
JavaScript."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls.models import Call, FollowUp
from tests.browser.test_accessibility import violations
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_tomorrows_follow_up_is_in_tomorrows_list_and_one_click_calls_it(
    page, live_server, manager, tenant, simctl
):
    tz = ZoneInfo(tenant.time_zone)
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_role("link", name="Follow-ups").click()
    page.get_by_role("link", name="Schedule a follow-up").click()
    tomorrow = (datetime.now(tz) + timedelta(days=1)).date()
    page.get_by_label("Customer's number").fill("138 0000 0077")
    page.get_by_label("Due date").fill(tomorrow.isoformat())
    page.get_by_label("Due time").fill("10:30")
    page.get_by_label("Note").fill("Wants the quote for 20 seats")
    page.get_by_role("button", name="Schedule", exact=True).click()
    page.get_by_text("Follow-up scheduled").wait_for()
    upcoming = page.locator("#group-upcoming")
    assert "13800000077" in upcoming.inner_text()
    assert "13800000077" not in page.locator("#group-today").inner_text()
    assert violations(page) == []

    # Tomorrow at nine (the server's clock; the browser's does not matter).
    with time_machine.travel(
        datetime.combine(tomorrow, datetime.min.time(), tz) + timedelta(hours=9)
    ):
        page.reload()
        today = page.locator("#group-today")
        assert "13800000077" in today.inner_text()
        assert "Wants the quote for 20 seats" in today.inner_text()
        assert "1 due" in page.get_by_role("navigation", name="Main").inner_text()
        today.get_by_role("link", name="Call 13800000077").click()
        page.wait_for_url("**/call/?*follow_up=*")
        context = page.locator(".followup-context")
        assert "Wants the quote for 20 seats" in context.inner_text()
        assert "Bob" in context.inner_text()  # who scheduled it
        assert page.get_by_label("Customer's number").input_value() == "13800000077"
        assert violations(page) == []
        page.get_by_role("button", name="Call", exact=True).click()
        page.locator("#call-area .serial").wait_for()
    call = Call.objects.get()
    f = FollowUp.objects.get()
    assert call.called == "13800000077" and call.status == "placed"
    assert f.placed_call == call and f.status == "open"  # its wrap-up completes it


def test_the_list_at_phone_width_and_without_javascript(
    browser, live_server, manager, supervisor, tenant, simctl
):
    from calls.services.followups import follow_up_schedule
    from console.models import Membership

    m = Membership.objects.select_related("tenant", "user").get(user=manager)
    f = follow_up_schedule(
        membership=m, called="13800000088", due_at=datetime.now(ZoneInfo("UTC")) + timedelta(minutes=5),
        note="x" * 300,
    )  # fmt: skip
    context = browser.new_context(
        viewport={"width": 360, "height": 740}, java_script_enabled=False, locale="en-US"
    )
    pg = context.new_page()
    pg.set_default_timeout(10_000)
    try:
        log_in(pg, live_server, "bob")
        pg.goto(f"{live_server.url}/t/{tenant.code}/follow-ups/")
        width = pg.evaluate("document.documentElement.scrollWidth")
        assert width <= 360, f"the page is {width}px wide at phone width"
        pg.get_by_role("button", name="Mark done 13800000088").click()  # a plain form post
        pg.get_by_text("Follow-up done: 13800000088.").wait_for()
        f.refresh_from_db()
        assert f.status == "done"
    finally:
        context.close()
