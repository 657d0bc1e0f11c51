"""Call lists: the index (everyone: managers see the lists they work), and the supervisors' and
admins' pages: create and edit, import, give entries to managers, pause and resume, the list's
progress and its CSV export."""

import csv

from django.contrib import messages
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from console.access import READERS, tenant_view
from console.models import Membership
from lists import queue, selectors, services
from lists.forms import AssignForm, CallListForm, ImportForm

Status = selectors.Status


def _page(request, call_list):
    return redirect("call-list", tenant_code=request.tenant.code, list_code=call_list.code)


@tenant_view()
@require_GET
def call_lists(request):
    membership = request.membership
    if membership.role == Membership.Role.MANAGER:
        lists = queue.lists_of(membership)
    else:
        lists = selectors.lists_of_tenant(request.tenant)
    day = queue.today_of(request.tenant)
    rows = [{"list": cl, "open": queue.is_open_on(cl, day)} for cl in lists]
    return render(request, "lists/index.html", {"rows": rows})


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def call_list_new(request):
    form = CallListForm(
        request.POST or None, tenant=request.tenant, initial={"owner": request.user.username}
    )
    if request.method == "POST" and form.is_valid():
        call_list = services.list_create(
            tenant=request.tenant,
            data=form.cleaned_data,
            members=form.cleaned_data["members"],
            actor=request.user,
        )
        messages.success(
            request, _("List “%(name)s” created: import its entries.") % {"name": call_list.name}
        )
        return redirect(
            "call-list-import", tenant_code=request.tenant.code, list_code=call_list.code
        )
    status = 422 if form.is_bound else 200
    return render(request, "lists/form.html", {"form": form}, status=status)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def call_list_edit(request, list_code):
    call_list = selectors.list_of(request.membership, list_code)
    form = CallListForm(request.POST or None, tenant=request.tenant, instance=call_list)
    if request.method == "POST":
        # Validating a model form writes onto its instance: the service compares with a fresh copy.
        if form.is_valid():
            fresh = selectors.list_of(request.membership, list_code)
            if services.list_change(
                call_list=fresh,
                data=form.cleaned_data,
                members=form.cleaned_data["members"],
                actor=request.user,
            ):
                messages.success(request, _("List saved."))
            return _page(request, fresh)
    status = 422 if form.is_bound else 200
    ctx = {"form": form, "call_list": call_list}
    return render(request, "lists/form.html", ctx, status=status)


@tenant_view(roles=READERS)
@require_GET
def call_list(request, list_code):
    call_list = selectors.list_of(request.membership, list_code)
    ctx = {
        "call_list": call_list,
        "progress": selectors.progress(call_list),
        "open": queue.is_open_on(call_list, queue.today_of(request.tenant)),
    }
    return render(request, "lists/detail.html", ctx)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def call_list_import(request, list_code):
    call_list = selectors.list_of(request.membership, list_code)
    form = ImportForm(request.POST or None, request.FILES or None)
    report = None
    status = 200
    if request.method == "POST":
        if form.is_valid():
            report = services.list_import(
                call_list=call_list, rows=form.cleaned_data["rows"], actor=request.user
            )
            status = 422 if report.errors else 200
        else:
            status = 422
    ctx = {"form": form, "call_list": call_list, "report": report}
    return render(request, "lists/import.html", ctx, status=status)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def call_list_assign(request, list_code):
    call_list = selectors.list_of(request.membership, list_code)
    form = AssignForm(request.POST or None, tenant=request.tenant)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        n = services.list_assign(
            call_list=call_list,
            to=data["to_user"],
            count=data.get("count"),
            source="pool" if data["source_user"] is None else data["source_user"],
            actor=request.user,
        )
        messages.success(request, _("%(n)d entries given.") % {"n": n})
        return _page(request, call_list)
    ctx = {"form": form, "call_list": call_list, "progress": selectors.progress(call_list)}
    return render(request, "lists/assign.html", ctx, status=422 if form.is_bound else 200)


@tenant_view(roles=READERS)
@require_POST
def call_list_pause(request, list_code):
    call_list = selectors.list_of(request.membership, list_code)
    paused = request.POST.get("paused") == "1"
    if services.list_pause(call_list=call_list, paused=paused, actor=request.user):
        messages.success(request, _("List paused.") if paused else _("List resumed."))
    return _page(request, call_list)


class _Echo:
    def write(self, value):
        return value


def _safe(value):
    """A cell a spreadsheet program will not run as a formula (as the other exports do)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@", "\t", "\r"):
        # E.164 numbers start with "+" and are kept as they are.
        return value if value[1:].isdigit() else "'" + value
    return value


def _export_lines(call_list):
    writer = csv.writer(_Echo())
    yield "\ufeff"
    yield writer.writerow(selectors.EXPORT_COLUMNS)
    for row in selectors.export_rows(call_list):
        yield writer.writerow([_safe(v) for v in row])


@tenant_view(roles=READERS)
@require_GET
def call_list_export(request, list_code):
    """Every entry of the list with its status, attempts and last outcome (streamed)."""
    call_list = selectors.list_of(request.membership, list_code)
    response = StreamingHttpResponse(
        _export_lines(call_list), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="call-list-{call_list.code}.csv"'
    response["Cache-Control"] = "no-store"
    return response
