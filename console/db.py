"""Connection health checks where they can catch something.

With CONN_HEALTH_CHECKS Django runs "SELECT 1" before the first query of every request on a
kept connection. For a placed call that is one round trip in seven, ~2-3% of the throughput
under load (bench/load.py). A connection that finished a request a moment ago has just shown
that it works; the check is for connections that sat idle, which a database restart, a failover
or an idle timeout may have closed. So a connection is checked only when its last request ended
more than `settings.CONN_HEALTH_CHECK_AFTER_IDLE` seconds ago (0 checks every request, as
Django does).

What is given up: if the database goes away within that moment after a connection's last
request, the connection's next request fails (Django then checks and replaces the connection
for the one after). Requests in flight at that moment fail either way.
"""

import time

from django.conf import settings
from django.db import connections


def note_request_end(**kwargs) -> None:
    """request_finished, after Django's close_old_connections (which may have closed it)."""
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        if conn.connection is not None:
            conn.console_request_ended_at = now


def skip_check_if_just_used(**kwargs) -> None:
    """request_started, after Django's close_old_connections (which asks for the check; run
    before it, this only loses the saving: the check then happens)."""
    idle = settings.CONN_HEALTH_CHECK_AFTER_IDLE
    now = time.monotonic()
    for conn in connections.all(initialized_only=True):
        ended = getattr(conn, "console_request_ended_at", None)
        if (
            conn.connection is not None
            and conn.health_check_enabled
            and not conn.errors_occurred
            and ended is not None
            and now - ended < idle
        ):
            conn.health_check_done = True
