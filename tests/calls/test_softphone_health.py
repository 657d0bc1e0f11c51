"""Softphone health (issue 20, section 2): the rules, the stored streak and its transitions, the
exactly-once webhook events, the admins' banner and the health board."""

import itertools
import json
from datetime import timedelta
from unittest.mock import patch
from uuid import uuid4

import pytest
from django.core.cache import cache
from django.utils import timezone

from calls.aicc.results import CallState, Outcome
from calls.models import Call
from calls.services import health
from calls.services.outcomes import OutcomeData, outcome_apply
from calls.services.placing import call_refresh_state
from calls.softphone_health import (
    ANSWERED,
    NEUTRAL,
    NOT_REACHED,
    REFUSED,
    UNANSWERED,
    UNHEALTHY_AFTER,
    agent_leg,
    leg_q,
)
from console.models import SoftphoneMapping
from console.services.softphones import mapping_change, mapping_toggle
from hooks import services as hook_services
from hooks.models import Delivery, Endpoint

S = Call.Status


def make_call(tenant, user, *, softphone="10001", ago=timedelta(minutes=1), **fields):
    call = Call.objects.create(
        tenant=tenant,
        user=user,
        softphone=softphone,
        called="13800000000",
        idempotency_key=uuid4().hex,
        status=fields.pop("status", S.PLACED),
        serial=fields.pop("serial", uuid4().hex[:20]),
        **fields,
    )
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - ago)
    call.refresh_from_db()
    return call


def end(tenant, call, code, *, rang=False, talked=False):
    """Store `call`'s outcome as a call record would (outcome_apply: exactly once)."""
    at = call.created_at + timedelta(seconds=5)
    data = OutcomeData(
        code=code,
        agent_alerting_at=at if rang or talked else None,
        agent_talking_at=at if talked else None,
    )
    return outcome_apply(tenant=tenant, serial=call.serial, source="cdr", data=data)


def mapping(tenant):
    return SoftphoneMapping.objects.get(tenant=tenant, softphone="10001")


# --- the rules: what a call says about its softphone ------------------------------------------


CASES = [
    # (call fields, expected)
    ({"status": S.FAILED, "reason_source": "createCall", "reason_code": "8"}, REFUSED),
    ({"status": S.FAILED, "reason_source": "createCall", "reason_code": "16"}, REFUSED),
    ({"status": S.FAILED, "reason_source": "createCall", "reason_code": "5"}, NEUTRAL),
    ({"status": S.FAILED, "reason_source": "transport", "reason_code": "timeout"}, NEUTRAL),
    ({"status": S.UNKNOWN, "reason_source": "transport", "reason_code": "read_timeout"}, NEUTRAL),
    ({"outcome_code": ""}, NEUTRAL),  # placed, still live
    ({"outcome_code": "2", "outcome_source": "cdr"}, NOT_REACHED),
    ({"outcome_code": "2", "outcome_source": "poll"}, NOT_REACHED),
    ({"outcome_code": "4", "outcome_source": "cdr", "rang": True}, UNANSWERED),
    ({"outcome_code": "4", "outcome_source": "poll"}, UNANSWERED),
    ({"outcome_code": "0", "outcome_source": "cdr", "talked": True}, ANSWERED),
    ({"outcome_code": "3", "outcome_source": "cdr", "talked": True}, ANSWERED),
    ({"outcome_code": "5", "outcome_source": "poll"}, ANSWERED),
    ({"outcome_code": "1", "outcome_source": "cdr", "talked": True}, ANSWERED),
    ({"outcome_code": "1", "outcome_source": "cdr", "rang": True}, UNANSWERED),  # rejected
    ({"outcome_code": "1", "outcome_source": "poll"}, NEUTRAL),  # no times: cannot tell
    ({"outcome_code": "6", "outcome_source": "cdr"}, NEUTRAL),  # the provider's
    ({"outcome_code": "77", "outcome_source": "cdr"}, NEUTRAL),
    ({"call_type": "ITA", "outcome_code": "16", "outcome_source": "cdr", "talked": True}, ANSWERED),
    (
        {"call_type": "ITA", "outcome_code": "19", "outcome_source": "push", "rang": True},
        UNANSWERED,
    ),
    ({"call_type": "ITA", "outcome_code": "41", "outcome_source": "cdr"}, NOT_REACHED),
    ({"call_type": "ITA", "outcome_code": "41", "outcome_source": "poll"}, NEUTRAL),
]


@pytest.mark.parametrize("fields, expected", CASES)
def test_what_a_call_says_about_its_softphone_in_python_and_in_sql(
    tenant, manager, fields, expected
):
    fields = dict(fields)
    rang, talked = fields.pop("rang", False), fields.pop("talked", False)
    at = timezone.now()
    if rang or talked:
        fields["agent_alerting_at"] = at
    if talked:
        fields["agent_talking_at"] = at
    call = make_call(tenant, manager, **fields)
    assert agent_leg(call) == expected
    for kind in (ANSWERED, UNANSWERED, NOT_REACHED, REFUSED):  # the page counts with leg_q
        matched = Call.objects.filter(leg_q(kind), pk=call.pk).exists()
        assert matched == (kind == expected), kind


def poll_then_record(tenant, call, poll_code, record_code, **times):
    """queryCallState says the call ended (provisional, no times), then its record arrives."""
    Call.objects.filter(pk=call.pk).update(state=2)
    call.refresh_from_db()
    health_before = SoftphoneMapping.objects.filter(pk=mapping(tenant).pk).values().get()
    with patch("calls.aicc.client.AiccClient.query_call_state") as ask:
        ask.return_value = Outcome(
            interface="queryCallState",
            kind="ok",
            result=CallState(3, int(poll_code), "", "", "", "", "", None, None),
        )
        call_refresh_state(call)
    assert call.outcome_source == "poll" and call.outcome_code == poll_code
    assert SoftphoneMapping.objects.filter(pk=health_before["id"]).values().get() == health_before
    assert end(tenant, call, record_code, **times)


def test_a_polled_outcome_is_not_counted_its_record_is_once(tenant, manager):
    """queryCallState's provisional outcome carries no times: the softphone's health waits for
    the call's record, which counts the call once (a second delivery changes nothing)."""
    call = make_call(tenant, manager)
    poll_then_record(tenant, call, "2", "2")
    assert mapping(tenant).health_not_reached == 1
    assert not end(tenant, call, "2")  # the same record again
    assert mapping(tenant).health_not_reached == 1
    poll_then_record(tenant, make_call(tenant, manager), "1", "1", rang=True)
    assert (mapping(tenant).health_not_reached, mapping(tenant).health_unanswered) == (1, 1)
    poll_then_record(tenant, make_call(tenant, manager), "0", "0", talked=True)
    m = mapping(tenant)
    assert m.health_not_reached == m.health_unanswered == 0 and m.health_last_ok_at


# --- the streak, the transitions and the webhook events ------------------------------------


@pytest.fixture
def wants_health(tenant, admin):
    Endpoint.objects.create(
        tenant=tenant,
        url="https://hooks.example.com/x",
        events=["softphone.unhealthy", "softphone.healthy"],
        secret="whsec_x",
    )
    hook_services.refresh_tenant_events(tenant)
    tenant.refresh_from_db()


def events_of(kind):
    return [json.loads(d.body) for d in Delivery.objects.filter(event_type=kind).order_by("id")]


def test_it_turns_unhealthy_at_the_threshold_once_and_healthy_on_one_answered_call(
    tenant, manager, wants_health
):
    assert UNHEALTHY_AFTER == 3
    for i in range(UNHEALTHY_AFTER - 1):  # below the threshold: to watch, no event
        assert end(tenant, make_call(tenant, manager, ago=timedelta(minutes=10 - i)), "2")
    m = mapping(tenant)
    assert (m.health_not_reached, m.health_unhealthy) == (2, False)
    assert not events_of("softphone.unhealthy")
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 0

    third = make_call(tenant, manager, ago=timedelta(minutes=5))
    assert end(tenant, third, "2")
    m = mapping(tenant)
    assert m.health_unhealthy and m.health_not_reached == 3 and m.health_changed_at
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 1
    [event] = events_of("softphone.unhealthy")
    phone = event["data"]["softphone"]
    assert event["data"]["call_id"] == str(third.code)
    assert phone["number"] == "10001" and phone["manager"] == "bob"
    assert phone["state"] == "unhealthy" and phone["not_reached"] == 3
    assert "3 of the last 3 calls never reached this softphone" in phone["verdict"]

    # More failures: still unhealthy, no second event.
    for i in range(3):
        assert end(tenant, make_call(tenant, manager, ago=timedelta(minutes=4 - i)), "4", rang=True)
    m = mapping(tenant)
    assert (m.health_not_reached, m.health_unanswered) == (3, 3)
    assert len(events_of("softphone.unhealthy")) == 1

    # The same outcome delivered again (push after the record) counts nothing.
    assert not end(tenant, third, "2")
    assert mapping(tenant).health_not_reached == 3

    # A neutral call (the customer's leg... no: the provider's) changes nothing.
    assert end(tenant, make_call(tenant, manager), "6")
    assert mapping(tenant).health_unhealthy

    # One answered call: healthy again, once.
    ok = make_call(tenant, manager)
    assert end(tenant, ok, "0", talked=True)
    m = mapping(tenant)
    assert not m.health_unhealthy and m.health_not_reached == m.health_unanswered == 0
    assert m.health_since is None and m.health_last_ok_at == ok.created_at
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 0
    [healthy] = events_of("softphone.healthy")
    assert healthy["data"]["softphone"]["state"] == "healthy"
    assert end(tenant, make_call(tenant, manager), "0", talked=True)
    assert len(events_of("softphone.healthy")) == 1


def test_an_answered_call_in_between_breaks_the_streak(tenant, manager):
    for code in ("2", "2", "0", "2", "2"):
        assert end(tenant, make_call(tenant, manager), code, talked=code == "0")
    m = mapping(tenant)
    assert (m.health_not_reached, m.health_unhealthy) == (2, False)


def test_a_transition_is_written_once_when_two_processes_race(tenant, manager, wants_health):
    """Two processes counting the third failure at once: the conditional UPDATE lets one see the
    change; the other (which finds the row already unhealthy) writes no event."""
    calls = [make_call(tenant, manager) for _ in range(4)]
    for c in calls[:3]:
        Call.objects.filter(pk=c.pk).update(outcome_code="2", state=3, outcome_source="cdr")
    for c in calls[:3]:
        c.refresh_from_db()
        health.record(tenant, c)
    Call.objects.filter(pk=calls[3].pk).update(outcome_code="2", state=3, outcome_source="cdr")
    calls[3].refresh_from_db()
    health.record(tenant, calls[3])  # the "second process": past the threshold already
    assert len(events_of("softphone.unhealthy")) == 1


def test_createcall_refusing_the_number_counts_against_the_softphone(
    tenant, wants_health, manager_membership, simctl
):
    from calls.services.placing import call_place

    simctl.scenario(interface="createCall", retCode="8")
    for i in range(UNHEALTHY_AFTER):
        placed = call_place(
            membership=manager_membership,
            mapping=manager_membership.active_mapping,
            called=f"1380000000{i}",
            idempotency_key=f"key-0000000{i}",
            replace_live=True,
        )
        call = placed.call
        assert call.status == S.FAILED and call.reason_code == "8"
    m = mapping(manager_membership.tenant)
    assert m.health_refused == UNHEALTHY_AFTER and m.health_unhealthy
    [event] = events_of("softphone.unhealthy")
    assert "AICC refused 3 of the last 3 calls" in event["data"]["softphone"]["verdict"]


def test_no_event_is_written_when_no_endpoint_wants_it(tenant, manager):
    for _ in range(UNHEALTHY_AFTER):
        end(tenant, make_call(tenant, manager), "2")
    assert mapping(tenant).health_unhealthy
    assert not Delivery.objects.exists()


def test_changing_the_number_starts_afresh_and_disabling_leaves_the_banner(tenant, manager, admin):
    for _ in range(UNHEALTHY_AFTER):
        end(tenant, make_call(tenant, manager), "2")
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 1
    m = SoftphoneMapping.objects.select_related("tenant", "user").get(softphone="10001")
    mapping_toggle(mapping=m, actor=admin)
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 0  # disabled: not counted
    mapping_toggle(mapping=m, actor=admin)
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 1
    data = {"user": m.user, "softphone": "10002", "calling_number": m.calling_number}
    assert "softphone" in mapping_change(mapping=m, data=data, actor=admin)
    m.refresh_from_db()
    assert not m.health_unhealthy and m.health_not_reached == 0
    tenant.refresh_from_db()
    assert tenant.unhealthy_softphones == 0


# --- the banner ---------------------------------------------------------------------------------


def login(client, user):
    client.force_login(user)


def test_the_banner_shows_on_admin_pages_only(client, tenant, manager, admin, supervisor):
    url = f"/t/{tenant.code}/softphones/"
    login(client, admin)
    assert "health-banner" not in client.get(url).content.decode()
    for _ in range(UNHEALTHY_AFTER):
        end(tenant, make_call(tenant, manager), "2")
    page = client.get(f"/t/{tenant.code}/people/").content.decode()
    assert "health-banner" in page and "1 softphone is unhealthy" in page
    assert f"/t/{tenant.code}/softphones/health/" in page
    client.logout()
    login(client, supervisor)
    assert "health-banner" not in client.get(url).content.decode()
    client.logout()
    login(client, manager)
    assert "health-banner" not in client.get(f"/t/{tenant.code}/calls/").content.decode()


def test_the_banner_costs_no_query(client, tenant, manager, admin, django_assert_num_queries):
    """The same admin page, with and without an unhealthy softphone: the same queries."""
    login(client, admin)
    url = f"/t/{tenant.code}/softphones/"
    client.get(url)  # warm (session, prepared statements)
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as before:
        client.get(url)
    for _ in range(UNHEALTHY_AFTER):
        end(tenant, make_call(tenant, manager), "2")
    with django_assert_num_queries(len(before.captured_queries)):
        page = client.get(url).content.decode()
    assert "health-banner" in page


# --- the health board -----------------------------------------------------------------------


def test_only_admins_open_the_board(client, tenant, manager, supervisor, outsider):
    url = f"/t/{tenant.code}/softphones/health/"
    for user, status in ((manager, 403), (supervisor, 403), (outsider, 404)):
        login(client, user)
        assert client.get(url).status_code == status, user
        client.logout()


def test_the_board_counts_the_last_hour_and_day_and_gives_the_verdict(
    client, tenant, manager, admin, simctl
):
    cache.clear()
    login(client, admin)
    end(tenant, make_call(tenant, manager, ago=timedelta(minutes=300)), "0", talked=True)
    for minutes in (200, 30, 20, 10):
        end(tenant, make_call(tenant, manager, ago=timedelta(minutes=minutes)), "2")
    make_call(tenant, manager, ago=timedelta(days=2))  # older than a day: not counted
    refused = make_call(
        tenant,
        manager,
        ago=timedelta(minutes=5),
        status=S.FAILED,
        reason_source="createCall",
        reason_code="8",
        serial="",
    )
    health.after_refusal(tenant, refused)
    r = client.get(f"/t/{tenant.code}/softphones/health/")
    assert r.status_code == 200
    page = r.content.decode()
    row = page[page.index('id="health-10001"') :]
    row = row[: row.index("</tr>")]
    assert 'data-state="unhealthy"' in row
    assert "5 of the last 5 calls did not get through to this softphone" in row
    assert "4 never reached it, 0 rang unanswered, 1 refused by AICC" in row
    hour = row[row.index('data-label="Last hour"') : row.index('data-label="Last day"')]
    day = row[row.index('data-label="Last day"') : row.index('data-label="In AICC"')]
    assert "4 calls" in hour and "3 never reached it" in hour and "1 refused by AICC" in hour
    assert "6 calls" in day and "4 never reached it" in day
    assert "registered" in row  # the simulator allocates 10001 (queryPhone)
    assert "1 softphone is unhealthy." in page


def test_the_board_says_released_and_paused_from_queryphone(client, tenant, manager, admin):
    cache.clear()
    other = make_user_with_softphone(tenant, "dan", "99999")
    login(client, admin)
    page = client.get(f"/t/{tenant.code}/softphones/health/").content.decode()
    row = page[page.index('id="health-99999"') :]
    assert "not allocated (released)" in row[: row.index("</tr>")]
    assert other


def make_user_with_softphone(tenant, username, number):
    from console.models import Membership
    from tests.conftest import make_user

    u = make_user(username)
    Membership.objects.create(tenant=tenant, user=u, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=u, softphone=number)
    return u


def test_the_board_works_when_aicc_is_unreachable_and_caches_briefly(
    client, tenant, manager, admin, simctl
):
    cache.clear()
    login(client, admin)
    simctl.scenario(interface="queryPhone", retCode="1", times=1)
    page = client.get(f"/t/{tenant.code}/softphones/health/").content.decode()
    assert (
        "AICC&#x27;s allocation could not be read" in page or "allocation could not be read" in page
    )
    assert "queryPhone 1" in page
    assert 'id="health-10001"' in page and "not known now" in page
    # Within the failure's cache time the board does not ask AICC again; "Ask AICC again" does.
    page = client.get(f"/t/{tenant.code}/softphones/health/").content.decode()
    assert "queryPhone 1" in page
    page = client.get(f"/t/{tenant.code}/softphones/health/?aicc=fresh").content.decode()
    assert "queryPhone 1" not in page and "registered" in page
    # Nothing configured: still a page.
    tenant.app_key = ""
    tenant.save()
    cache.clear()
    r = client.get(f"/t/{tenant.code}/softphones/health/")
    assert r.status_code == 200 and 'id="health-10001"' in r.content.decode()


def test_the_board_refreshes_as_a_fragment(client, tenant, manager, admin):
    cache.clear()
    login(client, admin)
    r = client.get(f"/t/{tenant.code}/softphones/health/", headers={"HX-Request": "true"})
    body = r.content.decode()
    assert body.lstrip().startswith('<div id="health-board"') and "<html" not in body


@pytest.mark.parametrize("n", [1, 20])
def test_the_board_reads_in_a_constant_number_of_queries(
    client, tenant, admin, n, django_assert_num_queries
):
    cache.clear()
    for i in range(n):
        u = make_user_with_softphone(tenant, f"m{i}", f"2{i:04d}")
        for code, when in itertools.product(("2", "0"), (5, 120)):
            end(
                tenant,
                make_call(tenant, u, softphone=f"2{i:04d}", ago=timedelta(minutes=when)),
                code,
            )
    login(client, admin)
    url = f"/t/{tenant.code}/softphones/health/"
    client.get(url)  # the allocation is now cached
    # the membership with its tenant (middleware), the header's tenants, the mappings, the counts
    with django_assert_num_queries(4):
        assert client.get(url).status_code == 200
