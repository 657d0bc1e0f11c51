"""Limits on how often something may be done (password-reset e-mails per address and per
client, failed logins per client), counted in the database so that every process and host shares
the count. Keys are hashes, never the e-mail or address itself."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from console.middleware import client_ip
from console.models import RateEvent

LOGIN_FAILED = "login-failed-client"  # failed logins per client address (console.views.LoginView)


def _key(scope: str, value: str) -> str:
    return hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()


def used(scope: str, value: str, *, window: timedelta) -> int:
    """How often `value` used `scope` in the last `window` (older uses are forgotten here)."""
    RateEvent.objects.filter(scope=scope, at__lt=timezone.now() - window).delete()
    return RateEvent.objects.filter(scope=scope, key=_key(scope, value)).count()


def note(scope: str, value: str) -> None:
    RateEvent.objects.create(scope=scope, key=_key(scope, value), at=timezone.now())


def allow(scope: str, value: str, *, limit: int, window: timedelta) -> bool:
    """Record one use of `scope` by `value` if it is within `limit` uses in the last `window`;
    False (nothing recorded) when it is not."""
    if used(scope, value, window=window) >= limit:
        return False
    note(scope, value)
    return True


def note_login_failure(sender, credentials, request=None, **kwargs) -> None:
    """user_login_failed: count a failed login through the form against its client address."""
    if request is not None:
        note(LOGIN_FAILED, client_ip(request) or "-")
