"""The dashboard's daily rollups (calls/rollups.py): always what a from-scratch aggregation of the
calls says, whatever writes the calls; the rebuild command; the tenant's day boundary."""

from collections import Counter
from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command
from django.db import connection, transaction
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calls import rollups
from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import (
    Call,
    DayRollup,
    Disposition,
    DispositionMonthRollup,
    DispositionRollup,
    MonthRollup,
    ReasonRollup,
)
from calls.services.outcomes import FINAL_SOURCES
from tests.conftest import make_user

pytestmark = pytest.mark.django_db

RESULTS = ("placed", "failed", "unknown", "placing")


def expected(tenant_ids=None) -> tuple[dict, ...]:
    """The three rollups, aggregated from the calls in Python."""
    day, reason, disposition = {}, Counter(), Counter()
    calls = Call.objects.exclude(local_day=None)
    if tenant_ids is not None:
        calls = calls.filter(tenant_id__in=tenant_ids)
    for c in calls:
        key = (c.tenant_id, c.local_day, c.user_id or 0)
        row = day.setdefault(key, Counter())
        known = c.outcome_source in FINAL_SOURCES
        row.update(
            calls=1,
            **{c.status: 1},
            known=int(known),
            answered=int(known and c.talking_at is not None),
            awaiting=int(c.wrapup_state == "pending"),
            talked=int(c.talk_seconds is not None),
            talk_seconds=c.talk_seconds or 0,
        )
        if c.status in ("failed", "unknown") and c.reason_source:
            reason[(c.tenant_id, c.local_day, c.reason_source, c.reason_code)] += 1
        if c.disposition_id:
            disposition[(c.tenant_id, c.local_day, c.user_id or 0, c.disposition_id)] += 1
    measures = ("calls", *RESULTS, "known", "answered", "awaiting", "talked", "talk_seconds")
    month, disposition_month = {}, Counter()
    for (t, d, m), v in day.items():
        month.setdefault((t, d.replace(day=1), m), Counter()).update(v)
    for (t, d, m, disp), n in disposition.items():
        disposition_month[(t, d.replace(day=1), m, disp)] += n
    day = {k: {m: v[m] for m in measures} for k, v in day.items()}
    month = {k: {m: v[m] for m in measures} for k, v in month.items()}
    return day, dict(reason), dict(disposition), month, dict(disposition_month)


def stored(tenant_ids=None) -> tuple[dict, ...]:
    f = {} if tenant_ids is None else {"tenant_id__in": tenant_ids}
    measures = ("calls", *RESULTS, "known", "answered", "awaiting", "talked", "talk_seconds")
    day = {
        (r.tenant_id, r.day, r.manager_id): {m: getattr(r, m) for m in measures}
        for r in DayRollup.objects.filter(**f)
    }
    reason = {
        (r.tenant_id, r.day, r.reason_source, r.reason_code): r.calls
        for r in ReasonRollup.objects.filter(**f)
    }
    disposition = {
        (r.tenant_id, r.day, r.manager_id, r.disposition_id): r.calls
        for r in DispositionRollup.objects.filter(**f)
    }
    month = {
        (r.tenant_id, r.month, r.manager_id): {m: getattr(r, m) for m in measures}
        for r in MonthRollup.objects.filter(**f)
    }
    disposition_month = {
        (r.tenant_id, r.month, r.manager_id, r.disposition_id): r.calls
        for r in DispositionMonthRollup.objects.filter(**f)
    }
    return day, reason, disposition, month, disposition_month


def new_call(tenant, user, i, at=None, **fields):
    return Call(
        tenant=tenant,
        user=user,
        softphone="10001",
        called=f"138{i:08d}",
        idempotency_key=f"k{i}",
        created_at=at or datetime.now(UTC),
        **fields,
    )


# --- a random mix of every way the console writes calls ---------------------------------------

OUTCOMES = st.sampled_from(
    [
        {"status": "placed"},
        {"status": "failed", "reason_source": "createCall", "reason_code": "8"},
        {"status": "failed", "reason_source": "http", "reason_code": "500"},
        {"status": "unknown", "reason_source": "transport", "reason_code": "timeout"},
        {"status": "placed", "outcome_source": "cdr", "outcome_code": "0", "talk_seconds": 42},
        {"status": "placed", "outcome_source": "push", "outcome_code": "5"},
        {"status": "placed", "outcome_source": "poll", "talk_seconds": 7},
    ]
)
STEP = st.one_of(
    st.tuples(st.just("create"), st.integers(0, 1), st.integers(0, 3), st.integers(-3, 0)),
    st.tuples(
        st.just("bulk_create"), st.integers(1, 4), st.integers(0, 1), st.integers(-3, 0), OUTCOMES
    ),
    st.tuples(st.just("outcome_update"), st.integers(0, 50), OUTCOMES),
    st.tuples(st.just("save"), st.integers(0, 50), OUTCOMES),
    st.tuples(st.just("answered"), st.integers(0, 50), st.booleans()),
    st.tuples(st.just("wrap_up"), st.integers(0, 50), st.integers(0, 3)),
    st.tuples(st.just("bulk_pending"), st.integers(0, 1)),
    st.tuples(st.just("delete"), st.integers(0, 50)),
    st.tuples(st.just("remove_user"), st.integers(0, 1)),
    st.tuples(st.just("clear_day"), st.integers(0, 50)),
    # one column at a time: each column the rollups read, changed alone
    st.tuples(
        st.just("one_column"),
        st.integers(0, 50),
        st.sampled_from(
            [
                ("talk_seconds", 5),
                ("talk_seconds", None),
                ("outcome_source", "cdr"),
                ("outcome_source", ""),
                ("reason_code", "5"),
                ("reason_source", ""),
                ("status", "unknown"),
                ("wrapup_state", "pending"),
                ("talking_at", None),
            ]
        ),
    ),
)


def _pick(i):
    ids = list(Call.objects.order_by("id").values_list("id", flat=True))
    return ids[i % len(ids)] if ids else None


def _apply(step, tenants, users, dispositions, counter):
    kind = step[0]
    if kind == "create":  # the placing service's way: one INSERT per call
        _k, t, u, days = step
        tenant = tenants[t]
        user = users[t][u % len(users[t])]
        at = datetime.now(UTC) + timedelta(days=days, hours=counter[0] % 24)
        counter[0] += 1
        call = new_call(tenant, user, counter[0], at)
        backdated_bulk_create([call]) if days else call.save()
    elif kind == "bulk_create":
        _k, n, t, days, outcome = step
        calls = []
        for _ in range(n):
            counter[0] += 1
            at = datetime.now(UTC) + timedelta(days=days, hours=7 * counter[0] % 24)
            user = users[t][counter[0] % len(users[t])]
            calls.append(new_call(tenants[t], user, counter[0], at, **outcome))
        backdated_bulk_create(calls)
    elif kind == "outcome_update" and (pk := _pick(step[1])):  # the outcome sync: update()
        Call.objects.filter(pk=pk).update(**step[2])
    elif kind == "save" and (pk := _pick(step[1])):  # a model's save() of every column
        call = Call.objects.get(pk=pk)
        for name, value in step[2].items():
            setattr(call, name, value)
        call.save()
    elif kind == "answered" and (pk := _pick(step[1])):
        now = datetime.now(UTC) if step[2] else None
        Call.objects.filter(pk=pk).update(talking_at=now, wrapup_state="pending" if now else "")
    elif kind == "wrap_up" and (pk := _pick(step[1])):  # the wrap-up's copy to the call
        call = Call.objects.get(pk=pk)
        choice = [d for d in dispositions if d.tenant_id == call.tenant_id]
        d = choice[step[2] % len(choice)] if step[2] else None
        Call.objects.filter(pk=pk).update(disposition=d, wrapup_state="done" if d else "")
    elif kind == "bulk_pending":  # a bulk update of many calls at once
        Call.objects.filter(tenant=tenants[step[1]], status="placed").update(wrapup_state="pending")
    elif kind == "delete" and (pk := _pick(step[1])):
        Call.objects.filter(pk=pk).delete()
    elif kind == "remove_user":  # a removed user: their calls keep no user (SET NULL)
        t = step[1]
        if len(users[t]) > 1:
            users[t].pop().delete()
    elif kind == "one_column" and (pk := _pick(step[1])):
        Call.objects.filter(pk=pk).update(**{step[2][0]: step[2][1]})
    elif kind == "clear_day" and (pk := _pick(step[1])):  # as a call stored before the column
        Call.objects.filter(pk=pk).update(local_day=None)


@settings(
    max_examples=25,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(steps=st.lists(STEP, min_size=4, max_size=12))
def test_rollups_equal_a_fresh_aggregation_after_any_mix_of_writes(steps, tenant, other_tenant):
    with transaction.atomic():
        tenants = [tenant, other_tenant]
        users = [
            [make_user(f"a{i}-{t.slug}") for i in range(3)] for t in tenants
        ]  # fmt: skip
        dispositions = list(Disposition.objects.filter(tenant__in=tenants))
        counter = [0]
        first = [
            ("bulk_create", 2, 0, -1, {"status": "failed", "reason_source": "http"}),
            ("bulk_create", 2, 0, 0, {"status": "placed", "outcome_source": "push"}),
            ("bulk_create", 2, 1, 0, {}),
        ]
        for step in first + steps:
            _apply(step, tenants, users, dispositions, counter)
            assert stored() == expected(), step
        # and a rebuild finds the very same numbers
        for t in tenants:
            rollups.rebuild(t, batch_months=2)
        assert stored() == expected()
        transaction.set_rollback(True)


def test_a_tenant_delete_leaves_no_rollup(tenant, other_tenant, manager):
    backdated_bulk_create([new_call(tenant, manager, i) for i in range(3)])
    backdated_bulk_create([new_call(other_tenant, None, 9)])
    tenant.delete()
    assert set(stored()[0]) == {(other_tenant.id, k[1], 0) for k in stored()[0]}
    assert stored() == expected()


# --- the day boundary in the tenant's time zone -------------------------------------------------


def test_the_local_day_is_the_tenants_day(tenant, manager):
    tenant.time_zone = "Asia/Shanghai"  # UTC+8: the day starts at 16:00 UTC the day before
    tenant.save()
    before = new_call(tenant, manager, 1, datetime(2026, 3, 1, 15, 59, 59, tzinfo=UTC))
    after = new_call(tenant, manager, 2, datetime(2026, 3, 1, 16, 0, 0, tzinfo=UTC))
    backdated_bulk_create([before, after])
    assert [c.local_day for c in Call.objects.order_by("id")] == [
        date(2026, 3, 1),
        date(2026, 3, 2),
    ]
    days = {k[1]: v["calls"] for k, v in stored()[0].items()}
    assert days == {date(2026, 3, 1): 1, date(2026, 3, 2): 1}
    # it never changes, even if the tenant moves to another time zone later
    tenant.time_zone = "Europe/London"
    tenant.save()
    Call.objects.filter(pk=after.pk).update(status="placed")
    assert Call.objects.get(pk=after.pk).local_day == date(2026, 3, 2)


def test_the_placing_path_sets_the_local_day(tenant, manager):
    from console.prepared import insert_row

    call = new_call(tenant, manager, 1)
    insert_row(call)
    tz = ZoneInfo(tenant.time_zone)
    assert Call.objects.get(pk=call.pk).local_day == call.created_at.astimezone(tz).date()
    assert stored() == expected() and stored()[0]


# --- rebuilding ---------------------------------------------------------------------------------


def _spoil(tenant):
    """Rollups gone wrong, and calls without their local day (written before the column)."""
    with connection.cursor() as cur:
        cur.execute("UPDATE calls_rollup_day SET calls = calls + 5")
        cur.execute("UPDATE calls_rollup_month SET answered = answered + 1")
        cur.execute("DELETE FROM calls_rollup_disposition_month")
        cur.execute("DELETE FROM calls_rollup_reason")
        cur.execute(
            "INSERT INTO calls_rollup_disposition (tenant_id, day, manager_id, disposition_id, "
            "calls) VALUES (%s, %s, 0, 1, 7)",
            [tenant.id, "2001-01-01"],
        )
        cur.execute("UPDATE calls_call SET local_day = NULL WHERE id % 2 = 0")


@pytest.fixture
def some_calls(tenant, other_tenant, manager, supervisor):
    now = datetime.now(UTC)
    d = tenant.dispositions.first()
    calls = [
        new_call(
            tenant,
            manager if i % 3 else supervisor,
            i,
            now - timedelta(days=i * 5, hours=i),
            status=RESULTS[i % 4],
            reason_source="createCall" if i % 4 == 1 else "",
            reason_code="8" if i % 4 == 1 else "",
            disposition=d if i % 4 == 0 else None,
            talk_seconds=i if i % 4 == 0 else None,
        )
        for i in range(40)
    ]
    calls.append(new_call(other_tenant, None, 99, now, status="failed", reason_source="http"))
    backdated_bulk_create(calls)
    return calls


def test_rebuild_command_puts_spoilt_rollups_right_and_is_idempotent(
    tenant, other_tenant, some_calls
):
    right = stored()
    assert right == expected() and all(right)
    _spoil(tenant)
    assert stored() != right
    call_command("rebuild_rollups", "--batch-months", "2")
    assert stored() == right == expected()
    assert not Call.objects.filter(local_day=None).exists()
    call_command("rebuild_rollups")  # again: the same
    assert stored() == right


def test_rebuild_command_for_one_tenant(tenant, other_tenant, some_calls, capsys):
    right = stored()
    with connection.cursor() as cur:
        cur.execute("DELETE FROM calls_rollup_day")
    call_command("rebuild_rollups", "--tenant", tenant.slug)
    day = stored()[0]
    assert {k[0] for k in day} == {tenant.id}  # the other tenant's were not rebuilt
    assert day == {k: v for k, v in right[0].items() if k[0] == tenant.id}
    call_command("rebuild_rollups", "--tenant", str(other_tenant.code))
    assert stored() == right
    assert "batch" in capsys.readouterr().out
    with pytest.raises(CommandError, match="No tenant"):
        call_command("rebuild_rollups", "--tenant", "nobody")


def test_rebuild_counts_calls_written_while_it_runs(tenant, manager, some_calls, monkeypatch):
    """Calls written between two batches are counted once: by their trigger, and kept by the
    next batch's recomputation (which reads them too)."""
    original = rollups._rebuild_days
    written = []

    def between_batches(*args):
        original(*args)
        written.append(new_call(tenant, manager, 1000 + len(written)))
        written[-1].save()
        Call.objects.filter(pk=some_calls[0].pk).update(status="failed", reason_source="http")

    monkeypatch.setattr(rollups, "_rebuild_days", between_batches)
    rollups.rebuild(tenant, batch_months=1)
    assert len(written) > 2
    assert stored() == expected()


def test_repair_puts_back_dropped_triggers(tenant, manager):
    rollups.uninstall(connection)
    try:
        assert rollups.installed(connection) == set()
        assert rollups.repair(connection)
        assert rollups.installed(connection) == set(rollups.TRIGGERS)
        assert not rollups.repair(connection)  # nothing to do
    finally:
        rollups.install(connection)
    new_call(tenant, manager, 1).save()
    assert stored() == expected() and stored()[0]


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("status", "unknown"),
        ("outcome_source", "cdr"),
        ("talking_at", None),
        ("wrapup_state", "pending"),
        ("talk_seconds", 99),
        ("reason_source", "transport"),
        ("reason_code", "timeout"),
        ("disposition", None),
        ("user", None),
        ("local_day", date(2026, 1, 5)),
    ],
)
def test_each_column_the_rollups_read_counts_when_it_changes_alone(tenant, manager, column, value):
    d = tenant.dispositions.first()
    call = new_call(
        tenant, manager, 1, status="failed", reason_source="http", reason_code="500",
        outcome_source="push", talking_at=datetime.now(UTC), talk_seconds=3, disposition=d,
    )  # fmt: skip
    call.save()
    Call.objects.filter(pk=call.pk).update(**{column: value})
    assert stored() == expected()
    call.refresh_from_db()
    call.delete()
    assert stored() == ({}, {}, {}, {}, {})
