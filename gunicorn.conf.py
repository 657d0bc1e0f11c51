"""gunicorn settings for the console (docs/deploy.md):

    gunicorn console.wsgi -c gunicorn.conf.py

Threaded workers: a request spends most of its time waiting on AICC (createCall, queryCallState)
or the database, so each process serves many requests at once on threads. Command-line flags
(`--bind`, `--workers`, `--threads`) override the values here.
"""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))  # about one per core
# gunicorn's gthread worker, except that a worker that stops (reload, max_requests, stop) drops no
# request: it answers what arrives on its open connections, then exits (console/gunicorn_worker.py).
worker_class = "console.gunicorn_worker.ThreadWorker"
threads = int(os.environ.get("GUNICORN_THREADS", "16"))
# Longer than the slowest request: AICC connect (3 s) + read (10 s) timeouts plus the database.
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "30"))
graceful_timeout = 30  # at most this long for a stopping worker to finish and close its connections
keepalive = 5  # seconds; keep above the reverse proxy's upstream keep-alive timeout (4 s)
# Recycle workers now and then (memory); the jitter keeps them from restarting together.
# No preload_app: each worker imports the application itself, so a reload (SIGHUP) loads new code.
max_requests = 5000
max_requests_jitter = 500
# Addresses whose X-Forwarded-* headers gunicorn trusts: the reverse proxy.
forwarded_allow_ips = os.environ.get("FORWARDED_ALLOW_IPS", "127.0.0.1,::1")

# No gunicorn access log: the console logs each request itself (logger console.request, with the
# request id, tenant and user; phone numbers masked). gunicorn's own messages go to stderr in the
# same format as the console's logs.
accesslog = None
errorlog = "-"

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
