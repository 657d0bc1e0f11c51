"""A reload drops nothing (issue 15): gunicorn as docs/deploy.md runs it (gunicorn.conf.py), with
clients sending a steady stream of requests over keep-alive connections (as nginx does with its
upstream `keepalive`), POSTs among them, while the master is sent SIGHUP (`systemctl reload`)
several times and workers are recycled by max_requests. Every request must get an answer: no
connection reset or closed connection, no 5xx. No client retries anything (nginx retries no POST).

The server has its own SQLite file (migrated here), so the test runs the same on SQLite and
PostgreSQL. Run as a script for a longer reproduction with numbers:

    .venv/bin/python tests/test_reload.py --reloads 3 --clients 8
"""

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

import pytest
import requests

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
# A request unanswered after this long counts as dropped (normally they take milliseconds).
REQUEST_TIMEOUT = 20

pytestmark = pytest.mark.multiprocess


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    """gunicorn with gunicorn.conf.py on a free loopback port and a scratch SQLite database."""

    def __init__(self, workdir: Path, *args: str):
        self.log_path = workdir / "gunicorn.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DEBUG"))}
        env.update(
            DJANGO_ENV="development",
            DATABASE_URL=f"sqlite:///{workdir / 'reload.sqlite3'}",
            LOG_LEVEL="INFO",  # gunicorn's own lines: workers booting and exiting
        )
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "--noinput", "-v", "0"],
            cwd=ROOT,
            env=env,
            check=True,
            timeout=120,
        )
        port = free_port()
        self.url = f"http://127.0.0.1:{port}"
        self.log = self.log_path.open("w")
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "gunicorn", "console.wsgi", "-c", "gunicorn.conf.py"]
            + ["--bind", f"127.0.0.1:{port}", *args],
            cwd=ROOT,
            env=env,
            stdout=self.log,
            stderr=subprocess.STDOUT,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    if requests.get(f"{self.url}/healthz", timeout=5).status_code == 200:
                        break
                except requests.RequestException:
                    pass
                assert self.proc.poll() is None, self.log_path.read_text()
                assert time.monotonic() < deadline, "gunicorn did not start"
                time.sleep(0.1)
        except BaseException:
            self.stop()
            raise

    def reload(self):
        self.proc.send_signal(signal.SIGHUP)

    def stop(self):
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(40)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()
        self.log.close()

    def log_text(self) -> str:
        return self.log_path.read_text()


@dataclass
class Tally:
    answered: int = 0
    posts: int = 0
    failures: list = field(default_factory=list)  # (seconds since start, request, error)
    latencies: list = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)


def client(url: str, stop: threading.Event, tally: Tally, start: float):
    """One keep-alive connection at a time (a requests.Session, like an nginx upstream connection),
    requests back to back: the login page, a login form POST (no password: the form is shown
    again), a language switch POST (redirect) and /healthz. Nothing is retried."""
    s = requests.Session()
    token = None
    step = 0
    while not stop.is_set():
        if token is None or step % 4 == 0:
            method, path, data = "GET", "/accounts/login/", None
        elif step % 4 == 1:
            method, path = "POST", "/accounts/login/"
            data = {"username": "nobody", "password": "", "csrfmiddlewaretoken": token}
        elif step % 4 == 2:
            method, path = "POST", "/i18n/setlang/"
            data = {"language": "en", "next": "/accounts/login/", "csrfmiddlewaretoken": token}
        else:
            method, path, data = "GET", "/healthz", None
        step += 1
        t0 = time.monotonic()
        try:
            r = s.request(
                method, url + path, data=data, allow_redirects=False, timeout=REQUEST_TIMEOUT
            )
        except requests.RequestException as e:
            with tally.lock:
                tally.failures.append((t0 - start, f"{method} {path}", repr(e)))
            continue
        elapsed = time.monotonic() - t0
        with tally.lock:
            tally.latencies.append(elapsed)
            if r.status_code >= 500:
                tally.failures.append((t0 - start, f"{method} {path}", f"status {r.status_code}"))
            else:
                tally.answered += 1
                tally.posts += method == "POST"
        if method == "GET" and path == "/accounts/login/" and r.status_code == 200:
            token = CSRF.search(r.text).group(1)
    s.close()  # as nginx does after its idle timeout; the server need not wait for it


def run(server: Server, *, clients: int, reloads: int, pause: float) -> Tally:
    """`clients` threads for the whole run; a SIGHUP every `pause` seconds, `reloads` times."""
    tally, stop = Tally(), threading.Event()
    start = time.monotonic()
    threads = [
        threading.Thread(target=client, args=(server.url, stop, tally, start), daemon=True)
        for _ in range(clients)
    ]
    for t in threads:
        t.start()
    for _ in range(reloads):
        time.sleep(pause)
        server.reload()
    time.sleep(pause)
    stop.set()
    for t in threads:
        t.join(REQUEST_TIMEOUT + 5)
    return tally


def summary(tally: Tally, log: str) -> str:
    lat = sorted(tally.latencies) or [0.0]
    return (
        f"{tally.answered} answered ({tally.posts} POSTs), {len(tally.failures)} failed; "
        f"latency p50 {lat[len(lat) // 2] * 1000:.0f} ms, "
        f"p99 {lat[int(len(lat) * 0.99)] * 1000:.0f} ms, max {lat[-1] * 1000:.0f} ms; "
        f"workers booted {log.count('Booting worker')}, "
        f"recycled by max_requests {log.count('Autorestarting worker')}, "
        f"killed by a signal {log.count(' was sent ')}"
    )


def test_requests_in_flight_during_reloads_all_get_answers(tmp_path):
    # Two workers (the default WEB_CONCURRENCY); a small max_requests so that workers also recycle
    # themselves during the run (the other way a worker exits, with the same cause of drops).
    server = Server(
        tmp_path, "--workers", "2", "--max-requests", "100", "--max-requests-jitter", "50"
    )
    try:
        tally = run(server, clients=6, reloads=3, pause=2.0)
    finally:
        server.stop()
    log = server.log_text()
    report = summary(tally, log)
    print(report)  # the worst latency, for the record (no bound: the machine may be busy)
    gunicorn_lines = "\n".join(line for line in log.splitlines() if "console.request" not in line)
    assert log.count("Hang up: Master") == 3, gunicorn_lines
    assert tally.answered > 20, report  # the clients were at work (few on a very busy machine)
    if tally.failures:
        pytest.fail(
            "requests without an answer: "
            + "\n".join([report] + [f"{t:6.2f}s {req}: {err}" for t, req, err in tally.failures])
        )
    # Every worker exited by itself: none was killed by a signal (a SIGTERM the master repeats
    # while a worker stops, or its SIGKILL at the end of the graceful timeout).
    assert " was sent " not in log, gunicorn_lines


def test_a_worker_imports_the_application_afresh():
    """The master imports console.logging (gunicorn.conf.py's log format) and the calls.aicc
    modules it reads; a worker forgets them before it loads the application, so that after a
    reload it runs the new release's code throughout, not a mix. (By hand: run gunicorn from a
    copy of the project, edit console/logging.py's format there, reload, and the workers' lines
    have the new format.)"""
    script = """if True:
        import logging.config, runpy, sys
        logging.config.dictConfig(runpy.run_path("gunicorn.conf.py")["logconfig_dict"])
        from console import gunicorn_worker  # as the master does, before it forks workers
        import console.logging, calls.aicc.results
        master = console.logging, calls.aicc.results
        gunicorn_worker.forget_app_modules()  # in the worker
        left = [n for n in sys.modules if n.startswith(("console", "calls"))]
        assert left == ["console.gunicorn_worker"], left
        import console.logging, calls.aicc.results
        assert (console.logging, calls.aicc.results) != master
        assert console.logging.JsonFormatter is not master[0].JsonFormatter
    """
    r = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60
    )
    assert r.returncode == 0, r.stderr


if __name__ == "__main__":
    import tempfile

    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--clients", type=int, default=8)
    ap.add_argument("--reloads", type=int, default=3)
    ap.add_argument("--pause", type=float, default=3.0, help="seconds between reloads")
    ap.add_argument("--trials", type=int, default=1)
    ap.add_argument("gunicorn_args", nargs="*", help="more gunicorn flags, after --")
    a = ap.parse_args()
    for trial in range(a.trials):
        with tempfile.TemporaryDirectory() as d:
            srv = Server(Path(d), *a.gunicorn_args)
            try:
                t = run(srv, clients=a.clients, reloads=a.reloads, pause=a.pause)
            finally:
                srv.stop()
            print(f"trial {trial + 1}: {summary(t, srv.log_text())}")
            for t_, req, err in t.failures:
                print(f"  {t_:6.2f}s {req}: {err}")
