"""Call history: the filtered list, one call's detail, refreshing its outcome, its recording and
the CSV export. Managers see their own calls; admins and supervisors the whole tenant."""

from zoneinfo import ZoneInfo

import requests
from django.contrib.auth.decorators import login_required
from django.http import Http404, StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, ngettext
from django.views.decorators.http import require_GET, require_POST

from calls import export, result_panel, selectors
from calls.aicc.reasons import decode
from calls.aicc.results import KIND_BUSINESS
from calls.aicc.transport import classify_exception
from calls.links import TenantLinks
from calls.models import Call, OutcomeSync
from calls.outcomes import FINAL_SOURCES, call_refresh_outcome
from calls.services import client_for
from console.access import READERS, tenant_access
from console.htmx import wants_partial
from console.models import Membership


def _filter_form(m: Membership, request) -> selectors.HistoryFilter:
    managers = selectors.managers_of(m.tenant) if m.can_read_history else None
    return selectors.HistoryFilter(request.GET, managers=managers)


def _rows(m: Membership, calls: list[Call]) -> list[dict]:
    """The page's rows as plain values for the template: per-row template work (URL reversing,
    time zone conversion and date formatting, decoding and translating reasons, `translate`
    tags) was most of the page's time. Each distinct reason, outcome, manager and talk time is
    decoded and translated once per page; URLs come from calls.links (reversed once per tenant)."""
    tz = ZoneInfo(m.tenant.time_zone)
    links = TenantLinks(m.tenant.code)
    can_call = m.role == Membership.Role.MANAGER
    status_labels = {s.value: str(s.label) for s in Call.Status}
    answered, not_answered = gettext("Answered"), gettext("Not answered")
    talking, not_known = gettext("Talking"), gettext("Not known yet")
    names, reasons, outcomes, talks = {}, {}, {}, {}
    rows = []
    for c in calls:
        who = None
        if c.user_id is not None:
            who = names.get(c.user_id)
            if who is None:
                who = names[c.user_id] = c.user.get_full_name() or c.user.username
        reason = None
        if c.reason_source:
            key = (c.reason_source, c.reason_code)
            if key not in reasons:
                reasons[key] = str(decode(*key).title)
            reason = reasons[key]
        strong = talk = plain = note = ""
        if c.outcome_code:
            key = ("outcome_ita" if c.call_type == "ITA" else "outcome", c.outcome_code)
            if key not in outcomes:
                outcomes[key] = str(decode(*key).title)
            note = outcomes[key]
            if c.talking_at or c.talk_seconds:
                strong = answered
                if c.talk_seconds is not None:
                    if c.talk_seconds not in talks:
                        s = c.talk_seconds
                        talks[s] = ngettext("%(s)s second", "%(s)s seconds", s) % {"s": s}
                    talk = talks[c.talk_seconds]
            elif c.outcome_source in ("push", "cdr"):
                strong = not_answered
        elif c.state == 2:
            plain = talking
        elif c.status == Call.Status.PLACED:
            note = not_known
        else:
            note = "—"
        rows.append(
            {
                "href": links.of("call-detail", c),
                "time": c.created_at.astimezone(tz).strftime("%Y-%m-%d %H:%M"),
                "who": who,
                "softphone": c.softphone,
                "called": c.called,
                "status": c.status,
                "status_label": status_labels.get(c.status, c.status),
                "serial": c.serial,
                "reason": reason,
                "strong": strong,
                "talk": talk,
                "plain": plain,
                "note": note,
                "again": (
                    links.call_again(c.called) if can_call and c.user_id == m.user_id else ""
                ),
            }
        )
    return rows


@login_required
@require_GET
def history(request, tenant):
    m = tenant_access(request, tenant)
    form = _filter_form(m, request)
    qs = selectors.calls_for(m, form.filters)
    page = selectors.history_page(
        qs,
        cursor=request.GET.get("after"),
        before=request.GET.get("before"),
        size=selectors.page_size(request.GET.get("size")),
    )
    ctx = {
        "m": m,
        "form": form,
        "page": page,
        "rows": _rows(m, page.calls),
        "history_url": reverse("history", kwargs={"tenant": m.tenant.code}),
        "query": form.querystring(),
        "size_param": request.GET.get("size", ""),
        "first_page": page.top,
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
    c = selectors.visible_call(m, call)
    return render(request, "calls/detail.html", _detail_context(m, c))


@login_required
@require_POST
def call_refresh(request, tenant, call):
    """Ask AICC now (queryCallState, then queryCallDetailRecord once the call has ended)."""
    m = tenant_access(request, tenant)
    c = selectors.visible_call(m, call)
    problem = call_refresh_outcome(c)
    if wants_partial(request) and request.POST.get("panel"):
        # From the call page's result panel: answer with the panel itself.
        ctx = result_panel.context(m, c, checked=True, problem=problem)
        return render(request, "calls/call.html#result", ctx)
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
    c = selectors.visible_call(m, call)
    if not c.serial:
        raise Http404
    try:
        outcome = client_for(m.tenant).get_recording_url(c.serial)
    except ValueError:  # the tenant's stored AICC settings cannot be used
        ctx = _detail_context(m, c, recording_reason=decode("transport", "config"))
        return render(request, "calls/history_recording.html", ctx, status=502)
    if not outcome.ok:
        status = 404 if outcome.kind == KIND_BUSINESS and outcome.ret_code == "5" else 502
        ctx = _detail_context(m, c, recording_reason=outcome.reason())
        return render(request, "calls/history_recording.html", ctx, status=status)
    url = outcome.result.url
    if request.GET.get("download") != "1":
        response = redirect(url)
    else:
        try:
            upstream = requests.get(url, stream=True, timeout=(3.05, 30), allow_redirects=False)
        except requests.RequestException as exc:
            reason = decode("transport", classify_exception(exc))
            ctx = _detail_context(m, c, recording_reason=reason)
            return render(request, "calls/history_recording.html", ctx, status=502)
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
