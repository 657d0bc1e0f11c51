"""`make run`'s processes, for real: scripts/serve.sh starts the AICC simulator (configured by
seed_demo to push call events to the console), the console and its worker, on the test database.
A manager places calls and nobody follows them: each gets its final outcome within 60 s, one
through the pushed release event, one (its events not sent) through the worker's outcome sync.
Then SIGTERM to serve.sh stops all three.

The simulator plays calls in real time here (time_scale 1, as under `make run`): an answered call
rings for about 5 s and talks for 8 s; the worker syncs every 15 s. The test takes 25 to 40 s.
"""

import csv
import io
import os
import re
import signal
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection

from console.management.commands.seed_demo import DEMO_PASSWORD as PASSWORD
from console.models import Tenant
from tests.test_multiprocess import free_port, subprocess_env

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
WITHIN = 60  # seconds: the promise of `make run`

pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.django_db(transaction=True),
]


def database_url() -> str:
    s = connection.settings_dict
    if connection.vendor == "sqlite":
        return f"sqlite:///{s['NAME']}"
    from tests.test_multiprocess import database_url as postgres_url

    return postgres_url()


@pytest.fixture
def serve(tmp_path):
    """scripts/serve.sh as `make run` starts it, after its seed_demo step."""
    port, sim_port = free_port(), free_port()
    config = tmp_path / "aicc-simulator.json"
    call_command(
        "seed_demo",
        simulator_url=f"http://127.0.0.1:{sim_port}",
        console_url=f"http://127.0.0.1:{port}",
        simulator_config=str(config),
        stdout=open(os.devnull, "w"),  # noqa: SIM115
    )
    # A hasher the console knows (the test settings use MD5), with few iterations: quick logins.
    hasher = PBKDF2PasswordHasher()
    User.objects.filter(username__in=["manager1", "supervisor"]).update(
        password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )
    env = subprocess_env()
    env.update(
        DATABASE_URL=database_url(),
        PYTHON=sys.executable,
        HOST="127.0.0.1",
        PORT=str(port),
        SIM_PORT=str(sim_port),
        SIM_CONFIG=str(config),
        LOG_LEVEL="INFO",
    )
    log = tmp_path / "serve.log"
    proc = subprocess.Popen(
        ["sh", "scripts/serve.sh"],
        cwd=ROOT,
        env=env,
        stdout=log.open("w"),
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group, to clean up whatever happens
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while "Stop            Ctrl-C stops all three" not in log.read_text():
        assert proc.poll() is None, log.read_text()
        assert time.monotonic() < deadline, log.read_text()
        time.sleep(0.1)
    yield proc, base, f"http://127.0.0.1:{sim_port}", log
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(10)
    connection.close()


def log_in(base: str, username: str) -> requests.Session:
    s = requests.Session()
    token = CSRF.search(s.get(f"{base}/accounts/login/", timeout=10).text).group(1)
    r = s.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text[:500]
    return s


def place(s: requests.Session, base: str, tenant: Tenant, called: str) -> str:
    token = CSRF.search(s.get(f"{base}/t/{tenant.code}/call/", timeout=10).text).group(1)
    r = s.post(
        f"{base}/t/{tenant.code}/call/",
        # "anyway": the manager's earlier call may still be live (one live call per manager);
        # it is then no longer followed on screen, and its outcome still arrives.
        data={
            "called": called,
            "idempotency_key": uuid.uuid4().hex,
            "csrfmiddlewaretoken": token,
            "anyway": "on",
        },
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text[-2000:]
    return r.headers["Location"].rsplit("last=", 1)[1]


def outcomes(s: requests.Session, base: str, tenant: Tenant) -> dict[str, dict]:
    """The member's calls as the console's CSV export has them, by call id. (Read through the
    console, not this process's database connection: on SQLite, after the rest of the suite, this
    process may not see the other processes' commits, as tests/test_multiprocess.py found too.)"""
    r = s.get(f"{base}/t/{tenant.code}/calls/export.csv", timeout=10)
    assert r.status_code == 200, r.text[:500]
    rows = list(csv.DictReader(io.StringIO(r.content.decode("utf-8-sig"))))
    for row in rows:  # the serial is written ="..." so spreadsheets keep it text (docs/export.md)
        row["serial"] = row["serial"].removeprefix('="').removesuffix('"')
    return {row["call_id"]: row for row in rows}


def test_an_unwatched_call_gets_its_outcome_within_a_minute(serve, capsys):
    proc, base, sim, log = serve
    tenant = Tenant.objects.get(slug="demo")
    manager = log_in(base, "manager1")

    pushed = place(manager, base, tenant, "13812340001")
    placed = {pushed: time.monotonic()}
    # From now on the simulator sends no events for new calls of this account (as if AICC's
    # callback URLs were not configured): only the worker's sync can tell how the next call ended.
    r = requests.post(
        f"{sim}/__sim/accounts",
        json={"app_key": "demo-app-key", "app_secret": "demo-app-secret"},
        timeout=5,
    )
    r.raise_for_status()
    # (The customer does not answer: the call ends after about 9 s instead of 14.)
    r = requests.post(
        f"{sim}/__sim/scenario",
        json={"called": "13812340002", "outcome": "customer_no_answer"},
        timeout=5,
    )
    r.raise_for_status()
    synced = place(manager, base, tenant, "13812340002")
    placed[synced] = time.monotonic()

    took, rows = {}, {}
    while len(took) < 2:
        rows = outcomes(manager, base, tenant)
        for code, at in placed.items():
            if code not in took and rows.get(code, {}).get("outcome_source") in ("push", "cdr"):
                took[code] = time.monotonic() - at
        late = [c for c, at in placed.items() if c not in took and time.monotonic() - at > WITHIN]
        assert not late, f"{rows}\n{log.read_text()[-5000:]}"
        assert proc.poll() is None, log.read_text()[-5000:]
        time.sleep(0.25)

    first, second = rows[pushed], rows[synced]
    # The first call's events went to the console, which took them. (Its outcome is the pushed
    # one, unless a sync ran in the milliseconds between the call's end and the event.)
    delivered = requests.get(f"{sim}/__sim/callbacks", timeout=5).json()
    events = {(e["kind"], e["body"]["callSerialNo"], e.get("status")) for e in delivered}
    assert events == {("connect", first["serial"], 200), ("release", first["serial"], 200)}
    assert first["outcome_source"] in ("push", "cdr")
    assert (first["outcome_code"], first["talk_seconds"]) == ("0", "8")
    assert (second["outcome_source"], second["outcome_code"]) == ("cdr", "5")
    assert second["talk_seconds"] in ("", "0")  # not answered
    with capsys.disabled():
        print(
            f"\n  unwatched calls: outcome after {took[pushed]:.1f} s ({first['outcome_source']}), "
            f"{took[synced]:.1f} s (worker's sync)"
        )

    # The supervisor's history says so: synced, nothing waiting.
    body = log_in(base, "supervisor").get(f"{base}/t/{tenant.code}/calls/", timeout=10).text
    assert "(0 calls waiting for their outcome)" in body
    assert "Outcomes last synced" in body

    # Ctrl-C (here SIGTERM to serve.sh) stops the simulator, the console and the worker.
    proc.send_signal(signal.SIGTERM)
    assert proc.wait(30) == 0, log.read_text()[-3000:]
    assert "Stopped the console, its worker and the AICC simulator." in log.read_text()
    with pytest.raises(requests.ConnectionError):
        requests.get(f"{base}/healthz", timeout=2)
    with pytest.raises(ProcessLookupError):  # nothing is left in serve.sh's process group
        os.killpg(proc.pid, 0)
