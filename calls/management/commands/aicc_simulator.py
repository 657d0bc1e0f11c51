"""``python manage.py aicc_simulator`` — run the fake AICC API until SIGINT/SIGTERM."""

from __future__ import annotations

import signal
import threading

from django.core.management.base import BaseCommand, CommandError

from calls.aicc.simulator import Simulator


class Command(BaseCommand):
    help = "Run the in-memory AICC bidirectional-call simulator (token + /apiaccess API)."
    # The simulator needs no database and no project checks; keep start-up instant.
    requires_system_checks = []

    def add_arguments(self, parser):
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--port", type=int, default=8099, help="0 picks a free port")
        parser.add_argument("--config", default=None, help="JSON file: accounts, scenarios, ...")
        parser.add_argument(
            "--time-scale",
            type=float,
            default=1.0,
            help="multiplier for simulated call durations (0.1 = ten times faster)",
        )

    def handle(self, *args, **options):
        try:
            if options["config"]:
                sim = Simulator.from_config_file(
                    options["config"],
                    host=options["host"],
                    port=options["port"],
                    time_scale=options["time_scale"],
                )
            else:
                sim = Simulator(
                    host=options["host"], port=options["port"], time_scale=options["time_scale"]
                )
        except (OSError, ValueError) as exc:
            raise CommandError(f"cannot start the AICC simulator: {exc}") from exc

        def _on_signal(signum, frame):
            # shutdown() blocks until serve_forever() returns, so never call it on this thread.
            threading.Thread(target=sim.stop, name="aicc-sim-stop", daemon=True).start()

        previous = {s: signal.signal(s, _on_signal) for s in (signal.SIGINT, signal.SIGTERM)}
        self.stdout.write(f"AICC simulator listening on {sim.url}")
        self.stdout.flush()
        try:
            sim.serve_forever()
        finally:
            for s, handler in previous.items():
                signal.signal(s, handler)
        self.stdout.write("AICC simulator stopped")
