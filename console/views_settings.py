"""Tenant settings and AICC credentials: admins change them, supervisors may read them."""

from dataclasses import replace

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calls.callback_views import callback_status
from calls.readers import reader_for
from console.access import ADMIN_ONLY, READERS, tenant_view
from console.forms import TenantSettingsForm
from console.htmx import wants_partial
from console.services.settings import (
    ConnectionTest,
    connection_test,
    settings_candidate,
    tenant_settings_save,
)

NOT_TESTED = ConnectionTest(ok=False, elapsed_ms=0)


def _render(request, form, *, test=None, tested=""):
    read_only = not request.membership.is_admin
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    if test is not None and test.reason is not None:  # an admin reads what an admin can do
        test = replace(test, reason=test.reason.for_reader(reader_for(request.membership)))
    tpl = "console/settings.html"
    if test is not None and wants_partial(request):
        tpl += "#test-result"
    ctx = {"form": form, "test": test, "tested": tested, "read_only": read_only}
    if not read_only and not (test is not None and wants_partial(request)):
        ctx["callbacks"] = callback_status(request)
    return render(request, tpl, ctx)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def tenant_settings(request):
    if request.method == "GET":
        return _render(request, TenantSettingsForm(tenant=request.tenant))
    if not request.membership.is_admin:
        raise PermissionDenied(_("Only the tenant's admins can change the settings."))
    form = TenantSettingsForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        return _render(request, form)
    changed = tenant_settings_save(
        tenant=request.tenant,
        data=form.cleaned_data,
        new_secret=form.new_secret(),
        actor=request.user,
    )
    if changed:
        messages.success(request, _("Settings saved."))
    else:
        messages.info(request, _("Nothing changed."))
    return redirect("tenant-settings", tenant_code=request.tenant.code)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def settings_test(request):
    """Test the values in the form, saved or not (nothing is saved). A request without the form's
    fields tests the saved settings."""
    tenant = request.tenant
    form = TenantSettingsForm(request.POST, tenant=tenant)
    if not any(name in request.POST for name in form.fields):
        form = TenantSettingsForm(tenant=tenant)
        return _render(request, form, test=connection_test(tenant), tested="saved")
    if not form.is_valid():
        return _render(request, form, test=NOT_TESTED, tested="invalid")
    candidate = settings_candidate(tenant, form.cleaned_data, form.new_secret())
    unsaved = form.has_changed()
    test = connection_test(candidate)
    return _render(request, form, test=test, tested="unsaved" if unsaved else "saved")
