"""Who may open which tenant page.

`console.tenancy.TenantMiddleware` has already resolved the URL's tenant and the user's membership
(outsiders got a 404 there). A tenant view only says which roles may use it:

    @tenant_view(roles=ADMIN_ONLY)
    def softphone_add(request): ...

The view then works from `request.tenant` and `request.membership`; every query starts from the
tenant, never from a bare manager.
"""

from functools import wraps

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from console.models import Membership

Role = Membership.Role
ADMIN_ONLY = (Role.ADMIN,)
MANAGERS_ONLY = (Role.MANAGER,)
READERS = (Role.ADMIN, Role.SUPERVISOR)  # see the whole tenant's history
ANY_ROLE = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)

# What the 403 page says to a member whose role may not open the page.
WHO_MAY = {
    MANAGERS_ONLY: _("Only customer managers place calls, from their own softphone."),
    ADMIN_ONLY: _("Only the tenant's admins can open this page."),
    READERS: _("Only the tenant's admins and supervisors can open this page."),
}


def tenant_view(roles=ANY_ROLE):
    """A page of one tenant (`t/<uuid:tenant_code>/...`) for members with one of `roles`:
    logged-out people go to the login form, members with another role get 403. The URL's
    `tenant_code` is consumed here: the view gets `request.tenant` instead."""

    def decorator(view):
        @login_required
        @wraps(view)
        def wrapper(request, tenant_code, *args, **kwargs):
            membership = getattr(request, "membership", None)
            if membership is None:  # the middleware did not resolve it: never serve the page
                raise Http404
            if membership.role not in roles:
                raise PermissionDenied(WHO_MAY.get(tuple(roles), ""))
            return view(request, *args, **kwargs)

        return wrapper

    return decorator
