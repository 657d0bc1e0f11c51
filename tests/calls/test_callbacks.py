"""AICC's pushed events (aicc-api.md §12) and the admins' callbacks page."""

import base64
import hashlib
import json
import time

import pytest

from calls.models import Call, OutcomeSync

pytestmark = pytest.mark.django_db
KEY = "a-shared-key-of-16+chars"


@pytest.fixture
def sync(tenant):
    return OutcomeSync.objects.create(tenant=tenant)


@pytest.fixture
def call(tenant, manager):
    return Call.objects.create(
        tenant=tenant,
        user=manager,
        softphone="10001",
        called="13800000000",
        idempotency_key="k1",
        status="placed",
        serial="1000000000000000001",
    )


def hook(sync, kind="release"):
    return f"/t/{sync.tenant.code}/aicc/{sync.token}/{kind}/"


def release(serial="1000000000000000001", **extra):
    base = {
        "callSerialNo": serial,
        "serviceNo": "101",
        "called": "13800000000",
        "releaseReason": "0",
        "talkingTime": "1700000005000",
        "releaseTime": "1700000031000",
        "alertingTime": "1700000002000",
        "agentAlertingTime": "1700000000000",
        "agentTalkingTime": "1700000001000",
        "agentReleaseTime": "1700000031000",
        "talkDuration": "26",
        "agentTalkDuration": "30",
    }
    return {**base, **extra}


def signed(body, key=KEY, ts=None, nonce="n0nce"):
    ts = str(ts if ts is not None else int(time.time() * 1000))
    joined = ",".join(f"{k}={body[k]}" for k in sorted(body))
    sig = base64.b64encode(hashlib.sha256(f"{key}_{ts}_{nonce}_{joined}".encode()).digest())
    return {**body, "timestamp": ts, "nonce": nonce, "signature": sig.decode()}


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_a_json_release_event_stores_the_outcome(client, sync, call):
    r = post_json(client, hook(sync), release())
    assert r.status_code == 200 and r.json() == {"retCode": "0", "retMsg": "success"}
    call.refresh_from_db()
    assert call.outcome_source == "push" and call.outcome_code == "0" and call.state == 3
    assert call.talk_seconds == 26 and call.agent_talk_seconds == 30
    assert call.talking_at.timestamp() == 1700000005


def test_a_form_encoded_release_event_is_accepted(client, sync, call):
    r = client.post(hook(sync), release(releaseReason="5", talkingTime=""))
    assert r.status_code == 200 and r.json()["retCode"] == "0"
    call.refresh_from_db()
    assert call.outcome_code == "5" and call.talking_at is None


def test_the_same_event_twice_changes_nothing(client, sync, call):
    post_json(client, hook(sync), release())
    call.refresh_from_db()
    first = call.outcome_at
    r = post_json(client, hook(sync), release(releaseReason="3", talkDuration="99"))
    call.refresh_from_db()
    assert r.status_code == 200 and call.outcome_code == "0" and call.talk_seconds == 26
    assert call.outcome_at == first


def test_a_record_applied_first_wins_over_a_later_push(client, sync, call):
    Call.objects.filter(pk=call.pk).update(outcome_source="cdr", outcome_code="1", state=3)
    post_json(client, hook(sync), release(releaseReason="0"))
    call.refresh_from_db()
    assert call.outcome_source == "cdr" and call.outcome_code == "1"


def test_a_push_completes_a_provisional_polled_outcome(client, sync, call):
    Call.objects.filter(pk=call.pk).update(outcome_source="poll", outcome_code="0", state=3)
    post_json(client, hook(sync), release())
    call.refresh_from_db()
    assert call.outcome_source == "push" and call.talk_seconds == 26


def test_the_connection_event_marks_the_call_talking(client, sync, call):
    body = {"callSerialNo": call.serial, "serviceNo": "101", "called": "13800000000"}
    assert post_json(client, hook(sync, "connect"), body).status_code == 200
    call.refresh_from_db()
    assert call.state == 2 and call.outcome_source == ""


def test_the_body_cannot_choose_the_tenant(client, sync, call, other_tenant, outsider):
    theirs = Call.objects.create(
        tenant=other_tenant,
        user=outsider,
        softphone="10001",
        called="1",
        idempotency_key="x",
        status="placed",
        serial="777",
    )
    r = post_json(client, hook(sync), release(serial="777", tenant=str(other_tenant.code)))
    theirs.refresh_from_db()
    assert r.status_code == 200 and theirs.outcome_source == ""


def test_a_wrong_token_is_404(client, sync, call):
    url = f"/t/{sync.tenant.code}/aicc/{'x' * 43}/release/"
    assert post_json(client, url, release()).status_code == 404


def test_another_tenants_token_is_404(client, sync, call, other_tenant):
    theirs = OutcomeSync.objects.create(tenant=other_tenant)
    url = f"/t/{sync.tenant.code}/aicc/{theirs.token}/release/"
    assert post_json(client, url, release()).status_code == 404
    call.refresh_from_db()
    assert call.outcome_source == ""


def test_it_rejects_get(client, sync):
    assert client.get(hook(sync)).status_code == 405


def test_it_needs_no_csrf_token(sync, call):
    from django.test import Client

    r = post_json(Client(enforce_csrf_checks=True), hook(sync), release())
    assert r.status_code == 200


def test_a_good_signature_is_accepted(client, sync, call):
    sync.shared_key = KEY
    sync.save()
    assert post_json(client, hook(sync), signed(release())).status_code == 200
    call.refresh_from_db()
    assert call.outcome_source == "push"


def test_a_signed_form_body_is_accepted(client, sync, call):
    sync.shared_key = KEY
    sync.save()
    assert client.post(hook(sync), signed(release())).status_code == 200


def test_a_signed_event_is_accepted_once(client, sync, call):
    """A replay of a signed event within the time window is refused (security finding 7)."""
    from datetime import timedelta

    from django.utils import timezone

    from calls.models import CallbackNonce

    sync.shared_key = KEY
    sync.save()
    event = signed(release(), nonce="nonce-once-0001")
    assert post_json(client, hook(sync), event).status_code == 200
    r = post_json(client, hook(sync), event)
    sync.refresh_from_db()
    assert r.status_code == 403 and "replayed" in sync.last_rejection
    fresh = signed(release(), nonce="nonce-once-0002")
    assert post_json(client, hook(sync), fresh).status_code == 200
    assert CallbackNonce.objects.filter(tenant=sync.tenant).count() == 2
    # Kept only while a timestamp could still pass: older nonces go with the next event.
    CallbackNonce.objects.update(seen_at=timezone.now() - timedelta(minutes=11))
    assert (
        post_json(client, hook(sync), signed(release(), nonce="nonce-once-0003")).status_code == 200
    )
    assert list(CallbackNonce.objects.values_list("nonce", flat=True)) == ["nonce-once-0003"]


@pytest.mark.parametrize(
    "body, why",
    [
        (lambda: signed(release(), nonce="n" * 65), "nonce too long"),
        (lambda: signed(release(), key="another-key-of-16-chars"), "bad signature"),
        (lambda: {**signed(release()), "releaseReason": "3"}, "bad signature"),
        (lambda: signed(release(), ts=int((time.time() - 360) * 1000)), "stale timestamp"),
        (lambda: signed(release(), ts=int((time.time() + 360) * 1000)), "stale timestamp"),
        (lambda: release(), "unsigned"),
    ],
)
def test_bad_or_stale_signatures_are_rejected_with_a_reason(client, sync, call, body, why):
    sync.shared_key = KEY
    sync.save()
    r = post_json(client, hook(sync), body())
    assert r.status_code == 403
    call.refresh_from_db()
    sync.refresh_from_db()
    assert call.outcome_source == "" and why in sync.last_rejection


def test_events_pushed_by_the_simulator_are_applied(live_server, tenant, manager_membership, sim):
    """End to end over HTTP: the simulator signs and posts its release event to the console."""
    import requests

    from calls.services import placing

    sync = OutcomeSync.objects.create(tenant=tenant, shared_key=KEY)
    account = requests.get(f"{sim.url}/__sim/accounts", timeout=5).json()
    acme = next(a for a in account if a["app_key"] == "acme-key")
    hooked = {**acme, "release_callback_url": live_server.url + hook(sync), "shared_key": KEY}
    requests.post(f"{sim.url}/__sim/accounts", json=hooked, timeout=5).raise_for_status()
    try:
        mapping = tenant.softphones.get()
        call = placing.call_place(
            membership=manager_membership,
            mapping=mapping,
            called="13800000000",
            idempotency_key="live-1",
        ).call
        deadline = time.monotonic() + 5
        while time.monotonic() < deadline:
            call.refresh_from_db()
            if call.outcome_source:
                break
            time.sleep(0.05)
        assert call.outcome_source == "push" and call.outcome_code == "0"
    finally:
        requests.post(f"{sim.url}/__sim/accounts", json=acme, timeout=5).raise_for_status()


# --- the admins' page ---------------------------------------------------------------------------


def page(tenant):
    return f"/t/{tenant.code}/calls/callbacks/"


def test_admin_sees_the_callback_urls(client, admin, tenant):
    client.force_login(admin)
    r = client.get(page(tenant))
    sync = OutcomeSync.objects.get(tenant=tenant)
    assert r.status_code == 200 and f"/aicc/{sync.token}/release/" in r.content.decode()


def test_supervisor_gets_403(client, supervisor, tenant):
    client.force_login(supervisor)
    assert client.get(page(tenant)).status_code == 403


def test_outsider_gets_404_on_the_page(client, outsider, tenant):
    client.force_login(outsider)
    assert client.get(page(tenant)).status_code == 404


def test_admin_sets_a_shared_key_that_is_never_shown(client, admin, tenant):
    client.force_login(admin)
    r = client.post(page(tenant), {"shared_key": KEY})
    assert r.status_code == 302
    assert OutcomeSync.objects.get(tenant=tenant).shared_key == KEY
    assert KEY not in client.get(page(tenant)).content.decode()


def test_a_short_key_is_refused(client, admin, tenant):
    client.force_login(admin)
    r = client.post(page(tenant), {"shared_key": "short"})
    assert r.status_code == 200 and 'role="alert"' in r.content.decode()
    assert OutcomeSync.objects.get(tenant=tenant).shared_key == ""


def test_admin_makes_new_urls_and_the_old_ones_stop_working(client, admin, tenant, sync, call):
    old = hook(sync)
    client.force_login(admin)
    client.post(page(tenant), {"action": "rotate"})
    assert post_json(client, old, release()).status_code == 404


@pytest.mark.parametrize(
    "body, status",
    [
        ("[" * 100_000 + "]" * 100_000, 400),  # nested beyond Python's stack
        ('{"a":' * 5000 + "1" + "}" * 5000, 400),
        ('{"callSerialNo": "\\ud800", "releaseReason": "1"}', 400),  # a lone surrogate
        ('{"callSerialNo": "1000000000000000001", "releaseReason": "\\udc00"}', 400),
        ('{"callSerialNo": "1000000000000000001\\u0000", "releaseReason": "1"}', 400),  # NUL
        ('{"callSerialNo": "1000000000000000001", "talkDuration": "99999999999999999999"}', 200),
        ('{"callSerialNo": "1000000000000000001", "talkDuration": 1e400}', 200),
    ],
)
def test_hostile_event_bodies_get_a_clear_answer(client, sync, call, body, status):
    """Never a server error (security finding 5)."""
    r = client.post(hook(sync), body, content_type="application/json")
    assert r.status_code == status


def test_callback_settings_changes_are_audited_without_the_secrets(client, admin, tenant, sync):
    """Renewing the callback address and setting or clearing the shared key are security
    changes: each writes an audit entry, which never holds the token or the key (security
    finding 9)."""
    from console.models import AuditEntry

    client.force_login(admin)
    old_token = sync.token
    client.post(page(tenant), {"action": "rotate"})
    client.post(page(tenant), {"shared_key": KEY})
    client.post(page(tenant), {"shared_key": KEY})  # the same key again: no change, no entry
    client.post(page(tenant), {"action": "clear-key"})
    entries = list(AuditEntry.objects.filter(tenant=tenant).order_by("id"))
    assert [e.action for e in entries] == ["callbacks.token", "callbacks.key", "callbacks.key"]
    assert all(e.actor == admin for e in entries)
    sync.refresh_from_db()
    for e in entries:
        text = str(e.changes) + e.target
        assert old_token not in text and sync.token not in text and KEY not in text
