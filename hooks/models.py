"""A tenant's webhook endpoints and the outbox of their deliveries."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from console.crypto import EncryptedTextField
from console.models import Tenant


class Endpoint(models.Model):
    """A receiver the tenant registered: where to send which events, signed with its secret.

    `secret` is shown once (at creation and rotation); after a rotation `previous_secret` still
    signs (a second signature) until `previous_until`, so receivers can switch without a gap.
    `failing_since` is the first failed attempt since the last success: an endpoint failing for
    WEBHOOK_DISABLE_AFTER_HOURS is disabled (`disabled_reason` "failing") and its admins are told.
    """

    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in URLs
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="webhook_endpoints")
    url = models.URLField(_("URL"), max_length=500)
    description = models.CharField(_("description"), max_length=100, blank=True)
    events = models.JSONField(default=list)  # event type names (hooks.events.EVENT_TYPES)
    enabled = models.BooleanField(_("enabled"), default=True)
    secret = EncryptedTextField()
    previous_secret = EncryptedTextField(blank=True)
    previous_until = models.DateTimeField(null=True)
    failing_since = models.DateTimeField(null=True)
    disabled_at = models.DateTimeField(null=True)
    disabled_reason = models.CharField(max_length=16, blank=True)  # "failing" or "" (by an admin)
    created_at = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, related_name="+"
    )

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"webhook endpoint {self.code}"


class Delivery(models.Model):
    """One event for one endpoint: the outbox row, written in the transaction of the change that
    caused the event, then claimed and sent by a worker until the receiver answers 2xx (or it is
    given up after WEBHOOK_RETRY_HOURS). `body` is the exact JSON that is signed and sent."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        DELIVERED = "delivered", _("Delivered")
        FAILED = "failed", _("Given up")

    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="+")
    endpoint = models.ForeignKey(Endpoint, models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=40)  # the webhook-id: the same for every endpoint
    event_type = models.CharField(max_length=40)
    body = models.TextField()
    created_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status, default=Status.PENDING)
    next_attempt_at = models.DateTimeField(null=True)  # null once delivered or given up
    claimed_by = models.CharField(max_length=100, blank=True)
    claimed_until = models.DateTimeField(null=True)
    attempts = models.PositiveIntegerField(default=0)
    last_attempt_at = models.DateTimeField(null=True)
    last_status_code = models.PositiveSmallIntegerField(null=True)
    last_response_ms = models.FloatField(null=True)
    last_error = models.CharField(max_length=200, blank=True)
    delivered_at = models.DateTimeField(null=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["next_attempt_at"], name="hooks_delivery_due"),
            models.Index(fields=["endpoint", "-created_at"], name="hooks_delivery_endpoint"),
        ]

    def __str__(self) -> str:
        return f"delivery {self.event_id} to {self.endpoint_id}"
