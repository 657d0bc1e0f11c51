"""The AICC client of a tenant, built from its stored settings."""

from django.conf import settings

from calls.aicc.client import AiccClient
from calls.aicc.reasons import Reason, decode
from calls.aicc.results import AiccConfig
from calls.services.outbound import Blocked, check
from calls.tokens import DbTokenSource
from console.models import Tenant


class NotConfigured(Exception):
    """The tenant's stored AICC settings cannot be used (no credentials yet, an address or key
    the client refuses, or an address the console does not connect to): nothing can be sent."""

    def __init__(self, code: str = "config"):
        super().__init__(code)
        self.code = code  # the transport reason: "config", or "blocked" (calls.services.outbound)

    def reason(self) -> Reason:
        return decode("transport", self.code)


def client_for(tenant: Tenant) -> AiccClient:
    """Raises NotConfigured when the tenant's settings cannot make a client."""
    if not tenant.has_credentials:
        raise NotConfigured
    token_url = tenant.aicc_token_url or tenant.aicc_base_url
    try:
        config = AiccConfig(
            base_url=tenant.aicc_base_url,
            token_url=token_url,
            app_key=tenant.app_key,
            app_secret=tenant.app_secret,
            token_lifetime=tenant.token_lifetime,
            call_type=tenant.call_type,
            connect_timeout=settings.AICC_CONNECT_TIMEOUT,
            read_timeout=settings.AICC_READ_TIMEOUT,
        )
    except ValueError as e:  # an address or key the client cannot use
        raise NotConfigured from e
    try:
        for url in (tenant.aicc_base_url, token_url):
            check(url, resolve=False)  # literal addresses only: no DNS lookup per call
    except Blocked as e:
        raise NotConfigured("blocked") from e
    return AiccClient(config, tokens=DbTokenSource(tenant.id))
