"""The AICC client of a tenant, built from its stored settings."""

from django.conf import settings

from calls.aicc.client import AiccClient
from calls.aicc.reasons import Reason, decode
from calls.aicc.results import AiccConfig
from calls.tokens import DbTokenSource
from console.models import Tenant


class NotConfigured(Exception):
    """The tenant's stored AICC settings cannot be used (no credentials yet, or an address or
    key the client refuses): nothing can be sent."""

    def reason(self) -> Reason:
        return decode("transport", "config")


def client_for(tenant: Tenant) -> AiccClient:
    """Raises NotConfigured when the tenant's settings cannot make a client."""
    if not tenant.has_credentials:
        raise NotConfigured
    try:
        config = AiccConfig(
            base_url=tenant.aicc_base_url,
            token_url=tenant.aicc_token_url or tenant.aicc_base_url,
            app_key=tenant.app_key,
            app_secret=tenant.app_secret,
            token_lifetime=tenant.token_lifetime,
            call_type=tenant.call_type,
            connect_timeout=settings.AICC_CONNECT_TIMEOUT,
            read_timeout=settings.AICC_READ_TIMEOUT,
        )
        return AiccClient(config, tokens=DbTokenSource(tenant.id))
    except ValueError as e:
        raise NotConfigured from e
