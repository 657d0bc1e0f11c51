"""Call history: the filtered list, one call's detail, refreshing its outcome, its recording and
the CSV export. Managers see their own calls; admins and supervisors the whole tenant."""

from zoneinfo import ZoneInfo

import requests
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from calls import export, selectors
from calls.aicc.client import KIND_BUSINESS
from calls.models import Call, OutcomeSync
from calls.outcomes import FINAL_SOURCES, call_refresh_outcome
from calls.services import client_for
from console.access import READERS, tenant_access
from console.htmx import wants_partial
from console.models import Membership


def _filter_form(m: Membership, request) -> selectors.HistoryFilter:
    managers = selectors.managers_of(m.tenant) if m.can_read_history else None
    return selectors.HistoryFilter(request.GET, managers=managers)


@login_required
@require_GET
def history(request, tenant):
    m = tenant_access(request, tenant)
    form = _filter_form(m, request)
    qs = selectors.calls_for(m, form.filters)
    page = selectors.history_page(
        qs, cursor=request.GET.get("after"), size=selectors.page_size(request.GET.get("size"))
    )
    ctx = {
        "m": m,
        "form": form,
        "page": page,
        "query": form.querystring(),
        "size_param": request.GET.get("size", ""),
        "first_page": not request.GET.get("after"),
        "tz": m.tenant.time_zone,
    }
    if m.is_admin and not wants_partial(request):
        ctx["sync"] = OutcomeSync.objects.filter(tenant=m.tenant).first()
    tpl = "calls/history.html#table" if wants_partial(request) else "calls/history.html"
    return render(request, tpl, ctx)


@login_required
@require_GET
def history_export(request, tenant):
    m = tenant_access(request, tenant)
    form = _filter_form(m, request)
    qs = selectors.calls_for(m, form.filters)
    tz = ZoneInfo(m.tenant.time_zone)
    response = StreamingHttpResponse(export.csv_lines(qs, tz), content_type="text/csv")
    name = export.export_filename(timezone.now(), tz)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _visible_call(m: Membership, code) -> Call:
    """A call of this tenant the member may see: their own, or any for admins/supervisors."""
    qs = m.tenant.calls.select_related("user")
    if not m.can_read_history:
        qs = qs.filter(user_id=m.user_id)
    call = qs.filter(code=code).first()
    if call is None:
        raise Http404
    return call


def _detail_context(m: Membership, call: Call, **extra) -> dict:
    mine = call.user_id == m.user_id
    ctx = {
        "m": m,
        "call": call,
        "reason": call.reason(),
        "outcome": call.outcome(),
        "final": call.outcome_source in FINAL_SOURCES,
        "show_data": m.can_read_history or mine,
        "call_again": mine and m.role == Membership.Role.MANAGER,
        "can_listen": m.can_read_history and bool(call.serial),
        "tz": m.tenant.time_zone,
    }
    ctx.update(extra)
    return ctx


@login_required
@require_GET
def call_detail(request, tenant, call):
    m = tenant_access(request, tenant)
    c = _visible_call(m, call)
    return render(request, "calls/detail.html", _detail_context(m, c))


@login_required
@require_POST
def call_refresh(request, tenant, call):
    """Ask AICC now (queryCallState, then queryCallDetailRecord once the call has ended)."""
    m = tenant_access(request, tenant)
    c = _visible_call(m, call)
    problem = call_refresh_outcome(c)
    if wants_partial(request):
        return render(
            request,
            "calls/detail.html#outcome",
            _detail_context(m, c, problem=problem, refreshed=True),
        )
    return redirect("call-detail", tenant=m.tenant.code, call=c.code)


@login_required
@require_GET
def call_recording(request, tenant, call):
    """Ask getRecordingAddress at this moment and send the listener there (or stream it with
    ?download=1). The URL lives 5 minutes and is never stored or logged."""
    m = tenant_access(request, tenant, roles=READERS)
    c = _visible_call(m, call)
    if not c.serial:
        raise Http404
    outcome = client_for(m.tenant).get_recording_url(c.serial)
    if not outcome.ok:
        status = 404 if outcome.kind == KIND_BUSINESS and outcome.ret_code == "5" else 502
        ctx = _detail_context(m, c, recording_reason=outcome.reason())
        return render(request, "calls/history_recording.html", ctx, status=status)
    url = outcome.result.url
    if request.GET.get("download") != "1":
        response = redirect(url)
    else:
        upstream = requests.get(url, stream=True, timeout=(3.05, 30), allow_redirects=False)
        if upstream.status_code != 200:
            upstream.close()
            ctx = _detail_context(m, c, recording_reason=None, upstream_status=upstream.status_code)
            return render(request, "calls/history_recording.html", ctx, status=502)
        response = StreamingHttpResponse(
            upstream.iter_content(64 * 1024),
            content_type=upstream.headers.get("Content-Type", "audio/wav"),
        )
        response["Content-Disposition"] = f'attachment; filename="call-{c.serial}.wav"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
