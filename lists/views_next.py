""" "Call next": the customer manager's page. It shows the entry they hold (its context and the
customer card) with one button that calls; without one, a button that takes the next due entry.
After a call it shows the call's card (live, then its wrap-up) above the next step."""

from uuid import UUID

from django.http import Http404, HttpResponseRedirect
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_http_methods, require_POST

from calls import result_panel, selectors
from calls.aicc.reasons import decode
from calls.forms import new_key
from calls.services.following import call_follow
from calls.timeline_views import card_context
from console.access import MANAGERS_ONLY, tenant_view
from lists import queue
from lists.forms import NextForm
from lists.selectors import list_of


def _next_url(request, call=None, list_code=None) -> str:
    url = reverse("call-next", kwargs={"tenant_code": request.tenant.code})
    query = {}
    if call is not None:
        query["last"] = str(call.code)
    if list_code:
        query["list"] = str(list_code)
    return f"{url}?{urlencode(query)}" if query else url


def _list_code(value):
    try:
        return UUID(str(value)) if value else None
    except ValueError:
        return None


@tenant_view(roles=MANAGERS_ONLY)
@require_http_methods(["GET", "POST"])
def call_next(request):
    membership = request.membership
    if request.method == "POST":  # take the next entry
        form = NextForm(request.POST)
        code = form.cleaned_data.get("list") if form.is_valid() else None
        call_list = list_of(membership, code) if code else None
        entry = queue.claim_next(membership, call_list)
        url = _next_url(request, list_code=code)
        if entry is None:
            url += ("&" if "?" in url else "?") + "empty=1"
        return HttpResponseRedirect(url)
    code = _list_code(request.GET.get("list"))
    call_list = None
    if code:
        try:
            call_list = list_of(membership, code)
        except Http404:
            call_list = None
    ctx = {
        "mapping": membership.active_mapping,
        "entry": queue.current_claim(membership, call_list),
        "call_list": call_list,
        "lists": queue.lists_of(membership),
        "empty": request.GET.get("empty") == "1",
        "key": new_key(),
    }
    last = request.GET.get("last")
    if last:
        try:
            call = selectors.visible_call(membership, UUID(last))
        except (ValueError, Http404):
            call = None
        if call is not None:
            call = call_follow(call)
            ctx.update(result_panel.context(membership, call))
    entry = ctx["entry"]
    if entry is not None:
        ctx.update(card_context(request, {"called": entry.number}))
        ctx["due"] = _due_words(entry)
    return render(request, "lists/next.html", ctx)


def _due_words(entry) -> str:
    fmt = "%Y-%m-%d %H:%M"
    start = timezone.localtime(entry.due_start).strftime(fmt) if entry.due_start else ""
    end = timezone.localtime(entry.due_end).strftime(fmt) if entry.due_end else ""
    return f"{start} – {end}".strip(" –") if start or end else ""


@tenant_view(roles=MANAGERS_ONLY)
@require_POST
def entry_call(request, entry_code):
    membership = request.membership
    entry = queue.entry_of(membership, entry_code)
    mapping = membership.active_mapping
    if mapping is None:
        return redirect(_next_url(request))
    key = (request.POST.get("idempotency_key") or "")[:64] or new_key()
    try:
        placed = queue.entry_call(
            membership=membership, mapping=mapping, entry=entry, idempotency_key=key
        )
    except queue.EntryRefused as e:
        ctx = {
            "mapping": mapping,
            "entry": None,
            "lists": queue.lists_of(membership),
            "refusal": e.message,
        }
        return render(request, "lists/next.html", ctx, status=e.status)
    if placed.wrapup_due:  # the tenant wants answered calls wrapped up before the next one
        ctx = {
            "mapping": mapping,
            "entry": queue.current_claim(membership),
            "lists": queue.lists_of(membership),
            "key": new_key(),
            "due_reason": decode("console", "wrapup_pending"),
        }
        ctx.update(result_panel.context(membership, placed.call))
        return render(request, "lists/next.html", ctx, status=409)
    return redirect(_next_url(request, call=placed.call))


@tenant_view(roles=MANAGERS_ONLY)
@require_POST
def entry_skip(request, entry_code):
    entry = queue.entry_of(request.membership, entry_code)
    queue.entry_skip(request.membership, entry)
    return redirect(_next_url(request))
