from uuid import uuid4

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from console.models import Membership, Tenant


class ApiToken(models.Model):
    """A personal API token: it acts as its person, with their current role, in one tenant only.

    Only the SHA-256 of the token is stored (the token has 256 random bits, so a plain hash is
    enough: nothing to guess); `prefix` (its first characters) names it on pages and in lists. It
    goes with the membership: removing the person from the tenant deletes their tokens.
    `rate_window`/`rate_count` count this minute's requests (api/tokens.py)."""

    code = models.UUIDField(default=uuid4, unique=True, editable=False)  # in page URLs
    tenant = models.ForeignKey(Tenant, models.CASCADE, related_name="api_tokens")
    membership = models.ForeignKey(Membership, models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100)
    prefix = models.CharField(max_length=16)
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.SET_NULL, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField(_("expires"), null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)
    last_used_at = models.DateTimeField(null=True, blank=True)
    rate_window = models.BigIntegerField(default=0)  # the minute counted (Unix time // 60)
    rate_count = models.PositiveIntegerField(default=0)  # requests in that minute

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["tenant", "-created_at"], name="api_token_tenant")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    def state(self, now=None) -> str:
        """ "active", "revoked" or "expired"."""
        if self.revoked_at is not None:
            return "revoked"
        if self.expires_at is not None and self.expires_at <= (now or timezone.now()):
            return "expired"
        return "active"
