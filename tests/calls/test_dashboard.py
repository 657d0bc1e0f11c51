"""The supervisors' dashboard: per day, placed vs failed, top reasons, per manager."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone
from django.utils.html import escape

from calls.aicc.reasons import decode
from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call

pytestmark = pytest.mark.django_db


def url(tenant, query=""):
    return f"/t/{tenant.code}/dashboard/" + (f"?{query}" if query else "")


@pytest.fixture
def history(tenant, manager):
    now = timezone.now()
    rows = [
        dict(status="placed", outcome_source="cdr", outcome_code="0", talking_at=now),
        dict(status="placed", outcome_source="push", outcome_code="5"),
        dict(status="placed"),
        dict(status="failed", reason_source="createCall", reason_code="8"),
        dict(status="failed", reason_source="createCall", reason_code="8"),
        dict(status="unknown", reason_source="transport", reason_code="timeout"),
    ]
    calls = [
        Call(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called="1",
            idempotency_key=f"d{i}",
            created_at=now - timedelta(minutes=i),
            **f,
        )
        for i, f in enumerate(rows)
    ]
    calls.append(
        Call(
            tenant=tenant,
            user=manager,
            softphone="10001",
            called="1",
            idempotency_key="old",
            created_at=now - timedelta(days=40),
            status="failed",
            reason_source="http",
            reason_code="500",
        )
    )
    backdated_bulk_create(calls)


def test_it_works(client, supervisor, tenant, history):
    client.force_login(supervisor)
    r = client.get(url(tenant))
    body = r.content.decode()
    assert r.status_code == 200 and "<svg" in body
    assert "<strong>6</strong>" in body  # the 40-day-old call is outside the default 30 days
    assert "3 (50%)" in body and "2 (33%)" in body  # placed, failed


def test_top_reasons_show_who_can_fix_them(client, admin, tenant, history):
    client.force_login(admin)
    body = client.get(url(tenant)).content.decode()
    reason = decode("createCall", "8", reader="admin")  # an admin reads the third person
    assert escape(str(reason.title)) in body and escape(str(reason.who)) in body
    assert "The customer manager&#x27;s phone number is not allowed" in body
    assert "A console admin (you)" in body and "Your console admin" not in body
    assert str(decode("http", "500").title) not in body


def test_the_period_widens_the_counts(client, supervisor, tenant, history):
    client.force_login(supervisor)
    body = client.get(url(tenant, "days=90")).content.decode()
    assert "<strong>7</strong>" in body


def test_per_manager_table_counts_answered_when_known(client, supervisor, tenant, history):
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "of 2 known" in body


def test_manager_gets_403(client, manager, tenant):
    client.force_login(manager)
    assert client.get(url(tenant)).status_code == 403


def test_outsider_gets_404(client, outsider, tenant):
    client.force_login(outsider)
    assert client.get(url(tenant)).status_code == 404


@pytest.mark.parametrize("days", [7, 90])
def test_query_count_does_not_depend_on_the_period(
    client, supervisor, tenant, history, days, django_assert_num_queries
):
    client.force_login(supervisor)
    client.get(url(tenant))  # warm-up
    # session+user+membership+tenant (one query); from the rollups: per day, per manager (this
    # period and the one before), their names, dispositions per manager, their labels, top
    # reasons; tenant switcher
    with django_assert_num_queries(8):
        client.get(url(tenant, f"days={days}"))


def test_the_chart_has_a_date_axis_and_a_count_axis(client, supervisor, tenant, history):
    import re

    client.force_login(supervisor)
    body = client.get(f"/t/{tenant.code}/dashboard/?days=7").content.decode()
    svg = body[
        body.index('<svg viewBox="0 0 640 250"') : body.index("</svg>", body.index("640 250"))
    ]
    today = timezone.localdate(timezone=ZoneInfo(tenant.time_zone))
    dates = re.findall(r'text-anchor="middle"[^>]*>(\d\d-\d\d)</text>', svg)
    assert len(dates) == 7 and dates[-1] == today.strftime("%m-%d")  # every day of a week
    counts = [int(n) for n in re.findall(r'text-anchor="end"[^>]*>(\d+)</text>', svg)]
    assert counts[0] == 0 and counts == sorted(counts) and len(counts) >= 2
    busiest = max(int(n) for n in re.findall(r"<title>\d{4}-\d\d-\d\d: (\d+) ", svg))
    assert counts[-1] >= busiest  # the axis reaches the tallest bar
    body30 = client.get(f"/t/{tenant.code}/dashboard/?days=30").content.decode()
    assert len(re.findall(r'text-anchor="middle"[^>]*>\d\d-\d\d</text>', body30)) == 6  # 5 apart


@pytest.mark.parametrize(
    ("top", "ticks"),
    [(0, [0, 1]), (1, [0, 1]), (7, [0, 2, 4, 6, 8]), (10, [0, 2, 4, 6, 8, 10]),
     (120, [0, 50, 100, 150]), (1001, [0, 500, 1000, 1500])],
)  # fmt: skip
def test_count_ticks_are_round(top, ticks):
    from calls.dashboard_chart import _count_ticks

    assert _count_ticks(top) == ticks
