"""The customer manager's call page: the form, placing the call, and following it live."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from calls import result_panel, selectors, services
from calls.forms import CallForm, new_key
from calls.links import TenantLinks
from calls.models import Call
from console.access import current_membership, tenant_access
from console.htmx import wants_partial
from console.models import Membership


def _page_context(m: Membership, form: CallForm | None, **extra) -> dict:
    tenant = m.tenant
    mapping = services.active_mapping(m)
    ctx = {"m": m, "mapping": mapping, "form": form, "tenant": tenant}
    if tenant.is_trial:
        ctx["trial_left"] = max(0, services.TRIAL_DAILY_LIMIT - services.trial_calls_today(tenant))
    ctx.update(extra)
    return ctx


def _last_call(m: Membership, code: str) -> Call | None:
    try:
        return selectors.visible_call(m, UUID(code))
    except (ValueError, Http404):
        return None


@login_required
@require_http_methods(["GET", "POST"])
def call(request, tenant):
    m = tenant_access(request, tenant, roles=(Membership.Role.MANAGER,), with_mapping=True)
    if request.method == "GET":
        initial = {
            "called": request.GET.get("called", ""),
            "call_data": request.GET.get("data", ""),
            "caller_present": request.GET.get("present", ""),
            "idempotency_key": new_key(),
        }
        extra = {}
        last = _last_call(m, request.GET.get("last", ""))
        if last is not None:  # the result of the call just placed (no-JavaScript flow)
            extra = result_panel.context(m, last)
        return render(
            request,
            "calls/call.html",
            _page_context(m, CallForm(initial=initial, tenant=m.tenant), **extra),
        )

    form = CallForm(request.POST, tenant=m.tenant)
    mapping = services.active_mapping(m)
    partial = wants_partial(request)
    if mapping is None and partial:
        # The softphone was unmapped or disabled since the page loaded: show the page that says so.
        return HttpResponseClientRefresh()
    if mapping is None or not form.is_valid():
        if not partial:
            return render(request, "calls/call.html", _page_context(m, form))
        # The form posts into the result area; errors belong on the form itself.
        response = render(request, "calls/call.html#call-form", _page_context(m, form))
        return reswap(retarget(response, "#call-form"), "outerHTML")
    data = form.cleaned_data
    placed = services.call_place(
        membership=m,
        mapping=mapping,
        called=data["called"],
        call_data=data.get("call_data", ""),
        caller_present=data.get("caller_present", ""),
        idempotency_key=data["idempotency_key"],
        ask_if_recent=not data["confirm"],  # "called a moment ago": ask before calling again
    )
    if placed.ask_first:
        tpl = "calls/call.html#confirm" if partial else "calls/call.html"
        return render(request, tpl, _page_context(m, form, earlier=placed.call))
    if partial:
        ctx = result_panel.context(m, placed.call, next_key=new_key())
        return render(request, "calls/call.html#result", ctx)
    # The no-JavaScript flow: to the call page showing this call's result.
    return HttpResponseRedirect(TenantLinks(m.tenant.code).result(placed.call))


@login_required
@require_GET
def call_status(request, tenant, call):
    """The live result panel of one call: asks queryCallState, stores what it learns."""
    m = tenant_access(request, tenant)
    c = selectors.visible_call(m, call)
    try:
        n = max(0, min(int(request.GET.get("n", "0")), len(result_panel.POLL_DELAYS)))
    except ValueError:
        n = 0
    c = services.call_refresh_state(c)
    ctx = result_panel.context(m, c, step=n)
    return render(request, "calls/call.html#result", ctx)


@login_required
@require_GET
def deep_link(request):
    """/call/?called=...&data=... from a CRM or a spreadsheet: open the form prefilled in the
    user's current tenant. Never places a call (no GET does)."""
    m = current_membership(request)
    if m is None:
        return render(request, "console/no_tenant.html", status=403)
    query = QueryDict(mutable=True)
    for key in ("called", "data", "present"):
        if request.GET.get(key):
            query[key] = request.GET[key]
    url = reverse("call", kwargs={"tenant": m.tenant.code})
    return redirect(f"{url}?{query.urlencode()}" if query else url)
