"""The supervisors' live wallboard (issue 20): live calls per leg and their thresholds, the last
call's result in a supervisor's words, today's counters, the failures of the last 15 minutes,
who may see it, its refresh, and a query count that does not grow with the floor."""

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.html import escape

from calls.aicc.reasons import decode
from calls.management.commands.seed_history import backdated_bulk_create
from calls.models import Call
from calls.wallboard import board, failures_since
from console.forms import TenantSettingsForm
from console.models import Membership
from customers.models import Customer, CustomerNumber
from tests.conftest import make_user
from tests.console.test_settings import form_data

pytestmark = pytest.mark.django_db

# 10:00 in Shanghai (the tenant's time zone): "today" began 10 hours ago.
NOW = datetime(2026, 11, 30, 2, 0, tzinfo=UTC)
SHANGHAI = ZoneInfo("Asia/Shanghai")


def url(tenant, query=""):
    return f"/t/{tenant.code}/live/" + (f"?{query}" if query else "")


def call(tenant, user, ago, i=[0], **fields):  # noqa: B006 - a counter for unique keys
    i[0] += 1
    return Call(
        tenant=tenant,
        user=user,
        softphone="10001",
        called=fields.pop("called", "13800000001"),
        idempotency_key=f"wb{i[0]}",
        created_at=NOW - ago,
        **fields,
    )


def managers(tenant, n, prefix="m"):
    out = []
    for k in range(n):
        u = make_user(f"{prefix}{k}", first_name=f"Agent{k}")
        Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
        out.append(u)
    return out


def page(client, who, tenant, query="", **headers):
    client.force_login(who)
    with time_machine.travel(NOW, tick=False):
        r = client.get(url(tenant, query), headers=headers)
    assert r.status_code == 200
    return r.content.decode()


def row_of(body, name):
    start = body.index(f'<th scope="row">{name}</th>')
    return body[body.rindex("<tr", 0, start) : body.index("</tr>", start)]


@pytest.fixture
def floor(tenant):
    a, b, c, d = managers(tenant, 4)
    customer = Customer.objects.create(tenant=tenant, name="Li Lei")
    CustomerNumber.objects.create(tenant=tenant, customer=customer, number="+8613800000002")
    backdated_bulk_create(
        [
            call(tenant, a, timedelta(seconds=30), status="placed"),  # AICC not asked yet
            call(
                tenant,
                b,
                timedelta(seconds=200),
                status="placed",
                state=1,
                called="13800000002",
                customer_number="+8613800000002",
            ),
            call(tenant, c, timedelta(seconds=400), status="placed", state=2),
        ]
    )
    return a, b, c, d


def test_each_live_call_shows_its_leg_in_the_supervisors_words(client, supervisor, tenant, floor):
    body = page(client, supervisor, tenant)
    ringing_agent = row_of(body, "Agent0")
    assert "Ringing the customer manager&#x27;s phone" in ringing_agent
    assert ">0:30</span>" in ringing_agent and "data-since=" in ringing_agent
    assert "wb-warn" not in ringing_agent and "wb-alert" not in ringing_agent
    ringing_customer = row_of(body, "Agent1")
    assert "Ringing the customer</span>" in ringing_customer and "3:20" in ringing_customer
    assert "13800000002" in ringing_customer and "Li Lei" in ringing_customer  # the customers app
    assert 'class="wb-warn"' in ringing_customer and "Over 3 min" in ringing_customer
    talking = row_of(body, "Agent2")
    assert "Talking" in talking and "6:40" in talking
    assert 'class="wb-alert"' in talking and "Over 5 min" in talking
    idle = row_of(body, "Agent3")
    assert "Not on a call" in idle and "No call today" in idle
    # The longest call first, managers without a call after them.
    assert body.index("Agent2") < body.index("Agent1") < body.index("Agent0") < body.index("Agent3")
    assert "<strong>3</strong> on a call" in body and "2 ringing, 1 talking" in body


def test_the_thresholds_are_the_tenants(client, supervisor, tenant, floor):
    tenant.wallboard_warn_minutes, tenant.wallboard_alert_minutes = 1, 3
    tenant.save()
    body = page(client, supervisor, tenant)
    assert 'class="wb-alert"' in row_of(body, "Agent1") and "Over 3 min" in row_of(body, "Agent1")
    assert 'class="wb-warn"' not in row_of(body, "Agent0")  # 30 s: under a minute
    assert "Over 1 min" not in body
    tenant.wallboard_warn_minutes = 0  # not what the form allows, but says "highlight all"
    tenant.save()
    assert "Over 0 min" in row_of(page(client, supervisor, tenant), "Agent0")


def test_an_ended_call_is_the_last_calls_result_in_the_supervisors_words(
    client, supervisor, admin, tenant
):
    a, b = managers(tenant, 2)
    backdated_bulk_create(
        [
            call(
                tenant,
                a,
                timedelta(minutes=20),
                status="placed",
                state=3,
                outcome_code="0",
                talking_at=NOW - timedelta(minutes=19),
                talk_seconds=65,
            ),  # fmt: skip
            call(
                tenant,
                a,
                timedelta(minutes=30),
                status="failed",
                reason_source="http",
                reason_code="500",
            ),  # fmt: skip (older: not the last one)
            call(
                tenant,
                b,
                timedelta(minutes=5),
                status="failed",
                reason_source="createCall",
                reason_code="8",
            ),  # fmt: skip
            # b's live call is not their last result; it shows as live.
            call(tenant, b, timedelta(seconds=10), status="placed", state=2),
        ]
    )
    body = page(client, supervisor, tenant)
    assert "Answered, 1:05" in row_of(body, "Agent0")
    assert "10:40</a>" not in row_of(body, "Agent0")  # 09:40 local is the last one
    assert "09:40</a>" in row_of(body, "Agent0")
    failed = row_of(body, "Agent1")
    title = escape(str(decode("createCall", "8", reader="others").title))
    assert f"Failed: {title}" in failed and "The customer manager" in title
    assert "Talking" in failed  # and the live call beside it
    # An admin reads the same reason in an admin's words.
    assert "Failed: " in row_of(page(client, admin, tenant), "Agent1")


def test_todays_counters_start_at_midnight_in_the_tenants_time_zone(client, supervisor, tenant):
    (a,) = managers(tenant, 1)
    midnight = datetime(2026, 11, 30, tzinfo=SHANGHAI)
    backdated_bulk_create(
        [
            call(
                tenant,
                a,
                NOW - midnight + timedelta(seconds=1),
                status="failed",
                reason_source="http",
                reason_code="500",
            ),  # fmt: skip (yesterday)
            call(
                tenant,
                a,
                NOW - midnight,
                status="placed",
                state=3,
                outcome_code="0",
                talking_at=midnight,
                talk_seconds=90,
                wrapup_state="pending",
            ),  # fmt: skip
            call(
                tenant,
                a,
                NOW - midnight - timedelta(hours=1),
                status="placed",
                state=3,
                outcome_code="5",
                wrapup_state="auto",
            ),  # fmt: skip
            call(
                tenant,
                a,
                timedelta(minutes=1),
                status="placed",
                state=3,
                outcome_code="0",
                talking_at=NOW,
                talk_seconds=30,
                wrapup_state="done",
            ),  # fmt: skip
        ]
    )
    b = board(Membership.objects.get(user=supervisor), NOW)
    (row,) = b.rows
    assert (row.calls, row.answered, row.talk_seconds, row.pending) == (3, 2, 120, 1)
    assert {k: b.totals[k] for k in ("calls", "answered", "talk_seconds", "pending")} == {
        "calls": 3,
        "answered": 2,
        "talk_seconds": 120,
        "pending": 1,
    }
    body = page(client, supervisor, tenant)
    assert '<td class="num">3</td><td class="num">2</td><td class="num">2:00</td>' in body
    assert "<strong>2:00</strong> talk time" in body and "(67%)" in body


def test_failures_of_the_last_15_minutes_by_reason_with_who_can_fix_them(
    client, supervisor, tenant
):
    (a,) = managers(tenant, 1)
    fifteen = timedelta(minutes=15)
    backdated_bulk_create(
        [
            call(
                tenant, a, fifteen, status="failed", reason_source="createCall", reason_code="8"
            ),  # fmt: skip (at the boundary: counted)
            call(
                tenant,
                a,
                timedelta(minutes=2),
                status="failed",
                reason_source="createCall",
                reason_code="8",
            ),  # fmt: skip
            call(
                tenant,
                a,
                fifteen + timedelta(seconds=1),
                status="failed",
                reason_source="http",
                reason_code="500",
            ),  # fmt: skip (too old)
            call(
                tenant, a, timedelta(minutes=3), status="placed", state=3, outcome_code="2"
            ),  # fmt: skip (the manager's phone not reached)
            call(
                tenant, a, timedelta(minutes=4), status="placed", state=3, outcome_code="5"
            ),  # fmt: skip (the customer did not answer: no failure)
            call(
                tenant,
                a,
                timedelta(minutes=5),
                status="placed",
                state=3,
                outcome_code="0",
                talking_at=NOW,
                talk_seconds=5,
            ),  # fmt: skip
        ]
    )
    m = Membership.objects.get(user=supervisor)
    found = failures_since(m, NOW - fifteen, NOW)
    assert [(f.reason.key, f.calls) for f in found] == [("createCall:8", 2), ("outcome:2", 1)]
    later = failures_since(m, NOW + timedelta(minutes=1) - fifteen, NOW + timedelta(minutes=1))
    assert [(f.reason.key, f.calls) for f in later] == [("createCall:8", 1), ("outcome:2", 1)]
    body = page(client, supervisor, tenant)
    section = body[
        body.index('id="wb-failures"') : body.index("</table>", body.index("wb-failures"))
    ]
    assert escape(str(decode("createCall", "8", reader="others").title)) in section
    assert "A console admin" in section  # who can fix it, in a supervisor's words
    assert escape(str(decode("outcome", "2", reader="others").title)) in section
    assert str(decode("http", "500").title) not in section
    assert "<strong>3</strong> failures in the last 15 minutes" in body


def test_managers_may_not_open_it_and_the_navigation_offers_it_to_readers(
    client, manager, supervisor, admin, tenant
):
    client.force_login(manager)
    assert client.get(url(tenant)).status_code == 403
    assert url(tenant) not in client.get(f"/t/{tenant.code}/calls/").content.decode()
    for who in (supervisor, admin):
        client.force_login(who)
        body = client.get(f"/t/{tenant.code}/calls/").content.decode()
        assert f'href="{url(tenant)}">Live</a>' in body
        assert client.get(url(tenant)).status_code == 200


def test_the_refresh_is_the_board_and_the_totals_only_when_they_changed(
    client, supervisor, tenant, floor
):
    full = page(client, supervisor, tenant)
    assert 'hx-trigger="every 2000ms"' in full and 'id="wb-refresh"' in full
    version = full.split('id="wb-v" name="v" value="')[1].split('"')[0]
    fresh = page(client, supervisor, tenant, f"v={version}", HX_Request="true")
    assert "<html" not in fresh and 'id="wb-table"' in fresh
    assert "hx-swap-oob" not in fresh  # nothing new for the polite live region
    stale = page(client, supervisor, tenant, "v=old", HX_Request="true")
    assert 'id="wb-totals" hx-swap-oob="innerHTML"' in stale and "<strong>3</strong>" in stale


def test_large_type_is_kept_in_the_url(client, supervisor, tenant):
    body = page(client, supervisor, tenant, "large=1")
    assert 'class="wallboard large"' in body
    assert f'href="{url(tenant)}?large=1" id="wb-refresh"' in body
    assert f'href="{url(tenant)}" id="wb-size">Normal type' in body


@pytest.mark.parametrize("n", [1, 30])
def test_the_query_count_does_not_grow_with_the_floor(
    client, supervisor, tenant, n, django_assert_num_queries
):
    people = managers(tenant, n, prefix=f"q{n}-")
    calls = []
    for k, u in enumerate(people):
        calls.append(call(tenant, u, timedelta(minutes=30), status="failed",
                          reason_source="createCall", reason_code="8"))  # fmt: skip
        calls.append(call(tenant, u, timedelta(seconds=k + 1), status="placed", state=k % 3))
    backdated_bulk_create(calls)
    client.force_login(supervisor)
    client.get(f"/t/{tenant.code}/calls/")  # the session's first look
    with time_machine.travel(NOW, tick=False):
        # the membership (the session and its user are cached); then the managers, today's
        # counts, the last calls, the live calls, the failures
        with django_assert_num_queries(6):
            r = client.get(url(tenant), headers={"HX-Request": "true"})
        assert r.content.decode().count('<th scope="row">') == n
        # Nobody's calls changed: their last calls are not read again.
        with django_assert_num_queries(5):
            again = client.get(url(tenant), headers={"HX-Request": "true"})
        assert again.content == r.content
        with CaptureQueriesContext(connection) as full:
            client.get(url(tenant))
    assert len(full.captured_queries) == 6  # and the navigation's list of the user's tenants


def test_a_change_to_a_managers_calls_shows_at_the_next_refresh(client, supervisor, tenant):
    """The last calls kept between refreshes (calls.wallboard._lasts) are read again as soon as
    one of the manager's calls changes: an outcome, a wrap-up, a new call, a call ending."""
    a, b = managers(tenant, 2)
    first = call(tenant, a, timedelta(minutes=9), status="placed", state=3, outcome_code="")
    other = call(tenant, b, timedelta(minutes=8), status="placed", state=3, outcome_code="5")
    live = call(tenant, a, timedelta(minutes=1), status="placed", state=2)
    backdated_bulk_create([first, other, live])
    refresh = {"HX_Request": "true"}
    body = page(client, supervisor, tenant, **refresh)
    assert "Ended" in row_of(body, "Agent0") and "Talking" in row_of(body, "Agent0")
    Call.objects.filter(idempotency_key=first.idempotency_key).update(outcome_code="2")
    title = escape(str(decode("outcome", "2", reader="others").title))
    assert title in row_of(page(client, supervisor, tenant, **refresh), "Agent0")
    Call.objects.filter(idempotency_key=live.idempotency_key).update(
        state=3, outcome_code="0", talking_at=NOW, talk_seconds=42, wrapup_state="pending"
    )
    row = row_of(page(client, supervisor, tenant, **refresh), "Agent0")
    assert "Answered, 0:42" in row and "Not on a call" in row
    assert '<td class="num">2</td><td class="num">1</td><td class="num">0:42</td>' in row
    Call.objects.filter(idempotency_key=live.idempotency_key).update(wrapup_state="done")
    row = row_of(page(client, supervisor, tenant, **refresh), "Agent0")
    assert row.endswith('<td class="num">0</td>')  # no wrap-up pending any more
    assert "did not answer" in row_of(page(client, supervisor, tenant, **refresh), "Agent1")


def test_the_settings_form_keeps_the_thresholds_in_order(tenant):
    def errors(**values):
        form = TenantSettingsForm(form_data(tenant, **values), tenant=tenant)
        form.is_valid()
        return {k: v for k, v in form.errors.items() if k.startswith("wallboard")}

    assert errors(wallboard_warn_minutes=2, wallboard_alert_minutes=4) == {}
    assert errors(wallboard_warn_minutes=5, wallboard_alert_minutes=5) == {
        "wallboard_alert_minutes": ["Make this longer than the first threshold (5 minutes)."]
    }
    assert "wallboard_warn_minutes" in errors(wallboard_warn_minutes=0, wallboard_alert_minutes=4)
    assert "wallboard_alert_minutes" in errors(
        wallboard_warn_minutes=3, wallboard_alert_minutes=241
    )
    # A form from before these settings existed keeps them as they are.
    assert errors() == {}


def test_an_admin_sets_the_thresholds_on_the_settings_page(client, admin, tenant):
    client.force_login(admin)
    r = client.post(
        f"/t/{tenant.code}/settings/",
        form_data(tenant, wallboard_warn_minutes=4, wallboard_alert_minutes=2),
    )
    assert (
        r.status_code == 200 and "Make this longer than the first threshold" in r.content.decode()
    )
    r = client.post(
        f"/t/{tenant.code}/settings/",
        form_data(tenant, wallboard_warn_minutes=4, wallboard_alert_minutes=8),
    )
    assert r.status_code == 302
    tenant.refresh_from_db()
    assert (tenant.wallboard_warn_minutes, tenant.wallboard_alert_minutes) == (4, 8)


def test_the_prepared_queries_match_their_orm_twins(tenant, other_tenant, floor):
    """calls.wallboard's queries, compiled once (console/prepared.py), read what the ORM reads."""
    from calls import wallboard as w
    from calls.models import live_since

    start, end = w._today(tenant, NOW)
    since = live_since(NOW)
    backdated_bulk_create(
        [
            call(
                tenant,
                floor[3],
                timedelta(minutes=2),
                status="failed",
                reason_source="createCall",
                reason_code="8",
            ),  # fmt: skip
            call(
                other_tenant,
                None,
                timedelta(minutes=2),
                status="failed",
                reason_source="createCall",
                reason_code="5",
            ),  # fmt: skip
        ]
    )
    cases = [
        (w._MEMBERS, {"tenant_id": tenant.pk}),
        (w._COUNTED, {"tenant_id": tenant.pk, "start": start, "end": end, "since": since}),
        (w._LIVE, {"tenant_id": tenant.pk, "since": since}),
        (w._FAILURES, {"tenant_id": tenant.pk, "since": NOW - w.FAILURE_WINDOW, "now": NOW}),
    ]
    for prepared, values in cases:
        twin = sorted(map(tuple, prepared.build(**values)), key=repr)
        assert sorted(prepared.rows(**values), key=repr) == twin and twin


def test_a_call_being_placed_and_a_former_managers_calls(client, supervisor, tenant):
    (a,) = managers(tenant, 1)
    gone = make_user("gone")  # no longer a member: counted in the totals, not on the board
    backdated_bulk_create(
        [
            call(tenant, a, timedelta(seconds=3), status="placing"),
            call(
                tenant,
                gone,
                timedelta(minutes=3),
                status="failed",
                reason_source="http",
                reason_code="500",
            ),  # fmt: skip
        ]
    )
    body = page(client, supervisor, tenant)
    assert "Placing the call…" in row_of(body, "Agent0")
    assert body.count('<th scope="row">') == 1 and "gone" not in body.split('id="wb-table"')[1]
    assert "<strong>2</strong> calls today" in body
    assert f'id="wb-last-{a.pk}"' not in body  # a call being placed is not a last result yet
