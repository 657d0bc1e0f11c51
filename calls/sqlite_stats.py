"""SQLite's planner statistics for the calls table, kept whole across migrations.

A migration that alters calls_call on SQLite (Django copies the table into a new one: adding a
NOT NULL column does) drops the statistics rows of its indexes (sqlite_stat1), while a later
`ANALYZE` of one index brings back only that one. With statistics for some indexes and none for
the others, SQLite's planner trusts the one it knows: at 1M calls a serial lookup walked every
call of the tenant (3 s instead of 3 ms). A database that was never analyzed is left alone (the
planner's defaults serve it); one that was (any table's statistics) is analyzed again when an
index of calls_call lacks its row (after every `migrate`: calls/apps.py), also when the rebuild
took every row of calls_call's own."""

TABLE = "calls_call"


def missing_statistics(conn) -> list[str]:
    """The indexes of calls_call without statistics in a database that has some; [] otherwise."""
    if conn.vendor != "sqlite":
        return []
    with conn.cursor() as cur:
        cur.execute("SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = 'sqlite_stat1'")
        if cur.fetchone() is None:
            return []
        cur.execute("SELECT DISTINCT tbl, idx FROM sqlite_stat1")
        rows = cur.fetchall()
        if not rows:
            return []  # never analyzed
        # A rebuilt calls_call has lost every row of its own, while other tables keep theirs.
        known = {idx for (tbl, idx) in rows if tbl == TABLE}
        # Partial indexes aside: one that covers no row gets no statistics row from ANALYZE.
        cur.execute("SELECT name FROM pragma_index_list(%s) WHERE NOT partial", [TABLE])
        return sorted(name for (name,) in cur.fetchall() if name not in known)


def restore(conn) -> bool:
    """Analyze calls_call again when some of its indexes lost their statistics. True if it did."""
    if not missing_statistics(conn):
        return False
    with conn.cursor() as cur:
        cur.execute(f"ANALYZE {TABLE}")
    return True
