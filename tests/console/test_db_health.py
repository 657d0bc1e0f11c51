"""A kept database connection is health-checked before each request reuses it
(CONN_HEALTH_CHECKS), so a database restart while it sat idle fails no request."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import connections

pytestmark = pytest.mark.django_db(transaction=True)  # Django's signal handlers close in atomic


def test_a_kept_connection_is_checked_at_the_start_of_every_request(monkeypatch):
    conn = connections["default"]
    assert conn.health_check_enabled
    checks = []
    real = conn.is_usable

    def counting():
        checks.append(1)
        return real()

    monkeypatch.setattr(conn, "is_usable", counting)
    conn.ensure_connection()
    conn.close_at = None  # not past CONN_MAX_AGE during the test (a new one is not checked)
    for _ in range(3):
        # What a server does around each request (Django's test client skips request_started's
        # close_old_connections, so the signals are sent here).
        request_started.send(sender=None)
        with conn.cursor() as cursor:
            cursor.execute("SELECT 1")
        request_finished.send(sender=None)
    assert len(checks) == 3
