"""Softphone mappings: list, add, edit, enable/disable, CSV import and export, and the list of
softphones AICC allocated to the tenant (queryPhone)."""

import csv

from django.contrib import messages
from django.db import IntegrityError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from calls.export import safe_cell
from calls.readers import reader_for
from console.access import ADMIN_ONLY, READERS, tenant_view
from console.forms import ImportForm, MappingForm
from console.htmx import wants_partial
from console.models import who
from console.selectors import mapping_of
from console.services.settings import fetch_allocation
from console.services.softphones import (
    allocation_warnings,
    mapping_add,
    mapping_change,
    mapping_toggle,
    mappings_import,
)

CHANGED_MEANWHILE = _("That changed meanwhile: check the list and try again.")


def _done(request):
    url = reverse("softphones", kwargs={"tenant_code": request.tenant.code})
    return HttpResponseClientRedirect(url) if wants_partial(request) else redirect(url)


def _form_page(request, form, mapping=None):
    tpl = "console/softphone_form.html"
    if wants_partial(request):
        tpl += "#mapping-form"
    return render(request, tpl, {"form": form, "mapping": mapping})


def _warn_about_allocation(request, numbers: list[str]) -> None:
    """Not allocated to the tenant, or paused: said after saving (one queryPhone)."""
    for warning in allocation_warnings(request.tenant, numbers):
        messages.warning(request, warning)


@tenant_view(roles=READERS)
@require_GET
def softphones(request):
    mappings = request.tenant.softphones.select_related("user")
    return render(request, "console/softphones.html", {"mappings": mappings})


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def softphone_add(request):
    if request.method == "GET":
        initial = {k: request.GET[k] for k in ("softphone", "user") if k in request.GET}
        return _form_page(request, MappingForm(tenant=request.tenant, initial=initial))
    form = MappingForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        return _form_page(request, form)
    try:
        mapping = mapping_add(tenant=request.tenant, data=form.cleaned_data, actor=request.user)
    except IntegrityError:  # someone took the number or mapped the user a moment ago
        form.add_error(None, str(CHANGED_MEANWHILE))
        return _form_page(request, form)
    messages.success(
        request,
        _("Softphone %(number)s mapped to %(who)s.")
        % {"number": mapping.softphone, "who": who(mapping.user)},
    )
    _warn_about_allocation(request, [mapping.softphone])
    return _done(request)


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def softphone_edit(request, mapping_code):
    mapping = mapping_of(request.tenant, mapping_code)
    if request.method == "GET":
        return _form_page(request, MappingForm(tenant=request.tenant, instance=mapping), mapping)
    form = MappingForm(request.POST, tenant=request.tenant, instance=mapping)
    if not form.is_valid():
        return _form_page(request, form, mapping)
    try:
        changes = mapping_change(mapping=mapping, data=form.cleaned_data, actor=request.user)
    except IntegrityError:
        form.add_error(None, str(CHANGED_MEANWHILE))
        return _form_page(request, form, mapping)
    if changes:
        messages.success(request, _("Softphone %(number)s saved.") % {"number": mapping.softphone})
        if "softphone" in changes:
            _warn_about_allocation(request, [mapping.softphone])
    return _done(request)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def softphone_toggle(request, mapping_code):
    mapping = mapping_of(request.tenant, mapping_code)
    error = mapping_toggle(mapping=mapping, actor=request.user)
    if wants_partial(request):
        ctx = {"mapping": mapping, "row_error": error}
        return render(request, "console/softphones.html#mapping-row", ctx)
    if error:
        messages.error(request, error)
    return redirect("softphones", tenant_code=request.tenant.code)


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def softphones_import(request):
    form = ImportForm(request.POST or None, request.FILES or None, tenant=request.tenant)
    if request.method == "GET" or not form.is_valid():
        return render(request, "console/softphones_import.html", {"form": form})
    added, updated = mappings_import(tenant=request.tenant, rows=form.rows, actor=request.user)
    messages.success(
        request,
        _("Imported: %(added)d added, %(updated)d updated, %(same)d unchanged.")
        % {"added": added, "updated": updated, "same": len(form.rows) - added - updated},
    )
    if added or updated:
        _warn_about_allocation(request, [row.softphone for row in form.rows])
    return redirect("softphones", tenant_code=request.tenant.code)


@tenant_view(roles=READERS)
@require_GET
def softphones_export(request):
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    filename = f"softphones-{request.tenant.slug}.csv"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs (Excel) read the names as UTF-8
    writer = csv.writer(response)
    # The first three columns are what the import reads, so an export can be imported again.
    writer.writerow(["username", "softphone", "calling_number", "enabled", "name", "email"])
    for mapping in request.tenant.softphones.select_related("user"):
        user = mapping.user
        writer.writerow(
            [
                safe_cell(user.username),
                mapping.softphone,
                mapping.calling_number,
                "yes" if mapping.enabled else "no",
                safe_cell(user.get_full_name()),
                safe_cell(user.email),
            ]
        )
    return response


@tenant_view(roles=READERS)
@require_GET
def softphones_allocated(request):
    allocation = fetch_allocation(request.tenant)
    if allocation.reason is not None:  # in the words of the admin or supervisor reading it
        allocation.reason = allocation.reason.for_reader(reader_for(request.membership))
    mapped = {s.softphone: s for s in request.tenant.softphones.select_related("user")}
    rows = [(phone, mapped.get(phone.number)) for phone in allocation.phones or []]
    unallocated = []
    if allocation.phones is not None:
        numbers = {p.number for p in allocation.phones}
        unallocated = [s for n, s in mapped.items() if n not in numbers]
    ctx = {"allocation": allocation, "rows": rows, "unallocated": unallocated}
    return render(request, "console/softphones_allocated.html", ctx)
