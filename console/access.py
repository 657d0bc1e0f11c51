"""The one tenant boundary. Every tenant-scoped view starts here, on its first line.

`tenant_access(request, code, *roles)` returns the caller's Membership (with its tenant loaded in
the same query). Outsiders get 404, so a tenant's existence is not revealed; members whose role is
not among `roles` get 403. Later queries start from `membership.tenant`, never from a bare manager.
"""

from datetime import datetime
from uuid import UUID
from zoneinfo import ZoneInfo

from django.core.exceptions import PermissionDenied
from django.db.models import F, FilteredRelation, Q
from django.http import Http404
from django.utils import timezone

from console.models import Membership
from console.prepared import Prepared

Role = Membership.Role
ADMIN_ONLY = (Role.ADMIN,)
READERS = (Role.ADMIN, Role.SUPERVISOR)  # see the whole tenant's history
ANY_ROLE = (Role.ADMIN, Role.SUPERVISOR, Role.MANAGER)
SESSION_KEY = "current_tenant"

# Inactive users cannot be authenticated (ModelBackend), so no is_active join is needed.
# Prepared: this runs on every tenant page, and compiling it cost more than running it.
_MEMBERSHIP = Prepared(
    lambda code, user_id: Membership.objects.select_related("tenant").filter(
        tenant__code=code, user_id=user_id
    )[:1],
    code=UUID,
    user_id=int,
)


# The call page also needs the manager's enabled softphone mapping: the same query loads it (a
# LEFT JOIN) as `membership.softphone_mapping`, None without one.
def _mapping():
    return FilteredRelation(
        "user__softphones",
        condition=Q(user__softphones__tenant_id=F("tenant_id"), user__softphones__enabled=True),
    )


_MEMBERSHIP_AND_MAPPING = Prepared(
    lambda code, user_id: (
        Membership.objects.annotate(softphone_mapping=_mapping())
        .select_related("tenant", "softphone_mapping")
        .filter(tenant__code=code, user_id=user_id)[:1]
    ),
    code=UUID,
    user_id=int,
)

# The same membership (tenant and mapping included) found from a session key instead of a user:
# with the session row and its user, in one query. console/sessions.py runs it when it loads
# the session of a request for a tenant page; tenant_access then takes the membership from the
# session instead of asking again. No row: no such session, or its user is no member of the
# tenant (then the session is read on its own).
_MEMBERSHIP_WITH_SESSION = Prepared(
    lambda code, key, now: (
        Membership.objects.annotate(
            session=FilteredRelation(
                "user__sessions",
                condition=Q(user__sessions__session_key=key, user__sessions__expire_date__gt=now),
            ),
            softphone_mapping=_mapping(),
        )
        .select_related("user", "tenant", "session", "softphone_mapping")
        .filter(tenant__code=code, session__isnull=False)[:1]
    ),
    code=UUID,
    key=str,
    now=datetime,
)


def membership_with_session(tenant_code: UUID, session_key: str, now: datetime):
    """The Membership of the user logged in with `session_key` in the tenant `tenant_code` (its
    `.session`, `.user`, `.tenant` and `.softphone_mapping` loaded), or None."""
    m = _MEMBERSHIP_WITH_SESSION.first(code=tenant_code, key=session_key, now=now)
    if m is not None and not hasattr(m, "softphone_mapping"):
        m.softphone_mapping = None  # the LEFT JOIN found none (select_related sets nothing then)
    return m


def tenant_access(request, tenant_code, roles=ANY_ROLE, *, with_mapping=False) -> Membership:
    if not request.user.is_authenticated:
        raise Http404
    if not isinstance(tenant_code, UUID):
        try:
            tenant_code = UUID(str(tenant_code))
        except ValueError:
            raise Http404 from None
    # Usually the membership came with the session (console/sessions.py): the same user, the
    # same tenant, mapping included.
    m = getattr(getattr(request, "session", None), "loaded_membership", None)
    if m is None or m.tenant.code != tenant_code or m.user_id != request.user.pk:
        query = _MEMBERSHIP_AND_MAPPING if with_mapping else _MEMBERSHIP
        m = query.first(code=tenant_code, user_id=request.user.pk)
    if m is None:
        raise Http404
    if with_mapping and not hasattr(m, "softphone_mapping"):
        m.softphone_mapping = None  # the LEFT JOIN found none (select_related sets nothing then)
    if m.role not in roles:
        raise PermissionDenied
    if request.session.get(SESSION_KEY) != str(m.tenant.code):
        request.session[SESSION_KEY] = str(m.tenant.code)
    request.membership = m
    # Times on tenant pages are shown in the tenant's own time zone (TenantTimezoneMiddleware
    # resets it after the response).
    timezone.activate(ZoneInfo(m.tenant.time_zone))
    return m


def current_membership(request) -> Membership | None:
    """The tenant the user last worked in (or their first one), for links without a tenant."""
    qs = (
        Membership.objects.select_related("tenant")
        .filter(user=request.user)
        .order_by("tenant__name")
    )
    code = request.session.get(SESSION_KEY)
    if code:
        m = qs.filter(tenant__code=code).first()
        if m:
            return m
    return qs.first()
