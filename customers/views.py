"""The customer directory: list and search, add, edit, delete, CSV import and export.

Who may do what (docs/customers.md): every member of the tenant reads the directory and adds or
edits customers (customer managers add them from the call form and the timeline); supervisors
and admins also delete, import and export (the whole list at once)."""

import csv

from django.contrib import messages
from django.db import IntegrityError
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from console.access import READERS, tenant_view
from console.htmx import wants_partial
from customers import selectors
from customers.forms import COLUMNS, CustomerForm, CustomerImportForm
from customers.numbers import display
from customers.services import customer_change, customer_create, customer_delete, customers_import

CHANGED_MEANWHILE = _("That changed meanwhile: check the list and try again.")


def timeline_url(tenant, number: str) -> str:
    return reverse("customer-timeline", kwargs={"tenant_code": tenant.code, "number": number})


def _after_save(request, customer):
    """Back where the customer was added from: the call form with the number in it, or the
    customer's timeline."""
    if request.POST.get("next") == "call" and request.membership.role == "manager":
        url = reverse("call", kwargs={"tenant_code": request.tenant.code})
        return redirect(f"{url}?{urlencode({'called': customer.primary_number})}")
    return redirect(timeline_url(request.tenant, customer.primary_number))


@tenant_view()
@require_GET
def customers(request):
    tenant = request.tenant
    # A search is text: what no database stores (a NUL, a lone surrogate) matches nothing.
    q = request.GET.get("q", "")[:100].replace("\x00", "").encode("utf-8", "ignore").decode()
    page = selectors.directory_page(selectors.search(tenant, q), after=request.GET.get("after"))
    region = tenant.default_region
    rows = [
        {
            "customer": c,
            "number": display(c.primary_number, region),
            "timeline": timeline_url(tenant, c.primary_number),
        }
        for c in page.customers
    ]
    ctx = {"q": q, "page": page, "rows": rows}
    tpl = "customers/list.html#table" if wants_partial(request) else "customers/list.html"
    return render(request, tpl, ctx)


def _form_page(request, form, customer=None, status=200):
    ctx = {"form": form, "customer": customer, "next": request.POST.get("next") or ""}
    if customer is None:
        ctx["next"] = ctx["next"] or request.GET.get("next", "")
    return render(request, "customers/form.html", ctx, status=status)


@tenant_view()
@require_http_methods(["GET", "POST"])
def customer_new(request):
    tenant = request.tenant
    if request.method == "GET":
        number = request.GET.get("number", "")[:64]
        form = CustomerForm(tenant=tenant, initial={"number": number})
        return _form_page(request, form)
    form = CustomerForm(request.POST, tenant=tenant)
    if not form.is_valid():
        return _form_page(request, form)
    try:
        customer = customer_create(
            tenant=tenant, data=form.cleaned_data, numbers=form.cleaned_data["numbers"],
            actor=request.user,
        )  # fmt: skip
    except IntegrityError:  # someone saved one of these numbers a moment ago
        form.add_error(None, str(CHANGED_MEANWHILE))
        return _form_page(request, form)
    messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
    return _after_save(request, customer)


@tenant_view()
@require_http_methods(["GET", "POST"])
def customer_edit(request, customer_code):
    tenant = request.tenant
    customer = selectors.customer_of(tenant, customer_code)
    if request.method == "GET":
        return _form_page(request, CustomerForm(tenant=tenant, instance=customer), customer)
    form = CustomerForm(request.POST, tenant=tenant, instance=customer)
    if not form.is_valid():
        return _form_page(request, form, customer)
    try:
        changes = customer_change(
            customer=customer, data=form.cleaned_data, numbers=form.cleaned_data["numbers"],
            actor=request.user,
        )  # fmt: skip
    except IntegrityError:
        form.add_error(None, str(CHANGED_MEANWHILE))
        return _form_page(request, form, customer)
    if changes:
        messages.success(request, _("Customer %(name)s saved.") % {"name": customer.name})
    return _after_save(request, customer)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def customer_delete_view(request, customer_code):
    customer = selectors.customer_of(request.tenant, customer_code)
    if request.method == "GET":
        return render(request, "customers/delete.html", {"customer": customer})
    customer_delete(customer=customer, actor=request.user)
    messages.success(
        request,
        _("Customer %(name)s deleted. Their calls stay in the history.") % {"name": customer.name},
    )
    return redirect("customers", tenant_code=request.tenant.code)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def customers_import_view(request):
    form = CustomerImportForm(request.POST or None, request.FILES or None, tenant=request.tenant)
    if request.method == "GET" or not form.is_valid():
        return render(request, "customers/import.html", {"form": form})
    added, updated = customers_import(tenant=request.tenant, rows=form.rows, actor=request.user)
    messages.success(
        request,
        _("Imported: %(added)d added, %(updated)d updated, %(same)d unchanged.")
        % {"added": added, "updated": updated, "same": len(form.rows) - added - updated},
    )
    return redirect("customers", tenant_code=request.tenant.code)


class _Echo:
    def write(self, value):
        return value


def safe_cell(value: str) -> str:
    """A cell a spreadsheet program will not run as a formula (as the other exports do)."""
    return "'" + value if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value


def _export_lines(tenant):
    writer = csv.writer(_Echo())
    yield "\ufeff"  # a BOM, so spreadsheet programs (Excel) read the names as UTF-8
    yield writer.writerow(COLUMNS)
    # Numbers are E.164 and start with "+": written as they are, they import again as they are.
    qs = tenant.customers.order_by("pk").prefetch_related("numbers")
    for customer in qs.iterator(chunk_size=2000):
        others = [n.number for n in customer.numbers.all() if n.number != customer.primary_number]
        yield writer.writerow(
            [
                safe_cell(customer.name),
                customer.primary_number,
                safe_cell(customer.company),
                safe_cell(customer.crm_id),
                safe_cell(customer.notes),
                ";".join(others),
            ]
        )


@tenant_view(roles=READERS)
@require_GET
def customers_export(request):
    """Every customer of the tenant, streamed (the import's columns: it imports again)."""
    response = StreamingHttpResponse(
        _export_lines(request.tenant), content_type="text/csv; charset=utf-8"
    )
    response["Content-Disposition"] = f'attachment; filename="customers-{request.tenant.slug}.csv"'
    response["Cache-Control"] = "no-store"
    return response
