"""Several processes, one truth: two gunicorn processes (threaded workers, as in production) on one
database and one AICC simulator, driven by managers of two tenants clicking "Call" at both at once.

Checked against the simulator's own log: one token fetch per tenant (not one per process or
thread), every accepted createCall has exactly one Call row and every Call row one createCall (no
lost or duplicated records, even when the same form is submitted to both servers at once), and
sweep_calls and sync_outcomes run from two processes at the same time do each piece of work once.
"""

import os
import re
import socket
import subprocess
import sys
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from pathlib import Path
from urllib.parse import quote

import pytest
import requests
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.contrib.auth.models import User
from django.core.management import get_commands
from django.db import connection
from django.utils import timezone

from calls.models import AiccToken, Call
from console.models import Membership, SoftphoneMapping
from tests.conftest import PASSWORD

# Several hosts share one PostgreSQL in production; SQLite is for a single host. (On SQLite's file
# test database these tests passed alone, but in the whole suite the pytest process sometimes read
# stale data after the subprocesses' commits.) .ci/run runs them in its PostgreSQL pass.
pytestmark = [
    pytest.mark.multiprocess,
    pytest.mark.django_db(transaction=True),
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="several-process tests run on PostgreSQL (DATABASE_URL=postgres://...; .ci/run)",
    ),
]

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
MANAGERS_PER_TENANT = 3
CALLS_PER_MANAGER = 10


def database_url() -> str:
    """The test database pytest-django created, as a URL for the subprocesses."""
    s = connection.settings_dict
    auth = quote(s["USER"] or "", safe="")
    if s["PASSWORD"]:
        auth += ":" + quote(s["PASSWORD"], safe="")
    return f"postgres://{auth}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def subprocess_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    env.update(DATABASE_URL=database_url(), DJANGO_ENV="development", LOG_LEVEL="WARNING")
    return env


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def servers(tmp_path):
    """Two separate gunicorn processes on the test database."""
    env = subprocess_env()
    procs, urls = [], []
    for n in range(2):
        port = free_port()
        log = (tmp_path / f"gunicorn-{n}.log").open("w")
        procs.append(
            subprocess.Popen(
                [sys.executable, "-m", "gunicorn", "console.wsgi", "-c", "gunicorn.conf.py"]
                + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "8"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
            )
        )
        urls.append(f"http://127.0.0.1:{port}")
    deadline = time.monotonic() + 60
    try:  # the servers stop even when they never answered
        for proc, url, n in zip(procs, urls, range(2), strict=True):
            while True:
                try:
                    if requests.get(f"{url}/healthz", timeout=5).status_code == 200:
                        break
                except (
                    requests.ConnectionError,
                    requests.Timeout,
                ):  # not up, or a slow first answer
                    pass
                assert proc.poll() is None, (tmp_path / f"gunicorn-{n}.log").read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        yield urls
    finally:
        for proc in procs:
            proc.terminate()
        for proc in procs:
            proc.wait(15)
        connection.close()  # the servers' connections are gone; ours is re-opened for the flush


def add_manager(tenant, username: str, softphone: str) -> User:
    # A hasher the servers know (the test settings use MD5); few iterations to keep logins quick
    # (the server upgrades the hash on the first login).
    hasher = PBKDF2PasswordHasher()
    user = User.objects.create(
        username=username, password=hasher.encode(PASSWORD, hasher.salt(), iterations=1000)
    )
    Membership.objects.create(tenant=tenant, user=user, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=user, softphone=softphone)
    return user


def log_in(base: str, username: str) -> requests.Session:
    """Through the real login form, with the CSRF token from the page."""
    s = requests.Session()
    page = s.get(f"{base}/accounts/login/", timeout=10)
    token = CSRF.search(page.text).group(1)
    r = s.post(
        f"{base}/accounts/login/",
        data={"username": username, "password": PASSWORD, "csrfmiddlewaretoken": token},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 302, r.text[:500]
    return s


def call_form_token(s: requests.Session, base: str, tenant) -> str:
    page = s.get(f"{base}/t/{tenant.code}/call/", timeout=10)
    assert page.status_code == 200
    return CSRF.search(page.text).group(1)


def place(s: requests.Session, base: str, tenant, token: str, called: str, key: str) -> str | None:
    """The placed call's code, or None when the console asked to confirm a repeat call instead
    (the same manager called this number a moment ago)."""
    r = s.post(
        f"{base}/t/{tenant.code}/call/",
        # "anyway": a manager's earlier call may still be live (one live call per manager); it is
        # then no longer followed on screen, and still counts here.
        data={
            "called": called,
            "idempotency_key": key,
            "csrfmiddlewaretoken": token,
            "anyway": "on",
        },
        allow_redirects=False,
        timeout=30,
    )
    if r.status_code == 200 and 'name="confirm" value="on"' in r.text:
        return None
    assert r.status_code == 302, r.text[-3000:]
    return r.headers["Location"].rsplit("last=", 1)[1]


@pytest.fixture
def managers(tenant, other_tenant):
    cast = []
    for t in (tenant, other_tenant):
        for i in range(MANAGERS_PER_TENANT):
            user = add_manager(t, f"{t.slug}-m{i}", str(10001 + i))
            cast.append((t, user))
    return cast


def test_two_servers_share_one_token_and_lose_or_duplicate_no_call(servers, managers, simctl):
    sessions = []
    for n, (t, user) in enumerate(managers):
        base = servers[n % 2]
        s = log_in(base, user.username)
        sessions.append((t, s, call_form_token(s, base, t)))

    jobs = []  # (session index, server, called, idempotency key)
    for n in range(len(sessions)):
        for k in range(CALLS_PER_MANAGER):
            jobs.append((n, servers[(n + k) % 2], f"1380{n:03d}{k:04d}", uuid.uuid4().hex))
    # The same form submitted to both servers at once (a double click across a load balancer).
    doubles = []
    for n in range(len(sessions)):
        key = uuid.uuid4().hex
        doubles += [
            (n, servers[0], f"1390{n:03d}0000", key),
            (n, servers[1], f"1390{n:03d}0000", key),
        ]

    def run(job):
        n, base, called, key = job
        t, s, token = sessions[n]
        return key, place(s, base, t, token, called, key)

    with ThreadPoolExecutor(max_workers=12) as pool:
        results = list(pool.map(run, jobs + doubles))

    # One record per idempotency key, whichever server got which submission. (The second of a
    # double submission may instead be asked to confirm a repeat call: also no second call.)
    codes_by_key = {}
    for key, code in results:
        codes_by_key.setdefault(key, set()).add(code)
    assert all(len(codes - {None}) == 1 for codes in codes_by_key.values()), codes_by_key
    assert all(code is not None for _, code in results[: len(jobs)])
    expected = len(jobs) + len(doubles) // 2
    assert Call.objects.count() == len(codes_by_key) == expected

    # Exactly one token fetch per tenant across both processes and all their threads.
    stats = simctl.get("stats")
    assert stats["token_fetches"] == {"acme-key": 1, "other-key": 1}
    assert sorted(AiccToken.objects.values_list("fetch_count", flat=True)) == [1, 1]

    # The simulator's log and our records match one to one, by serial number.
    log = simctl.get("calls")
    assert all(entry["retCode"] == "0" for entry in log), log
    sim_serials = [entry["serial"] for entry in log]
    assert len(sim_serials) == len(set(sim_serials)) == expected  # nothing sent twice
    calls = list(Call.objects.values_list("serial", "status"))
    assert {status for _, status in calls} == {Call.Status.PLACED}  # nothing lost or stuck
    assert sorted(serial for serial, _ in calls) == sorted(sim_serials)


def run_together(*commands: list[str]) -> list[str]:
    """Start the commands at the same moment in separate processes; their outputs."""
    env = subprocess_env()
    procs = [
        subprocess.Popen(
            [sys.executable, "manage.py", *cmd],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for cmd in commands
    ]
    outputs = []
    for p in procs:
        out, err = p.communicate(timeout=120)
        assert p.returncode == 0, err[-2000:]
        outputs.append(out)
    return outputs


def test_sweep_from_two_processes_marks_each_stuck_call_once(manager, tenant):
    stuck = [
        Call.objects.create(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called=f"1370000{i:04d}",
            idempotency_key=f"stuck-{i:04d}",
        )
        for i in range(40)
    ]
    Call.objects.filter(pk__in=[c.pk for c in stuck]).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    fresh = Call.objects.create(
        tenant=tenant,
        user=manager,
        softphone="10001",
        called="13711110000",
        idempotency_key="fresh-1",
    )
    outputs = run_together(["sweep_calls"], ["sweep_calls"])
    swept = [int(out.split()[0]) for out in outputs]
    assert sum(swept) == 40  # each stuck call counted by exactly one of the two
    assert Call.objects.filter(status=Call.Status.UNKNOWN).count() == 40
    fresh.refresh_from_db()
    assert fresh.status == Call.Status.PLACING


@pytest.mark.skipif("sync_outcomes" not in get_commands(), reason="sync_outcomes not built yet")
def test_outcome_sync_from_two_processes_stores_each_outcome_once(servers, managers, simctl):
    t, user = managers[0]
    s = log_in(servers[0], user.username)
    token = call_form_token(s, servers[0], t)
    for k in range(8):
        place(s, servers[k % 2], t, token, f"1381234{k:04d}", uuid.uuid4().hex)
    # The session simulator plays calls a hundred times faster: all have ended within a second.
    time.sleep(1.5)
    outputs = run_together(
        ["sync_outcomes", "--tenant", t.slug], ["sync_outcomes", "--tenant", t.slug]
    )
    stored = [int(m) for out in outputs for m in re.findall(r"(\d+) outcomes stored", out)]
    assert sum(stored) == 8, outputs  # either both ran in turn (8 + 0) or one skipped
    assert Call.objects.filter(tenant=t).exclude(outcome_code="").count() == 8


def test_two_workers_run_each_scheduled_job_once(manager_membership, manager, tenant, simctl):
    """Two `manage.py run_worker` processes (two hosts) for a few seconds, with the sync due every
    second: each run is enqueued once (never two within the interval), each stuck call is swept
    once and each outcome stored once, whichever worker ran what."""
    from django_tasks_db.models import DBTaskResult

    from calls.services import placing

    mapping = tenant.softphones.get(user=manager)
    for k in range(6):
        placing.call_place(
            membership=manager_membership,
            mapping=mapping,
            called=f"1382222{k:04d}",
            idempotency_key=f"two-workers-{k}",
            replace_live=True,  # one live call per manager: each replaces the one before
        )
    stuck = [
        Call(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called=f"1371111{i:04d}",
            idempotency_key=f"stuck-w-{i}",
        )
        for i in range(20)
    ]
    Call.objects.bulk_create(stuck)
    Call.objects.filter(status=Call.Status.PLACING).update(
        created_at=timezone.now() - timedelta(hours=1)
    )
    env = subprocess_env()
    env.update(OUTCOME_SYNC_SECONDS="1", SWEEP_CALLS_SECONDS="2")
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    time.sleep(6)
    for w in workers:
        w.terminate()
    for w in workers:
        out, _ = w.communicate(timeout=30)
        assert w.returncode == 0, out[-2000:]

    runs = list(DBTaskResult.objects.order_by("enqueued_at").values("task_path", "enqueued_at"))
    syncs = [r["enqueued_at"] for r in runs if r["task_path"] == "calls.tasks.sync_outcomes"]
    assert len(syncs) >= 3
    gaps = [(b - a).total_seconds() for a, b in zip(syncs, syncs[1:], strict=False)]
    assert min(gaps) > 0.9, gaps  # one run per interval across both workers
    done = DBTaskResult.objects.filter(status="SUCCESSFUL")
    swept = sum(r.return_value["swept"] for r in done.filter(task_path="calls.tasks.sweep_calls"))
    stored = sum(
        r.return_value["applied"] for r in done.filter(task_path="calls.tasks.sync_outcomes")
    )
    assert swept == 20 and Call.objects.filter(status=Call.Status.UNKNOWN).count() == 20
    assert stored == 6 and Call.objects.filter(outcome_source="cdr").count() == 6
    assert not DBTaskResult.objects.filter(status="FAILED").exists()


def test_two_workers_deliver_each_webhook_once(tenant, admin):
    """Two `manage.py run_worker` processes (two hosts) deliver one outbox to one receiver while
    events keep arriving: every event is received exactly once and every row ends delivered after
    one attempt (no double delivery in normal running)."""
    from hooks import events, services
    from hooks.models import Delivery
    from tests.webhooks.conftest import Receiver

    receiver = Receiver()
    services.endpoint_create(tenant=tenant, actor=admin, url=receiver.url, events=["call.placed"])
    tenant.refresh_from_db()
    env = subprocess_env()
    env.update(WEBHOOK_CONCURRENCY="2")  # small batches (8 rows): the workers take turns
    workers = [
        subprocess.Popen(
            [sys.executable, "manage.py", "run_worker", "--no-schedule", "--interval", "0.1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        for _ in range(2)
    ]
    try:
        time.sleep(2)  # both workers up and polling
        for burst in range(6):
            for n in range(50):
                events.emit(tenant, "call.placed", lambda n=n, burst=burst: {"n": burst * 50 + n})
            time.sleep(0.3)
        deadline = time.monotonic() + 60
        while Delivery.objects.exclude(status="delivered").exists():
            assert time.monotonic() < deadline, "deliveries still pending after 60 s"
            time.sleep(0.2)
    finally:
        for w in workers:
            w.terminate()
        outputs = [w.communicate(timeout=30)[0] for w in workers]
        receiver.down()
    assert all(w.returncode == 0 for w in workers), [o[-2000:] for o in outputs]
    ids = [headers["webhook-id"] for headers, _ in receiver.received]
    assert len(ids) == 300 and len(set(ids)) == 300  # each event once, none twice
    assert set(Delivery.objects.values_list("attempts", flat=True)) == {1}
