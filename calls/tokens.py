"""AICC access tokens shared by every process and host through the database.

Reads are served from a per-process memo; on a miss the `AiccToken` row is read; only when it is
missing or near expiry does one process lock the row (SELECT ... FOR UPDATE on PostgreSQL; on
SQLite the IMMEDIATE transaction takes the database write lock) and fetch a new token while the
others wait on the lock and then reuse what it stored. A per-process lock in front keeps threads
of one process from queueing on the database. The token is stored encrypted.
"""

import hashlib
import hmac
import threading
from datetime import UTC, datetime

from django.conf import settings
from django.db import IntegrityError, transaction

from calls.aicc.client import AiccClient, renew_margin
from calls.aicc.results import Outcome, Token
from calls.models import AiccToken

_memo: dict[tuple[int, str], Token] = {}
_locks: dict[int, threading.Lock] = {}
_locks_guard = threading.Lock()


def fingerprint(config) -> str:
    """Identifies the credentials a token belongs to, without storing anything reversible."""
    material = "|".join(
        [
            config.base_url,
            config.token_url,
            config.app_key,
            config.app_secret,
            str(config.token_lifetime),
        ]
    )
    return hmac.new(settings.SECRET_KEY.encode(), material.encode(), hashlib.sha256).hexdigest()[
        :32
    ]


def _fresh(token: Token | None, requested: int) -> bool:
    """Still usable for a while: renewed a small fraction of the lifetime AICC granted (not the
    one asked for, which AICC may shorten) before it expires. `requested` only stands in for a
    row stored before the grant was kept."""
    if token is None:
        return False
    margin = renew_margin(token.lifetime or requested)
    return token.expires_at - margin > datetime.now(UTC)


def _process_lock(tenant_id: int) -> threading.Lock:
    with _locks_guard:
        return _locks.setdefault(tenant_id, threading.Lock())


def _ok(token: Token) -> Outcome:
    return Outcome(interface="tokenByAkSk", kind="ok", result=token)


def clear_memo() -> None:
    _memo.clear()


class DbTokenSource:
    def __init__(self, tenant_id: int):
        self.tenant_id = tenant_id

    def _key(self, client: AiccClient) -> tuple[int, str]:
        return (self.tenant_id, fingerprint(client.config))

    def get(self, client: AiccClient) -> Outcome:
        key = self._key(client)
        lifetime = client.config.token_lifetime
        if _fresh(_memo.get(key), lifetime):
            return _ok(_memo[key])
        with _process_lock(self.tenant_id):
            if _fresh(_memo.get(key), lifetime):
                return _ok(_memo[key])
            token = self._stored(key[1])
            if not _fresh(token, lifetime):
                outcome = self._fetch_locked(client, key[1])
                if not outcome.ok:
                    return outcome
                token = outcome.result
            _memo[key] = token
            return _ok(token)

    def _stored(self, fp: str) -> Token | None:
        row = AiccToken.objects.filter(tenant_id=self.tenant_id).first()
        if row is None or row.key_fingerprint != fp or not row.token or row.expires_at is None:
            return None
        return Token(access_token=row.token, expires_at=row.expires_at, lifetime=row.lifetime)

    def _fetch_locked(self, client: AiccClient, fp: str) -> Outcome:
        try:
            AiccToken.objects.get_or_create(tenant_id=self.tenant_id)
        except IntegrityError:
            pass  # another process created the row first
        with transaction.atomic():
            row = AiccToken.objects.select_for_update().get(tenant_id=self.tenant_id)
            if row.key_fingerprint == fp and row.token and row.expires_at:
                token = Token(
                    access_token=row.token, expires_at=row.expires_at, lifetime=row.lifetime
                )
                if _fresh(token, client.config.token_lifetime):
                    return _ok(token)  # someone else refreshed it while we waited
            outcome = client.fetch_token()
            if outcome.ok:
                row.token = outcome.result.access_token
                row.expires_at = outcome.result.expires_at
                row.lifetime = outcome.result.lifetime  # what AICC granted
                row.key_fingerprint = fp
                row.fetched_at = datetime.now(UTC)
                row.fetch_count += 1
                row.save(
                    update_fields=[
                        "token",
                        "expires_at",
                        "lifetime",
                        "key_fingerprint",
                        "fetched_at",
                        "fetch_count",
                    ]
                )
            return outcome

    def invalidate(self, client: AiccClient, token: str) -> None:
        key = self._key(client)
        with _process_lock(self.tenant_id):
            current = _memo.get(key)
            if current is not None and current.access_token == token:
                del _memo[key]
            with transaction.atomic():
                row = AiccToken.objects.select_for_update().filter(tenant_id=self.tenant_id).first()
                if row is not None and row.token == token:
                    row.token = ""
                    row.expires_at = None
                    row.save(update_fields=["token", "expires_at"])
