"""A per-process TokenSource for the AICC client's tests (the console's is calls/tokens.py)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime

from calls.aicc.client import AiccClient, renew_margin
from calls.aicc.results import KIND_OK, SUCCESS, TOKEN, Outcome, Token


class MemoryTokenSource:
    """Token memo keyed by (token_url, app_key).

    One lock per key, held while fetching, so concurrent callers cause one fetch. Callers
    that queued behind a fetch that failed receive that same failure instead of fetching
    again one after another.
    """

    def __init__(self) -> None:
        self._guard = threading.Lock()
        self._locks: dict[tuple[str, str], threading.Lock] = {}
        self._tokens: dict[tuple[str, str], Token] = {}
        self._failures: dict[tuple[str, str], tuple[float, Outcome]] = {}

    @staticmethod
    def _key(client: AiccClient) -> tuple[str, str]:
        return (client.config.token_url, client.config.app_key)

    def _lock_for(self, key: tuple[str, str]) -> threading.Lock:
        with self._guard:
            lock = self._locks.get(key)
            if lock is None:
                lock = self._locks[key] = threading.Lock()
            return lock

    def get(self, client: AiccClient) -> Outcome:
        key = self._key(client)
        waited_since = time.monotonic()
        with self._lock_for(key):
            token = self._tokens.get(key)
            if token is not None:
                if token.expires_at - renew_margin(token.lifetime) > datetime.now(UTC):
                    return Outcome(interface=TOKEN, kind=KIND_OK, ret_code=SUCCESS, result=token)
                del self._tokens[key]
            failure = self._failures.get(key)
            if failure is not None and failure[0] >= waited_since:
                return failure[1]
            outcome = client.fetch_token()
            if outcome.ok:
                self._tokens[key] = outcome.result
                self._failures.pop(key, None)
            else:
                self._failures[key] = (time.monotonic(), outcome)
            return outcome

    def invalidate(self, client: AiccClient, token: str) -> None:
        key = self._key(client)
        with self._lock_for(key):
            cached = self._tokens.get(key)
            if cached is not None and cached.access_token == token:
                del self._tokens[key]
