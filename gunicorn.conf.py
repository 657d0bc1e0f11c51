"""gunicorn settings for the console (docs/deploy.md):

    gunicorn console.wsgi -c gunicorn.conf.py

Threaded workers: a request spends most of its time waiting on AICC (createCall, queryCallState)
or the database, so each process serves many requests at once on threads. Command-line flags
(`--bind`, `--workers`, `--threads`) override the values here.
"""

import gc
import itertools
import os

from gunicorn.glogging import Logger as _GunicornLogger

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per core
worker_class = "gthread"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# Longer than the slowest request: AICC connect (3 s) + read (10 s) timeouts plus the database.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30
keepalive = 5  # seconds; keep below the reverse proxy's upstream keep-alive timeout
# Recycle workers now and then (memory); the jitter keeps them from restarting together.
max_requests = 5000
max_requests_jitter = 500
# Garbage collection: each request leaves reference cycles (Django's request and form objects)
# that only the collector frees, and a full collection walks every object the worker holds (with
# all its threads stopped). Unfrozen, that was the ~90,000 objects of the loaded application:
# ~50 ms of CPU each time, 100-240 ms on a busy 2-core machine, and those pauses made the load
# test's p99 (docs/benchmarks.md). So each worker moves what it holds to the collector's
# permanent generation (gc.freeze) once it has loaded the application, and again after its first
# requests (Django sets up much of itself on first use: URL patterns, templates, translations,
# prepared queries). Later full collections scan only what came after: ~5-15 ms of CPU.
FREEZE_AFTER = 200  # requests
_served = itertools.count(1)


def _freeze():
    gc.collect()
    gc.freeze()


def post_worker_init(worker):
    _freeze()


def post_request(worker, req, environ, resp):
    if next(_served) == FREEZE_AFTER:  # exactly once per worker (count() is thread-safe)
        _freeze()


# Addresses whose X-Forwarded-* headers gunicorn trusts: the reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No gunicorn access log: the console logs each request itself (logger console.request, with the
# request id, tenant and user; phone numbers masked). gunicorn's own messages go to stderr in the
# same format as the console's logs.
accesslog = None
errorlog = "-"


class Logger(_GunicornLogger):
    """gunicorn's logger without the access line. gunicorn skips building that line only when no
    logging configuration is given; with `logconfig_dict` below it would work out every field of
    it for each request (~3% of a worker's Python time under load) only to drop it."""

    def access(self, resp, req, environ, request_time):
        pass


logger_class = Logger
loglevel = os.environ.get("LOG_LEVEL", "info").lower()
_format = os.environ.get("LOG_FORMAT") or (
    "json" if os.environ.get("DJANGO_ENV") == "production" else "plain"
)
logconfig_dict = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "console.logging.JsonFormatter"},
        "plain": {"()": "console.logging.PlainFormatter"},
    },
    "filters": {"context": {"()": "console.logging.RequestContextFilter"}},
    "handlers": {
        "error_console": {
            "class": "logging.StreamHandler",
            "formatter": _format,
            "filters": ["context"],
            "stream": "ext://sys.stderr",
        },
    },
    "root": {"level": "INFO", "handlers": ["error_console"]},
    "loggers": {
        "gunicorn.error": {"level": "INFO", "handlers": ["error_console"], "propagate": False},
        "gunicorn.access": {"level": "INFO", "handlers": [], "propagate": False},
    },
}
