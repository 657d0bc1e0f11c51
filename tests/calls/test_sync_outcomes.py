"""manage.py sync_outcomes against the simulator over HTTP."""

import time
from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.models import Call, OutcomeSync
from calls.services import placing
from calls.services.outcomes import sync_claim

pytestmark = pytest.mark.django_db

OUTCOME_FIELDS = (
    "state",
    "outcome_code",
    "outcome_source",
    "outcome_at",
    "talking_at",
    "talk_seconds",
    "agent_talk_seconds",
    "released_at",
)


def place_some(membership, simctl):
    mapping = membership.tenant.softphones.get(user=membership.user)
    simctl.scenario(called="13800000002", outcome="customer_no_answer")
    simctl.scenario(called="13800000003", outcome="agent_no_answer")
    calls = [
        placing.call_place(
            membership=membership,
            mapping=mapping,
            called=f"1380000000{i}",
            idempotency_key=f"sync-{i}",
            replace_live=True,  # back to back: each stops following the one before
        ).call
        for i in (1, 2, 3)
    ]
    time.sleep(0.3)  # time_scale 0.01: every call has ended
    return calls


def run(**opts):
    out = StringIO()
    call_command("sync_outcomes", stdout=out, **opts)
    return out.getvalue()


def snapshot():
    return list(Call.objects.order_by("id").values(*OUTCOME_FIELDS))


def test_it_stores_each_outcome_once(manager_membership, simctl):
    calls = place_some(manager_membership, simctl)
    out = run()
    assert "3 outcomes stored" in out
    got = {c.called: c for c in Call.objects.all()}
    assert got["13800000001"].outcome_code == "0" and got["13800000001"].talking_at is not None
    assert got["13800000002"].outcome_code == "5" and got["13800000002"].talking_at is None
    assert got["13800000003"].outcome_code == "4"
    assert all(c.outcome_source == "cdr" and c.state == 3 for c in got.values())
    assert len(calls) == 3


def test_running_it_twice_changes_nothing(manager_membership, simctl):
    place_some(manager_membership, simctl)
    run()
    before = snapshot()
    assert "0 outcomes stored" in run()
    assert snapshot() == before


def test_it_resumes_from_the_stored_cursor(manager_membership, tenant, simctl):
    place_some(manager_membership, simctl)
    run()
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert sync.cursor_at is not None and sync.last_ok_at is not None
    Call.objects.update(outcome_source="", outcome_code="")  # forget, to see what is re-read
    run()
    # The second run starts one hour before the cursor: these recent calls are read again.
    assert Call.objects.filter(outcome_source="cdr").count() == 3
    sync.refresh_from_db()
    assert sync.cursor_at > timezone.now() - timedelta(minutes=1)


def test_a_failure_is_stored_for_the_admin_and_the_cursor_stays(
    manager_membership, tenant, simctl, client, admin
):
    place_some(manager_membership, simctl)
    simctl.scenario(interface="queryCallDetailRecord", retCode="4", times=1)
    with pytest.raises(SystemExit):
        run()
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert "queryCallDetailRecord 4" in sync.last_error and sync.cursor_at is None
    assert sync.lease_until is None  # released for the next run
    client.force_login(admin)
    assert (
        "queryCallDetailRecord 4"
        in client.get(f"/t/{tenant.code}/calls/callbacks/").content.decode()
    )
    run()  # the vendor is fine again: the next run catches up
    sync.refresh_from_db()
    assert sync.last_error == "" and Call.objects.filter(outcome_source="cdr").count() == 3


def test_a_pushed_outcome_is_not_overwritten(manager_membership, simctl):
    place_some(manager_membership, simctl)
    Call.objects.filter(called="13800000001").update(
        outcome_source="push", outcome_code="1", state=3
    )
    run()
    c = Call.objects.get(called="13800000001")
    assert c.outcome_source == "push" and c.outcome_code == "1"


def test_a_tenant_being_synced_elsewhere_is_skipped(manager_membership, tenant, simctl):
    place_some(manager_membership, simctl)
    assert sync_claim(tenant, owner="host-a:1") is not None  # another runner holds the lease
    assert "skipped" in run()
    assert not Call.objects.filter(outcome_source="cdr").exists()


def test_an_expired_lease_is_taken_over(manager_membership, tenant, simctl):
    place_some(manager_membership, simctl)
    sync_claim(tenant, owner="host-a:1")
    OutcomeSync.objects.update(lease_until=timezone.now() - timedelta(seconds=1))
    assert "3 outcomes stored" in run()


def test_ita_tenants_read_task_types_0_and_4(tenant):
    from calls.services.outcomes import task_types

    assert task_types(tenant) == ("0",)
    tenant.call_type = "ITA"
    assert task_types(tenant) == ("0", "4")
