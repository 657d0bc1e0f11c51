"""Tenant settings and AICC credentials: saving them, testing the connection, and reading the
softphones AICC allocated to the tenant."""

import copy
from dataclasses import dataclass

from django.db import transaction

from calls.aicc.reasons import Reason
from calls.aicc.results import Phone
from calls.models import AiccToken
from calls.services.aicc import NotConfigured, client_for
from calls.services.outbound import Blocked, check
from console import audit
from console.connection_words import admin_words
from console.models import CREDENTIAL_FIELDS, SETTINGS_FIELDS, Tenant

PLAIN_CREDENTIALS = tuple(f for f in CREDENTIAL_FIELDS if f != "app_secret")
PHONE_PAGE = 100  # queryPhone returns at most 100 per page
MAX_PHONE_PAGES = 50


def tenant_settings_save(*, tenant: Tenant, data: dict, new_secret: str | None, actor) -> list:
    """Copy the cleaned form `data` onto the tenant (`new_secret`: a new app secret, "" to clear
    it, None to keep it), audit it, and drop the stored token when credentials changed. Returns
    the names of the changed fields."""
    fields = SETTINGS_FIELDS + PLAIN_CREDENTIALS
    before = audit.snapshot(tenant, fields)
    for f in fields:
        setattr(tenant, f, data[f])
    changes = audit.diff(before, audit.snapshot(tenant, fields))
    if new_secret is not None and new_secret != tenant.app_secret:
        tenant.app_secret = new_secret
        changes["app_secret"] = audit.CHANGED
    if not changes:
        return []
    credentials = {k: v for k, v in changes.items() if k in CREDENTIAL_FIELDS}
    others = {k: v for k, v in changes.items() if k not in CREDENTIAL_FIELDS}
    with transaction.atomic():
        tenant.save(update_fields=list(changes))
        if credentials or "token_lifetime" in others:
            # The stored token belongs to the old credentials (or lifetime): fetch anew next time.
            AiccToken.objects.filter(tenant=tenant).delete()
        for action, changed in (("credentials.change", credentials), ("settings.change", others)):
            if changed:
                audit.record(
                    tenant=tenant, actor=actor, action=action, target=tenant.name, changes=changed
                )
    return list(changes)


@dataclass
class ConnectionTest:
    ok: bool
    elapsed_ms: int
    reason: Reason | None = None

    @property
    def words(self):
        """The failure as the admin who pressed "Test connection" reads it."""
        return admin_words(self.reason) if self.reason is not None else None


def settings_candidate(tenant: Tenant, data: dict, new_secret: str | None) -> Tenant:
    """An unsaved copy of `tenant` with the settings form's cleaned `data` (and `new_secret`, as
    for tenant_settings_save): what "Test connection" tests. Never saved."""
    candidate = copy.copy(tenant)
    for f in SETTINGS_FIELDS + PLAIN_CREDENTIALS:
        setattr(candidate, f, data[f])
    if new_secret is not None:
        candidate.app_secret = new_secret
    return candidate


def connection_test(tenant: Tenant) -> ConnectionTest:
    """Fetch one token with `tenant`'s credentials (saved, or an unsaved settings_candidate).
    Nothing is cached or stored."""
    try:
        client = client_for(tenant)
        for url in (tenant.aicc_base_url, tenant.aicc_token_url):
            if url:
                check(url)  # the names resolved too
    except NotConfigured as e:
        return ConnectionTest(ok=False, elapsed_ms=0, reason=e.reason())
    except Blocked as e:
        return ConnectionTest(ok=False, elapsed_ms=0, reason=e.reason())
    outcome = client.fetch_token()
    elapsed = int(outcome.elapsed_ms or 0)
    if outcome.ok:
        return ConnectionTest(ok=True, elapsed_ms=elapsed)
    return ConnectionTest(ok=False, elapsed_ms=elapsed, reason=outcome.reason())


@dataclass
class Allocation:
    phones: list[Phone] | None  # None: the list could not be fetched
    reason: Reason | None = None


def fetch_allocation(tenant: Tenant) -> Allocation:
    """Every softphone AICC allocated to the tenant, page by page (never the SIP password)."""
    try:
        client = client_for(tenant)
    except NotConfigured as e:
        return Allocation(None, e.reason())
    phones: list[Phone] = []
    for _page in range(MAX_PHONE_PAGES):
        outcome = client.query_phones(offset=len(phones), limit=PHONE_PAGE)
        if not outcome.ok:
            return Allocation(None, outcome.reason())
        page = outcome.result
        phones.extend(page.phones)
        if not page.phones or len(phones) >= page.total:
            break
    return Allocation(phones)
