"""After-call work: wrapping up a call (its customer manager), commenting on a wrap-up
(supervisors and admins), and the admin's Wrap-up page (the tenant's dispositions and settings).

The wrap-up form posts from the call page's card and from the call's detail page: with htmx the
answer is the wrap-up section itself; without JavaScript, back to the page it came from."""

import copy

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from calls import selectors, wrapup_panel
from calls.followup_forms import WrapUpFollowUpForm
from calls.history_views import detail_context
from calls.links import TenantLinks
from calls.services import dispositions as ds
from calls.services.followups import after_wrapup
from calls.services.wrapup import (
    WrapUpRefused,
    why_not,
    wrap_up_of,
    wrapup_comment,
    wrapup_save,
)
from calls.wrapup_forms import CommentForm, DispositionForm, WrapUpForm, WrapUpSettingsForm
from console.access import ADMIN_ONLY, MANAGERS_ONLY, READERS, tenant_view
from console.htmx import wants_partial
from guardrails.services import dnc_from_call


def _back(request, call):
    links = TenantLinks(request.tenant.code)
    if request.POST.get("back") == "card":
        return redirect(links.result(call))
    return redirect(links.of("call-detail", call))


def _section(request, call, status=200, **extra):
    """The wrap-up section again (htmx), or the detail page with it (no JavaScript)."""
    membership = request.membership
    detail = request.POST.get("back") != "card"
    ctx = wrapup_panel.context(membership, call, detail=detail, **extra)
    if ctx is None and wants_partial(request):  # nothing to wrap up here (not ended, not placed)
        return render(request, "calls/_wrapup.html#refused", {"error": extra.get("error", "")})
    if wants_partial(request):
        return render(request, "calls/_wrapup.html", {"wu": ctx, "back": request.POST.get("back")})
    page = detail_context(membership, call)
    page["wu"] = wrapup_panel.context(membership, call, detail=True, **extra)
    return render(request, "calls/detail.html", page, status=status)


def _do_not_call(request, call, asked: bool) -> list:
    """The wrap-up's "Customer asked not to be called": a step saved with the wrap-up."""
    if not asked:
        return []
    return [lambda _wrap: dnc_from_call(call=call, actor=request.user)]


@tenant_view(roles=MANAGERS_ONLY)
@require_POST
def wrapup(request, call_code):
    """The manager wraps up their ended call (or changes its wrap-up while they may)."""
    call = selectors.visible_call(request.membership, call_code)
    wrap = wrap_up_of(call)
    refusal = why_not(request.membership, call, wrap)
    if refusal is not None:
        return _section(request, call, status=refusal.status, error=str(refusal.message))
    form = WrapUpForm(request.POST, dispositions=ds.dispositions_of(request.tenant), wrap=wrap)
    follow_up = WrapUpFollowUpForm(request.POST, membership=request.membership)
    if not (form.is_valid() & follow_up.is_valid()):
        return _section(request, call, status=422, form=form, follow_up_form=follow_up)
    step = after_wrapup(
        membership=request.membership,
        call=call,
        due_at=follow_up.due_at() if follow_up.wanted else None,
        note=follow_up.cleaned_data["note"],
    )
    try:
        wrapup_save(
            call=call,
            membership=request.membership,
            disposition=form.cleaned_data["disposition"],
            note=form.cleaned_data["note"],
            note_private=form.cleaned_data["note_private"],
            also=[step, *_do_not_call(request, call, form.cleaned_data["do_not_call"])],
        )
    except WrapUpRefused as e:
        return _section(request, call, status=e.status, error=str(e.message))
    except ValidationError as e:  # the follow-up's time or note: nothing was saved
        follow_up.apply_errors(e)
        return _section(request, call, status=422, form=form, follow_up_form=follow_up)
    if wants_partial(request):
        return _section(request, call)
    messages.success(request, _("Wrapped up."))
    return _back(request, call)


@tenant_view(roles=READERS)
@require_POST
def wrapup_comment_view(request, call_code):
    """A supervisor's or admin's comment on the call's wrap-up (always allowed)."""
    call = selectors.visible_call(request.membership, call_code)
    form = CommentForm(request.POST)
    if not form.is_valid():
        return _section(request, call, status=422, comment_form=form)
    try:
        wrapup_comment(call=call, membership=request.membership, text=form.cleaned_data["text"])
    except WrapUpRefused as e:
        return _section(request, call, status=e.status, error=str(e.message))
    if wants_partial(request):
        return _section(request, call)
    messages.success(request, _("Comment added."))
    return _back(request, call)


# --- the admin's Wrap-up page -------------------------------------------------------------------


def _settings_url(request) -> str:
    return reverse("wrapup-settings", kwargs={"tenant_code": request.tenant.code})


def _settings_page(request, settings_form=None, add_form=None, status=200):
    settings_form = settings_form or WrapUpSettingsForm(instance=request.tenant)
    if not request.membership.is_admin:
        for field in settings_form.fields.values():
            field.disabled = True
    ctx = {
        "settings_form": settings_form,
        "add_form": add_form or DispositionForm(),
        "dispositions": ds.dispositions_of(request.tenant),
        "read_only": not request.membership.is_admin,
    }
    return render(request, "calls/wrapup_settings.html", ctx, status=status)


@tenant_view(roles=READERS)
@require_http_methods(["GET", "POST"])
def wrapup_settings(request):
    """The tenant's wrap-up settings and its dispositions (admins change them; supervisors
    read them)."""
    if request.method == "GET":
        return _settings_page(request)
    if not request.membership.is_admin:
        raise PermissionDenied(_("Only the tenant's admins can change these settings."))
    # A copy: validating a model form writes onto its instance.
    form = WrapUpSettingsForm(request.POST, instance=copy.copy(request.tenant))
    if not form.is_valid():
        return _settings_page(request, settings_form=form, status=422)
    data = form.cleaned_data
    if ds.wrapup_settings_save(tenant=request.tenant, data=data, actor=request.user):
        messages.success(request, _("Wrap-up settings saved."))
    return redirect(_settings_url(request))


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def disposition_add(request):
    form = DispositionForm(request.POST)
    if not form.is_valid():
        return _settings_page(request, add_form=form, status=422)
    d = ds.disposition_add(tenant=request.tenant, data=form.values, actor=request.user)
    messages.success(request, _("Disposition “%(label)s” added.") % {"label": d.label})
    return redirect(_settings_url(request))


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def disposition_edit(request, disposition_code):
    d = ds.disposition_of(request.tenant, disposition_code)
    if request.method == "GET":
        form = DispositionForm(instance=d)
    else:
        form = DispositionForm(request.POST, instance=copy.copy(d))  # validating writes on it
        if form.is_valid():
            if ds.disposition_change(disposition=d, data=form.values, actor=request.user):
                messages.success(request, _("Disposition “%(label)s” saved.") % {"label": d.label})
            return redirect(_settings_url(request))
    status = 422 if form.is_bound else 200
    return render(request, "calls/disposition_form.html", {"form": form, "d": d}, status=status)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def disposition_action(request, disposition_code):
    """Move up or down, archive or bring back (the list's buttons)."""
    d = ds.disposition_of(request.tenant, disposition_code)
    action = request.POST.get("action")
    if action in ("up", "down"):
        ds.disposition_move(disposition=d, up=action == "up", actor=request.user)
    elif action in ("archive", "restore"):
        ds.disposition_archive(disposition=d, archived=action == "archive", actor=request.user)
    return redirect(_settings_url(request))
