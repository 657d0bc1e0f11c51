"""The guardrails' pages: the tenant's rules (admins change them, supervisors read them) and the
do-not-call list (supervisors and admins: add, remove, import, export)."""

import copy
import csv

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import READERS, tenant_view
from customers.numbers import display, to_e164
from guardrails import services
from guardrails.forms import COLUMNS, DncForm, DncImportForm, RulesForm, expiry_to_until
from guardrails.models import DoNotCall

PAGE = 100


def _rules_page(request, form=None, status=200):
    form = form or RulesForm(instance=request.tenant)
    read_only = not request.membership.is_admin
    if read_only:
        for field in form.fields.values():
            field.disabled = True
    return render(
        request, "guardrails/settings.html", {"form": form, "read_only": read_only}, status=status
    )


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def guardrails_settings(request):
    """The tenant's caps, calling hours, holidays and who may call anyway."""
    if request.method == "GET":
        return _rules_page(request)
    if not request.membership.is_admin:
        raise PermissionDenied(_("Only the tenant's admins can change these settings."))
    form = RulesForm(request.POST, instance=copy.copy(request.tenant))  # validating writes on it
    if not form.is_valid():
        return _rules_page(request, form, status=422)
    if services.rules_save(tenant=request.tenant, data=form.cleaned_data, actor=request.user):
        messages.success(request, _("Guardrails saved."))
    return redirect("guardrails-settings", tenant_code=request.tenant.code)


def _dnc_page(request, form=None, status=200):
    tenant = request.tenant
    q = (request.GET.get("q") or "").strip()[:64]
    qs = DoNotCall.objects.filter(tenant=tenant).select_related("added_by")
    if q:
        e164 = to_e164(q, tenant.default_region)
        qs = qs.filter(number=e164) if e164 else qs.none()
    entries = list(qs[: PAGE + 1])
    rows = [
        {
            "e": e,
            "shown": display(e.number, tenant.default_region),
            "until": expiry_to_until(e.expires_at, tenant),
            "active": services.active(e),
        }
        for e in entries[:PAGE]
    ]
    ctx = {
        "form": form or DncForm(tenant=tenant),
        "rows": rows,
        "more": len(entries) > PAGE,
        "q": q,
        "total": DoNotCall.objects.filter(tenant=tenant).count(),
    }
    return render(request, "guardrails/dnc.html", ctx, status=status)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def dnc_list(request):
    """The do-not-call list (newest first, or the number searched), and adding a number."""
    if request.method == "GET":
        return _dnc_page(request)
    form = DncForm(request.POST, tenant=request.tenant)
    if not form.is_valid():
        return _dnc_page(request, form, status=422)
    entry, created = services.dnc_add(
        tenant=request.tenant,
        number=form.cleaned_data["number"],
        reason=form.cleaned_data["reason"],
        expires_at=form.expires_at,
        actor=request.user,
    )
    shown = display(entry.number, request.tenant.default_region)
    if created:
        messages.success(request, _("%(number)s is on the do-not-call list.") % {"number": shown})
    else:
        messages.success(
            request, _("%(number)s was already listed: its entry is updated.") % {"number": shown}
        )
    return redirect("dnc", tenant_code=request.tenant.code)


@tenant_view(roles=READERS)
@require_POST
def dnc_remove(request, dnc_code):
    entry = services.dnc_of(request.tenant, dnc_code)
    services.dnc_remove(entry=entry, actor=request.user)
    shown = display(entry.number, request.tenant.default_region)
    messages.success(request, _("%(number)s is off the do-not-call list.") % {"number": shown})
    return redirect("dnc", tenant_code=request.tenant.code)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def dnc_import(request):
    form = DncImportForm(request.POST or None, request.FILES or None, tenant=request.tenant)
    if request.method == "GET" or not form.is_valid():
        status = 422 if form.is_bound else 200
        return render(request, "guardrails/dnc_import.html", {"form": form}, status=status)
    added, updated = services.dnc_import(tenant=request.tenant, rows=form.rows, actor=request.user)
    messages.success(
        request,
        _("Imported: %(added)d added, %(updated)d updated, %(same)d unchanged.")
        % {"added": added, "updated": updated, "same": len(form.rows) - added - updated},
    )
    return redirect("dnc", tenant_code=request.tenant.code)


class _Echo:
    def write(self, value):
        return value


def _safe(value: str) -> str:
    """A cell a spreadsheet program will not run as a formula ("+86..." stays a number: the
    import reads a leading quote away)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export_lines(tenant):
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(COLUMNS)
    qs = DoNotCall.objects.filter(tenant=tenant).select_related("added_by").order_by("pk")
    for e in qs.iterator(chunk_size=2000):
        until = expiry_to_until(e.expires_at, tenant)
        yield writer.writerow(
            [
                e.number,
                _safe(e.reason),
                until.isoformat() if until else "",
                e.added_by.username if e.added_by_id else "",
                e.created_at.isoformat(timespec="seconds"),
            ]
        )


@tenant_view(roles=READERS)
@require_GET
def dnc_export(request):
    """The whole list, streamed (the import's columns first: it imports again)."""
    response = StreamingHttpResponse(
        _export_lines(request.tenant), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = (
        f'attachment; filename="do-not-call-{request.tenant.slug}.csv"'
    )
    response["Cache-Control"] = "no-store"
    return response
