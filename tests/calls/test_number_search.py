"""The history's number search (calls/number_search.py, issue 20): on SQLite a trigram FTS5
index for "contains" and a range on call_tenant_called_at for the prefix, each condition chosen by
how many calls match. Whatever the way, the page must hold exactly the calls a plain LIKE finds,
in the same order, page after page (on PostgreSQL too, where the conditions are plain LIKEs)."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls import number_search
from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from calls.paging import history_page
from calls.selectors import calls_for
from console.models import Membership

sqlite_only = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="the FTS5 index and SQLite's plans"
)

# Thresholds small enough for a few dozen calls to take each way (the production values need
# thousands of matches).
WAYS = {
    "few (ids looked up)": {"DRIVE_MAX": 10**6, "WALK_MAX": 10**6, "DENSE_PROBE": 10**6},
    "some (walk, ids checked)": {"DRIVE_MAX": 0, "WALK_MAX": 10**6, "DENSE_PROBE": 1},
    "most (walk, LIKE)": {"DRIVE_MAX": 0, "WALK_MAX": 0, "DENSE_PROBE": 1},
    "as configured": {},
}


def _calls(tenant, user, numbers, minutes):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(
                tenant=tenant,
                user=user,
                softphone="10001",
                called=number,
                idempotency_key=f"ns-{uuid.uuid4()}",
                # Few distinct minutes: many calls share a created_at, so the id breaks ties.
                created_at=now - timedelta(minutes=m),
                status="placed",
            )
            for i, (number, m) in enumerate(zip(numbers, minutes, strict=True))
        ]
    )


def _expected(tenant, number, match, user=None):
    calls = Call.objects.filter(tenant=tenant)
    if user is not None:
        calls = calls.filter(user=user)
    rows = [
        (c.created_at, c.pk, c.called)
        for c in calls
        if (number in c.called if match == "contains" else c.called.startswith(number))
    ]
    return [pk for _at, pk, _n in sorted(rows, reverse=True)]


def _pages(membership, filters, size):
    qs = calls_for(membership, filters)
    seen, cursor = [], None
    while True:
        page = history_page(qs, cursor=cursor, size=size)
        seen += [c.pk for c in page.calls]
        if not page.next_cursor:
            return seen
        cursor = page.next_cursor


digits = st.text(alphabet="0123", min_size=1, max_size=8)


@pytest.mark.parametrize("way", WAYS)
@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_every_way_finds_what_like_finds_page_after_page(
    data, way, tenant, other_tenant, manager, supervisor, monkeypatch
):
    for name, value in WAYS[way].items():
        monkeypatch.setattr(number_search, name, value)
    numbers = data.draw(st.lists(digits, min_size=1, max_size=40), label="numbers")
    minutes = data.draw(
        st.lists(st.integers(0, 5), min_size=len(numbers), max_size=len(numbers)), label="at"
    )
    others = data.draw(st.lists(digits, max_size=10), label="other tenant")
    needle = data.draw(st.text(alphabet="0123", min_size=1, max_size=5), label="needle")
    match = data.draw(st.sampled_from(["contains", "prefix"]), label="match")
    size = data.draw(st.integers(1, 7), label="page size")
    with transaction.atomic():
        _calls(tenant, manager, numbers, minutes)
        _calls(other_tenant, None, others, [0] * len(others))
        for user in (supervisor, manager):  # the tenant's calls; a manager's own
            m = Membership.objects.select_related("tenant").get(tenant=tenant, user=user)
            own = None if m.can_read_history else user
            expected = _expected(tenant, needle, match, own)
            filters = {"number": needle, "match": match}
            found = calls_for(m, filters).order_by("-created_at", "-id")
            assert list(found.values_list("pk", flat=True)) == expected
            assert _pages(m, filters, size) == expected
        transaction.set_rollback(True)


def test_words_and_quotes_are_searched_as_text_not_fts_syntax(supervisor, tenant, manager):
    """The form normalises the number but lets letters and quotes through: they are searched
    as before (LIKE), never handed to FTS5 as a query."""
    _calls(tenant, manager, ["138001", 'a"b OR c*', "NEAR(1 2)"], [0, 1, 2])
    m = Membership.objects.select_related("tenant").get(tenant=tenant, user=supervisor)
    for needle, found in [('"b OR', ['a"b OR c*']), ("NEAR(", ["NEAR(1 2)"]), ("800", ["138001"])]:
        qs = calls_for(m, {"number": needle, "match": "contains"})
        assert list(qs.values_list("called", flat=True)) == found
    from django.test import Client

    client = Client()
    client.force_login(supervisor)
    r = client.get(f"/t/{tenant.code}/calls/", {"number": '"1" OR *', "match": "contains"})
    assert r.status_code == 200


def _fts_ids(number):
    with connection.cursor() as cur:
        cur.execute(
            "SELECT rowid FROM calls_call_called_fts WHERE calls_call_called_fts MATCH %s",
            [f'"{number}"'],
        )
        return sorted(r[0] for r in cur.fetchall())


def _integrity():
    with connection.cursor() as cur:  # raises when the index and calls_call differ
        cur.execute(
            "INSERT INTO calls_call_called_fts(calls_call_called_fts, rank) "
            "VALUES ('integrity-check', 1)"
        )


@sqlite_only
def test_the_index_follows_inserts_updates_and_deletes(tenant, manager):
    _calls(tenant, manager, ["13812345678", "13999999999"], [0, 1])
    first, second = Call.objects.order_by("created_at", "id").values_list("pk", flat=True)[:2]
    assert _fts_ids("12345") == [second] and _fts_ids("99999") == [first]
    Call.objects.filter(pk=second).update(called="13700000000")
    Call.objects.filter(pk=first).update(status="failed")  # not the number: nothing to do
    assert _fts_ids("12345") == [] and _fts_ids("70000") == [second]
    Call.objects.filter(pk=first).delete()
    assert _fts_ids("99999") == []
    _integrity()


@sqlite_only
def test_a_lost_trigger_is_put_back_and_the_index_refilled(tenant, manager):
    """A migration that alters calls_call on SQLite copies it into a new table and so drops its
    triggers; after every migrate (calls/apps.py) `repair` puts them back."""
    _calls(tenant, manager, ["13812345678"], [0])
    with connection.cursor() as cur:
        cur.execute("DROP TRIGGER calls_call_called_fts_insert")
    _calls(tenant, manager, ["13866666666"], [1])
    assert _fts_ids("66666") == []  # missed while the trigger was gone
    from django.apps import apps
    from django.db.models.signals import post_migrate

    calls_app = apps.get_app_config("calls")
    post_migrate.send(sender=calls_app, app_config=calls_app, using="default", verbosity=0)
    assert len(_fts_ids("66666")) == 1
    _integrity()
    assert number_search.repair(connection)  # all there: nothing to do


# What ANALYZE wrote for calls_call in the benchmark's database (1M calls, one tenant).
BENCH_STAT1 = {
    "call_tenant_recent": "1000000 1000000 1 1",
    "call_tenant_user_recent": "1000000 1000000 50000 1 1",
    "call_tenant_status_recent": "1000000 1000000 333334 1 1",
    "call_tenant_called_at": "1000000 1000000 1 1",
    "call_tenant_head_recent": "1000000 1000000 10000 1 1",
    "call_tenant_serial": "1000000 1000000 2",
    "call_status_created": "1000000 333334 1",
    "call_tenant_reason_recent": "1000000 1000000 250000 166667 1 1",
    "call_tenant_outcome_recent": "1000000 1000000 333334 1 1",
    "call_tenant_customer_recent": "1000000 1000000 1 1 1",
    "call_tenant_disposition_recent": "1000000 1000000 166667 1 1",
    "call_tenant_noted_recent": "162767 162767 1 1",
    "call_wrapup_pending": "71985 71985 3600 1",
    "calls_call_tenant_id_80e018fb": "1000000 1000000",
    "calls_call_user_id_637f6ac6": "1000000 50000",
    "calls_call_disposition_id_0d7f1ef9": "1000000 166667",
    "sqlite_autoindex_calls_call_1": "1000000 1",
    "sqlite_autoindex_calls_call_2": "1000000 1000000 50000 1",
}


def _statistics_of_a_million_calls():
    """The planner's picture of the benchmark's table (SQLite reads sqlite_stat1 again on
    `ANALYZE sqlite_schema`): with 30 rows' own statistics every plan is cheap."""
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
        for idx, stat in BENCH_STAT1.items():
            cur.execute("DELETE FROM sqlite_stat1 WHERE idx = %s", [idx])
            cur.execute(
                "INSERT INTO sqlite_stat1 (tbl, idx, stat) VALUES ('calls_call', %s, %s)",
                [idx, stat],
            )
        cur.execute("ANALYZE sqlite_schema")


def _plan(membership, filters):
    """SQLite's plan for the page's query, as history_page sends it."""
    from django.test.utils import CaptureQueriesContext

    qs = calls_for(membership, filters)
    with CaptureQueriesContext(connection) as queries:
        history_page(qs, cursor=None, size=50)
    sql = queries.captured_queries[-1]["sql"]
    with connection.cursor() as cur:
        cur.execute(f"EXPLAIN QUERY PLAN {sql}")
        return " | ".join(row[-1] for row in cur.fetchall())


@sqlite_only
@pytest.mark.parametrize(
    "way, number, match, expect",
    [
        ("few (ids looked up)", "12345", "contains", "INTEGER PRIMARY KEY"),
        ("some (walk, ids checked)", "12345", "contains", "INDEX call_tenant_recent"),
        ("most (walk, LIKE)", "12345", "contains", "INDEX call_tenant_recent"),
        ("few (ids looked up)", "138", "prefix", "COVERING INDEX call_tenant_called_at"),
        ("most (walk, LIKE)", "138", "prefix", "INDEX call_tenant_recent"),
        ("few (ids looked up)", "1381", "prefix", "INDEX call_tenant_head_recent"),
        ("most (walk, LIKE)", "13812", "prefix", "INDEX call_tenant_head_recent"),
    ],
)
@pytest.mark.parametrize("analyzed", [False, True], ids=["no statistics", "analyzed"])
def test_each_way_takes_its_plan(
    way, number, match, expect, analyzed, tenant, manager, supervisor, monkeypatch
):
    """Without statistics (no ANALYZE: as a console's database is) and with them (as the
    benchmark's), SQLite takes the plan each condition is written for."""
    for name, value in WAYS[way].items():
        monkeypatch.setattr(number_search, name, value)
    _calls(tenant, manager, [f"1381234567{i % 10}" for i in range(30)], [i for i in range(30)])
    if analyzed:
        _statistics_of_a_million_calls()
    m = Membership.objects.select_related("tenant").get(tenant=tenant, user=supervisor)
    plan = _plan(m, {"number": number, "match": match})
    assert expect in plan, plan
    if expect in ("INDEX call_tenant_recent", "INDEX call_tenant_head_recent"):
        assert "TEMP B-TREE" not in plan, plan  # walked in the page's order: no sort
