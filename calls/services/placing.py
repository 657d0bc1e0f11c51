"""Workflows that touch the database and the AICC: placing a call, following it, sweeping.

Placing a call is three steps, in this order, so no fault or crash loses a record:
  1. commit the Call row (status "placing") with everything that will be sent;
  2. send createCall;
  3. store the answer (serial number, or the decoded failure, and the round-trip time).
A crash between 1 and 3 leaves a "placing" row that `sweep_calls` turns into "outcome unknown".
"""

import logging
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F, Q, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from calls import call_input
from calls.aicc.client import InvalidRequest
from calls.aicc.masking import mask_number as mask
from calls.aicc.results import Outcome
from calls.models import Call, live_q, live_since
from calls.numbers import from_tel_uri
from calls.services import health, wrapup
from calls.services.aicc import NotConfigured, client_for
from console import audit
from console.models import Membership, SoftphoneMapping, Tenant
from console.prepared import Prepared, insert_row, update_row
from customers.numbers import to_e164
from guardrails import preflight
from hooks import events

log = logging.getLogger("calls")
TRIAL_DAILY_LIMIT = 10  # createCall retCode 21: "exceeds the upper limit 10 per day" [doc]

# Transport faults after which the request may have reached AICC: the call may exist.
MAYBE_SENT_FAULTS = {"timeout", "reset", "bad_json", "no_retcode"}
MAYBE_SENT_HTTP = {502, 504}


def trial_calls_today(tenant: Tenant) -> int:
    """Calls this trial tenant has had accepted today (the vendor does not say which day boundary
    it uses; we count in the tenant's own time zone)."""
    tz = ZoneInfo(tenant.time_zone)
    start = datetime.now(tz).replace(hour=0, minute=0, second=0, microsecond=0)
    return tenant.calls.filter(
        created_at__gte=start, status__in=[Call.Status.PLACED, Call.Status.PLACING]
    ).count()


# Prepared (console/prepared.py): every placed call runs it. One query for the three things to
# know before calling: this form's own earlier submission (same key), the manager's live call
# (calls.models.live_q), and a call to the same number a moment ago that did not fail.
_BEFORE_CALL = Prepared(
    lambda tenant_id, user_id, earliest, since, key, called: (
        Call.objects.filter(tenant_id=tenant_id, user_id=user_id, created_at__gte=earliest)
        .filter(
            Q(idempotency_key=key)
            | live_q()
            | (Q(called=called, created_at__gte=since) & ~Q(status=Call.Status.FAILED))
        )
        .order_by("-created_at")[:3]
    ),
    tenant_id=int,
    user_id=int,
    earliest=datetime,
    since=datetime,
    key=str,
    called=str,
)


@dataclass
class Before:
    """What `_before_call` found: each is None when there is none."""

    mine: Call | None  # this form's own earlier submission
    live: Call | None  # the manager's live call
    recent: Call | None  # the newest call to the same number a moment ago that did not fail


def _before_call(membership: Membership, called: str, idempotency_key: str) -> Before:
    now = timezone.now()
    since = now - timedelta(seconds=settings.CALL_CONFIRM_WINDOW_SECONDS)
    earliest = min(since, live_since(now))
    rows = _BEFORE_CALL.all(
        tenant_id=membership.tenant_id,
        user_id=membership.user_id,
        earliest=earliest,
        since=since,
        key=idempotency_key,
        called=called,
    )
    for call in rows:
        call.tenant = membership.tenant
    return Before(
        mine=next((c for c in rows if c.idempotency_key == idempotency_key), None),
        live=next((c for c in rows if c.is_live(now)), None),
        recent=next(
            (
                c
                for c in rows
                if c.called == called and c.created_at >= since and c.status != Call.Status.FAILED
            ),
            None,
        ),
    )


@dataclass
class Placed:
    call: Call
    created: bool  # False: the idempotency key was seen before; this is the earlier call
    # Nothing was placed: the manager called this number a moment ago (`call` is that call) and
    # is to be asked first (only with call_place(ask_if_recent=True)).
    ask_first: bool = False
    # The console refused the input (calls/call_input.py): each field's messages. The call is
    # stored as failed (reason source "console"); nothing was sent.
    refused: dict[str, list[str]] = field(default_factory=dict)
    # Nothing was placed: the manager has a live call (`call`), and their softphone carries one
    # call at a time. They may wait for it, or stop following it and call anyway (replace_live).
    busy: bool = False
    # Nothing was placed: the tenant allows no call while the manager has answered calls
    # awaiting wrap-up, and `call` is the oldest of them (calls.services.wrapup).
    wrapup_due: bool = False
    # The guardrails' verdict (guardrails.preflight) on a call whose input passed: refused (the
    # call is stored as failed with the rule's console reason; nothing was sent), or ok, perhaps
    # with an override the manager typed a reason for.
    guard: preflight.Verdict | None = None


def call_place(
    *,
    membership: Membership,
    mapping: SoftphoneMapping,
    called: str,
    call_data: str = "",
    caller_present: str = "",
    idempotency_key: str,
    ask_if_recent: bool = False,
    replace_live: bool = False,
    override_reason: str = "",
) -> Placed:
    """Record the call, then ask AICC to place it, and store the answer.

    Nothing is recorded or sent while the manager has a live call (calls.models.live_q): the
    returned Placed says `busy`, with that call; with `replace_live` that call is no longer
    followed (not ended: `call_unfollow`) and this one goes ahead. With `ask_if_recent`, nothing
    is recorded or sent either if the same manager called the same number a moment ago: the
    returned Placed says `ask_first`, with that call. When the tenant allows no call while the
    manager's answered calls await their wrap-up, nothing is recorded or sent: `wrapup_due`,
    with the oldest of them. A resubmitted form is never refused or asked: it gets the call its
    first submission placed. Then the guardrails (guardrails.preflight: do-not-call, attempt
    caps, calling hours) refuse it, or let it go, past a rule with `override_reason` when the
    manager's role may call anyway."""
    tenant = membership.tenant
    # The one set of rules (web, command line, API): a call that breaks one is stored as failed
    # and never sent.
    checked = call_input.check(
        tenant,
        softphone=mapping.softphone,
        called=called,
        caller=mapping.calling_number,
        call_data=call_data,
        caller_present=caller_present,
    )
    values = checked.values
    if checked.ok:
        before = _before_call(membership, values["called"], idempotency_key)
        if before.mine is not None:  # this form's own earlier submission: that is the call
            return Placed(before.mine, created=False)
        due = wrapup.first_pending(membership)  # no query unless the tenant forbids it
        if due is not None:
            return Placed(due, created=False, wrapup_due=True)
        if before.live is not None:
            if not replace_live:
                return Placed(before.live, created=False, busy=True)
            call_unfollow(before.live)
        elif ask_if_recent and before.recent is not None:
            return Placed(before.recent, created=False, ask_first=True)
    call = Call(
        tenant=tenant,
        user_id=membership.user_id,
        # A refused value is kept as given, cut to its column.
        softphone=values["softphone"][:32],
        caller=values["caller"][:32],
        called=values["called"][:32],
        customer_number=customer_number(tenant, called, values["called"]),
        call_data=values["call_data"],
        caller_present=values["caller_present"][:32],
        call_type=tenant.call_type,
        idempotency_key=idempotency_key,
    )
    try:
        with transaction.atomic():
            insert_row(call)  # call.save(force_insert=True), prepared; committed before sending
    except IntegrityError:
        # A double click or a resubmitted form: the first submission owns the call.
        earlier = tenant.calls.get(user_id=membership.user_id, idempotency_key=idempotency_key)
        return Placed(earlier, created=False)
    # One INFO line per call: the AICC client's line for the createCall request (it carries the
    # call's code, the answer and the masked numbers), or below, the reason nothing was sent.
    log.debug(
        "call %s placing tenant=%s softphone=%s called=%s",
        call.code,
        tenant.slug,
        mask(call.softphone),
        mask(call.called),
    )

    refusal = checked.refusal()
    guard = None
    if refusal is None:  # the one pre-flight check: the call's own row is among those counted
        guard = preflight.check(
            membership, call.customer_number, own_call=True, override=override_reason
        )
        if not guard.ok:
            refusal = ("console", guard.code, guard.detail())
        elif guard.overridden:
            _override(call, membership, guard.overridden, override_reason)
    refusal = refusal or local_refusal(tenant, call)
    if refusal:
        source, code, detail = refusal
        _store(
            call, status=Call.Status.FAILED, reason_source=source, reason_code=code, detail=detail
        )
        _log_not_sent(call, tenant)
        return Placed(call, created=True, refused=checked.messages(), guard=guard)

    try:
        client = client_for(tenant)
    except NotConfigured as e:  # nothing was sent
        _store(call, status=Call.Status.FAILED, reason_source="transport", reason_code=e.code)
        _log_not_sent(call, tenant)
        return Placed(call, created=True)
    try:
        outcome = client.create_call(
            soft_phone=call.softphone,
            called=call.called,
            caller=call.caller,
            call_data=call.call_data,
            caller_present=call.caller_present,
            ref=str(call.code),
        )
    except InvalidRequest as e:
        # The client refused an argument before sending (call_input should have caught it
        # first): nothing went out, so the call failed; it is not "outcome unknown".
        log.warning("call %s: the AICC client refused the request: %s", call.code, e)
        _store(
            call,
            status=Call.Status.FAILED,
            reason_source="console",
            reason_code="input",
            detail=f"Refused by the console, nothing sent. {e}"[:255],
        )
        _log_not_sent(call, tenant)
        return Placed(call, created=True)
    except Exception:
        # A bug, not an AICC answer. The request may have gone out, so the call is "outcome
        # unknown" (sync_outcomes can still find it) and the manager gets the decoded reason,
        # not an error page; the traceback goes to the log.
        log.exception("call %s: placing failed inside the console", call.code)
        _store(
            call,
            status=Call.Status.UNKNOWN,
            reason_source="transport",
            reason_code="interrupted",
            answered_at=timezone.now(),
        )
        return Placed(call, created=True)
    store_create_outcome(call, outcome)
    return Placed(call, created=True, guard=guard)


def _override(call: Call, membership: Membership, code: str, reason: str) -> None:
    """The manager calls anyway past the guardrail `code`: kept on the call, and audited."""
    reason = " ".join(reason.split())[: preflight.OVERRIDE_MAX]
    update_row(call, override_code=code, override_reason=reason)
    audit.record(
        tenant=membership.tenant,
        actor=membership.user,
        action="call.override",
        target=f"{call.code} {mask(call.called)}",
        changes={"rule": code, "reason": reason},
    )


def customer_number(tenant: Tenant, dialled: str, sent: str) -> str:
    """The customer's number in E.164 (customers.numbers), from what the manager dialled in the
    tenant's region; from what is sent when that does not read (it never carries a "+")."""
    return to_e164(from_tel_uri(dialled), tenant.default_region) or to_e164(
        sent, tenant.default_region
    )


def _log_not_sent(call: Call, tenant: Tenant) -> None:
    log.info(
        "call %s failed, not sent: reason=%s:%s tenant=%s softphone=%s called=%s",
        call.code,
        call.reason_source,
        call.reason_code,
        tenant.slug,
        mask(call.softphone),
        mask(call.called),
    )


def local_refusal(tenant: Tenant, call: Call) -> tuple[str, str, str] | None:
    """Failures the console knows before sending; decoded with the same codes AICC would use."""
    if not tenant.has_credentials:
        return ("transport", "config", "")
    if tenant.is_trial:
        trust = tenant.trustlist
        agent_number = call.caller or call.softphone
        if trust and agent_number not in trust:
            return (
                "createCall",
                "16",
                "Refused by the console: the agent number is not on the recorded trustlist.",
            )
        # This call's own row is already counted.
        if trial_calls_today(tenant) > TRIAL_DAILY_LIMIT:
            return (
                "createCall",
                "21",
                "Refused by the console: the trial limit of 10 calls today is used up.",
            )
    return None


def store_create_outcome(call: Call, outcome: Outcome) -> None:
    fields = {
        "elapsed_ms": outcome.elapsed_ms,
        "answered_at": timezone.now(),
        "http_status": outcome.http_status,
        "ret_msg": (outcome.ret_msg or "")[:255],
        "detail": (outcome.detail or "")[:255],
    }
    if outcome.ok:
        fields.update(
            status=Call.Status.PLACED,
            serial=outcome.result.serial,
            reason_source="",
            reason_code="",
        )
    else:
        reason = outcome.reason()
        maybe_sent = (outcome.kind == "transport" and outcome.fault in MAYBE_SENT_FAULTS) or (
            outcome.kind == "http" and outcome.http_status in MAYBE_SENT_HTTP
        )
        fields.update(
            status=Call.Status.UNKNOWN if maybe_sent else Call.Status.FAILED,
            reason_source=reason.source,
            reason_code=reason.code,
        )
    _store(call, **fields)
    if call.status == Call.Status.FAILED:  # createCall refused the softphone's number?
        health.after_refusal(call.tenant, call)
    log.debug(  # the AICC client logged the request and its answer at INFO
        "call %s %s serial=%s reason=%s:%s elapsed_ms=%.1f",
        call.code,
        call.status,
        call.serial or "-",
        call.reason_source or "-",
        call.reason_code or "-",
        outcome.elapsed_ms,
    )


STATUS_EVENTS = {Call.Status.PLACED: "call.placed", Call.Status.FAILED: "call.failed"}


def _store(call: Call, **fields) -> None:
    event = STATUS_EVENTS.get(fields.get("status"))
    if event is None or not events.wanted(call.tenant, event):
        update_row(call, **fields)  # Call.objects.filter(pk=call.pk).update(**fields), prepared
        return
    with transaction.atomic():  # the webhook outbox row with the change (hooks.events)
        update_row(call, **fields)
        events.emit_call(call, event)


def call_refresh_state(call: Call) -> Call:
    """Ask queryCallState once and store what it says. State only moves forward (a pushed event
    may have got there first), and the outcome is written only while none is stored: a call
    record (event or CDR) arriving later completes it with times and durations. What the
    console saw itself is kept until then: when the call was first seen talking, and when it
    ended (queryCallState's endTime), so the end can say how long the customer talked."""
    if not call.serial or call.state == 3:
        return call
    try:
        outcome = client_for(call.tenant).query_call_state(call.serial)
    except NotConfigured:  # nothing to ask with
        return call
    if not outcome.ok or outcome.result.state is None:
        return call
    st = outcome.result
    now = timezone.now()
    forward = {"state": st.state}
    if st.state == 2:
        forward["talking_at"] = Coalesce(F("talking_at"), Value(now))
    Call.objects.filter(pk=call.pk).filter(Q(state__isnull=True) | Q(state__lt=st.state)).update(
        **forward
    )
    ended = 0
    if st.state == 3 and st.reason_code is not None:
        ended = Call.objects.filter(pk=call.pk, outcome_code="").update(
            outcome_code=str(st.reason_code),
            outcome_source="poll",
            outcome_at=now,
            released_at=Coalesce(F("released_at"), Value(st.end_time or now)),
        )
    call.refresh_from_db(
        fields=[
            "state",
            "outcome_code",
            "outcome_source",
            "outcome_at",
            "talking_at",
            "released_at",
        ]
    )
    if ended:  # its wrap-up: awaiting the manager, automatic, or flagged (once per call)
        wrapup.after_outcome(call.tenant, [call])
    return call


def call_unfollow(call: Call) -> bool:
    """The manager stops following a live call: it is no longer their live call (the in-call
    bar goes, another call may start). It is not ended: AICC may still carry it, and its outcome
    still arrives (pushed events, call records). True when this changed the call."""
    now = timezone.now()
    n = Call.objects.filter(pk=call.pk, unfollowed_at__isnull=True).update(unfollowed_at=now)
    if n:
        call.unfollowed_at = now
        log.debug("call %s no longer followed", call.code)
    return n > 0


def sweep_calls(*, older_than: timedelta | None = None) -> int:
    """Calls stuck in "placing" (the process died between commit and answer) become "outcome
    unknown". One UPDATE with the status in its WHERE clause: safe from several hosts at once."""
    cutoff = timezone.now() - (older_than or timedelta(seconds=settings.CALL_STUCK_AFTER_SECONDS))
    return Call.objects.filter(status=Call.Status.PLACING, created_at__lt=cutoff).update(
        status=Call.Status.UNKNOWN,
        reason_source="transport",
        reason_code="interrupted",
        answered_at=datetime.now(UTC),
    )
