"""A customer's timeline (/t/<tenant>/customers/<number>/) and the call form's customer card
(calls/timeline.py reads both)."""

from zoneinfo import ZoneInfo

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_GET

from calls import timeline
from calls.links import TenantLinks
from console.access import MANAGERS_ONLY, tenant_view
from customers.numbers import display, to_e164
from guardrails import preflight, presenting


@tenant_view()
@require_GET
def customer_timeline(request, number):
    """The number in any form ("+86 138-0000-1234", "13800001234") reads as E.164 in the
    tenant's region; the page's address says it that way. A number with neither a customer nor a
    call the reader may see is 404, with the empty timeline (and "Add as a customer")."""
    membership = request.membership
    e164 = to_e164(number, request.tenant.default_region)
    if not e164:
        raise Http404
    if number != e164:
        url = reverse(
            "customer-timeline", kwargs={"tenant_code": request.tenant.code, "number": e164}
        )
        return redirect(f"{url}?{request.GET.urlencode()}" if request.GET else url)
    tl = timeline.timeline(membership, e164, after=request.GET.get("after"))
    region = request.tenant.default_region
    ctx = {
        "tl": tl,
        "rows": timeline.rows_of(membership, tl.entries),
        "shown_number": display(e164, region),
        "other_numbers": [display(n, region) for n in tl.numbers if n != e164],
        "new_url": _new_customer_url(request, e164, "timeline"),
        "call_url": TenantLinks(request.tenant.code).call_again(e164)
        if membership.role == "manager"
        else "",
        "sees_colleagues": timeline.sees_colleagues(membership),
    }
    found = tl.customer is not None or tl.entries or not tl.first
    return render(request, "calls/timeline.html", ctx, status=200 if found else 404)


def _new_customer_url(request, number: str, back: str) -> str:
    url = reverse("customer-new", kwargs={"tenant_code": request.tenant.code})
    return f"{url}?{urlencode({'number': number, 'next': back})}"


@tenant_view(roles=MANAGERS_ONLY)
@require_GET
def customer_card(request):
    """The customer card for the number being typed on the call form (htmx, ?called=...)."""
    return render(request, "calls/_customer_card.html", card_context(request, request.GET))


def card_context(request, params) -> dict:
    """The customer card's context for the number in `params` (the form's `called`)."""
    membership = request.membership
    typed = (params.get("called") or "")[:64]
    found = timeline.card(membership, typed)
    ctx = {"card": found}
    if not found.number:
        return ctx
    links = TenantLinks(request.tenant.code)
    tz_now = timezone.now()
    tz_name = request.tenant.time_zone
    ctx["timeline_url"] = links.customer(found.number)
    ctx["new_url"] = _new_customer_url(request, found.number, "call")
    ctx["shown_number"] = display(found.number, request.tenant.default_region)
    # The guardrails' verdict before the click (the same check the call gets): one query.
    ctx["card_guard"] = presenting.context(preflight.check(membership, found.number), tz_name)
    tz = ZoneInfo(tz_name)
    memo: dict = {}
    if found.last is not None:
        ctx["last"] = timeline.call_row(membership, found.last, memo, tz_now, tz, links)
        if found.last.disposition_id:
            ctx["last"]["disposition"] = found.last.disposition.label
    ctx["follow_ups"] = [
        timeline.follow_up_row(membership, f, tz_now, tz) for f in found.follow_ups
    ]
    if found.colleague is not None:
        ctx["colleague"] = timeline.call_row(membership, found.colleague, memo, tz_now, tz, links)
        ctx["colleague_minutes"] = max(
            0, int((tz_now - found.colleague.created_at).total_seconds() // 60)
        )
    return ctx
