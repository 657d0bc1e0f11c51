"""The whole after-call story in a real browser (issue 18, "Done when"): a manager ends a
connected call, is held on its wrap-up, picks a disposition, writes a note and schedules a
follow-up for tomorrow; tomorrow's list shows it; one click calls the customer with the
follow-up's context; that call's wrap-up completes the follow-up."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls.models import Call, FollowUp
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_wrap_up_schedules_tomorrows_call_and_its_wrap_up_completes_it(
    page, live_server, manager, tenant, simctl
):
    tz = ZoneInfo(tenant.time_zone)
    tomorrow = (datetime.now(tz) + timedelta(days=1)).date()
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")
    page.get_by_label("Customer's number").fill("13800000091")
    page.get_by_role("button", name="Call", exact=True).click()
    # The simulated call is answered and ends: the card turns into the wrap-up form.
    page.locator("#call-area select[name=disposition]").wait_for()
    first = Call.objects.get()
    page.get_by_label("Disposition").select_option(label="Call back later")
    page.locator("#call-area textarea[name=note]").fill("In a meeting; wants the quote.")
    page.get_by_label("Follow-up date").fill(tomorrow.isoformat())
    page.get_by_label("Follow-up time").fill("10:30")
    page.get_by_label("Follow-up note").fill("Send the quote for 20 seats")
    page.get_by_role("button", name="Save wrap-up").click()
    page.locator(f"#wrapped-{first.code}").wait_for()
    follow_up = FollowUp.objects.get()
    assert (follow_up.source_call_id, follow_up.status) == (first.pk, "open")
    assert follow_up.due_at == datetime.combine(tomorrow, datetime.min.time(), tz) + timedelta(
        hours=10, minutes=30
    )

    with time_machine.travel(
        datetime.combine(tomorrow, datetime.min.time(), tz) + timedelta(hours=9)
    ):
        page.get_by_role("link", name="Follow-ups").click()
        today = page.locator("#group-today")
        assert "Send the quote for 20 seats" in today.inner_text()
        today.get_by_role("link", name="Call 13800000091").click()
        page.wait_for_url("**/call/?*follow_up=*")
        assert "Send the quote for 20 seats" in page.locator(".followup-context").inner_text()
        page.get_by_role("button", name="Call", exact=True).click()
        page.locator("#call-area select[name=disposition]").wait_for()
        second = Call.objects.exclude(pk=first.pk).get()
        follow_up.refresh_from_db()
        assert follow_up.placed_call_id == second.pk
        # Its wrap-up says what happens to the follow-up, and saving it completes it.
        assert page.locator(f"#from-follow-up-{second.code}").is_visible()
        page.get_by_label("Disposition").select_option(label="Interested")
        page.get_by_role("button", name="Save wrap-up").click()
        page.locator(f"#wrapped-{second.code}").wait_for()
    follow_up.refresh_from_db()
    assert follow_up.status == "done"
    assert FollowUp.objects.count() == 1
