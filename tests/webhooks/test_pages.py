"""The admin's webhook pages: the secret shown once, blocked addresses refused, deliveries listed
with "send again", the banner when the console disabled an endpoint."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from console.models import AuditEntry
from hooks.models import Delivery, Endpoint

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client, admin):
    client.force_login(admin)
    return client


def test_adding_an_endpoint_shows_its_secret_once(admin_client, tenant, receiver):
    url = reverse("webhook-add", kwargs={"tenant_code": tenant.code})
    r = admin_client.post(url, {"url": receiver.url, "events": ["call.placed", "call.ended"]})
    assert r.status_code == 200
    assert r["Cache-Control"] == "no-store"
    secret = re.search(r'value="(whsec_[^"]+)"', r.content.decode()).group(1)
    endpoint = Endpoint.objects.get()
    assert endpoint.secret == secret
    assert endpoint.events == ["call.ended", "call.placed"]
    tenant.refresh_from_db()
    assert tenant.webhook_events == "call.ended call.placed"
    assert AuditEntry.objects.get(action="webhook.add").changes == {
        "events": "call.ended call.placed"
    }
    for page in (
        reverse("webhooks", kwargs={"tenant_code": tenant.code}),
        reverse(
            "webhook-detail", kwargs={"tenant_code": tenant.code, "endpoint_code": endpoint.code}
        ),
    ):
        body = admin_client.get(page).content.decode()
        assert receiver.url in body and secret not in body
    # Rotation shows the new one once.
    r = admin_client.post(
        reverse(
            "webhook-rotate", kwargs={"tenant_code": tenant.code, "endpoint_code": endpoint.code}
        )
    )
    new = re.search(r'value="(whsec_[^"]+)"', r.content.decode()).group(1)
    assert new != secret
    endpoint.refresh_from_db()
    assert (endpoint.secret, endpoint.previous_secret) == (new, secret)


def test_a_private_address_is_refused_by_the_form(admin_client, tenant, settings):
    settings.OUTBOUND_ALLOW_PRIVATE = False
    url = reverse("webhook-add", kwargs={"tenant_code": tenant.code})
    r = admin_client.post(url, {"url": "https://127.0.0.1/hook", "events": ["call.placed"]})
    assert r.status_code == 200
    assert "does not send to this address" in r.content.decode()
    assert not Endpoint.objects.exists()


def test_deliveries_are_listed_and_sent_again(admin_client, tenant, endpoint):
    d = Delivery.objects.create(
        tenant=tenant,
        endpoint=endpoint,
        event_id="evt_1",
        event_type="call.placed",
        body="{}",
        created_at=timezone.now(),
        status=Delivery.Status.FAILED,
        attempts=30,
        last_status_code=503,
        last_attempt_at=timezone.now(),
    )
    page = reverse(
        "webhook-detail", kwargs={"tenant_code": tenant.code, "endpoint_code": endpoint.code}
    )
    body = admin_client.get(page).content.decode()
    assert "evt_1" in body and "503" in body and "Given up" in body
    r = admin_client.post(
        reverse(
            "webhook-resend",
            kwargs={
                "tenant_code": tenant.code,
                "endpoint_code": endpoint.code,
                "delivery_id": d.pk,
            },
        )
    )
    assert r.status_code == 302
    d.refresh_from_db()
    assert d.status == "pending" and d.next_attempt_at is not None


def test_the_list_says_when_the_console_disabled_an_endpoint(admin_client, tenant, endpoint):
    Endpoint.objects.filter(pk=endpoint.pk).update(
        enabled=False, disabled_reason="failing", failing_since=timezone.now()
    )
    body = admin_client.get(
        reverse("webhooks", kwargs={"tenant_code": tenant.code})
    ).content.decode()
    assert "was disabled: it failed every delivery for days" in body
