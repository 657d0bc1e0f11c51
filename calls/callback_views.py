"""AICC's pushed call events (aicc-api.md §12), and the admin page that shows where to send them.

The endpoints are per tenant: /t/<tenant>/aicc/<token>/release/ (and /connect/). The URL alone
decides the tenant (its code and its unguessable token must match); nothing in the body is
trusted to name one. They answer {"retCode": "0"} at once after one conditional UPDATE.
"""

import hmac
import json
import logging

from django import forms
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods, require_POST

from calls.models import OutcomeSync
from calls.services.outcomes import (
    OutcomeData,
    callback_key_set,
    callback_token_renew,
    nonce_first_use,
    outcome_apply,
    outcome_connected,
    signature_problem,
    sync_row,
)
from console.access import ADMIN_ONLY, tenant_view

log = logging.getLogger("calls.callbacks")
OK = {"retCode": "0", "retMsg": "success"}
MAX_BODY = 64 * 1024


def _params(request) -> dict | None:
    """The event's fields as strings (JSON or form-encoded body); None when unreadable (not JSON,
    nested too deep, or text with a NUL character or that is not valid Unicode)."""
    body = request.body[:MAX_BODY]
    ctype = request.content_type or ""
    if "json" in ctype or body.lstrip().startswith(b"{"):
        try:
            data = json.loads(body)
        except (ValueError, RecursionError):  # not JSON, or nested beyond Python's stack
            return None
        if not isinstance(data, dict):
            return None
        params = {
            str(k): (None if v is None else v if isinstance(v, str) else json.dumps(v))
            for k, v in data.items()
        }
    else:
        params = request.POST.dict()
    # JSON can carry lone surrogates ("\ud800") and NUL characters, which no text column stores.
    for key, value in params.items():
        text = key + (value or "")
        if "\x00" in text:
            return None
        try:
            text.encode()
        except UnicodeEncodeError:
            return None
    return params


def _reject(sync: OutcomeSync, kind: str, why: str, status: int = 403) -> JsonResponse:
    log.warning("aicc %s event rejected tenant=%s: %s", kind, sync.tenant.slug, why)
    OutcomeSync.objects.filter(pk=sync.pk).update(
        last_rejection=f"{kind}: {why}"[:255], last_rejection_at=timezone.now()
    )
    return JsonResponse({"retCode": "1", "retMsg": why}, status=status)


@csrf_exempt
@require_POST
def aicc_event(request, tenant_code, token, kind):
    sync = OutcomeSync.objects.select_related("tenant").filter(tenant__code=tenant_code).first()
    # Compare in constant time; a wrong token or tenant is 404, as if the URL did not exist.
    if sync is None or not hmac.compare_digest(sync.token.encode(), token.encode()):
        raise Http404
    params = _params(request)
    if params is None:
        return _reject(sync, kind, "unreadable body", status=400)
    if sync.shared_key:
        why = signature_problem(params, sync.shared_key)
        if why:
            return _reject(sync, kind, why)
        if not nonce_first_use(sync.tenant, params["nonce"]):
            return _reject(sync, kind, "replayed (nonce seen before)")
    serial = str(params.get("callSerialNo") or "").strip()
    if not serial or len(serial) > 50:
        return _reject(sync, kind, "no callSerialNo", status=400)
    if kind == "release":
        data = OutcomeData.from_release_event(params)
        applied = outcome_apply(tenant=sync.tenant, serial=serial, source="push", data=data)
    else:
        applied = outcome_connected(tenant=sync.tenant, serial=serial)
    OutcomeSync.objects.filter(pk=sync.pk).update(last_push_at=timezone.now())
    log.info(
        "aicc %s event tenant=%s serial=%s applied=%s", kind, sync.tenant.slug, serial, applied
    )
    return JsonResponse(OK)


class SharedKeyForm(forms.Form):
    shared_key = forms.CharField(
        label=_("Shared key"),
        required=False,
        min_length=16,
        max_length=256,
        strip=True,
        widget=forms.PasswordInput(attrs={"autocomplete": "off"}),
        help_text=_(
            "The key set for callback authentication in AICC (at least 16 characters). "
            "Leave empty to keep the current key."
        ),
    )


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def callbacks(request):
    """Admins only: the callback URLs to enter in AICC, the shared key, and the sync status."""
    tenant = request.tenant
    form = SharedKeyForm(request.POST or None)
    if request.method == "POST":
        action = request.POST.get("action")
        if action == "rotate":
            callback_token_renew(tenant=tenant, actor=request.user)
        elif action == "clear-key":
            callback_key_set(tenant=tenant, shared_key="", actor=request.user)
        elif form.is_valid() and form.cleaned_data["shared_key"]:
            callback_key_set(
                tenant=tenant, shared_key=form.cleaned_data["shared_key"], actor=request.user
            )
        if action in ("rotate", "clear-key") or form.is_valid():
            return redirect("history-callbacks", tenant_code=tenant.code)
    else:
        form = SharedKeyForm()
    ctx = {**callback_status(request), "form": form, "tz": tenant.time_zone}
    return render(request, "calls/history_callbacks.html", ctx)


def callback_status(request) -> dict:
    """The tenant's callback URLs (absolute) and its sync row (when the last event came, the last
    one refused): for this page and the Settings page."""
    tenant = request.tenant
    sync = sync_row(tenant)
    urls = {
        kind: request.build_absolute_uri(
            reverse(f"aicc-{kind}-event", kwargs={"tenant_code": tenant.code, "token": sync.token})
        )
        for kind in ("connect", "release")
    }
    return {"sync": sync, "urls": urls}
