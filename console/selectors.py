"""Reads of the console's own models: memberships, people, softphone mappings."""

from django.contrib.auth.models import User
from django.db.models import F, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _

from console.models import Membership, SoftphoneMapping, Tenant, who

Role = Membership.Role


def membership_to_open(user, last_used: str | None) -> Membership | None:
    """The membership to open for links without a tenant: the tenant the user used last in this
    session (its code remembered there), else the one they opened last in any session, else their
    first one by name; None without any."""
    memberships = Membership.objects.select_related("tenant").filter(user=user)
    if last_used:
        membership = memberships.filter(tenant__code=last_used).first()
        if membership is not None:
            return membership
    return memberships.order_by(F("last_opened_at").desc(nulls_last=True), "tenant__name").first()


def managers_of(tenant: Tenant) -> QuerySet[User]:
    """The tenant's customer managers (the only people a softphone can map to), by username."""
    return User.objects.filter(memberships__tenant=tenant, memberships__role=Role.MANAGER).order_by(
        "username"
    )


def member_of(tenant: Tenant, code, *, lock: bool = False) -> Membership:
    """One membership of the tenant by its code (404 if not there), locked if asked."""
    memberships = tenant.memberships.select_related("user")
    if lock:
        memberships = memberships.select_for_update()
    membership = memberships.filter(code=code).first()
    if membership is None:
        raise Http404
    return membership


def mapping_of(tenant: Tenant, code) -> SoftphoneMapping:
    """One softphone mapping of the tenant by its code (404 if not there)."""
    mapping = tenant.softphones.select_related("user").filter(code=code).first()
    if mapping is None:
        raise Http404
    return mapping


def mapping_conflicts(
    tenant: Tenant, *, user, softphone: str, enabled: bool, exclude_pk=None
) -> dict[str, str]:
    """Errors from other mappings of this tenant: the number taken, or the user already mapped."""
    errors = {}
    others = tenant.softphones.select_related("user").exclude(pk=exclude_pk)
    taken = others.filter(softphone=softphone).first()
    if taken is not None:
        errors["softphone"] = _("%(number)s is already mapped to %(who)s.") % {
            "number": softphone,
            "who": who(taken.user),
        }
    if enabled and user is not None:
        active = others.filter(user=user, enabled=True).first()
        if active is not None:
            errors["user"] = _("%(who)s already has softphone %(number)s; disable it first.") % {
                "who": who(user),
                "number": active.softphone,
            }
    return errors
