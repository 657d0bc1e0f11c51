"""The supervisors' dashboard: per day, placed vs failed, top reasons, per manager."""

from datetime import date, datetime, time, timedelta
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


def _custom(first, last):
    return f"days=custom&date_from={first}&date_to={last}"


@pytest.mark.parametrize("days", ["1", "7", "90", "custom-year", "custom-month"])
def test_query_count_does_not_depend_on_the_period(
    client, supervisor, tenant, history, days, django_assert_num_queries
):
    today = timezone.localdate(timezone=ZoneInfo(tenant.time_zone))
    if days == "custom-year":
        days = _custom(today - timedelta(days=365), today).removeprefix("days=")
    elif days == "custom-month":  # whole months and ragged ends
        days = _custom(date(2026, 1, 15), date(2026, 3, 2)).removeprefix("days=")
    client.force_login(supervisor)
    client.get(url(tenant))  # warm-up
    # session+user+membership+tenant (one query); from the rollups: per day, per manager (this
    # period and the one before, with their names), dispositions per manager, their labels, top
    # reasons; tenant switcher
    with django_assert_num_queries(7):
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


@pytest.mark.parametrize(
    ("query", "field", "error"),
    [
        ("days=custom", "date_from", "Give a date for a custom period."),
        ("days=custom&date_from=2026-01-01", "date_to", "Give a date for a custom period."),
        ("days=custom&date_from=2026-01-31&date_to=2026-01-01", "date_to", "before the start"),
        ("days=custom&date_from=2024-01-01&date_to=2025-06-01", "date_to", "at most 366 days"),
        ("days=custom&date_from=nope&date_to=2026-01-01", "date_from", "Enter a valid date."),
        ("days=custom&date_from=2026-01-01&date_to=2999-01-01", "date_to", "after today"),
        ("days=5", "days", "Select a valid choice"),
    ],
)
def test_custom_range_errors_are_said_and_the_last_30_days_shown(
    client, supervisor, tenant, history, query, field, error
):
    client.force_login(supervisor)
    body = client.get(url(tenant, query)).content.decode()
    errors = body[body.index(f'id="{field}-errors"') :]
    assert (
        escape(error) in errors[: errors.index("</ul>")] or error in errors[: errors.index("</ul>")]
    )
    assert "the last 30 days are shown instead" in body
    assert "<strong>6</strong>" in body  # the default period's numbers


def test_a_custom_range_and_the_period_before(client, supervisor, tenant, manager, history):
    today = timezone.localdate(timezone=ZoneInfo(tenant.time_zone))
    client.force_login(supervisor)
    # 41 days back from today: the 40-day-old call alone, compared with the 41 days before
    first = today - timedelta(days=45)
    body = client.get(url(tenant, _custom(first, today - timedelta(days=35)))).content.decode()
    assert "<strong>1</strong>" in body and "11 days" in body
    before_first, before_last = first - timedelta(days=11), first - timedelta(days=1)
    assert f"Compared with {before_first:%Y-%m-%d} to {before_last:%Y-%m-%d}" in body
    table = body[
        body.index('id="comparison"') : body.index("</table>", body.index('id="comparison"'))
    ]
    assert "<td>1</td><td>0</td><td>+1</td>" in table  # calls: 1 now, 0 before
    # the last 7 days against the 7 before: 6 calls now, none before: +6
    body = client.get(url(tenant, "days=7")).content.decode()
    table = body[
        body.index('id="comparison"') : body.index("</table>", body.index('id="comparison"'))
    ]
    assert "<td>6</td><td>0</td><td>+6</td>" in table
    # the 7 days before now hold the 6 calls: compared with them, -6 (-100%)
    week_before = _custom(today - timedelta(days=13), today - timedelta(days=7))
    Call.objects.exclude(idempotency_key="old").update(local_day=today - timedelta(days=7))
    body = client.get(url(tenant, "days=7")).content.decode()
    table = body[
        body.index('id="comparison"') : body.index("</table>", body.index('id="comparison"'))
    ]
    assert "<td>0</td><td>6</td><td>\u22126 (\u2212100%)</td>" in table
    assert "<strong>6</strong>" in client.get(url(tenant, week_before)).content.decode()


def test_per_manager_answer_rate_and_talk_time(client, supervisor, tenant, manager):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(tenant=tenant, user=manager, softphone="1", called="1", idempotency_key=f"t{i}",
                 created_at=now - timedelta(minutes=i), status="placed", outcome_source="cdr",
                 talking_at=now if i < 3 else None, talk_seconds=[60, 125, 3700][i] if i < 3 else None)
            for i in range(4)
        ]
    )  # fmt: skip
    client.force_login(supervisor)
    body = client.get(url(tenant, "days=1")).content.decode()
    row = body[body.index('id="per-manager"') :]
    row = row[: row.index("</tr>", row.index("<tbody>"))]
    # 4 calls, 3 answered of 4 known (75%), average 3885/3 = 1295 s, total 3885 s
    assert "<td>75%</td>" in row and "<td>21:35</td>" in row and "<td>1:04:45</td>" in row


def test_today_is_the_tenants_day(client, supervisor, tenant, manager):
    tz = ZoneInfo(tenant.time_zone)
    today = timezone.localdate(timezone=tz)
    midnight = datetime.combine(today, time.min, tzinfo=tz)
    backdated_bulk_create(
        [
            Call(tenant=tenant, user=manager, softphone="1", called="1", idempotency_key=f"m{i}",
                 created_at=midnight + timedelta(seconds=s))
            for i, s in enumerate([-1, 0, 1])
        ]
    )  # fmt: skip
    client.force_login(supervisor)
    assert "<strong>2</strong>" in client.get(url(tenant, "days=1")).content.decode()


def test_another_tenants_calls_never_count(client, supervisor, tenant, other_tenant, history):
    now = timezone.now()
    backdated_bulk_create(
        [
            Call(tenant=other_tenant, user=None, softphone="1", called="1", idempotency_key=f"o{i}",
                 created_at=now, status="failed", reason_source="http", reason_code="500")
            for i in range(9)
        ]
    )  # fmt: skip
    client.force_login(supervisor)
    body = client.get(url(tenant)).content.decode()
    assert "<strong>6</strong>" in body and "(removed user)" not in body
    assert str(decode("http", "500").title) not in body


def test_the_manager_tables_rows_are_the_template_loops():
    """calls/dashboard_chart.py writes the two per-manager tables' rows as their template loops
    did (a floor of 1,000 managers made those loops most of the page)."""
    import re

    from django.template import Context, Template

    from calls.dashboard_chart import disposition_rows_html, manager_rows_html

    managers = [
        {"name": "<b>Zoë</b> & co", "calls": 12, "delta": {"text": "+2 (+20%)"}, "placed": 10,
         "known": 8, "answered": 5, "answer_rate": 63, "talk_avg_text": "1:05",
         "talk_total_text": "5:25", "dispositions": [3, 0, 1], "awaiting": 2},
        {"name": "", "calls": 1, "delta": None, "placed": 0, "known": 0, "answered": 0,
         "answer_rate": None, "talk_avg_text": "", "talk_total_text": "0:00",
         "dispositions": [0, 0, 0], "awaiting": 0},
    ]  # fmt: skip
    loops = Template(
        "{% load i18n %}<table>{% for r in managers %}<tr><td>{% if r.name %}{{ r.name }}"
        '{% else %}<span class="muted">{% translate "(removed user)" %}</span>{% endif %}</td>'
        "<td>{{ r.calls }}</td><td>{{ r.delta.text }}</td><td>{{ r.placed }}</td><td>"
        '{% if r.known %}{{ r.answered }} <span class="muted">{% blocktranslate with '
        "known=r.known %}of {{ known }} known{% endblocktranslate %}</span>{% else %}<span "
        'class="muted">{% translate "not known yet" %}</span>{% endif %}</td><td>{% if '
        "r.answer_rate is not None %}{{ r.answer_rate }}%{% else %}–{% endif %}</td><td>"
        '{{ r.talk_avg_text|default:"–" }}</td><td>{{ r.talk_total_text }}</td></tr>'
        "{% endfor %}</table><table>{% for r in managers %}<tr><td>{% if r.name %}{{ r.name }}"
        '{% else %}<span class="muted">{% translate "(removed user)" %}</span>{% endif %}</td>'
        "{% for n in r.dispositions %}<td>{{ n }}</td>{% endfor %}<td>{{ r.awaiting }}</td>"
        "</tr>{% endfor %}</table>"
    ).render(Context({"managers": managers}))
    ours = f"<table>{manager_rows_html(managers)}</table><table>{disposition_rows_html(managers)}</table>"
    assert re.sub(r">\s+<", "><", ours) == re.sub(r">\s+<", "><", loops)
    assert "&lt;b&gt;Zoë&lt;/b&gt; &amp; co" in ours
