from datetime import timedelta

from django.core.management.base import BaseCommand

from calls.services.placing import sweep_calls


class Command(BaseCommand):
    help = 'Mark calls stuck in "placing" (the process died before AICC answered) as "outcome unknown".'

    def add_arguments(self, parser):
        parser.add_argument(
            "--older-than",
            type=int,
            default=None,
            help="seconds (default: CALL_STUCK_AFTER_SECONDS)",
        )

    def handle(self, *args, older_than=None, **options):
        n = sweep_calls(
            older_than=timedelta(seconds=older_than) if older_than is not None else None
        )
        self.stdout.write(f"{n} stuck call(s) marked as outcome unknown")
