"""The guardrails on the pages: the call form's verdict as the number is typed, a refused click
and "Call anyway", the admin's Guardrails page, the do-not-call list (add, remove, import,
export) and the wrap-up's "Customer asked not to be called"."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from calls.models import Call
from console.models import AuditEntry
from guardrails.models import DoNotCall
from tests.calls.test_wrapup import disposition, end, placed

pytestmark = pytest.mark.django_db
HX = {"HX-Request": "true"}
NUMBER = "+8613800001234"
SH = ZoneInfo("Asia/Shanghai")


def card(client, tenant, called):
    return client.get(f"/t/{tenant.code}/call/customer/", {"called": called}, headers=HX)


def post_call(client, tenant, htmx=True, **data):
    data.setdefault("idempotency_key", f"key-{len(data)}-{id(data)}")
    return client.post(f"/t/{tenant.code}/call/", data, headers=HX if htmx else {})


def test_the_card_says_you_can_call_now(client, tenant, manager):
    client.force_login(manager)
    body = card(client, tenant, "13800001234").content.decode()
    assert "You can call now." in body and "Calls today: 0 of 3." in body


def test_the_card_says_why_not_and_who_may_call_anyway(client, tenant, manager):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER, reason="Complained twice")
    client.force_login(manager)
    body = card(client, tenant, "138 0000 1234").content.decode()
    assert "Refused by the console: the number is on the do-not-call list" in body
    assert "Reason given: Complained twice" in body
    assert "Nobody in this tenant may call anyway" in body
    assert 'name="override_reason"' not in body
    tenant.override_roles = "manager"
    tenant.save()
    body = card(client, tenant, "13800001234").content.decode()
    assert 'name="override_reason"' in body and 'form="call-form"' in body


@time_machine.travel(datetime(2026, 5, 6, 21, 0, tzinfo=SH), tick=False)
def test_the_card_says_when_calling_opens_in_both_times(client, tenant, manager):
    tenant.calling_hours_on = True
    tenant.time_zone = "Europe/Berlin"
    tenant.save()
    client.force_login(manager)
    body = card(client, tenant, "13800001234").content.decode()
    assert "Refused by the console: outside calling hours" in body
    # Thursday 09:00 in Shanghai is 03:00 in Berlin
    assert "2026-05-07 09:00 (Asia/Shanghai)" in body and "2026-05-07 03:00 your time" in body


def test_a_refused_click_is_recorded_and_shows_the_reason(client, tenant, manager, simctl):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER)
    client.force_login(manager)
    body = post_call(client, tenant, called="13800001234").content.decode()
    call = Call.objects.get()
    assert call.reason_code == "do_not_call" and call.status == "failed"
    assert "Refused by the console: the number is on the do-not-call list" in body
    assert 'id="guard-card"' in body and "call-anyway-guard" not in body
    assert simctl.get("stats")["create_calls"] == 0
    # Without JavaScript: the whole page, with the same refusal.
    body = post_call(client, tenant, htmx=False, called="13800001234").content.decode()
    assert 'id="guard-card"' in body and "<html" in body


def test_call_anyway_from_the_refusal_goes_through_and_shows_in_history(
    client, tenant, manager, supervisor, simctl
):
    tenant.override_roles = "manager"
    tenant.save()
    DoNotCall.objects.create(tenant=tenant, number=NUMBER)
    client.force_login(manager)
    body = post_call(client, tenant, called="13800001234").content.decode()
    assert 'id="call-anyway-guard"' in body
    r = post_call(client, tenant, called="13800001234", confirm="on",
                  override_reason="The customer called and asked for it")  # fmt: skip
    assert r.status_code == 200
    call = Call.objects.get(status="placed")
    assert call.override_code == "do_not_call"
    client.force_login(supervisor)
    detail = client.get(f"/t/{tenant.code}/calls/{call.code}/").content.decode()
    assert 'id="override"' in detail and "The customer called and asked for it" in detail
    history = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert "Called anyway" in history
    export = b"".join(client.get(f"/t/{tenant.code}/calls/export.csv").streaming_content)
    assert "do_not_call,The customer called and asked for it" in export.decode()


def test_the_guardrails_page_saves_audited_and_refuses_bad_hours(client, tenant, admin, supervisor):
    url = f"/t/{tenant.code}/settings/guardrails/"
    client.force_login(admin)
    assert "Calling hours" in client.get(url).content.decode()
    data = {"calls_per_day": "2", "calls_per_week": "5", "calling_hours_on": "on",
            "holidays": "2026-10-01..2026-10-07 Golden Week", "override_roles": ["manager"],
            "hours_0": "08:30-17:00", "hours_1": "", "hours_2": "09:00-18:00"}  # fmt: skip
    assert client.post(url, data).status_code == 302
    tenant.refresh_from_db()
    assert (tenant.calls_per_day, tenant.calls_per_week, tenant.override_roles) == (2, 5, "manager")
    assert tenant.calling_hours == "08:30-17:00;;09:00-18:00;;;;"
    assert AuditEntry.objects.filter(action="guardrails.change").exists()
    r = client.post(url, {**data, "hours_0": "18:00-09:00", "holidays": "x\n2026-02-30"})
    body = r.content.decode()
    assert r.status_code == 422 and "closing after opening" in body and "Line 1" in body
    client.force_login(supervisor)
    assert client.get(url).status_code == 200 and client.post(url, data).status_code == 403


def test_the_do_not_call_list_add_remove_and_search(client, tenant, supervisor):
    url = f"/t/{tenant.code}/settings/do-not-call/"
    client.force_login(supervisor)
    r = client.post(url, {"number": "138-0000-1234", "reason": "Asked", "until": "2030-01-31"})
    assert r.status_code == 302
    entry = DoNotCall.objects.get()
    assert entry.number == NUMBER and entry.added_by == supervisor and entry.expires_at
    assert AuditEntry.objects.filter(action="dnc.add", target=NUMBER).exists()
    body = client.get(url, {"q": "13800001234"}).content.decode()
    assert "138 0000 1234" in body and "2030-01-31" in body
    assert client.post(url, {"number": "12"}).status_code == 422
    r = client.post(f"{url}{entry.code}/remove/")
    assert r.status_code == 302 and not DoNotCall.objects.exists()
    assert AuditEntry.objects.filter(action="dnc.remove").exists()


def test_the_import_is_all_or_nothing_with_line_numbers_and_the_export_imports_again(
    client, tenant, supervisor
):
    url = f"/t/{tenant.code}/settings/do-not-call/import/"
    client.force_login(supervisor)
    bad = "number,reason,until\n13800001234,Asked\nnot-a-number,x\n13800001234,again\n"
    r = client.post(url, {"text": bad + "13800005678,x,2026-99-01\n"})
    body = r.content.decode()
    assert r.status_code == 422 and not DoNotCall.objects.exists()
    assert "Line 3:" in body and "Line 4:" in body and "also appears on line 2" in body
    assert "Line 5:" in body
    r = client.post(url, {"text": "13800001234,Asked\n13800005678,,2030-01-01\n"})
    assert r.status_code == 302 and DoNotCall.objects.count() == 2
    exported = b"".join(
        client.get(f"/t/{tenant.code}/settings/do-not-call/export.csv").streaming_content
    ).decode("utf-8-sig")
    assert exported.splitlines()[0] == "number,reason,until,added_by,added_at"
    DoNotCall.objects.all().delete()
    r = client.post(url, {"text": exported})
    assert r.status_code == 302 and DoNotCall.objects.count() == 2
    assert DoNotCall.objects.get(number="+8613800005678").expires_at is not None


def test_the_wrap_up_puts_the_number_on_the_do_not_call_list(client, tenant, manager):
    call = end(placed(tenant, manager))
    Call.objects.filter(pk=call.pk).update(customer_number=NUMBER)
    client.force_login(manager)
    d = disposition(tenant, "not_interested")
    r = client.post(
        f"/t/{tenant.code}/calls/{call.code}/wrap-up/",
        {"disposition": d.pk, "do_not_call": "on", "back": "card"},
        headers=HX,
    )
    assert r.status_code == 200
    entry = DoNotCall.objects.get(tenant=tenant, number=NUMBER)
    assert entry.added_by == manager and "asked not to be called" in entry.reason
