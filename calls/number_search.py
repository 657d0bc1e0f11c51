"""The history's number filter ("starts with" / "contains") as a condition on Call, chosen so the
page stays fast however many calls match (docs/performance.md, "Issue 20: number search").

A page is the 50 newest matching calls. There are two ways to find them:
- walk the tenant's calls newest first (call_tenant_recent) and keep the matching ones: cheap when
  many calls match (50 matches come soon), a scan of the whole tenant when few do;
- collect every match through an index and sort them: cheap when few calls match.
PostgreSQL's planner weighs them itself (its statistics know how common a prefix or a trigram
is). SQLite's cannot, so here one bounded count tells how many calls match, and the condition is
written so SQLite can take only the right way:

- prefix of 4 or 5 digits (on both databases): `called_head = p[:4]` (a column the database keeps:
  the number's first four digits) on call_tenant_head_recent (tenant, called_head, created_at,
  id), in the list's order: the page is the index's first rows (a fifth digit is checked on the
  way, `substr(called, 5, 1) = d`: about one row in ten). Such prefixes are the common search ("1380...") and match many
  calls, which the other ways below sort.
- other prefixes: the range `p <= called < p'` on call_tenant_called (tenant, called, created_at), which
  holds created_at, so the matches are sorted without reading their rows; SQLite compares text
  bytewise, so the range holds exactly the strings starting with p. When a short prefix matches
  more than DENSE_PROBE calls, `LIKE 'p%'` instead: SQLite's LIKE (case-folding, exact for
  digits) cannot use that index, so the walk is the only way left.
- contains (3+ digits): an FTS5 table with the trigram tokenizer over calls_call.called
  (CALLED_FTS, kept in step by triggers: `install`). Few matches (< DRIVE_MAX): `id IN (the
  matches)`, looked up by primary key and sorted. More: `+id IN (the matches)`, the unary plus
  keeping SQLite from looking them up, so it walks the newest calls and checks each id against
  the set. Most calls (>= WALK_MAX): `LIKE '%p%'`, a walk without the set (building a set of
  100,000 ids costs more than the walk). Fewer than 3 digits, or anything but digits (the
  form normalises but does not refuse letters): `LIKE`, as before.

Both ways return the same rows in the same order: tests/calls/test_number_search.py compares
them with a plain LIKE on random data.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import BigIntegerField, F, Func, Q
from django.db.models.expressions import RawSQL
from django.db.models.functions import Substr
from django.db.models.lookups import Exact, In

from calls.paging import sorted_by_index

CALLED_FTS = "calls_call_called_fts"

# A 4- or 5-digit prefix: Call.called_head (the first HEAD digits) and its index.
HEAD = 4
HEAD_PREFIX = (4, 5)
# A short prefix matching more calls than this is walked (see above).
SHORT_PREFIX = 5
DENSE_PROBE = 20_000
# Contains: up to DRIVE_MAX matches are looked up one by one; up to WALK_MAX the walk checks ids.
TRIGRAM = 3
DRIVE_MAX = 3_000
WALK_MAX = 20_000

# The SQL is written out (no names put together): calls_call_called_fts is CALLED_FTS.
_TRIGGERS = {
    "calls_call_called_fts_insert": (
        "CREATE TRIGGER IF NOT EXISTS calls_call_called_fts_insert AFTER INSERT ON calls_call "
        "BEGIN INSERT INTO calls_call_called_fts(rowid, called) VALUES (new.id, new.called); END"
    ),
    "calls_call_called_fts_delete": (
        "CREATE TRIGGER IF NOT EXISTS calls_call_called_fts_delete AFTER DELETE ON calls_call "
        "BEGIN INSERT INTO calls_call_called_fts(calls_call_called_fts, rowid, called) "
        "VALUES ('delete', old.id, old.called); END"
    ),
    # Only when the number (or the id) changes: every other UPDATE of a call costs nothing here.
    "calls_call_called_fts_update": (
        "CREATE TRIGGER IF NOT EXISTS calls_call_called_fts_update AFTER UPDATE OF id, called "
        "ON calls_call WHEN old.id IS NOT new.id OR old.called IS NOT new.called "
        "BEGIN INSERT INTO calls_call_called_fts(calls_call_called_fts, rowid, called) "
        "VALUES ('delete', old.id, old.called); "
        "INSERT INTO calls_call_called_fts(rowid, called) VALUES (new.id, new.called); END"
    ),
}
_TABLE = (
    "CREATE VIRTUAL TABLE IF NOT EXISTS calls_call_called_fts USING fts5("
    "called, content='calls_call', content_rowid='id', tokenize='trigram')"
)
_REBUILD = "INSERT INTO calls_call_called_fts(calls_call_called_fts) VALUES ('rebuild')"
_PRESENT = "SELECT name FROM sqlite_master WHERE name IN (%s, %s, %s, %s)"
_MATCHES = "SELECT rowid FROM calls_call_called_fts WHERE calls_call_called_fts MATCH %s"
_COUNT = (
    "SELECT count(*) FROM (SELECT 1 FROM calls_call_called_fts "
    "WHERE calls_call_called_fts MATCH %s LIMIT %s)"
)

_available: dict[str, bool] = {}


def install(conn, *, repair_only: bool = False) -> bool:
    """On SQLite: make the trigram index of calls_call.called and its triggers, and fill it,
    unless all are there (migration 0014). False when this SQLite has no FTS5 trigram tokenizer
    (3.34+): "contains" then scans, as it did before. With `repair_only`, only when the index
    exists and a trigger is missing (see `repair`)."""
    if conn.vendor != "sqlite":
        return False
    names = [CALLED_FTS, *_TRIGGERS]
    with conn.cursor() as cur:
        cur.execute(_PRESENT, names)
        present = {name for (name,) in cur.fetchall()}
        if present == set(names):
            return True
        if repair_only and CALLED_FTS not in present:
            return False
        try:
            cur.execute(_TABLE)
        except Exception as exc:  # noqa: BLE001 - the console works without it, only slower
            print(f"\n  SQLite without FTS5 trigram, number 'contains' search will scan: {exc}")
            return False
        for sql in _TRIGGERS.values():
            cur.execute(sql)
        cur.execute(_REBUILD)
    _available.pop(conn.settings_dict["NAME"], None)
    return True


def repair(conn) -> bool:
    """After every `migrate` (calls/apps.py): a migration that alters calls_call on SQLite
    (Django copies the table into a new one) drops its triggers; this puts them back and refills
    the index, which would otherwise miss every call stored since."""
    return install(conn, repair_only=True)


def has_index() -> bool:
    """Does this SQLite database have the trigram index (checked once per database)?"""
    name = str(connection.settings_dict["NAME"])
    if name not in _available:
        with connection.cursor() as cur:
            cur.execute("SELECT 1 FROM sqlite_master WHERE name = %s", [CALLED_FTS])
            _available[name] = cur.fetchone() is not None
    return _available[name]


def _next_string(prefix: str) -> str:
    return prefix[:-1] + chr(ord(prefix[-1]) + 1)


def prefix_q(number: str, tenant) -> Q:
    if len(number) in HEAD_PREFIX and number.isascii() and number.isdigit():
        # The newest calls with these first four digits, straight from call_tenant_head_recent
        # (a fifth digit checked on the way): however many match, no sort. The fifth digit is
        # compared as a character, not with LIKE: PostgreSQL would bring in its trigram index
        # and sort the matches.
        q = Q(called_head=number[:HEAD])
        if len(number) > HEAD:
            q &= Q(Exact(Substr("called", HEAD + 1, 1), number[HEAD]))
        return q
    if connection.vendor == "postgresql":
        return Q(called__startswith=number)
    in_range = Q(called__gte=number, called__lt=_next_string(number))
    if len(number) <= SHORT_PREFIX:
        if tenant.calls.filter(in_range).order_by()[:DENSE_PROBE].count() == DENSE_PROBE:
            return Q(called__startswith=number)
    return in_range


def contains_q(number: str) -> Q:
    if (
        connection.vendor != "sqlite"
        or len(number) < TRIGRAM
        or not (number.isascii() and number.isdigit())
        or not has_index()
    ):
        return Q(called__contains=number)
    # Digits only, in double quotes: one FTS5 string, the whole number as a substring; the user's
    # text never becomes FTS5 syntax (and is a bound parameter besides).
    phrase = f'"{number}"'
    with connection.cursor() as cur:
        cur.execute(_COUNT, [phrase, WALK_MAX])
        found = cur.fetchone()[0]
    matches = RawSQL(_MATCHES, [phrase])  # noqa: S611 - fixed SQL, the number bound
    if found < DRIVE_MAX:
        return Q(id__in=matches)
    if found < WALK_MAX:
        plus_id = Func(F("id"), template="+%(expressions)s", output_field=BigIntegerField())
        return Q(In(plus_id, matches))
    return Q(called__contains=number)


def number_q(number: str, match: str, tenant) -> Q:
    if match == "contains":
        return contains_q(number)
    return prefix_q(number, tenant)


def filter_number(qs, number: str, match: str, tenant):
    """`qs` narrowed by the number filter; a page of a prefix range on SQLite is read in two
    steps (calls/paging.py `sorted_by_index`)."""
    q = number_q(number, match, tenant)
    qs = qs.filter(q)
    lookups = {c[0] for c in q.children if isinstance(c, tuple)}
    if connection.vendor == "sqlite" and match != "contains" and "called__gte" in lookups:
        qs = sorted_by_index(qs)
    return qs
