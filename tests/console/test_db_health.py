"""Kept database connections are health-checked after sitting idle, not after every request."""

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections, connections

from console import db

pytestmark = pytest.mark.django_db(transaction=True)  # Django's signal handlers close in atomic
UID = "console-db-check"


@pytest.fixture
def conn(monkeypatch):
    """This thread's default connection (the object, not the proxy), its health checks
    (is_usable calls) counted in `conn.checks`.

    The skip must run after Django's close_old_connections on request_started, as in a server
    (it is connected at start-up, Django's at import). Django's test client disconnects and
    reconnects Django's around requests: connect both again, in the server's order."""
    for receiver, uid in ((close_old_connections, None), (db.skip_check_if_just_used, UID)):
        request_started.disconnect(receiver, dispatch_uid=uid)
        request_started.connect(receiver, dispatch_uid=uid)
    c = connections["default"]
    c.checks = []
    real = c.is_usable

    def counting():
        c.checks.append(1)
        return real()

    monkeypatch.setattr(c, "is_usable", counting)
    c.__dict__.pop("console_request_ended_at", None)  # earlier tests' requests
    c.errors_occurred = False
    c.ensure_connection()
    c.close_at = None  # not past CONN_MAX_AGE during the test (a new one is not checked)
    yield c
    del c.checks


def request(c, query: bool = True) -> None:
    request_started.send(sender=None)
    if query:
        with c.cursor() as cursor:
            cursor.execute("SELECT 1")
    request_finished.send(sender=None)


def test_a_connection_is_checked_after_sitting_idle_not_right_after_a_request(conn, settings):
    assert conn.health_check_enabled
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 60
    request(conn)  # no request has ended on this connection yet: checked
    assert len(conn.checks) == 1
    request(conn)
    request(conn)
    assert len(conn.checks) == 1  # it just worked: not checked

    conn.console_request_ended_at -= 61  # sat idle
    request(conn)
    assert len(conn.checks) == 2

    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 0  # check every time, as Django does
    request(conn)
    assert len(conn.checks) == 3


def test_a_connection_that_saw_an_error_is_checked_at_once(conn, settings):
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 60
    request(conn)
    request(conn)
    before = len(conn.checks)
    conn.errors_occurred = True
    request(conn)
    assert len(conn.checks) == before + 1 and conn.connection is not None


def test_a_closed_connection_is_not_noted_as_used(conn, settings):
    settings.CONN_HEALTH_CHECK_AFTER_IDLE = 60
    request(conn)
    conn.close()
    conn.__dict__.pop("console_request_ended_at", None)
    request(conn, query=False)
    assert "console_request_ended_at" not in conn.__dict__
