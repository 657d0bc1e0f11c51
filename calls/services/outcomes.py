"""The real outcome of a placed call, from whichever of three sources speaks first.

- "push": AICC's release event posted to our per-tenant callback URL (aicc-api.md §12b);
- "cdr": the call record read by `manage.py sync_outcomes` or the "Refresh outcome" button
  (queryCallDetailRecord, §4);
- "poll": queryCallState (§5, calls.services.placing.call_refresh_state) says how a call ended but
  carries no times; it is provisional and a record (push or cdr) completes it.

Applied exactly once: every write is one UPDATE whose WHERE clause says "no record applied yet"
(`outcome_source` not in push/cdr), so the first record wins, a second delivery or a second
sync changes nothing, and two hosts racing on the same call cannot both write. This needs no
lock and holds on SQLite as on PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import logging
import os
import socket
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from calls.aicc.client import cdr_windows
from calls.aicc.parsing import parse_int, parse_time
from calls.aicc.results import CallRecord
from calls.models import Call, CallbackNonce, OutcomeSync, new_callback_token
from calls.services import health, wrapup
from calls.services.aicc import NotConfigured, client_for
from calls.services.placing import call_refresh_state
from console import audit
from console.models import Tenant
from hooks import events

log = logging.getLogger("calls.outcomes")

FINAL_SOURCES = ("push", "cdr")
SIGNATURE_MAX_AGE = timedelta(minutes=5)
SIGNATURE_FIELDS = ("timestamp", "nonce", "signature")
SYNC_OVERLAP = timedelta(hours=1)  # a call's record appears once it ends: re-read the last hour
SYNC_LEASE = timedelta(minutes=10)


@dataclass
class OutcomeData:
    code: str  # reasonCode / releaseReason
    state: int | None = 3
    agent_alerting_at: datetime | None = None
    agent_talking_at: datetime | None = None
    agent_released_at: datetime | None = None
    alerting_at: datetime | None = None
    talking_at: datetime | None = None
    released_at: datetime | None = None
    talk_seconds: int | None = None
    agent_talk_seconds: int | None = None

    @classmethod
    def from_record(cls, r: CallRecord) -> OutcomeData:
        return cls(
            code="" if r.reason_code is None else str(r.reason_code),
            state=r.state,
            agent_alerting_at=r.agent_alerting_time,
            agent_talking_at=r.agent_talking_time,
            agent_released_at=r.agent_release_time,
            alerting_at=r.alerting_time,
            talking_at=r.talking_time,
            released_at=r.release_time,
            talk_seconds=_nonneg(r.talk_duration),
            agent_talk_seconds=_nonneg(r.agent_talk_duration),
        )

    @classmethod
    def from_release_event(cls, p: dict[str, str]) -> OutcomeData:
        return cls(
            code=str(p.get("releaseReason") or "").strip(),
            agent_alerting_at=parse_time(p.get("agentAlertingTime")),
            agent_talking_at=parse_time(p.get("agentTalkingTime")),
            agent_released_at=parse_time(p.get("agentReleaseTime")),
            alerting_at=parse_time(p.get("alertingTime")),
            talking_at=parse_time(p.get("talkingTime")),
            released_at=parse_time(p.get("releaseTime")),
            talk_seconds=_nonneg(parse_int(p.get("talkDuration"))),
            agent_talk_seconds=_nonneg(parse_int(p.get("agentTalkDuration"))),
        )


def _nonneg(value: int | None) -> int | None:
    return value if value is not None and value >= 0 else None


def outcome_apply(*, tenant: Tenant, serial: str, source: str, data: OutcomeData) -> bool:
    """Store a call's final outcome once. True when this call wrote it, False when the call is
    unknown or a record was applied before (then nothing changes)."""
    if not serial or not data.code:
        return False
    fields = {
        "state": 3 if data.state is None else data.state,
        "outcome_code": data.code[:16],
        "outcome_source": source,
        "outcome_at": timezone.now(),
        "agent_alerting_at": data.agent_alerting_at,
        "agent_talking_at": data.agent_talking_at,
        "agent_released_at": data.agent_released_at,
        "alerting_at": data.alerting_at,
        "talking_at": data.talking_at,
        "released_at": data.released_at,
        "talk_seconds": data.talk_seconds,
        "agent_talk_seconds": data.agent_talk_seconds,
    }
    calls = Call.objects.filter(tenant=tenant, serial=serial)
    with events.outbox(tenant, "call.ended"):  # the webhook event with the change, if wanted
        n = calls.exclude(outcome_source__in=FINAL_SOURCES).update(**fields)
        if n:
            events.emit_calls(tenant, "call.ended", calls)
    if n:  # its wrap-up: awaiting the manager, automatic, or flagged (once per call)
        wrapup.after_outcome(tenant, calls.filter(wrapup_state=""))
        # Its softphone's health, once per call: from the record (with the agent leg's times),
        # never from a provisional polled outcome (calls.softphone_health).
        health.after_outcome(tenant, calls)
    return n > 0


def outcome_connected(*, tenant: Tenant, serial: str) -> bool:
    """The connection event (§12a): the customer answered. Only moves a call forward to
    "talking" (noting when, until the call's record says exactly); never touches an ended
    call."""
    if not serial:
        return False
    n = (
        Call.objects.filter(tenant=tenant, serial=serial, outcome_source="")
        .filter(Q(state__isnull=True) | Q(state__lt=2))
        .update(state=2, talking_at=Coalesce(F("talking_at"), Value(timezone.now())))
    )
    return n > 0


def apply_records(tenant: Tenant, records: list[CallRecord]) -> int:
    """Apply the ended records of one CDR page that match our calls: one SELECT, then one UPDATE
    per call still waiting for its record."""
    resolve_unknown(tenant, records)
    ended = {r.serial: r for r in records if r.serial and r.state == 3}
    if not ended:
        return 0
    waiting = (
        Call.objects.filter(tenant=tenant, serial__in=list(ended))
        .exclude(outcome_source__in=FINAL_SOURCES)
        .values_list("serial", flat=True)
    )
    applied = 0
    for serial in waiting:
        data = OutcomeData.from_record(ended[serial])
        applied += outcome_apply(tenant=tenant, serial=serial, source="cdr", data=data)
    return applied


# A call whose createCall answer was lost (timeout, dropped connection) is stored as "outcome
# unknown" without a serial number. AICC's call records tell whether it was placed after all.
# The vendor documents no request id to match on, so we match what we sent: the agent-side number
# (caller, else softphone), the customer's number, and a start time within a few minutes after
# our request. Only an unambiguous match (one record, used by no other call) resolves a call.
RESOLVE_BEFORE = timedelta(minutes=1)
RESOLVE_AFTER = timedelta(minutes=5)


def resolve_unknown(tenant: Tenant, records: list[CallRecord]) -> int:
    candidates = [r for r in records if r.serial and r.start_time and r.called]
    if not candidates:
        return 0
    lo = min(r.start_time for r in candidates) - RESOLVE_AFTER
    hi = max(r.start_time for r in candidates) + RESOLVE_BEFORE
    unknown = list(
        Call.objects.filter(
            tenant=tenant, status=Call.Status.UNKNOWN, serial="", created_at__range=(lo, hi)
        ).order_by("created_at", "id")
    )
    if not unknown:
        return 0
    taken = set(
        Call.objects.filter(tenant=tenant, serial__in=[r.serial for r in candidates]).values_list(
            "serial", flat=True
        )
    )
    resolved = 0
    for call in unknown:
        match = [
            r
            for r in candidates
            if r.serial not in taken
            and r.called == call.called
            and r.caller in {call.caller or call.softphone, call.softphone}
            and call.created_at - RESOLVE_BEFORE <= r.start_time <= call.created_at + RESOLVE_AFTER
        ]
        if len(match) != 1:
            continue
        record = match[0]
        with events.outbox(tenant, "call.placed"):
            n = Call.objects.filter(pk=call.pk, status=Call.Status.UNKNOWN, serial="").update(
                status=Call.Status.PLACED,
                serial=record.serial,
                detail=f"Placed after all: found in AICC's call records (the answer was lost: {call.reason_source} {call.reason_code})."[
                    :255
                ],
                reason_source="",
                reason_code="",
            )
            if n:
                events.emit_calls(tenant, "call.placed", Call.objects.filter(pk=call.pk))
        if n:
            taken.add(record.serial)
            resolved += 1
            log.info("call %s resolved from call records serial=%s", call.code, record.serial)
    return resolved


def task_types(tenant: Tenant) -> tuple[str, ...]:
    """queryCallDetailRecord taskType (§4): "0" is every task type except ITA two-way calls, "4"
    is ITA two-way calls. An AICC tenant needs "0" ("1", AICC two-way calls only, would be
    narrower, but "0" is what the vendor's sample sends and still holds our calls if AICC files
    them under another non-ITA type). An ITA tenant asks "4", and "0" too, for the calls it
    placed before switching to ITA."""
    return ("0", "4") if tenant.is_ita else ("0",)


# --- refresh one call --------------------------------------------------------------------------


def call_refresh_outcome(call: Call):
    """The detail page's "Refresh outcome": queryCallState, then the call's record once ended.
    Returns None, or the decoded reason of a failed query (shown next to the button)."""
    if call.outcome_source in FINAL_SOURCES:
        return None
    if not call.serial:
        if call.status != Call.Status.UNKNOWN:
            return None
        # Was it placed after all? Look for it in AICC's records of the minutes after it.
    else:
        call_refresh_state(call)
        if call.state != 3:
            return None
    now = timezone.now()
    start = call.created_at - timedelta(minutes=1)
    end = min(now, call.created_at + timedelta(days=1))
    try:
        client = client_for(call.tenant)
    except NotConfigured as e:
        return e.reason()
    for page in client.iter_cdr(
        start=start, end=end, task_types=task_types(call.tenant), caller=_agent_side(call)
    ):
        if not page.ok:
            return page.reason()
        match = [r for r in page.result.records if r.serial == call.serial]
        if not call.serial:
            apply_records(call.tenant, page.result.records)  # resolves it if it is there
        elif match:
            apply_records(call.tenant, match)
            break
    call.refresh_from_db()
    return None


def _agent_side(call: Call) -> str:
    number = call.caller or call.softphone
    return number if number.isdigit() and len(number) <= 32 else ""


# --- the callback settings (the admins' Callbacks page) ---------------------------------------


def callback_token_renew(*, tenant: Tenant, actor) -> OutcomeSync:
    """A new secret callback address: the old one stops working at once."""
    sync = sync_row(tenant)
    with transaction.atomic():
        sync.token = new_callback_token()
        sync.save(update_fields=["token"])
        audit.record(tenant=tenant, actor=actor, action="callbacks.token", target=tenant.name)
    return sync


def callback_key_set(*, tenant: Tenant, shared_key: str, actor) -> OutcomeSync:
    """Set the key pushed events must be signed with ("" clears it: events go unsigned)."""
    sync = sync_row(tenant)
    if shared_key == sync.shared_key:
        return sync
    with transaction.atomic():
        sync.shared_key = shared_key
        sync.save(update_fields=["shared_key"])
        audit.record(
            tenant=tenant,
            actor=actor,
            action="callbacks.key",
            target=tenant.name,
            changes={"shared_key": audit.CHANGED},
        )
    return sync


# --- the sync (manage.py sync_outcomes) --------------------------------------------------------


def sync_row(tenant: Tenant) -> OutcomeSync:
    try:
        return OutcomeSync.objects.get_or_create(tenant=tenant)[0]
    except IntegrityError:  # created by another process between our get and create
        return OutcomeSync.objects.get(tenant=tenant)


def sync_claim(tenant: Tenant, *, owner: str) -> OutcomeSync | None:
    """Take the tenant's sync for SYNC_LEASE, or None when another runner has it.

    PostgreSQL: SELECT ... FOR UPDATE SKIP LOCKED on the tenant's sync row, held only for the
    moment of the claim, so a second runner skips instead of waiting; the lease it writes then
    keeps others away while it reads AICC without holding a transaction (so no page ever waits
    on it). SQLite ignores FOR UPDATE, but this project opens transactions IMMEDIATE (settings):
    the claim runs under the database write lock, so two claims cannot interleave; and the
    outcome writes themselves are idempotent, so even an overlap could not apply anything twice.
    """
    sync = sync_row(tenant)
    now = timezone.now()
    with transaction.atomic():
        row = OutcomeSync.objects.select_for_update(skip_locked=True).filter(pk=sync.pk).first()
        if row is None or (row.lease_until and row.lease_until > now):
            return None
        row.lease_until = now + SYNC_LEASE
        row.lease_owner = owner[:100]
        row.last_run_at = now
        row.save(update_fields=["lease_until", "lease_owner", "last_run_at"])
    row.tenant = tenant
    return row


@dataclass
class SyncResult:
    tenant: Tenant
    applied: int = 0
    pages: int = 0
    error: str = ""
    skipped: bool = False


def runner_name() -> str:
    return f"{socket.gethostname()}:{os.getpid()}"


def outcome_sync_tenant(
    tenant: Tenant, *, days: int = 7, owner: str = "", since: datetime | None = None
) -> SyncResult:
    """Read the tenant's call records since the stored cursor (first run: `days` back), in
    <= 7-day windows with paging, and apply those matching our calls. The cursor advances only
    past fully read windows, so an interrupted run resumes where it stopped.

    `since`: read only from then (the worker's quick pass over recent calls, calls.services.sync);
    the cursor stays where the last full read left it."""
    result = SyncResult(tenant)
    sync = sync_claim(tenant, owner=owner or runner_name())
    if sync is None:
        result.skipped = True
        return result
    now = timezone.now()
    floor = now - timedelta(days=days)
    start = max(sync.cursor_at - SYNC_OVERLAP, floor) if sync.cursor_at else floor
    if since is not None:
        start = max(since, floor)
    started = time.monotonic()
    try:
        client = client_for(tenant)
        for w_start, w_end in cdr_windows(start, now):
            for page in client.iter_cdr(start=w_start, end=w_end, task_types=task_types(tenant)):
                result.pages += 1
                if not page.ok:
                    reason = page.reason()
                    result.error = f"{reason.source} {reason.code}: {reason.title}"[:255]
                    break
                result.applied += apply_records(tenant, page.result.records)
            if result.error:
                break
            moved = {"cursor_at": w_end} if since is None else {}
            OutcomeSync.objects.filter(pk=sync.pk).update(
                lease_until=timezone.now() + SYNC_LEASE, **moved
            )
    except NotConfigured as exc:
        reason = exc.reason()
        result.error = f"{reason.source} {reason.code}: {reason.title}"[:255]
    except Exception as exc:  # a fault here must not stop the other tenants' sync
        log.exception("sync_outcomes tenant=%s failed", tenant.slug)
        result.error = f"{type(exc).__name__}: {exc}"[:255]
    done = timezone.now()
    fields = {"lease_until": None, "lease_owner": "", "last_applied": result.applied}
    if result.error:
        fields.update(last_error=result.error, last_error_at=done)
    else:
        fields.update(last_ok_at=done, last_error="")
    OutcomeSync.objects.filter(pk=sync.pk).update(**fields)
    log.info(
        "sync_outcomes tenant=%s pages=%d applied=%d error=%s seconds=%.1f",
        tenant.slug,
        result.pages,
        result.applied,
        result.error or "-",
        time.monotonic() - started,
    )
    return result


# --- pushed events: signature (§12c) -----------------------------------------------------------


NONCE_MAX = 64


def nonce_first_use(tenant: Tenant, nonce: str) -> bool:
    """Record the nonce of a signed event; False when this tenant saw it already (a replay).
    Nonces are kept for twice the signature's time window: an older event fails on its
    timestamp anyway. Safe from several hosts at once (a unique row per tenant and nonce)."""
    now = timezone.now()
    CallbackNonce.objects.filter(tenant=tenant, seen_at__lt=now - 2 * SIGNATURE_MAX_AGE).delete()
    try:
        with transaction.atomic():
            CallbackNonce.objects.create(tenant=tenant, nonce=nonce, seen_at=now)
    except IntegrityError:
        return False
    return True


def signature_problem(params: dict[str, str], shared_key: str, *, now: float | None = None):
    """None when the body is signed with the tenant's shared key and fresh; else why not.

    §12c: the other parameters sorted by name, joined "k=v" with commas, prefixed with
    "<key>_<timestamp>_<nonce>_", SHA-256, Base64. The vendor's sample code imports
    javax.crypto.Mac, so an HMAC-SHA256 (keyed with the shared key, same text) is accepted too.
    Timestamps are epoch milliseconds (seconds tolerated) and must be within 5 minutes.
    """
    ts, nonce, signature = (params.get(k) for k in SIGNATURE_FIELDS)
    if not ts or not nonce or not signature:
        return "unsigned"
    if len(nonce) > NONCE_MAX:
        return "nonce too long"
    when = parse_time(ts)
    now_dt = datetime.fromtimestamp(time.time() if now is None else now, UTC)
    if when is None or abs(now_dt - when) > SIGNATURE_MAX_AGE:
        return "stale timestamp"
    rest = {k: v for k, v in params.items() if k not in SIGNATURE_FIELDS}
    joined = ",".join(f"{k}={'null' if rest[k] is None else rest[k]}" for k in sorted(rest))
    text = f"{shared_key}_{ts}_{nonce}_{joined}".encode()
    plain = base64.b64encode(hashlib.sha256(text).digest()).decode()
    keyed = base64.b64encode(hmac.new(shared_key.encode(), text, hashlib.sha256).digest()).decode()
    given = str(signature).strip().encode()
    if hmac.compare_digest(given, plain.encode()) or hmac.compare_digest(given, keyed.encode()):
        return None
    return "bad signature"
