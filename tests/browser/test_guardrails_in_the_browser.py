"""Guardrails in the browser (issue 19): a do-not-call number, a call outside calling hours and a
fourth attempt in a day are refused before anything is sent, with the reason, as the number is
typed and on the click; the simulator gets no createCall. An allowed override goes through
and shows in history."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from django.contrib.auth.models import User

from calls.models import Call
from console.models import Membership
from guardrails.models import DoNotCall
from tests.browser.test_click_to_call import log_in
from tests.conftest import PASSWORD

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _closed_now() -> str:
    """Every day's window is one minute that is not now in Shanghai: calling is closed."""
    now = datetime.now(ZoneInfo("Asia/Shanghai"))
    window = "12:00-12:01" if now.hour == 0 and now.minute < 5 else "00:00-00:01"
    return ";".join([window] * 7)


def _type(page, number):
    field = page.get_by_label("Customer's number")
    field.fill("")
    field.press_sequentially(number, delay=10)


def _refused_on_the_card_and_on_the_click(page, number, title):
    _type(page, number)
    verdict = page.locator("#customer-card #guard-verdict")
    verdict.get_by_text(title).wait_for()
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area").get_by_text(title).first.wait_for()
    assert page.locator("#call-area #guard-card").count() == 1


def test_refusals_before_anything_is_sent_and_an_allowed_override(
    page, live_server, manager, tenant, simctl
):
    carol = User.objects.create_user("carol", password=PASSWORD)
    Membership.objects.create(tenant=tenant, user=carol, role=Membership.Role.MANAGER)
    DoNotCall.objects.create(tenant=tenant, number="+8613800002222", reason="Complained")
    for i in range(3):  # three calls to this customer today, by a colleague
        Call.objects.create(
            tenant=tenant, user=carol, softphone="10002", called="13800004444",
            customer_number="+8613800004444", idempotency_key=f"carol-{i}",
            status=Call.Status.PLACED, state=3, outcome_code="0",
        )  # fmt: skip
    log_in(page, live_server, "bob")
    page.wait_for_url(f"**/t/{tenant.code}/call/")

    _refused_on_the_card_and_on_the_click(
        page, "13800002222", "Refused by the console: the number is on the do-not-call list"
    )
    assert "Reason given: Complained" in page.locator("#call-area").inner_text()
    _refused_on_the_card_and_on_the_click(
        page, "13800004444", "Refused by the console: this customer was called enough today"
    )
    tenant.calling_hours_on = True
    tenant.calling_hours = _closed_now()
    tenant.save()
    _refused_on_the_card_and_on_the_click(
        page, "13800005555", "Refused by the console: outside calling hours"
    )
    assert "Calling opens:" in page.locator("#call-area").inner_text()
    assert "Nobody in this tenant may call anyway" in page.locator("#call-area").inner_text()
    # Nothing reached AICC; each refusal is recorded, decoded.
    assert simctl.get("calls") == []
    refused = Call.objects.filter(user=manager).order_by("created_at")
    assert [c.reason_code for c in refused] == ["do_not_call", "day_cap", "outside_hours"]

    # The admin lets customer managers call anyway: with a typed reason, the call goes.
    tenant.override_roles = "manager"
    tenant.save()
    page.reload()
    _type(page, "13800005555")
    box = page.locator("#customer-card #id_override_reason")
    box.wait_for()
    box.fill("The customer asked for a call at this hour")
    page.get_by_role("button", name="Call", exact=True).click()
    page.locator("#call-area .serial").wait_for()
    assert len(simctl.get("calls")) == 1
    call = Call.objects.get(user=manager, status=Call.Status.PLACED)
    assert call.override_code == "outside_hours"

    page.goto(f"{live_server.url}/t/{tenant.code}/calls/")
    page.get_by_text("Called anyway").first.wait_for()
    page.goto(f"{live_server.url}/t/{tenant.code}/calls/{call.code}/")
    assert "The customer asked for a call at this hour" in page.locator("#override").inner_text()
