"""Logs: one JSON object per line in production, plain text in development.

Every record gets the request id, the tenant and the user of the request being served (set by
`console.middleware.RequestIdMiddleware`; "-" outside a request). Phone numbers never reach a log
line whole: services log them through `calls.aicc.masking.mask_number`, and
`RequestContextFilter` masks every run of 7 or more digits in the final message as a safety net
(so a number logged by mistake, or in a URL, shows only its last 4 digits). Bearer tokens and
`secret=`/`password=`/`token=` values are redacted the same way. Only the fields listed in
`JsonFormatter` are written: never `extra` data.
"""

import json
import logging
import logging.handlers
import os
import queue
import re
import threading
import time
import weakref
from contextvars import ContextVar
from datetime import UTC, datetime

from calls.aicc.masking import mask_number as mask

# The request being served by this thread (gunicorn's threaded workers: one context per thread).
current_request: ContextVar = ContextVar("current_request", default=None)

# Serial numbers (``serial=<digits>``) identify a call, not a person: they stay whole so that
# operators can match a log line with AICC's records.
# Digits inside a word or a UUID ("…-12345678-…") are not phone numbers and stay as they are.
_DIGIT_RUN = re.compile(r"(?<!serial=)(?<![\w-])\d{7,}(?![\w-])")
_BEARER = re.compile(r"(?i)(bearer\s+)[^\s,;\"']+")
_SECRET_VALUE = re.compile(
    r"(?i)((?:app_?secret|secret|password|passwd|access_?token|token|authorization)"
    r"[\"']?\s*[:=]\s*[\"']?)[^\s,;&\"'}]+"
)


def scrub(text: str) -> str:
    """Mask digit runs of 7+ (phone numbers) and redact bearer tokens and secret values."""
    text = _BEARER.sub(r"\1[redacted]", text)
    text = _SECRET_VALUE.sub(r"\1[redacted]", text)
    return _DIGIT_RUN.sub(lambda m: mask(m.group()), text)


def request_fields(request) -> dict:
    """Request id, tenant and user of a request, without touching the database: the user only
    once authentication has loaded it, the tenant only once `tenant_access` has set it."""
    if request is None:
        return {"request_id": "-", "tenant": "-", "user": "-"}
    membership = getattr(request, "membership", None)
    tenant = membership.tenant.slug if membership is not None else "-"
    user = "-"
    lazy_user = request.__dict__.get("user")
    wrapped = getattr(lazy_user, "_wrapped", lazy_user)
    if wrapped is not None and getattr(wrapped, "is_authenticated", False) is True:
        user = wrapped.get_username()
    return {"request_id": getattr(request, "request_id", "-"), "tenant": tenant, "user": user}


class RequestContextFilter(logging.Filter):
    """Adds request_id, tenant, user and `safe_message` (the scrubbed message) to each record.

    It only adds attributes, never rewrites `msg`/`args`, so other handlers (pytest's caplog,
    Sentry) see the record as it was logged."""

    def filter(self, record: logging.LogRecord) -> bool:
        for name, value in request_fields(current_request.get()).items():
            if not hasattr(record, name):
                setattr(record, name, value)
        record.safe_message = scrub(record.getMessage())
        return True


class _BatchWriter(logging.handlers.QueueListener):
    """The writing thread: takes every record waiting in the queue at once and writes their lines
    with one write and one flush. Under load (bench/load.py, 4 lines per placed call) one write
    per line cost ~7% of the throughput: each write gives up the GIL and wakes this thread again.

    It replaces QueueListener's loop (`_monitor`, ending at `_sentinel`: the same in Python
    3.11-3.13; the background-handler tests in tests/test_production.py cover it on upgrades)."""

    MAX_BATCH = 512
    # After the first line it waits this long (seconds) for more before writing. Writing each
    # line as it came woke this thread for every line, and each wake-up took the GIL from the
    # request threads: ~0.4 ms of CPU per placed call. Lines reach the stream at most this late.
    LINGER = 0.05

    def _monitor(self) -> None:
        q, target, sentinel = self.queue, self.handlers[0], self._sentinel
        while True:
            batch = [q.get()]
            if batch[0] is not sentinel:
                time.sleep(self.LINGER)
            while len(batch) < self.MAX_BATCH:
                try:
                    batch.append(q.get_nowait())
                except queue.Empty:
                    break
            lines, stop = [], False
            for record in batch:
                if record is sentinel:
                    stop = True  # stop(): write what was queued before (and with) it, then end
                    continue
                try:
                    lines.append(target.format(record) + target.terminator)
                except Exception:
                    target.handleError(record)
            if lines:
                target.acquire()
                try:
                    target.stream.write("".join(lines))
                    target.flush()
                except Exception:
                    target.handleError(next(r for r in batch if r is not sentinel))
                finally:
                    target.release()
            if stop:
                return


class BackgroundStreamHandler(logging.handlers.QueueHandler):
    """A StreamHandler (stderr) whose formatting and writing happen on one background thread.

    Measured under load (bench/load.py): with 32 threads per process each writing its own lines,
    a log call took 20-30 ms, because the writing thread held the handler's lock across the
    write, gave up the GIL there and queued for it again while every other thread queued on the
    lock. Here the calling thread only runs the handler's filters (request context, scrubbing:
    they need the request's context) and puts the record on a queue. Lines still in the queue
    are written at exit (logging.shutdown closes the handler); a process killed outright can
    lose its last milliseconds of lines, never a call record (those are in the database).
    """

    def __init__(self, stream=None) -> None:
        super().__init__(queue.SimpleQueue())
        self.target = logging.StreamHandler(stream)
        self.listener = _BatchWriter(self.queue, self.target)
        self.listener.start()
        self._flushing = threading.Lock()
        _background_handlers.add(self)

    def _restart_in_child(self) -> None:
        # A forked child (gunicorn with preload_app, multiprocessing) inherits the queue but not
        # the writing thread: without a new one its lines would wait until it exits. The queue
        # and lock are made anew too (the parent may have held them mid-put at the fork).
        self.queue = queue.SimpleQueue()
        self._flushing = threading.Lock()
        self.listener = _BatchWriter(self.queue, self.target)
        self.listener.start()

    def setFormatter(self, fmt) -> None:  # noqa: N802 - the formatter is the writer's
        self.target.setFormatter(fmt)

    def prepare(self, record: logging.LogRecord) -> logging.LogRecord:
        # The message is fixed now (its arguments may change later); a traceback is formatted
        # now too, and the frames released.
        record.msg, record.args = record.getMessage(), None
        if record.exc_info:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
            record.exc_info = None
        return record

    def flush(self) -> None:
        """Wait until every line logged so far is written."""
        with self._flushing:
            if self.listener._thread is not None:
                self.listener.stop()  # writes what is queued, then ends the thread
                self.listener.start()
            self.target.flush()

    def close(self) -> None:
        with self._flushing:
            if self.listener._thread is not None:  # QueueListener.stop() may run once only
                self.listener.stop()
        self.target.close()
        super().close()


_background_handlers: "weakref.WeakSet[BackgroundStreamHandler]" = weakref.WeakSet()


def _after_fork_in_child() -> None:
    for handler in list(_background_handlers):
        handler._restart_in_child()


os.register_at_fork(after_in_child=_after_fork_in_child)


class PlainFormatter(logging.Formatter):
    """Development: one readable line; the message scrubbed like in production."""

    def __init__(self) -> None:
        super().__init__("%(asctime)s %(levelname)s %(name)s [%(request_id)s] %(message)s")

    def formatMessage(self, record: logging.LogRecord) -> str:  # noqa: N802
        values = {
            **record.__dict__,
            "message": getattr(record, "safe_message", None) or scrub(record.getMessage()),
        }
        values.setdefault("request_id", "-")
        return self._style._fmt % values


class JsonFormatter(logging.Formatter):
    """Production: one JSON object per line with a fixed set of fields."""

    def format(self, record: logging.LogRecord) -> str:
        message = getattr(record, "safe_message", None)
        if message is None:
            message = scrub(record.getMessage())
        context = request_fields(current_request.get())
        entry = {
            "time": datetime.fromtimestamp(record.created, UTC).isoformat(timespec="milliseconds"),
            "level": record.levelname,
            "logger": record.name,
            "message": message,
            "request_id": getattr(record, "request_id", context["request_id"]),
            "tenant": getattr(record, "tenant", context["tenant"]),
            "user": getattr(record, "user", context["user"]),
        }
        if record.exc_info:
            entry["exc"] = scrub(self.formatException(record.exc_info))
        elif record.exc_text:
            entry["exc"] = scrub(record.exc_text)
        return json.dumps(entry, ensure_ascii=False, default=str)
