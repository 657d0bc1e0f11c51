"""The follow-ups page (a customer manager's own list, the tenant's for supervisors and admins)
and its actions: schedule, reschedule, cancel with a reason, mark done. Calling from a follow-up
is the call page (calls/call_views.py) opened with `?follow_up=<code>`."""

from __future__ import annotations

from uuid import UUID

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_http_methods, require_POST

from calls import followup_selectors as fs
from calls import selectors
from calls.followup_forms import CancelForm, RescheduleForm, ScheduleForm
from calls.followup_rows import rows_html
from calls.links import TenantLinks
from calls.readers import reader_for
from calls.services import followups
from console.access import tenant_view
from console.htmx import wants_partial
from console.selectors import managers_of

GROUP_TITLES = {
    "overdue": gettext_lazy("Overdue"),
    "today": gettext_lazy("Due today"),
    "upcoming": gettext_lazy("Upcoming"),
}


def _list_url(request) -> str:
    return reverse("follow-ups", kwargs={"tenant_code": request.tenant.code})


def _when(request, follow_up) -> str:
    return timezone.localtime(follow_up.due_at).strftime("%Y-%m-%d %H:%M")


def relative(due, now) -> str:
    """ "in 3 hours", "2 days ago": the nearest whole unit (cheaper than timesince per row)."""
    seconds = abs((due - now).total_seconds())
    if seconds < 3600:
        n = max(1, round(seconds / 60))
        text = ngettext("%(n)s minute", "%(n)s minutes", n)
    elif seconds < 48 * 3600:
        n = round(seconds / 3600)
        text = ngettext("%(n)s hour", "%(n)s hours", n)
    else:
        n = round(seconds / 86400)
        text = ngettext("%(n)s day", "%(n)s days", n)
    text = text % {"n": n}
    return (_("%(time)s ago") if due <= now else _("in %(time)s")) % {"time": text}


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _rows(request, rows, now=None) -> list[dict]:
    """Each row's words and links, made here: per-row template tags were most of the page's
    time (docs/performance.md, "Follow-ups")."""
    membership = request.membership
    links = TenantLinks(request.tenant.code)
    now = now or timezone.now()
    out = []
    for f in rows:
        source, placed = f.source_call, f.placed_call
        may_see = source is not None and (
            membership.can_read_history or source.user_id == membership.user_id
        )
        mine = f.assignee_id == membership.user_id
        out.append(
            {
                "f": f,
                "due": timezone.localtime(f.due_at).strftime("%Y-%m-%d %H:%M"),
                "due_iso": f.due_at.isoformat(),
                "relative": relative(f.due_at, now),
                "assignee": _("For %(name)s") % {"name": _name(f.assignee)}
                if membership.can_read_history
                else "",
                "scheduled_by": _("Scheduled by %(name)s") % {"name": _name(f.created_by)}
                if f.created_by_id
                else "",
                "call_url": links.call_from_follow_up(f) if mine else None,
                "call_label": _("Call %(number)s") % {"number": f.called},
                "done_url": links.of_follow_up("follow-up-done", f),
                "edit_url": links.of_follow_up("follow-up-edit", f),
                "source_url": links.of("call-detail", source) if may_see else None,
                "placed_url": links.of("call-detail", placed) if placed else None,
                "placed_label": _("last called %(time)s")
                % {"time": timezone.localtime(placed.created_at).strftime("%Y-%m-%d %H:%M")}
                if placed
                else "",
            }
        )
    return out


def _assignee_filter(request):
    """A supervisor's "whose": a manager's user id from ?assignee=, else everyone's."""
    if not request.membership.can_read_history:
        return None, []
    managers = list(managers_of(request.tenant))
    raw = request.GET.get("assignee", "")
    chosen = int(raw) if raw.isdigit() and any(m.pk == int(raw) for m in managers) else None
    return chosen, managers


@tenant_view()
@require_http_methods(["GET"])
def follow_ups(request):
    membership = request.membership
    assignee_id, managers = _assignee_filter(request)
    cursors = {g: request.GET.get(f"{g}_after") for g in fs.GROUPS if request.GET.get(f"{g}_after")}
    listing = fs.listing(membership, assignee_id=assignee_id, cursors=cursors)
    if not membership.can_read_history:
        request.follow_ups_due = listing.due  # the navigation's count, without a second query
    groups = [
        {
            "name": g.name,
            "title": GROUP_TITLES[g.name],
            "total": g.total,
            "capped": g.capped,
            "rows": rows_html(request, _rows(request, g.rows)),
            "more_url": f"?{g.name}_after={g.next_cursor}"
            + (f"&assignee={assignee_id}" if assignee_id else "")
            if g.next_cursor
            else None,
        }
        for g in listing.groups
    ]
    ctx = {
        "groups": groups,
        "managers": managers,
        "assignee_id": assignee_id,
        "paged": bool(cursors),
        "tz": request.tenant.time_zone,
        "now": timezone.now(),
    }
    return render(request, "calls/followups.html", ctx)


@tenant_view()
@require_http_methods(["GET", "POST"])
def follow_up_new(request):
    membership = request.membership
    if request.method == "GET":
        initial = {}
        if request.GET.get("called"):
            initial["called"] = request.GET["called"][:64]
        source = _source_call(request, request.GET.get("source_call"))
        if source is not None:
            initial.update(called=source.called, source_call=source.code)
        form = ScheduleForm(membership=membership, initial=initial)
        return render(request, "calls/followup_new.html", {"form": form, "source": source})
    form = ScheduleForm(request.POST, membership=membership)
    source = None
    if form.is_valid():
        source = _source_call(request, form.cleaned_data.get("source_call"))
        try:
            follow_up = followups.follow_up_schedule(
                membership=membership,
                called=form.cleaned_data["called"],
                due_at=form.due_at(),
                note=form.cleaned_data["note"],
                assignee=form.cleaned_data.get("assignee"),
                source_call=source,
            )
        except ValidationError as e:
            form.apply_errors(e)
        else:
            messages.success(
                request,
                _("Follow-up scheduled: %(number)s, %(when)s.")
                % {"number": follow_up.called, "when": _when(request, follow_up)},
            )
            return redirect(_list_url(request))
    return render(request, "calls/followup_new.html", {"form": form, "source": source}, status=200)


def _source_call(request, code):
    """The call a follow-up is scheduled from, if the member may see it."""
    try:
        return selectors.visible_call(request.membership, UUID(str(code)))
    except (ValueError, TypeError, Http404):
        return None


def _edit_page(request, follow_up, form=None, cancel_form=None, status=200):
    source = follow_up.source_call
    ctx = {
        "follow_up": follow_up,
        "source_url": _rows(request, [follow_up])[0]["source_url"],
        "when": _when(request, follow_up),
        "form": form or RescheduleForm(membership=request.membership, follow_up=follow_up),
        "cancel_form": cancel_form or CancelForm(),
        "source_outcome": _source_outcome(request.membership, source),
    }
    return render(request, "calls/followup_edit.html", ctx, status=status)


def _source_outcome(membership, call):
    if call is None:
        return None
    reader = reader_for(membership, call)
    return call.outcome(reader) or call.reason(reader)


@tenant_view()
@require_http_methods(["GET", "POST"])
def follow_up_edit(request, follow_up_code):
    """A follow-up: reschedule it (date, time, note; a supervisor: whose), cancel it, mark it
    done."""
    follow_up = fs.visible_follow_up(request.membership, follow_up_code)
    if request.method == "GET":
        return _edit_page(request, follow_up)
    form = RescheduleForm(request.POST, membership=request.membership, follow_up=follow_up)
    if form.is_valid():
        try:
            followups.follow_up_reschedule(
                membership=request.membership,
                follow_up=follow_up,
                due_at=form.due_at(),
                note=form.cleaned_data["note"],
                assignee=form.cleaned_data.get("assignee"),
            )
        except ValidationError as e:
            form.apply_errors(e)
        except followups.NotOpen as e:
            messages.error(request, str(e))
            return redirect(_list_url(request))
        else:
            messages.success(
                request,
                _("Follow-up rescheduled: %(number)s, %(when)s.")
                % {"number": follow_up.called, "when": _when(request, follow_up)},
            )
            return redirect(_list_url(request))
    return _edit_page(request, follow_up, form=form)


@tenant_view()
@require_POST
def follow_up_cancel(request, follow_up_code):
    follow_up = fs.visible_follow_up(request.membership, follow_up_code)
    form = CancelForm(request.POST)
    if form.is_valid():
        try:
            followups.follow_up_cancel(
                membership=request.membership,
                follow_up=follow_up,
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as e:
            form.add_error("reason", e.error_dict.get("reason", e.messages))
        except followups.NotOpen as e:
            messages.error(request, str(e))
            return redirect(_list_url(request))
        else:
            messages.success(
                request, _("Follow-up cancelled: %(number)s.") % {"number": follow_up.called}
            )
            return redirect(_list_url(request))
    return _edit_page(request, follow_up, cancel_form=form)


@tenant_view()
@require_POST
def follow_up_done(request, follow_up_code):
    follow_up = fs.visible_follow_up(request.membership, follow_up_code)
    try:
        followups.follow_up_done(membership=request.membership, follow_up=follow_up)
    except followups.NotOpen as e:
        text, ok = str(e), False
    else:
        text, ok = _("Follow-up done: %(number)s.") % {"number": follow_up.called}, True
    if wants_partial(request):  # the row says so in place
        return render(
            request, "calls/_followup_closed.html", {"text": text, "ok": ok, "f": follow_up}
        )
    (messages.success if ok else messages.error)(request, text)
    return redirect(_list_url(request))
