"""No log line, at any level and from any logger, carries a callback token or a password-reset
token, failures included (security finding 3): everything a request logs is written through the
console's own handler (filter and formatter from settings.LOGGING) and searched."""

import io
import logging

import pytest
from django.conf import settings
from django.contrib.auth.tokens import default_token_generator
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from calls.models import OutcomeSync
from console.logging import PlainFormatter, RequestContextFilter, scrub


@pytest.fixture
def everything_logged():
    """The console handler's filter and formatter on a buffer, every logger at DEBUG."""
    buffer = io.StringIO()
    handler = logging.StreamHandler(buffer)
    handler.addFilter(RequestContextFilter())
    handler.setFormatter(PlainFormatter())
    root = logging.getLogger()
    quiet = {name: logging.getLogger(name).level for name in settings.LOGGING["loggers"]}
    old_level = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    for name in quiet:
        logging.getLogger(name).setLevel(logging.DEBUG)
    yield buffer
    root.removeHandler(handler)
    root.setLevel(old_level)
    for name, level in quiet.items():
        logging.getLogger(name).setLevel(level)


def test_no_log_line_carries_a_callback_or_reset_token(
    db, tenant, manager, everything_logged, monkeypatch
):
    sync = OutcomeSync.objects.create(tenant=tenant)
    client = Client(raise_request_exception=False)
    hook = f"/t/{tenant.code}/aicc/{sync.token}/release/"
    wrong = "w" * 43
    body = {"callSerialNo": "1000000000000000001", "releaseReason": "0"}
    assert client.post(hook, body, content_type="application/json").status_code == 200
    assert client.post(hook, "not json", content_type="application/json").status_code == 400
    sync.shared_key = "k" * 32
    sync.save()
    assert client.post(hook, body, content_type="application/json").status_code == 403
    wrong_hook = f"/t/{tenant.code}/aicc/{wrong}/release/"
    assert client.post(wrong_hook, body, content_type="application/json").status_code == 404

    def boom(**kwargs):
        raise RuntimeError("the database went away")

    sync.shared_key = ""
    sync.save()
    monkeypatch.setattr("calls.callback_views.outcome_apply", boom)
    assert client.post(hook, body, content_type="application/json").status_code == 500

    uid = urlsafe_base64_encode(force_bytes(manager.pk))
    reset_token = default_token_generator.make_token(manager)
    reset = f"/accounts/reset/{uid}/{reset_token}/"
    assert client.get(reset).status_code in (200, 302)
    assert client.get(f"/accounts/reset/{uid}/bad-token-value/").status_code == 200

    logged = everything_logged.getvalue()
    assert "Internal Server Error" in logged and "RuntimeError" in logged  # failures were logged
    for secret in (sync.token, wrong, reset_token, "bad-token-value"):
        assert secret not in logged, f"a log line carries {secret!r}:\n{logged}"


def test_scrub_redacts_secrets_in_paths():
    line = '"POST /t/abc/aicc/S3cr3tT0ken_-x/release/ HTTP/1.1" 404 /accounts/reset/MQ/c3-abc/'
    assert (
        scrub(line)
        == '"POST /t/abc/aicc/[redacted]/release/ HTTP/1.1" 404 /accounts/reset/[redacted]/'
    )


def test_no_log_line_or_audit_entry_carries_a_two_factor_key_or_code(
    db, admin, tenant, everything_logged, time_machine
):
    """Turning two-factor on, signing in with an app code and with a recovery code, new codes,
    a wrong code and a wrong password: the app's key (hex or base32), the recovery codes and
    the codes typed appear in no log line and no audit entry."""
    import re
    from base64 import b32encode

    from django_otp.oath import totp
    from django_otp.plugins.otp_totp.models import TOTPDevice

    from console.models import AuditEntry
    from tests.conftest import PASSWORD

    def code(device):
        return f"{totp(device.bin_key):06d}"

    time_machine.move_to("2026-05-04 09:00:00+00:00", tick=False)
    client = Client(raise_request_exception=False)
    client.force_login(admin)
    client.post("/accounts/two-factor/setup/")
    device = TOTPDevice.objects.get(user=admin)
    typed = [code(device)]
    r = client.post("/accounts/two-factor/confirm/", {"code": typed[-1]})
    codes = re.findall(r"<code>([a-z2-7-]{9})</code>", r.content.decode())
    r = client.post("/accounts/two-factor/codes/", {"codes-proof": PASSWORD})
    codes += re.findall(r"<code>([a-z2-7-]{9})</code>", r.content.decode())
    client.post("/accounts/two-factor/off/", {"off-proof": "wrong-password-1"})
    assert len(codes) == 20
    client.post("/accounts/logout/")
    time_machine.shift(30)
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/login/two-factor/", {"code": "999999"})
    typed.append(code(device))
    client.post("/accounts/login/two-factor/", {"code": typed[-1]})
    client.post("/accounts/logout/")
    client.post("/accounts/login/", {"username": "alice", "password": PASSWORD})
    client.post("/accounts/login/two-factor/", {"code": codes[-1]})
    assert "_auth_user_id" in client.session  # signed in with the recovery code

    logged = everything_logged.getvalue()
    assert "POST /accounts/login/two-factor/ 302" in logged  # the requests were logged
    audited = " ".join(str(e.changes) + e.target for e in AuditEntry.objects.all())
    assert "two_factor.on" in {e.action for e in AuditEntry.objects.all()}
    secrets = [device.key, b32encode(device.bin_key).decode(), *typed]
    secrets += [c.replace("-", "") for c in codes] + codes
    for secret in secrets:
        assert secret not in logged, f"a log line carries {secret!r}:\n{logged}"
        assert secret not in audited, f"an audit entry carries {secret!r}"
