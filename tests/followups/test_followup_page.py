"""The follow-ups page: groups by the tenant's day (across time zones and midnight), whose list
each role sees, its actions without JavaScript, the navigation's count, the query counts, and
calling from a follow-up (its context on the call form, the call placed linked to it)."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.utils import timezone

from calls.models import Call, FollowUp
from tests.followups.conftest import make_call, make_follow_up

pytestmark = pytest.mark.django_db


def page(client, tenant, query=""):
    r = client.get(f"/t/{tenant.code}/follow-ups/{query}")
    assert r.status_code == 200
    return r.content.decode()


def group(html, name) -> str:
    return re.search(
        rf'<section class="followup-group" id="group-{name}".*?</section>', html, re.S
    )[0]


@pytest.mark.parametrize(
    "tz, now_utc, due_utc, expected",
    [
        # Shanghai (UTC+8): 23:30 local; a follow-up at 23:50 is today, at 00:10 tomorrow.
        ("Asia/Shanghai", "2026-05-04 15:30", "2026-05-04 15:50", "today"),
        ("Asia/Shanghai", "2026-05-04 15:30", "2026-05-04 16:10", "upcoming"),
        ("Asia/Shanghai", "2026-05-04 15:30", "2026-05-04 15:00", "overdue"),
        # The same instants in New York (UTC-4): 11:30; 12:10 is today there.
        ("America/New_York", "2026-05-04 15:30", "2026-05-04 16:10", "today"),
        # Just after midnight in Shanghai: yesterday evening's follow-up is overdue, tonight's
        # 23:00 today.
        ("Asia/Shanghai", "2026-05-04 16:05", "2026-05-05 15:00", "today"),
        ("Asia/Shanghai", "2026-05-04 16:05", "2026-05-04 15:55", "overdue"),
    ],
)
def test_groups_follow_the_tenants_day(client, tenant, manager, tz, now_utc, due_utc, expected):
    tenant.time_zone = tz
    tenant.save()
    utc = ZoneInfo("UTC")
    due = datetime.fromisoformat(due_utc).replace(tzinfo=utc)
    with time_machine.travel(datetime.fromisoformat(now_utc).replace(tzinfo=utc), tick=False):
        make_follow_up(tenant, manager, due_at=due, called="13812345678")
        client.force_login(manager)
        html = page(client, tenant)
    for name in ("overdue", "today", "upcoming"):
        assert ("13812345678" in group(html, name)) == (name == expected), name
    local = due.astimezone(ZoneInfo(tz)).strftime("%Y-%m-%d %H:%M")
    assert local in html  # the absolute time, in the tenant's zone


def test_tomorrows_follow_up_moves_to_today_at_midnight(client, tenant, manager):
    sh = ZoneInfo("Asia/Shanghai")
    with time_machine.travel(datetime(2026, 5, 4, 18, 0, tzinfo=sh), tick=False):
        make_follow_up(tenant, manager, due_at=datetime(2026, 5, 5, 10, 0, tzinfo=sh))
        client.force_login(manager)
        assert "13800000000" in group(page(client, tenant), "upcoming")
    with time_machine.travel(datetime(2026, 5, 5, 0, 1, tzinfo=sh), tick=False):
        html = page(client, tenant)
        assert "13800000000" in group(html, "today")
        assert re.search(r"Follow-ups <span class=\"badge\">1 due</span>", html)


def test_each_role_sees_whose_it_should(client, tenant, manager, manager2, supervisor, admin):
    make_follow_up(tenant, manager, called="13811111111")
    make_follow_up(tenant, manager2, called="13822222222")
    client.force_login(manager)
    html = page(client, tenant)
    assert "13811111111" in html and "13822222222" not in html
    theirs = FollowUp.objects.get(called="13822222222")
    assert client.get(f"/t/{tenant.code}/follow-ups/{theirs.code}/").status_code == 404
    r = client.post(f"/t/{tenant.code}/follow-ups/{theirs.code}/done/")
    assert r.status_code == 404 and FollowUp.objects.get(pk=theirs.pk).status == "open"
    for reader in (supervisor, admin):
        client.force_login(reader)
        html = page(client, tenant)
        assert "13811111111" in html and "13822222222" in html
        html = page(client, tenant, f"?assignee={manager2.pk}")
        assert "13811111111" not in html and "13822222222" in html


def test_schedule_reschedule_cancel_and_done_without_javascript(client, tenant, manager):
    client.force_login(manager)
    t = f"/t/{tenant.code}/follow-ups"
    tomorrow = timezone.localtime(timezone.now(), ZoneInfo(tenant.time_zone)) + timedelta(days=1)
    r = client.post(
        f"{t}/new/",
        {"called": "13800000001", "due_date": tomorrow.date().isoformat(), "due_time": "10:30",
         "note": "send the quote"},
    )  # fmt: skip
    assert r.status_code == 302
    f = FollowUp.objects.get()
    local = f.due_at.astimezone(ZoneInfo(tenant.time_zone))
    assert (local.date(), local.hour, local.minute) == (tomorrow.date(), 10, 30)
    assert "send the quote" in group(page(client, tenant), "upcoming")
    # Refused values come back on the form, named.
    r = client.post(f"{t}/new/", {"called": "1", "due_date": "2030-01-01", "due_time": "10:00"})
    assert r.status_code == 200 and "at least 5 digits" in r.content.decode()
    r = client.post(f"{t}/new/", {"called": "13800000001", "due_date": "2020-01-01",
                                  "due_time": "10:00"})  # fmt: skip
    assert r.status_code == 200 and "That time has passed" in r.content.decode()
    assert FollowUp.objects.count() == 1
    # Reschedule.
    r = client.post(
        f"{t}/{f.code}/",
        {"due_date": tomorrow.date().isoformat(), "due_time": "15:00", "note": "call after 3"},
    )
    assert r.status_code == 302
    f.refresh_from_db()
    assert f.note == "call after 3"
    assert f.due_at.astimezone(ZoneInfo(tenant.time_zone)).hour == 15
    # Cancel needs a reason.
    r = client.post(f"{t}/{f.code}/cancel/", {"reason": ""})
    assert r.status_code == 200 and FollowUp.objects.get(pk=f.pk).status == "open"
    r = client.post(f"{t}/{f.code}/cancel/", {"reason": "wrong person"})
    assert r.status_code == 302
    f.refresh_from_db()
    assert (f.status, f.cancel_reason) == ("cancelled", "wrong person")
    # Done (an htmx click answers the row in place).
    g = make_follow_up(tenant, manager)
    r = client.post(f"{t}/{g.code}/done/", headers={"HX-Request": "true"})
    assert r.status_code == 200 and f'id="fu-{g.code}"' in r.content.decode()
    assert FollowUp.objects.get(pk=g.pk).status == "done"


def test_the_list_costs_a_constant_number_of_queries(
    client, tenant, manager, manager2, supervisor, django_assert_num_queries
):
    call = make_call(tenant, manager)
    for i in range(3):
        for who in (manager, manager2):
            make_follow_up(tenant, who, due_in=timedelta(hours=-1 - i), source_call=call)
            make_follow_up(tenant, who, due_in=timedelta(minutes=1 + i), placed_call=call)
            make_follow_up(tenant, who, due_in=timedelta(days=2 + i))
    client.force_login(manager)
    page(client, tenant)  # warm-up
    # session+user+membership+tenant (one query), the tenant switcher, the live call (the in-call
    # bar), the groups' totals (also the navigation's count: not asked again), three groups
    with django_assert_num_queries(7):
        page(client, tenant)
    for i in range(20):  # more rows: the same queries
        make_follow_up(tenant, manager, due_in=timedelta(hours=-5 - i), source_call=call)
    with django_assert_num_queries(7):
        page(client, tenant)
    client.force_login(supervisor)
    page(client, tenant)
    # session..., the tenant switcher, the managers (the filter), the totals, three groups
    with django_assert_num_queries(7):
        page(client, tenant)


def test_groups_page_on_by_keyset(client, tenant, manager, settings, monkeypatch):
    from calls import followup_selectors

    monkeypatch.setattr(followup_selectors, "GROUP_SIZE", 2)
    for i in range(5):
        make_follow_up(tenant, manager, due_in=timedelta(days=2 + i), called=f"1380000000{i}")
    client.force_login(manager)
    html = group(page(client, tenant), "upcoming")
    assert "13800000000" in html and "13800000001" in html and "13800000002" not in html
    more = re.search(r'href="(\?upcoming_after=[^"]+)"', html)[1]
    html = group(page(client, tenant, more.replace("&amp;", "&")), "upcoming")
    assert "13800000002" in html and "13800000003" in html and "13800000001" not in html


# --- the navigation's count ---------------------------------------------------------------------


def test_the_navigation_counts_overdue_and_due_today(client, tenant, manager, manager2):
    make_follow_up(tenant, manager, due_in=timedelta(hours=-3))  # overdue
    make_follow_up(tenant, manager, due_in=timedelta(minutes=1))  # today (unless at midnight)
    make_follow_up(tenant, manager, due_in=timedelta(days=3))  # upcoming
    make_follow_up(tenant, manager, due_in=timedelta(hours=-1), status="done")
    make_follow_up(tenant, manager2, due_in=timedelta(hours=-1))  # a colleague's
    client.force_login(manager)
    html = client.get(f"/t/{tenant.code}/calls/").content.decode()
    assert re.search(r"Follow-ups <span class=\"badge\">2 due</span>", html)


# --- calling from a follow-up --------------------------------------------------------------------


def test_one_click_calls_with_the_follow_ups_context(client, tenant, manager, supervisor, simctl):
    source = make_call(tenant, manager, outcome_code="0", state=3)
    Call.objects.filter(pk=source.pk).update(created_at=timezone.now() - timedelta(days=1))
    f = make_follow_up(tenant, manager, note="wants the blue one", source_call=source)
    f.created_by = supervisor
    f.save()
    client.force_login(manager)
    html = page(client, tenant)
    link = re.search(r'href="([^"]*follow_up=[^"]+)"', html)[1].replace("&amp;", "&")
    call_page = client.get(link).content.decode()
    assert 'value="13800000000"' in call_page
    assert f'name="follow_up" value="{f.code}"' in call_page
    assert "wants the blue one" in call_page and "Sam" in call_page  # the note, who scheduled it
    assert str(source.outcome().title) in call_page  # how the call it follows ended
    r = client.post(
        f"/t/{tenant.code}/call/",
        {"called": "13800000000", "follow_up": str(f.code), "idempotency_key": "from-follow-up"},
    )
    assert r.status_code == 302
    call = Call.objects.get(idempotency_key="from-follow-up")
    f.refresh_from_db()
    assert f.placed_call == call and f.status == "open"  # its wrap-up completes it


def test_a_follow_up_code_not_the_managers_is_refused(client, tenant, manager, manager2, simctl):
    theirs = make_follow_up(tenant, manager2)
    client.force_login(manager)
    r = client.get(f"/t/{tenant.code}/call/?called=13800000000&follow_up={theirs.code}")
    assert 'name="follow_up" value="' not in r.content.decode().replace('value=""', "")
    r = client.post(
        f"/t/{tenant.code}/call/",
        {"called": "13800000000", "follow_up": str(theirs.code), "idempotency_key": "foreign-1"},
    )
    assert r.status_code == 200 and "no longer open for you" in r.content.decode()
    assert not Call.objects.exists()
    assert FollowUp.objects.get(pk=theirs.pk).placed_call is None
