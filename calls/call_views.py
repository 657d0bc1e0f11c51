"""The customer manager's call page: the form, placing the call, and following it live."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from calls import result_panel, selectors
from calls.forms import CallForm, new_key
from calls.links import TenantLinks
from calls.services.placing import (
    TRIAL_DAILY_LIMIT,
    call_place,
    call_refresh_state,
    trial_calls_today,
)
from console.access import MANAGERS_ONLY, tenant_view
from console.htmx import wants_partial
from console.selectors import membership_to_open
from console.tenancy import CURRENT_TENANT


def _page_context(request, form: CallForm | None, **extra) -> dict:
    tenant = request.tenant
    ctx = {"mapping": request.membership.active_mapping, "form": form}
    if tenant.is_trial:
        ctx["trial_left"] = max(0, TRIAL_DAILY_LIMIT - trial_calls_today(tenant))
    ctx.update(extra)
    return ctx


def _last_call(request):
    """The call named by ?last= (the no-JavaScript flow's result), if the manager may see it."""
    try:
        return selectors.visible_call(request.membership, UUID(request.GET.get("last", "")))
    except (ValueError, Http404):
        return None


@tenant_view(roles=MANAGERS_ONLY)
@require_http_methods(["GET", "POST"])
def call(request):
    membership = request.membership
    if request.method == "GET":
        last = _last_call(request)
        extra = result_panel.context(membership, last) if last is not None else {}
        # A deep link's values: prefilled, or shown with what is wrong with them.
        form = CallForm.prefilled(request.GET, tenant=request.tenant)
        return render(request, "calls/call.html", _page_context(request, form, **extra))

    form = CallForm(request.POST, tenant=request.tenant)
    mapping = membership.active_mapping
    partial = wants_partial(request)
    if mapping is None and partial:
        # The softphone was unmapped or disabled since the page loaded: show the page that says so.
        return HttpResponseClientRefresh()
    if mapping is None or not form.is_valid():
        if not partial:
            return render(request, "calls/call.html", _page_context(request, form))
        # The form posts into the result area; errors belong on the form itself.
        response = render(request, "calls/call.html#call-form", _page_context(request, form))
        return reswap(retarget(response, "#call-form"), "outerHTML")
    data = form.cleaned_data
    placed = call_place(
        membership=membership,
        mapping=mapping,
        called=data["called"],
        call_data=data.get("call_data", ""),
        caller_present=data.get("caller_present", ""),
        idempotency_key=data["idempotency_key"],
        ask_if_recent=not data["confirm"],  # "called a moment ago": ask before calling again
    )
    if placed.ask_first:
        tpl = "calls/call.html#confirm" if partial else "calls/call.html"
        return render(request, tpl, _page_context(request, form, earlier=placed.call))
    if partial:
        ctx = result_panel.context(membership, placed.call, next_key=new_key())
        return render(request, "calls/call.html#result", ctx)
    # The no-JavaScript flow: to the call page showing this call's result.
    return HttpResponseRedirect(TenantLinks(request.tenant.code).result(placed.call))


@tenant_view()
@require_GET
def call_status(request, call_code):
    """The live result panel of one call: asks queryCallState, stores what it learns."""
    call = selectors.visible_call(request.membership, call_code)
    try:
        step = max(0, min(int(request.GET.get("n", "0")), len(result_panel.POLL_DELAYS)))
    except ValueError:
        step = 0
    call = call_refresh_state(call)
    ctx = result_panel.context(request.membership, call, step=step)
    return render(request, "calls/call.html#result", ctx)


@login_required
@require_GET
def deep_link(request):
    """/call/?called=...&data=... from a CRM or a spreadsheet: open the form prefilled in the
    user's current tenant. Never places a call (no GET does)."""
    membership = membership_to_open(request.user, request.session.get(CURRENT_TENANT))
    if membership is None:
        return render(request, "console/no_tenant.html", status=403)
    query = QueryDict(mutable=True)
    for key in ("called", "data", "present"):
        if request.GET.get(key):
            query[key] = request.GET[key]
    url = reverse("call", kwargs={"tenant_code": membership.tenant.code})
    return redirect(f"{url}?{query.urlencode()}" if query else url)
