"""``manage.py run_worker``: the console's background worker, until SIGINT/SIGTERM.

django-tasks' database worker (``db_worker``, all its options) plus the schedule of the periodic
jobs (calls/tasks.py): the outcome sync every OUTCOME_SYNC_SECONDS, the sweep of stuck calls every
SWEEP_CALLS_SECONDS, and an hourly prune of old task results; and a thread delivering the outbound
webhooks (hooks/delivery.py). Run one on any number of hosts.
"""

from __future__ import annotations

import logging
import threading

from django_tasks_db.management.commands.db_worker import Command as DbWorkerCommand

from calls.tasks import run_schedule
from hooks.delivery import run_deliverer

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
        parser.add_argument(
            "--no-webhooks",
            action="store_false",
            dest="webhooks",
            help="deliver no webhooks (another worker does)",
        )
        # Code reloading would run the schedule in the watching parent process too.
        parser.set_defaults(reload=False)

    def configure_logging(self, verbosity: int) -> None:
        # One line per task start and end (every few seconds) only with -v 2; failures always.
        for name in TASK_LOGGERS:
            logging.getLogger(name).setLevel(logging.DEBUG if verbosity > 1 else logging.WARNING)

    def handle(self, *args, schedule=True, webhooks=True, **options):
        stop = threading.Event()
        threads = []
        if not options.get("batch"):
            if schedule:
                threads.append(
                    threading.Thread(target=run_schedule, args=(stop,), name="worker-schedule")
                )
            if webhooks:
                threads.append(
                    threading.Thread(target=run_deliverer, args=(stop,), name="worker-webhooks")
                )
        for thread in threads:
            thread.daemon = True
            thread.start()
        try:
            super().handle(*args, **options)
        finally:
            stop.set()
            for thread in threads:
                thread.join(5)
