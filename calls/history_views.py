"""Call history: the filtered list, one call's detail, refreshing its outcome, its recording and
the CSV export. Managers see their own calls; admins and supervisors the whole tenant."""

from zoneinfo import ZoneInfo

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST

from calls import export, result_panel, selectors
from calls.call_status import history_status, status_of
from calls.history_filter import HistoryFilter
from calls.links import TenantLinks
from calls.models import Call, OutcomeSync
from calls.paging import history_page, page_size
from calls.services.outcomes import FINAL_SOURCES, call_refresh_outcome
from calls.services.recordings import recording_address, recording_download
from console.access import READERS, tenant_view
from console.htmx import wants_partial
from console.models import Membership
from console.selectors import managers_of


def _filter_form(membership: Membership, request) -> HistoryFilter:
    managers = managers_of(membership.tenant) if membership.can_read_history else None
    return HistoryFilter(request.GET, managers=managers)


def _rows(membership: Membership, calls: list[Call]) -> list[dict]:
    """The page's rows as plain values for the template: per-row template work (URL reversing,
    time zone conversion and date formatting, decoding and translating reasons, `translate`
    tags) was most of the page's time. Each row's one status comes from calls.call_status, with
    calls sharing a reason or an outcome decoded once per page; URLs come from calls.links
    (reversed once per tenant)."""
    tz = ZoneInfo(membership.tenant.time_zone)
    links = TenantLinks(membership.tenant.code)
    can_call = membership.role == Membership.Role.MANAGER
    now = timezone.now()
    names, memo = {}, {}
    rows = []
    for c in calls:
        who = None
        if c.user_id is not None:
            who = names.get(c.user_id)
            if who is None:
                who = names[c.user_id] = c.user.get_full_name() or c.user.username
        shown = history_status(c, memo, now)
        rows.append(
            {
                "href": links.of("call-detail", c),
                "time": c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "who": who,
                "softphone": c.softphone,
                "called": c.called,
                "tone": shown.tone,
                "status": shown.short,
                "serial": c.serial,
                "again": (
                    links.call_again(c.called)
                    if can_call and c.user_id == membership.user_id and not shown.live
                    else ""
                ),
            }
        )
    return rows


@tenant_view()
@require_GET
def history(request):
    membership = request.membership
    form = _filter_form(membership, request)
    qs = selectors.calls_for(membership, form.filters)
    page = history_page(
        qs,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=page_size(request.GET.get("size")),
    )
    ctx = {
        "form": form,
        "page": page,
        "rows": _rows(membership, page.calls),
        "history_url": reverse("history", kwargs={"tenant_code": membership.tenant.code}),
        "query": form.querystring(),
        "size_param": request.GET.get("size", ""),
        "first_page": page.top,
        "tz": membership.tenant.time_zone,
    }
    if membership.is_admin and not wants_partial(request):
        ctx["sync"] = OutcomeSync.objects.filter(tenant=membership.tenant).first()
    tpl = "calls/history.html#table" if wants_partial(request) else "calls/history.html"
    return render(request, tpl, ctx)


@tenant_view()
@require_GET
def history_export(request):
    membership = request.membership
    form = _filter_form(membership, request)
    qs = selectors.calls_for(membership, form.filters)
    tz = ZoneInfo(membership.tenant.time_zone)
    response = StreamingHttpResponse(export.csv_lines(qs, tz), content_type="text/csv")
    name = export.export_filename(timezone.now(), tz)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response


def _detail_context(membership: Membership, call: Call, **extra) -> dict:
    mine = call.user_id == membership.user_id
    ctx = {
        "call": call,
        "shown": status_of(call),
        "reason": call.reason(),
        "outcome": call.outcome(),
        "final": call.outcome_source in FINAL_SOURCES,
        "show_data": membership.can_read_history or mine,
        "call_again": mine and membership.role == Membership.Role.MANAGER,
        "can_listen": membership.can_read_history and bool(call.serial),
        "tz": membership.tenant.time_zone,
    }
    ctx.update(extra)
    return ctx


@tenant_view()
@require_GET
def call_detail(request, call_code):
    membership = request.membership
    c = selectors.visible_call(membership, call_code)
    return render(request, "calls/detail.html", _detail_context(membership, c))


@tenant_view()
@require_POST
def call_refresh(request, call_code):
    """Ask AICC now (queryCallState, then queryCallDetailRecord once the call has ended)."""
    membership = request.membership
    c = selectors.visible_call(membership, call_code)
    problem = call_refresh_outcome(c)
    if wants_partial(request) and request.POST.get("panel"):
        # From the call page's result panel: answer with the panel itself.
        ctx = result_panel.context(membership, c, checked=True, problem=problem)
        return render(request, "calls/call.html#result", ctx)
    if wants_partial(request):
        return render(
            request,
            "calls/detail.html#outcome",
            _detail_context(membership, c, problem=problem, refreshed=True),
        )
    return redirect("call-detail", tenant_code=membership.tenant.code, call_code=c.code)


@tenant_view(roles=READERS)
@require_GET
def call_recording(request, call_code):
    """Ask AICC for the recording's address now and send the listener there (or stream the
    recording with ?download=1)."""
    membership = request.membership
    call = selectors.visible_call(membership, call_code)
    if not call.serial:
        raise Http404
    recording = recording_address(call)
    if recording.reason is not None:
        ctx = _detail_context(membership, call, recording_reason=recording.reason)
        return render(request, "calls/history_recording.html", ctx, status=recording.status)
    if request.GET.get("download") != "1":
        response = redirect(recording.url)
    else:
        download = recording_download(recording.url)
        if download.chunks is None:
            ctx = _detail_context(
                membership,
                call,
                recording_reason=download.reason,
                upstream_status=download.upstream_status,
            )
            return render(request, "calls/history_recording.html", ctx, status=502)
        response = StreamingHttpResponse(download.chunks, content_type=download.content_type)
        response["Content-Disposition"] = f'attachment; filename="call-{call.serial}.wav"'
    response["Cache-Control"] = "no-store"
    response["Referrer-Policy"] = "no-referrer"
    return response
