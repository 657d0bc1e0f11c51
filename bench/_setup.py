"""Shared set-up for the benchmarks: a scratch database (or DATABASE_URL), migrated, with one
tenant pointed at an in-process AICC simulator, and customer managers with softphones."""

import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "console.settings")


def bootstrap(*, managers: int = 1, latency_ms: int = 0):
    """Returns (simulator, tenant, [memberships]). Uses DATABASE_URL if set, else a new SQLite file."""
    if not os.environ.get("DATABASE_URL"):
        path = Path(tempfile.mkdtemp(prefix="console-bench-")) / "bench.sqlite3"
        os.environ["DATABASE_URL"] = f"sqlite:///{path}"
    import django

    django.setup()
    import logging

    logging.disable(logging.INFO)
    from django.contrib.auth.models import User
    from django.core.management import call_command

    from calls.aicc.simulator import Account
    from console.models import Membership, SoftphoneMapping, Tenant

    call_command("migrate", verbosity=0)
    phones = [str(20001 + i) for i in range(managers)]
    sim = start_simulator(
        [
            Account(
                app_key="bench-key",
                app_secret="bench-secret",
                softphones=[{"phoneNum": p, "status": 0} for p in phones],
            )
        ],
        latency_ms=latency_ms,
    )
    tenant, _ = Tenant.objects.update_or_create(
        slug="bench",
        defaults={
            "name": "Bench",
            "aicc_base_url": sim.url,
            "app_key": "bench-key",
            "app_secret": "bench-secret",
        },
    )
    members = []
    for i, phone in enumerate(phones):
        user, _ = User.objects.get_or_create(username=f"bench{i}")
        user.set_password("bench-password")
        user.save()
        m, _ = Membership.objects.update_or_create(
            tenant=tenant, user=user, defaults={"role": "manager"}
        )
        SoftphoneMapping.objects.update_or_create(
            tenant=tenant, user=user, defaults={"softphone": phone}
        )
        members.append(m)
    return sim, tenant, members


def percentile(values, p):
    s = sorted(values)
    if not s:
        return float("nan")
    k = min(len(s) - 1, max(0, round(p / 100 * (len(s) - 1))))
    return s[k]


class SimulatorProcess:
    """The simulator in its own process (as in production: it never shares our GIL)."""

    def __init__(self, proc, url):
        self.proc, self.url = proc, url

    def stats(self) -> dict:
        import requests

        return requests.get(f"{self.url}/__sim/stats", timeout=5).json()

    def calls(self) -> list:
        import requests

        return requests.get(f"{self.url}/__sim/calls", timeout=30).json()

    def stop(self) -> None:
        self.proc.terminate()
        self.proc.wait(10)


def start_simulator(
    accounts, *, latency_ms: int = 0, time_scale: float = 0.001
) -> SimulatorProcess:
    import dataclasses
    import json
    import subprocess

    cfg = Path(tempfile.mkdtemp(prefix="console-sim-")) / "sim.json"
    cfg.write_text(
        json.dumps(
            {"accounts": [dataclasses.asdict(a) for a in accounts], "latency_ms": latency_ms}
        )
    )
    proc = subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "manage.py"),
            "aicc_simulator",
            "--port",
            "0",
            "--config",
            str(cfg),
            "--time-scale",
            str(time_scale),
        ],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        text=True,
    )
    line = proc.stdout.readline()
    url = line.strip().rsplit(" ", 1)[-1]
    if not url.startswith("http"):
        proc.kill()
        raise RuntimeError(f"simulator did not start: {line!r}")
    sim = SimulatorProcess(proc, url)
    import atexit

    atexit.register(lambda: proc.poll() is None and proc.terminate())
    return sim
