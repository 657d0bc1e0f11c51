import secrets
from datetime import datetime, timedelta
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Substr
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from console.crypto import EncryptedTextField
from console.models import Tenant


class LocalDayField(models.DateField):
    """The day of the row's created_at in its tenant's time zone, computed on insert (by save(),
    bulk_create and console.prepared.insert_row alike, which all call pre_save) when not given."""

    def pre_save(self, model_instance, add):
        value = getattr(model_instance, self.attname)
        if add and value is None and model_instance.created_at is not None:
            from zoneinfo import ZoneInfo

            tz = ZoneInfo(model_instance.tenant.time_zone)
            value = model_instance.created_at.astimezone(tz).date()
            setattr(model_instance, self.attname, value)
        return value


class AiccToken(models.Model):
    """The tenant's current AICC access token, shared by every process and host.

    The token is encrypted like the app secret. `key_fingerprint` ties it to the credentials that
    fetched it, so changing the app key, secret or URL makes it stale at once.
    """

    tenant = models.OneToOneField(Tenant, models.CASCADE, related_name="aicc_token")
    token = EncryptedTextField(blank=True)
    key_fingerprint = models.CharField(max_length=64, blank=True)
    expires_at = models.DateTimeField(null=True)  # from the lifetime AICC granted (Expires)
    lifetime = models.PositiveIntegerField(default=0)  # seconds granted; 0: not recorded
    fetched_at = models.DateTimeField(null=True)
    fetch_count = models.PositiveIntegerField(default=0)

    def __str__(self) -> str:
        return f"token for {self.tenant_id}"


class WrapUpState(models.TextChoices):
    """Where a call's after-call work stands (calls.services.wrapup, docs/contract-choices.md)."""

    NONE = "", _("No wrap-up")  # not needed, or not decided yet (the call has not ended)
    PENDING = "pending", _("Awaiting wrap-up")  # a connected call the manager must wrap up
    DONE = "done", _("Wrapped up")  # by a person
    AUTO = "auto", _("Wrapped up automatically")  # from the outcome of a call never connected
    PHONE = "phone", _("Your phone was not reached")  # no customer disposition: flagged


class Call(models.Model):
    class Status(models.TextChoices):
        PLACING = "placing", _("Placing")
        PLACED = "placed", _("Placed")
        FAILED = "failed", _("Failed")
        UNKNOWN = "unknown", _("Outcome unknown")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="calls")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="calls"
    )
    # What was sent (copied at the time of the call, so later mapping changes don't rewrite history).
    softphone = models.CharField(max_length=32)
    caller = models.CharField(max_length=32, blank=True)
    called = models.CharField(max_length=32)
    # The number's first four digits, kept by the database (calls/number_search.py: a 4- or
    # 5-digit prefix reads its newest calls from call_tenant_head_recent, however many match).
    called_head = models.GeneratedField(
        expression=Substr("called", 1, 4),
        output_field=models.CharField(max_length=4),
        db_persist=True,
    )
    # The customer: what was dialled in E.164 (customers.numbers, the tenant's default region),
    # set once when the call is placed; "" when it is no possible phone number.
    customer_number = models.CharField(max_length=20, blank=True, default="")
    call_data = models.TextField(blank=True)
    caller_present = models.CharField(max_length=32, blank=True)
    call_type = models.CharField(max_length=8, default="AICC")
    idempotency_key = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)
    # The day of created_at in the tenant's time zone, set once at insert (never changes): the
    # dashboard's rollups (calls/rollups.py) count the call on it. After created_at (its value).
    local_day = LocalDayField(null=True, editable=False)
    # The answer to createCall.
    status = models.CharField(max_length=10, choices=Status, default=Status.PLACING)
    serial = models.CharField(max_length=50, blank=True)
    reason_source = models.CharField(max_length=24, blank=True)  # a source of calls.aicc.reasons
    reason_code = models.CharField(max_length=32, blank=True)
    ret_msg = models.CharField(max_length=255, blank=True)
    http_status = models.PositiveSmallIntegerField(null=True)
    detail = models.CharField(max_length=255, blank=True)  # raw answer excerpt or fault detail
    elapsed_ms = models.FloatField(null=True)
    answered_at = models.DateTimeField(null=True)
    # The real outcome (queryCallState, pushed events or call records), stored once.
    state = models.PositiveSmallIntegerField(null=True)
    outcome_code = models.CharField(max_length=16, blank=True)
    outcome_source = models.CharField(max_length=8, blank=True)
    outcome_at = models.DateTimeField(null=True)
    agent_alerting_at = models.DateTimeField(null=True)
    agent_talking_at = models.DateTimeField(null=True)
    agent_released_at = models.DateTimeField(null=True)
    alerting_at = models.DateTimeField(null=True)
    talking_at = models.DateTimeField(null=True)
    released_at = models.DateTimeField(null=True)
    talk_seconds = models.PositiveIntegerField(null=True)
    agent_talk_seconds = models.PositiveIntegerField(null=True)
    # Following the call while it is live (calls.services.following): when the manager stopped
    # following it ("stop following and call anyway": not ended, just no longer live for the
    # console), and when the console may next ask AICC's queryCallState about it (the back-off).
    unfollowed_at = models.DateTimeField(null=True)
    next_check_at = models.DateTimeField(null=True)
    checks = models.PositiveIntegerField(default=0)
    # After-call work (calls.services.wrapup), copied here from the call's WrapUp so the history
    # filters and the manager's "awaiting wrap-up" stay one index each (docs/performance.md).
    wrapup_state = models.CharField(max_length=8, choices=WrapUpState, blank=True, default="")
    disposition = models.ForeignKey(
        "calls.Disposition", models.PROTECT, null=True, blank=True, related_name="+"
    )
    has_note = models.BooleanField(default=False)
    # The guardrail (guardrails.preflight: a console reason code such as "do_not_call") this call
    # went past with its manager's typed reason; "" for a call that needed no override.
    override_code = models.CharField(max_length=32, blank=True, default="")
    override_reason = models.CharField(max_length=255, blank=True, default="")

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # Per person: another manager's key never finds someone else's call.
            models.UniqueConstraint(
                fields=["tenant", "user", "idempotency_key"], name="call_idempotency_key_per_user"
            ),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="call_tenant_recent"),
            models.Index(
                fields=["tenant", "user", "-created_at", "-id"], name="call_tenant_user_recent"
            ),
            models.Index(
                fields=["tenant", "status", "-created_at", "-id"], name="call_tenant_status_recent"
            ),
            # The number prefix on SQLite (calls/number_search.py): created_at in the index sorts
            # the matches without reading their rows.
            models.Index(fields=["tenant", "called", "created_at"], name="call_tenant_called_at"),
            models.Index(
                fields=["tenant", "called_head", "-created_at", "-id"],
                name="call_tenant_head_recent",
            ),
            models.Index(fields=["tenant", "serial"], name="call_tenant_serial"),
            # A customer's timeline and the call form's customer card (calls/timeline.py).
            models.Index(
                fields=["tenant", "customer_number", "-created_at", "-id"],
                name="call_tenant_customer_recent",
            ),
            models.Index(fields=["status", "created_at"], name="call_status_created"),
            # History filter "reason" (by code); the order matches the keyset pagination.
            models.Index(
                fields=["tenant", "reason_source", "reason_code", "-created_at", "-id"],
                name="call_tenant_reason_recent",
            ),
            # History filter "reason" by a placed call's outcome (a code, or a meaning group).
            models.Index(
                fields=["tenant", "outcome_code", "-created_at", "-id"],
                name="call_tenant_outcome_recent",
            ),
            # Calls still waiting for AICC's record of how they ended (calls.services.sync): few
            # at any time, so the history's "n calls waiting" and the worker's search stay small.
            # (status is in the key too, so SQLite's planner, without statistics, prefers it to
            # call_tenant_status_recent.)
            models.Index(
                fields=["tenant", "status", "created_at"],
                condition=models.Q(status="placed", outcome_source__in=["", "poll"]),
                name="call_waiting_outcome",
            ),
            # History filters "disposition" and "has a note"; the manager's calls awaiting wrap-up.
            models.Index(
                fields=["tenant", "disposition", "-created_at", "-id"],
                name="call_tenant_disposition_recent",
            ),
            models.Index(
                fields=["tenant", "-created_at", "-id"],
                condition=models.Q(has_note=True),
                name="call_tenant_noted_recent",
            ),
            models.Index(
                fields=["tenant", "user", "created_at"],
                condition=models.Q(wrapup_state="pending"),
                name="call_wrapup_pending",
            ),
            # PostgreSQL only (calls/migrations/0002): (tenant_id, called varchar_pattern_ops)
            # for the number prefix and a pg_trgm GIN index for "contains"; SQLite only
            # (calls/migrations/0014): an FTS5 trigram table for "contains".
        ]

    def __str__(self) -> str:
        return f"call {self.code}"

    def reason(self, reader=None):
        """The decoded reason for a failed or unknown call (None while placing or once placed),
        in `reader`'s words (calls.readers.reader_for; without one, the caller's)."""
        from calls.aicc.reasons import decode

        if not self.reason_source:
            return None
        return decode(self.reason_source, self.reason_code, reader)

    def outcome(self, reader=None):
        """The decoded outcome of the call once known, in `reader`'s words."""
        from calls.aicc.reasons import decode

        if not self.outcome_code:
            return None
        source = "outcome_ita" if self.call_type == "ITA" else "outcome"
        return decode(source, self.outcome_code, reader)

    @property
    def ended(self) -> bool:
        return self.state == 3

    def is_live(self, now: datetime) -> bool:
        """The Python twin of `live_q` (docs/contract-choices.md, "One live call")."""
        return (
            self.status in LIVE_STATUSES
            and not self.ended
            and self.unfollowed_at is None
            and self.created_at >= live_since(now)
        )


# A live call: placed (or being placed), not ended, still followed, and not older than
# CALL_LIVE_MINUTES (a call the console never heard the end of stops counting as live then).
LIVE_STATUSES = (Call.Status.PLACING, Call.Status.PLACED)


def live_since(now: datetime) -> datetime:
    return now - timedelta(minutes=settings.CALL_LIVE_MINUTES)


def live_q() -> Q:
    """Live calls, apart from their age (filter created_at >= live_since(now) with it)."""
    return Q(status__in=LIVE_STATUSES, unfollowed_at__isnull=True) & (
        Q(state__isnull=True) | Q(state__lt=3)
    )


def new_callback_token() -> str:
    return secrets.token_urlsafe(32)


class OutcomeSync(models.Model):
    """Per tenant: where AICC pushes call events (an unguessable URL token and an optional
    shared key for signatures) and how far `manage.py sync_outcomes` has read the call records.

    The token is stored in clear: it is looked up on every pushed event and shown to the admin
    (like a healthchecks ping URL). The shared key is encrypted at rest and write-only in forms.
    """

    tenant = models.OneToOneField(Tenant, models.CASCADE, related_name="outcome_sync")
    token = models.CharField(max_length=64, unique=True, default=new_callback_token)
    shared_key = EncryptedTextField(blank=True)
    # Call records are fully read up to here (start times); the next run starts a little earlier.
    cursor_at = models.DateTimeField(null=True)
    # A runner owns the tenant's sync until this moment (claimed under a row lock, see outcomes).
    lease_until = models.DateTimeField(null=True)
    lease_owner = models.CharField(max_length=100, blank=True)
    last_run_at = models.DateTimeField(null=True)
    last_ok_at = models.DateTimeField(null=True)
    last_error = models.CharField(max_length=255, blank=True)
    last_error_at = models.DateTimeField(null=True)
    last_applied = models.PositiveIntegerField(default=0)
    last_push_at = models.DateTimeField(null=True)
    last_rejection = models.CharField(max_length=255, blank=True)
    last_rejection_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"outcome sync for {self.tenant_id}"


class CallbackNonce(models.Model):
    """A nonce of a signed event AICC pushed, kept while its timestamp could still pass the
    signature's time window, so the same signed event is accepted once (calls.services.outcomes
    .nonce_first_use)."""

    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    nonce = models.CharField(max_length=64)
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tenant", "nonce"], name="callback_nonce_once")
        ]
        indexes = [models.Index(fields=["tenant", "seen_at"], name="callback_nonce_seen")]

    def __str__(self) -> str:
        return self.nonce


class PeriodicJob(models.Model):
    """When a periodic background job (calls/tasks.py) is next due. Whichever worker moves
    `next_run_at` on (one conditional UPDATE) enqueues the job, so several worker hosts enqueue
    each run once."""

    name = models.CharField(max_length=40, primary_key=True)
    next_run_at = models.DateTimeField()
    last_enqueued_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return self.name


# --- after-call work: dispositions and wrap-ups ------------------------------------------------


def label_in_language(en: str | None, zh: str | None) -> str:
    """A disposition's label in the active language, else the other one ("" if neither)."""
    zh_first = (get_language() or "").lower().startswith("zh")
    first, other = (zh, en) if zh_first else (en, zh)
    return first or other or ""


class Disposition(models.Model):
    """What came of a call, as the tenant's admin names it (both languages as typed). Archived
    ones stay on the calls that have them and are no longer offered. `auto_outcomes` lists the
    decoded outcomes of a call never connected that this disposition wraps up by itself:
    `group:<meaning>` (calls.aicc.reasons.Group) or `<source>:<code>`, space-separated; a code
    wins over a group."""

    class Kind(models.TextChoices):
        CONNECTED = "connected", _("Connected (the customer answered)")
        NOT_CONNECTED = "not_connected", _("Not connected")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="dispositions")
    key = models.SlugField(_("key"), max_length=40)
    label_en = models.CharField(_("label in English"), max_length=60, blank=True)
    label_zh = models.CharField(_("label in Chinese"), max_length=60, blank=True)
    group = models.CharField(_("group"), max_length=16, choices=Kind, default=Kind.CONNECTED)
    order = models.PositiveIntegerField(default=0)
    archived = models.BooleanField(_("archived"), default=False)
    auto_outcomes = models.CharField(_("automatic for these outcomes"), max_length=255, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["order", "id"]
        constraints = [
            models.UniqueConstraint(fields=["tenant", "key"], name="disposition_key_in_tenant")
        ]

    def __str__(self) -> str:
        return self.label

    @property
    def label(self) -> str:
        """The label in the reader's language, else the other one."""
        return label_in_language(self.label_en, self.label_zh) or self.key

    @property
    def outcome_list(self) -> list[str]:
        return self.auto_outcomes.split()


class WrapUp(models.Model):
    """A call's wrap-up (one per call): its disposition and note, by its author (None: made
    automatically from the call's outcome). Every change is a WrapUpChange."""

    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    call = models.OneToOneField(Call, models.CASCADE, related_name="wrap_up")
    disposition = models.ForeignKey(Disposition, models.PROTECT, related_name="+")
    note = models.TextField(blank=True)
    # A private note: only its author, supervisors and admins read it; colleagues who see the
    # call (the customer's timeline) see the disposition without the note (`note_for`).
    note_private = models.BooleanField(default=False)
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    automatic = models.BooleanField(default=False)
    # When its author wrapped up (or took over the automatic wrap-up): their edit window starts.
    wrapped_at = models.DateTimeField()
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"wrap-up of {self.call_id}"

    def note_for(self, membership) -> str:
        """The note as `membership` may read it: a private note only for its author and for
        supervisors and admins ("" for everyone else)."""
        if self.note_private and not (
            membership.can_read_history or self.author_id == membership.user_id
        ):
            return ""
        return self.note


class WrapUpChange(models.Model):
    """One write of a wrap-up: who, when, before and after ({"disposition": id, "note": ...,
    "note_private": bool}; before is {} for the first; older changes have no "note_private")."""

    wrap_up = models.ForeignKey(WrapUp, models.CASCADE, related_name="changes")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField()
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"change of {self.wrap_up_id}"


class WrapUpComment(models.Model):
    """A supervisor's or an admin's comment on a call's wrap-up (kept; never edited)."""

    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    call = models.ForeignKey(Call, models.CASCADE, related_name="wrapup_comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    text = models.TextField()
    at = models.DateTimeField()

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"comment on {self.call_id}"


class FollowUp(models.Model):
    """A call a customer manager is to make to a customer at a set time (issue 18, "Follow-ups"):
    scheduled from a call's wrap-up, the follow-ups page or the API; worked from the
    manager's list (calls/followup_views.py). `called` is the customer's number as dialled (the
    call form's rules, calls/call_input.py); `placed_call` the last call placed from it, whose
    wrap-up completes it (calls.services.followups.follow_ups_complete_for_call);
    `due_notified_at` when the `followup.due` webhook was written (once per due time)."""

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        DONE = "done", _("Done")
        CANCELLED = "cancelled", _("Cancelled")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in URLs and the API
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="follow_ups")
    called = models.CharField(max_length=32)
    # E.164 (customers.numbers.to_e164, the tenant's region): the customer on their timeline and
    # card; "" when what was dialled is no phone number.
    customer_number = models.CharField(max_length=20, blank=True, default="")
    due_at = models.DateTimeField()
    note = models.TextField(blank=True)  # at most FOLLOW_UP_NOTE_MAX (checked by the services)
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="follow_ups"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    source_call = models.ForeignKey(
        Call, models.SET_NULL, null=True, blank=True, related_name="follow_ups_scheduled"
    )
    status = models.CharField(max_length=10, choices=Status, default=Status.OPEN)
    cancel_reason = models.CharField(max_length=200, blank=True)
    done_at = models.DateTimeField(null=True, blank=True)  # done or cancelled
    placed_call = models.ForeignKey(
        Call, models.SET_NULL, null=True, blank=True, related_name="follow_ups_placed"
    )
    due_notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["due_at", "id"]
        indexes = [
            # A manager's list and the navigation's count: one index range per group.
            models.Index(
                fields=["tenant", "assignee", "status", "due_at", "id"],
                name="followup_assignee_due",
            ),
            # A customer's open follow-ups (the card, the timeline).
            models.Index(
                fields=["tenant", "customer_number", "-due_at", "-id"],
                name="followup_customer_due",
            ),
            # A supervisor's list of the whole tenant.
            models.Index(fields=["tenant", "status", "due_at", "id"], name="followup_tenant_due"),
            # The worker's `followup.due` job: open follow-ups not yet announced.
            models.Index(
                fields=["due_at"],
                condition=models.Q(status="open", due_notified_at__isnull=True),
                name="followup_due_unnotified",
            ),
            # (A call's wrap-up finds the follow-up placed from it by placed_call's FK index.)
        ]

    def __str__(self) -> str:
        return f"follow-up {self.code}"

    @property
    def is_open(self) -> bool:
        return self.status == self.Status.OPEN


FOLLOW_UP_NOTE_MAX = 2000
CANCEL_REASON_MAX = 200


# The dashboard's rollups (kept in step with calls_call by triggers: calls/rollups.py).
from calls.rollup_models import (  # noqa: E402, F401
    DayRollup,
    DispositionMonthRollup,
    DispositionRollup,
    MonthRollup,
    ReasonRollup,
)
