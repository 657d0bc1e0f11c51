"""The background worker: the schedule enqueues each periodic job once per interval (also from two
workers at once), the database worker runs them, and the outcome sync asks AICC only about calls
that still wait for their outcome, mostly about the last minutes."""

import signal
import threading
import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.db import connection
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calls import tasks
from calls.aicc.client import AiccClient
from calls.models import Call, OutcomeSync, PeriodicJob
from calls.services import placing
from calls.services.sync import sync_pending
from calls.tasks import due_jobs, enqueue_due, take_run

pytestmark = pytest.mark.django_db

SYNC, SWEEP, PRUNE = "sync_outcomes", "sweep_calls", "prune_task_results"
FOLLOW = "announce_follow_ups"  # every 30 s


def queued():
    return sorted(
        path.rsplit(".", 1)[1]
        for path in DBTaskResult.objects.filter(status="READY").values_list("task_path", flat=True)
    )


@pytest.fixture
def intervals(settings):
    settings.OUTCOME_SYNC_SECONDS = 15
    settings.SWEEP_CALLS_SECONDS = 60
    settings.OUTCOME_FULL_SYNC_SECONDS = 300
    settings.OUTCOME_OVERDUE_MINUTES = 10


@pytest.fixture
def signals_restored():
    """The database worker installs its own SIGINT/SIGTERM handlers: put pytest's back."""
    saved = {s: signal.getsignal(s) for s in (signal.SIGINT, signal.SIGTERM, signal.SIGQUIT)}
    yield
    for s, handler in saved.items():
        signal.signal(s, handler)


def run_queued():
    """The database worker, until the queue is empty. (It closes old connections as it goes, so
    tests using it run outside a test transaction: django_db(transaction=True).)"""
    call_command("run_worker", batch=True, startup_delay=False, interval=0, verbosity=0)


# --- the schedule ------------------------------------------------------------------------------


def test_each_job_is_enqueued_once_per_interval(intervals):
    t0 = timezone.now()
    assert enqueue_due(t0) == [SYNC, SWEEP, PRUNE, FOLLOW]  # a first start: everything is due
    assert enqueue_due(t0 + timedelta(seconds=1)) == []
    DBTaskResult.objects.all().delete()  # as if a worker had run them
    assert enqueue_due(t0 + timedelta(seconds=16)) == [SYNC]
    DBTaskResult.objects.all().delete()
    assert enqueue_due(t0 + timedelta(seconds=61)) == [SYNC, SWEEP, FOLLOW]
    assert PeriodicJob.objects.get(name=SWEEP).next_run_at == t0 + timedelta(seconds=121)


def test_a_run_still_waiting_in_the_queue_is_not_queued_again(intervals):
    t0 = timezone.now()
    enqueue_due(t0)
    # No worker ran them (all busy or stopped): a minute later there is still one of each.
    for s in range(15, 75, 15):
        enqueue_due(t0 + timedelta(seconds=s))
    assert queued() == [FOLLOW, PRUNE, SWEEP, SYNC]


def test_a_shortened_interval_applies_at_once(intervals, settings):
    t0 = timezone.now()
    enqueue_due(t0)
    DBTaskResult.objects.all().delete()
    settings.OUTCOME_SYNC_SECONDS = 3600
    enqueue_due(t0 + timedelta(seconds=15))  # now due in an hour
    DBTaskResult.objects.all().delete()
    settings.OUTCOME_SYNC_SECONDS = 15
    assert enqueue_due(t0 + timedelta(seconds=20)) == [SYNC]


@pytest.mark.django_db(transaction=True)
def test_two_workers_enqueue_each_run_once(intervals):
    """Two workers' schedules racing on the same due jobs (threads: separate connections)."""
    t0 = timezone.now()
    start = threading.Barrier(4)
    got = []

    def worker(now):
        try:
            start.wait()
            got.append(enqueue_due(now))
        finally:
            connection.close()

    for now in (t0, t0 + timedelta(seconds=16)):
        threads = [threading.Thread(target=worker, args=(now,)) for _ in range(4)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(30)
        DBTaskResult.objects.filter(status="READY").update(status="SUCCESSFUL")
    assert sorted(name for names in got for name in names) == [FOLLOW, PRUNE, SWEEP, SYNC, SYNC]
    assert DBTaskResult.objects.count() == 5


def test_a_run_taken_by_another_worker_is_not_taken_again(intervals):
    """Worker A read the schedule; meanwhile worker B took the run and already started it. A's
    compare-and-set finds the schedule moved on and enqueues nothing."""
    t0 = timezone.now()
    [(job, at), *_] = due_jobs(t0)  # A's read
    assert job.name == SYNC
    assert take_run(job, at, t0)  # B
    DBTaskResult.objects.update(status="RUNNING")  # B's worker has started it
    assert not take_run(job, at, t0)  # A, late
    assert DBTaskResult.objects.count() == 1


# --- the worker runs them ------------------------------------------------------------------------


def place(membership, called, key):
    mapping = membership.tenant.softphones.get(user=membership.user)
    return placing.call_place(
        membership=membership, mapping=mapping, called=called, idempotency_key=key
    ).call


@pytest.mark.django_db(transaction=True)
def test_the_worker_runs_the_sync_and_the_sweep(
    intervals, manager_membership, manager, tenant, simctl, signals_restored
):
    placed = place(manager_membership, "13800000001", "w-1")
    stuck = Call.objects.create(
        tenant=tenant, user=manager, softphone="10001", called="13800000002", idempotency_key="w-2"
    )
    Call.objects.filter(pk=stuck.pk).update(created_at=timezone.now() - timedelta(hours=1))
    time.sleep(0.3)  # the session's simulator plays calls a hundred times faster: it has ended
    enqueue_due()
    run_queued()
    placed.refresh_from_db()
    stuck.refresh_from_db()
    assert placed.outcome_source == "cdr" and placed.outcome_code == "0"
    assert stuck.status == Call.Status.UNKNOWN and stuck.reason_code == "interrupted"
    results = {
        r.task_path.rsplit(".", 1)[1]: r for r in DBTaskResult.objects.filter(status="SUCCESSFUL")
    }
    assert results[SYNC].return_value == {"tenants": 1, "applied": 1, "skipped": 0, "failed": 0}
    assert results[SWEEP].return_value == {"swept": 1}
    assert OutcomeSync.objects.get(tenant=tenant).last_ok_at is not None


@pytest.mark.django_db(transaction=True)
def test_run_worker_enqueues_on_schedule_and_runs(intervals, signals_restored):
    """The command itself: its schedule thread enqueues, its database worker runs."""
    call_command("run_worker", max_tasks=4, startup_delay=False, interval=0.05, verbosity=0)
    done = DBTaskResult.objects.filter(status="SUCCESSFUL").values_list("task_path", flat=True)
    assert sorted(p.rsplit(".", 1)[1] for p in done) == [FOLLOW, PRUNE, SWEEP, SYNC]


@pytest.mark.django_db(transaction=True)
def test_old_task_results_are_pruned(intervals, signals_restored):
    enqueue_due()
    run_queued()
    assert DBTaskResult.objects.count() == 4
    DBTaskResult.objects.update(finished_at=timezone.now() - timedelta(days=2))
    tasks.prune_task_results.enqueue()
    run_queued()
    assert list(DBTaskResult.objects.values_list("task_path", flat=True)) == [
        "calls.tasks.prune_task_results"  # this run itself
    ]


# --- the outcome sync asks only about waiting calls ------------------------------------------------


@pytest.fixture
def cdr_reads(monkeypatch):
    """The start of every call-records read (the real method still runs)."""
    starts = []
    real = AiccClient.iter_cdr

    def spy(self, *, start, end, **kw):
        starts.append(start)
        return real(self, start=start, end=end, **kw)

    monkeypatch.setattr(AiccClient, "iter_cdr", spy)
    return starts


def test_nothing_waiting_means_no_request_and_a_fresh_check(intervals, tenant, simctl, cdr_reads):
    assert sync_pending() == []
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert cdr_reads == [] and simctl.get("stats")["token_fetches"] == {}
    assert sync.last_ok_at is not None and sync.cursor_at == sync.last_ok_at


def test_recent_waiting_calls_read_only_the_last_minutes(
    intervals, manager_membership, tenant, simctl, cdr_reads
):
    OutcomeSync.objects.create(tenant=tenant, cursor_at=timezone.now())  # a full read just ran
    call = place(manager_membership, "13800000001", "r-1")
    time.sleep(0.3)
    [result] = sync_pending()
    assert result.applied == 1 and not result.error
    assert cdr_reads == [call.created_at - timedelta(minutes=1)]
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert sync.cursor_at < call.created_at  # a quick read leaves the cursor to the full read
    assert sync_pending() == [] and len(cdr_reads) == 1  # nothing waits any more


def test_a_full_read_is_due_every_few_minutes(
    intervals, manager_membership, tenant, simctl, cdr_reads
):
    old = place(manager_membership, "13800000001", "f-1")
    time.sleep(0.3)
    Call.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(minutes=30))
    cursor = timezone.now() - timedelta(seconds=60)
    OutcomeSync.objects.create(tenant=tenant, cursor_at=cursor)
    # Only an overdue call waits, and the last full read was a minute ago: nothing to do.
    assert sync_pending() == [] and cdr_reads == []
    OutcomeSync.objects.update(cursor_at=cursor - timedelta(minutes=5))
    [result] = sync_pending()
    assert cdr_reads == [cursor - timedelta(minutes=5) - timedelta(hours=1)]  # from the cursor
    assert result.applied == 1
    assert OutcomeSync.objects.get(tenant=tenant).cursor_at > cursor


def test_a_failed_read_is_retried_at_the_full_pace(intervals, tenant, simctl, cdr_reads):
    now = timezone.now()
    OutcomeSync.objects.create(
        tenant=tenant, cursor_at=now - timedelta(seconds=30), last_error="http 500: boom"
    )
    assert sync_pending() == [] and cdr_reads == []  # nothing waits: no retry before it is due
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert sync.last_error and sync.last_ok_at is None  # and it does not look synced meanwhile
    OutcomeSync.objects.update(cursor_at=now - timedelta(minutes=6))
    [result] = sync_pending()
    assert len(cdr_reads) == 1 and not result.error
    assert OutcomeSync.objects.get(tenant=tenant).last_error == ""


def test_tenants_without_credentials_are_left_alone(intervals, tenant, simctl, cdr_reads):
    tenant.app_key = ""
    tenant.save()
    assert sync_pending() == []
    assert not OutcomeSync.objects.exists()
