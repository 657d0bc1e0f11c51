"""Tenant settings and AICC credentials: admins change them, supervisors may read them."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from console.access import ADMIN_ONLY, READERS, tenant_view
from console.forms import TenantSettingsForm
from console.htmx import wants_partial
from console.services.settings import connection_test, tenant_settings_save


def _render(request, form, *, test=None):
    read_only = not request.membership.is_admin
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    tpl = "console/settings.html"
    if test is not None and wants_partial(request):
        tpl += "#test-result"
    return render(request, tpl, {"form": form, "test": test, "read_only": read_only})


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
    test = connection_test(request.tenant)
    return _render(request, TenantSettingsForm(tenant=request.tenant), test=test)
