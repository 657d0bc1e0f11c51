"""Call history: the filtered list, one call's detail, refreshing its outcome, its recording and
the CSV and XLSX exports. Managers see their own calls; admins and supervisors the whole tenant."""

from datetime import timedelta
from zoneinfo import ZoneInfo

from django.conf import settings
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_POST
from django_htmx.http import HttpResponseClientRefresh

from calls import export, result_panel, selectors, wrapup_panel
from calls.aicc.reasons import decode
from calls.call_status import status_of
from calls.history_filter import HistoryFilter, manager_options
from calls.history_rows import history_rows
from calls.models import Call
from calls.paging import history_page, page_size
from calls.readers import reader_for
from calls.services.dispositions import dispositions_of
from calls.services.outcomes import FINAL_SOURCES, call_refresh_outcome
from calls.services.recordings import recording_address, recording_download
from console.access import READERS, tenant_view
from console.htmx import wants_partial
from console.models import Membership

XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _filter_form(membership: Membership, request, dispositions=None) -> HistoryFilter:
    managers = manager_options(membership.tenant) if membership.can_read_history else None
    if dispositions is None:
        dispositions = dispositions_of(membership.tenant)
    return HistoryFilter(
        request.GET,
        managers=managers,
        reader=reader_for(membership),  # a manager filters their own calls: "your phone"
        ita=membership.tenant.is_ita,
        dispositions=dispositions,
    )


@tenant_view()
@require_GET
def history(request):
    membership = request.membership
    dispositions = dispositions_of(membership.tenant)
    form = _filter_form(membership, request, dispositions)
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
        "rows": history_rows(membership, page.calls, dispositions),
        "history_url": reverse("history", kwargs={"tenant_code": membership.tenant.code}),
        "query": form.querystring(),
        "size_param": request.GET.get("size", ""),
        "first_page": page.top,
        "tz": membership.tenant.time_zone,
    }
    if not wants_partial(request):
        ctx.update(_freshness_context(membership))
    tpl = "calls/history.html#table" if wants_partial(request) else "calls/history.html"
    return render(request, tpl, ctx)


def _freshness_context(membership: Membership) -> dict:
    """The line above the table: when outcomes were last synced, how many of the member's calls
    wait for theirs, and whether the sync looks stopped (nothing for two full-read intervals
    while calls wait, and no read failed: the worker is probably not running) or failing."""
    now = timezone.now()
    fresh = selectors.freshness(membership, now)
    stale_after = timedelta(seconds=2 * settings.OUTCOME_FULL_SYNC_SECONDS)
    last = fresh.last_synced
    stale = fresh.waiting > 0 and (last is None or last < now - stale_after)
    return {
        "freshness": fresh,
        "sync_stale": stale and not fresh.last_error,
        # A failing read is its own story: admins get the error itself (banner), others this.
        "sync_failing": bool(fresh.last_error) and not membership.is_admin,
        "overdue_minutes": settings.OUTCOME_OVERDUE_MINUTES,
        "horizon_days": selectors.SYNC_HORIZON.days,
        "sync_error": fresh.last_error if membership.is_admin else "",
    }


# The number of calls an export will contain, counted before it streams (its length is not known
# in advance): the history page's script shows the download's progress against it.
ROWS_HEADER = "X-Export-Rows"


def _export(request, chunks, content_type: str, extension: str):
    """The history's calls under the page's filter, streamed as a download, with their number in
    the X-Export-Rows header (one COUNT under the same filter, before the rows are read)."""
    membership = request.membership
    qs = selectors.calls_for(membership, _filter_form(membership, request).filters)
    rows = qs.count()
    tz = ZoneInfo(membership.tenant.time_zone)
    response = StreamingHttpResponse(chunks(qs, tz), content_type=content_type)
    name = export.export_filename(timezone.now(), tz, extension)
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    response[ROWS_HEADER] = str(rows)
    response["Cache-Control"] = "no-store"
    return response


@tenant_view()
@require_GET
def history_export(request):
    return _export(request, export.csv_lines, "text/csv", "csv")


@tenant_view()
@require_GET
def history_export_xlsx(request):
    """The same calls as the CSV export, as a spreadsheet with typed cells (calls/xlsx.py)."""
    return _export(request, export.xlsx_chunks, XLSX_TYPE, "xlsx")


def detail_context(membership: Membership, call: Call, **extra) -> dict:
    mine = call.user_id == membership.user_id
    reader = reader_for(membership, call)
    for name in ("problem", "recording_reason"):  # what AICC answered when asked just now
        if extra.get(name) is not None:
            extra[name] = extra[name].for_reader(reader)
    ctx = {
        "call": call,
        "reader": reader,
        "shown": status_of(call, reader=reader),
        "reason": call.reason(reader),
        "outcome": call.outcome(reader),
        "final": call.outcome_source in FINAL_SOURCES,
        "show_data": membership.can_read_history or mine,
        "call_again": mine and membership.role == Membership.Role.MANAGER,
        # Only a call the customer answered has a recording.
        "can_listen": membership.can_read_history
        and bool(call.serial)
        and bool(call.talking_at or call.talk_seconds),
        "overdue": selectors.is_overdue(call, timezone.now()),
        "overdue_minutes": settings.OUTCOME_OVERDUE_MINUTES,
        "horizon_days": selectors.SYNC_HORIZON.days,
        "tz": membership.tenant.time_zone,
        # Placed anyway past a guardrail (guardrails.preflight), with the manager's reason.
        "override": decode("console", call.override_code, reader) if call.override_code else None,
    }
    ctx.update(extra)
    return ctx


@tenant_view()
@require_GET
def call_detail(request, call_code):
    membership = request.membership
    c = selectors.visible_call(membership, call_code)
    ctx = detail_context(membership, c, wu=wrapup_panel.context(membership, c, detail=True))
    return render(request, "calls/detail.html", ctx)


@tenant_view()
@require_POST
def call_refresh(request, call_code):
    """Ask AICC now (queryCallState, then queryCallDetailRecord once the call has ended; for a
    call whose outcome is unknown: whether AICC's records show it was placed after all)."""
    membership = request.membership
    c = selectors.visible_call(membership, call_code)
    was_unknown = c.status == Call.Status.UNKNOWN
    problem = call_refresh_outcome(c)
    if wants_partial(request) and request.POST.get("panel"):
        # From the call page's result panel: answer with the panel itself.
        ctx = result_panel.context(membership, c, checked=True, problem=problem)
        return render(request, "calls/call.html#result", ctx)
    if wants_partial(request) and was_unknown:
        # "Check whether it was placed" on the detail page: found, the whole page changes.
        if c.status != Call.Status.UNKNOWN:
            return HttpResponseClientRefresh()
        ctx = detail_context(membership, c, problem=problem, checked=True)
        return render(request, "calls/detail.html#answer", ctx)
    if wants_partial(request):
        return render(
            request,
            "calls/detail.html#outcome",
            detail_context(membership, c, problem=problem, refreshed=True),
        )
    return redirect("call-detail", tenant_code=membership.tenant.code, call_code=c.code)


@tenant_view(roles=READERS)
@require_GET
def call_recording(request, call_code):
    """The call's recording, streamed through the console: played by the call page's <audio>
    element (byte ranges, for seeking) or downloaded with ?download=1. AICC is asked for the
    recording's address each time; the address never reaches the browser."""
    membership = request.membership
    call = selectors.visible_call(membership, call_code)
    if not call.serial:
        raise Http404
    recording = recording_address(call)
    if recording.reason is not None:
        ctx = detail_context(membership, call, recording_reason=recording.reason)
        return render(request, "calls/history_recording.html", ctx, status=recording.status)
    download = recording_download(recording.url, request.headers.get("Range", ""))
    if download.chunks is None:
        ctx = detail_context(
            membership,
            call,
            recording_reason=download.reason,
            upstream_status=download.upstream_status,
        )
        return render(request, "calls/history_recording.html", ctx, status=502)
    response = StreamingHttpResponse(
        download.chunks, status=download.status, content_type=download.content_type
    )
    for header, value in download.headers.items():
        response[header] = value
    kind = "attachment" if request.GET.get("download") == "1" else "inline"
    name = f"call-{call.serial}{download.extension}"
    response["Content-Disposition"] = f'{kind}; filename="{name}"'
    response["Cache-Control"] = "no-store"
    return response
