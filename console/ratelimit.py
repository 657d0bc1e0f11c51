"""Limits on how often something may be done (a password-reset e-mail per address and per
client), counted in the database so that every process and host shares the count."""

import hashlib
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from console.models import RateEvent


def allow(scope: str, value: str, *, limit: int, window: timedelta) -> bool:
    """Record one use of `scope` by `value` (an address, an e-mail) and say whether it is within
    `limit` uses in the last `window`. Older uses of the scope are forgotten on the way."""
    now = timezone.now()
    key = hashlib.sha256(f"{settings.SECRET_KEY}:{scope}:{value}".encode()).hexdigest()
    RateEvent.objects.filter(scope=scope, at__lt=now - window).delete()
    used = RateEvent.objects.filter(scope=scope, key=key).count()
    if used >= limit:
        return False
    RateEvent.objects.create(scope=scope, key=key, at=now)
    return True
