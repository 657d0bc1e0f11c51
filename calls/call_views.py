"""The customer manager's call page: the form, placing the call, and following it live."""

from uuid import UUID

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpResponse, HttpResponseRedirect, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_htmx.http import HttpResponseClientRefresh, reswap, retarget

from calls import followup_selectors, result_panel, selectors
from calls.aicc.reasons import decode
from calls.forms import CallForm, new_key
from calls.links import TenantLinks
from calls.readers import reader_for
from calls.services import wrapup
from calls.services.following import NO_JS_REFRESH_S, call_follow
from calls.services.followups import follow_up_placed
from calls.services.placing import (
    TRIAL_DAILY_LIMIT,
    call_place,
    call_unfollow,
    trial_calls_today,
)
from calls.timeline_views import card_context
from console.access import MANAGERS_ONLY, tenant_view
from console.htmx import wants_partial
from console.selectors import membership_to_open
from console.tenancy import CURRENT_TENANT
from guardrails import preflight, presenting


def _page_context(request, form: CallForm | None, **extra) -> dict:
    tenant = request.tenant
    ctx = {"mapping": request.membership.active_mapping, "form": form}
    if form is not None and "called" in form.fields:
        # The customer card (calls/timeline_views.py) follows the number as it is typed; a
        # number already in the form (a deep link, "Call again") has its card at once.
        card_url = reverse("call-customer-card", kwargs={"tenant_code": tenant.code})
        form.fields["called"].widget.attrs.update(
            {
                "hx-get": card_url,
                "hx-trigger": "input changed delay:300ms",
                "hx-target": "#customer-card",
                "hx-swap": "outerHTML",
                "aria-controls": "customer-card",
            }
        )
        called = form.data.get("called") if form.is_bound else form.initial.get("called")
        if called:
            ctx.update(card_context(request, {"called": called}))
    # The manager's answered calls awaiting wrap-up (none unless the tenant requires it).
    ctx["pending"] = wrapup.pending_of(request.membership)
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


def _busy_context(request, form: CallForm, live) -> dict:
    """The refusal while the manager has a live call: wait for it, or stop following it and
    call anyway."""
    ctx = result_panel.context(request.membership, live)
    links = TenantLinks(request.tenant.code)
    query = QueryDict(mutable=True)
    for field, key in (("called", "called"), ("call_data", "data"), ("caller_present", "present")):
        if form.data.get(field):
            query[key] = form.data[field]
    return {
        "busy": live,
        "busy_shown": ctx["shown"],
        "busy_elapsed": ctx["elapsed"],
        "busy_since_ms": ctx["since_ms"],
        "wait_url": f"{links.result(live)}&{query.urlencode()}" if query else links.result(live),
        "wait_card_url": f"{links.of('call-status', live)}?view=card",
    }


@tenant_view(roles=MANAGERS_ONLY)
@require_http_methods(["GET", "POST"])
def call(request):
    membership = request.membership
    if request.method == "GET":
        last = _last_call(request)
        extra = {}
        if last is not None:
            last = call_follow(last)  # the no-JavaScript page reloads itself while it is live
            extra = result_panel.context(membership, last, refresh=NO_JS_REFRESH_S)
        # A deep link's values: prefilled, or shown with what is wrong with them.
        form = CallForm.prefilled(request.GET, tenant=request.tenant)
        if not form.is_bound:
            form.initial["confirm"] = request.GET.get("again") == "1"  # "Call again" asks no more
        follow_up = _follow_up(request, request.GET.get("follow_up"))
        if follow_up is not None:
            extra.update(_follow_up_context(request, follow_up))
            if form.is_bound:
                form.data = form.data.copy()
                form.data["follow_up"] = str(follow_up.code)
            else:
                form.initial["follow_up"] = follow_up.code
        return render(request, "calls/call.html", _page_context(request, form, **extra))

    form = CallForm(request.POST, tenant=request.tenant)
    mapping = membership.active_mapping
    partial = wants_partial(request)
    if mapping is None and partial:
        # The softphone was unmapped or disabled since the page loaded: show the page that says so.
        return HttpResponseClientRefresh()
    follow_up = None
    if form.is_valid() and form.cleaned_data.get("follow_up"):
        follow_up = _follow_up(request, form.cleaned_data["follow_up"])
        if follow_up is None:  # another's, closed meanwhile, or not this tenant's: say so
            form.add_error(None, _FOLLOW_UP_GONE)
            form.data = form.data.copy()
            form.data["follow_up"] = ""  # the next try calls without it
    if mapping is None or not form.is_valid():
        if not partial:
            extra = _follow_up_context(request, follow_up) if follow_up else {}
            return render(request, "calls/call.html", _page_context(request, form, **extra))
        # The form posts into the result area; errors belong on the form itself.
        response = render(request, "calls/call.html#call-form", _page_context(request, form))
        return reswap(retarget(response, "#call-form"), "outerHTML")
    data = form.cleaned_data
    placed = call_place(
        membership=membership,
        mapping=mapping,
        # As typed: call_place applies the same rules for what is sent, and reads the
        # customer's number (E.164, in the tenant's region) from what the manager dialled.
        called=form.data.get("called") or data["called"],
        call_data=data.get("call_data", ""),
        caller_present=data.get("caller_present", ""),
        idempotency_key=data["idempotency_key"],
        # "called a moment ago": ask before calling again, unless this is "Call again", "Yes,
        # call again" or "call anyway"
        ask_if_recent=not (data["confirm"] or data["anyway"]),
        replace_live=data["anyway"],  # "stop following it and call anyway"
        # Past a guardrail (the customer card's or the refusal's box): kept when the role may.
        override_reason=request.POST.get("override_reason", "")[: preflight.OVERRIDE_MAX * 2],
    )
    if placed.guard is not None and not placed.guard.ok:  # refused by the guardrails
        tpl = "calls/call.html#guard-refused" if partial else "calls/call.html"
        ctx = result_panel.context(membership, placed.call, next_key=new_key())
        ctx["guard"] = presenting.context(placed.guard, request.tenant.time_zone)
        return render(request, tpl, _page_context(request, form, **ctx))
    if placed.wrapup_due:  # the tenant wants answered calls wrapped up before the next one
        tpl = "calls/call.html#wrapup-due" if partial else "calls/call.html"
        ctx = result_panel.context(membership, placed.call)
        ctx.update(due=placed.call, due_reason=decode("console", "wrapup_pending"))
        return render(request, tpl, _page_context(request, form, **ctx))
    if follow_up is not None and not (placed.busy or placed.ask_first):
        follow_up_placed(follow_up, placed.call)
    if placed.busy:
        tpl = "calls/call.html#busy" if partial else "calls/call.html"
        ctx = _page_context(request, form, **_busy_context(request, form, placed.call))
        return render(request, tpl, ctx)
    if placed.ask_first:
        tpl = "calls/call.html#confirm" if partial else "calls/call.html"
        return render(request, tpl, _page_context(request, form, earlier=placed.call))
    if partial:
        ctx = result_panel.context(membership, placed.call, next_key=new_key())
        return render(request, "calls/call.html#result", ctx)
    # The no-JavaScript flow: to the call page showing this call's result.
    return HttpResponseRedirect(TenantLinks(request.tenant.code).result(placed.call))


_FOLLOW_UP_GONE = gettext_lazy(
    "This follow-up is no longer open for you (done, cancelled or given to a colleague): the "
    "call is not linked to it. Call again to call without it."
)


def _follow_up(request, code):
    """The manager's own open follow-up named by the form or the link, or None."""
    try:
        return followup_selectors.callable_follow_up(request.membership, UUID(str(code)))
    except ValueError:
        return None


def _follow_up_context(request, follow_up) -> dict:
    """What the call form shows above itself when opened from a follow-up."""
    source = follow_up.source_call
    reader = reader_for(request.membership, source)
    outcome = (source.outcome(reader) or source.reason(reader)) if source is not None else None
    may_see = source is not None and source.user_id == request.membership.user_id
    links = TenantLinks(request.tenant.code)
    return {
        "follow_up": follow_up,
        "follow_up_when": timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M"),
        "follow_up_outcome": outcome,
        "source_url": links.of("call-detail", source) if may_see else None,
    }


@tenant_view()
@require_GET
def call_status(request, call_code):
    """One look at a call from the console's own record (the card, view=card, or the in-call
    bar, view=bar), asking AICC first only when the back-off says it is time
    (calls.services.following). With the version the browser shows (v=...): 204 when nothing
    changed, else only what changed (out-of-band swaps)."""
    call = selectors.visible_call(request.membership, call_code)
    call = call_follow(call)
    view = request.GET.get("view")
    view = view if view in result_panel.VIEWS else "card"
    ctx = result_panel.context(request.membership, call, view=view)
    seen = request.GET.get("v")
    if seen is None:  # the whole card or bar
        tpl = "calls/_bar.html" if view == "bar" else "calls/_result.html"
        return render(request, tpl, ctx)
    if seen == result_panel.version(ctx["shown"], call):
        return HttpResponse(status=204)
    return render(request, "calls/_live_update.html", ctx)


@tenant_view(roles=MANAGERS_ONLY)
@require_POST
def call_unfollow_view(request, call_code):
    """Stop following a live call (the in-call bar's button): it is no longer live for the
    console, and another call may start. Not ended: its outcome still arrives."""
    call = selectors.visible_call(request.membership, call_code)
    call_unfollow(call)
    if wants_partial(request):
        view = "card" if request.POST.get("view") == "card" else "bar"
        ctx = result_panel.context(request.membership, call, view=view)
        return render(request, "calls/_result.html" if view == "card" else "calls/_bar.html", ctx)
    return redirect(TenantLinks(request.tenant.code).result(call))


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
