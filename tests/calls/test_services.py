"""Placing calls: records are never lost, whatever fails, and concurrent use stays exact."""

import logging
import threading
from datetime import timedelta
from unittest.mock import patch

import pytest
from django.contrib.auth.models import User
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from calls.models import Call
from calls.services import placing
from console.models import Membership, SoftphoneMapping

pytestmark = pytest.mark.django_db


def place(m, called="13800000000", key="key-00000001", **kw):
    # These tests place calls back to back, as a manager who stops following each call to place
    # the next one; one live call per manager is tested in tests/calls/test_following.py.
    kw.setdefault("replace_live", True)
    mapping = m.active_mapping
    return placing.call_place(
        membership=m, mapping=mapping, called=called, idempotency_key=key, **kw
    )


def test_a_crash_between_commit_and_answer_leaves_a_record_that_sweep_resolves(manager_membership):
    class Died(BaseException):
        """Stands for the process being killed while the request is in flight."""

    with (
        patch("calls.aicc.client.AiccClient.create_call", autospec=True, side_effect=Died),
        pytest.raises(Died),
    ):
        place(manager_membership)
    call = Call.objects.get()
    assert call.status == "placing" and call.called == "13800000000" and call.softphone == "10001"

    assert placing.sweep_calls() == 0  # too fresh to call stuck
    Call.objects.filter(pk=call.pk).update(created_at=timezone.now() - timedelta(minutes=10))
    call_command("sweep_calls")
    call.refresh_from_db()
    assert (
        call.status == "unknown"
        and call.reason_source == "transport"
        and call.reason_code == "interrupted"
    )
    assert call.reason().known
    assert placing.sweep_calls(older_than=timedelta(0)) == 0  # idempotent


def test_sweep_leaves_answered_calls_alone(manager_membership, simctl):
    placed = place(manager_membership).call
    Call.objects.filter(pk=placed.pk).update(created_at=timezone.now() - timedelta(hours=1))
    assert placing.sweep_calls() == 0
    placed.refresh_from_db()
    assert placed.status == "placed"


def test_missing_credentials_fail_locally_with_a_reason(manager_membership, simctl):
    tenant = manager_membership.tenant
    tenant.app_secret = ""
    tenant.save()
    call = place(manager_membership).call
    assert (call.status, call.reason_source, call.reason_code) == ("failed", "transport", "config")
    assert simctl.get("stats")["create_calls"] == 0


def test_refused_connection_is_a_failure_not_an_unknown(manager_membership):
    tenant = manager_membership.tenant
    tenant.aicc_base_url = "http://127.0.0.1:9"  # nothing listens on the discard port
    tenant.save()
    call = place(manager_membership).call
    assert call.status == "failed" and call.reason_code in ("refused", "token")


def test_trial_tenant_refuses_locally_after_ten_calls(manager_membership, simctl):
    tenant = manager_membership.tenant
    tenant.is_trial = True
    tenant.save()
    for i in range(10):
        call = place(manager_membership, called=f"1380000{i:04d}", key=f"trial-key-{i:04d}").call
        assert call.status == "placed"
    eleventh = place(manager_membership, called="13899999999", key="trial-key-9999").call
    assert (eleventh.status, eleventh.reason_source, eleventh.reason_code) == (
        "failed",
        "createCall",
        "21",
    )
    assert "Refused by the console" in eleventh.detail
    assert simctl.get("stats")["create_calls"] == 10


def test_trial_trustlist_is_checked_when_recorded(manager_membership, simctl):
    tenant = manager_membership.tenant
    tenant.is_trial = True
    tenant.trial_trustlist = "13900000009"
    tenant.save()
    call = place(manager_membership).call
    assert (call.status, call.reason_code) == ("failed", "16")
    assert simctl.get("stats")["create_calls"] == 0


def test_token_is_fetched_once_and_shared_through_the_database(manager_membership, simctl):
    from calls import tokens

    before = simctl.get("stats")["token_fetches"].get("acme-key", 0)
    place(manager_membership, called="13800000001", key="tok-key-0001")
    tokens.clear_memo()  # as if another process: only the database remains
    place(manager_membership, called="13800000002", key="tok-key-0002")
    assert simctl.get("stats")["token_fetches"]["acme-key"] - before == 1
    row = manager_membership.tenant.aicc_token
    assert row.fetch_count == 1
    with connection.cursor() as cur:
        cur.execute("SELECT token FROM calls_aicctoken WHERE id = %s", [row.id])
        stored = cur.fetchone()[0]
    assert stored and row.token not in stored  # encrypted at rest


def test_an_expired_token_is_refreshed_once_and_the_call_goes_through(manager_membership, simctl):
    place(manager_membership, called="13800000001", key="exp-key-0001")
    fetches = simctl.get("stats")["token_fetches"]["acme-key"]
    simctl.post("expire_tokens")
    call = place(manager_membership, called="13800000002", key="exp-key-0002").call
    assert call.status == "placed"
    assert simctl.get("stats")["token_fetches"]["acme-key"] == fetches + 1


def test_changed_credentials_make_the_stored_token_stale(manager_membership, simctl):
    place(manager_membership, called="13800000001", key="chg-key-0001")
    fetches = simctl.get("stats")["token_fetches"]["acme-key"]
    tenant = manager_membership.tenant
    tenant.token_lifetime = 900
    tenant.save()
    place(manager_membership, called="13800000002", key="chg-key-0002")
    assert simctl.get("stats")["token_fetches"]["acme-key"] == fetches + 1


@pytest.mark.django_db(transaction=True)
def test_200_parallel_submissions_from_20_managers(tenant, simctl):
    managers = []
    for i in range(20):
        u = User.objects.create_user(f"m{i:02d}")
        Membership.objects.create(tenant=tenant, user=u, role="manager")
        SoftphoneMapping.objects.create(
            tenant=tenant, user=u, softphone=f"{10001 + (i % 10)}{i:02d}"
        )
        managers.append(Membership.objects.select_related("tenant").get(user=u))
    # The simulator only knows softphones 10001..10010: allocate ours for this test.
    phones = [
        {"phoneNum": m.tenant.softphones.get(user=m.user).softphone, "status": 0} for m in managers
    ]
    simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1", softphones=phones)
    errors = []

    def work(m, n):
        try:
            for j in range(10):
                # Every manager calls different customers, so AICC's "same call in progress" does not apply.
                place(m, called=f"1370{n:03d}{j:04d}", key=f"par-{n:03d}-{j:04d}")
        except Exception as e:  # pragma: no cover - reported below
            errors.append(repr(e))
        finally:
            connection.close()

    threads = [threading.Thread(target=work, args=(m, n)) for n, m in enumerate(managers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    simctl.post("accounts", app_key="acme-key", app_secret="acme-secret-value-1")
    assert errors == []
    calls = list(Call.objects.filter(tenant=tenant))
    assert len(calls) == 200
    assert {c.status for c in calls} == {"placed"}
    serials = [c.serial for c in calls]
    assert len(set(serials)) == 200
    assert simctl.get("stats")["create_calls"] == 200
    assert simctl.get("stats")["token_fetches"]["acme-key"] == 1


def test_polled_state_never_moves_a_call_backwards(manager_membership, simctl):
    from calls.aicc.results import CallState, Outcome

    call = place(manager_membership).call
    stale = Call.objects.get(pk=call.pk)  # loaded before the release event arrives
    Call.objects.filter(pk=call.pk).update(state=3, outcome_code="0", outcome_source="event")
    answer = Outcome(
        interface="queryCallState",
        kind="ok",
        result=CallState(
            state=1,
            reason_code=None,
            caller="",
            called="",
            call_data="",
            caller_present="",
            agent_present="",
            start_time=None,
            end_time=None,
        ),
    )
    with patch("calls.aicc.client.AiccClient.query_call_state", autospec=True, return_value=answer):
        placing.call_refresh_state(stale)
    call.refresh_from_db()
    assert (call.state, call.outcome_code, call.outcome_source) == (3, "0", "event")
    assert stale.state == 3


def test_an_unusable_stored_address_fails_the_call_cleanly(manager_membership, simctl):
    tenant = manager_membership.tenant
    tenant.aicc_base_url = "not a url"  # bypassing the form's validation
    tenant.save()
    call = place(manager_membership).call
    assert (call.status, call.reason_source, call.reason_code) == ("failed", "transport", "config")
    assert simctl.get("stats")["create_calls"] == 0


def test_a_bug_while_placing_leaves_an_explained_unknown_call(manager_membership, caplog):
    with patch(
        "calls.aicc.client.AiccClient.create_call", autospec=True, side_effect=KeyError("oops")
    ):
        call = place(manager_membership).call
    call.refresh_from_db()
    assert (call.status, call.reason_source, call.reason_code) == (
        "unknown",
        "transport",
        "interrupted",
    )
    assert "placing failed inside the console" in caplog.text


def test_each_call_logs_one_info_line_with_its_code_and_masked_numbers(
    manager_membership, simctl, caplog
):
    caplog.set_level(logging.INFO)
    placed = place(manager_membership, called="13800005678").call
    tenant = manager_membership.tenant
    tenant.app_secret = ""
    tenant.save()
    refused = place(manager_membership, called="13800005679", key="key-00000002").call
    lines = [r.getMessage() for r in caplog.records if r.name.startswith("calls")]
    lines = [line for line in lines if not line.startswith("aicc tokenByAkSk")]  # once a tenant
    assert len(lines) == 2, lines
    sent, not_sent = lines
    assert sent.startswith(f"aicc createCall call={placed.code} kind=ok code=0 status=200")
    assert f"serial={placed.serial}" in sent and "*******5678" in sent
    assert "13800005678" not in sent
    assert not_sent.startswith(f"call {refused.code} failed, not sent: reason=transport:config")
    assert "*******5679" in not_sent and "13800005679" not in not_sent


def test_asking_first_places_nothing_when_the_number_was_just_called(manager_membership, simctl):
    first = place(manager_membership, ask_if_recent=True, replace_live=False)
    assert first.created and not first.ask_first and first.call.status == "placed"
    Call.objects.filter(pk=first.call.pk).update(state=3)  # it has ended
    again = place(manager_membership, key="key-00000002", ask_if_recent=True, replace_live=False)
    assert again.ask_first and not again.created and again.call.pk == first.call.pk
    resubmitted = place(manager_membership, ask_if_recent=True)  # the first form, sent again
    assert not resubmitted.ask_first and resubmitted.call.pk == first.call.pk
    other = place(
        manager_membership,
        called="13900000000",
        key="key-00000003",
        ask_if_recent=True,
        replace_live=False,
    )
    assert other.created and not other.ask_first
    confirmed = place(manager_membership, key="key-00000002")  # asked, and confirmed
    assert confirmed.created and Call.objects.count() == 3
    assert simctl.get("stats")["create_calls"] == 3


def test_an_idempotency_key_belongs_to_one_person(manager_membership, tenant, simctl):
    """Another manager who sends someone's key gets a call of their own, never the other
    person's call (security finding 6)."""
    first = place(manager_membership, called="13800000001", key="shared-key-0001")
    assert first.created
    other = User.objects.create_user("olivia")
    Membership.objects.create(tenant=tenant, user=other, role=Membership.Role.MANAGER)
    SoftphoneMapping.objects.create(tenant=tenant, user=other, softphone="10002")
    theirs = Membership.objects.select_related("tenant").get(tenant=tenant, user=other)
    second = place(theirs, called="13800000002", key="shared-key-0001")
    assert second.created and second.call.pk != first.call.pk
    assert second.call.user_id == other.pk and second.call.called == "13800000002"
    # The same person resubmitting still gets their first call back.
    again = place(manager_membership, called="13800000001", key="shared-key-0001")
    assert not again.created and again.call.pk == first.call.pk
