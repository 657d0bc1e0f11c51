"""``manage.py run_worker``: the console's background worker, until SIGINT/SIGTERM.

django-tasks' database worker (``db_worker``, all its options) plus the schedule of the periodic
jobs (calls/tasks.py): the outcome sync every OUTCOME_SYNC_SECONDS, the sweep of stuck calls every
SWEEP_CALLS_SECONDS, and an hourly prune of old task results. Run one on any number of hosts.
"""

from __future__ import annotations

import logging
import threading

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from calls.tasks import run_schedule

TASK_LOGGERS = ("django_tasks", "django_tasks_db", "django.tasks")


class Command(DbWorkerCommand):
    help = (
        "Run background tasks (django-tasks' database worker) and enqueue the periodic ones "
        "(outcome sync, sweep of stuck calls) on schedule."
    )

    def add_arguments(self, parser):
        super().add_arguments(parser)
        parser.add_argument(
            "--no-schedule",
            action="store_false",
            dest="schedule",
            help="only run queued tasks; enqueue no periodic jobs",
        )
        # Code reloading would run the schedule in the watching parent process too.
        parser.set_defaults(reload=False)

    def configure_logging(self, verbosity: int) -> None:
        # One line per task start and end (every few seconds) only with -v 2; failures always.
        for name in TASK_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)

    def handle(self, *args, schedule=True, **options):
        stop = threading.Event()
        thread = None
        if schedule and not options.get("batch"):
            thread = threading.Thread(
                target=run_schedule, args=(stop,), name="worker-schedule", daemon=True
            )
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            if thread is not None:
                thread.join(5)
