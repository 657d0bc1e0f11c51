"""The live wallboard in a real browser (issue 20): a supervisor watches it while a customer
manager places a call through the simulator; the call shows live within a refresh, then ends
and reads as the manager's last call. Accessibility (axe) and phone width too."""

from datetime import timedelta

import pytest
from django.utils import timezone

from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from tests.browser.conftest import ARTIFACTS, _check, _strict_page
from tests.browser.test_accessibility import audit
from tests.browser.test_after_the_click import call_from_the_form, make_sim, use
from tests.browser.test_click_to_call import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(scope="module")
def slow_sim():
    """Calls at 3/10 of their length: about 4 s from the click to the end of an answered call."""
    s = make_sim(0.3)
    yield s
    s.stop()


def test_a_managers_call_shows_live_then_as_their_last_result(
    page, browser, request, live_server, supervisor, manager, tenant, slow_sim
):
    use(tenant, slow_sim)
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/t/{tenant.code}/live/")
    row = page.locator("#wb-table tbody tr", has=page.locator("th", has_text="Bob"))
    assert "Not on a call" in row.inner_text() and "No call today" in row.inner_text()
    totals = page.locator("#wb-totals")
    assert totals.get_attribute("aria-live") == "polite"

    context, desk, errors = _strict_page(browser)
    try:
        log_in(desk, live_server, "bob")
        desk.wait_for_url(f"**/t/{tenant.code}/call/")
        call_from_the_form(desk, "13800000041")
        # Live within a refresh (every 2 s): the leg, the number, the elapsed time.
        row.locator(".badge.live").wait_for(timeout=4_000)
        live = row.inner_text()
        assert "13800000041" in live and row.locator("[role=timer]").count() == 1
        assert any(leg in live for leg in ("Placing the call", "Ringing the customer", "Talking"))
        assert "on a call" in totals.inner_text()
        page.screenshot(path=str(ARTIFACTS / "wallboard-live.png"), caret="initial")
        # Then it ends: the manager's last call, answered, and today's counters.
        row.locator("text=Answered, ").wait_for(timeout=15_000)
        ended = row.inner_text()
        assert "Not on a call" in ended and row.locator("[role=timer]").count() == 0
        cells = row.locator("td.num").all_inner_texts()
        assert cells[0] == "1" and cells[1] == "1"  # one call today, answered
        assert "1\ncalls today" in totals.inner_text() or "1 calls today" in totals.inner_text()
    finally:
        context.close()
        _check(errors, request)
    assert Call.objects.get().talking_at is not None


def test_the_refresh_link_works_without_javascript(
    page_without_js, live_server, supervisor, manager, tenant
):
    backdated_bulk_create(
        [
            Call(tenant=tenant, user=manager, softphone="10001", called="13800000042",
                 idempotency_key="nojs", status="placed", state=2,
                 created_at=timezone.now() - timedelta(seconds=20))
        ]
    )  # fmt: skip
    page = page_without_js
    log_in(page, live_server, "sam")
    page.goto(f"{live_server.url}/t/{tenant.code}/live/?large=1")
    assert "Talking" in page.locator("#wb-table").inner_text()
    Call.objects.update(state=3, outcome_code="0", talking_at=timezone.now(), talk_seconds=12)
    page.get_by_role("link", name="Refresh").click()
    assert "Answered, 0:12" in page.locator("#wb-table").inner_text()
    assert "large=1" in page.url  # the wall screen keeps its large type


@pytest.fixture
def busy_floor(tenant, manager):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(tenant=tenant, user=manager, softphone="10001", called="13800000043",
                 idempotency_key="a11y-live", status="placed", state=2,
                 created_at=now - timedelta(minutes=6)),
            Call(tenant=tenant, user=manager, softphone="10001", called="13800000044",
                 idempotency_key="a11y-failed", status="failed", reason_source="createCall",
                 reason_code="8", created_at=now - timedelta(minutes=8)),
        ]
    )  # fmt: skip


def test_axe_finds_no_serious_violation(page, live_server, admin, supervisor, tenant, busy_floor):
    paths = [f"/t/{tenant.code}/live/", f"/t/{tenant.code}/live/?large=1"]
    log_in(page, live_server, "sam")
    assert audit(page, live_server, paths) == {}
    page.context.clear_cookies()
    log_in(page, live_server, "alice")
    assert audit(page, live_server, paths) == {}


def test_the_wallboard_fits_a_phone(page, live_server, supervisor, tenant, busy_floor):
    from tests.browser.test_phone_width import WIDTH, overflowing

    page.set_viewport_size({"width": WIDTH, "height": 800})
    log_in(page, live_server, "sam")
    paths = [f"/t/{tenant.code}/live/", f"/t/{tenant.code}/live/?large=1"]
    assert overflowing(page, live_server, paths) == {}
