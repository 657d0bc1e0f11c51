from django.utils.functional import SimpleLazyObject

from console.models import Membership


def nav(request):
    """The membership of the page's tenant (set by console.tenancy.TenantMiddleware) and, lazily, the user's other tenants."""
    m = getattr(request, "membership", None)

    def others():
        if not request.user.is_authenticated:
            return []
        return list(
            Membership.objects.filter(user=request.user)
            .select_related("tenant")
            .order_by("tenant__name")
        )

    return {
        "membership": m,
        "tenant": m.tenant if m else None,
        "my_memberships": SimpleLazyObject(others),
    }
