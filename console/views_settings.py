"""Tenant settings and AICC credentials: admins change them, supervisors may read them."""

import time
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_http_methods, require_POST

from calls import services
from calls.aicc.reasons import Reason, decode
from calls.models import AiccToken
from console import audit
from console.access import ADMIN_ONLY, READERS, tenant_access
from console.forms import CREDENTIAL_FIELDS, SETTINGS_FIELDS, TenantSettingsForm
from console.htmx import wants_partial
from console.models import Tenant

PLAIN_CREDENTIALS = tuple(f for f in CREDENTIAL_FIELDS if f != "app_secret")


@dataclass
class ConnectionTest:
    ok: bool
    elapsed_ms: int
    reason: Reason | None = None


def tenant_settings_save(*, tenant: Tenant, form: TenantSettingsForm, actor) -> list[str]:
    """Copy the form onto the tenant, audit it, and drop the cached token when credentials
    changed. Returns the names of the changed fields."""
    fields = SETTINGS_FIELDS + PLAIN_CREDENTIALS
    before = audit.snapshot(tenant, fields)
    for f in fields:
        setattr(tenant, f, form.cleaned_data[f])
    changes = audit.diff(before, audit.snapshot(tenant, fields))
    secret = form.new_secret()
    if secret is not None and secret != tenant.app_secret:
        tenant.app_secret = secret
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
        if credentials:
            audit.record(
                tenant=tenant,
                actor=actor,
                action="credentials.change",
                target=tenant.name,
                changes=credentials,
            )
        if others:
            audit.record(
                tenant=tenant,
                actor=actor,
                action="settings.change",
                target=tenant.name,
                changes=others,
            )
    return list(changes)


def connection_test(tenant: Tenant) -> ConnectionTest:
    """Fetch one token with the stored credentials. Nothing is cached or stored."""
    if not tenant.has_credentials:
        return ConnectionTest(ok=False, elapsed_ms=0, reason=decode("transport", "config"))
    try:
        client = services.client_for(tenant)
    except ValueError:  # an address or key the client cannot use
        return ConnectionTest(ok=False, elapsed_ms=0, reason=decode("transport", "config"))
    started = time.monotonic()
    outcome = client.fetch_token()
    elapsed = int(outcome.elapsed_ms or (time.monotonic() - started) * 1000)
    if outcome.ok:
        return ConnectionTest(ok=True, elapsed_ms=elapsed)
    return ConnectionTest(ok=False, elapsed_ms=elapsed, reason=outcome.reason())


def _render(request, m, form, *, test=None, status=200):
    if not m.is_admin:
        for field in form.fields.values():
            field.disabled = True
    ctx = {"m": m, "tenant": m.tenant, "form": form, "test": test, "read_only": not m.is_admin}
    tpl = "console/settings.html"
    if test is not None and wants_partial(request):
        tpl += "#test-result"
    return render(request, tpl, ctx, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def tenant_settings(request, tenant):
    m = tenant_access(request, tenant, roles=READERS)
    if request.method == "GET":
        return _render(request, m, TenantSettingsForm(tenant=m.tenant))
    if not m.is_admin:
        raise PermissionDenied  # supervisors read, only admins change
    form = TenantSettingsForm(request.POST, tenant=m.tenant)
    if not form.is_valid():
        return _render(request, m, form)
    changed = tenant_settings_save(tenant=m.tenant, form=form, actor=request.user)
    if changed:
        messages.success(request, _("Settings saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("tenant-settings", tenant=m.tenant.code)


@login_required
@require_POST
def settings_test(request, tenant):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    test = connection_test(m.tenant)
    return _render(request, m, TenantSettingsForm(tenant=m.tenant), test=test)
