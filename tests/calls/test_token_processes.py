"""Several processes share one AICC token through the database: one fetch, not a stampede."""

import json
import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection

from calls.models import Call

ROOT = Path(__file__).resolve().parents[2]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    return f"postgres://{s['USER']}:{s['PASSWORD'] or ''}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


@pytest.mark.django_db(transaction=True)
def test_four_processes_placing_calls_fetch_one_token(manager, tenant, simctl):
    env = {**__import__("os").environ, "DATABASE_URL": database_url(), "DJANGO_ENV": "development"}
    procs = [
        subprocess.Popen(
            [
                sys.executable,
                str(ROOT / "bench" / "place_calls.py"),
                "--tenant",
                "acme",
                "--softphone",
                "10001",
                "--count",
                "25",
                "--prefix",
                f"136{n}",
            ],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for n in range(4)
    ]
    results = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        results.append(json.loads(out.strip().splitlines()[-1]))
    assert sum(r["placed"] for r in results) == 100
    assert Call.objects.filter(tenant=tenant, status="placed").count() == 100
    assert simctl.get("stats")["token_fetches"] == {"acme-key": 1}
