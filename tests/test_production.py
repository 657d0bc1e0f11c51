"""The production profile (DJANGO_ENV=production): deploy checks, security headers, hashed static
files served by whitenoise under gunicorn, /healthz, JSON logs, migrations in step with models."""

import io
import json
import logging
import os
import re
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import requests
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import OperationalError
from django.utils.module_loading import import_string

from console.logging import scrub
from tests.conftest import PASSWORD

ROOT = Path(__file__).resolve().parent.parent


def production_env(tmp_path: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
    env.update(
        DJANGO_ENV="production",
        SECRET_KEY="prod-test-" + "k" * 60,
        FIELD_ENCRYPTION_KEYS=Fernet.generate_key().decode(),
        ALLOWED_HOSTS="console.example.com",
        DATABASE_URL=f"sqlite:///{tmp_path / 'prod.sqlite3'}",
        STATIC_ROOT=str(tmp_path / "static"),
        LOG_FORMAT="json",
        TRUSTED_PROXY_COUNT="1",
    )
    env.update(extra)
    return env


def manage(env: dict, *args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_check_deploy_reports_nothing(tmp_path):
    r = manage(production_env(tmp_path), "check", "--deploy", "--fail-level", "WARNING")
    assert r.returncode == 0, r.stdout + r.stderr
    assert "System check identified no issues" in r.stdout
    assert "WARNING" not in r.stdout + r.stderr


def test_production_refuses_to_start_without_its_secrets(tmp_path):
    env = production_env(tmp_path)
    del env["SECRET_KEY"]
    r = manage(env, "check")
    assert r.returncode != 0
    assert "SECRET_KEY is not set" in r.stderr


def test_production_refuses_to_start_without_the_proxy_count(tmp_path):
    """Counted as 0 behind a proxy, every client shares the proxy's address and one person's
    wrong passwords lock everyone out (security finding 4): production must say."""
    env = production_env(tmp_path)
    del env["TRUSTED_PROXY_COUNT"]
    r = manage(env, "check")
    assert r.returncode != 0
    assert "TRUSTED_PROXY_COUNT is not set" in r.stderr


def test_production_refuses_to_start_without_allowed_hosts(tmp_path):
    r = manage(production_env(tmp_path, ALLOWED_HOSTS=""), "check")
    assert r.returncode != 0
    assert "ALLOWED_HOSTS is not set" in r.stderr


def test_makemigrations_finds_no_model_changes(db):
    # Exits with status 1 (SystemExit) when a model change has no migration.
    call_command("makemigrations", "--check", "--dry-run", verbosity=0)


@pytest.fixture(scope="module")
def production_server(tmp_path_factory):
    """collectstatic, migrate, then gunicorn in production mode on a free loopback port."""
    tmp_path = tmp_path_factory.mktemp("production")
    port = free_port()
    env = production_env(tmp_path)
    for args in (("collectstatic", "--noinput", "-v", "0"), ("migrate", "--noinput", "-v", "0")):
        r = manage(env, *args)
        assert r.returncode == 0, r.stderr
    log = (tmp_path / "gunicorn.log").open("w")
    proc = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "console.wsgi", "-c", "gunicorn.conf.py"]
        + ["--bind", f"127.0.0.1:{port}", "--workers", "1", "--threads", "4"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 30
    while True:
        try:
            requests.get(f"{url}/healthz", headers={"Host": "console.example.com"}, timeout=5)
            break
        except (requests.ConnectionError, requests.Timeout):  # not up yet, or a slow first answer
            assert proc.poll() is None, (tmp_path / "gunicorn.log").read_text()
            assert time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
    yield {"url": url, "static": tmp_path / "static", "log": tmp_path / "gunicorn.log"}
    proc.terminate()
    proc.wait(10)
    log.close()


def https_get(server, path, **kwargs):
    headers = {"Host": "console.example.com", "X-Forwarded-Proto": "https"}
    return requests.get(
        server["url"] + path, headers=headers, allow_redirects=False, timeout=5, **kwargs
    )


def test_collectstatic_writes_hashed_and_compressed_files(production_server):
    manifest = json.loads((production_server["static"] / "staticfiles.json").read_text())
    hashed = manifest["paths"]["console/console.css"]
    assert hashed != "console/console.css"
    assert (production_server["static"] / hashed).is_file()
    assert (production_server["static"] / (hashed + ".gz")).is_file()
    assert "django_htmx/htmx-2.min.js" in manifest["paths"]


def test_pages_link_hashed_static_files_served_forever(production_server):
    page = https_get(production_server, "/accounts/login/")
    assert page.status_code == 200
    manifest = json.loads((production_server["static"] / "staticfiles.json").read_text())
    css = "/static/" + manifest["paths"]["console/console.css"]
    htmx = "/static/" + manifest["paths"]["django_htmx/htmx-2.min.js"]
    assert css in page.text and htmx in page.text
    r = https_get(production_server, css)
    assert r.status_code == 200
    assert "immutable" in r.headers["Cache-Control"]


def test_production_pages_carry_security_headers(production_server):
    r = https_get(production_server, "/accounts/login/")
    assert r.headers["Strict-Transport-Security"] == "max-age=31536000; includeSubDomains"
    assert r.headers["X-Frame-Options"] == "DENY"
    assert r.headers["X-Content-Type-Options"] == "nosniff"
    for cookie in r.cookies:
        assert cookie.secure, cookie.name
    csp = dict(d.strip().split(" ", 1) for d in r.headers["Content-Security-Policy"].split(";"))
    assert csp["default-src"] == "'self'"
    assert csp["script-src"] == "'self'"
    assert csp["style-src"] == "'self'"
    assert csp["frame-ancestors"] == "'none'"


def test_plain_http_is_redirected_to_https_except_healthz(production_server):
    r = requests.get(
        production_server["url"] + "/accounts/login/",
        headers={"Host": "console.example.com"},
        allow_redirects=False,
        timeout=5,
    )
    assert r.status_code == 301
    assert r.headers["Location"] == "https://console.example.com/accounts/login/"
    r = requests.get(
        production_server["url"] + "/healthz", headers={"Host": "console.example.com"}, timeout=5
    )
    assert r.status_code == 200


def test_production_logs_are_json_lines_without_numbers(production_server):
    r = https_get(production_server, "/call/?called=13800001234")
    assert r.status_code == 302  # to the login form
    time.sleep(0.2)
    lines = production_server["log"].read_text().splitlines()
    entries = [json.loads(line) for line in lines]  # every line is JSON
    mine = [e for e in entries if e["request_id"] == r.headers["X-Request-ID"]]
    assert mine, lines[-5:]
    assert mine[-1]["logger"] == "console.request"
    assert "*******1234" in mine[-1]["message"]
    assert "13800001234" not in production_server["log"].read_text()


# /healthz (in development settings, through the test client)


def test_healthz_works(client, db, simctl, django_assert_num_queries):
    with django_assert_num_queries(1):  # SELECT 1
        r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json() == {"status": "ok"}
    stats = simctl.get("stats")
    assert stats["token_fetches"] == {} and stats["create_calls"] == 0  # no AICC call


def test_healthz_says_when_the_database_is_unreachable(client, db, monkeypatch):
    class Unreachable:
        def cursor(self):
            raise OperationalError("connection refused to postgres://user:hunter2@db")

    monkeypatch.setattr("console.views.connection", Unreachable())
    r = client.get("/healthz")
    assert r.status_code == 503
    assert r.json() == {"status": "error", "database": "unreachable"}
    assert b"hunter2" not in r.content


def test_healthz_rejects_post(client, db):
    assert client.post("/healthz").status_code == 405


# Logs through the configured formatter


@pytest.fixture
def json_log(settings):
    """A handler built from settings.LOGGING's own handler class, json formatter and context
    filter, writing into a string."""
    stream = io.StringIO()
    handler = import_string(settings.LOGGING["handlers"]["console"]["class"])(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"]["json"]["()"])())
    handler.addFilter(import_string(settings.LOGGING["filters"]["context"]["()"])())
    root = logging.getLogger()
    root.addHandler(handler)
    old_level = root.level
    root.setLevel(logging.INFO)

    def lines():
        handler.flush()
        return [json.loads(line) for line in stream.getvalue().splitlines()]

    yield lines
    root.removeHandler(handler)
    root.setLevel(old_level)
    handler.close()


def test_json_logs_mask_numbers_and_redact_secrets(json_log):
    logging.getLogger("calls").info(
        "calling %s with app_secret=%s and Authorization: Bearer %s",
        "+86 13800001234",
        "s3cr3t-value",
        "tok-abc.def",
    )
    (entry,) = json_log()
    assert entry["message"].startswith("calling +86 *******1234 with app_secret=[redacted] and ")
    assert "s3cr3t" not in entry["message"] and "tok-abc" not in entry["message"]
    assert entry["level"] == "INFO" and entry["logger"] == "calls"
    assert entry["request_id"] == entry["tenant"] == entry["user"] == "-"


def test_json_logs_mask_numbers_in_tracebacks(json_log):
    try:
        raise ValueError("bad number 13912345678")
    except ValueError:
        logging.getLogger("calls").exception("failed")
    (entry,) = json_log()
    assert "*******5678" in entry["exc"] and "13912345678" not in entry["exc"]


def test_json_logs_carry_request_id_tenant_and_user(client, manager, tenant, json_log):
    client.post("/accounts/login/", {"username": "bob", "password": PASSWORD})
    r = client.get(f"/t/{tenant.code}/call/?called=13800001234")
    assert r.status_code == 200
    entry = [e for e in json_log() if e["logger"] == "console.request"][-1]
    assert entry["request_id"] == r["X-Request-ID"]
    assert entry["tenant"] == "acme"
    assert entry["user"] == "bob"
    assert entry["message"].startswith(
        scrub(f"GET /t/{tenant.code}/call/?called=") + "*******1234 200 "
    )


def test_request_id_from_the_proxy_is_kept_and_a_bad_one_replaced(client, db):
    assert client.get("/healthz", HTTP_X_REQUEST_ID="lb-1234abcd")["X-Request-ID"] == "lb-1234abcd"
    replaced = client.get("/healthz", HTTP_X_REQUEST_ID="<script>")["X-Request-ID"]
    assert len(replaced) == 32 and replaced.isalnum()


def test_request_log_hides_secret_url_parts(client, tenant, json_log):
    client.post(f"/t/{tenant.code}/aicc/cb-token-f00dfeed/release/", "{}", "application/json")
    entry = [e for e in json_log() if e["logger"] == "console.request"][-1]
    # (scrub: a run of 7+ digits inside the tenant's UUID is masked like a phone number)
    assert scrub(f"/t/{tenant.code}/aicc/[redacted]/release/") in entry["message"]
    assert "f00dfeed" not in entry["message"]


def test_every_environment_variable_is_in_the_deploy_guide():
    names = set()
    for source in (ROOT / "console" / "settings.py", ROOT / "gunicorn.conf.py"):
        text = source.read_text()
        names |= set(
            re.findall(r'(?:env\.\w+|required|environ\.get)\(\s*"([A-Z][A-Z0-9_]*)"', text)
        )
    assert {"SECRET_KEY", "DATABASE_URL", "GUNICORN_THREADS"} <= names  # the pattern finds them
    guide = (ROOT / "docs" / "deploy.md").read_text()
    assert sorted(n for n in names if f"`{n}`" not in guide) == []


def test_json_logs_keep_serial_numbers_whole(json_log):
    logging.getLogger("calls").info(
        "call placed serial=%s called=%s", "3086858640739917401", "13800001234"
    )
    (entry,) = json_log()
    assert "serial=3086858640739917401" in entry["message"] and "*******1234" in entry["message"]


def test_json_logs_leave_uuids_alone(json_log):
    logging.getLogger("calls").info(
        "GET /t/12345678-52ed-4732-a94c-a0ef8b6ec7a1/call/?called=13800001234"
    )
    (entry,) = json_log()
    assert "/t/12345678-52ed-4732-a94c-a0ef8b6ec7a1/" in entry["message"]
    assert "called=*******1234" in entry["message"]


def test_a_command_writes_every_log_line_by_its_exit(tmp_path):
    """Lines logged just before a command ends are written (logging.shutdown at exit)."""
    script = (
        "import logging\n"
        "log = logging.getLogger('calls')\n"
        "for i in range(500): log.info('line %s for 13800001234', i)\n"
    )
    r = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT,
        env={**os.environ, "LOG_FORMAT": "json", "LOG_LEVEL": "INFO"},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert r.returncode == 0, r.stderr
    lines = [json.loads(line) for line in r.stderr.splitlines() if line.startswith("{")]
    assert [e["message"] for e in lines if e["logger"] == "calls"] == [
        f"line {i} for *******1234" for i in range(500)
    ]


def own_log(settings, stream, name: str):
    """A logger of its own (not propagating) with the configured handler and the json
    formatter, writing into `stream`: (logger, handler)."""
    handler = import_string(settings.LOGGING["handlers"]["console"]["class"])(stream)
    handler.setFormatter(import_string(settings.LOGGING["formatters"]["json"]["()"])())
    log = logging.getLogger(name)
    log.addHandler(handler)
    log.propagate = False
    log.setLevel(logging.INFO)
    return log, handler


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs fork")
def test_a_forked_child_writes_its_log_lines(tmp_path, settings):
    """A child forked after logging was set up (gunicorn's preload_app, multiprocessing) writes
    its lines while it runs, not only when it exits."""
    path = tmp_path / "child.log"
    stream = path.open("a", buffering=1)
    log, handler = own_log(settings, stream, "tests.fork")
    try:
        pid = os.fork()
        if pid == 0:  # the child: log, wait for the line to be written, never flush or exit cleanly
            log.info("from the child %s", os.getpid())
            deadline = time.monotonic() + 5
            while "from the child" not in path.read_text() and time.monotonic() < deadline:
                time.sleep(0.01)
            os._exit(0 if "from the child" in path.read_text() else 1)
        _, status = os.waitpid(pid, 0)
        assert os.waitstatus_to_exitcode(status) == 0, "the child's line was not written"
    finally:
        log.removeHandler(handler)
        handler.close()
        stream.close()
