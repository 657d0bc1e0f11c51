"""One call's page: what was sent, AICC's answer decoded, the outcome, refresh, recording."""

import time

import pytest

from calls.models import Call
from calls.services import placing

pytestmark = pytest.mark.django_db


def place(membership, called="13800000000"):
    mapping = membership.tenant.softphones.get(user=membership.user)
    placed = placing.call_place(
        membership=membership,
        mapping=mapping,
        called=called,
        call_data="order 42",
        idempotency_key=f"k-{called}-{time.monotonic()}",
    )
    return placed.call


def ended(call):
    """Wait until the simulator has ended the call (time_scale 0.01: well under a second)."""
    time.sleep(0.3)
    return call


def url(call, tail=""):
    return f"/t/{call.tenant.code}/calls/{call.code}/{tail}"


def test_it_works(client, supervisor, manager_membership, simctl):
    call = place(manager_membership)
    client.force_login(supervisor)
    r = client.get(url(call))
    body = r.content.decode()
    assert r.status_code == 200
    assert call.serial in body and "10001" in body and "13800000000" in body
    assert "order 42" in body  # supervisors see the call data


def test_the_caller_sees_their_call_and_can_call_again(client, manager, manager_membership, simctl):
    call = place(manager_membership)
    client.force_login(manager)
    body = client.get(url(call)).content.decode()
    assert "order 42" in body
    assert f"/t/{call.tenant.code}/call/?called=13800000000" in body


def test_another_manager_gets_404(client, manager_membership, tenant, simctl):
    from django.contrib.auth.models import User

    from console.models import Membership

    call = place(manager_membership)
    dan = User.objects.create_user("dan")
    Membership.objects.create(tenant=tenant, user=dan, role=Membership.Role.MANAGER)
    client.force_login(dan)
    assert client.get(url(call)).status_code == 404


def test_outsider_gets_404(client, outsider, manager_membership, simctl):
    call = place(manager_membership)
    client.force_login(outsider)
    assert client.get(url(call)).status_code == 404


def test_a_failure_is_decoded_with_its_next_step_and_fixer(
    client, supervisor, manager_membership, simctl
):
    from django.utils.html import escape

    from calls.aicc.reasons import decode

    simctl.scenario(called="13800000009", retCode="8")
    call = place(manager_membership, called="13800000009")
    assert call.status == "failed"
    client.force_login(supervisor)
    body = client.get(url(call)).content.decode()
    reason = decode("createCall", "8", reader="others")  # a supervisor reads the third person
    assert escape(str(reason.title)) in body and escape(str(reason.next_step)) in body
    assert escape(str(reason.who)) in body and "createCall 8" in body
    assert "Your phone number" not in body and "A console admin" in body
    assert escape(call.ret_msg) in body


def test_refresh_stores_the_outcome_from_the_call_record(
    client, supervisor, manager_membership, simctl
):
    call = ended(place(manager_membership))
    client.force_login(supervisor)
    r = client.post(url(call, "refresh/"), headers={"HX-Request": "true"})
    body = r.content.decode()
    assert r.status_code == 200 and "<html" not in body and 'id="outcome"' in body
    call.refresh_from_db()
    assert call.outcome_source == "cdr" and call.outcome_code == "0" and call.state == 3
    assert call.talk_seconds is not None and call.talking_at is not None
    assert "The customer hung up" in body


def test_refresh_without_javascript_redirects_to_the_call(
    client, supervisor, manager_membership, simctl
):
    call = place(manager_membership)
    client.force_login(supervisor)
    r = client.post(url(call, "refresh/"))
    assert r.status_code == 302 and r["Location"] == url(call)


def test_refresh_rejects_get(client, supervisor, manager_membership, simctl):
    call = place(manager_membership)
    client.force_login(supervisor)
    assert client.get(url(call, "refresh/")).status_code == 405


def test_refresh_shows_a_failed_query_decoded(client, supervisor, manager_membership, simctl):
    call = ended(place(manager_membership))
    simctl.scenario(interface="queryCallDetailRecord", retCode="2")
    client.force_login(supervisor)
    body = client.post(url(call, "refresh/"), headers={"HX-Request": "true"}).content.decode()
    call.refresh_from_db()
    assert call.outcome_source != "cdr" and 'role="alert"' in body


def test_recording_download_streams_the_file(client, supervisor, manager_membership, simctl):
    call = ended(place(manager_membership))
    client.force_login(supervisor)
    r = client.get(url(call, "recording/") + "?download=1")
    assert r.status_code == 200 and "attachment" in r["Content-Disposition"]
    assert b"".join(r.streaming_content).startswith(b"RIFF")


def test_no_recording_is_decoded(client, supervisor, manager_membership, simctl):
    simctl.scenario(called="13800000005", outcome="customer_no_answer")
    call = ended(place(manager_membership, called="13800000005"))
    client.force_login(supervisor)
    r = client.get(url(call, "recording/"))
    assert r.status_code == 404 and "getRecordingAddress 5" in r.content.decode()


def test_managers_cannot_fetch_recordings(client, manager, manager_membership, simctl):
    call = place(manager_membership)
    client.force_login(manager)
    assert client.get(url(call, "recording/")).status_code == 403


def test_query_count(client, supervisor, manager_membership, simctl, django_assert_num_queries):
    call = place(manager_membership)
    client.force_login(supervisor)
    client.get(url(call))  # warm-up
    # session+user+membership+tenant (one query), the call (+ user), the tenant switcher's memberships
    with django_assert_num_queries(3):
        client.get(url(call))


def test_a_recording_download_that_cannot_be_reached_is_explained(
    client, supervisor, tenant, manager
):
    from unittest.mock import patch

    from calls.aicc.results import Outcome, RecordingUrl

    call = Call.objects.create(
        tenant=tenant,
        user=manager,
        softphone="10001",
        called="13800000000",
        idempotency_key="rec-1",
        status="placed",
        serial="123456789",
    )
    got = Outcome(
        interface="getRecordingAddress",
        kind="ok",
        result=RecordingUrl(url="http://127.0.0.1:9/r.wav"),
    )
    client.force_login(supervisor)
    with patch("calls.aicc.client.AiccClient.get_recording_url", autospec=True, return_value=got):
        r = client.get(f"/t/{tenant.code}/calls/{call.code}/recording/?download=1")
    assert r.status_code == 502
    assert "refused the connection" in r.content.decode()  # transport:refused, decoded
