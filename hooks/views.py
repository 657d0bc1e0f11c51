"""A tenant admin's webhook pages: endpoints, their deliveries, "send again"."""

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from calls.services.outbound import Blocked
from console.access import ADMIN_ONLY, tenant_view
from hooks import services
from hooks.events import EVENT_TYPES
from hooks.forms import EndpointForm
from hooks.models import Delivery, Endpoint

DELIVERIES_SHOWN = 50


def endpoint_of(tenant, code) -> Endpoint:
    endpoint = Endpoint.objects.filter(tenant=tenant, code=code).first()
    if endpoint is None:
        raise Http404
    endpoint.tenant = tenant
    return endpoint


def _list(request):
    return redirect("webhooks", tenant_code=request.tenant.code)


def _secret_page(request, endpoint, secret):
    """The secret, this once: not kept by the browser's cache."""
    response = render(request, "hooks/secret.html", {"endpoint": endpoint, "secret": secret})
    response["Cache-Control"] = "no-store"
    return response


@tenant_view(roles=ADMIN_ONLY)
@require_GET
def webhooks(request):
    endpoints = list(Endpoint.objects.filter(tenant=request.tenant))
    labels = dict(EVENT_TYPES)
    for e in endpoints:
        e.event_labels = [labels.get(t, t) for t in e.events]
    failing = [e for e in endpoints if e.disabled_reason == "failing"]
    return render(request, "hooks/webhooks.html", {"endpoints": endpoints, "failing": failing})


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def webhook_add(request):
    form = EndpointForm(request.POST or None)
    if request.method == "GET" or not form.is_valid():
        return render(request, "hooks/endpoint_form.html", {"form": form})
    try:
        endpoint, secret = services.endpoint_create(
            tenant=request.tenant,
            actor=request.user,
            url=form.cleaned_data["url"],
            events=form.cleaned_data["events"],
            description=form.cleaned_data["description"],
        )
    except Blocked:
        form.add_error("url", _("The console does not send to this address."))
        return render(request, "hooks/endpoint_form.html", {"form": form})
    return _secret_page(request, endpoint, secret)


@tenant_view(roles=ADMIN_ONLY)
@require_http_methods(["GET", "POST"])
def webhook_detail(request, endpoint_code):
    endpoint = endpoint_of(request.tenant, endpoint_code)
    initial = {
        "url": endpoint.url,
        "description": endpoint.description,
        "events": endpoint.events,
        "enabled": endpoint.enabled,
    }
    form = EndpointForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.endpoint_change(endpoint=endpoint, actor=request.user, **form.cleaned_data)
        except Blocked:
            form.add_error("url", _("The console does not send to this address."))
        else:
            messages.success(request, _("Webhook endpoint saved."))
            return redirect(
                "webhook-detail", tenant_code=request.tenant.code, endpoint_code=endpoint.code
            )
    deliveries = Delivery.objects.filter(endpoint=endpoint).order_by("-created_at", "-id")[
        :DELIVERIES_SHOWN
    ]
    ctx = {"endpoint": endpoint, "form": form, "deliveries": deliveries}
    return render(request, "hooks/endpoint.html", ctx)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def webhook_rotate(request, endpoint_code):
    endpoint = endpoint_of(request.tenant, endpoint_code)
    secret = services.endpoint_rotate(endpoint=endpoint, actor=request.user)
    return _secret_page(request, endpoint, secret)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def webhook_remove(request, endpoint_code):
    endpoint = endpoint_of(request.tenant, endpoint_code)
    services.endpoint_delete(endpoint=endpoint, actor=request.user)
    messages.success(request, _("Webhook endpoint removed."))
    return _list(request)


@tenant_view(roles=ADMIN_ONLY)
@require_POST
def webhook_resend(request, endpoint_code, delivery_id):
    endpoint = endpoint_of(request.tenant, endpoint_code)
    delivery = Delivery.objects.filter(endpoint=endpoint, pk=delivery_id).first()
    if delivery is None:
        raise Http404
    delivery.tenant = request.tenant
    services.delivery_resend(delivery=delivery, actor=request.user)
    messages.success(request, _("The event will be sent again in a moment."))
    return redirect("webhook-detail", tenant_code=request.tenant.code, endpoint_code=endpoint.code)
