"""The one pre-flight check (guardrails/preflight.py) and call_place with it: a refused call is
recorded as failed with the rule's console reason and nothing reaches AICC; an override with a
typed reason goes through, kept on the call and audited."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from calls.models import Call
from calls.services.placing import call_place
from console.models import AuditEntry, Membership
from guardrails import preflight
from guardrails.models import DoNotCall

pytestmark = pytest.mark.django_db
SH = ZoneInfo("Asia/Shanghai")
NUMBER = "+8613800001234"
# Wednesday 2026-05-06 10:00 in Shanghai: inside the default weekday hours
WEDNESDAY_10 = datetime(2026, 5, 6, 10, 0, tzinfo=SH)


def member(manager, tenant):
    return Membership.objects.select_related("tenant", "user").get(user=manager, tenant=tenant)


def placed_before(tenant, manager, n, *, number=NUMBER, status=Call.Status.PLACED, at=None):
    for i in range(n):
        c = Call.objects.create(
            tenant=tenant, user=manager, softphone="10001", called=number.lstrip("+86"),
            customer_number=number, idempotency_key=f"before-{status}-{i}-{at}", status=status,
        )  # fmt: skip
        if at is not None:
            Call.objects.filter(pk=c.pk).update(created_at=at)


def place(tenant, manager, key, called="13800001234", **kw):
    m = member(manager, tenant)
    return call_place(
        membership=m, mapping=m.active_mapping, called=called, idempotency_key=key, **kw
    )


def test_a_number_nothing_limits_may_be_called(tenant, manager):
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.ok and v.today == 0 and v.per_day == 3 and v.zones == ("Asia/Shanghai",)


def test_a_do_not_call_number_is_refused_with_its_reason_until_it_expires(tenant, manager):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER, reason="Asked by phone")
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.code == "do_not_call" and v.dnc_reason == "Asked by phone" and v.opens_at is None
    DoNotCall.objects.filter(number=NUMBER).update(expires_at=timezone.now() - timedelta(1))
    assert preflight.check(member(manager, tenant), NUMBER).ok


def test_another_tenants_do_not_call_list_does_not_apply(tenant, other_tenant, manager):
    DoNotCall.objects.create(tenant=other_tenant, number=NUMBER)
    assert preflight.check(member(manager, tenant), NUMBER).ok


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_day_cap_counts_placed_calls_by_anyone_not_failed_ones(tenant, manager, admin):
    placed_before(tenant, admin, 2)
    placed_before(tenant, manager, 5, status=Call.Status.FAILED)
    placed_before(tenant, manager, 3, at=WEDNESDAY_10 - timedelta(days=1))  # yesterday
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.ok and v.today == 2 and v.week == 5
    placed_before(tenant, admin, 1, status=Call.Status.UNKNOWN)  # may have been placed: counts
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.code == "day_cap" and v.today == 3
    assert v.opens_at == datetime(2026, 5, 7, 0, 0, tzinfo=SH)  # the customer's midnight


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_the_week_cap_and_when_calling_opens_with_hours_on(tenant, manager):
    tenant.calling_hours_on = True
    tenant.save()
    placed_before(tenant, manager, 10, at=WEDNESDAY_10 - timedelta(days=2))  # Monday
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.code == "week_cap" and v.week == 10
    assert v.opens_at == datetime(2026, 5, 11, 9, 0, tzinfo=SH)  # next Monday, opening time


def test_caps_of_zero_are_no_caps(tenant, manager):
    tenant.calls_per_day = tenant.calls_per_week = 0
    tenant.save()
    placed_before(tenant, manager, 12)
    assert preflight.check(member(manager, tenant), NUMBER).ok


@time_machine.travel(datetime(2026, 5, 6, 21, 0, tzinfo=SH), tick=False)
def test_outside_hours_in_the_customers_time_not_the_tenants(tenant, manager):
    tenant.calling_hours_on = True
    tenant.time_zone = "America/New_York"  # 09:00 there; the customer's Shanghai is 21:00
    tenant.save()
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.code == "outside_hours" and v.opens_at == datetime(2026, 5, 7, 9, tzinfo=SH)
    # A number in New York is inside its hours now.
    assert preflight.check(member(manager, tenant), "+12125551234").ok


@time_machine.travel(WEDNESDAY_10, tick=False)
def test_a_holiday_is_refused_by_its_name(tenant, manager):
    tenant.calling_hours_on = True
    tenant.holidays = "2026-05-06..2026-05-07 Spring break"
    tenant.save()
    v = preflight.check(member(manager, tenant), NUMBER)
    assert v.code == "holiday" and v.holiday == "Spring break"
    assert v.opens_at == datetime(2026, 5, 8, 9, tzinfo=SH)


def test_only_allowed_roles_override_and_only_with_a_reason(tenant, manager):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER)
    m = member(manager, tenant)
    v = preflight.check(m, NUMBER, override="The customer called us and asked")
    assert v.code == "do_not_call" and not v.may_override
    tenant.override_roles = "manager"
    tenant.save()
    m = member(manager, tenant)
    assert preflight.check(m, NUMBER, override="too short").code == "do_not_call"
    v = preflight.check(m, NUMBER, override="The customer called us and asked")
    assert v.ok and v.overridden == "do_not_call"


def test_a_refused_call_is_recorded_failed_and_nothing_is_sent(tenant, manager, simctl):
    DoNotCall.objects.create(tenant=tenant, number=NUMBER, reason="Complained")
    p = place(tenant, manager, "dnc-call-1")
    assert p.created and not p.guard.ok
    call = p.call
    assert (call.status, call.reason_source, call.reason_code) == (
        "failed",
        "console",
        "do_not_call",
    )
    assert "do-not-call list (Complained)" in call.detail
    assert simctl.get("stats")["create_calls"] == 0
    assert str(call.reason().title).startswith("Refused by the console")


def test_the_fourth_call_in_a_day_is_refused_before_anything_is_sent(
    tenant, manager, admin, simctl
):
    p = place(tenant, manager, "cap-0")  # placed through AICC, by the manager
    assert p.call.status == "placed" and p.guard.ok and p.guard.today == 0
    Call.objects.filter(pk=p.call.pk).update(state=3)  # ended: no longer live
    placed_before(tenant, admin, 2)  # whoever calls
    p = place(tenant, manager, "cap-3")
    assert p.call.reason_code == "day_cap" and p.guard.today == 3
    assert simctl.get("stats")["create_calls"] == 1


def test_an_override_goes_through_kept_on_the_call_and_audited(tenant, manager, simctl):
    tenant.override_roles = "manager"
    tenant.save()
    DoNotCall.objects.create(tenant=tenant, number=NUMBER)
    p = place(tenant, manager, "override-1", override_reason="Customer asked us to call back today")
    call = Call.objects.get(pk=p.call.pk)
    assert call.status == "placed" and call.override_code == "do_not_call"
    assert call.override_reason == "Customer asked us to call back today"
    entry = AuditEntry.objects.get(action="call.override")
    assert entry.actor == manager and entry.changes["rule"] == "do_not_call"
    assert simctl.get("stats")["create_calls"] == 1


def test_an_override_reason_without_anything_to_override_is_not_kept(tenant, manager, simctl):
    tenant.override_roles = "manager"
    tenant.save()
    p = place(tenant, manager, "no-override", override_reason="Nothing to override here at all")
    assert Call.objects.get(pk=p.call.pk).override_code == ""
    assert not AuditEntry.objects.filter(action="call.override").exists()


def test_the_prepared_facts_are_the_orms(tenant, other_tenant, manager, admin):
    """The pre-flight's one query is prepared (console/prepared.py): its rows are the ORM's."""
    from guardrails.preflight import _FACTS, _facts_query

    now = timezone.now()
    DoNotCall.objects.create(
        tenant=tenant, number=NUMBER, reason="r", expires_at=now + timedelta(1)
    )
    DoNotCall.objects.create(tenant=other_tenant, number="+8613800005678")
    placed_before(tenant, admin, 2)
    placed_before(tenant, manager, 1, status=Call.Status.FAILED)
    placed_before(tenant, manager, 2, at=now - timedelta(days=3))
    for t in (tenant, other_tenant):
        for n in (NUMBER, "+8613800005678", "+8613800009999"):
            values = {"tenant_id": t.pk, "number": n, "now": now,
                      "day_start": now - timedelta(hours=5), "week_start": now - timedelta(days=5)}  # fmt: skip
            assert _FACTS.rows(**values) == list(_facts_query(**values))
    row = _FACTS.rows(tenant_id=tenant.pk, number=NUMBER, now=now,
                      day_start=now - timedelta(hours=5), week_start=now - timedelta(days=5))  # fmt: skip
    assert row[0][0] and row[0][1] == "r" and row[0][3:] == (2, 4)


def test_the_command_line_obeys_the_guardrails_and_names_the_rule(tenant, manager, simctl, capsys):
    from django.core.management import CommandError, call_command

    DoNotCall.objects.create(tenant=tenant, number=NUMBER, reason="Complained")
    with pytest.raises(CommandError, match="not placed"):
        call_command("aicc_call", tenant="acme", softphone="10001", called="13800001234", follow=0)
    out = capsys.readouterr().out
    assert "console do_not_call" in out and "do-not-call list (Complained)" in out
    assert simctl.get("stats")["create_calls"] == 0
