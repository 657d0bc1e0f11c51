"""Webhooks: events written with the change that caused them, signed as Standard Webhooks says
(checked by the `standardwebhooks` package), delivered at least once across receiver outages and
worker restarts, never to a blocked address, and an endpoint failing for days disabled."""

import json
from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone
from standardwebhooks.webhooks import Webhook

from calls.models import Call
from calls.services import outbound, placing
from calls.services.outcomes import OutcomeData, outcome_apply
from console.models import AuditEntry
from hooks import delivery, services
from hooks.models import Delivery, Endpoint

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("simctl")]  # a fresh simulator


def place(m, called="13800000000", key="key-00000001"):
    # A request loads its membership and tenant afresh; the fixture's was loaded before the
    # endpoints were registered.
    m.tenant.refresh_from_db(fields=["webhook_events"])
    return placing.call_place(
        membership=m,
        mapping=m.active_mapping,
        called=called,
        idempotency_key=key,
        replace_live=True,
    ).call


def deliver(now=None, owner="w1"):
    return delivery.deliver_due(owner, now=now)


def test_a_placed_call_is_delivered_signed_and_verified_by_standardwebhooks(
    manager_membership, endpoint, receiver
):
    call = place(manager_membership)
    assert call.status == Call.Status.PLACED
    assert deliver() == 1
    [(headers, body)] = receiver.received
    payload = Webhook(endpoint.plain_secret).verify(body, headers)
    assert payload["type"] == "call.placed"
    assert payload["id"] == headers["webhook-id"]
    assert payload["tenant"]["slug"] == "acme"
    data = payload["data"]["call"]
    assert data["id"] == str(call.code)
    assert data["called"] == "13800000000"
    assert data["status"] == "placed"
    assert data["manager"] == "bob"
    assert data["created_at"].endswith("Z")
    d = Delivery.objects.get()
    assert (d.status, d.attempts, d.last_status_code) == ("delivered", 1, 204)
    # Another secret does not verify.
    with pytest.raises(Exception):  # noqa: B017 - the library's WebhookVerificationError
        Webhook(services.signing.new_secret()).verify(body, headers)


def test_after_rotation_both_secrets_verify_during_the_overlap(
    manager_membership, endpoint, receiver, admin
):
    old = endpoint.plain_secret
    new = services.endpoint_rotate(endpoint=endpoint, actor=admin)
    assert new != old
    place(manager_membership)
    deliver()
    (headers, body) = receiver.received[-1]
    assert len(headers["webhook-signature"].split()) == 2
    Webhook(old).verify(body, headers)
    Webhook(new).verify(body, headers)
    # After the overlap only the new secret signs.
    place(manager_membership, called="13800000001", key="key-00000002")
    deliver(now=timezone.now() + timedelta(hours=25))
    (headers, body) = receiver.received[-1]
    assert len(headers["webhook-signature"].split()) == 1
    Webhook(new).verify(body, headers)


def test_a_call_refused_before_sending_is_failed_with_the_decoded_reason(
    manager_membership, endpoint, receiver
):
    call = place(manager_membership, called="12")  # too short: refused, nothing sent
    assert call.status == Call.Status.FAILED
    deliver()
    [(headers, body)] = receiver.received
    payload = json.loads(body)
    assert payload["type"] == "call.failed"
    reason = payload["data"]["call"]["reason"]
    assert reason["source"] == call.reason_source and reason["code"] == call.reason_code
    assert reason["title"] and reason["explanation"] and reason["next_step"]
    assert set(reason) >= {"fixer", "retry"}


def test_the_end_is_one_event_however_often_the_outcome_comes(
    manager_membership, endpoint, receiver
):
    call = place(manager_membership)
    data = OutcomeData(code="0", state=3, talk_seconds=12)
    assert outcome_apply(tenant=call.tenant, serial=call.serial, source="push", data=data)
    assert not outcome_apply(tenant=call.tenant, serial=call.serial, source="cdr", data=data)
    assert list(Delivery.objects.values_list("event_type", flat=True).order_by("id")) == [
        "call.placed",
        "call.ended",
    ]
    deliver()
    ended = json.loads(receiver.bodies()[-1])
    assert ended["type"] == "call.ended"
    assert ended["data"]["call"]["outcome"]["code"] == "0"


def test_no_endpoint_no_outbox_and_no_query(manager_membership, django_assert_num_queries):
    call = place(manager_membership)
    assert call.tenant.webhook_events == ""
    assert not Delivery.objects.exists()
    with django_assert_num_queries(1):  # only the call's own UPDATE
        placing._store(call, status=Call.Status.FAILED, reason_source="transport")


def test_only_subscribed_types_of_enabled_endpoints(manager_membership, tenant, admin, receiver):
    ep, _ = services.endpoint_create(
        tenant=tenant, actor=admin, url=receiver.url, events=["call.failed"]
    )
    assert tenant.webhook_events == "call.failed"
    place(manager_membership)  # placed: not subscribed
    assert not Delivery.objects.exists()
    services.endpoint_change(
        endpoint=ep,
        actor=admin,
        url=ep.url,
        events=["call.placed"],
        description="",
        enabled=False,
    )
    tenant.refresh_from_db()
    assert tenant.webhook_events == ""
    place(manager_membership, called="13800000001", key="key-00000002")
    assert not Delivery.objects.exists()


def test_retries_with_backoff_across_a_receiver_outage(manager_membership, endpoint, receiver):
    place(manager_membership)
    now = timezone.now()
    receiver.answer = 500
    waits = []
    for _ in range(4):
        assert deliver(now=now) == 1
        d = Delivery.objects.get()
        assert d.status == "pending" and d.last_status_code == 500
        waits.append((d.next_attempt_at - now).total_seconds())
        assert deliver(now=now) == 0  # not due again yet
        now = d.next_attempt_at
    # Exponential: each wait at least as long as half the next base (jitter 0.5-1.0).
    assert waits[3] > waits[0] * 2
    receiver.down()  # refuses connections now
    assert deliver(now=now) == 1
    d = Delivery.objects.get()
    assert d.status == "pending" and d.last_status_code is None and d.last_error
    receiver.up()
    receiver.answer = 204
    assert deliver(now=d.next_attempt_at) == 1
    d.refresh_from_db()
    assert (d.status, d.attempts) == ("delivered", 6)
    assert len(set(receiver.bodies())) == 1  # the same event each time
    assert Endpoint.objects.get().failing_since is None


def test_no_loss_across_a_worker_restart(manager_membership, endpoint, receiver):
    place(manager_membership)
    now = timezone.now()
    lease = delivery.lease_for(delivery.batch_size())
    # Worker A claims the row and dies before sending (or before recording).
    [claimed] = delivery.claim("A", limit=10, now=now, lease=lease)
    assert deliver(now=now, owner="B") == 0  # leased to A: no double delivery
    assert deliver(now=now + lease + timedelta(seconds=1), owner="A-restarted") == 1
    assert len(receiver.received) == 1
    assert Delivery.objects.get().status == "delivered"
    # A's late result (if it ever came) no longer touches the row.
    delivery.record("A", [claimed], [delivery.Result(False, error="late")], now)
    assert Delivery.objects.get().status == "delivered"


def test_two_workers_claim_disjoint_rows(manager_membership, endpoint):
    for i in range(6):
        place(manager_membership, called=f"1380000000{i}", key=f"key-0000000{i}")
    now = timezone.now()
    lease = timedelta(minutes=1)
    a = delivery.claim("A", limit=4, now=now, lease=lease)
    b = delivery.claim("B", limit=4, now=now, lease=lease)
    assert len(a) == 4 and len(b) == 2
    assert not {d.pk for d in a} & {d.pk for d in b}


def test_blocked_addresses_are_refused_at_registration_and_at_delivery(
    manager_membership, endpoint, receiver, tenant, admin, settings
):
    place(manager_membership)  # (the simulator is on loopback too)
    settings.OUTBOUND_ALLOW_PRIVATE = False
    with pytest.raises(outbound.Blocked):
        services.endpoint_create(
            tenant=tenant, actor=admin, url=receiver.url, events=["call.placed"]
        )
    with pytest.raises(outbound.Blocked):
        services.endpoint_create(
            tenant=tenant, actor=admin, url="https://10.0.0.1/hook", events=["call.placed"]
        )
    assert deliver() == 1
    assert receiver.received == []
    d = Delivery.objects.get()
    assert d.status == "pending" and d.last_error.startswith("blocked")


def test_given_up_after_the_retry_window_and_sent_again_on_request(
    manager_membership, endpoint, receiver, admin
):
    place(manager_membership)
    receiver.answer = 500
    later = timezone.now() + timedelta(hours=26)
    deliver(now=later)
    d = Delivery.objects.get()
    assert (d.status, d.next_attempt_at) == ("failed", None)
    receiver.answer = 204
    services.delivery_resend(delivery=d, actor=admin)
    assert deliver() == 1
    d.refresh_from_db()
    assert d.status == "delivered"
    assert AuditEntry.objects.filter(action="webhook.resend").count() == 1


def test_an_endpoint_failing_for_days_is_disabled_and_the_admins_told(
    manager_membership, endpoint, receiver, admin, tenant
):
    admin.email = "alice@example.com"
    admin.save()
    receiver.answer = 503
    place(manager_membership)
    start = timezone.now()
    deliver(now=start)
    assert Endpoint.objects.get().failing_since == start
    place(manager_membership, called="13800000001", key="key-00000002")
    deliver(now=start + timedelta(hours=73))
    ep = Endpoint.objects.get()
    assert (ep.enabled, ep.disabled_reason) == (False, "failing")
    tenant.refresh_from_db()
    assert tenant.webhook_events == ""
    assert AuditEntry.objects.filter(action="webhook.disable").count() == 1
    assert mail.outbox and mail.outbox[0].to == ["alice@example.com"]
    assert ep.url in mail.outbox[0].body
    # Nothing more is sent to a disabled endpoint.
    sent = len(receiver.received)
    assert deliver(now=start + timedelta(hours=74)) == 0
    assert len(receiver.received) == sent


def test_a_large_answer_is_read_only_in_part(manager_membership, endpoint, receiver):
    receiver.answer = 200  # with a 100 KB body
    place(manager_membership)
    result = delivery.send(Delivery.objects.select_related("endpoint").get(), ["whsec_" + "A" * 44])
    assert result.ok and result.status == 200
