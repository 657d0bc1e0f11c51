"""How current the history is: when outcomes were last synced, how many calls wait for theirs,
and which are overdue (and what that means, in the reader's person)."""

import re
from datetime import UTC, datetime, timedelta

import pytest
from django.db import connection
from django.utils import timezone

from calls.models import Call, OutcomeSync
from tests.calls.test_history import mk, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _thresholds(settings):
    settings.OUTCOME_OVERDUE_MINUTES = 10
    settings.OUTCOME_FULL_SYNC_SECONDS = 300


def freshness_line(body):
    m = re.search(r'<div id="outcome-freshness"[^>]*>\s*<p>(.*?)</p>', body, re.S)
    return re.sub(r"<[^>]+>", "", m.group(1)).strip() if m else None


def calls_of(tenant, manager, supervisor):
    """Waiting: two recent calls (one of them with a provisional outcome) and one overdue of the
    manager, one overdue of someone else; done or not waiting: the rest."""
    now = timezone.now()
    mk(tenant, manager, 1, at=now - timedelta(minutes=1), called="13800000001")
    mk(tenant, manager, 1, at=now - timedelta(minutes=2), called="13800000002", outcome_code="5",
       outcome_source="poll", state=3)  # fmt: skip
    mk(tenant, manager, 1, at=now - timedelta(minutes=30), called="13800000003", serial="77")
    mk(tenant, supervisor, 1, at=now - timedelta(minutes=40), called="13800000004")
    mk(tenant, manager, 1, at=now - timedelta(minutes=50), called="13800000005",
       outcome_code="0", outcome_source="push", state=3)  # fmt: skip
    mk(tenant, manager, 1, at=now - timedelta(minutes=5), called="13800000006", status="failed")
    mk(tenant, manager, 1, at=now - timedelta(days=8), called="13800000007")  # beyond the horizon


def test_supervisors_see_when_outcomes_were_synced_and_what_waits(
    client, supervisor, manager, tenant
):
    tenant.time_zone = "Asia/Shanghai"
    tenant.save()
    calls_of(tenant, manager, supervisor)
    OutcomeSync.objects.create(tenant=tenant, last_ok_at=datetime(2026, 3, 2, 7, 30, 5, tzinfo=UTC))
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert freshness_line(body) == (
        "Outcomes last synced 2026-03-02 15:30:05 (4 calls waiting for their outcome) 2 overdue"
    )
    assert "after the customer manager placed it" in body
    assert body.count('<span class="badge overdue">Outcome overdue</span>') == 3  # 8 days old too
    row = re.search(r"<tr>(?:(?!</tr>).)*13800000003.*?</tr>", body, re.S).group(0)
    assert "Outcome overdue" in row
    for fresh_or_done in ("13800000001", "13800000002", "13800000005", "13800000006"):
        row = re.search(rf"<tr>(?:(?!</tr>).)*{fresh_or_done}.*?</tr>", body, re.S).group(0)
        assert "Outcome overdue" not in row, fresh_or_done


def test_managers_count_their_own_calls(client, supervisor, manager, tenant):
    calls_of(tenant, manager, supervisor)
    OutcomeSync.objects.create(tenant=tenant, last_ok_at=timezone.now())
    client.force_login(manager)
    body = client.get(url(tenant)).content.decode()
    assert "(3 calls waiting for their outcome) 1 overdue" in freshness_line(body)
    assert "minutes after you placed it" in body
    assert "after the customer manager placed" not in body


def test_one_waiting_call_reads_well_and_nothing_is_overdue(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, at=timezone.now() - timedelta(minutes=1))
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert freshness_line(body) == "Outcomes not synced yet (1 call waiting for its outcome)"
    assert "Outcome overdue" not in body and "Overdue:" not in body


def test_a_stopped_sync_is_pointed_out(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, at=timezone.now() - timedelta(minutes=1))
    OutcomeSync.objects.create(tenant=tenant, last_ok_at=timezone.now() - timedelta(minutes=11))
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "Outcome sync seems to have stopped" in body
    OutcomeSync.objects.update(last_ok_at=timezone.now() - timedelta(minutes=9))
    assert "seems to have stopped" not in client.get(url(tenant)).content.decode()
    Call.objects.update(outcome_source="push", outcome_code="0")  # nothing waits: nothing to sync
    OutcomeSync.objects.update(last_ok_at=timezone.now() - timedelta(hours=3))
    assert "seems to have stopped" not in client.get(url(tenant)).content.decode()


def test_the_htmx_table_carries_the_badges_but_not_the_line(client, supervisor, manager, tenant):
    mk(tenant, manager, 1, at=timezone.now() - timedelta(minutes=20))
    client.force_login(supervisor)
    body = client.get(url(tenant), headers={"HX-Request": "true"}).content.decode()
    assert "Outcome overdue" in body and "outcome-freshness" not in body


def test_the_detail_page_explains_an_overdue_call(client, supervisor, manager, tenant):
    [call] = mk(tenant, manager, 1, at=timezone.now() - timedelta(minutes=20), serial="123")
    client.force_login(manager)
    body = client.get(f"/t/{tenant.code}/calls/{call.code}/").content.decode()
    assert "Outcome overdue" in body and "10 minutes after you placed it" in body
    assert "Not known yet" not in body
    client.force_login(supervisor)
    body = client.get(f"/t/{tenant.code}/calls/{call.code}/").content.decode()
    assert "10 minutes after the customer manager placed it" in body


def test_admins_still_see_a_failed_sync(client, admin, tenant):
    OutcomeSync.objects.create(tenant=tenant, last_error="queryCallDetailRecord 4: bad")
    client.force_login(admin)
    body = client.get(url(tenant)).content.decode()
    assert "Reading call outcomes from AICC failed" in body and "queryCallDetailRecord 4" in body


def test_a_failing_read_is_told_to_readers_without_blaming_the_worker(
    client, supervisor, manager, tenant
):
    mk(tenant, manager, 1, at=timezone.now() - timedelta(minutes=1))
    OutcomeSync.objects.create(
        tenant=tenant,
        last_ok_at=timezone.now() - timedelta(hours=1),
        last_error="queryCallDetailRecord 4: bad",
    )
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "Outcomes could not be read from AICC lately" in body
    assert "seems to have stopped" not in body and "queryCallDetailRecord 4" not in body


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner and partial indexes")
def test_the_waiting_count_uses_the_partial_index_on_sqlite(supervisor, tenant):
    """The count of waiting calls goes through call_waiting_outcome, as it is sent (with bound
    parameters): with the condition as parameters SQLite cannot use the partial index and scans
    a week of the tenant's calls (docs/performance.md)."""
    from calls.selectors import freshness
    from console.models import Membership

    membership = Membership.objects.select_related("tenant").get(user=supervisor, tenant=tenant)
    sent = []

    def keep(execute, sql, params, many, context):
        sent.append((sql, params))
        return execute(sql, params, many, context)

    with connection.execute_wrapper(keep):
        freshness(membership)
    [(sql, params)] = sent
    with connection.cursor() as cursor:
        cursor.execute("EXPLAIN QUERY PLAN " + sql, params)
        plan = " ".join(str(row) for row in cursor.fetchall())
    assert plan.count("USING INDEX call_waiting_outcome") == 2, plan
