from django.utils.functional import SimpleLazyObject

from console.models import Membership
from console.nav import nav_html
from console.prepared import Prepared

# Prepared (console/prepared.py): every signed-in page's header lists the user's tenants.
_MEMBERSHIPS = Prepared(
    lambda user_id: (
        Membership.objects.filter(user_id=user_id).select_related("tenant").order_by("tenant__name")
    ),
    user_id=int,
)

# The navigation entry each page belongs to (its URL name -> entry). The entry's own page is
# marked aria-current="page", the pages under it aria-current="true".
NAV_SECTIONS = {
    "call": "call",
    "history": "history",
    "call-detail": "history",
    "call-recording": "history",
    "dashboard": "dashboard",
    "wallboard": "wallboard",
    "tenant-settings": "settings",
    "history-callbacks": "settings",
    "wrapup-settings": "settings",
    "disposition-edit": "settings",
    "softphones": "softphones",
    "webhooks": "webhooks",
    "webhook-add": "webhooks",
    "webhook-detail": "webhooks",
    "softphone-add": "softphones",
    "softphone-edit": "softphones",
    "softphones-import": "softphones",
    "softphones-allocated": "softphones",
    "softphone-health": "softphones",
    "people": "people",
    "people-create": "people",
    "audit": "audit",
    "api-tokens": "api",
    "customers": "customers",
    "customer-new": "customers",
    "customer-edit": "customers",
    "customer-delete": "customers",
    "customers-import": "customers",
    "customer-timeline": "customers",
    "follow-ups": "follow-ups",
    "follow-up-new": "follow-ups",
    "follow-up-edit": "follow-ups",
    "call-lists": "call-lists",
    "call-list-new": "call-lists",
    "call-list": "call-lists",
    "call-list-edit": "call-lists",
    "call-list-import": "call-lists",
    "call-list-assign": "call-lists",
    "call-next": "call-next",
}
NAV_PAGES = {
    "call",
    "history",
    "dashboard",
    "wallboard",
    "tenant-settings",
    "softphones",
    "people",
    "audit",
    "api-tokens",
    "customers",
    "follow-ups",
    "call-lists",
    "call-next",
}


def nav(request):
    """The membership of the page's tenant (set by console.tenancy.TenantMiddleware) and, lazily,
    the user's other tenants and a customer manager's live call (the in-call bar: one small
    query, only on pages that show it)."""
    m = getattr(request, "membership", None)

    def others():
        if not request.user.is_authenticated:
            return []
        return _MEMBERSHIPS.all(user_id=request.user.pk)

    match = getattr(request, "resolver_match", None)
    name = match.url_name if match else None

    def live_bar():
        if m is None or m.role != Membership.Role.MANAGER:
            return None
        from calls import result_panel
        from calls.services.following import live_call_of

        call = live_call_of(m)
        return None if call is None else result_panel.context(m, call, view="bar")

    def due_follow_ups():
        """A customer manager's follow-ups due by the end of today (one count; none when the
        follow-ups page has counted them already)."""
        if m is None or m.role != Membership.Role.MANAGER:
            return 0
        counted = getattr(request, "follow_ups_due", None)
        if counted is None:
            from calls.followup_selectors import due_count

            counted = request.follow_ups_due = due_count(m)
        return counted

    section = NAV_SECTIONS.get(name)
    current = "page" if name in NAV_PAGES else "true"

    def nav_links():
        return "" if m is None else nav_html(m, section, current, due_follow_ups)

    return {
        "nav_section": section,
        "nav_current": current,
        "nav_links": nav_links,  # a callable: the header's links (console/nav.py)
        "membership": m,
        "tenant": m.tenant if m else None,
        "my_memberships": SimpleLazyObject(others),
        "live_bar": live_bar,  # a callable: templates call it when they look at it
        "due_follow_ups": due_follow_ups,  # a callable too (a manager's navigation)
    }
