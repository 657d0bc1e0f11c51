"""The dashboard in a browser: a period, then a custom range, then a wrong range (its error
beside the field), at phone width; no console error (the page fixture fails on any)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_supervisor_picks_a_period_and_a_custom_range(
    page, live_server, supervisor, manager, tenant
):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(tenant=tenant, user=manager, softphone="1", called="1", idempotency_key=f"b{i}",
                 created_at=now - timedelta(days=i * 3), status="placed" if i % 2 else "failed",
                 reason_source="" if i % 2 else "createCall", reason_code="" if i % 2 else "8")
            for i in range(40)
        ]
    )  # fmt: skip
    page.set_viewport_size({"width": 375, "height": 800})
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/t/{tenant.code}/dashboard/")
    page.get_by_label("Period").select_option("7")
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**/dashboard/?days=7**")
    assert (
        page.locator("#share-title")
        .inner_text()
        .startswith((timezone.localdate() - timedelta(days=6)).isoformat()[:4])
    )
    assert "7 days" in page.locator("#share-title").inner_text()
    page.get_by_label("Period").select_option("custom")
    first = timezone.localdate() - timedelta(days=100)
    last = timezone.localdate() - timedelta(days=10)
    page.get_by_label("From", exact=True).fill(first.isoformat())
    page.get_by_label("To", exact=True).fill(last.isoformat())
    page.get_by_role("button", name="Show").click()
    page.wait_for_url("**days=custom**")
    title = page.locator("#share-title").inner_text()
    assert f"{first:%Y-%m-%d} to {last:%Y-%m-%d}" in title and "91 days" in title
    assert page.locator("svg.chart").count() == 2  # per day, per manager
    assert page.locator("#comparison").is_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375
    # a wrong range: said beside the field, the default period shown
    page.get_by_label("From", exact=True).fill(last.isoformat())
    page.get_by_label("To", exact=True).fill(first.isoformat())
    page.get_by_role("button", name="Show").click()
    page.locator("#date_to-errors").wait_for()
    assert "before the start date" in page.locator("#date_to-errors").inner_text()
    assert "30 days" in page.locator("#share-title").inner_text()
