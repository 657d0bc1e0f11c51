from django.utils.functional import SimpleLazyObject

from console.models import Membership


def nav(request):
    """The membership of the page's tenant (set by console.tenancy.TenantMiddleware) and, lazily,
    the user's other tenants and a customer manager's live call (the in-call bar: one small
    query, only on pages that show it)."""
    m = getattr(request, "membership", None)

    def others():
        if not request.user.is_authenticated:
            return []
        return list(
            Membership.objects.filter(user=request.user)
            .select_related("tenant")
            .order_by("tenant__name")
        )

    def live_bar():
        if m is None or m.role != Membership.Role.MANAGER:
            return None
        from calls import result_panel
        from calls.services.following import live_call_of

        call = live_call_of(m)
        return None if call is None else result_panel.context(m, call, view="bar")

    return {
        "membership": m,
        "tenant": m.tenant if m else None,
        "my_memberships": SimpleLazyObject(others),
        "live_bar": live_bar,  # a callable: templates call it when they look at it
    }
