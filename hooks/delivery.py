"""Delivering the outbox: claimed by one worker at a time, signed, sent, retried.

`run_deliverer` is a thread of `manage.py run_worker` (not a django-tasks task: a task per event
or a periodic drain would queue behind the outcome sync and cost a queue row per run; a loop of
its own delivers as soon as a row is written and keeps its HTTP connections open). Each round
claims up to `WEBHOOK_CONCURRENCY * 4` due rows (PostgreSQL: `SELECT ... FOR UPDATE SKIP LOCKED`,
then a lease `claimed_by`/`claimed_until` written by a conditional UPDATE, which alone is enough on
SQLite where transactions are serialised), sends them WEBHOOK_CONCURRENCY at a time with pooled
`requests` sessions, and records every result in one transaction. A worker that dies mid-round
leaves its rows leased: another (or itself, restarted) sends them once the lease is over, so
delivery is at least once; while it runs, nobody else touches its rows, so no double delivery.
"""

from __future__ import annotations

import logging
import math
import os
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.db import close_old_connections, connection, transaction
from django.db.models import Q
from django.utils import timezone

from calls.services import outbound
from hooks import services, signing
from hooks.models import Delivery, Endpoint

log = logging.getLogger("hooks.delivery")

RESPONSE_READ_LIMIT = 4096  # bytes of a receiver's answer read at most (and never stored)
IDLE_POLL_SECONDS = 0.5
MAX_BACKOFF_SECONDS = 3600
USER_AGENT = "aicc-console-webhooks/1"


def owner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"[:100]


def batch_size() -> int:
    return max(1, settings.WEBHOOK_CONCURRENCY) * 4


def lease_for(size: int) -> timedelta:
    """Long enough for a whole round of timeouts (connect + read) and the recording."""
    rounds = math.ceil(size / max(1, settings.WEBHOOK_CONCURRENCY))
    return timedelta(seconds=2 * settings.WEBHOOK_TIMEOUT_SECONDS * rounds + 30)


def _due(now: datetime) -> Q:
    return Q(status=Delivery.Status.PENDING, next_attempt_at__lte=now, endpoint__enabled=True) & (
        Q(claimed_until__isnull=True) | Q(claimed_until__lt=now)
    )


def claim(owner: str, *, limit: int, now: datetime, lease: timedelta) -> list[Delivery]:
    """Lease up to `limit` due deliveries to `owner`; those it got, with their endpoints."""
    until = now + lease
    with transaction.atomic():
        due = Delivery.objects.filter(_due(now)).order_by("next_attempt_at", "id")
        if connection.features.has_select_for_update_skip_locked:
            due = due.select_for_update(skip_locked=True, of=("self",))
        ids = list(due.values_list("pk", flat=True)[:limit])
        if not ids:
            return []
        Delivery.objects.filter(_due(now), pk__in=ids).update(claimed_by=owner, claimed_until=until)
    return list(
        Delivery.objects.filter(pk__in=ids, claimed_by=owner, claimed_until=until)
        .select_related("endpoint", "tenant")
        .order_by("next_attempt_at", "id")
    )


@dataclass
class Result:
    ok: bool
    status: int | None = None
    ms: float | None = None
    error: str = ""


_local = threading.local()


def _session() -> requests.Session:
    session = getattr(_local, "session", None)
    if session is None:
        session = _local.session = requests.Session()
        session.trust_env = False  # no proxy settings from the environment
    return session


def secrets_of(endpoint: Endpoint, now: datetime) -> list[str]:
    keys = [endpoint.secret]
    if endpoint.previous_secret and endpoint.previous_until and endpoint.previous_until > now:
        keys.append(endpoint.previous_secret)
    return keys


def send(delivery: Delivery, keys: list[str]) -> Result:
    """POST the delivery's body, signed with `keys`; no redirects, bounded wait and read."""
    url = delivery.endpoint.url
    try:
        outbound.check(url, resolve=True)
    except outbound.Blocked:
        return Result(False, error="blocked: not an address the console may send to")
    headers = signing.headers(keys, delivery.event_id, int(time.time()), delivery.body)
    headers.update({"content-type": "application/json", "user-agent": USER_AGENT})
    timeout = settings.WEBHOOK_TIMEOUT_SECONDS
    started = time.perf_counter()
    try:
        response = _session().post(
            url,
            data=delivery.body.encode(),
            headers=headers,
            timeout=(timeout, timeout),
            allow_redirects=False,
            stream=True,
        )
        read = 0
        for chunk in response.iter_content(1024):
            read += len(chunk)
            if read >= RESPONSE_READ_LIMIT:
                break
        response.close()
    except requests.RequestException as e:
        return Result(False, ms=_ms(started), error=type(e).__name__)
    ok = 200 <= response.status_code < 300
    return Result(ok, status=response.status_code, ms=_ms(started))


def _ms(started: float) -> float:
    return round((time.perf_counter() - started) * 1000, 1)


def backoff(attempts: int) -> timedelta:
    """Exponential with full jitter between half and all of it, at most an hour."""
    base = min(MAX_BACKOFF_SECONDS, settings.WEBHOOK_BACKOFF_SECONDS * 2 ** max(0, attempts - 1))
    return timedelta(seconds=base * random.uniform(0.5, 1.0))


def record(owner: str, batch: list[Delivery], results: list[Result], now: datetime) -> None:
    """Store each attempt (only on rows this owner still holds); endpoints' failing state."""
    give_up_before = now - timedelta(hours=settings.WEBHOOK_RETRY_HOURS)
    ok_endpoints, failed_endpoints = set(), {}
    with transaction.atomic():
        for delivery, result in zip(batch, results, strict=True):
            attempts = delivery.attempts + 1
            fields = {
                "attempts": attempts,
                "last_attempt_at": now,
                "last_status_code": result.status,
                "last_response_ms": result.ms,
                "last_error": result.error[:200],
                "claimed_by": "",
                "claimed_until": None,
            }
            if result.ok:
                fields.update(status=Delivery.Status.DELIVERED, delivered_at=now)
                fields["next_attempt_at"] = None
                ok_endpoints.add(delivery.endpoint_id)
            elif delivery.created_at < give_up_before:
                fields.update(status=Delivery.Status.FAILED, next_attempt_at=None)
                failed_endpoints[delivery.endpoint_id] = delivery.endpoint
            else:
                fields["next_attempt_at"] = now + backoff(attempts)
                failed_endpoints[delivery.endpoint_id] = delivery.endpoint
            Delivery.objects.filter(pk=delivery.pk, claimed_by=owner).update(**fields)
        if ok_endpoints:
            Endpoint.objects.filter(pk__in=ok_endpoints, failing_since__isnull=False).update(
                failing_since=None
            )
        failing = set(failed_endpoints) - ok_endpoints
        if failing:
            Endpoint.objects.filter(pk__in=failing, failing_since__isnull=True).update(
                failing_since=now
            )
    disable_before = now - timedelta(hours=settings.WEBHOOK_DISABLE_AFTER_HOURS)
    for pk in failing:
        endpoint = failed_endpoints[pk]
        if endpoint.failing_since and endpoint.failing_since < disable_before:
            services.endpoint_disable_failing(endpoint, now)


def deliver_due(owner: str | None = None, *, now: datetime | None = None, pool=None) -> int:
    """One round: claim, send, record. The number of deliveries attempted."""
    owner = owner or owner_name()
    clock = now
    now = now or timezone.now()
    size = batch_size()
    batch = claim(owner, limit=size, now=now, lease=lease_for(size))
    if not batch:
        return 0
    keys = {}
    for d in batch:
        if d.endpoint_id not in keys:
            keys[d.endpoint_id] = secrets_of(d.endpoint, now)
    jobs = [(d, keys[d.endpoint_id]) for d in batch]
    if pool is None:
        results = [send(d, k) for d, k in jobs]
    else:
        results = list(pool.map(lambda job: send(*job), jobs))
    record(owner, batch, results, clock or timezone.now())
    return len(batch)


def run_deliverer(stop: threading.Event) -> None:
    """Deliver due webhooks until `stop` is set (run_worker's thread)."""
    owner = owner_name()
    with ThreadPoolExecutor(max(1, settings.WEBHOOK_CONCURRENCY), "webhook-send") as pool:
        while not stop.is_set():
            wait = IDLE_POLL_SECONDS
            try:
                close_old_connections()
                if deliver_due(owner, pool=pool):
                    wait = 0
            except Exception:
                log.exception("webhooks: delivery round failed (retrying in 10 s)")
                wait = 10.0
            if wait:
                stop.wait(wait)
    connection.close()
