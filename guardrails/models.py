"""The tenant's do-not-call list. The other guardrails (caps, calling hours, holidays, who may
override) are the tenant's settings (console.models.Tenant): the pre-flight reads them from the
tenant row it already has, without a query."""

from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from console.models import Tenant

REASON_MAX = 200


class DoNotCall(models.Model):
    """A number the tenant does not call (E.164, customers.numbers), until `expires_at` if set."""

    code = models.UUIDField(default=uuid4, unique=True, editable=False)
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="do_not_call")
    number = models.CharField(_("number"), max_length=20)
    reason = models.CharField(_("reason"), max_length=REASON_MAX, blank=True)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField(_("until"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # One entry per number: the pre-flight's lookup is this unique index.
            models.UniqueConstraint(fields=["tenant", "number"], name="dnc_tenant_number"),
        ]
        indexes = [
            models.Index(fields=["tenant", "-created_at", "-id"], name="dnc_tenant_recent"),
        ]

    def __str__(self) -> str:
        return f"do-not-call {self.pk}"
