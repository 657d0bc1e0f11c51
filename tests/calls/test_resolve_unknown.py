"""A call whose answer was lost ("outcome unknown") is resolved from AICC's call records."""

import time
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from calls.aicc.results import CallRecord
from calls.models import Call
from calls.services import placing
from calls.services.outcomes import call_refresh_outcome, resolve_unknown

pytestmark = pytest.mark.django_db


def place_with_lost_answer(m, simctl, settings, called):
    """The simulator sleeps past our read timeout, then places the call anyway."""
    settings.AICC_READ_TIMEOUT = 0.3
    simctl.scenario(called=called, latency_ms=800)
    call = placing.call_place(
        membership=m,
        mapping=m.active_mapping,
        called=called,
        idempotency_key=f"lost-{called}",
    ).call
    assert (call.status, call.reason_code, call.serial) == ("unknown", "timeout", "")
    time.sleep(1.2)  # the simulator wakes, places it, and (time_scale 0.01) the call ends
    return call


def test_sync_finds_a_lost_call_and_marks_it_placed(manager_membership, simctl, settings):
    call = place_with_lost_answer(manager_membership, simctl, settings, "13800000041")
    sim_serial = next(
        c["serial"] for c in simctl.get("calls") if c["body"]["called"] == "13800000041"
    )
    call_command("sync_outcomes", stdout=open("/dev/null", "w"))
    call.refresh_from_db()
    assert call.status == "placed" and call.serial == sim_serial
    assert call.outcome_source == "cdr" and call.outcome_code == "0" and call.reason_source == ""
    assert "Placed after all" in call.detail


def test_refresh_on_the_detail_page_resolves_it_too(manager_membership, simctl, settings):
    call = place_with_lost_answer(manager_membership, simctl, settings, "13800000042")
    assert call_refresh_outcome(call) is None
    call.refresh_from_db()
    assert call.status == "placed" and call.serial and call.outcome_code == "0"


def record(serial, called, start, caller="10001"):
    return CallRecord(
        serial=serial,
        caller=caller,
        called=called,
        state=3,
        reason_code=0,
        call_data="",
        caller_present="",
        agent_present="",
        start_time=start,
        end_time=start,
        alerting_time=None,
        talking_time=None,
        release_time=None,
        talk_duration=None,
        agent_alerting_time=None,
        agent_talking_time=None,
        agent_release_time=None,
        agent_talk_duration=None,
    )


def unknown_call(m, called, key):
    return Call.objects.create(
        tenant=m.tenant,
        user=m.user,
        softphone="10001",
        caller="",
        called=called,
        idempotency_key=key,
        status="unknown",
        reason_source="transport",
        reason_code="timeout",
    )


def test_an_ambiguous_match_is_left_unknown(manager_membership):
    call = unknown_call(manager_membership, "13800000043", "amb-1")
    now = timezone.now()
    records = [
        record("111", "13800000043", now),
        record("222", "13800000043", now + timedelta(seconds=5)),
    ]
    assert resolve_unknown(manager_membership.tenant, records) == 0
    call.refresh_from_db()
    assert call.status == "unknown" and call.serial == ""


def test_other_numbers_or_times_do_not_match(manager_membership):
    call = unknown_call(manager_membership, "13800000044", "oth-1")
    now = timezone.now()
    records = [
        record("333", "13800000045", now),  # another customer
        record("444", "13800000044", now, caller="10002"),  # another agent
        record("555", "13800000044", now + timedelta(minutes=20)),  # much later
    ]
    assert resolve_unknown(manager_membership.tenant, records) == 0
    call.refresh_from_db()
    assert call.status == "unknown"


def test_a_record_already_owned_by_a_call_is_not_reused(manager_membership):
    owner = unknown_call(manager_membership, "13800000046", "own-1")
    Call.objects.filter(pk=owner.pk).update(status="placed", serial="666")
    call = unknown_call(manager_membership, "13800000046", "own-2")
    assert (
        resolve_unknown(manager_membership.tenant, [record("666", "13800000046", timezone.now())])
        == 0
    )
    call.refresh_from_db()
    assert call.status == "unknown"


def test_the_result_panel_checks_whether_a_lost_call_was_placed(
    client, manager, manager_membership, simctl, settings
):
    call = place_with_lost_answer(manager_membership, simctl, settings, "13800000047")
    client.force_login(manager)
    page = client.get(f"/t/{call.tenant.code}/call/?last={call.code}").content.decode()
    assert "Check whether it was placed" in page
    r = client.post(
        f"/t/{call.tenant.code}/calls/{call.code}/refresh/",
        {"panel": "1"},
        headers={"HX-Request": "true"},
    )
    call.refresh_from_db()
    assert call.status == "placed" and call.serial in r.content.decode()
    # Placed after all, and over by now: the card says how it ended.
    body = r.content.decode()
    assert 'data-kind="answered"' in body and "Answered, talked for" in body and "<html" not in body


def test_the_result_panel_says_when_aicc_has_no_record_yet(client, manager, manager_membership):
    call = unknown_call(manager_membership, "13800000048", "none-1")
    client.force_login(manager)
    r = client.post(
        f"/t/{call.tenant.code}/calls/{call.code}/refresh/",
        {"panel": "1"},
        headers={"HX-Request": "true"},
    )
    assert "show no such call yet" in r.content.decode()
    call.refresh_from_db()
    assert call.status == "unknown"
