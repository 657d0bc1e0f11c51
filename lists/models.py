"""Call lists (issue 19): a list of customers to call, worked by customer managers through
"Call next" (lists/queue.py), set up and followed by supervisors and admins (lists/views.py).

An entry is queued (`queued`: status open or in retry) until it is done or closed. It may be
called once `available_at` has passed: the start of its due window, or after a failed attempt
the list's retry interval. A manager claims it (`claimed_by`, until `claim_expires_at`) before
calling, so two managers never get the same entry at once.
"""

from datetime import UTC, datetime
from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from calls.models import Call
from console.models import Tenant

NAME_MAX = 200
CONTEXT_MAX = 2000
# An entry without a due window's end sorts after every entry with one: the "next" query orders
# by one non-null column so that it walks its index (docs/performance.md, Issue 19).
NO_DUE_END = datetime(2999, 12, 31, tzinfo=UTC)


class CallList(models.Model):
    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in URLs and the API
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="call_lists")
    name = models.CharField(_("name"), max_length=NAME_MAX)
    description = models.TextField(_("description"), blank=True, max_length=2000)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner"),
    )
    starts_on = models.DateField(_("starts on"), null=True, blank=True)
    ends_on = models.DateField(_("ends on"), null=True, blank=True)
    paused = models.BooleanField(_("paused"), default=False)
    max_attempts = models.PositiveSmallIntegerField(_("attempts per entry at most"), default=3)
    retry_minutes = models.PositiveIntegerField(_("minutes before calling again"), default=60)
    # The pool: customer managers who draw the entries assigned to no one.
    members = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="call_lists", blank=True
    )
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["name", "id"]
        indexes = [models.Index(fields=["tenant", "name", "id"], name="calllist_tenant_name")]

    def __str__(self) -> str:
        return self.name


class ListEntry(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        RETRY = "retry", _("In retry")
        DONE = "done", _("Done")
        CLOSED = "closed", _("Closed")

    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    list = models.ForeignKey(CallList, models.CASCADE, related_name="entries")
    line = models.PositiveIntegerField(default=0)  # its line in the imported file
    number = models.CharField(_("number"), max_length=64)  # as given
    customer_number = models.CharField(max_length=20)  # E.164 (customers.numbers.to_e164)
    name = models.CharField(_("name"), max_length=NAME_MAX, blank=True)
    company = models.CharField(_("company"), max_length=NAME_MAX, blank=True)
    context = models.TextField(_("context"), blank=True)
    extra = models.JSONField(default=dict, blank=True)  # the file's other columns: {title: value}
    due_start = models.DateTimeField(null=True, blank=True)
    due_end = models.DateTimeField(null=True, blank=True)
    sort_due = models.DateTimeField(default=NO_DUE_END)  # due_end, or NO_DUE_END
    priority = models.SmallIntegerField(_("priority"), default=0)  # higher first
    assigned_to = models.ForeignKey(  # None: the list's pool
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    status = models.CharField(max_length=8, choices=Status, default=Status.OPEN)
    queued = models.BooleanField(default=True)  # status open or in retry (the "next" index)
    available_at = models.DateTimeField()  # not called before this
    attempts = models.PositiveSmallIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    last_call = models.ForeignKey(Call, models.SET_NULL, null=True, blank=True, related_name="+")
    worked_by = models.ForeignKey(  # who placed the last attempt
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    claimed_at = models.DateTimeField(null=True, blank=True)
    claim_expires_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["id"]
        indexes = [
            # "Call next" (lists.queue.claim_next): one index range per list and assignee, in
            # the queue's order.
            # (Partial on `queued`: Django writes `queued=True` as a bare `WHERE queued`, which
            # SQLite cannot seek an index column by, but matches to a partial index's condition.)
            models.Index(
                fields=["list", "assigned_to", "sort_due", "-priority", "id"],
                condition=models.Q(queued=True),
                name="listentry_next",
            ),
            # The progress page: counts per status and manager in one scan of this index alone.
            models.Index(
                fields=["list", "status", "worked_by", "assigned_to"], name="listentry_progress"
            ),
            # A manager's current claim.
            models.Index(fields=["claimed_by", "claim_expires_at"], name="listentry_claim"),
            # Duplicates at import.
            models.Index(fields=["list", "customer_number"], name="listentry_number"),
        ]

    def __str__(self) -> str:
        return f"{self.number} ({self.list_id})"

    @property
    def is_queued(self) -> bool:
        return self.status in (self.Status.OPEN, self.Status.RETRY)
