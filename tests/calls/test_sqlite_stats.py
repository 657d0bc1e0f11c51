"""SQLite's statistics for calls_call stay whole after a migration rebuilt the table
(calls/sqlite_stats.py): partial statistics made the planner walk every call for a serial."""

import pytest
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection

from calls import sqlite_stats

pytestmark = pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's planner only")


def _stat_indexes() -> set[str]:
    with connection.cursor() as cur:
        cur.execute("SELECT idx FROM sqlite_stat1 WHERE tbl = 'calls_call'")
        return {idx for (idx,) in cur.fetchall()}


def test_lost_statistics_are_restored_and_a_never_analyzed_database_is_left_alone(
    db, tenant, manager
):
    from tests.followups.conftest import make_call

    assert sqlite_stats.missing_statistics(connection) == []  # never analyzed: nothing to do
    assert sqlite_stats.restore(connection) is False
    for i in range(3):
        make_call(tenant, manager, called=f"1380000000{i}", serial=f"10{i}")
    with connection.cursor() as cur:
        cur.execute("ANALYZE calls_call")
        whole = _stat_indexes()
        # What a rebuilt table and a one-index ANALYZE leave (migration 0015 on an old database).
        cur.execute(
            "DELETE FROM sqlite_stat1 WHERE tbl = 'calls_call' AND idx != 'call_tenant_recent'"
        )
    assert "call_tenant_serial" in sqlite_stats.missing_statistics(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")  # as `migrate` ends
    assert _stat_indexes() == whole
    assert sqlite_stats.missing_statistics(connection) == []
    assert sqlite_stats.restore(connection) is False  # whole again: not analyzed on every migrate


def test_statistics_lost_whole_by_a_rebuild_are_restored(db, tenant, manager):
    """Django's rebuild of calls_call (a new table, the old one dropped) takes every statistics
    row of calls_call, while the other tables keep theirs: analyzed again."""
    from tests.followups.conftest import make_call

    make_call(tenant, manager, called="13800000001", serial="101")
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        whole = _stat_indexes()
        cur.execute("DELETE FROM sqlite_stat1 WHERE tbl = 'calls_call'")
    assert "call_tenant_serial" in sqlite_stats.missing_statistics(connection)
    emit_post_migrate_signal(verbosity=0, interactive=False, db="default")
    assert _stat_indexes() == whole
