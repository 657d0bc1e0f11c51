"""Softphone mappings: list, add, edit, enable/disable, CSV import and export, and the list of
softphones AICC allocated to the tenant (queryPhone)."""

import csv
from dataclasses import dataclass

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError, transaction
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRedirect

from calls import services
from calls.aicc.reasons import Reason, decode
from calls.aicc.results import Phone
from console import audit
from console.access import ADMIN_ONLY, READERS, tenant_access
from console.forms import ImportForm, MappingForm, mapping_conflicts, who
from console.htmx import wants_partial
from console.models import Membership, SoftphoneMapping, Tenant

MAPPING_FIELDS = ("user", "softphone", "calling_number", "enabled")
PAGE_LIMIT = 100  # queryPhone returns at most 100 per page
MAX_PAGES = 50


@dataclass
class Allocation:
    phones: list[Phone] | None  # None: the list could not be fetched
    reason: Reason | None = None


def fetch_allocation(tenant: Tenant) -> Allocation:
    """Every softphone AICC allocated to the tenant, page by page (never the SIP password)."""
    if not tenant.has_credentials:
        return Allocation(None, decode("transport", "config"))
    try:
        client = services.client_for(tenant)
    except ValueError:
        return Allocation(None, decode("transport", "config"))
    phones: list[Phone] = []
    for _page in range(MAX_PAGES):
        outcome = client.query_phones(offset=len(phones), limit=PAGE_LIMIT)
        if not outcome.ok:
            return Allocation(None, outcome.reason())
        page = outcome.result
        phones.extend(page.phones)
        if not page.phones or len(phones) >= page.total:
            break
    return Allocation(phones)


def _snapshot(mapping: SoftphoneMapping) -> dict:
    return {
        "user": mapping.user.username,
        "softphone": mapping.softphone,
        "calling_number": mapping.calling_number,
        "enabled": mapping.enabled,
    }


def _mapping(m: Membership, code) -> SoftphoneMapping:
    mapping = m.tenant.softphones.select_related("user").filter(code=code).first()
    if mapping is None:
        raise Http404
    return mapping


def _warn_if_unallocated(request, tenant: Tenant, number: str) -> None:
    allocation = fetch_allocation(tenant)
    if allocation.phones is not None and number not in {p.number for p in allocation.phones}:
        messages.warning(
            request,
            _(
                "Saved, but %(number)s is not among the softphones AICC allocated to this "
                "tenant: AICC will refuse its calls (code 8) until it is allocated."
            )
            % {"number": number},
        )


def _done(request, tenant: Tenant):
    if wants_partial(request):
        return HttpResponseClientRedirect(reverse("softphones", kwargs={"tenant": tenant.code}))
    return redirect("softphones", tenant=tenant.code)


@login_required
@require_GET
def softphones(request, tenant):
    m = tenant_access(request, tenant, roles=READERS)
    mappings = m.tenant.softphones.select_related("user")
    return render(request, "console/softphones.html", {"m": m, "mappings": mappings})


def _form_page(request, m, form, mapping=None):
    tpl = "console/softphone_form.html"
    if wants_partial(request):
        tpl += "#mapping-form"
    return render(request, tpl, {"m": m, "form": form, "mapping": mapping})


@login_required
@require_http_methods(["GET", "POST"])
def softphone_add(request, tenant):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    if request.method == "GET":
        initial = {k: request.GET[k] for k in ("softphone", "user") if k in request.GET}
        return _form_page(request, m, MappingForm(tenant=m.tenant, initial=initial))
    form = MappingForm(request.POST, tenant=m.tenant)
    if not form.is_valid():
        return _form_page(request, m, form)
    data = form.cleaned_data
    try:
        with transaction.atomic():
            mapping = m.tenant.softphones.create(
                user=data["user"],
                softphone=data["softphone"],
                calling_number=data["calling_number"],
            )
            audit.record(
                tenant=m.tenant,
                actor=request.user,
                action="softphone.add",
                target=mapping.softphone,
                changes=audit.diff({}, _snapshot(mapping)),
            )
    except IntegrityError:  # someone took the number or mapped the user a moment ago
        form.add_error(None, _("That changed meanwhile: check the list and try again."))
        return _form_page(request, m, form)
    messages.success(
        request,
        _("Softphone %(number)s mapped to %(who)s.")
        % {"number": mapping.softphone, "who": who(mapping.user)},
    )
    _warn_if_unallocated(request, m.tenant, mapping.softphone)
    return _done(request, m.tenant)


@login_required
@require_http_methods(["GET", "POST"])
def softphone_edit(request, tenant, mapping):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    obj = _mapping(m, mapping)
    if request.method == "GET":
        return _form_page(request, m, MappingForm(tenant=m.tenant, instance=obj), obj)
    form = MappingForm(request.POST, tenant=m.tenant, instance=obj)
    if not form.is_valid():
        return _form_page(request, m, form, obj)
    before = _snapshot(obj)
    for f in ("user", "softphone", "calling_number"):
        setattr(obj, f, form.cleaned_data[f])
    changes = audit.diff(before, _snapshot(obj))
    if changes:
        try:
            with transaction.atomic():
                obj.save(update_fields=["user", "softphone", "calling_number", "updated_at"])
                audit.record(
                    tenant=m.tenant,
                    actor=request.user,
                    action="softphone.change",
                    target=obj.softphone,
                    changes=changes,
                )
        except IntegrityError:
            form.add_error(None, _("That changed meanwhile: check the list and try again."))
            return _form_page(request, m, form, obj)
        messages.success(request, _("Softphone %(number)s saved.") % {"number": obj.softphone})
        if "softphone" in changes:
            _warn_if_unallocated(request, m.tenant, obj.softphone)
    return _done(request, m.tenant)


@login_required
@require_POST
def softphone_toggle(request, tenant, mapping):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    obj = _mapping(m, mapping)
    error = None
    if not obj.enabled:
        error = mapping_conflicts(
            m.tenant, user=obj.user, softphone=obj.softphone, enabled=True, exclude_pk=obj.pk
        ).get("user")
    if error is None:
        obj.enabled = not obj.enabled
        with transaction.atomic():
            obj.save(update_fields=["enabled", "updated_at"])
            audit.record(
                tenant=m.tenant,
                actor=request.user,
                action="softphone.enable" if obj.enabled else "softphone.disable",
                target=obj.softphone,
                changes={"enabled": [not obj.enabled, obj.enabled]},
            )
    if wants_partial(request):
        return render(
            request,
            "console/softphones.html#mapping-row",
            {"m": m, "mapping": obj, "row_error": error},
        )
    if error:
        messages.error(request, error)
    return redirect("softphones", tenant=m.tenant.code)


@login_required
@require_http_methods(["GET", "POST"])
def softphones_import(request, tenant):
    m = tenant_access(request, tenant, roles=ADMIN_ONLY)
    if request.method == "GET":
        form = ImportForm(tenant=m.tenant)
        return render(request, "console/softphones_import.html", {"m": m, "form": form})
    form = ImportForm(request.POST, request.FILES, tenant=m.tenant)
    if not form.is_valid():
        return render(request, "console/softphones_import.html", {"m": m, "form": form})
    added = updated = 0
    with transaction.atomic():  # all rows or none
        for row in form.rows:
            if row.existing is not None:
                if row.existing.calling_number == row.calling_number:
                    continue
                before = _snapshot(row.existing)
                row.existing.calling_number = row.calling_number
                row.existing.save(update_fields=["calling_number", "updated_at"])
                action, target = "softphone.change", row.existing
                updated += 1
            else:
                target = m.tenant.softphones.create(
                    user=row.user, softphone=row.softphone, calling_number=row.calling_number
                )
                before, action = {}, "softphone.add"
                added += 1
            audit.record(
                tenant=m.tenant,
                actor=request.user,
                action=action,
                target=target.softphone,
                changes=audit.diff(before, _snapshot(target)),
            )
        audit.record(
            tenant=m.tenant,
            actor=request.user,
            action="softphone.import",
            target=str(_("%(n)d rows") % {"n": len(form.rows)}),
            changes={"added": [None, added], "updated": [None, updated]},
        )
    messages.success(
        request,
        _("Imported: %(added)d added, %(updated)d updated, %(same)d unchanged.")
        % {"added": added, "updated": updated, "same": len(form.rows) - added - updated},
    )
    return redirect("softphones", tenant=m.tenant.code)


def _cell(value: str) -> str:
    """Keep spreadsheet programs from reading a cell as a formula."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


@login_required
@require_GET
def softphones_export(request, tenant):
    m = tenant_access(request, tenant, roles=READERS)
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="softphones-{m.tenant.slug}.csv"'
    response.write("\ufeff")  # a BOM, so spreadsheet programs (Excel) read the names as UTF-8
    writer = csv.writer(response)
    # The first three columns are what the import reads, so an export can be imported again.
    writer.writerow(["username", "softphone", "calling_number", "enabled", "name", "email"])
    for mapping in m.tenant.softphones.select_related("user"):
        u = mapping.user
        writer.writerow(
            [
                _cell(u.username),
                mapping.softphone,
                mapping.calling_number,
                "yes" if mapping.enabled else "no",
                _cell(u.get_full_name()),
                _cell(u.email),
            ]
        )
    return response


@login_required
@require_GET
def softphones_allocated(request, tenant):
    m = tenant_access(request, tenant, roles=READERS)
    allocation = fetch_allocation(m.tenant)
    mapped = {s.softphone: s for s in m.tenant.softphones.select_related("user")}
    rows = [(phone, mapped.get(phone.number)) for phone in allocation.phones or []]
    unallocated = []
    if allocation.phones is not None:
        numbers = {p.number for p in allocation.phones}
        unallocated = [s for n, s in mapped.items() if n not in numbers]
    ctx = {"m": m, "allocation": allocation, "rows": rows, "unallocated": unallocated}
    return render(request, "console/softphones_allocated.html", ctx)
