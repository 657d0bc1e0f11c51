"""No log line and no audit entry carries a webhook secret (old or new), nor the signature made
with it: adding and rotating an endpoint through its pages, then deliveries that fail (the
receiver answers 500, then is gone) and one that succeeds, all logged at DEBUG."""

import re

import pytest
from django.test import Client
from django.urls import reverse

from console.models import AuditEntry
from hooks import delivery, events
from hooks.models import Delivery, Endpoint
from tests.console.test_log_secrets import everything_logged  # noqa: F401 - a fixture, shared

pytestmark = pytest.mark.django_db


def test_no_log_line_or_audit_entry_carries_a_webhook_secret(
    admin,
    tenant,
    receiver,
    everything_logged,  # noqa: F811
):
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    r = client.post(
        reverse("webhook-add", kwargs={"tenant_code": tenant.code}),
        {"url": receiver.url, "events": ["call.placed"]},
    )
    secrets = re.findall(r'value="(whsec_[^"]+)"', r.content.decode())
    endpoint = Endpoint.objects.get()
    r = client.post(
        reverse(
            "webhook-rotate", kwargs={"tenant_code": tenant.code, "endpoint_code": endpoint.code}
        )
    )
    secrets += re.findall(r'value="(whsec_[^"]+)"', r.content.decode())
    assert len(set(secrets)) == 2

    tenant.refresh_from_db()
    receiver.answer = 500
    events.emit(tenant, "call.placed", lambda: {"n": 1})
    assert delivery.deliver_due("w1") == 1
    receiver.down()  # connection refused from now on
    Delivery.objects.update(next_attempt_at=None)
    events.emit(tenant, "call.placed", lambda: {"n": 2})
    assert delivery.deliver_due("w1") == 1
    receiver.up()
    receiver.answer = 204
    events.emit(tenant, "call.placed", lambda: {"n": 3})
    assert delivery.deliver_due("w1") == 1
    signatures = [h["webhook-signature"] for h, _ in receiver.received]
    assert len(signatures) == 2  # the 500 and the 204

    logged = everything_logged.getvalue()
    assert "POST /t/" in logged  # the page requests were logged
    audited = " ".join(str(e.changes) + e.target for e in AuditEntry.objects.all())
    assert {"webhook.add", "webhook.rotate"} <= {e.action for e in AuditEntry.objects.all()}
    bare = [s.removeprefix("whsec_") for s in secrets]
    for secret in secrets + bare + [sig for s in signatures for sig in s.split()]:
        assert secret not in logged, f"a log line carries {secret!r}:\n{logged}"
        assert secret not in audited, f"an audit entry carries {secret!r}"
