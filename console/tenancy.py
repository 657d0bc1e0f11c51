"""The tenant boundary, once per request.

For a URL with a `tenant_code` (`t/<uuid:tenant_code>/...`) and a logged-in user,
`TenantMiddleware` finds the user's membership there, with its tenant (usually read with the
session itself: console/sessions.py). A user who is no member gets a 404, so a tenant's existence is not revealed. A member gets
`request.tenant` and `request.membership`, the tenant's time zone for the page, and the tenant
remembered as the one they used last (in the session, and on the membership when it changes, for
the next sign-in: links without a tenant, `home` and the deep link, open it). Its responses are never cached and vary on HX-Request. Other requests get `request.tenant = request.membership = None`.

A tenant that requires two-factor sign-in of the member's role (`Membership.requires_two_factor`)
shows its pages only to a session verified with it (console/two_factor.py: a mark in the session,
so no query); others are sent to their Two-factor sign-in page, which explains why.

Callbacks from AICC (`t/<uuid:tenant_code>/aicc/<token>/...`) come without a user: their view
finds the tenant from the URL and its secret token itself.
"""

from uuid import UUID
from zoneinfo import ZoneInfo

from django.http import Http404
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import add_never_cache_headers, patch_vary_headers
from django.utils.http import urlencode
from django_htmx.http import HttpResponseClientRedirect

from console import two_factor
from console.models import Membership
from console.prepared import Prepared

CURRENT_TENANT = "current_tenant"  # session key: the code of the tenant used last

# Prepared (console/prepared.py): it runs on every tenant page.
_MEMBERSHIP = Prepared(
    lambda code, user_id: Membership.objects.select_related("tenant").filter(
        tenant__code=code, user_id=user_id
    )[:1],
    code=UUID,
    user_id=int,
)


class TenantMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request.tenant = request.membership = None
        try:
            response = self.get_response(request)
        finally:
            timezone.deactivate()  # the next request on this thread starts in the default zone
        if request.membership is not None:
            # A tenant's page shows its customers' numbers: kept by no cache, and the same URL
            # answers a whole page or an htmx fragment.
            if "Cache-Control" not in response:
                add_never_cache_headers(response)
            patch_vary_headers(response, ["HX-Request"])
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        code = view_kwargs.get("tenant_code")
        if code is None or not request.user.is_authenticated:
            return None
        # Usually it came with the session (console/sessions.py): the same user, the same tenant.
        membership = getattr(request.session, "loaded_membership", None)
        if (
            membership is None
            or membership.user_id != request.user.pk
            or membership.tenant.code != code
        ):
            membership = _MEMBERSHIP.first(code=code, user_id=request.user.pk)
        if membership is None:
            raise Http404
        if membership.requires_two_factor and not two_factor.verified(request.session):
            return _to_two_factor_setup(request)
        request.tenant, request.membership = membership.tenant, membership
        timezone.activate(ZoneInfo(membership.tenant.time_zone))
        if request.session.get(CURRENT_TENANT) != str(code):  # a switch, or a new session
            request.session[CURRENT_TENANT] = str(code)
            Membership.objects.filter(pk=membership.pk).update(last_opened_at=timezone.now())
        return None


def _to_two_factor_setup(request):
    """The person's Two-factor sign-in page, coming back here afterwards (a full-page move, also
    from an htmx request)."""
    htmx = getattr(request, "htmx", None)
    back = htmx.current_url_abs_path if htmx else request.get_full_path()
    url = f"{reverse('two-factor')}?{urlencode({'next': back or '/'})}"
    return HttpResponseClientRedirect(url) if htmx else redirect(url)
