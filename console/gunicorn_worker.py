"""gunicorn's threaded worker (gthread), made to stop without dropping a request (issue 15).

gunicorn 23's gthread worker, told to stop (SIGTERM: a reload by SIGHUP to the master, a
`systemctl stop`, fewer workers) or recycling itself (max_requests), leaves its loop at once: it
closes its listening socket, finishes the requests it is running, and exits, closing every idle
keep-alive connection with it. A client (nginx with upstream `keepalive`) may have just sent a
request on one of them: that request is lost (the connection is reset), and nginx retries no POST.
And after a SIGHUP the old workers stop accepting while the new ones are still importing Django,
so new connections wait as long as a worker takes to start (half a second, more on a busy host).

This worker instead, once told to stop:

1. keeps accepting while the master has a newer worker that is not ready yet (a SIGHUP forks the
   new workers and stops the old ones at once), up to `timeout` seconds; no pause for clients;
2. stops accepting (connections not yet accepted wait in the listening socket, which the master
   keeps open, for the other workers);
3. answers every request still arriving on its open connections, with `Connection: close` (the only
   way a server can end a keep-alive connection without racing a request from the client), and
   closes a connection left idle for `keepalive` seconds, as it always does (nginx gives up on an
   idle upstream connection sooner: docs/deploy.md);
4. exits once it has no connection left, or after `graceful_timeout` seconds at most.

And a new worker imports all of the application afresh: the master itself imports a few of the
console's modules for its log format (gunicorn.conf.py: console.logging and the calls.aicc modules
it reads), which a forked worker would otherwise keep from the release the master started with.

The master loads this module (not Django), so a change to it takes a restart, not a reload.
"""

import ctypes
import mmap
import selectors
import signal
import sys
import time
from concurrent import futures
from functools import partial

from gunicorn.workers import gthread

# Shared between the master and all its workers: an anonymous shared mapping made when the master
# loads this module, before it forks a worker. The master records the age (gunicorn's spawn
# counter) of the youngest worker it spawned, and each worker marks its slot once it accepts.
_SLOTS = 1024
_shared = mmap.mmap(-1, 8 + _SLOTS)
_youngest = ctypes.c_uint64.from_buffer(_shared)
_ready = (ctypes.c_uint8 * _SLOTS).from_buffer(_shared, 8)


APP_PACKAGES = ("console", "calls")


def forget_app_modules():
    """Drop the console's modules the master imported, so that they are imported again from disk."""
    for name in list(sys.modules):
        if name.partition(".")[0] in APP_PACKAGES and name != __name__:
            del sys.modules[name]


class ThreadWorker(gthread.ThreadWorker):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)  # in the master, just before the fork
        _ready[self.age % _SLOTS] = 0
        _youngest.value = self.age
        self.handling = 0  # requests handed to the thread pool and not finished
        self.silent = []  # connections accepted, no request yet, when it stopped accepting
        self.closed = False

    def init_process(self):
        # In the worker, before it loads the application; then gunicorn's own log lines are
        # formatted by the fresh console.logging too (gunicorn.conf.py's logconfig_dict again).
        forget_app_modules()
        self.log.setup(self.cfg)
        super().init_process()

    def enqueue_req(self, conn):
        with self._lock:
            self.handling += 1
        super().enqueue_req(conn)

    def finish_request(self, fs):
        # gunicorn's, except that a connection whose response promised keep-alive stays open
        # while the worker stops: the client may already be sending its next request on it.
        with self._lock:
            self.handling -= 1
            conn = fs.conn
            try:
                keepalive = not fs.cancelled() and fs.result()[0]
            except Exception:
                keepalive = False
            if keepalive and not self.closed:
                conn.sock.setblocking(False)
                conn.set_timeout()
                self._keep.append(conn)
                self.poller.register(
                    conn.sock,
                    selectors.EVENT_READ,
                    partial(self.on_client_socket_readable, conn),
                )
            else:
                self.nr_conns -= 1
                conn.close()

    def successor_booting(self) -> bool:
        """The master spawned a worker after this one that does not accept yet."""
        youngest = _youngest.value
        return youngest != self.age and not _ready[youngest % _SLOTS]

    def stop_accepting(self):
        with self._lock:
            for sock in self.sockets:
                self.poller.unregister(sock)
                sock.close()  # this process's copy; the master keeps the socket open
            # Connections accepted but silent so far get the keep-alive time to send a request.
            deadline = time.time() + self.cfg.keepalive
            for key in list(self.poller.get_map().values()):
                conn = key.data.args[0]  # partial(self.on_client_socket_readable, conn)
                if not conn.initialized:
                    conn.timeout = deadline
                    self.silent.append(conn)

    def close_silent(self):
        now = time.time()
        with self._lock:
            self.silent = [c for c in self.silent if not c.initialized]
            for conn in [c for c in self.silent if c.timeout <= now]:
                self.silent.remove(conn)
                self.poller.unregister(conn.sock)
                self.nr_conns -= 1
                conn.close()

    def drained(self) -> bool:
        with self._lock:
            return not self.handling and not self.poller.get_map()

    def run(self):
        for sock in self.sockets:
            sock.setblocking(False)
            # a race condition during graceful shutdown may make the listener
            # name unavailable in the request handler so capture it once here
            server = sock.getsockname()
            self.poller.register(sock, selectors.EVENT_READ, partial(self.accept, server))
        _ready[self.age % _SLOTS] = 1

        told_to_stop = stopped_accepting = None
        while True:
            self.notify()
            if not self.alive:  # SIGTERM, or max_requests reached
                now = time.monotonic()
                told_to_stop = told_to_stop or now
                if stopped_accepting is None and (
                    now - told_to_stop > self.cfg.timeout or not self.successor_booting()
                ):
                    self.stop_accepting()
                    stopped_accepting = now
                if stopped_accepting is not None and (
                    self.drained() or now - stopped_accepting > self.cfg.graceful_timeout
                ):
                    break

            if self.nr_conns < self.worker_connections:
                for key, _ in self.poller.select(1.0 if self.alive else 0.1):
                    key.data(key.fileobj)
                result = futures.wait(self.futures, timeout=0, return_when=futures.FIRST_COMPLETED)
            else:
                result = futures.wait(
                    self.futures, timeout=1.0, return_when=futures.FIRST_COMPLETED
                )
            for fut in result.done:
                self.futures.remove(fut)

            if not self.is_parent_alive():
                break
            self.murder_keepalived()
            if stopped_accepting is not None:
                self.close_silent()

        self.tpool.shutdown(False)
        with self._lock:
            self.closed = True
            self.poller.close()
        for sock in self.sockets:
            sock.close()
        futures.wait(self.futures, timeout=self.cfg.graceful_timeout)
        # The master repeats its SIGTERM every second until the worker is gone; one arriving
        # while Python shuts down (default handler again) would kill the process and have the
        # master log "Worker ... was sent SIGTERM!" for a clean exit.
        signal.signal(signal.SIGTERM, signal.SIG_IGN)
