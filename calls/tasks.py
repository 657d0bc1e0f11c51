"""Background tasks and the schedule of the periodic ones (docs/deploy.md, "The worker").

The tasks run in `manage.py run_worker`: django-tasks' database worker (the queue is a table in the
console's database, so every host shares it, and a task is claimed by one worker with SELECT ...
FOR UPDATE SKIP LOCKED). django-tasks has no scheduler, so run_worker also calls `enqueue_due()`
once a second: a job whose `PeriodicJob.next_run_at` has come is moved on by one conditional
UPDATE (compare and set), and only the worker whose UPDATE changed the row enqueues the run, in
the same transaction. Several workers on several hosts thus enqueue each run once; a run still
waiting in the queue (every worker busy or stopped) is not queued a second time.

Each task is safe to run twice or at once on two workers: the outcome sync leases each tenant and
writes each outcome once; the sweep is one conditional UPDATE; a follow-up is announced by the
conditional UPDATE of its `due_notified_at` (calls.services.followups.announce_due).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta

from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from calls.models import PeriodicJob
from calls.services import followups, placing
from calls.services.sync import sync_pending

try:  # Django 6 has the tasks API built in; django-tasks is its backport for Django 5.2
    from django.tasks import TaskResultStatus, task
except ImportError:
    from django_tasks import TaskResultStatus, task

log = logging.getLogger("calls.tasks")

TASK_RESULTS_KEPT = timedelta(days=1)


@task()
def sync_outcomes() -> dict:
    """Read AICC's call records for calls still waiting for their outcome (calls.services.sync)."""
    results = sync_pending()
    return {
        "tenants": len(results),
        "applied": sum(r.applied for r in results),
        "skipped": sum(r.skipped for r in results),
        "failed": sum(bool(r.error) for r in results),
    }


@task()
def sweep_calls() -> dict:
    """Calls stuck in "placing" become "outcome unknown" (as manage.py sweep_calls)."""
    return {"swept": placing.sweep_calls()}


@task()
def announce_follow_ups() -> dict:
    """Follow-ups whose time has come: each announced once (`followup.due` webhook)."""
    return {"announced": followups.announce_due()}


@task()
def prune_task_results() -> dict:
    """Forget finished runs after a day (and runs a stopped worker left "running")."""
    cutoff = timezone.now() - TASK_RESULTS_KEPT
    old = DBTaskResult.objects.filter(
        Q(status__in=[TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED], finished_at__lt=cutoff)
        | Q(status=TaskResultStatus.RUNNING, started_at__lt=cutoff)
    )
    return {"deleted": old.delete()[0]}


def _seconds(name: str) -> Callable[[], timedelta]:
    return lambda: timedelta(seconds=max(1, getattr(settings, name)))


@dataclass(frozen=True)
class Job:
    name: str
    task: object  # a django-tasks Task
    interval: Callable[[], timedelta]


JOBS = (
    Job("sync_outcomes", sync_outcomes, _seconds("OUTCOME_SYNC_SECONDS")),
    Job("sweep_calls", sweep_calls, _seconds("SWEEP_CALLS_SECONDS")),
    Job("prune_task_results", prune_task_results, lambda: timedelta(hours=1)),
    Job("announce_follow_ups", announce_follow_ups, lambda: timedelta(seconds=30)),
)


def enqueue_due(now: datetime | None = None) -> list[str]:
    """Enqueue the periodic jobs that are due; the names of those this call enqueued."""
    now = now or timezone.now()
    return [job.name for job, at in due_jobs(now) if take_run(job, at, now)]


def due_jobs(now: datetime) -> list[tuple[Job, datetime]]:
    """The jobs due at `now`, each with the `next_run_at` read (new jobs are due at once)."""
    names = [j.name for j in JOBS]
    due_at = dict(PeriodicJob.objects.filter(name__in=names).values_list("name", "next_run_at"))
    if len(due_at) < len(JOBS):
        new = [PeriodicJob(name=j.name, next_run_at=now) for j in JOBS if j.name not in due_at]
        PeriodicJob.objects.bulk_create(new, ignore_conflicts=True)
        due_at = dict(PeriodicJob.objects.filter(name__in=names).values_list("name", "next_run_at"))
    due = []
    for job in JOBS:
        at = due_at[job.name]
        # Not due yet; a time more than one interval away means the interval was shortened.
        if not now < at <= now + job.interval():
            due.append((job, at))
    return due


def take_run(job: Job, at: datetime, now: datetime) -> bool:
    """Move the job's next run on, if it is still `at` (compare and set), and enqueue it; False
    when another worker took this run first or the last run is still waiting in the queue."""
    with transaction.atomic():
        moved = PeriodicJob.objects.filter(name=job.name, next_run_at=at).update(
            next_run_at=now + job.interval(), last_enqueued_at=now
        )
        if not moved:
            return False
        queued = DBTaskResult.objects.filter(
            task_path=job.task.module_path, status=TaskResultStatus.READY
        )
        if queued.exists():
            return False  # no pile-up behind busy or stopped workers
        job.task.enqueue()
    return True


def run_schedule(stop: threading.Event, tick: float = 1.0) -> None:
    """Call enqueue_due() every `tick` seconds until `stop` is set (run_worker's thread)."""
    while not stop.is_set():
        wait = tick
        try:
            close_old_connections()
            for name in enqueue_due():
                log.debug("worker: enqueued %s", name)
        except Exception:
            log.exception("worker: could not enqueue the periodic jobs (retrying in 10 s)")
            wait = 10.0
        stop.wait(wait)
    connection.close()
